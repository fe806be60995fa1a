/**
 * Our `.njk` engine, registered with Eleventy's public custom-language API
 * (`addExtension("njk", …)`) instead of changing Nunjucks' own classes:
 *
 * - one compile per template source: Eleventy 3.1's built-in engine makes a new
 *   Nunjucks `Template` for every paginated page, so the same source was compiled once
 *   per page (half of the render time at 1,000 notes);
 * - each top-level render (a page, its layout, a permalink or computed string) runs
 *   between `hooks.enter(data)` and `hooks.leave(…)`, so the render plan can attribute
 *   what it reads to its page (tracker.ts); a render that does not finish
 *   synchronously is reported with `hooks.async()`.
 *
 * Filters: ours (filters.ts) and Eleventy's universal ones (`url`, the HTML base and
 * RSS plugins' …), read through `eleventyConfig.getFilters()`, with `this.page` and
 * `this.eleventy` bound as Eleventy's own engines bind them.
 */
import nunjucks from "nunjucks";
import { registerFilters } from "./filters.ts";

export interface RenderHooks<T> {
  enter(data: unknown): T;
  leave(token: T): void;
  async(): void;
}

type Filter = (this: unknown, ...args: unknown[]) => unknown;
interface NunjucksContext { ctx?: Record<string, unknown>; env?: unknown }

/** The part of Eleventy's configuration API this module uses. */
export interface EngineHost {
  addExtension(key: string, entry: Record<string, unknown>): void;
  getFilters(): Record<string, Filter>;
}

/** Compiles and renders Nunjucks templates for one build: includes are read from `dirs`. */
export class NunjucksEngine<T> {
  private readonly env: nunjucks.Environment;
  private readonly compiled = new Map<string, Map<string, nunjucks.Template>>();
  private filtersFrom: EngineHost | null = null;
  private readonly own = new Set<string>();

  constructor(dirs: string[], private readonly hooks: RenderHooks<T> | null) {
    this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dirs));
    registerFilters({ addFilter: (name, fn) => { this.own.add(name); this.env.addFilter(name, fn as Filter); } });
  }

  /** How many templates were compiled (one per path and source). */
  get compiledCount(): number {
    let n = 0;
    for (const byPath of this.compiled.values()) n += byPath.size;
    return n;
  }

  /** Register as Eleventy's `njk` language. */
  register(config: EngineHost): void {
    this.filtersFrom = config;
    config.addExtension("njk", {
      outputFileExtension: "html",
      compile: (source: string, inputPath: string) => this.compile(source, inputPath),
      compileOptions: {
        permalink: (source: unknown, inputPath: string) => (typeof source === "string" ? this.compile(source, inputPath) : source),
      },
    });
  }

  /** The render function of `source` (compiled once per path and source). */
  compile(source: string, inputPath: string | undefined): (data: unknown) => Promise<string> {
    this.importFilters();
    const path = inputPath && inputPath !== "njk" ? inputPath : "";
    let byPath = this.compiled.get(path);
    if (!byPath) this.compiled.set(path, (byPath = new Map()));
    let tmpl = byPath.get(source);
    if (!tmpl) byPath.set(source, (tmpl = new nunjucks.Template(source, this.env, path || undefined, true)));
    const template = tmpl;
    return (data) => this.render(template, data);
  }

  /**
   * Nunjucks' synchronous API: a template without async filters or tags renders inside
   * the call, so what it reads is attributed to this page. (With a callback, a top-level
   * render always calls back later.) A render that could not finish synchronously
   * returns null: it is rendered again with a callback, and reported.
   */
  private async render(tmpl: nunjucks.Template, data: unknown): Promise<string> {
    const token = this.hooks?.enter(data);
    let out: string | null;
    try {
      out = tmpl.render(data as object) as string | null;
    } finally {
      if (this.hooks) this.hooks.leave(token as T);
    }
    if (out !== null && out !== undefined) return out;
    this.hooks?.async();
    return new Promise<string>((ok, fail) => tmpl.render(data as object, (err, res) => (err ? fail(err) : ok(res ?? ""))));
  }

  /** Eleventy's universal filters, once the configuration is complete (at the first compile). */
  private importFilters(): void {
    const host = this.filtersFrom;
    if (!host) return;
    this.filtersFrom = null;
    for (const [name, fn] of Object.entries(host.getFilters())) {
      if (this.own.has(name)) continue;
      this.env.addFilter(name, function (this: NunjucksContext, ...args: unknown[]) {
        const ctx = this.ctx ?? {};
        return fn.call({ page: ctx.page, eleventy: ctx.eleventy, ctx, env: this.env }, ...args);
      });
    }
  }
}
