/**
 * Eleventy wiring only: folders, plugins, filters and the `kb` global data.
 * All logic lives in src/ (see src/pipeline.ts for the stages).
 */
import { HtmlBasePlugin } from "@11ty/eleventy";
import rssPlugin from "@11ty/eleventy-plugin-rss";
import { printReport } from "./src/site/report.ts";
import { indexSite } from "./src/search/pagefind.ts";
import { loadSiteData, projectPaths } from "./src/site/build-state.ts";
import { registerFilters } from "./src/site/filters.ts";
import { markdown } from "./src/site/markdown.ts";
import { prefixDataUrls } from "./src/site/path-prefix.ts";

// Eleventy 3 ships no TypeScript types; this is the part of its config API we use.
interface EleventyConfig {
  addGlobalData(name: string, value: () => unknown): void;
  addFilter(name: string, fn: (...args: never[]) => unknown): void;
  addPlugin(plugin: unknown, options?: unknown): void;
  addPassthroughCopy(map: Record<string, string>): void;
  addTransform(name: string, fn: (this: { page: { outputPath: string | false } }, content: string) => string): void;
  addWatchTarget(path: string): void;
  setLibrary(name: string, lib: unknown): void;
  setServerOptions(options: Record<string, unknown>): void;
  setQuietMode(quiet: boolean): void;
  ignores: { add(glob: string): void };
  on(event: string, fn: (arg: { dir: { output: string }; runMode: string }) => unknown): void;
}

export default function (eleventyConfig: EleventyConfig) {
  eleventyConfig.addGlobalData("kb", loadSiteData);
  eleventyConfig.addWatchTarget(projectPaths().seeds);
  eleventyConfig.addWatchTarget("./src/entities/registry.yaml");
  registerFilters(eleventyConfig);
  eleventyConfig.setLibrary("md", markdown);
  eleventyConfig.addPlugin(HtmlBasePlugin);
  // Under a pathPrefix, URLs that scripts read from data-* attributes get it too (search's data-bundle).
  eleventyConfig.addTransform("kb-data-url-prefix", function (content) {
    const out = this.page.outputPath;
    return typeof out === "string" && out.endsWith(".html") ? prefixDataUrls(content, process.env.KB_PATH_PREFIX ?? "/") : content;
  });
  eleventyConfig.addPlugin(rssPlugin);
  eleventyConfig.addPassthroughCopy({ "templates/assets": "assets", "src/search/query.js": "assets/search-query.js" });
  eleventyConfig.setServerOptions({ port: Number(process.env.PORT ?? 8080), showAllHosts: false });
  eleventyConfig.setQuietMode(true);
  // In `npm start`, every rebuild re-indexes search after the pages are written.
  eleventyConfig.on("eleventy.after", async ({ dir, runMode }) => {
    if (runMode !== "serve" && runMode !== "watch") return;
    printReport(false);
    const stats = await indexSite(dir.output);
    console.log(`[kb] search index updated: ${stats.pages} pages in ${stats.ms} ms`);
  });
}

export const config = {
  dir: { input: "content", includes: "../templates", layouts: "../templates/layouts", data: "_data" },
  templateFormats: ["njk"],
  htmlTemplateEngine: "njk",
  markdownTemplateEngine: false,
  pathPrefix: process.env.KB_PATH_PREFIX ?? "/",
};
