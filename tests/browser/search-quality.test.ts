/**
 * The search test set (tests/fixtures/search/queries.src.json, 50 queries: single
 * words, unspaced multi-word queries, mixed Chinese/English, aliases, traditional
 * characters, names), run in Chromium against the real built site and scored
 * against a gold standard computed from the notes' text (tests/helpers/search-gold.ts).
 */
import assert from "node:assert/strict";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { computeGold, type GoldQuery } from "../helpers/search-gold.ts";
import { buildSite, ROOT, serveStatic } from "../helpers/site.ts";

const site = buildSite();
const gold: GoldQuery[] = computeGold();
let browser: Browser;
let page: Page;
let server: Awaited<ReturnType<typeof serveStatic>>;

describe("search quality on the real seeds", () => {
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
    const rank = async (q: string) => (await page.evaluate((x) => (window as unknown as { kbSearch: (q: string) => Promise<string[]> }).kbSearch(x), q)).map((u) => u.replace(/^\/notes\/|\/$/g, ""));
    const altman = await rank("奥特曼");
    for (const declared of ["003-70529567d1e3989d", "004-078d3f46e9508604"]) assert.ok(altman.indexOf(declared) < altman.indexOf("001-c528050de41fc0be-4"), altman.join(" "));
    const musk = await rank("马斯克");
    for (const declared of ["003-70529567d1e3989d", "004-078d3f46e9508604"]) assert.ok(musk.indexOf(declared) < musk.indexOf("001-c528050de41fc0be-12"), musk.join(" "));
  });

  it("has at least 40 queries, each with notes it must return", () => {
    assert.ok(gold.length >= 40, `${gold.length} queries`);
    for (const g of gold) assert.ok(g.relevant.length > 0, `${g.q} has no relevant note in the seeds`);
  });

  it("returns what each query must return: recall ≥ 0.95 overall, reported with precision", async () => {
    let tp = 0, fp = 0, fn = 0;
    const rows: string[] = [];
    const byType = new Map<string, { tp: number; fp: number; fn: number }>();
    for (const g of gold) {
      const urls = await page.evaluate((q) => (window as unknown as { kbSearch: (q: string) => Promise<string[]> }).kbSearch(q), g.q);
      const got = new Set(urls.map((u) => u.replace(/^\/notes\/|\/$/g, "")));
      const hit = g.relevant.filter((id) => got.has(id)).length;
      const extra = [...got].filter((id) => !g.relevant.includes(id)).length;
      const miss = g.relevant.length - hit;
      tp += hit; fp += extra; fn += miss;
      const t = byType.get(g.type) ?? { tp: 0, fp: 0, fn: 0 };
      t.tp += hit; t.fp += extra; t.fn += miss;
      byType.set(g.type, t);
      rows.push(`${g.q}\t${g.type}\trelevant ${g.relevant.length}\treturned ${got.size}\tmissed ${miss}\textra ${extra}`);
    }
    const recall = tp / (tp + fn), precision = tp / (tp + fp);
    const summary = [
      `queries ${gold.length}  recall ${recall.toFixed(3)}  precision ${precision.toFixed(3)}`,
      ...[...byType].map(([type, t]) => `  ${type.padEnd(12)} recall ${(t.tp / (t.tp + t.fn)).toFixed(3)}  precision ${(t.tp / (t.tp + t.fp)).toFixed(3)}`),
      ...rows,
    ].join("\n");
    mkdirSync(join(ROOT, "test-results"), { recursive: true });
    writeFileSync(join(ROOT, "test-results/search-quality.txt"), summary + "\n");
    console.log(summary.split("\n").slice(0, 8).join("\n"));
    assert.ok(recall >= 0.95, `recall ${recall.toFixed(3)}\n${summary}`);
    assert.ok(precision >= 0.9, `precision ${precision.toFixed(3)}\n${summary}`);
  });
});
