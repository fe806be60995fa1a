/**
 * The search step, measured against plain Pagefind Chinese indexing of the same site
 * (issue: "Chinese search that finds what readers type, at 10,000 notes").
 *
 *   tsx bench/search.ts <siteDir> <seedsDir> [cacheDir]   (a site built by `src/cli.ts build`)
 *
 * For one built site it measures, each in a child process (wall time, peak RSS of the
 * whole process tree):
 * - ours: the pipeline (from the parse cache) + `indexSite` — bigram documents, shards;
 * - baseline: the Pagefind CLI over the same note pages (`lang="zh-CN"`, so Pagefind
 *   segments with jieba), into `pagefind-zh/`;
 * and, in Chromium, the bytes each of ten typical queries downloads from each index
 * (index chunks, filters and the first page of result fragments; the one-off load of
 * the engine and the entry files is reported apart).
 */
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { launch } from "../tests/helpers/browser.ts";
import { serveStatic } from "../tests/helpers/site.ts";
import { measure, median } from "./proc.ts";

const ROOT = resolve(import.meta.dirname, "..");
export const QUERIES = ["英伟达", "奥特曼", "芯片", "自动驾驶", "英伟达芯片", "OpenAI 收入", "数据中心", "马斯克", "算力需求", "AI 泡沫", "奥特曼怎么看算力", "编程", "文心一言"];

export interface SearchBench {
  ours: { ms: number; peak: number; bytes: number; files: number; initBytes: number; queryBytes: number; medianQueryBytes: number; maxQueryBytes: number; results: number; latencyMs: number[] };
  baseline: { ms: number; peak: number; bytes: number; files: number; initBytes: number; queryBytes: number; medianQueryBytes: number; maxQueryBytes: number; results: number; latencyMs: number[] } | null;
}

function size(dir: string): { bytes: number; files: number } {
  let bytes = 0, files = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else { bytes += statSync(p).size; files++; }
    }
  };
  walk(dir);
  return { bytes, files };
}

function indexFolders(site: string, baseline: boolean): string[] {
  return readdirSync(site).filter((d) => (baseline ? d === "pagefind-zh" : /^pagefind(-\d+)?$/.test(d))).map((d) => join(site, d));
}

/** Bytes fetched under `prefixRe` while `action` runs. */
async function bytesDuring(page: Page, prefixRe: RegExp, action: () => Promise<unknown>): Promise<number> {
  let total = 0;
  const onResponse = async (r: import("playwright-core").Response) => {
    if (!prefixRe.test(new URL(r.url()).pathname)) return;
    try { total += (await r.body()).length; } catch { /* aborted */ }
  };
  page.on("response", onResponse);
  await action();
  await page.waitForTimeout(300);
  page.off("response", onResponse);
  return total;
}

async function browserBytes(site: string, baseline: boolean) {
  const server = await serveStatic(site);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const re = baseline ? /^\/pagefind-zh\// : /^\/pagefind(-\d+)?\//;
    let initBytes: number;
    if (baseline) {
      await page.goto(`${server.url}404.html`);
      initBytes = await bytesDuring(page, re, () => page.evaluate(async () => {
        const pf = await import("/pagefind-zh/pagefind.js" as string);
        (window as unknown as { pfzh: unknown }).pfzh = pf;
        await pf.init();
        await pf.filters();
      }));
    } else {
      initBytes = await bytesDuring(page, re, async () => {
        await page.goto(`${server.url}search/`);
        await page.waitForFunction(() => (window as unknown as { kbSearchReady?: unknown }).kbSearchReady !== undefined);
        await page.evaluate(() => (window as unknown as { kbSearchReady: Promise<void> }).kbSearchReady);
      });
    }
    const per: number[] = [];
    const latency: number[] = [];
    let results = 0;
    for (const q of QUERIES) {
      per.push(await bytesDuring(page, re, async () => {
        results += await page.evaluate(async ([query, zh]) => {
          const w = window as unknown as { pfzh: { search(q: string): Promise<{ results: Array<{ data(): Promise<unknown> }> }> }; kbSearchPage?: (q: string) => Promise<number> };
          if (zh) {
            const r = await w.pfzh.search(query);
            await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
            return r.results.length;
          }
          return 0;
        }, [q, baseline] as const);
        if (!baseline) {
          // Ours, as a reader uses it: type the query key by key; the page searches 250 ms after
          // the last keystroke. Latency: from the last input event to the status line that
          // announces the results (set after the first page of results is shown).
          await page.evaluate(() => {
            const w = window as unknown as { kbT: { input: number; done: number } };
            w.kbT = { input: 0, done: 0 };
            const input = document.querySelector<HTMLInputElement>("#kb-q")!;
            input.value = "";
            input.addEventListener("input", () => { w.kbT.input = performance.now(); w.kbT.done = 0; });
            new MutationObserver(() => {
              const t = document.querySelector(".kb-status")?.textContent ?? "";
              if (/找到/.test(t) && t.includes(input.value.trim()) && !w.kbT.done) w.kbT.done = performance.now();
            }).observe(document.querySelector(".kb-status")!, { childList: true, characterData: true, subtree: true });
          });
          await page.locator("#kb-q").pressSequentially(q, { delay: 40 });
          // No named functions inside page code: tsx would wrap them in a helper the page lacks.
          await page.waitForFunction((query) => {
            const t = document.querySelector(".kb-status")?.textContent ?? "";
            return /找到|没有找到/.test(t) && t.includes(query);
          }, q, { timeout: 60000 });
          results += Number(/找到 (\d+)/.exec((await page.textContent(".kb-status")) ?? "")?.[1] ?? 0);
          latency.push(Math.round(await page.evaluate(() => { const t = (window as unknown as { kbT: { input: number; done: number } }).kbT; return t.done - t.input; })));
        }
      }));
    }
    return { initBytes, queryBytes: per.reduce((a, b) => a + b, 0) / per.length, medianQueryBytes: median(per), maxQueryBytes: Math.max(...per), results, latencyMs: latency };
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function benchSearch(site: string, seeds: string, cache: string): Promise<SearchBench> {
  const ours = await measure(process.execPath, ["--import", "tsx", "bench/search-step.ts", site, seeds, cache], { cwd: ROOT, timeoutMs: 3_600_000 });
  if (ours.status !== 0) throw new Error(`our search step failed:\n${ours.out.slice(-2000)}`);
  const stepMs = Number(/SEARCH_MS (\d+)/.exec(ours.out)?.[1] ?? ours.ms);
  const oursSize = indexFolders(site, false).map(size).reduce((a, b) => ({ bytes: a.bytes + b.bytes, files: a.files + b.files }), { bytes: 0, files: 0 });
  const oursBytes = await browserBytes(site, false);
  let baseline: SearchBench["baseline"] = null;
  if (process.env.KB_BENCH_NO_BASELINE !== "1") {
    const bin = join(ROOT, "node_modules/.bin/pagefind");
    const b = await measure(bin, ["--site", site, "--glob", "notes/**/*.html", "--output-subdir", "pagefind-zh"], { cwd: ROOT, timeoutMs: 3_600_000 });
    if (b.status !== 0) throw new Error(`baseline pagefind failed:\n${b.out.slice(-2000)}`);
    const bSize = size(join(site, "pagefind-zh"));
    baseline = { ms: b.ms, peak: b.peak, ...bSize, ...(await browserBytes(site, true)) };
  }
  return { ours: { ms: stepMs, peak: ours.peak, ...oursSize, ...oursBytes }, baseline };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [site, seeds, cache] = process.argv.slice(2);
  if (!site || !seeds) {
    console.error("usage: tsx bench/search.ts <siteDir> <seedsDir> [cacheDir]");
    process.exit(2);
  }
  const r = await benchSearch(resolve(site), resolve(seeds), resolve(cache ?? join(site, "..", "cache")));
  console.log(JSON.stringify(r, null, 2));
}
