/**
 * The build pipeline, top to bottom:
 *   1. list   every file under the seeds folder (each one ends up in the report);
 *   2. parse  each source into note drafts (cached on disk by content hash);
 *   3. name   drafts get stable, unique ids and URLs, and are validated as `Note`s;
 *   4. resolve wikilinks, embeds and relative links and images → note pages and the
 *             files published beside them (src/resolve/);
 *   5. link   notes + registry → the entity index (people, companies, products, tags);
 *   6. report every input with its status and messages.
 * Rendering (Eleventy + Nunjucks) and search (Pagefind) consume the result.
 */
import { accessSync, constants, lstatSync, readFileSync } from "node:fs";
import { dirname, extname, relative, resolve, sep } from "node:path";
import { walk } from "./files.ts";
import { cachedLink, cachedParse, linkKey, openParseStore, parserVersion, validNote, pruneParseMemory, sourceKey, type SourceMemory } from "./caches.ts";
import { buildEntityIndex, type EntityIndex } from "./entities/index.ts";
import { loadRegistry } from "./entities/registry.ts";
import { parseSource, SOURCE_EXTENSIONS } from "./ingest/index.ts";
import { type BuildMessage, Note, type NoteDraft, type NoteId } from "./note.ts";
import { type Asset, assetKind, readAsset } from "./resolve/assets.ts";
import { resolveReferences, type Resolved } from "./resolve/references.ts";
import { slugify, SlugRegistry } from "./text.ts";

export type InputStatus = "ok" | "warning" | "error";
export interface InputReport {
  file: string;
  status: InputStatus;
  notes: NoteId[];
  messages: BuildMessage[];
}
export interface BuildReport {
  /** Every file under the seeds folder, once (dot-folders aside). */
  inputs: InputReport[];
  /** Files beside the sources: how many were published, which were skipped, and what was not read at all. */
  other: {
    images: number;
    pdfs: number;
    /** Files neither source nor asset, by extension (`.json` → 3). */
    skipped: Record<string, number>;
    /** Dot-folders, never read (`.obsidian`, `.git`, `.trash`). */
    ignored: string[];
  };
  /** Wikilinks, embeds and local links, and how many found their target. */
  links: Resolved["stats"];
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
  /** Folder of the stored text matches (see src/caches.ts); null or absent: memory only. */
  linkCacheDir?: string | null;
  /** The entity registry (src/entities/registry.yaml when absent). */
  registryPath?: string;
  /** What a long-running process keeps between runs (`npm start`); absent in a one-shot build. */
  memory?: SourceMemory | null;
}

export interface PipelineResult {
  notes: Note[];
  index: EntityIndex;
  report: BuildReport;
  /** Images and PDFs to publish under /media/. */
  assets: Asset[];
  /** Note id → the notes it links to, the notes that link to it, and the sizes of the images it shows. */
  outlinks: Resolved["outlinks"];
  backlinks: Resolved["backlinks"];
  media: Resolved["media"];
  /** Note id → a key that changes whenever the note's content (or what its references resolved to) does. */
  noteKeys: Map<string, string>;
  /**
   * `cached`: sources whose parse came from the cache; `matched`: notes whose text was
   * matched against the names again (the others' matches were still exact), null when
   * `npm start` had linked the very same notes already.
   */
  stats: { files: number; notes: number; cached: number; parseMs: number; linkMs: number; matched: number | null };
}

/** Larger files are refused: a source this size is not a note. */
export const MAX_SOURCE_BYTES = 64 * 1024 * 1024;

/**
 * Every file under `dir`, in name order. Dot-folders (`.obsidian`, `.git`, `.trash`) are
 * an editor's or a tool's, never notes: they are not walked, only named in `ignored`.
 */
function listFiles(dir: string): { files: string[]; ignored: string[] } {
  const ignored: string[] = [];
  const enter = (_: string, entry: { name: string }) => !/^\.(?!\.)/.test(entry.name);
  const files = [...walk(dir, { sorted: true, enter, onSkip: (p: string) => ignored.push(`${toPosix(relative(dir, p))}/`) })].map((f) => f.path);
  return { files, ignored };
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
  const memory = options.memory ?? null;
  const store = options.cacheDir ? openParseStore(options.cacheDir) : null;
  const inputs: InputReport[] = [];
  const parsed: Array<{ report: InputReport; drafts: NoteDraft[] }> = [];
  let cached = 0;
  const sourceKeys = new Map<InputReport, string>();

  // 1–2. list and parse
  const seedsDir = resolve(options.seedsDir);
  const inRoot = !relative(resolve(options.rootDir), seedsDir).startsWith("..");
  const nameBase = inRoot ? resolve(options.rootDir) : dirname(seedsDir);
  const stems = new Map<InputReport, string>();
  /** Path of each source inside the seeds folder: how wikilinks find notes. */
  const seedPaths = new Map<InputReport, string>();
  const listing = listFiles(seedsDir);
  /** Folders holding `.obsidian/`: the notes under them are an Obsidian vault's. */
  const vaults = listing.ignored.filter((d) => d === ".obsidian/" || d.endsWith("/.obsidian/")).map((d) => d.slice(0, -".obsidian/".length));
  const inVault = (inSeeds: string) => vaults.some((v) => inSeeds.startsWith(v));
  const assets: Asset[] = [];
  const other: BuildReport["other"] = { images: 0, pdfs: 0, skipped: {}, ignored: listing.ignored };
  try {
    for (const path of listing.files) {
      const file = displayPath(relative(nameBase, path));
      const report: InputReport = { file, status: "ok", notes: [], messages: [] };
      const inSeeds = toPosix(relative(seedsDir, path));
      // Ids come from the path inside the seeds folder, wherever that folder is.
      stems.set(report, inSeeds.replace(/\.[^./]+$/, ""));
      seedPaths.set(report, inSeeds);
      inputs.push(report);
      const stat = lstatSync(path);
      const ext = extname(path).toLowerCase();
      const cannotRead = stat.isFile() ? unreadable(path) : null;
      const kind = assetKind(ext);
      if (stat.isSymbolicLink()) {
        report.messages.push({ level: "warning", message: "symbolic links are not followed (a link could publish a file from outside the seeds folder); skipped" });
      } else if (kind && stat.isFile() && !cannotRead) {
        // Published beside the notes; the console counts them by kind instead of a line each.
        const asset = readAsset(path, inSeeds, kind, report.messages);
        if (asset) {
          assets.push(asset);
          if (kind === "image") other.images++;
          else other.pdfs++;
          report.messages.push({ level: "info", message: `published as ${kind === "image" ? "an image" : "a PDF"} at ${asset.url}` });
        }
      } else if (!SOURCE_EXTENSIONS.includes(ext)) {
        const key = ext || "(no extension)";
        other.skipped[key] = (other.skipped[key] ?? 0) + 1;
        report.messages.push({ level: "info", message: `not a source (only ${SOURCE_EXTENSIONS.join(", ")} files are read) nor an image or PDF; skipped` });
      } else if (!stat.isFile()) {
        report.messages.push({ level: "warning", message: "not a regular file (a pipe, socket or device: reading it could hang the build); skipped" });
      } else if (cannotRead) {
        report.messages.push({ level: "error", message: `the file cannot be read (${cannotRead}); no note was made from it` });
      } else if (stat.size > MAX_SOURCE_BYTES) {
        report.messages.push({ level: "error", message: `the file is ${(stat.size / 1048576).toFixed(0)} MB, over the ${MAX_SOURCE_BYTES / 1048576} MB limit; no note was made from it` });
      } else {
        const vault = inVault(inSeeds);
        const { key, bytes } = sourceKey(memory, path, file, vault ? `${version}:vault` : version, stat);
        const { result, from } = cachedParse(memory, key, store, () => {
          try {
            return parseSource(file, bytes ?? readFileSync(path), { vault });
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
  } finally {
    // Whatever happened above: the store's index is written and its pack closed.
    store?.close();
  }
  const t1 = performance.now();

  // 3. name and validate
  const ids = new SlugRegistry();
  const notes: Note[] = [];
  /** Note id → its source's parse key and id: what the linker's memo is keyed by. */
  const noteKeys = new Map<string, string>();
  const notePaths = new Map<string, string>();
  for (const { report, drafts } of parsed) {
    const stem = stems.get(report)!;
    const skey = sourceKeys.get(report)!;
    drafts.forEach((draft, i) => {
      const id = ids.claim(slugify(draft.source.entry !== null ? `${stem}-${draft.source.entry}` : stem, 80));
      const checked = validNote(memory, { source: skey, position: i, id }, () => Note.safeParse({ ...draft, id, url: `/notes/${id}/` }));
      if (checked.success) {
        notes.push(checked.data);
        report.notes.push(checked.data.id);
        noteKeys.set(id, `${skey}\u0000${id}`);
        notePaths.set(id, seedPaths.get(report)!);
      } else {
        const issue = checked.error.issues[0]!;
        report.messages.push({ level: "error", line: draft.source.line, message: `note "${draft.title.slice(0, 40)}" is invalid: \`${issue.path.join(".")}\` ${issue.message}; it was not published` });
      }
    });
    if (drafts.length === 0 && !report.messages.some((m) => m.level === "error" || m.level === "warning")) {
      report.messages.push({ level: "warning", message: "no note was found in this file" });
    }
  }

  // 4. resolve: links and embeds between notes, images and PDFs beside them.
  const resolved = resolveReferences({ notes, paths: notePaths, assets });
  const byFile = new Map(inputs.map((r) => [r.file, r]));
  for (const [file, list] of resolved.messages) byFile.get(file)?.messages.push(...list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  // What a note's references resolved to is part of what the linker reads (an embed shows another note's text).
  for (const [id, sig] of resolved.signatures) noteKeys.set(id, `${noteKeys.get(id)}\u0000${sig}`);
  for (const r of inputs) r.status = statusOf(r.messages);

  // 5. link
  const registry = loadRegistry(options.registryPath);
  const key = linkKey(registry.hash, parsed.map(({ report }) => ({ sourceKey: [sourceKeys.get(report)!, ...report.notes.map((id) => resolved.signatures.get(id) ?? "")].join("\u0000"), ids: report.notes })));
  pruneParseMemory(memory, new Set(sourceKeys.values()));
  const linkedNotes = resolved.notes;
  const { index, matched } = cachedLink(memory, key, options.linkCacheDir ?? null, (memo) => buildEntityIndex(linkedNotes, registry.entries, { memo, keys: noteKeys }));
  const t2 = performance.now();
  return {
    notes: linkedNotes,
    index,
    assets,
    outlinks: resolved.outlinks,
    backlinks: resolved.backlinks,
    media: resolved.media,
    noteKeys,
    report: { inputs, other, links: resolved.stats },
    stats: { files: inputs.length, notes: notes.length, cached, parseMs: Math.round(t1 - t0), linkMs: Math.round(t2 - t1), matched },
  };
}
