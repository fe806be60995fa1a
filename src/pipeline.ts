/**
 * The build pipeline, top to bottom:
 *   1. list   every file under the seeds folder (each one ends up in the report);
 *   2. parse  each source into note drafts (cached on disk by content hash);
 *   3. name   drafts get stable, unique ids and URLs, and are validated as `Note`s;
 *   4. link   notes + registry → the entity index (people, companies, products, tags);
 *   5. report every input with its status and messages.
 * Rendering (Eleventy + Nunjucks) and search (Pagefind) consume the result.
 */
import { accessSync, constants, lstatSync, mkdirSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { cachedLink, cachedParse, linkKey, linkMemo, parserVersion, validNote, pruneParseMemory, sourceKey } from "./caches.ts";
import { buildEntityIndex, type EntityIndex } from "./entities/index.ts";
import { loadRegistry } from "./entities/registry.ts";
import { parseSource, SOURCE_EXTENSIONS } from "./ingest/index.ts";
import { type BuildMessage, Note, type NoteDraft } from "./note.ts";
import { slugify, SlugRegistry } from "./text.ts";

export type InputStatus = "ok" | "warning" | "error";
export interface InputReport {
  file: string;
  status: InputStatus;
  notes: string[];
  messages: BuildMessage[];
}
export interface BuildReport {
  inputs: InputReport[];
}

export interface PipelineOptions {
  /** Folder of sources. */
  seedsDir: string;
  /**
   * Paths in `source.file` and messages are relative to this folder; a seeds folder
   * outside it is named from its parent instead (`seeds/x.txt`, never `../../tmp/…`).
   */
  rootDir: string;
  /** Parse cache folder; null turns caching off. */
  cacheDir: string | null;
  /** Entity-index cache folder (see src/caches.ts); null or absent: memory only. */
  linkCacheDir?: string | null;
}

export interface PipelineResult {
  notes: Note[];
  index: EntityIndex;
  report: BuildReport;
  /** `cached`: sources whose parse came from the cache; `linkCached`: the entity index did. */
  stats: { files: number; notes: number; cached: number; parseMs: number; linkMs: number; linkCached: boolean };
}

/** Larger files are refused: a source this size is not a note. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

const toPosix = (p: string) => p.split(sep).join("/");

/**
 * A path as reports and pages show it: `/`-separated, control characters (a newline,
 * a terminal escape in a file name) written as `\xNN` so one message stays one line.
 */
export function displayPath(path: string): string {
  return toPosix(path).replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Why a file cannot be read (`EACCES` …), or null when it can. */
function unreadable(path: string): string | null {
  try {
    accessSync(path, constants.R_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

function statusOf(messages: BuildMessage[]): InputStatus {
  if (messages.some((m) => m.level === "error")) return "error";
  if (messages.some((m) => m.level === "warning")) return "warning";
  return "ok";
}

/** `seeds/x.txt:4: message` — how messages read on the console. */
export function formatMessage(file: string, m: BuildMessage): string {
  return `${file}${m.line ? `:${m.line}` : ""}: ${m.level}: ${m.message}`;
}

export function runPipeline(options: PipelineOptions): PipelineResult {
  const t0 = performance.now();
  const version = parserVersion();
  if (options.cacheDir) mkdirSync(options.cacheDir, { recursive: true });
  const inputs: InputReport[] = [];
  const parsed: Array<{ report: InputReport; drafts: NoteDraft[] }> = [];
  let cached = 0;
  const sourceKeys = new Map<InputReport, string>();

  // 1–2. list and parse
  const seedsDir = resolve(options.seedsDir);
  const inRoot = !relative(resolve(options.rootDir), seedsDir).startsWith("..");
  const nameBase = inRoot ? resolve(options.rootDir) : dirname(seedsDir);
  const stems = new Map<InputReport, string>();
  for (const path of listFiles(seedsDir)) {
    const file = displayPath(relative(nameBase, path));
    const report: InputReport = { file, status: "ok", notes: [], messages: [] };
    // Ids come from the path inside the seeds folder, wherever that folder is.
    stems.set(report, toPosix(relative(seedsDir, path)).replace(/\.[^./]+$/, ""));
    inputs.push(report);
    const stat = lstatSync(path);
    const ext = extname(path).toLowerCase();
    const cannotRead = stat.isFile() ? unreadable(path) : null;
    if (stat.isSymbolicLink()) {
      report.messages.push({ level: "warning", message: "symbolic links are not followed (a link could publish a file from outside the seeds folder); skipped" });
    } else if (!SOURCE_EXTENSIONS.includes(ext)) {
      report.messages.push({ level: "warning", message: `not a source (only ${SOURCE_EXTENSIONS.join(", ")} files are read); skipped` });
    } else if (!stat.isFile()) {
      report.messages.push({ level: "warning", message: "not a regular file (a pipe, socket or device: reading it could hang the build); skipped" });
    } else if (cannotRead) {
      report.messages.push({ level: "error", message: `the file cannot be read (${cannotRead}); no note was made from it` });
    } else if (stat.size > MAX_SOURCE_BYTES) {
      report.messages.push({ level: "error", message: `the file is ${(stat.size / 1048576).toFixed(0)} MB, over the ${MAX_SOURCE_BYTES / 1048576} MB limit; no note was made from it` });
    } else {
      const { key, bytes } = sourceKey(path, file, version, stat);
      const { result, from } = cachedParse(key, options.cacheDir, () => {
        try {
          return parseSource(file, bytes ?? readFileSync(path));
        } catch (err) {
          // A parser bug must not take the site down: report it against the file.
          return { shape: null, drafts: [], messages: [{ level: "error", message: `could not be parsed: ${(err as Error).message}` }] };
        }
      });
      if (from !== "parsed") cached++;
      sourceKeys.set(report, key);
      report.messages.push(...result.messages);
      parsed.push({ report, drafts: result.drafts });
    }
  }
  const t1 = performance.now();

  // 3. name and validate
  const ids = new SlugRegistry();
  const notes: Note[] = [];
  /** Note id → its source's parse key and id: what the linker's memo is keyed by. */
  const noteKeys = new Map<string, string>();
  for (const { report, drafts } of parsed) {
    const stem = stems.get(report)!;
    const skey = sourceKeys.get(report)!;
    drafts.forEach((draft, i) => {
      const id = ids.claim(slugify(draft.source.entry !== null ? `${stem}-${draft.source.entry}` : stem, 80));
      const checked = validNote(`${skey}\u0000${i}\u0000${id}`, () => Note.safeParse({ ...draft, id, url: `/notes/${id}/` }));
      if (checked.success) {
        notes.push(checked.data);
        report.notes.push(id);
        noteKeys.set(id, `${skey}\u0000${id}`);
      } else {
        const issue = checked.error.issues[0]!;
        report.messages.push({ level: "error", line: draft.source.line, message: `note "${draft.title.slice(0, 40)}" is invalid: \`${issue.path.join(".")}\` ${issue.message}; it was not published` });
      }
    });
    if (drafts.length === 0 && !report.messages.some((m) => m.level === "error" || m.level === "warning")) {
      report.messages.push({ level: "warning", message: "no note was found in this file" });
    }
  }
  for (const r of inputs) r.status = statusOf(r.messages);

  // 4. link
  const registry = loadRegistry();
  const key = linkKey(registry.hash, parsed.map(({ report }) => ({ sourceKey: sourceKeys.get(report)!, ids: report.notes })));
  pruneParseMemory(new Set(sourceKeys.values()));
  const { index, from: linked } = cachedLink(key, options.linkCacheDir ?? null, () => buildEntityIndex(notes, registry.entries, { memo: linkMemo(), keys: noteKeys }));
  const t2 = performance.now();
  return {
    notes,
    index,
    report: { inputs },
    stats: { files: inputs.length, notes: notes.length, cached, parseMs: Math.round(t1 - t0), linkMs: Math.round(t2 - t1), linkCached: linked !== "parsed" },
  };
}
