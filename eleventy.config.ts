/**
 * Eleventy wiring only: folders, plugins, the markdown library and passthrough copies.
 * What each build hands Eleventy (the `kb` data, the render plan and our Nunjucks
 * engine) is registered by src/site/render.ts through the programmatic API; the
 * stages are in src/build.ts.
 */
import { HtmlBasePlugin } from "@11ty/eleventy";
import rssPlugin from "@11ty/eleventy-plugin-rss";
import { markdown } from "./src/site/markdown.ts";

// Eleventy 3 ships no TypeScript types; this is the part of its config API we use.
interface EleventyConfig {
  addPlugin(plugin: unknown, options?: unknown): void;
  addPassthroughCopy(map: Record<string, string>): void;
  setLibrary(name: string, lib: unknown): void;
  setQuietMode(quiet: boolean): void;
}

export default function (eleventyConfig: EleventyConfig) {
  eleventyConfig.setLibrary("md", markdown);
  eleventyConfig.addPlugin(HtmlBasePlugin);
  eleventyConfig.addPlugin(rssPlugin);
  eleventyConfig.addPassthroughCopy({ "templates/assets": "assets", "src/search/query.js": "assets/search-query.js", "src/search/dates.js": "assets/dates.js" });
  eleventyConfig.setQuietMode(true);
}

export const config = {
  dir: { input: "content", includes: "../templates", layouts: "../templates/layouts", data: "_data" },
  templateFormats: ["njk"],
  htmlTemplateEngine: "njk",
  markdownTemplateEngine: false,
};
