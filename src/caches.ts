/**
 * The pipeline's caches, keyed by content so a stale entry can never be used:
 *
 * - parse:  a `PackStore` in `.cache/notes/` (a pack file and its index), keyed by
 *           (parser code hash, path, bytes). In a long-running process (`npm start`) parsed sources are
 *           also kept in memory, and a file whose size, mtime, ctime and inode are
 *           unchanged is not even read again.
 * - link:   each note's text matches (MatchMemo), keyed by the note's parse key and
 *           checked against the set of names, in memory by `npm start` and in
 *           `.cache/links/` (a `PackStore`) by `npm run build`: re-linking after a new
 *           file matches that file (and the notes that name a new name) only. `npm
 *           start` also keeps the last entity index, keyed by (entity-linking code
 *           hash, registry hash, every note's parse key and id).
 * - inputs: `fingerprintSources` hashes the seeds folder (paths and bytes) for the
 *           "nothing changed" check of `npm run build`.
 *
 * What is kept in memory belongs to a `SourceMemory` object that the long-running
 * process holds and passes in (src/serve.ts → src/build.ts → the pipeline); a one-shot
 * build passes none. The only process-wide state of the project is here: code hashes
 * read once per process, and the `lazy` values other modules make (dictionaries, tables).
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { walk, writeReplacing } from "./files.ts";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import type { EntityIndex } from "./entities/index.ts";
import { MatchMemo, type MemoBacking, type MemoHead, type MemoRecord } from "./entities/memo.ts";
import type { ParsedSource } from "./ingest/index.ts";

const sha256 = () => createHash("sha256");

interface Stamp { size: number; mtimeMs: number; ctimeMs: number; ino: number; key: string }

/**
 * What a long-running process (`npm start`) keeps in memory between pipeline runs:
 * parsed sources, validated notes, each note's name matches and the last entity index.
 * A one-shot build passes none.
 */
export class SourceMemory {
  readonly stamps = new Map<string, Stamp>();
  readonly parsed = new Map<string, ParsedSource>();
  /** By source parse key, then by the note's position in it and id (`0 abc`). */
  readonly validated = new Map<string, Map<string, { success: boolean }>>();
  linked: { key: string; index: EntityIndex } | null = null;
  matchMemo: MatchMemo | null = null;
  /** The matches have been stored on disk once (later ones are only kept in memory). */
  linkWritten = false;
}

export type CacheSource = "memory" | "disk" | "parsed";

/**
 * The parse key of a source and, when it had to be read, its bytes. A file whose
 * stat is unchanged since this process last read it keeps its key unread.
 */
export function sourceKey(memory: SourceMemory | null, path: string, file: string, version: string, stat: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): { key: string; bytes: Buffer | null } {
  const seen = memory?.stamps.get(path);
  if (seen && seen.size === stat.size && seen.mtimeMs === stat.mtimeMs && seen.ctimeMs === stat.ctimeMs && seen.ino === stat.ino && memory!.parsed.has(seen.key)) {
    return { key: seen.key, bytes: null };
  }
  const bytes = readFileSync(path);
  const key = sha256().update(version).update("\0").update(file).update("\0").update(bytes).digest("hex");
  memory?.stamps.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino, key });
  return { key, bytes };
}

/**
 * A store of JSON values by key, in two files: an append-only pack of entries
 * (`<name>.pack`, one `<key>\t<json>\n` line each) and an index of where each one is
 * (`<name>.idx`, a small JSON file, with the store's own metadata). It keeps the parse
 * cache (`parses`, one entry per source) and the text matches (`matches`, one per
 * note) instead of one file per entry or one file rewritten whole. Opening reads only
 * the index (~1 MB at 10,000 entries); an entry is read with one positioned read when
 * it is needed; a new one is appended. An entry no build has used for `KEEP_BUILDS`
 * builds is dropped, and the pack is rewritten when most of it is no longer indexed.
 *
 * Written by hand rather than with an embedded database: what it needs is a key → blob
 * map read once per build, which a pack file does in ~150 lines with no native binary,
 * and no database we could install ships one inside its npm package for every platform.
 *
 * Safe against crashes and a second build on the same folder: every read checks that
 * the entry starts with its key and parses as JSON (else it is made again); an entry
 * appended but not yet indexed is only wasted space until the next rewrite.
 *
 * Lines are UTF-16 (little-endian), JavaScript's own string encoding: decoding them is a
 * copy. Decoding UTF-8 was most of reading a store (190 MB of stored matches at 10,000
 * notes: 566 ms as UTF-8, 91 ms as UTF-16); the pack is about 15 % larger for it.
 */
export class PackStore<T> {
  private fd: number | null = null;
  private readonly entries: Map<string, StoreEntry>;
  private readonly generation: number;
  private size: number;
  /** What the previous build stored beside the entries (null: none, or a new store). */
  readonly meta: unknown;

  private constructor(private readonly dir: string, private readonly name: string, index: StoreIndex | null, private readonly rewriteAbove: number) {
    this.entries = new Map(Object.entries(index?.entries ?? {}));
    this.generation = (index?.generation ?? 0) + 1;
    this.size = index?.size ?? 0;
    this.meta = index?.meta ?? null;
  }

  /**
   * The store `name` in `dir` (made if missing); what earlier versions kept there is
   * removed. `rewriteAbove`: the pack size below which it is never rewritten.
   */
  static open<T>(dir: string, name: string, rewriteAbove = 4 * 1024 * 1024): PackStore<T> {
    mkdirSync(dir, { recursive: true });
    let index: StoreIndex | null = null;
    try {
      const read = JSON.parse(readFileSync(join(dir, `${name}.idx`), "utf8")) as StoreIndex;
      if (read.version === STORE_VERSION && statSync(join(dir, `${name}.pack`)).size >= read.size) index = read;
    } catch {
      index = null; // no store yet, or an unreadable index: start a new pack
    }
    if (!index) {
      rmSync(join(dir, `${name}.pack`), { force: true });
      // What earlier versions kept here: a file per parsed source, whole entity indexes, all matches in one file.
      for (const f of readdirSync(dir)) if (/^[0-9a-f]{64}\.n?json$|^matches\.ndjson$/.test(f)) rmSync(join(dir, f), { force: true });
    }
    return new PackStore<T>(dir, name, index, rewriteAbove);
  }

  private pack(): number {
    return (this.fd ??= openSync(join(this.dir, `${this.name}.pack`), "a+"));
  }

  /** Keys of the entries the previous build used or stored. */
  *lastUsed(): Generator<string> {
    for (const [key, e] of this.entries) if (e[2] === this.generation - 1) yield key;
  }

  /** The entry of `key`, marked as used by this build (`mark` false: not marked; see `touch`). */
  get(key: string, mark = true): T | null {
    const e = this.entries.get(key);
    if (!e) return null;
    try {
      const buf = Buffer.allocUnsafe(e[1]);
      if (readSync(this.pack(), buf, 0, e[1], e[0]) !== e[1] || !startsWithKey(buf, key)) return null;
      const value = JSON.parse(buf.toString(ENCODING, 2 * (key.length + 1))) as T;
      if (mark) e[2] = this.generation;
      return value;
    } catch {
      return null; // cut short or overwritten: make it again
    }
  }

  /** Mark the entry of `key` as used by this build. */
  touch(key: string): void {
    const e = this.entries.get(key);
    if (e) e[2] = this.generation;
  }

  put(key: string, value: T): void {
    const line = Buffer.from(`${key}\t${JSON.stringify(value)}\n`, ENCODING);
    const fd = this.pack();
    // The end of the pack, wherever another process may have left it.
    const at = fstatSync(fd).size;
    writeSync(fd, line);
    this.entries.set(key, [at, line.length - NEWLINE, this.generation]);
    this.size = at + line.length;
  }

  /**
   * Save the index (with `meta`): entries this build read or stored are kept, entries
   * unused for `KEEP_BUILDS` builds are dropped, and the pack is rewritten when less than
   * half of it is indexed.
   */
  close(meta: unknown = this.meta): void {
    for (const [key, e] of this.entries) if (this.generation - e[2] >= KEEP_BUILDS) this.entries.delete(key);
    let live = 0;
    for (const e of this.entries.values()) live += e[1] + NEWLINE;
    if (this.fd !== null && this.size > this.rewriteAbove && live < this.size / 2) this.rewrite();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const index: StoreIndex = { version: STORE_VERSION, generation: this.generation, size: this.size, meta, entries: Object.fromEntries(this.entries) };
    writeReplacing(join(this.dir, `${this.name}.idx`), JSON.stringify(index));
  }

  /** A new pack with the indexed entries only, swapped in with one rename. */
  private rewrite(): void {
    const tmp = join(this.dir, `${this.name}.pack.${process.pid}.tmp`);
    const out = openSync(tmp, "w");
    let at = 0;
    try {
      for (const [key, e] of this.entries) {
        const buf = Buffer.allocUnsafe(e[1] + NEWLINE);
        if (readSync(this.fd!, buf, 0, e[1] + NEWLINE, e[0]) !== e[1] + NEWLINE || !startsWithKey(buf, key)) { this.entries.delete(key); continue; }
        writeSync(out, buf);
        this.entries.set(key, [at, e[1], e[2]]);
        at += e[1] + NEWLINE;
      }
    } finally {
      closeSync(out);
    }
    renameSync(tmp, join(this.dir, `${this.name}.pack`));
    this.size = at;
  }
}

/** An entry's offset and length in bytes in the pack (its line, without the newline) and the build that last used it. */
type StoreEntry = [offset: number, length: number, used: number];
interface StoreIndex { version: number; generation: number; size: number; meta: unknown; entries: Record<string, StoreEntry> }
const STORE_VERSION = 3;
/** How lines are written (see PackStore), and the bytes of their newline. */
const ENCODING = "utf16le";
const NEWLINE = 2;
/** The line in `buf` is the entry of `key` (`key` and a tab begin it). */
const startsWithKey = (buf: Buffer, key: string) => buf.toString(ENCODING, 0, 2 * (key.length + 1)) === `${key}\t`;
/** Builds an entry survives unused: a few branches or corpora can share one cache. */
const KEEP_BUILDS = 8;

/** The parse cache: parsed sources by parse key. */
export type ParseStore = PackStore<ParsedSource>;
export const openParseStore = (dir: string, rewriteAbove?: number): ParseStore => PackStore.open<ParsedSource>(dir, "parses", rewriteAbove);

/** The parse of `key`: from memory, from the store, or by running `parse` (then kept in both). */
export function cachedParse(memory: SourceMemory | null, key: string, store: ParseStore | null, parse: () => ParsedSource): { result: ParsedSource; from: CacheSource } {
  const mem = memory?.parsed.get(key);
  if (mem) return { result: mem, from: "memory" };
  let result = store?.get(key) ?? null;
  const from: CacheSource = result ? "disk" : "parsed";
  if (!result) {
    result = parse();
    store?.put(key, result);
  }
  memory?.parsed.set(key, result);
  return { result, from };
}

/**
 * A draft validated as a `Note` (`key`: its source's parse key, position and id). `npm start`
 * keeps the result, so an unchanged note is the same object from one rebuild to the next:
 * cheaper (no validation), and what lets later stages recognise unchanged values by identity.
 */
export function validNote<T extends { success: boolean }>(memory: SourceMemory | null, key: { source: string; position: number; id: string }, check: () => T): T {
  if (!memory) return check();
  let bySource = memory.validated.get(key.source);
  if (!bySource) memory.validated.set(key.source, (bySource = new Map()));
  const k = `${key.position} ${key.id}`;
  const hit = bySource.get(k) as T | undefined;
  if (hit) return hit;
  const result = check();
  bySource.set(k, result);
  return result;
}

/** Forget parses of sources no longer present (a long-running process must not grow forever). */
export function pruneParseMemory(memory: SourceMemory | null, liveKeys: Set<string>): void {
  if (!memory) return;
  for (const key of memory.validated.keys()) if (!liveKeys.has(key)) memory.validated.delete(key);
  for (const key of memory.parsed.keys()) if (!liveKeys.has(key)) memory.parsed.delete(key);
  for (const [path, s] of memory.stamps) if (!liveKeys.has(s.key)) memory.stamps.delete(path);
}

/** Every module of src/ingest/ (listed, so a new parser module can never be left out of the key), and what parsing imports besides. */
const PARSER_CODE = ["note.ts", "text.ts", "site/markdown.ts", ...readdirSync(fileURLToPath(new URL("./ingest/", import.meta.url))).filter((f) => f.endsWith(".ts")).sort().map((f) => `ingest/${f}`)];
const ENTITY_CODE = ["entities/index.ts", "entities/memo.ts", "entities/detect.ts", "entities/registry.ts", "ingest/speakers.ts", "text.ts", "note.ts"];
const codeHashes = new Map<string, string>();

/** Hash of some of our own source files (paths relative to src/), read once per process. */
function codeVersion(files: string[]): string {
  const key = files.join("\0");
  let hash = codeHashes.get(key);
  if (!hash) {
    const h = sha256();
    for (const f of files) h.update(f).update("\0").update(readFileSync(fileURLToPath(new URL(`./${f}`, import.meta.url))));
    codeHashes.set(key, (hash = h.digest("hex").slice(0, 16)));
  }
  return hash;
}

/** Hash of the parser's code: a changed parser invalidates every cached parse. */
export function parserVersion(): string {
  return codeVersion(PARSER_CODE);
}

/** Hash of the entity-linking code: a changed linker re-links. */
export function linkerVersion(): string {
  return codeVersion(ENTITY_CODE);
}

/** What the stored matches were checked against: the linker's code and the set of names (MatchMemo's head). */
interface MemoMeta extends MemoHead { version: number; linker: string }
const MEMO_VERSION = 3;

/**
 * Each note's text matches as the last build left them in `dir` (the `matches` store,
 * with the set of names beside it), or a new memo (none stored, another linker). Only
 * matches the last build found exact are taken: older ones were checked against older
 * names. `npm start` (`inMemory`) reads them all into memory, for every later rebuild;
 * a one-shot build reads each note's when it links that note, and writes new ones
 * straight to the store, so the matches of every note are never in memory at once.
 */
function readMemo(dir: string, inMemory: boolean): { memo: MatchMemo; store: PackStore<MemoRecord> } {
  const store = PackStore.open<MemoRecord>(dir, "matches");
  const meta = store.meta as MemoMeta | null;
  const valid = meta?.version === MEMO_VERSION && meta.linker === linkerVersion();
  // Not marked as used when read: only the matches this build finds still exact stay valid for the next (`touch`).
  const backing: MemoBacking = { read: (key) => store.get(key, false), write: (record) => store.put(record[0], record) };
  if (!inMemory) return { memo: valid ? MatchMemo.backed(meta, store.lastUsed(), backing) : new MatchMemo(false, backing), store };
  if (!valid) return { memo: new MatchMemo(true), store };
  const records: MemoRecord[] = [];
  for (const key of [...store.lastUsed()]) {
    const r = store.get(key, false);
    if (r) records.push(r);
  }
  return { memo: MatchMemo.restore(meta, records, true), store };
}

/** Store the notes matched in this build, and mark the matches found still exact as used. */
function writeMemo(store: PackStore<MemoRecord>, memo: MatchMemo): void {
  for (const record of memo.matchedRecords()) store.put(record[0], record);
  for (const key of memo.keptKeys()) store.touch(key);
  store.close({ version: MEMO_VERSION, linker: linkerVersion(), ...memo.head() } satisfies MemoMeta);
  memo.stored();
}

/**
 * The entity index for `key` (see `linkKey`): the one `npm start` made last when
 * nothing it depends on changed, or made by `link` with each note's text matches from
 * the last build (the process's own in `npm start`, else those stored in `dir`), so
 * only new or changed notes are matched again. The index itself is not stored: at
 * 10,000 notes it is ~160 MB of JSON, which took longer to write and read than linking
 * with every note's matches at hand.
 */
export function cachedLink(memory: SourceMemory | null, key: string, dir: string | null, link: (memo: MatchMemo | undefined) => EntityIndex): { index: EntityIndex; matched: number | null } {
  if (memory?.linked?.key === key) return { index: memory.linked.index, matched: null };
  if (!memory && !dir) {
    // Nothing to keep the matches in (caching is off): every note is matched.
    const index = link(undefined);
    return { index, matched: index.links.size };
  }
  let memo = memory?.matchMemo ?? undefined;
  let store: PackStore<MemoRecord> | null = null;
  // `npm start` stores its first matches only: once per rebuild would cost more than it
  // saves (its next start matches the notes changed meanwhile anyway).
  if (dir && !memory?.linkWritten) ({ memo, store } = readMemo(dir, memory !== null));
  memo ??= new MatchMemo(memory !== null);
  if (memory) memory.matchMemo = memo;
  const index = link(memo);
  if (memory) memory.linked = { key, index };
  if (store) {
    if (memory) memory.linkWritten = true;
    writeMemo(store, memo);
  }
  return { index, matched: memo.rematched };
}

/** The link cache key: linker code, registry, and every note's source key and id, in order. */
export function linkKey(registryHash: string, notes: Array<{ sourceKey: string; ids: string[] }>): string {
  const h = sha256().update(linkerVersion()).update("\0").update(registryHash);
  for (const n of notes) h.update("\n").update(n.sourceKey).update("\0").update(n.ids.join("\0"));
  return h.digest("hex");
}

const toPosix = (p: string) => p.split(sep).join("/");

/**
 * A fingerprint of everything in the seeds folder: relative paths, bytes, and for
 * symbolic links their target. Equal fingerprints mean equal sources.
 */
export function fingerprintSources(seedsDir: string): { hash: string; files: number; bytes: number } {
  const h = sha256();
  let files = 0, bytes = 0;
  for (const { path: p } of walk(seedsDir, { sorted: true })) {
    const rel = toPosix(relative(seedsDir, p));
    const st = lstatSync(p);
    files++;
    h.update(rel).update("\0");
    if (st.isSymbolicLink()) h.update("link\0").update(readlinkSync(p));
    else if (!st.isFile()) h.update(`special\0${st.mode}`);
    else { const b = readFileSync(p); bytes += b.length; h.update(`${b.length}\0`).update(b); }
    h.update("\n");
  }
  return { hash: h.digest("hex"), files, bytes };
}

/**
 * A full garbage collection. V8 lets the heap grow towards its limit (4 GB here)
 * before collecting; a build collects between its stages and batches instead, so
 * its memory stays near what it actually holds.
 */
export function collectGarbage(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/**
 * A value made on first use and kept for the process: a loaded dictionary, a parser or
 * a lookup table that costs too much to build at import. The process-wide caches of
 * the other modules are made with this, so that all of them live here.
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}
