/** A reader searches the built site in Chromium: Chinese, English and alias queries, and facets. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { buildSite, serveStatic } from "../helpers/site.ts";

const site = buildSite();
let browser: Browser;
let server: Awaited<ReturnType<typeof serveStatic>>;

async function search(page: Page, query: string): Promise<string[]> {
  await page.goto(`${server.url}search/?q=${encodeURIComponent(query)}`);
  await page.waitForSelector(".pagefind-ui__message", { timeout: 15000 });
  await page.waitForFunction(() => !/正在搜索/.test(document.querySelector(".pagefind-ui__message")?.textContent ?? ""), undefined, { timeout: 15000 });
  return page.$$eval(".pagefind-ui__result-title a", (as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href") ?? ""));
}

/** Wait until the result message changed from `previous` and no search is running. */
async function settle(page: Page, previous: string): Promise<void> {
  await page.waitForFunction((b) => {
    const t = document.querySelector(".pagefind-ui__message")?.textContent ?? "";
    return t !== b && !/正在搜索/.test(t);
  }, previous, { timeout: 10000 });
  await page.waitForTimeout(300);
}

describe("search in the browser", () => {
  before(async () => {
    assert.equal(site.status, 0, site.stdout);
    server = await serveStatic(site.dir);
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const query of ["英伟达", "奥特曼", "Waymo", "NVIDIA"]) {
    it(`finds notes for ${query}`, async () => {
      const page = await browser.newPage();
      const results = await search(page, query);
      assert.ok(results.length > 0, `no result for ${query}`);
      assert.ok(results.every((r) => r.includes("/notes/")), results.join(" "));
      await page.close();
    });
  }

  it("narrows results with a person filter and a company filter", async () => {
    const page = await browser.newPage();
    const all = await search(page, "AI");
    assert.ok(all.length >= 5, `AI finds ${all.length}`);
    const countText = async () => (await page.textContent(".pagefind-ui__message")) ?? "";
    const before = await countText();
    const group = page.locator(".pagefind-ui__filter-panel details", { hasText: "人物" });
    await group.locator("summary").click();
    await group.locator("label", { hasText: "Jensen Huang" }).click();
    await settle(page, before);
    const narrowed = await page.$$eval(".pagefind-ui__result-title a", (as) => as.length);
    assert.ok(narrowed > 0 && narrowed < all.length, `person filter: ${narrowed} of ${all.length}`);
    const company = page.locator(".pagefind-ui__filter-panel details", { hasText: "公司" });
    await company.locator("summary").click();
    const afterPerson = await countText();
    await company.locator("label", { hasText: "Waymo" }).click();
    await settle(page, afterPerson);
    const both = await page.$$eval(".pagefind-ui__result-title a", (as) => as.length);
    assert.ok(both > 0 && both <= narrowed, `person + company: ${both}`);
    await page.close();
  });
});
