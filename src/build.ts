/**
 * The build, stage by stage. Each stage takes the previous stage's result:
 *
 *   context (src/context.ts, arguments and environment, read once)
 *   → unchanged?   nothing changed since the published build: publish it again
 *   → read + link  list, parse (cached), name, resolve and link the sources (pipeline.ts)
 *   → site data    the view model every page is printed from (site/data.ts)
 *   → render ∥ search
 *                  Eleventy renders the pages that changed (site/render.ts) while
 *                  Pagefind indexes the notes on the second core (search/pagefind.ts)
 *   → report       one line per message, then the counts (site/report.ts)
 *   → publish      the fresh folder replaces the output in one rename
 *
 * `npm run build` runs it once; `npm start` (src/serve.ts) runs it for every change,
 * publishing the pages first and indexing search right after (`live`).
 * Nothing travels between stages or builds through module state: a long-running
 * process keeps its memory in the `BuildMemory` it passes in.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { collectGarbage, fingerprintSources, SourceMemory } from "./caches.ts";
import { type BuildContext, renderSettings } from "./context.ts";
import { carryOver, carryOverTree, walk } from "./files.ts";
import { publishAssets } from "./resolve/assets.ts";
import { runPipeline, type PipelineResult } from "./pipeline.ts";
import { indexSite, type IndexStats } from "./search/pagefind.ts";
import { buildSiteData, type FieldsMemo, type SiteData } from "./site/data.ts";
import { renderSite } from "./site/render.ts";
import { codeHash, codeTrees, loadManifest, type Manifest, outputsIntact, saveManifest } from "./site/manifest.ts";
import type { HashMemo } from "./site/tracker.ts";
import { printReport } from "./site/report.ts";

/** What a long-running process (`npm start`) keeps from one build to the next. */
export interface BuildMemory {
  /** Parsed sources, validated notes, name matches, the entity index (null: a one-shot build reads them from .cache/). */
  sources: SourceMemory | null;
  /** Render plan: hashes of unchanged values by identity. */
  hashMemo: HashMemo;
  /** Site data: what each unchanged note derives from itself alone. */
  fields: FieldsMemo;
}

export function buildMemory(longRunning = false): BuildMemory {
  return { sources: longRunning ? new SourceMemory() : null, hashMemo: new WeakMap(), fields: new WeakMap() };
}

export interface Linked { result: PipelineResult; data: SiteData; ms: number }

export interface BuildOutcome {
  ok: boolean;
  /** The read, linked notes and site data (absent when the build re-published or failed early). */
  linked: Linked | null;
  rendered: number;
  kept: number;
  /** Output files of pages that no longer exist (not carried over). */
  removed: number;
  /** `searchAfter`: the index to build into the published folder (null: unchanged). */
  searchAfter: (() => Promise<IndexStats>) | null;
}

const REASONS = { new: "new", code: "templates or code changed", data: "data changed", missing: "missing" } as const;
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const num = (n: number) => n.toLocaleString("en-US");

function fault(ctx: BuildContext, stage: string): void {
  if (ctx.fault === stage) throw new Error(`injected fault at ${stage} (KB_FAULT)`);
}

function folderStats(dir: string, only?: (name: string) => boolean): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  for (const f of walk(dir)) {
    if (only && !only(relative(dir, f.path).split(sep)[0]!)) continue;
    files++;
    bytes += statSync(f.path).size;
  }
  return { files, bytes };
}

/** Prints what a long stage is doing every few seconds (one updating line on a terminal). */
function ticker(what: () => string): () => void {
  const tty = process.stdout.isTTY;
  const t = setInterval(() => {
    if (tty) process.stdout.write(`\r[kb] ${what()}\x1b[K`);
    else console.log(`[kb] ${what()}`);
  }, tty ? 1000 : 10000);
  t.unref();
  return () => { clearInterval(t); if (tty) process.stdout.write("\r\x1b[K"); };
}

/** Delete a folder in a detached process of its own: the build does not wait for it. */
function removeInBackground(path: string): void {
  spawn(process.execPath, ["-e", "require('node:fs').rmSync(process.argv[1], { recursive: true, force: true })", path], { detached: true, stdio: "ignore" }).unref();
}

/**
 * Leftovers of earlier builds whose process is gone: `<out>.tmp-<pid>` of a killed build,
 * `<out>.old-<pid>` of a replaced site (perhaps still being deleted). Deleted in the
 * background: nothing reads them, and a full site takes seconds to unlink.
 */
function removeLeftovers(out: string): void {
  const dir = dirname(out);
  const re = new RegExp(`^${basename(out).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(?:tmp|old)-(\\d+)(?:-\\d+)?$`);
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const m = re.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    let alive = true;
    try { process.kill(Number(m[1]), 0); } catch { alive = false; }
    if (!alive) removeInBackground(join(dir, name));
  }
}

/**
 * Keys of the build's inputs: all of them (nothing changed?), what the pages and what
 * the search index depend on. `npm start` (`fingerprint` false) does not read every
 * source for them: a change is why it builds, and the search index finds its own
 * changed shards.
 */
export function inputKeys(ctx: BuildContext, fingerprint = true): { inputs: string; render: string; search: string; sources: { files: number; bytes: number } | null } {
  const src = fingerprint ? fingerprintSources(ctx.seeds) : null;
  const trees = codeTrees(ctx.root);
  const render = codeHash(trees, renderSettings(ctx));
  // The search index is built from the notes and the entity index, not from pages: templates do not matter.
  const searchCode = codeHash({ src: trees.src, "package-lock.json": trees["package-lock.json"] }, [`search:${ctx.shardSize}`]);
  const h = (...parts: string[]) => createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 24);
  if (!src) return { inputs: "", render, search: "", sources: null };
  return {
    inputs: h(src.hash, render, `strict=${ctx.strict}`, `root=${ctx.root}`, `seeds=${ctx.seeds}`, `registry=${ctx.registryPath}`),
    render,
    search: h(src.hash, searchCode, `seeds=${ctx.seeds}`, `registry=${ctx.registryPath}`),
    sources: src,
  };
}

/** Read, parse and link the sources, and compute the site data. */
export function readAndLink(ctx: BuildContext, memory: BuildMemory = buildMemory()): Linked {
  const t0 = performance.now();
  const result = runPipeline({
    seedsDir: ctx.seeds,
    rootDir: ctx.root,
    cacheDir: ctx.parseCache,
    linkCacheDir: ctx.cacheRoot ? join(ctx.cacheRoot, "links") : null,
    registryPath: ctx.registryPath,
    memory: memory.sources,
  });
  const data = buildSiteData(result, ctx.site, memory.fields);
  return { result, data, ms: Math.round(performance.now() - t0) };
}

/**
 * Swap the fresh folder in. The replaced one is deleted after the swap, in the
 * background: by this process with `later` (`npm start`, where the next reload should
 * not wait for it), else by a detached process of its own, so `npm run build` returns
 * once the site is published (deleting 13,000 hard links took 1.5–2 s at 5,000 notes).
 * A deletion cut short is finished by the next build (`removeLeftovers`).
 */
function publish(tmp: string, out: string, later = false): void {
  const old = `${out}.old-${process.pid}${later ? `-${Date.now()}` : ""}`;
  const replaced = existsSync(out);
  if (replaced) renameSync(out, old);
  renameSync(tmp, out);
  if (!replaced) return;
  if (later) void rm(old, { recursive: true, force: true });
  else removeInBackground(old);
}

export interface BuildOptions {
  memory?: BuildMemory;
  /**
   * `npm start`: always read and link (the memory must hold the sources, even when the
   * published site is up to date), publish the pages first (with the previous search
   * index), and return the index to build after.
   */
  live?: boolean;
}

export async function runBuild(ctx: BuildContext, options: BuildOptions = {}): Promise<BuildOutcome> {
  const { out } = ctx;
  const memory = options.memory ?? buildMemory();
  const tmp = `${out}.tmp-${process.pid}`;
  const failed: BuildOutcome = { ok: false, linked: null, rendered: 0, kept: 0, removed: 0, searchAfter: null };
  removeLeftovers(out);
  rmSync(tmp, { recursive: true, force: true });
  const t0 = performance.now();
  /** Wall time per stage, printed with --verbose. */
  const stages: Array<[string, number]> = [];
  let lastMark = t0;
  const mark = (stage: string) => { const now = performance.now(); stages.push([stage, now - lastMark]); lastMark = now; };
  /** The search index being written into `tmp` beside the render (null when the published one is kept). */
  let searching: Promise<IndexStats> | null = null;
  try {
    // 1. Nothing changed since the published build: publish it again as it is.
    const live = options.live === true;
    const keys = inputKeys(ctx, !live);
    const prev = existsSync(out) && ctx.cacheRoot ? loadManifest(ctx.cacheRoot, out) : null;
    mark("input keys and manifest");
    if (keys.sources && prev && prev.extra.inputs === keys.inputs && outputsIntact(out, prev)) {
      const errors = Number(prev.extra.errors ?? 0);
      if (ctx.strict && errors > 0) {
        console.error(`[kb] --strict: the sources have ${errors} error(s) (unchanged since the last build); ${out} was left as it was`);
        return failed;
      }
      carryOverTree(out, tmp);
      fault(ctx, "before-publish");
      publish(tmp, out);
      saveManifest(ctx.cacheRoot!, out, prev);
      console.log(`[kb] nothing changed since the last build (${num(keys.sources.files)} source files, ${mb(keys.sources.bytes)}; ${prev.extra.summary ?? ""}); re-published ${out} in ${secs(performance.now() - t0)}`);
      return { ...failed, ok: true };
    }

    // 2. Read, parse and link the sources; the site data.
    const stopReading = ticker(() => "reading and linking sources…");
    let linked: Linked;
    try {
      linked = readAndLink(ctx, memory);
    } finally {
      stopReading();
    }
    mark("read, link, site data");
    // The pipeline's garbage (parses, the linker's tables) goes before rendering starts
    // (`npm start` keeps most of it in memory for the next change: no point).
    if (!live) collectGarbage();
    mark("garbage collection");
    const { result, data } = linked;

    // 3. Search reads the notes, not the pages: its index is built beside the render (the
    // Pagefind process on the second core), unless the notes did not change at all.
    const prevSearch = (prev?.extra.search as string[] | undefined) ?? [];
    const reuseSearch = !live && prev !== null && prev.extra.searchKey === keys.search && prevSearch.length > 0 && prevSearch.every((d) => existsSync(join(out, d)));
    const source = { notes: data.notes, index: result.index, contentKeys: result.noteKeys };
    const indexOptions = { shardSize: ctx.shardSize, workers: ctx.searchWorkers };
    const t2 = performance.now();
    let searchMs = 0;
    if (!reuseSearch && !live) {
      searching = indexSite(tmp, source, existsSync(out) ? out : null, indexOptions).then((stats) => { searchMs = performance.now() - t2; return stats; });
      // Until it is awaited below, a failure is held, not thrown into the render.
      searching.catch(() => {});
    }

    // 4. Render the pages whose inputs changed; keep the others.
    const prevDir = existsSync(out) ? out : null;
    let progress = "rendering…";
    const stopRender = ticker(() => progress);
    // Batches bound the pages Eleventy holds in memory when most pages render; with the
    // same templates and code as the previous output only changed pages do: one run.
    const incremental = prev !== null && prev.codeHash === keys.render;
    const batches = incremental ? 1 : Math.max(1, Math.ceil(result.stats.files / ctx.batchSize));
    let rendered;
    try {
      rendered = await renderSite({
        root: ctx.root, outDir: tmp, prevDir, prev, data, codeHash: keys.render, pathPrefix: ctx.site.pathPrefix,
        batches, planning: ctx.cacheRoot !== null, hashMemo: memory.hashMemo, collect: !live,
        progress: (pages, b) => { progress = `rendering${b.count > 1 ? ` (batch ${b.index + 1} of ${b.count})` : ""}: ${num(pages)} pages so far…`; },
      });
    } finally {
      stopRender();
    }
    const { written, plan } = rendered;
    const tRender = performance.now();
    mark("render");

    // 5. Report.
    const { errors, warnings } = printReport(linked, ctx.verbose);
    const tFinish = performance.now();
    const summary = plan?.finish(tmp, written) ?? null;
    if (ctx.verbose && summary) console.log(`[kb] manifest: ${num(Object.keys(summary.manifest.pages).length)} pages, ${num(summary.manifest.deps.length)} dependencies in ${secs(performance.now() - tFinish)}`);
    mark("report and manifest");
    const kept = summary && prevDir ? carryOver(prevDir, tmp, summary.keep) : 0;
    // Images and PDFs beside the sources, copied (an SVG as its sanitised text) under /media/.
    publishAssets(tmp, result.assets);
    // The pages only: the search index may still be being written beside them.
    const pages = folderStats(tmp, (name) => !name.startsWith("pagefind"));
    mark("keep unchanged pages, assets");
    const s = result.stats;
    console.log(`[kb] sources: ${num(s.files)} files${keys.sources ? ` (${mb(keys.sources.bytes)})` : ""} → ${num(s.notes)} notes; parse ${secs(s.parseMs)} (${num(s.cached)} from cache, ${num(s.files - s.cached)} parsed)`);
    console.log(`[kb] link: ${num(data.entities.length)} entities in ${secs(s.linkMs)} (${s.matched === null ? "the same notes as last time" : s.matched >= s.notes ? `all ${num(s.notes)} notes matched` : `${num(s.matched)} of ${num(s.notes)} notes matched, the others' matches kept`})`);
    const why = plan ? Object.entries(plan.reasons).filter(([, n]) => n > 0).map(([k, n]) => `${num(n)} ${REASONS[k as keyof typeof REASONS]}`).join(", ") : "";
    console.log(`[kb] render: ${num(written.length)} pages rendered${why ? ` (${why})` : ""}, ${num(kept)} unchanged kept${rendered.note ? ` (${rendered.note})` : ""}; ${num(pages.files)} files, ${mb(pages.bytes)} in ${secs(tRender - t0 - linked.ms)}`);
    fault(ctx, "after-render");
    if (ctx.verbose && plan?.changed.size) {
      const top = [...plan.changed].sort((a, b) => b[1] - a[1]).slice(0, 8);
      console.log(`[kb] render: pages re-rendered because of ${top.map(([dep, n]) => `${dep} (${num(n)})`).join(", ")}`);
    }
    if (ctx.strict && errors > 0) {
      console.error(`[kb] --strict: ${errors} error(s) reported; ${out} was left as it was`);
      await searching?.catch(() => {});
      rmSync(tmp, { recursive: true, force: true });
      return { ...failed, linked };
    }

    // 6. Search: the index started before rendering, or the published one when the notes did not change.
    let searchDirs: string[] = prevSearch;
    let searchLine = "unchanged notes, index kept";
    const tWait = performance.now();
    if (!searching) {
      for (const d of prevSearch) carryOverTree(join(out, d), join(tmp, d));
    } else {
      const stopSearch = ticker(() => `indexing search (${num(data.notes.length)} notes)…`);
      try {
        const stats = await searching;
        searchLine = `${num(stats.pages)} notes in ${stats.shards} shard(s), ${stats.indexed === stats.shards ? "all" : `${stats.indexed}`} indexed (${num(stats.indexedNotes)} notes)${stats.indexed < stats.shards ? `, ${stats.shards - stats.indexed} kept` : ""}`;
        searchDirs = stats.dirs;
      } finally {
        stopSearch();
      }
    }
    fault(ctx, "after-search");
    if (!live) {
      const index = folderStats(tmp, (name) => searchDirs.includes(name));
      console.log(`[kb] search: ${searchLine} → ${num(index.files)} files (${mb(index.bytes)}) in ${secs(searching ? searchMs : performance.now() - tWait)}${searching ? `, beside rendering (${secs(performance.now() - tWait)} waited after it)` : ""}`);
    }

    mark("search (waited)");
    // 7. Publish atomically: the old site stays in place until the new one is complete.
    fault(ctx, "before-publish");
    publish(tmp, out, live);
    const summaryText = `${num(s.notes)} notes, ${num(data.entities.length)} entities, ${errors} errors, ${warnings} warnings`;
    const manifest: Manifest | null = summary?.manifest ?? null;
    if (manifest && ctx.cacheRoot) {
      // `npm start` records no input keys: the next `npm run build` checks the sources itself.
      manifest.extra = { inputs: keys.inputs, searchKey: keys.search, search: searchDirs, errors: String(errors), summary: summaryText };
      saveManifest(ctx.cacheRoot, out, manifest);
    }
    mark("publish");
    if (ctx.verbose) console.log(`[kb] stages: ${stages.map(([s, ms]) => `${s} ${secs(ms)}`).join(", ")}`);
    if (!live) {
      const rss = process.resourceUsage().maxRSS * 1024;
      console.log(`[kb] published ${out} in ${secs(performance.now() - t0)} (${summaryText}; peak memory of this process ${mb(rss)})`);
    }
    const searchAfter = live
      ? async () => {
        const stats = await indexSite(out, source, out, indexOptions);
        // The published folder now holds the index of these notes: record it.
        if (manifest && ctx.cacheRoot && existsSync(out)) {
          manifest.extra = { ...manifest.extra, search: stats.dirs };
          saveManifest(ctx.cacheRoot, out, manifest);
        }
        return stats;
      }
      : null;
    return { ok: true, linked, rendered: written.length, kept, removed: summary?.stale.length ?? 0, searchAfter };
  } catch (err) {
    // A search index still being written into the folder finishes (or fails) first.
    await searching?.catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
    // Eleventy may still be finishing writes it started before the error: remove again at exit.
    process.once("exit", () => rmSync(tmp, { recursive: true, force: true }));
    console.error(`[kb] build failed, ${out} was left as it was: ${(err as Error).stack ?? err}`);
    return failed;
  }
}
