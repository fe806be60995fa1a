/**
 * `npm run build` and `npm start`.
 *
 *   build [--strict] [--verbose] [--out DIR]
 *       One build into a fresh folder `DIR.tmp-<pid>`, search index included; DIR is
 *       replaced (rename) only when all of it succeeded, so a failed or killed build
 *       leaves the previous site as it was. Work is skipped where inputs did not change:
 *       parsed sources and the entity index come from .cache/, pages whose inputs are
 *       unchanged are hard-linked from the previous DIR instead of rendered (see
 *       src/site/render-plan.ts), and so is the search index when no note changed. With
 *       nothing changed at all, the previous site is re-published as it is.
 *   serve [--out DIR]
 *       Build into DIR (_site), serve it on PORT (8080, loopback) with live reload. Adding,
 *       changing, renaming or deleting a file in seeds/ re-renders the pages it touches,
 *       deletes pages whose source is gone, then re-indexes search in the background.
 */
import { watch as watchFs, existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { carryOver, carryOverTree, walk } from "./files.ts";
import Eleventy from "@11ty/eleventy";
import { fingerprintSources, keepParsesInMemory } from "./caches.ts";
import { indexSite, type IndexStats } from "./search/pagefind.ts";
import { collectGarbage, computeSiteData, currentRender, finishRender, lastBuild, nextBatch, outputsIntact, projectPaths, publishedManifest, publishManifest, renderInto } from "./site/build-state.ts";
import { codeHash, type Manifest, tracker } from "./site/render-plan.ts";
import { printReport } from "./site/report.ts";
import { publishAssets } from "./resolve/assets.ts";

const CONFIG = "eleventy.config.ts";
/** Sources per Eleventy run in a large build (bounds the rendered pages held in memory). */
const PAGES_PER_BATCH = Number(process.env.KB_BATCH_SIZE ?? 2500);
const REASONS = { new: "new", code: "templates or code changed", data: "data changed", missing: "missing" } as const;

function folderStats(dir: string, only?: (name: string) => boolean): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  for (const f of walk(dir)) {
    if (only && !only(relative(dir, f.path).split(sep)[0]!)) continue;
    files++;
    bytes += statSync(f.path).size;
  }
  return { files, bytes };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const num = (n: number) => n.toLocaleString("en-US");

/** Test hook: `KB_FAULT=<stage>` throws at that stage, to check a failed build publishes nothing. */
function fault(stage: string): void {
  if (process.env.KB_FAULT === stage) throw new Error(`injected fault at ${stage} (KB_FAULT)`);
}

/** Leftovers of builds that were killed: `<out>.tmp-<pid>` / `<out>.old-<pid>` whose process is gone. */
function removeLeftovers(out: string): void {
  const dir = dirname(out);
  const re = new RegExp(`^${basename(out).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(?:tmp|old)-(\\d+)$`);
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const m = re.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    let alive = true;
    try { process.kill(Number(m[1]), 0); } catch { alive = false; }
    if (!alive) rmSync(join(dir, name), { recursive: true, force: true });
  }
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

/** Keys of the build's inputs: all of them (nothing changed?) and those the search index depends on. */
function inputKeys(root: string, seeds: string, strict: boolean): { inputs: string; search: string; sources: { files: number; bytes: number } } {
  const src = fingerprintSources(seeds);
  const code = codeHash(root);
  // The search index is built from the notes and the entity index, not from pages: templates do not matter.
  const searchCode = codeHash(root, [`search:${process.env.KB_SEARCH_SHARD_SIZE ?? ""}`], ["src", "package-lock.json"]);
  const h = (...parts: string[]) => createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 24);
  return {
    inputs: h(src.hash, code, `strict=${strict}`, `root=${root}`, `seeds=${seeds}`),
    search: h(src.hash, searchCode, `seeds=${seeds}`),
    sources: src,
  };
}

function publish(tmp: string, out: string): void {
  const old = `${out}.old-${process.pid}`;
  if (existsSync(out)) renameSync(out, old);
  renameSync(tmp, out);
  rmSync(old, { recursive: true, force: true });
}

async function build(args: string[]): Promise<number> {
  const strict = args.includes("--strict") || process.env.KB_STRICT === "1";
  const verbose = args.includes("--verbose");
  const outArg = args.indexOf("--out");
  const out = resolve(outArg >= 0 && args[outArg + 1] ? args[outArg + 1]! : "_site");
  const tmp = `${out}.tmp-${process.pid}`;
  const paths = projectPaths();
  removeLeftovers(out);
  rmSync(tmp, { recursive: true, force: true });
  const t0 = performance.now();
  /** The search index being written into `tmp` beside the render (null when the published one is kept). */
  let searching: Promise<IndexStats> | null = null;
  try {
    // 0. Nothing changed since the published build: publish it again as it is.
    const keys = inputKeys(paths.root, paths.seeds, strict);
    const prev = existsSync(out) ? publishedManifest(out) : null;
    if (prev && prev.extra.inputs === keys.inputs && outputsIntact(out, prev)) {
      const errors = Number(prev.extra.errors ?? 0);
      if (strict && errors > 0) {
        console.error(`[kb] --strict: the sources have ${errors} error(s) (unchanged since the last build); ${out} was left as it was`);
        return 1;
      }
      carryOverTree(out, tmp);
      fault("before-publish");
      publish(tmp, out);
      publishManifest(out, prev);
      console.log(`[kb] nothing changed since the last build (${num(keys.sources.files)} source files, ${mb(keys.sources.bytes)}; ${prev.extra.summary ?? ""}); re-published ${out} in ${secs(performance.now() - t0)}`);
      return 0;
    }

    // 1. Read, parse and link the sources, and compute the site data (Eleventy's `kb`).
    const state = computeSiteData();
    // 2. Search reads the notes, not the pages: its index is built beside the render (the
    // Pagefind process on the second core), unless the notes did not change at all.
    const prevSearch = (prev?.extra.search as string[] | undefined) ?? [];
    const reuseSearch = prev !== null && prev.extra.searchKey === keys.search && prevSearch.length > 0 && prevSearch.every((d) => existsSync(join(out, d)));
    const t2 = performance.now();
    let searchMs = 0;
    searching = reuseSearch ? null : indexSite(tmp, { notes: state.data.notes, index: state.result.index }, existsSync(out) ? out : null)
      .then((stats) => { searchMs = performance.now() - t2; return stats; });
    // Until it is awaited below, a failure is held, not thrown into the render.
    searching?.catch(() => {});

    // 3. Render. A large site renders in batches: Eleventy keeps every page it renders in
    // memory until its run ends.
    const batches = Math.max(1, Math.ceil(keys.sources.files / PAGES_PER_BATCH));
    renderInto(tmp, out, batches);
    const stop = ticker(() => {
      const plan = currentRender()?.plan;
      const b = currentRender()?.batch;
      return lastBuild() && plan ? `rendering${b ? ` (batch ${b.index + 1} of ${b.count})` : ""}: ${num(tracker.pagesRendered)} pages so far…` : "reading and linking sources…";
    });
    const written: string[] = [];
    try {
      do {
        const elev = new Eleventy("content", tmp, { configPath: CONFIG, quietMode: true });
        const [, templates] = (await elev.write()) as [unknown, Array<{ outputPath: string | false }>];
        for (const t of templates) if (typeof t.outputPath === "string") written.push(t.outputPath);
        collectGarbage();
      } while (nextBatch());
    } finally {
      stop();
    }
    const tRender = performance.now();
    const render = currentRender();
    const { errors, warnings } = printReport(verbose);
    const tFinish = performance.now();
    const summary = finishRender(written);
    if (verbose && summary) console.log(`[kb] manifest: ${num(Object.keys(summary.manifest.pages).length)} pages, ${num(summary.manifest.deps.length)} dependencies in ${secs(performance.now() - tFinish)}`);
    const kept = summary && render?.prevDir ? carryOver(render.prevDir, tmp, summary.keep) : 0;
    // Images and PDFs beside the sources, copied (an SVG as its sanitised text) under /media/.
    publishAssets(tmp, state.result.assets);
    // The pages only: the search index may still be being written beside them.
    const pages = folderStats(tmp, (name) => !name.startsWith("pagefind"));
    const s = state.result.stats;
    console.log(`[kb] sources: ${num(s.files)} files (${mb(keys.sources.bytes)}) → ${num(s.notes)} notes; parse ${secs(s.parseMs)} (${num(s.cached)} from cache, ${num(s.files - s.cached)} parsed)`);
    console.log(`[kb] link: ${num(state.data.entities.length)} entities in ${secs(s.linkMs)}${s.linkCached ? " (from cache)" : ""}`);
    const why = render?.plan ? Object.entries(render.plan.reasons).filter(([, n]) => n > 0).map(([k, n]) => `${num(n)} ${REASONS[k as keyof typeof REASONS]}`).join(", ") : "";
    console.log(`[kb] render: ${num(written.length)} pages rendered${why ? ` (${why})` : ""}, ${num(kept)} unchanged kept${render?.note ? ` (${render.note})` : ""}; ${num(pages.files)} files, ${mb(pages.bytes)} in ${secs(tRender - t0 - state.ms)}`);
    fault("after-render");
    if (verbose && render?.plan?.changed.size) {
      const top = [...render.plan.changed].sort((a, b) => b[1] - a[1]).slice(0, 8);
      console.log(`[kb] render: pages re-rendered because of ${top.map(([dep, n]) => `${dep} (${num(n)})`).join(", ")}`);
    }
    if (strict && errors > 0) {
      console.error(`[kb] --strict: ${errors} error(s) reported; ${out} was left as it was`);
      await searching?.catch(() => {});
      rmSync(tmp, { recursive: true, force: true });
      return 1;
    }

    // 4. Search: the index started before rendering, or the published one when the notes did not change.
    let searchDirs: string[];
    let searchLine: string;
    const tWait = performance.now();
    if (!searching) {
      for (const d of prevSearch) carryOverTree(join(out, d), join(tmp, d));
      searchDirs = prevSearch;
      searchLine = "unchanged notes, index kept";
    } else {
      const stopSearch = ticker(() => `indexing search (${num(state.data.notes.length)} notes)…`);
      try {
        const stats = await searching;
        searchLine = `${num(stats.pages)} notes in ${stats.shards} shard(s), ${stats.indexed === stats.shards ? "all" : `${stats.indexed}`} indexed (${num(stats.indexedNotes)} notes)${stats.indexed < stats.shards ? `, ${stats.shards - stats.indexed} kept` : ""}`;
        searchDirs = stats.dirs;
      } finally {
        stopSearch();
      }
    }
    fault("after-search");
    const index = folderStats(tmp, (name) => searchDirs.includes(name));
    console.log(`[kb] search: ${searchLine} → ${num(index.files)} files (${mb(index.bytes)}) in ${secs(searching ? searchMs : performance.now() - tWait)}${searching ? `, beside rendering (${secs(performance.now() - tWait)} waited after it)` : ""}`);

    // 3. Publish atomically: the old site stays in place until the new one is complete.
    fault("before-publish");
    publish(tmp, out);
    const summaryText = `${num(s.notes)} notes, ${num(state.data.entities.length)} entities, ${errors} errors, ${warnings} warnings`;
    if (summary) {
      const manifest: Manifest = summary.manifest;
      manifest.extra = { inputs: keys.inputs, searchKey: keys.search, search: searchDirs, errors: String(errors), summary: summaryText };
      publishManifest(out, manifest);
    }
    const rss = process.resourceUsage().maxRSS * 1024;
    console.log(`[kb] published ${out} in ${secs(performance.now() - t0)} (${summaryText}; peak memory of this process ${mb(rss)})`);
    return 0;
  } catch (err) {
    // A search index still being written into the folder finishes (or fails) first.
    await searching?.catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
    // Eleventy may still be finishing writes it started before the error: remove again at exit.
    process.once("exit", () => rmSync(tmp, { recursive: true, force: true }));
    console.error(`[kb] build failed, ${out} was left as it was: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

async function serve(args: string[]): Promise<void> {
  process.env.KB_RUN_MODE = "serve";
  keepParsesInMemory(true);
  const port = Number(process.env.PORT ?? 8080);
  const outArg = args.indexOf("--out");
  const out = outArg >= 0 && args[outArg + 1] ? args[outArg + 1]! : "_site";
  const paths = projectPaths();
  const elev = new Eleventy("content", out, { configPath: CONFIG, quietMode: true, runMode: "serve" });
  await elev.init();
  const rebuild = (await elev.watch()) as unknown as (path: string) => Promise<void>;
  // Eleventy's watcher does not rebuild when a file is deleted (or renamed away): we do.
  if (existsSync(paths.seeds)) {
    watchFs(paths.seeds, { recursive: true }, (event, name) => {
      if (event !== "rename" || !name) return;
      const path = join(paths.seeds, name.toString());
      if (!existsSync(path)) void rebuild(path);
    });
  }
  await listenOnLoopback();
  await elev.serve(port);
  console.log(`[kb] serving http://localhost:${port}/ — add, change or delete files in seeds/ and the site follows`);
}

/** The dev server listens on every interface by default; ours answers on loopback only (KB_HOST to change). */
async function listenOnLoopback(): Promise<void> {
  const host = process.env.KB_HOST ?? "127.0.0.1";
  const name = "@11ty/eleventy-dev-server";
  const mod = (await import(name)) as { default: { prototype: { _serverListen(port: number): void; server: { listen(o: object): void } } } };
  mod.default.prototype._serverListen = function (this: { server: { listen(o: object): void } }, p: number) {
    this.server.listen({ port: p, host });
  };
}

const [command = "build", ...rest] = process.argv.slice(2);
if (command === "build") process.exitCode = await build(rest);
else if (command === "serve") await serve(rest);
else {
  console.error(`usage: tsx src/cli.ts build [--strict] [--verbose] [--out DIR] | serve [--out DIR]`);
  process.exitCode = 2;
}
