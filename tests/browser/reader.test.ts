/**
 * An hour with a long transcript, in Chromium: the reading bar's progress moves, the side
 * table of contents follows the scroll, a copied turn link opens at that turn, the theme
 * switch persists across pages, `/` and Ctrl-K focus search, previews appear on hover
 * (mouse) and never on touch, every page type works with JavaScript off, pages fit 360 px,
 * and a note page's HTML + CSS stays under 60 KB compressed. Writes the review screenshots
 * (004 at top, middle and end; 002; an entity page with its graph; /graph/; search) to
 * test-results/screenshots/ at 360 and 1280 px in both themes.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { openSite, type SiteSession } from "../helpers/browser.ts";
import { luminance, samplePages, waitForSearchResults } from "../helpers/pages.ts";
import { buildSite, ROOT } from "../helpers/site.ts";

const site = buildSite();
const SCREENSHOTS = join(ROOT, "test-results", "screenshots");
let session: SiteSession;
const desktop = { viewport: { width: 1280, height: 900 } };
const phone = { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true };

const scaleX = (page: Page) => page.evaluate(() => {
  const t = getComputedStyle(document.querySelector(".reading-progress > span")!).transform;
  return t === "none" ? 0 : Number(/matrix\(([^,]+)/.exec(t)?.[1] ?? "0");
});
const scrollToFraction = (page: Page, f: number) => page.evaluate((x) => window.scrollTo({ top: (document.documentElement.scrollHeight - innerHeight) * x, behavior: "instant" }), f);

describe("reading a long note", () => {
  session = openSite(site);
  const paths = () => samplePages(site);

  it("moves the reading-progress line with the scroll", async () => {
    const page = await session.browser.newPage(desktop);
    await page.goto(session.url + paths().long);
    assert.ok(await page.locator(".reading-bar").isVisible());
    assert.ok((await scaleX(page)) < 0.05, `at the top: ${await scaleX(page)}`);
    await scrollToFraction(page, 0.5);
    await page.waitForTimeout(200);
    const mid = await scaleX(page);
    assert.ok(mid > 0.4 && mid < 0.6, `half way: ${mid}`);
    await scrollToFraction(page, 1);
    await page.waitForTimeout(200);
    assert.ok((await scaleX(page)) > 0.95);
    // The bar stays at the top of the window while the note scrolls.
    const bar = await page.locator(".reading-bar").boundingBox();
    assert.ok(bar && Math.abs(bar.y) < 1, `bar at y=${bar?.y}`);
    await page.close();
  });

  it("marks the section being read in the side table of contents", async () => {
    const page = await session.browser.newPage(desktop);
    await page.goto(session.url + paths().long);
    const links = page.locator(".toc-side a");
    const n = await links.count();
    assert.ok(n >= 5, `${n} entries`);
    for (const k of [2, n - 2]) {
      const href = (await links.nth(k).getAttribute("href"))!;
      await page.evaluate((id) => document.getElementById(decodeURIComponent(id))!.scrollIntoView({ behavior: "instant" }), href.slice(1));
      await page.waitForTimeout(250);
      const current = await page.locator('.toc-side a[aria-current="location"]').getAttribute("href");
      assert.equal(current, href, `scrolled to entry ${k + 1}`);
      assert.equal(await page.locator('.toc-side a[aria-current="location"]').count(), 1);
    }
    await page.close();
  });

  it("copies a turn's link, and that link opens the page at the turn, highlighted", async () => {
    const context = await session.browser.newContext({ ...desktop, permissions: ["clipboard-read", "clipboard-write"] });
    const page = await context.newPage();
    await page.goto(session.url + paths().long);
    const turn = page.locator(".turn").nth(40);
    const id = (await turn.getAttribute("id"))!;
    assert.ok(id, "every turn has an id");
    await turn.scrollIntoViewIfNeeded();
    await turn.hover();
    await turn.locator(".turn-link").click();
    await page.locator(".toast.is-shown").waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(decodeURIComponent(new URL(copied).hash.slice(1)), id, copied);
    assert.equal(new URL(copied).pathname, `/${paths().long}`);
    const other = await context.newPage();
    await other.goto(copied);
    // Smooth scrolling (when the reader allows motion) takes a moment to arrive.
    await other.waitForFunction(() => { const r = document.querySelector(":target")?.getBoundingClientRect(); return r !== undefined && r.top >= 0 && r.top < innerHeight / 2; }, null, { timeout: 5000 }).catch(() => {});
    const state = await other.evaluate(() => {
      const t = document.querySelector(":target") as HTMLElement | null;
      const r = t?.getBoundingClientRect();
      return { id: t?.id, top: r?.top ?? -1, bottom: r?.bottom ?? -1, h: innerHeight, bg: t ? getComputedStyle(t).backgroundColor : "" };
    });
    assert.equal(state.id, id);
    assert.ok(state.top >= 30 && state.top < state.h / 2, `the turn is near the top, below the sticky bar (top ${state.top})`);
    assert.notEqual(state.bg, "rgba(0, 0, 0, 0)", "the opened turn is highlighted");
    await context.close();
  });

  it("links every heading and every turn, and a turn's time to the video", async () => {
    const html = readFileSync(join(site.dir, paths().note, "index.html"), "utf8");
    const turns = [...html.matchAll(/<div class="turn [^"]*" id="([^"]+)">/g)].map((m) => m[1]!);
    assert.ok(turns.length > 20);
    for (const id of turns) assert.ok(html.includes(`class="turn-link" href="#${id}"`), `turn ${id} has a link`);
    assert.equal(new Set(turns).size, turns.length, "turn ids are unique");
    const headings = [...html.matchAll(/<h2 id="([^"]+)-h">/g)].map((m) => m[1]!);
    assert.ok(headings.length > 3);
    for (const id of headings) assert.ok(html.includes(`<a class="anchor" href="#${id}"`), `heading ${id} has an anchor`);
    // 000's sections carry times and its turns none: the first turn of a section gets the section's start.
    assert.ok((html.match(/class="turn-speaker">[\s\S]{0,400}?class="timestamp" href="https:\/\/www\.youtube\.com\/watch\?v=[^"&]+&amp;t=\d+s"/g) ?? []).length >= headings.length - 2);
  });

  it("keeps the chosen theme across pages and reloads", async () => {
    const context = await session.browser.newContext({ ...desktop, colorScheme: "light" });
    const page = await context.newPage();
    await page.goto(session.url + paths().note);
    const button = page.locator(".theme-switch");
    assert.ok(await button.isVisible());
    assert.equal(await button.getAttribute("aria-label"), "主题：跟随系统");
    await button.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
    await button.click();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    assert.equal(await button.getAttribute("aria-label"), "主题：深色");
    await page.goto(session.url + paths().person);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    assert.ok(luminance(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)) < 0.1, "dark on the next page, though the system is light");
    await page.locator(".theme-switch").click();
    await page.reload();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme ?? "system"), "system");
    assert.ok(luminance(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)) > 0.8);
    await context.close();
  });

  it("focuses search with / and Ctrl-K, but not while typing", async () => {
    const page = await session.browser.newPage(desktop);
    await page.goto(session.url + paths().note);
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "site-search");
    await page.keyboard.type("a/b");
    assert.equal(await page.inputValue("#site-search"), "a/b", "a / typed in the box stays a /");
    await page.locator("h1").click();
    await page.keyboard.press("Control+k");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "site-search");
    await page.goto(session.url + paths().search);
    await waitForSearchResults(page);
    await page.locator("h1").click();
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "kb-q", "the search page's own box");
    await page.close();
  });

  it("previews a linked note or entity on mouse hover, never on touch", async () => {
    const page = await session.browser.newPage(desktop);
    const loaded: string[] = [];
    page.on("request", (r) => { if (r.url().endsWith("/assets/preview.js")) loaded.push(r.url()); });
    await page.goto(session.url + paths().note);
    await page.waitForTimeout(300);
    assert.deepEqual(loaded, [], "the preview script loads only when needed");
    const link = page.locator(".related-list a").first();
    const title = (await link.textContent())!.trim();
    await link.scrollIntoViewIfNeeded();
    await link.hover();
    const card = page.locator(".preview-card");
    await card.waitFor({ state: "visible", timeout: 3000 });
    assert.equal((await card.locator(".preview-title").textContent())?.trim(), title.replace(/\s+/g, " "));
    assert.ok(((await card.locator(".preview-text").textContent()) ?? "").length > 10, "a summary");
    await page.mouse.move(5, 5);
    await card.waitFor({ state: "hidden" });
    // An entity chip: its page's description.
    const chip = page.locator(".note-entities a.chip").first();
    await chip.hover();
    await card.waitFor({ state: "visible", timeout: 3000 });
    assert.match((await card.locator(".preview-text").textContent()) ?? "", /篇笔记提及/);
    // A touch pointer over the same link shows nothing.
    await page.mouse.move(5, 5);
    await card.waitFor({ state: "hidden" });
    await page.evaluate(() => document.querySelector(".related-list a")!.dispatchEvent(new PointerEvent("pointerover", { pointerType: "touch", bubbles: true })));
    await page.waitForTimeout(700);
    assert.ok(!(await card.isVisible()), "no preview for a touch pointer");
    await page.close();

    assert.equal(loaded.length, 1, "loaded once, on the first hover");
    const mobile = await session.browser.newContext(phone);
    const touch = await mobile.newPage();
    const touchLoaded: string[] = [];
    touch.on("request", (r) => { if (r.url().endsWith("/assets/preview.js")) touchLoaded.push(r.url()); });
    await touch.goto(session.url + paths().note);
    await touch.locator(".related-list a").first().hover();
    await touch.waitForTimeout(800);
    assert.equal(await touch.locator(".preview-card").count(), 0, "no preview on a touch screen");
    assert.deepEqual(touchLoaded, [], "nor its script");
    await mobile.close();
  });

  it("works with JavaScript disabled on every page type", async () => {
    const context = await session.browser.newContext({ ...phone, javaScriptEnabled: false });
    const page = await context.newPage();
    const p = paths();
    for (const path of [p.home, p.long, p.raw, p.note, p.person, p.company, p.tag, p.directory, p.timeline, p.graph]) {
      await page.goto(session.url + path);
      assert.ok(await page.locator("main h1").isVisible(), `${path}: a heading`);
      assert.ok((await page.locator("main a[href]").count()) >= 1, `${path}: links`);
    }
    await page.goto(session.url + p.long);
    // The 目录 button is a link to the table of contents; back to top is a link too.
    await page.locator(".reading-toc").click();
    assert.equal(new URL(page.url()).hash, "#toc");
    assert.ok(await page.locator("#toc").isVisible());
    await page.locator(".to-top").click();
    assert.equal(new URL(page.url()).hash, "#top");
    assert.ok(!(await page.locator(".theme-switch").isVisible()), "no dead theme button without script");
    await page.goto(session.url + p.person);
    assert.ok((await page.locator(".entity-graph svg a").count()) >= 3, "the graph's nodes are links");
    await page.goto(session.url + p.graph);
    assert.ok((await page.locator(".graph svg a").count()) >= 10);
    assert.ok((await page.locator(".pair-list li").count()) >= 10, "the links as text");
    await context.close();
  });

  it("fits 360 px without horizontal scrolling on every page type", async () => {
    const context = await session.browser.newContext(phone);
    const page = await context.newPage();
    const p = paths();
    for (const path of [p.home, p.long, p.raw, p.note, p.person, p.company, p.graph, p.search]) {
      await page.goto(session.url + path);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path}: ${overflow} px too wide`);
    }
    await context.close();
  });

  it("keeps a note page's HTML + CSS under 60 KB compressed (scripts apart)", () => {
    const css = readFileSync(join(site.dir, "assets/site.css"));
    for (const path of [paths().note, paths().long, paths().raw]) {
      const html = readFileSync(join(site.dir, path, "index.html"));
      const kb = (gzipSync(html).length + gzipSync(css).length) / 1024;
      assert.ok(kb < 60, `${path}: ${kb.toFixed(1)} KB`);
    }
  });

  it("writes the review screenshots", async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const p = paths();
    for (const scheme of ["light", "dark"] as const) for (const w of [360, 1280]) {
      const context = await session.browser.newContext({ ...(w === 360 ? phone : desktop), colorScheme: scheme });
      const page = await context.newPage();
      const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `reader-${name}-${scheme}-${w}.png`) });
      await page.goto(session.url + p.long);
      await shot("004-top");
      await scrollToFraction(page, 0.5);
      await page.waitForTimeout(150);
      await shot("004-middle");
      await scrollToFraction(page, 1);
      await page.waitForTimeout(150);
      await shot("004-end");
      await page.goto(session.url + p.raw);
      await shot("002");
      await page.goto(session.url + p.person);
      await page.locator(".entity-graph").scrollIntoViewIfNeeded();
      await shot("entity-graph");
      await page.goto(session.url + p.graph);
      await shot("graph");
      await page.goto(session.url + p.search);
      await waitForSearchResults(page);
      await shot("search");
      await context.close();
    }
  });
});
