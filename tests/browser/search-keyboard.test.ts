/**
 * Search with the keyboard only (Tab, typing, Enter, Space): find notes by a Chinese
 * query, then narrow them with a person facet. Written against hooks any search UI
 * here keeps: an `input[type=search]` inside `#search` labelled 搜索本站, results as
 * links inside `#search` to /notes/…, and facet checkboxes whose label is the value
 * (an optional count may follow) inside a group labelled 人物.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { openSite, type SiteSession } from "../helpers/browser.ts";
import { buildSite, readJson } from "../helpers/site.ts";

const site = buildSite();
let session: SiteSession;

const QUERY = "芯片";
/** The facet shows the name readers know; the JSON API keeps the canonical one. */
const PERSON = "黄仁勋";
const PERSON_NAME = "Jensen Huang";

/** What has keyboard focus now: enough to decide the next key. */
async function focused(page: Page, person: string) {
  return page.evaluate((person) => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { kind: "none" as const };
    const inSearch = !!el.closest("#search");
    const group = el.closest("fieldset, [role=group], details");
    const groupName = group
      ? (group.querySelector(":scope > legend, :scope > summary")?.textContent ?? group.getAttribute("aria-label") ?? "").trim()
      : "";
    const labels = (el as HTMLInputElement).labels ? Array.from((el as HTMLInputElement).labels!) : [];
    const label = (labels[0]?.textContent ?? "").replace(/\s+/g, " ").trim();
    const labelled = (el.getAttribute("aria-label") ?? "") + " " + labels.map((l) => l.textContent).join(" ");
    return {
      kind: el.tagName === "INPUT" ? (el as HTMLInputElement).type : el.tagName.toLowerCase(),
      inSearch, groupName, label, labelled,
      isPersonBox: el.tagName === "INPUT" && (el as HTMLInputElement).type === "checkbox" && groupName === "人物" && new RegExp(`^${person.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?: \\d+)?$`).test(label),
      expandable: (el.tagName === "SUMMARY" && !(el.parentElement as HTMLDetailsElement).open) || el.getAttribute("aria-expanded") === "false",
      checked: (el as HTMLInputElement).checked ?? false,
    };
  }, person);
}

/** Result note URLs inside #search once no search is running (hash and query dropped, unique). */
async function results(page: Page, previous: string | null): Promise<string[]> {
  await page.waitForFunction((prev) => {
    const root = document.getElementById("search")!;
    const status = root.querySelector("[role=status], .pagefind-ui__message")?.textContent ?? "";
    const links = Array.from(root.querySelectorAll('a[href*="/notes/"]')).map((a) => a.getAttribute("href")).join(" ");
    return links.length > 0 && !/正在/.test(status) && (prev === null || links + status !== prev);
  }, previous, { timeout: 15000 });
  await page.waitForTimeout(200);
  const hrefs = await page.$$eval('#search a[href*="/notes/"]', (as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  return [...new Set(hrefs)];
}

async function snapshot(page: Page): Promise<string> {
  return page.evaluate(() => {
    const root = document.getElementById("search")!;
    const links = Array.from(root.querySelectorAll('a[href*="/notes/"]')).map((a) => a.getAttribute("href")).join(" ");
    return links + (root.querySelector("[role=status], .pagefind-ui__message")?.textContent ?? "");
  });
}

describe("search with the keyboard only", () => {
  session = openSite(site);

  /** The keyboard-only walk: Tab to the box, type, Enter, Tab to the facet, Space. */
  async function queryThenFacet(page: Page) {
    await page.goto(`${session.url}search/`);
    await page.waitForSelector("#search input[type=search]");

    // Tab from the top of the page to the search box of the search UI.
    let f = await focused(page, PERSON);
    for (let i = 0; i < 40 && !(f.kind === "search" && f.inSearch); i++) {
      await page.keyboard.press("Tab");
      f = await focused(page, PERSON);
    }
    assert.ok(f.kind === "search" && f.inSearch, "Tab reaches the search box");
    assert.match(f.labelled, /搜索本站/, "the search box is labelled 搜索本站");

    await page.keyboard.type(QUERY);
    await page.keyboard.press("Enter");
    const all = await results(page, null);

    // Tab on to the person facet, opening a folded group or a "show all" list on the way.
    const before = await snapshot(page);
    f = await focused(page, PERSON);
    for (let i = 0; i < 150 && !f.isPersonBox; i++) {
      if (f.expandable && (f.groupName === "人物" || f.kind === "summary")) await page.keyboard.press("Enter");
      await page.keyboard.press("Tab");
      f = await focused(page, PERSON);
    }
    assert.ok(f.isPersonBox, `Tab reaches the ${PERSON} checkbox in the 人物 group`);
    await page.keyboard.press("Space");
    const narrowed = await results(page, before);
    return { all, narrowed };
  }

  it(`finds notes for 「${QUERY}」 and narrows them to ${PERSON} with Tab, typing, Enter and Space`, async () => {
    const people = new Map(readJson<Array<{ url: string; people: string[] }>>(site, "api/notes.json").map((n) => [n.url, n.people]));
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { all, narrowed } = await queryThenFacet(page);
    assert.ok(all.length >= 2, `「${QUERY}」 finds ${all.length} notes`);
    assert.ok(all.every((u) => u.includes("/notes/")));
    assert.ok(narrowed.length > 0 && narrowed.length < all.length, `${PERSON} narrows ${all.length} → ${narrowed.length}`);
    for (const url of narrowed) assert.ok(people.get(url)?.includes(PERSON_NAME), `${url} names ${PERSON_NAME}`);
    const checked = await page.$$eval("#search input[type=checkbox]:checked", (bs) => bs.map((b) => ((b as HTMLInputElement).labels?.[0]?.textContent ?? "").trim()));
    assert.equal(checked.length, 1);
    assert.match(checked[0]!, new RegExp(`^${PERSON}`));

    // Tab on to a result; Enter opens the note.
    for (let i = 0; i < 200; i++) {
      await page.keyboard.press("Tab");
      const href = await page.evaluate(() => (document.activeElement as HTMLAnchorElement | null)?.closest?.("#search") ? document.activeElement!.getAttribute("href") ?? "" : "");
      if (href.includes("/notes/")) break;
    }
    await Promise.all([page.waitForURL(/\/notes\//), page.keyboard.press("Enter")]);
    assert.match(new URL(page.url()).pathname, /^\/notes\/[^/]+\/$/);
    await page.close();
  });

  // Known issue in templates/assets/search.js (owned by the search UI): facets are re-rendered
  // after each search and focus is restored by a positional id (`f-<group>-<rank>`), so when
  // the counts re-sort the list, focus lands on another person's checkbox.
  it("keeps keyboard focus on the facet just toggled", async () => {
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await queryThenFacet(page);
    const f = await focused(page, PERSON);
    await page.close();
    assert.ok(f.isPersonBox && f.checked, `focus is on: ${f.label} (${f.checked ? "checked" : "unchecked"})`);
  });
});
