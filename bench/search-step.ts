/**
 * Our search step alone, for bench/search.ts: the pipeline (parse cache warm) and
 * `indexSite` into `<siteDir>`. Prints `SEARCH_MS <n>`, the indexing time.
 *   tsx bench/search-step.ts <siteDir> <seedsDir> <cacheDir>
 */
import { rmSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { runPipeline } from "../src/pipeline.ts";
import { indexSite } from "../src/search/pagefind.ts";
import { buildSiteData } from "../src/site/data.ts";

const [site, seeds, cache] = process.argv.slice(2).map((p) => resolve(p));
const result = runPipeline({ seedsDir: seeds!, rootDir: resolve(seeds!, ".."), cacheDir: cache ?? null });
const data = buildSiteData(result);
for (const d of readdirSync(site!)) if (/^pagefind(-\d+)?$/.test(d)) rmSync(join(site!, d), { recursive: true, force: true });
const stats = await indexSite(site!, { notes: data.notes, index: result.index });
console.log(`SEARCH_MS ${stats.ms}`);
