/**
 * `npm run bench [-- --sizes 1000,5000,10000] [--watch-sizes 1000,5000] [--search-sizes 1000] [--keep] [--skip-baseline]`
 *
 * For each size, on a synthetic corpus cut from the seeds (bench/corpus.ts), in a
 * frozen copy of the project (so edits made meanwhile do not leak in):
 *   (a) our full build from empty caches, `npm run build` as a user runs it, search
 *       included (the search step is also reported on its own);
 *       then the same build again with nothing changed;
 *   (b) the baseline: a minimal plain Eleventy project over the same notes
 *       (bench/baseline.ts), then the Pagefind CLI over its output;
 *   (c) our build again after adding one file;
 *   (d) `npm start` on the built site: the time from a new file in seeds/ to its pages
 *       being written (first its own page, then every page it touches: the end of
 *       the rebuild) and to the search index being updated;
 *   (e) the search step alone against Pagefind's own Chinese indexing of the same
 *       pages, and the bytes each query downloads in Chromium (bench/search.ts).
 * Wall time, peak memory of the process tree (Pagefind included), output and index
 * size. Prints a markdown report and writes it to bench/results/<date>.md (+ .json).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem, release } from "node:os";
import { join, resolve } from "node:path";
import { writeBaseline } from "./baseline.ts";
import { extraNote, noteSource, writeCorpus } from "./corpus.ts";
import { measure, type Measured, median, sampleTree } from "./proc.ts";
import { benchSearch, QUERIES, type SearchBench } from "./search.ts";
import { spawn } from "node:child_process";

const ROOT = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const opt = (name: string, def: string) => { const i = args.indexOf(name); return i >= 0 && args[i + 1] ? args[i + 1]! : def; };
const SIZES = opt("--sizes", "1000,5000,10000").split(",").map(Number);
const WATCH_SIZES = opt("--watch-sizes", SIZES.filter((n) => n <= 5000).join(",")).split(",").filter(Boolean).map(Number);
const KEEP = args.includes("--keep");
/** For experiments: our builds only. */
const SKIP_BASELINE = args.includes("--skip-baseline");
/**
 * (e) re-runs the search step and Pagefind's Chinese indexing (plus Chromium): about
 * 5 minutes at 10,000 notes, so by default only at the smallest size, which keeps a
 * full run under ~25 minutes. `--search-sizes 1000,5000,10000` for all of them.
 */
const SEARCH_SIZES = opt("--search-sizes", String(SIZES[0] ?? "")).split(",").filter(Boolean).map(Number);

const GB = 1024 ** 3, MB = 1024 ** 2;
const s = (ms: number | null | undefined) => (ms == null ? "–" : `${(ms / 1000).toFixed(1)} s`);
const gb = (b: number | null | undefined) => (b == null ? "–" : b >= GB ? `${(b / GB).toFixed(2)} GB` : `${Math.round(b / MB)} MB`);
const mbs = (b: number | null | undefined) => (b == null ? "–" : `${(b / MB).toFixed(0)} MB`);
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a == null || !b ? "–" : `${(a / b).toFixed(2)}×`);

function folderSize(dir: string, only?: (top: string) => boolean): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  const walk = (d: string, top: boolean) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (top && only && !only(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, false);
      else { files++; bytes += statSync(p).size; }
    }
  };
  walk(dir, true);
  return { files, bytes };
}

const isSearch = (top: string) => top.startsWith("pagefind");

/** A copy of the project as it is now (code, templates, registry), with its own caches. */
function freeze(work: string): string {
  const dir = join(work, "project");
  mkdirSync(dir, { recursive: true });
  for (const p of ["content", "templates", "src", "eleventy.config.ts", "package.json", "package-lock.json", "tsconfig.json"]) {
    if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** The stage timings our CLI prints (`[kb] render: … in 12.3 s`). */
function stage(out: string, name: string): number | null {
  const m = new RegExp(`\\[kb\\] ${name}: .* in ([\\d.]+) s`).exec(out);
  return m ? Number(m[1]) * 1000 : null;
}
function linkMs(out: string): number | null {
  const m = /\[kb\] link: .* in ([\d.]+) s/.exec(out);
  return m ? Number(m[1]) * 1000 : null;
}

interface OurBuild { wall: number; peak: number; peakNoSearch: number | null; untilSearch: number | null; search: number | null; render: number | null; link: number | null; site: number; index: number; files: number; status: number; summary: string }

/**
 * The Node flags `npm run build` and `npm start` give (package.json's scripts: the heap
 * limit), so the benchmark runs what a user runs.
 */
const NODE_FLAGS = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> })
  .scripts.build!.split(/\s+/).filter((a) => a.startsWith("--max-old-space-size="));

async function ourBuild(project: string, seeds: string, cache: string, site: string, label: string): Promise<OurBuild> {
  const m = await measure(process.execPath, [...NODE_FLAGS, "--import", "tsx", "src/cli.ts", "build", "--out", site], {
    cwd: project,
    env: { KB_SEEDS: seeds, KB_CACHE_DIR: cache },
    marks: { render: /\[kb\] render: /, search: /\[kb\] search: / },
    phase: "render",
    echo: /\[kb\] (sources|link|render|search|published|nothing|build failed)/,
  });
  if (m.status !== 0) throw new Error(`${label} failed:\n${m.out.slice(-3000)}`);
  const all = folderSize(site);
  const index = folderSize(site, isSearch);
  return {
    wall: m.ms, peak: m.peak, peakNoSearch: m.peakBefore, untilSearch: m.marks.render ?? null,
    search: stage(m.out, "search"), render: stage(m.out, "render"), link: linkMs(m.out),
    site: all.bytes - index.bytes, index: index.bytes, files: all.files, status: m.status,
    summary: m.out.split("\n").filter((l) => /\[kb\] (render|nothing)/.test(l)).join(" / "),
  };
}

interface Baseline { eleventy: Measured; pagefind: Measured; site: number; index: number; files: number; pages: number }

async function baseline(dir: string): Promise<Baseline> {
  const eleventy = await measure(process.execPath, ["node_modules/@11ty/eleventy/cmd.cjs", "--quiet"], { cwd: dir, echo: /Wrote/ });
  if (eleventy.status !== 0) throw new Error(`baseline eleventy failed:\n${eleventy.out.slice(-3000)}`);
  const pages = folderSize(join(dir, "_site")).files;
  const pagefind = await measure(process.execPath, ["node_modules/pagefind/lib/runner/bin.cjs", "--site", "_site"], { cwd: dir, echo: /Finished|Indexed \d+ pages/ });
  if (pagefind.status !== 0) throw new Error(`baseline pagefind failed:\n${pagefind.out.slice(-3000)}`);
  const all = folderSize(join(dir, "_site"));
  const index = folderSize(join(dir, "_site"), isSearch);
  return { eleventy, pagefind, site: all.bytes - index.bytes, index: index.bytes, files: all.files, pages };
}

interface Watch { notePage: number | null; allPages: number | null; search: number | null; rendered: string; peak: number }

/** `npm start` on the built site; add one file; time its page, the end of the rebuild, the search index. */
async function watchLatency(project: string, seeds: string, cache: string, site: string, n: number): Promise<Watch> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [...NODE_FLAGS, "--import", "tsx", "src/cli.ts", "serve", "--out", site], {
    cwd: project, env: { ...process.env, KB_SEEDS: seeds, KB_CACHE_DIR: cache, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"],
  });
  const mem = sampleTree(child.pid!);
  let log = "";
  const stamps: Array<[number, string]> = [];
  const onData = (b: Buffer) => {
    const t = performance.now();
    log += b.toString();
    for (const line of b.toString().split("\n")) if (line.trim()) stamps.push([t, line]);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const until = async (test: () => boolean, what: string, ms = 1_800_000) => {
    const t0 = performance.now();
    while (!test()) {
      if (child.exitCode !== null) throw new Error(`server exited before ${what}:\n${log.slice(-3000)}`);
      if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}:\n${log.slice(-3000)}`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  };
  try {
    await until(() => /\[kb\] serving/.test(log), "the server");
    // Let the start-up rebuild and any search index it triggers finish.
    await new Promise((ok) => setTimeout(ok, 3000));
    await until(() => !/indexing search…(?![\s\S]*search index updated)/.test(log), "the start-up search index");
    const note = extraNote(n + 2);
    const id = note.file.replace(/\.md$/, "");
    const mark = stamps.length;
    const t0 = performance.now();
    writeFileSync(join(seeds, note.file), noteSource(note));
    let notePage: number | null = null;
    await until(() => {
      if (notePage === null && existsSync(join(site, "notes", id, "index.html"))) notePage = performance.now() - t0;
      return stamps.slice(mark).some(([, l]) => l.includes("[kb] rebuilt:"));
    }, "the rebuild");
    const rebuilt = stamps.slice(mark).find(([, l]) => l.includes("[kb] rebuilt:"))!;
    if (notePage === null && existsSync(join(site, "notes", id, "index.html"))) notePage = rebuilt[0] - t0;
    await until(() => stamps.slice(mark).some(([, l]) => l.includes("search index updated")), "the search index");
    const searched = stamps.slice(mark).find(([, l]) => l.includes("search index updated"))!;
    return { notePage, allPages: rebuilt[0] - t0, search: searched[0] - t0, rendered: rebuilt[1].replace(/^\[kb\] rebuilt: /, ""), peak: mem.peak() };
  } finally {
    mem.stop();
    child.kill("SIGTERM");
    await new Promise((ok) => { const t = setTimeout(() => { child.kill("SIGKILL"); ok(null); }, 5000); child.once("exit", () => { clearTimeout(t); ok(null); }); });
  }
}

interface SizeResult { n: number; corpusMB: number; entities: number | null; first: OurBuild; second: OurBuild; added: OurBuild; base: Baseline | null; watch: Watch | null; search: SearchBench | null }

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "kb-bench-"));
  const started = new Date();
  const load0 = loadavg();
  console.log(`[bench] sizes ${SIZES.join(", ")}; watch at ${WATCH_SIZES.join(", ") || "none"}; work folder ${work}`);
  const project = freeze(work);
  const results: SizeResult[] = [];
  try {
    for (const n of SIZES) {
      console.log(`\n[bench] ${n.toLocaleString("en-US")} notes`);
      const seeds = join(work, `seeds-${n}`);
      const notes = writeCorpus(n, seeds);
      const corpusMB = notes.reduce((t, x) => t + Buffer.byteLength(noteSource(x)), 0) / MB;
      const cache = join(work, `cache-${n}`, "notes");
      const site = join(work, `site-${n}`);
      console.log(`  (a) our full build, empty caches`);
      const first = await ourBuild(project, seeds, cache, site, "first build");
      console.log(`  (a) the same build again, nothing changed`);
      const second = await ourBuild(project, seeds, cache, site, "second build");
      const entities = (() => { try { return (JSON.parse(readFileSync(join(site, "api", "entities.json"), "utf8")) as unknown[]).length; } catch { return null; } })();
      let search: SearchBench | null = null;
      if (SEARCH_SIZES.includes(n)) {
        console.log(`  (e) search step: ours vs plain Pagefind Chinese indexing of the same pages, bytes per query in Chromium`);
        search = await benchSearch(site, seeds, cache);
        console.log(`      ours ${s(search.ours.ms)} ${gb(search.ours.peak)}; Pagefind zh ${search.baseline ? `${s(search.baseline.ms)} ${gb(search.baseline.peak)}` : "skipped"}`);
      }
      let base: Baseline | null = null;
      if (!SKIP_BASELINE) {
        console.log(`  (b) baseline: plain Eleventy + Pagefind`);
        const bdir = join(work, `baseline-${n}`);
        writeBaseline(bdir, notes, join(ROOT, "node_modules"));
        base = await baseline(bdir);
        if (!KEEP) rmSync(bdir, { recursive: true, force: true });
      }
      console.log(`  (c) our build after adding one file`);
      const extra = extraNote(n + 1);
      writeFileSync(join(seeds, extra.file), noteSource(extra));
      const added = await ourBuild(project, seeds, cache, site, "build after adding a file");
      let watch: Watch | null = null;
      if (WATCH_SIZES.includes(n)) {
        console.log(`  (d) npm start: a new file → its pages → the search index`);
        watch = await watchLatency(project, seeds, cache, site, n);
        console.log(`      note page ${s(watch.notePage)}, every page ${s(watch.allPages)} (${watch.rendered}), search ${s(watch.search)}`);
      }
      results.push({ n, corpusMB, entities, first, second, added, base, watch, search });
      if (!KEEP) for (const d of [seeds, site, join(work, `cache-${n}`)]) rmSync(d, { recursive: true, force: true });
    }
  } finally {
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  }
  const report = markdown(results, started, load0, loadavg());
  console.log(`\n${report}`);
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = started.toISOString().slice(0, 16).replace(/[:T]/g, "-");
  writeFileSync(join(dir, `${stamp}.md`), report);
  writeFileSync(join(dir, `${stamp}.json`), JSON.stringify(results.map((r) => ({ ...r, base: r.base && { ...r.base, eleventy: { ...r.base.eleventy, out: undefined }, pagefind: { ...r.base.pagefind, out: undefined } } })), null, 2));
  console.log(`[bench] written to bench/results/${stamp}.md`);
}

function markdown(rs: SizeResult[], started: Date, load0: number[], load1: number[]): string {
  const cpu = cpus();
  const lines: string[] = [];
  lines.push(`Measured ${started.toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpu.length} × ${cpu[0]?.model ?? "?"}, ${(totalmem() / GB).toFixed(0)} GB RAM, Linux ${release()}, Node ${process.version}; load average ${load0[0]!.toFixed(1)} at the start, ${load1[0]!.toFixed(1)} at the end.`);
  lines.push("");
  lines.push("Synthetic corpora from bench/corpus.ts (the seeds' text cut and recombined, 2–30 KB notes). Times are wall clock of one run; memory is the peak of the whole process tree (RSS, Pagefind included).");
  lines.push("");
  lines.push("| | " + rs.map((r) => `${r.n.toLocaleString("en-US")} notes`).join(" | ") + " |");
  lines.push("|---|" + rs.map(() => "---:").join("|") + "|");
  const row = (label: string, f: (r: SizeResult) => string) => lines.push(`| ${label} | ${rs.map(f).join(" | ")} |`);
  row("corpus", (r) => `${r.corpusMB.toFixed(0)} MB, ${r.entities ?? "?"} entity pages`);
  row("**(b) baseline: plain Eleventy**", (r) => (r.base ? `${s(r.base.eleventy.ms)}, ${gb(r.base.eleventy.peak)}` : "not run"));
  row("(b) baseline: Pagefind CLI", (r) => (r.base ? `${s(r.base.pagefind.ms)}, ${gb(r.base.pagefind.peak)}` : "not run"));
  row("(b) baseline output / index", (r) => (r.base ? `${r.base.pages} files, ${mbs(r.base.site)} / ${mbs(r.base.index)}` : "–"));
  row("**(a) our full build, search excluded**", (r) => `${s(r.first.untilSearch)}, ${gb(r.first.peakNoSearch)}`);
  row("　of which link (entity index)", (r) => s(r.first.link));
  row("　of which render (Eleventy)", (r) => s(r.first.render));
  row("**ratio to plain Eleventy**", (r) => ratio(r.first.untilSearch, r.base?.eleventy.ms));
  row("(a) our search step", (r) => `${s(r.first.search)}`);
  row("(a) our full build, total", (r) => `${s(r.first.wall)}, ${gb(r.first.peak)}`);
  row("ratio to Eleventy + Pagefind", (r) => ratio(r.first.wall, r.base ? r.base.eleventy.ms + r.base.pagefind.ms : null));
  row("(a) output / index", (r) => `${r.first.files} files, ${mbs(r.first.site)} / ${mbs(r.first.index)}`);
  row("**second build, nothing changed**", (r) => `${s(r.second.wall)} (${ratio(r.second.wall, r.first.wall)} of the first)`);
  row("(c) build after adding one file", (r) => `${s(r.added.wall)}, ${gb(r.added.peak)}`);
  row("　of which link / render / search", (r) => `${s(r.added.link)} / ${s(r.added.render)} / ${s(r.added.search)}`);
  row("　pages rendered", (r) => r.added.summary.replace(/.*render: ([\d,]+) pages rendered.*?([\d,]+) unchanged kept.*/, "$1 rendered, $2 kept"));
  row("**(d) npm start: new file → its page**", (r) => (r.watch ? s(r.watch.notePage) : "not run"));
  row("**(d) → every page it touches**", (r) => (r.watch ? `${s(r.watch.allPages)} (${r.watch.rendered.replace(/ \(.*\)$/, "")})` : "not run"));
  row("**(d) → search index**", (r) => (r.watch ? s(r.watch.search) : "not run"));
  row("(d) server peak memory", (r) => (r.watch ? gb(r.watch.peak) : "–"));
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const zh = (r: SizeResult, f: (b: NonNullable<SearchBench["baseline"]>) => string) => (r.search?.baseline ? f(r.search.baseline) : r.search ? "skipped" : "not run");
  const ours = (r: SizeResult, f: (o: SearchBench["ours"]) => string) => (r.search ? f(r.search.ours) : "not run");
  row("**(e) search step: ours**", (r) => ours(r, (o) => `${s(o.ms)}, ${gb(o.peak)}`));
  row("(e) search step: Pagefind, Chinese (jieba)", (r) => zh(r, (b) => `${s(b.ms)}, ${gb(b.peak)}`));
  row("**ratio to Pagefind Chinese: time / memory**", (r) => zh(r, (b) => `${ratio(r.search!.ours.ms, b.ms)} / ${ratio(r.search!.ours.peak, b.peak)}`));
  row("(e) index: ours / Pagefind Chinese", (r) => ours(r, (o) => `${mbs(o.bytes)} in ${o.files} files / ${zh(r, (b) => `${mbs(b.bytes)} in ${b.files} files`)}`));
  row("(e) bytes per query, median / mean (max): ours", (r) => ours(r, (o) => `${kb(o.medianQueryBytes)} / ${kb(o.queryBytes)} (${kb(o.maxQueryBytes)}); engine load ${kb(o.initBytes)}`));
  row("(e) bytes per query, median / mean (max): Pagefind Chinese", (r) => zh(r, (b) => `${kb(b.medianQueryBytes)} / ${kb(b.queryBytes)} (${kb(b.maxQueryBytes)}); engine load ${kb(b.initBytes)}`));
  row("**(e) last keystroke → results, median (max): ours**", (r) => ours(r, (o) => latencyCell(o.latencyMs)));
  lines.push("");
  lines.push(`(e) measures the search step alone (pipeline from the parse cache, then indexing; memory includes the pipeline's Node process), against the Pagefind CLI over the same note pages with \`lang="zh-CN"\`. Bytes per query: what Chromium downloads from the index for each of ${QUERIES.length} queries (${QUERIES.join("、")}), first page of results included. Latency: in Chromium, each query typed key by key into the search page, from the last input event to the status line announcing the results (the page waits 250 ms after the last keystroke before it searches; that wait is included).`);
  return lines.join("\n") + "\n";
}

function latencyCell(ms: number[]): string {
  if (!ms.length) return "not measured";
  return `${Math.round(median(ms))} ms (${Math.max(...ms)} ms)`;
}

await main();
