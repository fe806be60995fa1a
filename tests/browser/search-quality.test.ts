/**
 * The search test set (tests/fixtures/search/queries.src.json: ≥ 100 queries typed as
 * readers type them — unspaced Chinese, mixed Chinese/English, aliases and nicknames,
 * traditional characters, questions, synonyms and variants, typos — over the seeds and
 * the foreign fixtures, ≥ 10 whose answer is nothing), run in Chromium through the
 * search page of the real built site and scored against a gold standard computed from
 * the notes' text (tests/helpers/search-gold.ts). Fails below recall 0.95, precision at
 * 5 0.9, top result relevant 0.9, or when a no-answer query does not say 「没有找到」.
 */
import assert from "node:assert/strict";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { computeGold, searchCorpus, type GoldQuery } from "../helpers/search-gold.ts";
import { buildSite, ROOT, serveStatic } from "../helpers/site.ts";

const corpus = searchCorpus();
const site = buildSite(corpus);
const gold: GoldQuery[] = computeGold(corpus);
let browser: Browser;
let page: Page;
let server: Awaited<ReturnType<typeof serveStatic>>;
const idOf = (u: string) => u.replace(/^\/notes\/|\/$/g, "");
const search = async (q: string) => (await page.evaluate((x) => (window as unknown as { kbSearch: (q: string) => Promise<string[]> }).kbSearch(x), q)).map(idOf);

describe("search quality on the seeds and the foreign corpus", () => {
  before(async () => {
    assert.equal(site.status, 0, site.stdout);
    server = await serveStatic(site.dir);
    browser = await launch();
    page = await browser.newPage();
    await page.goto(`${server.url}search/`);
    await page.waitForFunction(() => (window as unknown as { kbSearchReady?: unknown }).kbSearchReady !== undefined);
    await page.evaluate(() => (window as unknown as { kbSearchReady: Promise<void> }).kbSearchReady);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("ranks notes that declare an entity in their metadata above notes that mention it once or twice", async () => {
    const altman = await search("奥特曼");
    for (const declared of ["003-70529567d1e3989d", "004-078d3f46e9508604"]) assert.ok(altman.indexOf(declared) < altman.indexOf("001-c528050de41fc0be-4"), altman.join(" "));
    const musk = await search("马斯克");
    for (const declared of ["003-70529567d1e3989d", "004-078d3f46e9508604"]) assert.ok(musk.indexOf(declared) < musk.indexOf("001-c528050de41fc0be-12"), musk.join(" "));
  });

  it("has at least 100 queries, at least 10 with no answer, the others each with notes it must return", () => {
    assert.ok(gold.length >= 100, `${gold.length} queries`);
    assert.ok(gold.filter((g) => g.none).length >= 10, "no-answer queries");
    for (const g of gold) {
      if (g.none) assert.equal(g.relevant.length, 0, `${g.q} is marked as having no answer, but ${g.relevant.join(", ")} holds its words`);
      else assert.ok(g.relevant.length > 0, `${g.q} has no relevant note in the corpus`);
    }
  });

  it("scores recall ≥ 0.95, precision at 5 ≥ 0.9 and top result relevant ≥ 0.9", async () => {
    let tp = 0, fn = 0, fp = 0, p5 = 0, top = 0, answered = 0;
    const rows: string[] = [];
    const byType = new Map<string, { tp: number; fn: number; p5: number; n: number }>();
    for (const g of gold.filter((x) => !x.none)) {
      const got = await search(g.q);
      const rel = new Set(g.relevant);
      const hit = g.relevant.filter((id) => got.includes(id)).length;
      const head = got.slice(0, 5);
      // Precision at 5: relevant among the first five, out of as many as could be relevant there.
      const atFive = head.length ? head.filter((id) => rel.has(id)).length / Math.min(5, head.length) : 0;
      tp += hit; fn += g.relevant.length - hit; fp += got.filter((id) => !rel.has(id)).length;
      p5 += atFive; answered++;
      if (got[0] !== undefined && rel.has(got[0])) top++;
      const t = byType.get(g.type) ?? { tp: 0, fn: 0, p5: 0, n: 0 };
      t.tp += hit; t.fn += g.relevant.length - hit; t.p5 += atFive; t.n++;
      byType.set(g.type, t);
      rows.push(`${g.q}\t${g.type}\trelevant ${g.relevant.length}\treturned ${got.length}\tmissed ${g.relevant.length - hit}\textra ${got.filter((id) => !rel.has(id)).length}\tp@5 ${atFive.toFixed(2)}\ttop ${got[0] !== undefined && rel.has(got[0]) ? "ok" : "WRONG " + (got[0] ?? "-")}`);
    }
    const recall = tp / (tp + fn), precision5 = p5 / answered, top1 = top / answered, precision = tp / (tp + fp);
    const summary = [
      `queries ${gold.length} (${gold.filter((g) => g.none).length} with no answer)  recall ${recall.toFixed(3)}  precision@5 ${precision5.toFixed(3)}  top-1 ${top1.toFixed(3)}  precision ${precision.toFixed(3)}`,
      ...[...byType].map(([type, t]) => `  ${type.padEnd(12)} recall ${(t.tp / (t.tp + t.fn)).toFixed(3)}  p@5 ${(t.p5 / t.n).toFixed(3)}  (${t.n})`),
      ...rows,
    ].join("\n");
    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    writeFileSync(join(ROOT, "test-results/search-quality.txt"), summary + "\n");
    console.log(summary.split("\n").slice(0, 12).join("\n"));
    assert.ok(recall >= 0.95, `recall ${recall.toFixed(3)}\n${summary}`);
    assert.ok(precision5 >= 0.9, `precision at 5 ${precision5.toFixed(3)}\n${summary}`);
    assert.ok(top1 >= 0.9, `top result relevant ${top1.toFixed(3)}\n${summary}`);
  });

  it("answers every no-answer query with 「没有找到」 on the search page, and offers something to click", async () => {
    for (const g of gold.filter((x) => x.none)) {
      await page.fill("#kb-q", g.q);
      await page.press("#kb-q", "Enter");
      await page.waitForFunction((q) => { const t = document.querySelector(".kb-status")?.textContent ?? ""; return /找到/.test(t) && t.includes(q); }, g.q);
      const status = (await page.textContent(".kb-status")) ?? "";
      assert.match(status, /^没有找到/, `${g.q}: ${status}`);
      assert.equal(await page.locator(".kb-result").count(), 0, g.q);
    }
  });
});
