/**
 * `npm run build` and `npm start`.
 *
 *   build [--strict] [--out DIR]  one full build into a fresh folder, Pagefind included;
 *                                 the output folder is replaced only when all of it succeeded.
 *   serve                         build, serve on PORT (8080) with live reload, rebuild on
 *                                 every change in seeds/, re-index search after each build.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import Eleventy from "@11ty/eleventy";
import { indexSite } from "./search/pagefind.ts";
import { printReport } from "./site/report.ts";

const CONFIG = "eleventy.config.ts";

function folderStats(dir: string): { files: number; bytes: number } {
  let files = 0, bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else { files++; bytes += statSync(p).size; }
    }
  };
  if (existsSync(dir)) walk(dir);
  return { files, bytes };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

async function build(args: string[]): Promise<number> {
  const strict = args.includes("--strict") || process.env.KB_STRICT === "1";
  const verbose = args.includes("--verbose");
  const outArg = args.indexOf("--out");
  const out = resolve(outArg >= 0 && args[outArg + 1] ? args[outArg + 1]! : "_site");
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const t0 = performance.now();
  try {
    const elev = new Eleventy("content", tmp, { configPath: CONFIG, quietMode: true });
    await elev.write();
    const t1 = performance.now();
    const { errors } = printReport(verbose);
    const pages = folderStats(tmp);
    console.log(`[kb] eleventy wrote ${pages.files} files (${mb(pages.bytes)}) in ${Math.round(t1 - t0)} ms`);
    if (strict && errors > 0) {
      console.error(`[kb] --strict: ${errors} error(s) reported; ${out} was left as it was`);
      rmSync(tmp, { recursive: true, force: true });
      return 1;
    }
    const search = await indexSite(tmp);
    const index = folderStats(join(tmp, "pagefind"));
    console.log(`[kb] pagefind indexed ${search.pages} pages → ${index.files} files (${mb(index.bytes)}) in ${search.ms} ms`);
    // Publish atomically: the old site stays in place until the new one is complete.
    const old = `${out}.old-${process.pid}`;
    if (existsSync(out)) renameSync(out, old);
    renameSync(tmp, out);
    rmSync(old, { recursive: true, force: true });
    console.log(`[kb] published ${out} in ${Math.round(performance.now() - t0)} ms`);
    return 0;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    console.error(`[kb] build failed, ${out} was left as it was: ${(err as Error).stack ?? err}`);
    return 1;
  }
}

async function serve(): Promise<void> {
  process.env.KB_RUN_MODE = "serve";
  const port = Number(process.env.PORT ?? 8080);
  const elev = new Eleventy("content", "_site", { configPath: CONFIG, quietMode: true, runMode: "serve" });
  await elev.init();
  await elev.watch();
  await elev.serve(port);
  console.log(`[kb] serving http://localhost:${port}/ — edit files in seeds/ and the site rebuilds`);
}

const [command = "build", ...rest] = process.argv.slice(2);
if (command === "build") process.exitCode = await build(rest);
else if (command === "serve") await serve();
else {
  console.error(`usage: tsx src/cli.ts build [--strict] [--verbose] [--out DIR] | serve`);
  process.exitCode = 2;
}
