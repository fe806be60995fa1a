/**
 * Layout gate in Chromium: nothing overflows horizontally on a 360 px phone (every
 * note and every page type), the reading design holds (CJK font stack, line height,
 * measure, table of contents beside the text on wide screens and folded on phones,
 * one colour per speaker), and both themes follow the system setting.
 *
 * Screenshots for review are written to test-results/screenshots/ (gitignored):
 *   {home,note,person,company,search}-{light,dark}-{360,1280}.png  first screen
 *   note-turns-{light,dark}-{360,1280}.png                         speaker turns
 *   {home,person,company}-{light,dark}-360-full.png                  whole page on a phone
 *   timed-turns-{light,dark}-360.png    turns with time stamps (tests/fixtures/timed-turns)
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { luminance, notePaths, samplePages, waitForSearchResults } from "../helpers/pages.ts";
import { buildSite, ROOT, serveStatic } from "../helpers/site.ts";

export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");
const site = buildSite();
const timed = buildSite(join(ROOT, "tests/fixtures/timed-turns"));
let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

const phone = { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const desktop = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };

/** Elements that stick out to the right of the viewport (ignoring visually hidden ones and scroll boxes' content). */
async function overflow(page: Page): Promise<{ scrollWidth: number; width: number; offenders: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const offenders: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll("*"))) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1) continue;
      if (el.closest(".visually-hidden, .skip-link")) continue;
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") { clipped = true; break; }
      }
      if (!clipped) offenders.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""} right=${Math.round(r.right)}`);
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, offenders: offenders.slice(0, 8) };
  });
}

describe("layout and reading design", () => {
  before(async () => {
    assert.equal(site.status, 0, site.stdout);
    server = await serveStatic(site.dir);
    browser = await launch();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("does not overflow horizontally at 360 px on any note or page type", async () => {
    const p = samplePages(site);
    const paths = [...new Set([p.home, p.person, p.company, p.tag, p.directory, "companies/", "products/", "tags/", p.timeline, p.search, p.notFound, ...notePaths(site)])];
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    const problems: string[] = [];
    for (const path of paths) {
      await page.goto(server.url + path);
      if (path === p.search) await waitForSearchResults(page);
      const o = await overflow(page);
      if (o.scrollWidth > o.width || o.offenders.length) problems.push(`/${path}: scrollWidth ${o.scrollWidth} > ${o.width}; ${o.offenders.join(", ")}`);
    }
    await context.close();
    assert.deepEqual(problems, [], problems.join("\n"));
  });

  it("reads like a book: CJK fonts, 1.6+ line height, ≤ 46 characters a line, strict line breaking", async () => {
    const context = await browser.newContext(desktop);
    const page = await context.newPage();
    await page.goto(server.url + samplePages(site).note);
    const m = await page.evaluate(() => {
      const body = getComputedStyle(document.body);
      const para = document.querySelector(".note-section .turn-text p, .note-section .prose p")!;
      const ps = getComputedStyle(para);
      return {
        font: body.fontFamily, lineBreak: body.getPropertyValue("line-break"),
        fontSize: parseFloat(ps.fontSize), lineHeight: parseFloat(ps.lineHeight), width: para.getBoundingClientRect().width,
        htmlLang: document.documentElement.lang,
      };
    });
    await context.close();
    assert.equal(m.htmlLang, "zh-CN");
    for (const f of ["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"]) assert.ok(m.font.includes(f), `font stack has ${f}: ${m.font}`);
    assert.equal(m.lineBreak, "strict");
    assert.ok(m.fontSize >= 16, `body text is ${m.fontSize}px`);
    assert.ok(m.lineHeight / m.fontSize >= 1.6, `line height ${m.lineHeight}/${m.fontSize}`);
    assert.ok(m.width / m.fontSize <= 46, `a line holds ${Math.round(m.width / m.fontSize)} characters`);
  });

  it("shows the table of contents beside a long note on desktop and folded above it on a phone", async () => {
    const path = samplePages(site).note;
    const wide = await browser.newContext(desktop);
    let page = await wide.newPage();
    await page.goto(server.url + path);
    assert.ok(await page.locator(".toc-side").isVisible(), "side TOC on desktop");
    assert.ok(!(await page.locator(".toc-inline").isVisible()), "no inline TOC on desktop");
    const side = await page.locator(".toc-side").boundingBox();
    const text = await page.locator(".note-section").first().boundingBox();
    assert.ok(side && text && side.x > text.x + text.width, "TOC is to the right of the text");
    await page.mouse.wheel(0, 4000);
    await page.waitForFunction(() => window.scrollY >= 3000);
    await page.waitForTimeout(300);
    const stuck = await page.locator(".toc-side .toc").boundingBox();
    assert.ok(stuck && stuck.y >= 0 && stuck.y < 100, `TOC stays in view when scrolling (y=${stuck?.y})`);
    await wide.close();

    const narrow = await browser.newContext(phone);
    page = await narrow.newPage();
    await page.goto(server.url + path);
    assert.ok(!(await page.locator(".toc-side").isVisible()), "no side TOC on a phone");
    const details = page.locator(".toc-inline details");
    assert.ok(await details.isVisible());
    const items = await page.locator(".toc-inline li").count();
    assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), items <= 6, `a ${items}-entry TOC starts ${items <= 6 ? "open" : "folded"}`);
    await page.keyboard.press("Tab");
    await details.locator("summary").focus();
    await page.keyboard.press("Enter");
    assert.equal(await details.evaluate((d) => (d as HTMLDetailsElement).open), items > 6, "the summary toggles it");
    await narrow.close();
  });

  it("gives each speaker a colour, a linked name and breadcrumbs back to the timeline", async () => {
    const context = await browser.newContext(desktop);
    const page = await context.newPage();
    await page.goto(server.url + samplePages(site).note);
    const turns = await page.$$eval(".turn", (ts) => ts.map((t) => ({
      name: t.querySelector(".turn-speaker > :first-child")?.textContent ?? "",
      border: getComputedStyle(t).borderLeftColor,
      nameColor: getComputedStyle(t.querySelector(".turn-speaker > :first-child")!).color,
    })));
    assert.ok(turns.length > 5);
    const colourOf = new Map<string, string>();
    for (const t of turns) {
      assert.equal(t.nameColor, t.border, `${t.name}: name and rule share a colour`);
      assert.equal(colourOf.get(t.name) ?? t.border, t.border, `${t.name} keeps one colour`);
      colourOf.set(t.name, t.border);
    }
    assert.ok(new Set(colourOf.values()).size >= Math.min(colourOf.size, 3), `distinct colours for ${[...colourOf.keys()].join(", ")}`);
    const crumbs = await page.$$eval(".breadcrumbs a", (as) => as.map((a) => a.getAttribute("href")));
    assert.equal(crumbs[0], "/");
    assert.ok(crumbs.includes("/timeline/") && crumbs.some((c) => c?.startsWith("/timeline/#m-")), crumbs.join(" "));
    await context.close();
  });

  it("filters directories as you type (by name or alias) and lists everything without JavaScript", async () => {
    const path = samplePages(site).directory;
    const context = await browser.newContext(phone);
    const page = await context.newPage();
    await page.goto(server.url + path);
    const total = await page.locator("#dir-list > li").count();
    const box = page.getByLabel(/^筛选/);
    assert.ok(await box.isVisible(), "the filter box shows when scripts run");
    await box.pressSequentially("黄仁勋");
    await page.waitForFunction(() => document.querySelectorAll("#dir-list > li:not([hidden])").length === 1);
    assert.deepEqual(await page.locator("#dir-list > li:not([hidden]) a").allTextContents(), ["黄仁勋"]);
    assert.match(await page.locator("#dir-filter-status").textContent() ?? "", new RegExp(`1 / ${total}`));
    await box.fill("");
    await box.press("Backspace");
    await page.waitForFunction((n) => document.querySelectorAll("#dir-list > li:not([hidden])").length === n, total);
    const counts = await page.$$eval("#dir-list > li .count", (cs) => cs.map((c) => parseInt(c.textContent ?? "0", 10)));
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), "sorted by note count");
    await context.close();

    const noJs = await browser.newContext({ ...phone, javaScriptEnabled: false });
    const plain = await noJs.newPage();
    await plain.goto(server.url + path);
    assert.ok(!(await plain.locator(".dir-filter").isVisible()), "no dead filter box without JavaScript");
    assert.equal(await plain.locator("#dir-list > li:visible").count(), total);
    await noJs.close();
  });

  it("puts each turn's time stamp beside the speaker's name, linked to that moment of the video", async () => {
    assert.equal(timed.status, 0, timed.stdout);
    const local = await serveStatic(timed.dir);
    for (const scheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ ...phone, colorScheme: scheme });
      const page = await context.newPage();
      await page.goto(local.url + "notes/timed-interview/");
      const turns = await page.$$eval(".turn-speaker", (ps) => ps.map((p) => {
        const name = p.firstElementChild!.getBoundingClientRect();
        const stamp = p.querySelector("a.timestamp");
        const box = stamp?.getBoundingClientRect();
        return { name: p.firstElementChild!.textContent, href: stamp?.getAttribute("href") ?? "", clock: stamp?.textContent?.replace(/[^\d:]/g, "") ?? "", dy: box ? Math.abs(box.top + box.height / 2 - (name.top + name.height / 2)) : 99 };
      }));
      assert.equal(turns.length, 6);
      for (const t of turns) {
        const [m, sec] = t.clock.split(":").map(Number);
        assert.ok(t.href.endsWith(`t=${m! * 60 + sec!}s`), `${t.name} ${t.clock} → ${t.href}`);
        assert.ok(t.dy < 6, `${t.name}: time stamp on the name's line (off by ${t.dy}px)`);
      }
      await page.locator(".note-section").first().scrollIntoViewIfNeeded();
      await page.evaluate(() => document.querySelector(".note-section")!.scrollIntoView({ block: "start" }));
      await page.screenshot({ path: join(SCREENSHOTS, `timed-turns-${scheme}-360.png`) });
      await context.close();
    }
    await local.close();
  });

  it("follows the system theme: dark backgrounds with light text, and the reverse", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ ...desktop, colorScheme: scheme });
      const page = await context.newPage();
      await page.goto(server.url + samplePages(site).note);
      const c = await page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, fg: getComputedStyle(document.body).color }));
      await context.close();
      const [bg, fg] = [luminance(c.bg), luminance(c.fg)];
      assert.ok(scheme === "dark" ? bg < 0.05 && fg > 0.6 : bg > 0.85 && fg < 0.05, `${scheme}: bg ${c.bg}, fg ${c.fg}`);
    }
  });

  it("writes screenshots of the home, a note, a person, a company and search (light/dark, 360/1280 px)", async () => {
    const p = samplePages(site);
    const shots: Array<[string, string]> = [["home", p.home], ["note", p.note], ["person", p.person], ["company", p.company], ["search", p.search]];
    const written: string[] = [];
    const contexts: BrowserContext[] = [];
    await Promise.all((["light", "dark"] as const).flatMap((scheme) => [phone, desktop].map(async (device) => {
      const context = await browser.newContext({ ...device, colorScheme: scheme });
      contexts.push(context);
      const page = await context.newPage();
      const w = device.viewport.width;
      for (const [name, path] of shots) {
        await page.goto(server.url + path);
        if (name === "search") await waitForSearchResults(page);
        const file = join(SCREENSHOTS, `${name}-${scheme}-${w}.png`);
        await page.screenshot({ path: file });
        written.push(file);
        if (w === 360 && name !== "note" && name !== "search") {
          await page.screenshot({ path: join(SCREENSHOTS, `${name}-${scheme}-${w}-full.png`), fullPage: true });
        }
      }
      await page.goto(server.url + p.note);
      await page.locator(".turn").nth(2).scrollIntoViewIfNeeded();
      await page.evaluate(() => document.querySelectorAll(".turn")[2]!.scrollIntoView({ block: "start" }));
      await page.screenshot({ path: join(SCREENSHOTS, `note-turns-${scheme}-${w}.png`) });
    })));
    await Promise.all(contexts.map((c) => c.close()));
    assert.equal(written.length, 20);
    console.log(`[layout] screenshots in ${SCREENSHOTS}`);
  });
});
