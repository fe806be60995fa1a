/**
 * Incremental rendering: which pages must a build render, and which can it keep?
 *
 * A page is identified by its template and, for a template paginated over `kb`
 * data, the item it shows: `./content/notes.njk#notes/<id>`. While Eleventy renders
 * a page, the `kb` it sees is a tracking proxy: each property the page reads on a
 * resource (the root, `site`, `stats`, every note, entity, directory, timeline
 * month…, their plain objects, and the arrays that hold them) is recorded as a dependency of that page,
 * with a hash of the value read. The manifest keeps, per page, its output file and
 * its dependencies. The next build renders a page only when it is new, when any
 * template or code changed, or when one of the values it read changed; the other
 * pages are kept (hard-linked from the previous output by `npm run build`, left in
 * place by `npm start`), and output files of pages that no longer exist are deleted.
 *
 * What a page depends on is cheap to check because the site data declares keys
 * (`declareKeys`): a note's own fields change only with its content key (its source's
 * parse key), so a page that reads them depends on that key, not on a hash of the
 * note's text; an entity's derived records depend on the properties they are made
 * of. A note's or entity's plain objects (`links`, `source`…) are tracked property by
 * property, so a page that shows a note's authors does not depend on its related notes.
 *
 * Nothing here knows what the templates show: a template that starts reading
 * something new depends on it from its next render on. What is not tracked is
 * handled conservatively: a value that is not a resource is hashed whole, a
 * template that reads `collections` or `pagination.*` is always rendered, and a
 * render that goes asynchronous (an async filter) turns tracking off for the build,
 * so the next one renders everything. The tracking is in tracker.ts, the manifest in
 * manifest.ts.
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { type Manifest, MANIFEST_VERSION, type PageRecord, toPosix } from "./manifest.ts";
import { isObject, RESOURCE, type Tracker } from "./tracker.ts";

export interface PlanSummary {
  /** Pages the plan let Eleventy render. */
  rendered: number;
  /** Pages kept from the previous output. */
  kept: number;
  /** Output files of pages that no longer exist. */
  stale: string[];
  /** Output files to carry over from the previous output folder (kept pages). */
  keep: string[];
  manifest: Manifest;
}

/**
 * One build's plan. `prev`/`prevDir` describe the last output (null: render all);
 * Eleventy asks `keep(identity)` for every page before rendering it.
 */
export class RenderPlan {
  private seen = new Set<string>();
  private clean = new Set<string>();
  readonly reasons = { new: 0, code: 0, data: 0, missing: 0 };
  /** For `--verbose`: which value made pages render, by dependency pattern (`stats.notes`, `notes/*.links`…). */
  readonly changed = new Map<string, number>();

  constructor(
    readonly prev: Manifest | null,
    readonly prevDir: string | null,
    readonly codeHash: string,
    readonly trk: Tracker,
  ) {}

  /** True when the page can be kept as it is in the previous output. */
  keep(identity: string): boolean {
    this.seen.add(identity);
    const prev = this.prev;
    if (!prev || prev.codeHash !== this.codeHash) { this.reasons.code++; return false; }
    const rec = prev.pages[identity];
    if (!rec) { this.reasons.new++; return false; }
    if (this.prevDir && !existsSync(join(this.prevDir, rec.out))) { this.reasons.missing++; return false; }
    for (const d of rec.deps) {
      const dep = prev.deps[d]!;
      if (this.trk.hashOf(dep) !== prev.hashes[d]) {
        this.reasons.data++;
        const pattern = dep.replace(/^([^/\u0001]+)\/[^\u0001.]*/, "$1/*").replace(/\u0001[.]?/, ".").replace(/\.\d+$/, ".<i>");
        this.changed.set(pattern, (this.changed.get(pattern) ?? 0) + 1);
        return false;
      }
    }
    this.clean.add(identity);
    return true;
  }

  /** Identities asked about but not kept: what this build renders. */
  planned(): string[] {
    return [...this.seen].filter((id) => !this.clean.has(id));
  }

  /**
   * After Eleventy wrote `written` (absolute output paths) into `outDir`: the new
   * manifest, the files to keep from the previous output, and the stale ones.
   */
  finish(outDir: string, written: string[], extra: Manifest["extra"] = {}): PlanSummary {
    const trk = this.trk;
    const pages: Record<string, PageRecord> = {};
    const deps: string[] = [];
    const hashes: string[] = [];
    const index = new Map<string, number>();
    const add = (dep: string, hash: string) => {
      let i = index.get(dep);
      if (i === undefined) { i = deps.length; index.set(dep, i); deps.push(dep); hashes.push(hash); }
      return i;
    };
    const rel = (p: string) => toPosix(relative(outDir, resolve(p)));
    const keep: string[] = [];
    const tracking = !trk.asyncRender;
    for (const id of this.seen) {
      if (this.clean.has(id)) {
        const rec = this.prev!.pages[id]!;
        keep.push(rec.out);
        if (tracking) pages[id] = { out: rec.out, deps: rec.deps.map((d) => add(this.prev!.deps[d]!, this.prev!.hashes[d]!)) };
        continue;
      }
      const out = trk.pageOut.get(id);
      const set = trk.pageDeps.get(id);
      if (!out || !set || !tracking) continue;
      pages[id] = { out: rel(out), deps: [...set].map((d) => add(d, trk.hashOf(d))) };
    }
    const outputs = new Set([...written.map(rel), ...keep]);
    const stale = (this.prev?.outputs ?? []).filter((f) => !outputs.has(f));
    return {
      rendered: written.length,
      kept: keep.length,
      stale,
      keep,
      manifest: { version: MANIFEST_VERSION, codeHash: this.codeHash, ino: 0, pages, deps, hashes, outputs: [...outputs].sort(), extra },
    };
  }
}

const ORIGINAL = Symbol.for("kb.pagination-original");

/**
 * Eleventy preprocessor body: apply the plan to one template before it renders.
 * A paginated template (size 1, items that are `kb` resources) renders only the
 * items whose page is not kept; any other template renders entirely or not at all.
 * Returns false to skip the template, undefined to render it.
 */
export function planTemplate(
  plan: RenderPlan | null,
  data: Record<string, unknown>,
  content: unknown,
  inBatch: (identity: string, paginated: boolean) => boolean = () => true,
): false | undefined {
  const page = data.page as { inputPath?: string } | undefined;
  const inputPath = page?.inputPath;
  if (typeof inputPath !== "string") return undefined;
  // Reads that are not tracked: Eleventy collections, the pagination object itself.
  const looksAt = `${typeof content === "string" ? content : ""}\n${JSON.stringify(data.eleventyComputed ?? null)}\n${String(data.permalink ?? "")}`;
  if (!plan || /\bcollections\b|\bpagination\s*\./.test(looksAt)) return inBatch(inputPath, false) ? undefined : false;
  const pg = data.pagination as (Record<string | symbol, unknown> & { before?: (items: unknown[], d: unknown) => unknown[] }) | undefined;
  if (pg) {
    const original = (pg[ORIGINAL] as typeof pg | undefined) ?? pg;
    if (original.size !== 1) return inBatch(inputPath, false) ? undefined : false;
    const before = original.before;
    data.pagination = {
      ...original,
      [ORIGINAL]: original,
      before(this: unknown, items: unknown[], d: unknown) {
        const list = typeof before === "function" ? before.call(this, items, d) : items;
        return list.filter((item) => {
          const key = isObject(item) ? item[RESOURCE] : undefined;
          if (typeof key !== "string") return inBatch(inputPath, false);
          const identity = `${inputPath}#${key}`;
          return inBatch(identity, true) && !plan.keep(identity);
        });
      },
    };
    return undefined;
  }
  if (!inBatch(inputPath, false)) return false;
  return plan.keep(inputPath) ? false : undefined;
}
