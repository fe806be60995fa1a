/** A reader searches the built site in Chromium: Chinese, English and alias queries, and facets. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { openSite, type SiteSession } from "../helpers/browser.ts";
import { buildSite } from "../helpers/site.ts";

const site = buildSite();
let session: SiteSession;

async function openSearch(page: Page, query = ""): Promise<void> {
  await page.goto(`${session.url}search/${query ? `?q=${encodeURIComponent(query)}` : ""}`);
  await page.waitForFunction(() => (window as unknown as { kbSearchReady?: Promise<void> }).kbSearchReady !== undefined);
  await page.evaluate(() => (window as unknown as { kbSearchReady: Promise<void> }).kbSearchReady);
}

/** Result links currently shown, after the status line reports a finished search. */
async function shownResults(page: Page): Promise<string[]> {
  await page.waitForFunction(() => /找到|没有找到|输入关键词/.test(document.querySelector(".kb-status")?.textContent ?? ""), undefined, { timeout: 15000 });
  return page.$$eval("#search .kb-result-title a", (as) => as.map((a) => (a as HTMLAnchorElement).getAttribute("href") ?? ""));
}

/** The label of one facet value, after opening the group's full list when it is folded. */
function facetValue(page: Page, group: string, value: string) {
  const fieldset = page.locator(`fieldset:has(> legend:text-is("${group}"))`);
  return {
    async click() {
      const label = fieldset.locator("label", { hasText: value });
      if (!(await label.isVisible())) await fieldset.locator(".kb-facet-more").click();
      await label.click();
    },
  };
}

describe("search in the browser", () => {
  session = openSite(site);

  it("waits for an input method's composition to end before searching (pinyin: yingweida → 英伟达)", async () => {
    const page = await session.browser.newPage();
    await openSearch(page);
    const before = await page.textContent(".kb-status");
    // What Chromium sends while a pinyin IME composes: input events marked isComposing.
    await page.evaluate(() => {
      const box = document.getElementById("kb-q") as HTMLInputElement;
      box.dispatchEvent(new CompositionEvent("compositionstart"));
      for (const text of ["y", "yi", "ying", "yingweida"]) {
        box.value = text;
        box.dispatchEvent(new InputEvent("input", { isComposing: true, bubbles: true }));
      }
    });
    await page.waitForTimeout(600);
    assert.equal(await page.textContent(".kb-status"), before, "nothing is searched while composing");
    await page.evaluate(() => {
      const box = document.getElementById("kb-q") as HTMLInputElement;
      box.value = "英伟达";
      box.dispatchEvent(new CompositionEvent("compositionend", { data: "英伟达" }));
    });
    await page.waitForFunction(() => (document.querySelector(".kb-status")?.textContent ?? "").includes("英伟达"), undefined, { timeout: 15000 });
    assert.ok((await shownResults(page)).length > 0, "the committed word is searched");
    await page.close();
  });

  for (const query of ["英伟达", "奥特曼", "Waymo", "NVIDIA", "英伟达芯片", "輝達"]) {
    it(`finds notes for ${query} from the URL`, async () => {
      const page = await session.browser.newPage();
      await openSearch(page, query);
      const results = await shownResults(page);
      assert.ok(results.length > 0, `no result for ${query}`);
      assert.ok(results.every((r) => r.includes("/notes/")), results.join(" "));
      const excerpt = await page.textContent("#search .kb-excerpt");
      assert.ok(excerpt && !/(\p{Script=Han}{2}) \1/u.test(excerpt), `excerpts read as the original text: ${excerpt}`);
      await page.close();
    });
  }

  it("narrows results with a person facet, then a company facet", async () => {
    const page = await session.browser.newPage();
    await openSearch(page, "AI");
    const all = await shownResults(page);
    const total = Number(/找到 (\d+)/.exec((await page.textContent(".kb-status")) ?? "")?.[1]);
    assert.ok(total >= 5, `AI finds ${total}`);
    const statusBefore = await page.textContent(".kb-status");
    await facetValue(page, "人物", "黄仁勋").click();
    await page.waitForFunction((b) => (document.querySelector(".kb-status")?.textContent ?? "") !== b && !/正在/.test(document.querySelector(".kb-status")?.textContent ?? ""), statusBefore);
    const narrowed = Number(/找到 (\d+)/.exec((await page.textContent(".kb-status")) ?? "")?.[1]);
    assert.ok(narrowed > 0 && narrowed < total, `person facet: ${narrowed} of ${total}`);
    const mid = await page.textContent(".kb-status");
    await facetValue(page, "公司", "Waymo").click();
    await page.waitForFunction((b) => (document.querySelector(".kb-status")?.textContent ?? "") !== b && !/正在/.test(document.querySelector(".kb-status")?.textContent ?? ""), mid);
    const both = await shownResults(page);
    assert.ok(both.length > 0 && both.length <= narrowed, `person + company: ${both.length}`);
    assert.ok(all.length > 0);
    await page.close();
  });
});
