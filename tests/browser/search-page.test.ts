/**
 * The search page as a reader uses it (#13 §6): the query and the filters live in the
 * URL (a shared link restores them; the back button goes to the previous search); on a
 * phone the facets sit behind a 筛选 button; ticking values shows chips and 清除筛选;
 * dates read in Chinese; excerpts read as text; a query with no answer says 「没有找到」
 * and offers what exists.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { openSite, type SiteSession } from "../helpers/browser.ts";
import { buildSite } from "../helpers/site.ts";

const site = buildSite();
let session: SiteSession;

async function open(page: Page, search = ""): Promise<void> {
  await page.goto(`${session.url}search/${search}`);
  await page.waitForFunction(() => (window as unknown as { kbSearchReady?: Promise<void> }).kbSearchReady !== undefined);
  await page.evaluate(() => (window as unknown as { kbSearchReady: Promise<void> }).kbSearchReady);
}

async function status(page: Page, query: string): Promise<string> {
  await page.waitForFunction((q) => { const t = document.querySelector(".kb-status")?.textContent ?? ""; return /找到/.test(t) && t.includes(q); }, query, { timeout: 15000 });
  return (await page.textContent(".kb-status")) ?? "";
}

const count = (s: string) => Number(/找到 (\d+)/.exec(s)?.[1] ?? 0);

describe("the search page", () => {
  session = openSite(site);

  it("keeps the query and the filters in the URL, restores them from it, and goes back with the back button", async () => {
    const page = await session.browser.newPage();
    await open(page);
    await page.fill("#kb-q", "奥特曼");
    await page.press("#kb-q", "Enter");
    const all = count(await status(page, "奥特曼"));
    assert.ok(all > 1, "several notes name Altman");
    await page.locator('fieldset:has(> legend:text-is("人物")) label', { hasText: "马斯克" }).first().click();
    await page.waitForFunction(() => new URL(location.href).searchParams.getAll("人物").length === 1);
    const filtered = count(await status(page, "奥特曼"));
    assert.ok(filtered > 0 && filtered < all, `${filtered} of ${all}`);
    const shared = page.url();
    assert.equal(new URL(shared).searchParams.get("q"), "奥特曼");
    // A chip for the active filter, and 清除筛选.
    assert.equal(await page.locator(".kb-chip").count(), 1);
    assert.match((await page.textContent(".kb-chip")) ?? "", /人物：/);
    assert.ok(await page.locator(".kb-clear", { hasText: "清除筛选" }).isVisible());
    // The back button returns to the unfiltered search.
    await page.goBack();
    await page.waitForFunction(() => new URL(location.href).searchParams.getAll("人物").length === 0);
    await page.waitForFunction((n) => new RegExp(`找到 ${n} 篇`).test(document.querySelector(".kb-status")?.textContent ?? ""), all);
    assert.equal(await page.locator(".kb-chip").count(), 0);
    // The shared link opens the filtered search, box and box ticked.
    const other = await session.browser.newPage();
    await other.goto(shared);
    await other.evaluate(() => (window as unknown as { kbSearchReady: Promise<void> }).kbSearchReady);
    assert.equal(count(await status(other, "奥特曼")), filtered);
    assert.equal(await other.inputValue("#kb-q"), "奥特曼");
    assert.equal(await other.locator(".kb-facet input:checked").count(), 1);
    await other.click(".kb-clear");
    assert.equal(count(await status(other, "奥特曼")), all);
    assert.equal(new URL(other.url()).searchParams.getAll("人物").length, 0);
    await page.close();
    await other.close();
  });

  it("puts the facets behind a 筛选 button on a phone, with counts", async () => {
    const page = await session.browser.newPage({ viewport: { width: 360, height: 740 } });
    await open(page, `?q=${encodeURIComponent("英伟达")}`);
    await status(page, "英伟达");
    const toggle = page.locator(".kb-facet-toggle");
    assert.ok(await toggle.isVisible());
    assert.equal(await page.locator(".kb-facets").isVisible(), false);
    const firstResult = await page.locator(".kb-result").first().boundingBox();
    assert.ok(firstResult && firstResult.y < 740, `the first result is on the first screen (y ${firstResult?.y})`);
    await toggle.click();
    assert.equal(await toggle.getAttribute("aria-expanded"), "true");
    assert.ok(await page.locator(".kb-facets").isVisible());
    assert.match((await page.locator(".kb-facet .count").first().textContent()) ?? "", /\d/);
    await page.close();
  });

  it("shows Chinese dates and excerpts that read as text", async () => {
    const page = await session.browser.newPage();
    await open(page, `?q=${encodeURIComponent("OpenAI 收入")}`);
    await status(page, "OpenAI 收入");
    const metas = await page.$$eval(".kb-result .note-meta", (ps) => ps.map((p) => p.textContent ?? ""));
    assert.ok(metas.some((m) => /\d{4}年\d{1,2}月\d{1,2}日/.test(m)), metas.join(" | "));
    assert.ok(!metas.some((m) => /\d{4}-\d{2}-\d{2}/.test(m)), metas.join(" | "));
    const excerpts = await page.$$eval(".kb-excerpt", (ps) => ps.map((p) => p.textContent ?? ""));
    for (const e of excerpts) assert.doesNotMatch(e, /[\u4e00-\u9fff]\.[\u4e00-\u9fff]/, e);
    const marks = await page.$$eval(".kb-excerpt mark", (ms) => ms.map((m) => m.textContent ?? ""));
    assert.ok(marks.length > 0);
    for (const m of marks) assert.match(m, /^[\p{L}\p{N}]/u, `a highlight starts with a word: ${m}`);
    for (const m of marks) assert.match(m, /[\p{L}\p{N}]$/u, `a highlight ends with a word: ${m}`);
    await page.close();
  });

  it("answers a query with no answer 「没有找到」, and offers the closest name and the query without its unmatched word", async () => {
    const page = await session.browser.newPage();
    await open(page, `?q=${encodeURIComponent("Nvidai")}`);
    assert.match(await status(page, "Nvidai"), /^没有找到/);
    const offer = page.locator(".kb-suggest-query", { hasText: "NVIDIA" });
    assert.ok(await offer.isVisible(), (await page.textContent(".kb-suggest")) ?? "");
    assert.match((await page.textContent(".kb-suggest")) ?? "", /你要找的是不是 NVIDIA？/);
    await offer.click();
    assert.ok(count(await status(page, "NVIDIA")) > 0);
    assert.equal(new URL(page.url()).searchParams.get("q"), "NVIDIA");
    await open(page, `?q=${encodeURIComponent("英伟达 文心一言")}`);
    assert.match(await status(page, "英伟达 文心一言"), /^没有找到/);
    const rest = page.locator(".kb-suggest-query", { hasText: /^英伟达$/ });
    assert.ok(await rest.isVisible(), (await page.textContent(".kb-suggest")) ?? "");
    await rest.click();
    assert.ok(count(await status(page, "英伟达")) > 0);
    await page.close();
  });
});
