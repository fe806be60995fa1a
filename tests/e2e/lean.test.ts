/**
 * Lean pages: browsing needs no JavaScript and little data.
 *
 * - Every note page's HTML + the CSS it links is under 60 KB gzip (search bundle excluded).
 * - Scripts only enhance: every page has the tiny blocking theme.js (the reader's theme
 *   before paint) and the deferred reader.js (< 6 KB gzip: copy-link, TOC marking, theme
 *   switch, keys, previews); beyond those only /search/ (the search UI) and the
 *   directories (a ~1 KB filter-as-you-type; the full list is in the HTML and the filter
 *   box stays hidden without JavaScript).
 * - No inline scripts or styles (the CSP allows 'self' only), no web fonts.
 * - Every page has a title, a description, Open Graph tags, a favicon and the feed link.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { listFiles } from "../helpers/crawl.ts";
import { buildSite, readJson } from "../helpers/site.ts";

const LIMIT = 60 * 1024;
const site = buildSite();
const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const html = () => listFiles(site.dir).filter((f) => f.endsWith(".html"));
const rel = (f: string) => "/" + relative(site.dir, f).replace(/index\.html$/, "");
const stylesheets = (page: string) => [...page.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
const scripts = (page: string) => [...page.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!.match(/src="([^"]+)"/)?.[1] ?? "(inline)");

describe("lean pages", () => {
  it("keeps every note page's HTML + CSS under 60 KB compressed", () => {
    assert.equal(site.status, 0, site.stdout);
    const notes = readJson<Array<{ url: string }>>(site, "api/notes.json");
    const sizes = notes.map((n) => {
      const file = join(site.dir, n.url, "index.html");
      const css = stylesheets(readFileSync(file, "utf8")).map((href) => gz(join(site.dir, href)));
      return { url: n.url, html: gz(file), css: css.reduce((a, b) => a + b, 0), total: gz(file) + css.reduce((a, b) => a + b, 0) };
    }).sort((a, b) => b.total - a.total);
    const largest = sizes[0]!;
    console.log(`[lean] largest note page: ${largest.url} ${(largest.html / 1024).toFixed(1)} KB html + ${(largest.css / 1024).toFixed(1)} KB css (gzip)`);
    for (const s of sizes) assert.ok(s.total < LIMIT, `${s.url}: ${(s.total / 1024).toFixed(1)} KB gzip`);
  });

  it("uses JavaScript only to enhance: the theme before paint, the deferred reader script, search and the directory filter", () => {
    const filter = join(site.dir, "assets/filter.js");
    assert.ok(gz(filter) < 1024, `filter.js is ${gz(filter)} bytes gzip`);
    // The one blocking script restores the reader's theme before the first paint: tiny.
    assert.ok(readFileSync(join(site.dir, "assets/theme.js")).length < 1024);
    const reader = join(site.dir, "assets/reader.js");
    assert.ok(gz(reader) < 6 * 1024, `reader.js is ${gz(reader)} bytes gzip`);
    const directories = new Set(["/people/", "/companies/", "/products/", "/tags/"]);
    const everywhere = ["/assets/theme.js", "/assets/reader.js"];
    for (const f of html()) {
      const url = rel(f);
      const page = readFileSync(f, "utf8");
      const found = scripts(page);
      assert.equal(found[0], everywhere[0], `${url}: theme.js first, before paint`);
      assert.ok(found.includes(everywhere[1]!), `${url}: ${found}`);
      assert.match(page, /<script src="\/assets\/reader\.js" defer><\/script>/, `${url}: reader.js is deferred`);
      const own = found.filter((x) => !everywhere.includes(x));
      if (url === "/search/") assert.ok(own.length > 0 && !own.includes("(inline)"), `${url}: ${found}`);
      else if (directories.has(url)) assert.deepEqual(own, ["/assets/filter.js"], url);
      else assert.deepEqual(own, [], `${url} has scripts`);
      assert.ok(!/\son[a-z]+="/i.test(page), `${url} has an inline event handler`);
      assert.ok(!/<style\b/i.test(page), `${url} has an inline <style>`);
    }
  });

  it("shows complete directories without JavaScript (the filter box starts hidden)", () => {
    const entities = readJson<Array<{ type: string; url: string }>>(site, "api/entities.json");
    for (const [type, path] of [["person", "people"], ["company", "companies"], ["product", "products"], ["tag", "tags"]]) {
      const page = readFileSync(join(site.dir, path!, "index.html"), "utf8");
      assert.match(page, /<div class="dir-filter" data-filter-for="dir-list" hidden>/);
      const listed = new Set([...page.matchAll(/<li data-names="[^"]*"><a href="([^"]+)"/g)].map((m) => m[1]));
      const expected = entities.filter((e) => e.type === type).map((e) => e.url);
      assert.deepEqual(expected.filter((u) => !listed.has(u)), [], `${path}: every entity listed`);
    }
  });

  it("loads no web fonts and no remote assets", () => {
    const css = readFileSync(join(site.dir, "assets/site.css"), "utf8");
    assert.ok(!/@font-face|@import|url\(/i.test(css), "site.css references no fonts or images");
    for (const f of html()) {
      const page = readFileSync(f, "utf8");
      for (const m of page.matchAll(/<(?:link|script|img)\b[^>]*\s(?:href|src)="(https?:)?\/\/[^"]*"/g)) {
        if (!/rel="(?:canonical|alternate)"/.test(m[0])) assert.fail(`${rel(f)} loads ${m[0]}`);
      }
    }
  });

  it("gives every page a title, description, Open Graph tags, favicon and feed link", () => {
    for (const f of html()) {
      const page = readFileSync(f, "utf8");
      const url = rel(f);
      const title = page.match(/<title>([^<]+)<\/title>/)?.[1] ?? "";
      assert.ok(title.length > 2, `${url}: title`);
      const description = page.match(/<meta name="description" content="([^"]*)"/)?.[1] ?? "";
      assert.ok(description.length >= 10 && description.length <= 200, `${url}: description (${description.length} chars)`);
      assert.ok(!/[*#]{2}|\]\(/.test(description), `${url}: description is plain text: ${description}`);
      for (const p of ["og:title", "og:description", "og:url", "og:type", "og:site_name"]) assert.match(page, new RegExp(`<meta property="${p}" content="[^"]+"`), `${url}: ${p}`);
      assert.match(page, /<meta property="og:url" content="https?:\/\//, `${url}: og:url is absolute`);
      assert.match(page, /<link rel="icon" href="[^"]*favicon\.svg" type="image\/svg\+xml">/, `${url}: favicon`);
      assert.match(page, /<link rel="alternate" type="application\/atom\+xml"/, `${url}: feed link`);
      if (url.startsWith("/notes/")) assert.match(page, /<meta property="og:type" content="article">/, `${url}: notes are articles`);
    }
  });
});
