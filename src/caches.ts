/**
 * The pipeline's caches, keyed by content so a stale entry can never be used:
 *
 * - parse:  one JSON file per source in `.cache/notes/`, keyed by (parser code hash,
 *           path, bytes). In a long-running process (`npm start`) parsed sources are
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
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { walk } from "./files.ts";
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

/** The parse of `key`: from memory, from `cacheDir`, or by running `parse` (then stored in both). */
export function cachedParse(memory: SourceMemory | null, key: string, cacheDir: string | null, parse: () => ParsedSource): { result: ParsedSource; from: CacheSource } {
  const mem = memory?.parsed.get(key);
  if (mem) return { result: mem, from: "memory" };
  const cachePath = cacheDir ? join(cacheDir, `${key}.json`) : null;
  let result: ParsedSource | null = null;
  let from: CacheSource = "parsed";
  if (cachePath) {
    try {
      result = JSON.parse(readFileSync(cachePath, "utf8")) as ParsedSource;
      from = "disk";
    } catch {
      result = null; // not cached yet, or unreadable: parse again
    }
  }
  if (!result) {
    result = parse();
    // Written in place, not through a temporary file and a rename (that doubled the cost
    // of a first build's cache writes): an entry cut short by a crash is not valid JSON,
    // so the read above fails and the source is parsed again.
    if (cachePath) writeFileSync(cachePath, JSON.stringify(result));
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
