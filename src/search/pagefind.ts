/**
 * The search step: one Pagefind index per shard of notes, built with its Node API
 * from the documents in records.ts, plus `kb-search.json` for the browser (the
 * traditional→simplified table, the vocabulary of known names that the query side
 * cuts first, and the other shards to merge).
 *
 * Shards keep the indexer's memory flat as the corpus grows (each shard is built
 * and written by a fresh Pagefind process, a few side by side in worker threads:
 * ShardPool); the browser merges them with `mergeIndex`. They also make re-indexing
 * incremental: Pagefind cannot update an index, but a note keeps its shard from one
 * build to the next (recorded with a key of its search document in
 * `pagefind/kb-shards.json`), new notes go to the last shard, and only shards whose notes changed are indexed again; the others
 * are kept (hard-linked from the previous site by `npm run build`, left in place by
 * `npm start`). The index language is forced to `en`, so Pagefind neither runs its
 * jieba segmentation (the text is already cut into bigrams) nor leaves the index
 * unchunked, as it does for Chinese.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import type { EntityIndex } from "../entities/index.ts";
import { carryOverTree, writeReplacing } from "../files.ts";
import type { PublishedNote } from "../site/data.ts";
import { simplifiedTable, shortHash } from "../text.ts";
import { HAN } from "./query.js";
import { type NameLookup, type SearchDocument, searchDocument } from "./records.ts";
import type { ShardDone, ShardJob } from "./shard-worker.js";

export interface IndexStats {
  pages: number;
  shards: number;
  /** Shards indexed in this run, and the notes in them (the other shards were kept). */
  indexed: number;
  indexedNotes: number;
  ms: number;
  /** The top-level folders of the site the index lives in (`pagefind`, `pagefind-2` …). */
  dirs: string[];
}

/**
 * Notes per shard; small sites get one. The size trades the browser's work (it merges
 * every shard: more shards, more requests per query) against the time to re-index the
 * shard a new note lands in (~15 ms per note on this project's 2-core machine).
 */
export const SHARD_SIZE = 500;
/**
 * Shards indexed at once: one per core, at most four, and no more than a gigabyte each
 * in a quarter of the machine's memory (a Pagefind service holds about 0.9 GB while it
 * writes a 500-note shard). At 10,000 notes on two cores, two at a time made the cold
 * build 206 s instead of 257 s, and its peak 3.15 GB instead of 2.39 GB.
 */
export const SEARCH_WORKERS = Math.max(1, Math.min(4, availableParallelism(), Math.floor(totalmem() / 4 / 2 ** 30)));
const STATE_FILE = "kb-shards.json";
const STATE_VERSION = 1;

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

interface QuestionWords { han: string[]; trailing: string[]; latin: string[] }
interface SynonymTable { groups: string[][] }

/** The reviewed data the query side uses (src/search/*.json), as kb-search.json ships it. */
export function queryData(): { optional: string[]; trailing: string[]; synonyms: string[][] } {
  const read = <T>(f: string) => JSON.parse(readFileSync(new URL(`./${f}`, import.meta.url), "utf8")) as T;
  const q = read<QuestionWords>("question-words.json");
  return { optional: [...q.han, ...q.latin], trailing: q.trailing, synonyms: read<SynonymTable>("synonyms.json").groups };
}

/** Entities the 「没有找到」 suggestions can offer: [name, url, ...aliases]. */
export function suggestionEntities(index: EntityIndex): Array<[string, string, ...string[]]> {
  return index.entities.filter((e) => e.notes.length > 0).map((e) => [e.label, e.url, ...new Set([e.name, ...e.aliases])] as [string, string, ...string[]]);
}

export function bundleDir(shard: number): string {
  return shard === 0 ? "pagefind" : `pagefind-${shard}`;
}

export interface ShardState {
  version: number;
  /** Search code and settings the shards were built with: any change re-indexes all. */
  code: string;
  /** Per shard: its folder and its notes as [url, document key]. */
  shards: Array<{ dir: string; notes: Array<[string, string]> }>;
}

/**
 * A key of everything a note's search document is made of: its text and what linking
 * adds (names, aliases, filters). The text is named by the note's content key where the
 * pipeline gives one (its source, parser and resolved links: serialising every note's
 * sections cost 0.7 s at 10,000 notes, in every rebuild), else hashed.
 */
function documentKey(note: PublishedNote, names: NameLookup, contentKey: string | undefined): string {
  const text = contentKey ?? shortHash(JSON.stringify(note.sections), 20);
  const l = note.links;
  // Everything of an entity the document shows: its name and aliases (searched), its label (the facets).
  const named = [...l.people, ...l.companies, ...l.products].map((r) => [r.id, r.name, r.label, names[r.id]?.aliases ?? []]);
  return shortHash(JSON.stringify([text, note.url, note.title, note.date, note.kindLabel, note.summary, note.details.reason, note.authors, note.speakers,
    note.declaredNames, named, l.tags.map((r) => [r.name, r.label])]));
}

/** The search code (documents, query rules, this file), Pagefind's version and the shard size. */
function searchCodeKey(shardSize: number): string {
  const code = ["records.ts", "query.js", "pagefind.ts", "shard-worker.js"].map((f) => readFileSync(new URL(`./${f}`, import.meta.url), "utf8"));
  const pf = JSON.parse(readFileSync(new URL("../package.json", import.meta.resolve("pagefind")), "utf8")) as { version: string };
  return shortHash([...code, `pagefind ${pf.version}`, `shard ${shardSize}`].join("\0"), 20);
}

function readState(dir: string | null, code: string): ShardState | null {
  if (!dir) return null;
  try {
    const state = JSON.parse(readFileSync(join(dir, "pagefind", STATE_FILE), "utf8")) as ShardState;
    if (state.version !== STATE_VERSION || state.code !== code) return null;
    if (!state.shards.some((sh) => sh.dir === "pagefind") || !state.shards.every((sh) => existsSync(join(dir, sh.dir, "pagefind-entry.json")))) return null;
    return state;
  } catch {
    return null;
  }
}


export interface PlannedShard { dir: string; notes: PublishedNote[]; dirty: boolean }

/**
 * Which notes go in which shard, and which shards must be indexed again: a note stays
 * in its shard; a shard with a changed, added or removed note is dirty; new notes fill
 * the last shard, then new ones. Without a usable previous state, every shard is new.
 */
export function planShards(notes: PublishedNote[], keys: Map<string, string>, prev: ShardState | null, shardSize: number): PlannedShard[] {
  // Keyed by plain strings: the previous state is read back from JSON.
  const byUrl = new Map<string, PublishedNote>(notes.map((n) => [n.url, n]));
  const planned: PlannedShard[] = [];
  const placed = new Set<string>();
  for (const sh of prev?.shards ?? []) {
    const kept = sh.notes.filter(([url]) => byUrl.has(url) && !placed.has(url));
    if (!kept.length && sh.dir !== "pagefind") continue;
    kept.forEach(([url]) => placed.add(url));
    const dirty = kept.length !== sh.notes.length || kept.some(([url, key]) => keys.get(url) !== key);
    planned.push({ dir: sh.dir, notes: kept.map(([url]) => byUrl.get(url)!), dirty });
  }
  const fresh = notes.filter((n) => !placed.has(n.url));
  const used = new Set(planned.map((p) => p.dir));
  let next = 1;
  const newDir = () => {
    if (!used.has("pagefind")) { used.add("pagefind"); return "pagefind"; }
    while (used.has(bundleDir(next))) next++;
    used.add(bundleDir(next));
    return bundleDir(next);
  };
  let at = 0;
  const last = planned.at(-1);
  if (last && last.notes.length < shardSize && fresh.length) {
    const room = shardSize - last.notes.length;
    last.notes.push(...fresh.slice(0, room));
    last.dirty = true;
    at = room;
  }
  for (; at < fresh.length; at += shardSize) planned.push({ dir: newDir(), notes: fresh.slice(at, at + shardSize), dirty: true });
  if (!planned.length) planned.push({ dir: newDir(), notes: [], dirty: true });
  // The main bundle (`pagefind/`, which the browser loads) goes first.
  return planned.sort((a, b) => (a.dir === "pagefind" ? -1 : b.dir === "pagefind" ? 1 : 0));
}

export interface IndexOptions {
  /** Notes per shard (500). */
  shardSize?: number;
  /** Shards indexed side by side (SEARCH_WORKERS). */
  workers?: number;
}

/** What the index is made of: the notes, the entity index, and each note's content key (PipelineResult.noteKeys), where known. */
export interface SearchSource { notes: PublishedNote[]; index: EntityIndex; contentKeys?: ReadonlyMap<string, string> }

/**
 * Index `notes` into `siteDir`. With `prevDir` (the folder of the previous site;
 * `siteDir` itself for `npm start`), only shards whose notes changed are indexed; the
 * others are kept.
 */
export async function indexSite(siteDir: string, source: SearchSource, prevDir: string | null = null, options: IndexOptions = {}): Promise<IndexStats> {
  const t0 = performance.now();
  const { notes, index } = source;
  const shardSize = options.shardSize ?? SHARD_SIZE;
  const code = searchCodeKey(shardSize);
  const t2s = simplifiedTable();
  const names: NameLookup = {};
  for (const e of index.entities) if (e.type !== "tag") names[e.id] = { name: e.name, aliases: e.aliases };
  const keys = new Map(notes.map((n) => [n.url, documentKey(n, names, source.contentKeys?.get(n.id))]));
  const prev = readState(prevDir, code);
  const inPlace = prevDir !== null && resolve(prevDir) === resolve(siteDir);
  const plan = planShards(notes, keys, prev, shardSize);
  let indexed = 0, indexedNotes = 0;
  const dirty = plan.filter((sh) => sh.dirty).length;
  const pool = new ShardPool(Math.max(1, Math.min(options.workers ?? SEARCH_WORKERS, dirty)));
  try {
    const done = await Promise.allSettled(plan.map(async (sh) => {
      const target = join(siteDir, sh.dir);
      if (!sh.dirty) {
        if (!inPlace) carryOverTree(join(prevDir!, sh.dir), target);
        return;
      }
      // Built aside and swapped in: a live site (`npm start`) keeps a whole shard meanwhile.
      const aside = `${target}.new-${process.pid}`;
      rmSync(aside, { recursive: true, force: true });
      await pool.run(() => sh.notes.map((note) => searchDocument(note, names, t2s)), aside);
      const old = `${target}.old-${process.pid}`;
      if (existsSync(target)) renameSync(target, old);
      renameSync(aside, target);
      rmSync(old, { recursive: true, force: true });
      indexed++;
      indexedNotes += sh.notes.length;
    }));
    const failed = done.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  } finally {
    await pool.close();
  }
  if (inPlace) {
    // Shards that are gone (their notes deleted), or left by another shard size.
    const live = new Set(plan.map((sh) => sh.dir));
    for (const d of readdirSync(siteDir)) if (/^pagefind-\d+$/.test(d) && !live.has(d)) rmSync(join(siteDir, d), { recursive: true, force: true });
  }
  mkdirSync(join(siteDir, "pagefind"), { recursive: true });
  writeReplacing(join(siteDir, "pagefind", "kb-search.json"), JSON.stringify({
    shards: plan.filter((sh) => sh.dir !== "pagefind").map((sh) => `${sh.dir}/`),
    vocabulary: vocabulary(index),
    ...queryData(),
    entities: suggestionEntities(index),
    t2s,
  }));
  const next: ShardState = { version: STATE_VERSION, code, shards: plan.map((sh) => ({ dir: sh.dir, notes: sh.notes.map((n) => [n.url, keys.get(n.url)!]) })) };
  writeReplacing(join(siteDir, "pagefind", STATE_FILE), JSON.stringify(next));
  return { pages: notes.length, shards: plan.length, indexed, indexedNotes, ms: Math.round(performance.now() - t0), dirs: plan.map((sh) => sh.dir) };
}

/**
 * Worker threads that index shards side by side (src/search/shard-worker.js), each with
 * its own Pagefind service: one service indexes on about one core, so on two cores two
 * shards at a time took 6.5 s where one after the other took 10.7 s (1,000 notes). A
 * shard's documents are made on this thread only when a worker is free for it, so at
 * most `size` shards' documents are held at once.
 */
class ShardPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly waiting: Array<(w: Worker) => void> = [];

  constructor(private readonly size: number) {}

  private spawn(): Worker {
    const w = new Worker(new URL("./shard-worker.js", import.meta.url));
    this.all.push(w);
    return w;
  }

  private acquire(): Promise<Worker> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.all.length < this.size) return Promise.resolve(this.spawn());
    return new Promise((res) => this.waiting.push(res));
  }

  /** `w` is free again; null: it failed and is gone, so a waiting job gets a new one. */
  private release(w: Worker | null): void {
    const next = this.waiting.shift();
    if (next) next(w ?? this.spawn());
    else if (w) this.idle.push(w);
  }

  /** Index one shard: its documents are made (`docs()`) once a worker is free. */
  async run(docs: () => SearchDocument[], outputPath: string): Promise<void> {
    const w = await this.acquire();
    let done: ShardDone;
    try {
      const job: ShardJob = { docs: docs(), outputPath };
      done = await new Promise<ShardDone>((res, rej) => {
        const onError = (err: Error) => { off(); rej(err); };
        const onExit = (code: number) => { off(); rej(new Error(`pagefind: the search worker stopped (exit code ${code})`)); };
        const onMessage = (m: ShardDone) => { off(); res(m); };
        const off = () => { w.off("error", onError); w.off("exit", onExit); w.off("message", onMessage); };
        w.on("error", onError).on("exit", onExit).on("message", onMessage);
        w.postMessage(job);
      });
    } catch (err) {
      this.all.splice(this.all.indexOf(w), 1);
      void w.terminate();
      this.release(null);
      throw err;
    }
    this.release(w);
    if (!done.ok) throw new Error(done.error);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
