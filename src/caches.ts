/**
 * The pipeline's caches, keyed by content so a stale entry can never be used:
 *
 * - parse:  one store in `.cache/notes/` (a pack file and its index, `ParseStore`),
 *           keyed by (parser code hash, path, bytes). In a long-running process (`npm start`) parsed sources are
 *           also kept in memory, and a file whose size, mtime, ctime and inode are
 *           unchanged is not even read again.
 * - link:   each note's text matches (MatchMemo), keyed by the note's parse key and
 *           checked against the set of names, in memory by `npm start` and in
 *           `.cache/links/matches.ndjson` by `npm run build`: re-linking after a new
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
import { closeSync, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { walk, writeReplacing } from "./files.ts";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import type { EntityIndex } from "./entities/index.ts";
import { MatchMemo, type MemoHead, type MemoRecord } from "./entities/memo.ts";
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
 * The parse cache as one store: an append-only pack of entries (`<key>\t<json>\n`,
 * `parses.pack`) and an index of where each one is (`parses.idx`, a small JSON file),
 * instead of one file per source. Opening reads only the index (~1 MB at 10,000
 * sources); an entry is read with one positioned read when it is needed; a new one is
 * appended. A build that no longer needs an entry for `KEEP_BUILDS` builds in a row
 * drops it, and the pack is rewritten when most of it is no longer indexed.
 *
 * Written by hand rather than with an embedded database: what it needs is a key → blob
 * map read once per build, which a pack file does in ~150 lines with no native binary,
 * and no database we could install ships one inside its npm package for every platform.
 *
 * Safe against crashes and a second build on the same folder: every read checks that
 * the entry starts with its key and parses as JSON (else the source is parsed again);
 * an entry appended but not yet indexed is only wasted space until the next rewrite.
 */
export class ParseStore {
  private fd: number | null = null;
  private readonly entries: Map<string, StoreEntry>;
  private generation: number;
  private size: number;
  private added = 0;

  private constructor(private readonly dir: string, index: StoreIndex | null, private readonly rewriteAbove: number) {
    this.entries = new Map(Object.entries(index?.entries ?? {}));
    this.generation = (index?.generation ?? 0) + 1;
    this.size = index?.size ?? 0;
  }

  /**
   * The store in `dir` (made if missing). One file per source, as earlier versions kept
   * it, is removed. `rewriteAbove`: the pack size below which it is never rewritten.
   */
  static open(dir: string, rewriteAbove = 4 * 1024 * 1024): ParseStore {
    mkdirSync(dir, { recursive: true });
    let index: StoreIndex | null = null;
    try {
      const read = JSON.parse(readFileSync(join(dir, STORE_INDEX), "utf8")) as StoreIndex;
      if (read.version === STORE_VERSION && statSync(join(dir, STORE_PACK)).size >= read.size) index = read;
    } catch {
      index = null; // no store yet, or an unreadable index: start a new pack
    }
    if (!index) {
      rmSync(join(dir, STORE_PACK), { force: true });
      for (const f of readdirSync(dir)) if (/^[0-9a-f]{64}\.json$/.test(f)) rmSync(join(dir, f), { force: true });
    }
    return new ParseStore(dir, index, rewriteAbove);
  }

  private pack(): number {
    return (this.fd ??= openSync(join(this.dir, STORE_PACK), "a+"));
  }

  get(key: string): ParsedSource | null {
    const e = this.entries.get(key);
    if (!e) return null;
    try {
      const buf = Buffer.allocUnsafe(e[1]);
      if (readSync(this.pack(), buf, 0, e[1], e[0]) !== e[1] || buf.toString("latin1", 0, key.length + 1) !== `${key}\t`) return null;
      e[2] = this.generation;
      return JSON.parse(buf.toString("utf8", key.length + 1)) as ParsedSource;
    } catch {
      return null; // cut short or overwritten: parse the source again
    }
  }

  put(key: string, value: ParsedSource): void {
    const line = Buffer.from(`${key}\t${JSON.stringify(value)}\n`);
    const fd = this.pack();
    // The end of the pack, wherever another process may have left it.
    const at = fstatSync(fd).size;
    writeSync(fd, line);
    this.entries.set(key, [at, line.length - 1, this.generation]);
    this.size = at + line.length;
    this.added++;
  }

  /**
   * Save the index: entries this build used are kept, entries unused for `KEEP_BUILDS`
   * builds are dropped, and the pack is rewritten when less than half of it is indexed.
   */
  close(): void {
    for (const [key, e] of this.entries) if (this.generation - e[2] >= KEEP_BUILDS) this.entries.delete(key);
    let live = 0;
    for (const e of this.entries.values()) live += e[1] + 1;
    if (this.fd !== null && this.size > this.rewriteAbove && live < this.size / 2) this.rewrite();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const index: StoreIndex = { version: STORE_VERSION, generation: this.generation, size: this.size, entries: Object.fromEntries(this.entries) };
    writeReplacing(join(this.dir, STORE_INDEX), JSON.stringify(index));
  }

  /** A new pack with the indexed entries only, swapped in with one rename. */
  private rewrite(): void {
    const tmp = join(this.dir, `${STORE_PACK}.${process.pid}.tmp`);
    const out = openSync(tmp, "w");
    let at = 0;
    try {
      for (const [key, e] of this.entries) {
        const buf = Buffer.allocUnsafe(e[1] + 1);
        if (readSync(this.fd!, buf, 0, e[1] + 1, e[0]) !== e[1] + 1 || buf.toString("latin1", 0, key.length + 1) !== `${key}\t`) { this.entries.delete(key); continue; }
        writeSync(out, buf);
        this.entries.set(key, [at, e[1], e[2]]);
        at += e[1] + 1;
      }
    } finally {
      closeSync(out);
    }
    renameSync(tmp, join(this.dir, STORE_PACK));
    this.size = at;
  }
}

/** An entry's offset and length in the pack (its line, without the newline) and the build that last used it. */
type StoreEntry = [offset: number, length: number, used: number];
interface StoreIndex { version: number; generation: number; size: number; entries: Record<string, StoreEntry> }
const STORE_PACK = "parses.pack";
const STORE_INDEX = "parses.idx";
const STORE_VERSION = 1;
/** Builds an entry survives unused: a few branches or corpora can share one cache. */
const KEEP_BUILDS = 8;

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

/**
 * Values stored one JSON value per line, written and read line by line: a stored
 * entity index is ~300 MB at 10,000 notes, and one JSON string of that size would
 * double the build's peak memory. Written aside and renamed into place.
 */
function writeLines(path: string, lines: Iterable<unknown>): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    for (const line of lines) writeSync(fd, `${JSON.stringify(line)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function* readLines(path: string): Generator<unknown> {
  const buf = readFileSync(path);
  for (let at = 0; at < buf.length; ) {
    const end = buf.indexOf(10, at);
    if (end < 0) throw new Error(`${path}: truncated`);
    yield JSON.parse(buf.toString("utf8", at, end)) as unknown;
    at = end + 1;
  }
}

const MEMO_FILE = "matches.ndjson";
const MEMO_VERSION = 2;
/** Each note's text matches as the last build left them in `dir`, or null (none, another linker, unreadable). */
function readMemo(dir: string, identity: boolean): MatchMemo | null {
  const path = join(dir, MEMO_FILE);
  if (!existsSync(path)) return null;
  try {
    const lines = readLines(path);
    const head = lines.next().value as ({ version: number; linker: string } & MemoHead) | undefined;
    if (head?.version !== MEMO_VERSION || head.linker !== linkerVersion()) return null;
    return MatchMemo.restore(head, { [Symbol.iterator]: () => lines as Iterator<MemoRecord> }, identity);
  } catch {
    return null; // cut short or corrupt: every note is matched again
  }
}

function writeMemo(dir: string, memo: MatchMemo): void {
  writeLines(join(dir, MEMO_FILE), (function* () {
    yield { version: MEMO_VERSION, linker: linkerVersion(), ...memo.head() };
    yield* memo.records();
  })());
  // Whole entity indexes, which earlier versions stored here by their link key.
  for (const f of readdirSync(dir)) if (/^[0-9a-f]{64}\.ndjson$/.test(f)) rmSync(join(dir, f), { force: true });
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
  let memo: MatchMemo | undefined;
  if (memory) memo = memory.matchMemo ??= (dir ? readMemo(dir, true) : null) ?? new MatchMemo(true);
  else if (dir) memo = readMemo(dir, false) ?? new MatchMemo(false);
  const index = link(memo);
  if (memory) memory.linked = { key, index };
  // `npm start` stores its first matches only: once per rebuild would cost more than it
  // saves (its next start matches the notes changed meanwhile anyway).
  if (dir && memo?.changed && !memory?.linkWritten) {
    if (memory) memory.linkWritten = true;
    mkdirSync(dir, { recursive: true });
    writeMemo(dir, memo);
  }
  return { index, matched: memo ? memo.rematched : null };
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
