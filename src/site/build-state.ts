/**
 * Runs the pipeline for Eleventy's global data and keeps the last result, so the
 * CLI can print the build summary and apply `--strict` after Eleventy is done.
 *
 * It also holds the render session of the build in progress (see render-plan.ts):
 * `beginRender` (Eleventy's `eleventy.before`) loads the manifest of the previous
 * output and makes the plan; `finishRender` records the new manifest and says
 * which files to keep from the previous output and which are stale.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { walk } from "../files.ts";
import v8 from "node:v8";
import vm from "node:vm";
import { runPipeline, type PipelineResult } from "../pipeline.ts";
import { buildSiteData, type SiteData } from "./data.ts";
import { codeHash, dropManifest, loadManifest, type Manifest, type PlanSummary, RenderPlan, saveManifest, tracker } from "./render-plan.ts";

export interface BuildState { result: PipelineResult; data: SiteData; ms: number }

let last: BuildState | null = null;

export function projectPaths() {
  const root = resolve(process.env.KB_ROOT ?? process.cwd());
  const cache = process.env.KB_CACHE === "off" ? null : resolve(root, process.env.KB_CACHE_DIR ?? ".cache/notes");
  return {
    root,
    seeds: resolve(root, process.env.KB_SEEDS ?? "seeds"),
    /** Parse cache. */
    cache,
    /** Folder of the other caches (entity index, render manifests): next to the parse cache. */
    cacheRoot: cache ? dirname(cache) : null,
  };
}

let tracked: SiteData | null = null;
/** Site data computed ahead of rendering (`npm run build`), handed to the next render. */
let primed: BuildState | null = null;

/**
 * Read, parse, link and compute the site data. `npm run build` calls it before
 * rendering, so that the search index can be built beside the render; `npm start`
 * leaves it to each rebuild's data load.
 */
export function computeSiteData(): BuildState {
  const t0 = performance.now();
  const paths = projectPaths();
  const result = runPipeline({
    seedsDir: paths.seeds,
    rootDir: paths.root,
    cacheDir: paths.cache,
    linkCacheDir: paths.cacheRoot ? join(paths.cacheRoot, "links") : null,
  });
  const data = buildSiteData(result);
  last = primed = { result, data, ms: Math.round(performance.now() - t0) };
  return last;
}

export function loadSiteData(): SiteData {
  // Later batches of one build render from the data the first batch computed.
  if (session?.batch && session.batch.index > 0 && tracked) return tracked;
  const state = primed ?? computeSiteData();
  primed = null;
  // The pipeline's garbage (parses, the linker's tables) goes before rendering starts.
  if (session && !session.inPlace) collectGarbage();
  // Templates get a tracking view of the data: what each page reads is recorded.
  return (tracked = tracker.track(state.data));
}

let gc: (() => void) | null = null;

/**
 * A full garbage collection. V8 lets the heap grow towards its limit (4 GB here)
 * before collecting; a build collects between its stages and batches instead, so
 * its memory stays near what it actually holds.
 */
export function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc") as () => void;
  }
  gc();
}

export function lastBuild(): BuildState | null {
  return last;
}

// ---- render sessions -------------------------------------------------------

export interface RenderSession {
  plan: RenderPlan | null;
  outDir: string;
  /** Where kept pages come from: the output itself (`npm start`) or the published site (`npm run build`). */
  prevDir: string | null;
  inPlace: boolean;
  /** Why nothing could be planned (every page renders), when that is the case. */
  note: string | null;
  /** A large build renders in several Eleventy runs (each holds its pages in memory until it ends). */
  batch: { index: number; count: number } | null;
  /** When the build started (`performance.now()`). */
  started: number;
}

let session: RenderSession | null = null;
let nextTarget: { outDir: string; prevDir: string; batches: number } | null = null;
/** `npm start`: the manifest of each output folder, kept between rebuilds. */
const inMemory = new Map<string, Manifest>();
/** `npm start`: the session of a build that never reached `finishRender` (it failed). */
let unfinished: RenderSession | null = null;

/**
 * The next build writes into the fresh folder `outDir` and keeps unchanged pages from
 * `prevDir`, in `batches` Eleventy runs (call `nextBatch` before each run after the first).
 */
export function renderInto(outDir: string, prevDir: string, batches = 1): void {
  nextTarget = { outDir: resolve(outDir), prevDir: resolve(prevDir), batches };
}

/** Move the session on to its next batch; false when all batches are done. */
export function nextBatch(): boolean {
  if (!session?.batch || session.batch.index + 1 >= session.batch.count) return false;
  session.batch = { index: session.batch.index + 1, count: session.batch.count };
  return true;
}

/** Whether the page `identity` renders in the current batch (always, without batches). */
export function inBatch(identity: string, paginated: boolean): boolean {
  const b = session?.batch;
  if (!b || b.count === 1) return true;
  if (!paginated) return b.index === 0;
  let h = 0;
  for (let i = 0; i < identity.length; i++) h = (h * 31 + identity.charCodeAt(i)) | 0;
  return ((h >>> 0) % b.count) === b.index;
}

/** Templates or includes that read what the tracker cannot see: planning is off while one does. */
function untrackableTemplates(root: string): string | null {
  for (const { path } of walk(join(root, "templates"))) {
    if (/\.(njk|html|md|liquid)$/.test(path) && /\bcollections\b|\bpagination\s*\./.test(readFileSync(path, "utf8"))) return path;
  }
  return null;
}

/** Called at `eleventy.before`: the plan for the build that writes into `outDir`. */
export function beginRender(outDir: string): RenderSession {
  const paths = projectPaths();
  const out = resolve(outDir);
  // A later batch of the same build: same plan, same data.
  if (session?.batch && session.batch.index > 0 && session.outDir === out) return session;
  const fresh = nextTarget && nextTarget.outDir === out ? nextTarget : null;
  nextTarget = null;
  const inPlace = !fresh;
  const prevDir = fresh ? fresh.prevDir : out;
  let prev: Manifest | null = null;
  let note: string | null = null;
  if (!paths.cacheRoot) note = "caching is off (KB_CACHE=off)";
  else {
    prev = (inPlace ? inMemory.get(out) : undefined) ?? loadManifest(paths.cacheRoot, prevDir);
    if (inPlace && prev && unfinished?.plan && unfinished.outDir === out) {
      // The last build failed part-way: pages it meant to render may be half-written.
      const dropped = unfinished.plan.planned();
      prev = { ...prev, pages: { ...prev.pages }, orphans: [...prev.orphans] };
      for (const id of dropped) {
        const rec = prev.pages[id];
        if (rec) { prev.orphans.push(rec.out); delete prev.pages[id]; }
      }
    }
    // Until this build finishes, the folder no longer matches a manifest on disk.
    if (inPlace) dropManifest(paths.cacheRoot, out);
    if (!prev) note = existsSync(prevDir) ? "no manifest for the previous output" : "first build";
  }
  const untrackable = untrackableTemplates(paths.root);
  if (untrackable) note = `${untrackable} reads collections or pagination.*, which are not tracked`;
  const plan = paths.cacheRoot && !untrackable ? new RenderPlan(prev, prevDir, codeHash(paths.root)) : null;
  tracked = null;
  const batch = fresh && fresh.batches > 1 ? { index: 0, count: fresh.batches } : null;
  session = { plan, outDir: out, prevDir: existsSync(prevDir) ? prevDir : null, inPlace, note, batch, started: performance.now() };
  unfinished = session;
  return session;
}

export function currentRender(): RenderSession | null {
  return session;
}

/**
 * After Eleventy wrote `written` (absolute paths): the new manifest (saved right away
 * for an in-place build, by the CLI after publishing otherwise) and what to keep/delete.
 */
export function finishRender(written: string[], extra: Manifest["extra"] = {}): PlanSummary | null {
  const s = session;
  unfinished = null;
  if (!s?.plan) return null;
  const paths = projectPaths();
  const summary = s.plan.finish(s.outDir, written, extra);
  if (s.inPlace && paths.cacheRoot) {
    inMemory.set(s.outDir, summary.manifest);
    if (existsSync(s.outDir)) saveManifest(paths.cacheRoot, s.outDir, summary.manifest);
  }
  return summary;
}

/** Record the manifest of a published folder (the CLI, after the rename). */
export function publishManifest(outDir: string, manifest: Manifest): void {
  const paths = projectPaths();
  if (!paths.cacheRoot || !existsSync(outDir)) return;
  saveManifest(paths.cacheRoot, resolve(outDir), manifest);
}

/** The manifest describing `outDir` (published by a previous build), if any. */
export function publishedManifest(outDir: string): Manifest | null {
  const paths = projectPaths();
  return paths.cacheRoot ? loadManifest(paths.cacheRoot, resolve(outDir)) : null;
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
