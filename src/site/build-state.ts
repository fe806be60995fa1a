/**
 * Runs the pipeline for Eleventy's global data and keeps the last result, so the
 * CLI can print the build summary and apply `--strict` after Eleventy is done.
 */
import { resolve } from "node:path";
import { runPipeline, type PipelineResult } from "../pipeline.ts";
import { buildSiteData, type SiteData } from "./data.ts";

export interface BuildState { result: PipelineResult; data: SiteData; ms: number }

let last: BuildState | null = null;

export function projectPaths() {
  const root = resolve(process.env.KB_ROOT ?? process.cwd());
  return {
    root,
    seeds: resolve(root, process.env.KB_SEEDS ?? "seeds"),
    cache: process.env.KB_CACHE === "off" ? null : resolve(root, process.env.KB_CACHE_DIR ?? ".cache/notes"),
  };
}

export function loadSiteData(): SiteData {
  const t0 = performance.now();
  const paths = projectPaths();
  const result = runPipeline({ seedsDir: paths.seeds, rootDir: paths.root, cacheDir: paths.cache });
  const data = buildSiteData(result);
  last = { result, data, ms: Math.round(performance.now() - t0) };
  return data;
}

export function lastBuild(): BuildState | null {
  return last;
}
