/**
 * The pages the quality gates look at, picked from a built site's JSON API so the
 * tests follow the data: the home page, a conversation note with speaker turns,
 * a person, a company, a tag, a directory, the timeline, search and the 404 page.
 */
import type { Page } from "playwright-core";
import { type BuiltSite, readJson } from "./site.ts";

interface ApiNote { url: string; kind: string; source: { file: string }; people: string[] }
interface ApiEntity { type: string; name: string; url: string; notes: string[] }

export interface SamplePages {
  home: string; note: string; person: string; company: string; tag: string;
  directory: string; timeline: string; search: string; notFound: string;
  /** The long conversation (004), the raw transcript (002), the site graph. */
  long: string; raw: string; graph: string;
}

/** Site-relative paths (no leading slash) of the sample pages. */
export function samplePages(site: BuiltSite): SamplePages {
  const notes = readJson<ApiNote[]>(site, "api/notes.json");
  const entities = readJson<ApiEntity[]>(site, "api/entities.json");
  const most = (type: string) => entities.filter((e) => e.type === type).sort((a, b) => b.notes.length - a.notes.length)[0]!;
  const byName = (type: string, name: string) => entities.find((e) => e.type === type && e.name === name) ?? most(type);
  const note = notes.find((n) => n.kind === "conversation" && n.source.file.includes("000_")) ?? notes[0]!;
  const rel = (url: string) => url.replace(/^\//, "");
  return {
    home: "",
    note: rel(note.url),
    person: rel(byName("person", "Jensen Huang").url),
    company: rel(byName("company", "NVIDIA").url),
    tag: rel(most("tag").url),
    directory: "people/",
    timeline: "timeline/",
    search: `search/?q=${encodeURIComponent("英伟达")}`,
    notFound: "no-such-page/",
    long: rel((notes.find((n) => n.source.file.includes("004_")) ?? note).url),
    raw: rel((notes.find((n) => n.kind === "transcript") ?? note).url),
    graph: "graph/",
  };
}

/** Every note page path, for checks that should hold on all of them. */
export function notePaths(site: BuiltSite): string[] {
  return readJson<ApiNote[]>(site, "api/notes.json").map((n) => n.url.replace(/^\//, ""));
}

/** On the search page: wait until the UI is loaded and shows result links for the query in the URL. */
export async function waitForSearchResults(page: Page, timeout = 20000): Promise<string[]> {
  await page.waitForFunction(() => {
    const root = document.getElementById("search");
    const status = root?.querySelector("[role=status]")?.textContent ?? "";
    return !!root && root.querySelectorAll('a[href*="/notes/"]').length > 0 && !/正在/.test(status);
  }, undefined, { timeout });
  return page.$$eval('#search a[href*="/notes/"]', (as) => as.map((a) => a.getAttribute("href") ?? ""));
}

/** Relative luminance of a CSS `rgb()`/`rgba()` colour (0 black … 1 white). */
export function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/[\d.]+/g) ?? ["0", "0", "0"]).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
