/**
 * The render manifest: per page, its output file and what it read (dependencies and
 * their hashes), with the hash of the code the pages were rendered with; one per output
 * folder, in `.cache/render/`. And the digests of the code a page is rendered with.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { walk, writeReplacing } from "../files.ts";
import { digest } from "./tracker.ts";

export const MANIFEST_VERSION = 1;
export const toPosix = (p: string) => p.split(sep).join("/");

/** One page in the manifest: its output file (relative to the output folder) and what it read. */
export interface PageRecord { out: string; deps: number[] }

export interface Manifest {
  version: number;
  /** Hash of templates, code and settings the pages were rendered with. */
  codeHash: string;
  /** Inode of the output folder this manifest describes (a different folder: no manifest). */
  ino: number;
  pages: Record<string, PageRecord>;
  deps: string[];
  hashes: string[];
  /** Every page file in the output folder (tracked or not). */
  outputs: string[];
  /** Build-wide stamps kept for the CLI (sources fingerprint, search key, search folders). */
  extra: Record<string, string | string[] | undefined>;
}

/** What besides `kb` shapes a page: templates, all code, the lockfile (folders or files of the project). */
export const WATCHED_CODE = ["content", "templates", "src", "eleventy.config.ts", "package-lock.json"] as const;
export type CodeTree = (typeof WATCHED_CODE)[number];

/** A digest of each of WATCHED_CODE (paths and bytes of every file under it), read once per build. */
export function codeTrees(root: string): Record<CodeTree, string> {
  const digestOf = (tree: string) => {
    const h = createHash("sha256");
    const top = join(root, tree);
    const files = existsSync(top) && statSync(top).isFile() ? [top] : [...walk(top, { sorted: true })].map((f) => f.path);
    for (const f of files) h.update(toPosix(relative(root, f))).update("\0").update(readFileSync(f)).update("\n");
    return h.digest("hex");
  };
  return Object.fromEntries(WATCHED_CODE.map((t) => [t, digestOf(t)])) as Record<CodeTree, string>;
}

/**
 * Hash of the code `trees` (digests from `codeTrees`) and `settings`: with every tree,
 * what a page is rendered with; with `src` and the lockfile, what the search index is.
 */
export function codeHash(trees: Partial<Record<CodeTree, string>>, settings: string[] = []): string {
  const h = createHash("sha256").update(`v${MANIFEST_VERSION}\n`);
  for (const t of WATCHED_CODE) if (trees[t] !== undefined) h.update(`${t}\0${trees[t]}\n`);
  for (const e of settings) h.update(e).update("\n");
  return h.digest("hex").slice(0, 24);
}

export function manifestPath(cacheRoot: string, outDir: string): string {
  return join(cacheRoot, "render", `${digest(resolve(outDir)).replace(/[/+]/g, "_")}.json`);
}

/** The manifest describing `outDir`, or null (none, unreadable, another folder, old format). */
export function loadManifest(cacheRoot: string, outDir: string): Manifest | null {
  const path = manifestPath(cacheRoot, outDir);
  if (!existsSync(path) || !existsSync(outDir)) return null;
  try {
    const m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    if (m.version !== MANIFEST_VERSION || m.ino !== statSync(outDir).ino) return null;
    return m;
  } catch {
    return null;
  }
}

export function saveManifest(cacheRoot: string, outDir: string, m: Manifest): void {
  const path = manifestPath(cacheRoot, outDir);
  mkdirSync(dirname(path), { recursive: true });
  m.ino = statSync(outDir).ino;
  writeReplacing(path, JSON.stringify(m));
}


/** Whether every page file the manifest lists is still in `outDir` (false: the folder was touched). */
export function outputsIntact(outDir: string, m: Manifest): boolean {
  for (const f of m.outputs) {
    try {
      if (!statSync(join(outDir, f)).isFile()) return false;
    } catch {
      return false;
    }
  }
  return true;
}
