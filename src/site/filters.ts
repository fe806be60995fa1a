/**
 * Nunjucks filters. Every `addFilter` first, then each filter as a small named
 * function (dart-lang/site-www style). Filters format; they never compute data.
 */
import { videoAt } from "../entities/index.ts";
import { dateLabel } from "../search/query.js";
import { formatClock } from "../text.ts";
import { type MediaSizes, renderInline, renderMarkdown } from "./markdown.ts";

export interface FilterHost {
  addFilter(name: string, fn: (...args: never[]) => unknown): void;
}

export function registerFilters(config: FilterHost): void {
  config.addFilter("markdown", markdownFilter);
  config.addFilter("markdownInline", markdownInlineFilter);
  config.addFilter("clock", clockFilter);
  config.addFilter("videoAt", videoAt);
  config.addFilter("json", jsonFilter);
  config.addFilter("dateLabel", dateLabel);
  config.addFilter("stars", starsFilter);
}

/** Block markdown → HTML; `prefix` keeps heading ids unique on the page; `media` sizes the note's images. */
export function markdownFilter(text: string, prefix = "h", media?: MediaSizes): string {
  return renderMarkdown(text ?? "", media ? { idPrefix: prefix, media } : { idPrefix: prefix });
}

export function markdownInlineFilter(text: string): string {
  return renderInline(text ?? "");
}

export function clockFilter(seconds: number | null): string {
  return seconds === null || seconds === undefined ? "" : formatClock(seconds);
}

/** Pretty JSON for the API files. `<` is escaped so no JSON file can carry markup. */
export function jsonFilter(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/</g, "\\u003c");
}

/** `2026-01-04` → `2026年1月4日`; undated notes say so (shared with the search page). */
export { dateLabel };

export function starsFilter(n: number | null): string {
  return n === null || n === undefined ? "" : "★".repeat(n) + "☆".repeat(Math.max(0, 5 - n));
}
