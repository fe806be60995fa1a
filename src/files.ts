/**
 * The file-system helpers every stage uses: walking a folder, replacing a file
 * atomically, and carrying files over from a previous output by hard link.
 */
import { type Dirent, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

export interface WalkOptions {
  /** Visit entries in name order (code-unit order, the same on every machine). */
  sorted?: boolean;
  /** Whether to walk into a folder; `false` reports it instead (see `onSkip`). */
  enter?: (dir: string, entry: Dirent) => boolean;
  /** Called for each folder `enter` refused. */
  onSkip?: (dir: string) => void;
}

/**
 * Every non-folder entry under `dir` (files, symbolic links, anything else), depth
 * first. A symbolic link is reported, never followed. Nothing when `dir` is missing.
 */
export function* walk(dir: string, options: WalkOptions = {}): Generator<{ path: string; entry: Dirent }> {
  if (!existsSync(dir)) return;
  const visit = function* (d: string): Generator<{ path: string; entry: Dirent }> {
    const entries = readdirSync(d, { withFileTypes: true });
    if (options.sorted) entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (options.enter && !options.enter(path, entry)) options.onSkip?.(path);
        else yield* visit(path);
      } else yield { path, entry };
    }
  };
  yield* visit(dir);
}

/** Write a file by renaming a new one over it: readers never see half a file, and a hard-linked old copy is left alone. */
export function writeReplacing(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Hard-link (or copy, across devices) `files` from `from` into `to`, skipping files `to` already has. */
export function carryOver(from: string, to: string, files: string[]): number {
  let n = 0;
  const made = new Set<string>();
  for (const f of files) {
    const src = join(from, f);
    const dst = join(to, f);
    const dir = dirname(dst);
    if (!made.has(dir)) { mkdirSync(dir, { recursive: true }); made.add(dir); }
    // No existence check first: a stat per file was a third of the system calls.
    try {
      linkSync(src, dst);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      writeFileSync(dst, readFileSync(src));
    }
    n++;
  }
  return n;
}

/** Hard-link a whole folder tree (the search index) from `from` into `to`. */
export function carryOverTree(from: string, to: string): number {
  if (!existsSync(from)) return 0;
  return carryOver(from, to, [...walk(from)].map((f) => relative(from, f.path)));
}
