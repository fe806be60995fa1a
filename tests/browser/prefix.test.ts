/**
 * Published under a sub-path: the site built with KB_PATH_PREFIX=/kb/ and served
 * only under /kb/ (like a project page on a shared host). Every internal link and
 * asset resolves inside /kb/, pages load their CSS and icon, search loads its
 * bundle and links results under /kb/, and the feed, sitemap and meta URLs are
 * absolute and carry the prefix. The feed and sitemap of the default build are
 * checked the same way (well-formed XML, absolute URLs, every URL a built page).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { crawl, listFiles, resolvePath } from "../helpers/crawl.ts";
import { samplePages, waitForSearchResults } from "../helpers/pages.ts";
import { type BuiltSite, buildSite, serveStatic } from "../helpers/site.ts";

const PREFIX = "/kb/";
const SITE_URL = "https://example.org";
const plain = buildSite();
const prefixed = buildSite(undefined, [], { KB_PATH_PREFIX: PREFIX, KB_SITE_URL: SITE_URL });
let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

interface XmlCheck { error: string | null; root: string; urls: string[]; entries: number; feedAuthor: boolean }

/** Parse with the browser's XML parser: well-formedness errors come back as <parsererror>. */
async function parseXml(page: Page, xml: string): Promise<XmlCheck> {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const err = doc.getElementsByTagName("parsererror")[0];
    const urls = [
      ...Array.from(doc.getElementsByTagName("loc")).map((l) => l.textContent ?? ""),
      ...Array.from(doc.getElementsByTagName("link")).map((l) => l.getAttribute("href") ?? ""),
      ...Array.from(doc.getElementsByTagName("id")).map((l) => l.textContent ?? ""),
      ...Array.from(doc.getElementsByTagName("icon")).map((l) => l.textContent ?? ""),
    ];
    const feedAuthor = Array.from(doc.documentElement.children).some((c) => c.localName === "author");
    return { error: err ? err.textContent : null, root: doc.documentElement.localName, urls, entries: doc.getElementsByTagName("entry").length + doc.getElementsByTagName("url").length, feedAuthor };
  }, xml);
}

/** Absolute site URL → the built file, or null. */
function fileFor(site: BuiltSite, url: string, base: string): string | null {
  assert.ok(url.startsWith(base), `${url} starts with ${base}`);
  return resolvePath(site.dir, "/" + url.slice(base.length));
}

describe(`published under ${PREFIX}`, () => {
  before(async () => {
    assert.equal(plain.status, 0, plain.stdout);
    assert.equal(prefixed.status, 0, prefixed.stdout);
    server = await serveStatic(prefixed.dir, PREFIX);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("links every page and asset inside the prefix, none broken", () => {
    const { reached, broken } = crawl(prefixed.dir, PREFIX);
    assert.deepEqual(broken.slice(0, 10), [], `${broken.length} broken links`);
    const pages = listFiles(prefixed.dir).filter((f) => f.endsWith(".html") && !f.endsWith("404.html"));
    assert.deepEqual(pages.filter((p) => !reached.has(p)), [], "every page is reachable from the home page");
    for (const asset of ["assets/site.css", "assets/favicon.svg"]) assert.ok(reached.has(join(prefixed.dir, asset)), asset);
    const notFound = readFileSync(join(prefixed.dir, "404.html"), "utf8");
    for (const m of notFound.matchAll(/\s(?:href|src|action)="(\/[^"]*)"/g)) assert.ok(m[1]!.startsWith(PREFIX), `404.html: ${m[1]}`);
  });

  it("loads pages with their stylesheet and icon, and no failed request", async () => {
    const p = samplePages(prefixed);
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    // Requests cut short by the next navigation (net::ERR_ABORTED) are not failures.
    page.on("requestfailed", (r) => { if (!/ABORTED/.test(r.failure()?.errorText ?? "")) failed.push(`${r.failure()?.errorText} ${r.url()}`); });
    for (const path of [p.home, p.note, p.person, p.directory, p.timeline]) {
      await page.goto(server.url + path);
      const styled = await page.evaluate(() => getComputedStyle(document.querySelector(".site-header")!).borderBottomStyle);
      assert.equal(styled, "solid", `/kb/${path} is styled by site.css`);
    }
    const icon = await page.request.get(server.url + "assets/favicon.svg");
    assert.equal(icon.status(), 200);
    assert.deepEqual(failed, []);

    // A mistyped address shows the 404 page, styled, with links back into /kb/.
    const r = await page.goto(server.url + "no/such/page/");
    assert.equal(r?.status(), 404);
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector(".site-header")!).borderBottomStyle), "solid");
    const home = await page.$$eval(".breadcrumbs a, .site-nav a, .brand", (as) => as.map((a) => a.getAttribute("href")));
    assert.ok(home.every((h) => h?.startsWith(PREFIX)), home.join(" "));
    await page.close();
  });

  it("searches with the bundle under the prefix and links results inside it", async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    await page.goto(`${server.url}search/?q=${encodeURIComponent("英伟达")}`);
    const hrefs = await waitForSearchResults(page);
    assert.ok(hrefs.length > 0);
    assert.ok(hrefs.every((h) => h.startsWith(`${PREFIX}notes/`)), hrefs.slice(0, 3).join(" "));
    await page.locator('#search a[href*="/notes/"]').first().click();
    await page.waitForURL(/\/kb\/notes\//);
    assert.ok(await page.locator("article.note h1").isVisible());
    assert.deepEqual(failed, []);

    // The header search form submits to /kb/search/.
    await page.goto(server.url);
    await page.fill("#site-search", "黄仁勋");
    await Promise.all([page.waitForURL(/\/kb\/search\/\?q=/), page.keyboard.press("Enter")]);
    assert.ok((await waitForSearchResults(page)).length > 0);
    await page.close();
  });

  it("gives every page absolute canonical and Open Graph URLs with the prefix", () => {
    for (const f of listFiles(prefixed.dir).filter((x) => x.endsWith(".html"))) {
      const html = readFileSync(f, "utf8");
      const og = html.match(/<meta property="og:url" content="([^"]+)"/)?.[1];
      assert.ok(og?.startsWith(`${SITE_URL}${PREFIX}`), `${f}: og:url ${og}`);
      if (f.endsWith("404.html")) continue;
      const canonical = html.match(/<link rel="canonical" href="([^"]+)"/)?.[1];
      assert.equal(canonical, og, `${f}: canonical = og:url`);
      assert.ok(fileFor(prefixed, canonical!, SITE_URL + PREFIX), `${f}: canonical ${canonical} is a built page`);
    }
  });

  for (const [name, site, base] of [["default build", plain, "http://localhost:8080/"], [`${PREFIX} build`, prefixed, `${SITE_URL}${PREFIX}`]] as const) {
    it(`publishes a well-formed Atom feed and sitemap with absolute URLs (${name})`, async () => {
      const page = await browser.newPage();
      const feed = await parseXml(page, readFileSync(join(site.dir, "feed.xml"), "utf8"));
      const map = await parseXml(page, readFileSync(join(site.dir, "sitemap.xml"), "utf8"));
      await page.close();
      assert.equal(feed.error, null, `feed.xml: ${feed.error}`);
      assert.equal(map.error, null, `sitemap.xml: ${map.error}`);
      assert.equal(feed.root, "feed");
      assert.ok(feed.feedAuthor, "Atom: a feed-level author covers entries without one");
      assert.equal(map.root, "urlset");
      const notes = JSON.parse(readFileSync(join(site.dir, "api/notes.json"), "utf8")) as unknown[];
      assert.equal(feed.entries, Math.min(50, notes.length), "one entry per note");
      assert.ok(map.entries >= notes.length + 4, `${map.entries} sitemap URLs`);
      for (const url of [...feed.urls, ...map.urls]) assert.ok(fileFor(site, url, base), `${url} is a built file`);
      const html = readFileSync(join(site.dir, "index.html"), "utf8");
      const alt = html.match(/<link rel="alternate" type="application\/atom\+xml"[^>]* href="([^"]+)"/)?.[1];
      assert.equal(alt, `${base === "http://localhost:8080/" ? "/" : PREFIX}feed.xml`, "pages point feed readers at the feed");
    });
  }
});
