/**
 * The hostile fixtures in Chromium: no page built from them runs a script they carry
 * (no dialog, no page error, no blocked inline script), their DOM holds no event
 * handler, frame or script URL, and the site's own pages raise no CSP violation.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { EXPECTED, faultSite } from "../helpers/faults.ts";
import { type BuiltSite, buildSite, readJson, serveStatic } from "../helpers/site.ts";

interface Report { inputs: Array<{ file: string; notes: string[] }> }
interface ApiNote { id: string; url: string; kind: string; source: { file: string } }
interface ApiEntity { type: string; name: string; url: string; notes: string[] }

const faults = faultSite();
const plain = buildSite();
let browser: Browser;
const servers: Array<Awaited<ReturnType<typeof serveStatic>>> = [];

interface Visit { path: string; dialogs: string[]; errors: string[]; csp: string[]; console: string[]; dom: string[] }

/** One tab that records what would show a script ran or was blocked, visit after visit. */
async function recorder(context: BrowserContext): Promise<(base: string, path: string, settle?: (page: Page) => Promise<void>) => Promise<Visit>> {
  const page = await context.newPage();
  let v: Visit = { path: "", dialogs: [], errors: [], csp: [], console: [], dom: [] };
  page.on("dialog", (d) => {
    v.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.on("pageerror", (e) => v.errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning" || /Content.Security.Policy/i.test(m.text())) v.console.push(`${m.type()}: ${m.text()}`);
  });
  return async (base, path, settle) => {
    v = { path, dialogs: [], errors: [], csp: [], console: [], dom: [] };
    await page.goto(base + path, { waitUntil: "load", timeout: 60000 });
    if (settle) await settle(page);
    await page.waitForTimeout(50);
    v.csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    v.dom = await page.evaluate(() => {
      const bad: string[] = [];
      for (const el of Array.from(document.querySelectorAll("*"))) {
        const name = el.tagName.toLowerCase();
        if (["iframe", "frame", "object", "embed", "base"].includes(name)) bad.push(`<${name}>`);
        if (name === "script" && !/^\/(assets|pagefind)\//.test(el.getAttribute("src") ?? "")) bad.push(`<script src="${el.getAttribute("src") ?? ""}">`);
        for (const a of Array.from(el.attributes)) {
          if (a.name.startsWith("on")) bad.push(`<${name} ${a.name}>`);
          if (["href", "src", "action", "formaction"].includes(a.name) && /^\s*(javascript|vbscript|data|file):/i.test(a.value)) bad.push(`<${name} ${a.name}="${a.value}">`);
        }
      }
      return bad;
    });
    return v;
  };
}

/** Visit every path with `tabs` tabs at once. */
async function visitAll(context: BrowserContext, base: string, paths: string[], settle?: (page: Page) => Promise<void>, tabs = 4): Promise<Visit[]> {
  const queue = [...paths];
  const out: Visit[] = [];
  await Promise.all(Array.from({ length: Math.min(tabs, paths.length) }, async () => {
    const visit = await recorder(context);
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) out.push(await visit(base, p, settle));
  }));
  return out;
}

/** Wait until the search page has results for the query in its URL. */
async function searchSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('#search a[href*="/notes/"]').length > 0, undefined, { timeout: 20000 });
}

async function contextFor(): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
  });
  return context;
}

function notesOf(site: BuiltSite, names: string[]): string[] {
  const report = readJson<Report>(site, "api/build-report.json");
  return names.flatMap((n) => report.inputs.find((i) => i.file.endsWith(`/${n}`) || i.file === `seeds/${n}`)?.notes ?? []).map((id) => `notes/${id}/`);
}

describe("hostile sources in the browser", () => {
  before(async () => {
    assert.equal(faults.status, 0, faults.stdout);
    assert.equal(plain.status, 0, plain.stdout);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
  });

  it("runs no script carried by any page built from the fault corpus", async () => {
    const server = await serveStatic(faults.dir);
    servers.push(server);
    const context = await contextFor();
    // Every note of the corpus but the 20 MB transcript (it carries no markup) …
    const names = Object.keys(EXPECTED).filter((f) => f !== "gen-huge-transcript.txt");
    const paths = notesOf(faults, names);
    // … every entity a hostile file named, and the pages that list them.
    const entities = readJson<ApiEntity[]>(faults, "api/entities.json").filter((e) => /[<>{}"]|\.\.|javascript:/.test(e.name));
    assert.ok(paths.length >= 50 && entities.length >= 8, `${paths.length} notes, ${entities.length} entities`);
    paths.push(...entities.map((e) => e.url.replace(/^\//, "")), "", "timeline/", "people/", "companies/", "products/", "tags/", "no-such-page/");
    const visits = await visitAll(context, server.url, paths);
    visits.push(...(await visitAll(context, server.url, ["alert", "script", "模板注入"].map((q) => `search/?q=${encodeURIComponent(q)}`), searchSettled)));
    await context.close();
    const problems = visits.filter((v) => v.dialogs.length || v.errors.length || v.csp.length || v.dom.length);
    assert.deepEqual(problems.map((v) => ({ path: v.path, dialogs: v.dialogs, errors: v.errors, csp: v.csp, dom: v.dom })), []);
    const noisy = visits.filter((v) => v.console.some((c) => /Content.Security.Policy|Refused/i.test(c)));
    assert.deepEqual(noisy.map((v) => ({ path: v.path, console: v.console })), []);
  });

  it("raises no CSP violation or console error on the site's own pages", async () => {
    const server = await serveStatic(plain.dir);
    servers.push(server);
    const notes = readJson<ApiNote[]>(plain, "api/notes.json");
    const entities = readJson<ApiEntity[]>(plain, "api/entities.json");
    const first = (type: string) => entities.filter((e) => e.type === type).sort((a, b) => b.notes.length - a.notes.length)[0]!.url.replace(/^\//, "");
    const paths = ["", "timeline/", "people/", "tags/", first("person"), first("company"), first("product"), first("tag"), ...notes.map((n) => n.url.replace(/^\//, ""))];
    const context = await contextFor();
    const visits = await visitAll(context, server.url, [...paths, "no-such-page/"]);
    visits.push(...(await visitAll(context, server.url, [`search/?q=${encodeURIComponent("英伟达")}`], searchSettled)));
    await context.close();
    const problems = visits.filter((v) => v.csp.length || v.errors.length || v.dialogs.length || v.console.some((c) => !/Failed to load resource.*404/.test(c)));
    assert.deepEqual(problems.map((v) => ({ path: v.path, csp: v.csp, errors: v.errors, console: v.console })), []);
  });
});
