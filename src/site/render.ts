/**
 * The render stage: the site data → pages in an output folder, through Eleventy's
 * programmatic API. What this build needs is handed to Eleventy as configuration
 * (`new Eleventy(…, { config })`): the `kb` global data (a tracking view of the site
 * data, see render-plan.ts), the render plan's preprocessor and our Nunjucks engine
 * (nunjucks.ts). `eleventy.config.ts` registers only what every build shares.
 *
 * A large site renders in batches, one Eleventy run each: Eleventy keeps every page it
 * renders in memory until its run ends.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Eleventy from "@11ty/eleventy";
import { collectGarbage } from "../caches.ts";
import { walk } from "../files.ts";
import type { SiteData } from "./data.ts";
import { NunjucksEngine, type EngineHost } from "./nunjucks.ts";
import type { Manifest } from "./manifest.ts";
import { planTemplate, RenderPlan } from "./render-plan.ts";
import { type HashMemo, Tracker } from "./tracker.ts";

const CONFIG = "eleventy.config.ts";

export interface RenderRequest {
  root: string;
  /** A fresh folder to render into. */
  outDir: string;
  /** The previous output, whose unchanged pages are kept (null: none). */
  prevDir: string | null;
  /** The previous output's manifest (null: render every page). */
  prev: Manifest | null;
  data: SiteData;
  /** Hash of templates, code and render settings (manifest.ts `codeHash`). */
  codeHash: string;
  pathPrefix: string;
  batches: number;
  /** Whether pages are planned (false: caching is off, every page renders). */
  planning: boolean;
  hashMemo?: HashMemo;
  /** Collect garbage after each batch (a one-shot build; `npm start` keeps its memory). */
  collect?: boolean;
  /** Called as pages render (for the progress line). */
  progress?: (pages: number, batch: { index: number; count: number }) => void;
}

export interface Rendered {
  /** Absolute paths of the files Eleventy wrote. */
  written: string[];
  plan: RenderPlan | null;
  /** Why nothing could be planned (every page rendered), when that is the case. */
  note: string | null;
}

/** Templates or includes that read what the tracker cannot see: planning is off while one does. */
function untrackableTemplate(root: string): string | null {
  for (const { path } of walk(join(root, "templates"))) {
    if (/\.(njk|html|md|liquid)$/.test(path) && /\bcollections\b|\bpagination\s*\./.test(readFileSync(path, "utf8"))) return path;
  }
  return null;
}

/** Which batch a page renders in: unpaginated templates in the first, paginated pages spread by identity. */
export function batchOf(identity: string, paginated: boolean, count: number): number {
  if (count <= 1 || !paginated) return 0;
  let h = 0;
  for (let i = 0; i < identity.length; i++) h = (h * 31 + identity.charCodeAt(i)) | 0;
  return (h >>> 0) % count;
}

export async function renderSite(req: RenderRequest): Promise<Rendered> {
  const tracker = new Tracker(req.hashMemo);
  const kb = tracker.track(req.data);
  const untrackable = req.planning ? untrackableTemplate(req.root) : null;
  const note = !req.planning ? "caching is off (KB_CACHE=off)"
    : untrackable ? `${untrackable} reads collections or pagination.*, which are not tracked`
    : !req.prev ? (req.prevDir ? "no manifest for the previous output" : "first build")
    : null;
  const plan = req.planning && !untrackable ? new RenderPlan(req.prev, req.prevDir, req.codeHash, tracker) : null;
  const engine = new NunjucksEngine([join(req.root, "templates"), req.root], {
    enter: (data) => tracker.enter(data),
    leave: (prev) => tracker.leave(prev),
    async: () => { tracker.asyncRender = true; },
  });
  const written: string[] = [];
  const count = Math.max(1, req.batches);
  for (let index = 0; index < count; index++) {
    const inBatch = (identity: string, paginated: boolean) => batchOf(identity, paginated, count) === index;
    const timer = req.progress ? setInterval(() => req.progress!(tracker.pagesRendered, { index, count }), 500) : null;
    timer?.unref();
    try {
      const elev = new Eleventy("content", req.outDir, {
        configPath: CONFIG,
        quietMode: true,
        pathPrefix: req.pathPrefix,
        config: (cfg: unknown) => {
          const config = cfg as EngineHost & {
            addGlobalData(name: string, value: () => unknown): void;
            addPreprocessor(name: string, extensions: string, fn: (data: Record<string, unknown>, content: unknown) => unknown): void;
          };
          config.addGlobalData("kb", () => kb);
          config.addPreprocessor("kb-render-plan", "*", (data, content) => planTemplate(plan, data, content, inBatch));
          engine.register(config);
        },
      });
      const [, templates] = (await elev.write()) as [unknown, Array<{ outputPath: string | false }>];
      for (const t of templates) if (typeof t.outputPath === "string") written.push(t.outputPath);
    } finally {
      if (timer) clearInterval(timer);
    }
    // Between batches, and after a large render: what Eleventy held is garbage. After a
    // few hundred pages the collection costs more (~0.5 s) than the memory it returns.
    if (req.collect !== false && (index + 1 < count || tracker.pagesRendered > 1000)) collectGarbage();
  }
  return { written, plan, note };
}
