/**
 * The search step: one Pagefind index per shard of notes, built with its Node API
 * from the documents in records.ts, plus `kb-search.json` for the browser (the
 * traditional→simplified table, the vocabulary of known names that the query side
 * cuts first, and the other shards to merge).
 *
 * Shards keep the indexer's memory flat as the corpus grows (each shard is built
 * and written by a fresh Pagefind process, one after another); the browser merges
 * them with `mergeIndex`. The index language is forced to `en`, so Pagefind neither runs its
 * jieba segmentation (the text is already cut into bigrams) nor leaves the index
 * unchunked, as it does for Chinese.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Converter } from "opencc-js";
import type { EntityIndex } from "../entities/index.ts";
import { lastBuild } from "../site/build-state.ts";
import type { PublishedNote } from "../site/data.ts";
import { HAN } from "./query.js";
import * as pagefind from "pagefind";
import { type NameLookup, searchDocument } from "./records.ts";

export interface IndexStats { pages: number; shards: number; ms: number }

/** Notes per shard; small sites get one. */
export const SHARD_SIZE = Number(process.env.KB_SEARCH_SHARD_SIZE ?? 2500);

let table: Record<string, string> | null = null;

/** Traditional → simplified, character by character, from opencc-js (built once per process). */
export function simplifiedTable(): Record<string, string> {
  if (table) return table;
  const convert = Converter({ from: "t", to: "cn" });
  const map: Record<string, string> = {};
  for (let code = 0x3400; code <= 0x9fff; code++) {
    const ch = String.fromCharCode(code);
    const s = convert(ch);
    if (s !== ch && Array.from(s).length === 1) map[ch] = s;
  }
  return (table = map);
}

/** Han names the query side should never split: every Han alias of an entity on the site. */
export function vocabulary(index: EntityIndex): string[] {
  const words = new Set<string>();
  for (const e of index.entities) {
    for (const name of [e.name, ...e.aliases]) {
      for (const run of name.match(/[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,8}/g) ?? []) if (HAN.test(run)) words.add(run);
    }
  }
  return [...words].sort();
}

export function bundleDir(shard: number): string {
  return shard === 0 ? "pagefind" : `pagefind-${shard}`;
}

/** Index the notes of the last pipeline run (or the ones given) into `siteDir`. */
export async function indexSite(siteDir: string, source?: { notes: PublishedNote[]; index: EntityIndex }): Promise<IndexStats> {
  const t0 = performance.now();
  const state = source ?? (() => {
    const last = lastBuild();
    if (!last) throw new Error("search: no pipeline result to index (the build did not run the pipeline)");
    return { notes: last.data.notes, index: last.result.index };
  })();
  const { notes, index } = state;
  const t2s = simplifiedTable();
  const names: NameLookup = {};
  for (const e of index.entities) if (e.type !== "tag") names[e.id] = { name: e.name, aliases: e.aliases };
  const shards = Math.max(1, Math.ceil(notes.length / SHARD_SIZE));
  for (let s = 0; s < shards; s++) {
    await buildShard(notes.slice(s * SHARD_SIZE, (s + 1) * SHARD_SIZE), names, t2s, join(siteDir, bundleDir(s)));
  }
  mkdirSync(join(siteDir, "pagefind"), { recursive: true });
  writeFileSync(join(siteDir, "pagefind", "kb-search.json"), JSON.stringify({
    shards: Array.from({ length: shards - 1 }, (_, i) => `${bundleDir(i + 1)}/`),
    vocabulary: vocabulary(index),
    t2s,
  }));
  return { pages: notes.length, shards, ms: Math.round(performance.now() - t0) };
}

/**
 * One shard: a fresh Pagefind service (the binary indexes on all cores by itself;
 * running shards side by side measured no faster on two cores), closed afterwards
 * so its memory is returned before the next shard starts.
 */
async function buildShard(notes: PublishedNote[], names: NameLookup, t2s: Record<string, string>, outputPath: string): Promise<void> {
  const { index, errors } = await pagefind.createIndex({ forceLanguage: "en" });
  if (!index) throw new Error(`pagefind: could not create an index: ${errors.join("; ")}`);
  try {
    for (let i = 0; i < notes.length; i += 64) {
      const batch = await Promise.all(notes.slice(i, i + 64).map((note) => {
        const doc = searchDocument(note, names, t2s);
        return index.addHTMLFile({ url: doc.url, content: doc.html });
      }));
      const failed = batch.find((r) => r.errors.length);
      if (failed) throw new Error(`pagefind: ${failed.errors.join("; ")}`);
    }
    const written = await index.writeFiles({ outputPath });
    if (written.errors.length) throw new Error(`pagefind: ${written.errors.join("; ")}`);
  } finally {
    await pagefind.close();
  }
}
