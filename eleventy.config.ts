/**
 * Eleventy wiring only: folders, plugins, filters and the `kb` global data.
 * All logic lives in src/ (see src/pipeline.ts for the stages).
 */
import { HtmlBasePlugin } from "@11ty/eleventy";
import rssPlugin from "@11ty/eleventy-plugin-rss";
import { printReport } from "./src/site/report.ts";
import { indexSite } from "./src/search/pagefind.ts";
import { beginRender, currentRender, finishRender, inBatch, lastBuild, loadSiteData, projectPaths } from "./src/site/build-state.ts";
import { patchNunjucks, planTemplate, removeOutputs } from "./src/site/render-plan.ts";
import { registerFilters } from "./src/site/filters.ts";
import { markdown } from "./src/site/markdown.ts";
import { publishAssets } from "./src/resolve/assets.ts";

// Eleventy 3 ships no TypeScript types; this is the part of its config API we use.
interface EleventyConfig {
  addGlobalData(name: string, value: () => unknown): void;
  addFilter(name: string, fn: (...args: never[]) => unknown): void;
  addPlugin(plugin: unknown, options?: unknown): void;
  addPassthroughCopy(map: Record<string, string>): void;
  addWatchTarget(path: string): void;
  setLibrary(name: string, lib: unknown): void;
  setServerOptions(options: Record<string, unknown>): void;
  setQuietMode(quiet: boolean): void;
  ignores: { add(glob: string): void };
  on(event: "eleventy.engine.njk", fn: (arg: { nunjucks: { Template: { prototype: object } } }) => unknown): void;
  on(event: string, fn: (arg: { directories: { output: string }; runMode: string; results?: Array<{ outputPath: string | false }> }) => unknown): void;
  addPreprocessor(name: string, extensions: string, fn: (data: Record<string, unknown>, content: unknown) => unknown): void;
}

export default function (eleventyConfig: EleventyConfig) {
  eleventyConfig.addGlobalData("kb", loadSiteData);
  // Incremental rendering (src/site/render-plan.ts): compiled templates are shared, what each
  // page reads from `kb` is recorded, and pages whose inputs did not change are not rendered.
  eleventyConfig.on("eleventy.engine.njk", ({ nunjucks }) => patchNunjucks(nunjucks));
  eleventyConfig.on("eleventy.before", ({ directories }) => { beginRender(directories.output); });
  eleventyConfig.addPreprocessor("kb-render-plan", "*", (data, content) => planTemplate(currentRender()?.plan ?? null, data, content, inBatch));
  eleventyConfig.addWatchTarget(projectPaths().seeds);
  eleventyConfig.addWatchTarget("./src/entities/registry.yaml");
  registerFilters(eleventyConfig);
  eleventyConfig.setLibrary("md", markdown);
  eleventyConfig.addPlugin(HtmlBasePlugin);
  eleventyConfig.addPlugin(rssPlugin);
  eleventyConfig.addPassthroughCopy({ "templates/assets": "assets", "src/search/query.js": "assets/search-query.js", "src/search/dates.js": "assets/dates.js" });
  eleventyConfig.setServerOptions({ port: Number(process.env.PORT ?? 8080), showAllHosts: false });
  eleventyConfig.setQuietMode(true);
  // `npm start` (and any build into the folder it served before): delete pages whose
  // source is gone, then re-index search in the background. The pages are live first.
  eleventyConfig.on("eleventy.after", async ({ directories, runMode, results }) => {
    const render = currentRender();
    if (!render?.inPlace) return; // `npm run build` finishes (and publishes) itself
    const written = (results ?? []).flatMap((r) => (typeof r.outputPath === "string" ? [r.outputPath] : []));
    const summary = finishRender(written);
    const removed = summary ? removeOutputs(render.outDir, summary.stale) : 0;
    const built = lastBuild();
    if (built) publishAssets(render.outDir, built.result.assets);
    if (runMode !== "serve" && runMode !== "watch") return;
    printReport(false);
    const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const data = lastBuild();
    console.log(`[kb] rebuilt: ${written.length} pages rendered, ${summary?.kept ?? 0} unchanged, ${removed} deleted in ${secs(performance.now() - render.started)}${data ? ` (read, link and site data ${secs(data.ms)})` : ""}${render.note ? ` (${render.note})` : ""}`);
    if (written.length || removed) scheduleSearch(directories.output);
  });
}

let searching: Promise<void> | null = null;
let searchAgain = false;

/** Re-index search after a rebuild without holding up the reload; runs again if pages changed meanwhile. */
function scheduleSearch(outDir: string): void {
  if (searching) { searchAgain = true; return; }
  searching = (async () => {
    do {
      searchAgain = false;
      try {
        console.log("[kb] indexing search…");
        const stats = await indexSite(outDir, null, outDir);
        console.log(`[kb] search index updated: ${stats.pages} notes, ${stats.indexed} of ${stats.shards} shard(s) indexed (${stats.indexedNotes} notes) in ${stats.ms} ms`);
      } catch (err) {
        console.error(`[kb] search index failed: ${(err as Error).message}`);
      }
    } while (searchAgain);
    searching = null;
  })();
}

export const config = {
  dir: { input: "content", includes: "../templates", layouts: "../templates/layouts", data: "_data" },
  templateFormats: ["njk"],
  htmlTemplateEngine: "njk",
  markdownTemplateEngine: false,
  pathPrefix: process.env.KB_PATH_PREFIX ?? "/",
};
