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
 * so the next one renders everything.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { walk, writeReplacing } from "../files.ts";

export const RESOURCE = Symbol.for("kb.resource");
const SEP = "\u0001";
const MANIFEST_VERSION = 1;

/** Prototype reported for tracked plain objects, so Eleventy's deep merge passes them by reference. */
const TRACKED = Object.create(Object.prototype, { [Symbol.toStringTag]: { value: "Object" } }) as object;

const isObject = (v: unknown): v is Record<string | symbol, unknown> => v !== null && typeof v === "object";
const toPosix = (p: string) => p.split(sep).join("/");

function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64").slice(0, 22);
}

/**
 * Keys the site data declares for a resource, so the plan need not hash what a page
 * read of it: `props` change only when `key` does (a note's own fields and its content
 * key), and each `derived` property is a function of the listed properties of the same
 * resource (an entity's API record of its notes and names). A page that reads such a
 * property depends on the key, or on the listed properties' hashes.
 */
export interface DeclaredKeys { key?: string; props?: ReadonlySet<string>; derived?: Readonly<Record<string, readonly string[]>> }
const DECLARED = Symbol("kb.declared");
type Declared = DeclaredKeys & { hash?: string };

/** Declare `keys` for `obj` (see DeclaredKeys); returns `obj`. */
export function declareKeys<T extends object>(obj: T, keys: DeclaredKeys): T {
  return Object.defineProperty(obj, DECLARED, { value: { ...keys } satisfies Declared, enumerable: false });
}
const declaredOf = (obj: object | undefined): Declared | undefined => (obj as { [DECLARED]?: Declared } | undefined)?.[DECLARED];

/**
 * Hashes of values that are not resources, by identity (`Tracker`'s `hashMemo`). The
 * caller may keep one across the builds of a long-running process: `npm start` hands
 * unchanged notes (and their sections, excerpts…) to the next build as the same
 * objects, so checking what a page read costs a lookup instead of serialising the value
 * again. Sound because the data given to templates is never modified once built
 * (src/site/data.ts and the linker make new objects instead).
 */
export type HashMemo = WeakMap<object, string>;

/** Hash of a value as a page sees it: resources by identity, anything else by content. */
function valueHash(v: unknown, keyOf: (o: object) => string | undefined, hashMemo: HashMemo): string {
  if (v === undefined) return "u";
  if (typeof v === "function") return "f";
  if (isObject(v)) {
    const k = keyOf(v);
    if (k !== undefined) return `@${k}`;
    const memo = hashMemo.get(v);
    if (memo !== undefined) return memo;
    let h: string;
    if (Array.isArray(v) && v.length > 1 && isObject(v[0])) {
      // A list of objects: by its elements' hashes, so elements seen before cost nothing.
      h = `a${digest(v.map((x) => valueHash(x, keyOf, hashMemo)).join(","))}`;
    } else {
      const json = JSON.stringify(v) ?? "u";
      h = json.length <= 40 ? `j${json}` : `h${digest(json)}`;
    }
    hashMemo.set(v, h);
    return h;
  }
  if (typeof v === "string" && v.length <= 40) return `s${v}`;
  const json = JSON.stringify(v) ?? "u";
  return json.length <= 40 ? `j${json}` : `h${digest(json)}`;
}

/** What identifies an element of a `kb` array from one build to the next. */
function elementName(el: Record<string | symbol, unknown>, index: number): string {
  for (const k of ["id", "key", "url", "type", "kind"]) if (typeof el[k] === "string") return el[k] as string;
  return `#${index}`;
}

export class Tracker {
  private keyOf = new WeakMap<object, string>();
  private byKey = new Map<string, object>();
  private proxies = new WeakMap<object, object>();
  private memo = new Map<string, string>();
  private current: Set<string> | null = null;
  /** Reads made while rendering a page that has no identity (never planned, always rendered). */
  private readonly sink = new Set<string>();
  readonly pageDeps = new Map<string, Set<string>>();
  readonly pageOut = new Map<string, string>();
  /** Set when a render did not finish synchronously: its reads may be attributed to no page. */
  asyncRender = false;
  pagesRendered = 0;

  private readonly handler: ProxyHandler<object>;

  constructor(private readonly hashMemo: HashMemo = new WeakMap()) {
    const self = this;
    this.handler = {
      get(target, prop) {
        if (prop === RESOURCE) return self.keyOf.get(target);
        const v = Reflect.get(target, prop);
        if (typeof prop === "symbol") return v;
        if (self.current) self.current.add(`${self.keyOf.get(target)}${SEP}.${prop}`);
        return isObject(v) && self.keyOf.has(v) ? self.proxy(v) : v;
      },
      has(target, prop) {
        if (self.current && typeof prop === "string") self.current.add(`${self.keyOf.get(target)}${SEP}?${prop}`);
        return Reflect.has(target, prop);
      },
      ownKeys(target) {
        if (self.current) self.current.add(`${self.keyOf.get(target)}${SEP}*`);
        return Reflect.ownKeys(target);
      },
      getPrototypeOf(target) {
        return Array.isArray(target) ? Array.prototype : TRACKED;
      },
    };
  }

  private register(obj: object, key: string): void {
    if (this.keyOf.has(obj)) return;
    let k = key;
    for (let n = 2; this.byKey.has(k); n++) k = `${key}~${n}`;
    this.keyOf.set(obj, k);
    this.byKey.set(k, obj);
  }

  private proxy(obj: object): object {
    let p = this.proxies.get(obj);
    if (!p) this.proxies.set(obj, (p = new Proxy(obj, this.handler)));
    return p;
  }

  /**
   * Start tracking a new build's data: the root, each top-level value, each element
   * of a top-level array, and arrays inside those elements that hold resources
   * (a directory's entities, a month's notes). Returns the proxy templates get.
   */
  track<T extends object>(data: T): T {
    this.keyOf = new WeakMap();
    this.byKey = new Map();
    this.proxies = new WeakMap();
    this.memo = new Map();
    this.pageDeps.clear();
    this.pageOut.clear();
    this.asyncRender = false;
    this.pagesRendered = 0;
    this.register(data, "kb");
    const elements: Array<[object, string]> = [];
    for (const [prop, value] of Object.entries(data)) {
      if (!isObject(value)) continue;
      this.register(value, prop);
      if (!Array.isArray(value)) continue;
      value.forEach((el, i) => {
        if (!isObject(el) || this.keyOf.has(el)) return;
        this.register(el, `${prop}/${elementName(el, i)}`);
        elements.push([el, this.keyOf.get(el)!]);
      });
    }
    // An element's plain objects (a note's links, source, details…) are resources too: a page
    // depends on the properties it reads of them (note.links.authors), not on all of them.
    // Not an object two elements share: its key would name only one of them.
    const plain: Array<[object, string]> = [];
    const seen = new Map<object, number>();
    for (const [el, key] of elements) {
      const derived = declaredOf(el)?.derived;
      for (const [prop, value] of Object.entries(el)) {
        if (Array.isArray(value) && value.length > 0 && isObject(value[0]) && this.keyOf.has(value[0])) this.register(value, `${key}.${prop}`);
        else if (isObject(value) && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype && !Object.isFrozen(value) && !derived?.[prop]) {
          plain.push([value, `${key}.${prop}`]);
          seen.set(value, (seen.get(value) ?? 0) + 1);
        }
      }
    }
    for (const [value, key] of plain) if (seen.get(value) === 1) this.register(value, key);
    return this.proxy(data) as T;
  }

  /** `./content/x.njk` or `./content/x.njk#<item resource>`; null when the page cannot be planned. */
  identityOf(ctx: unknown): string | null {
    if (!isObject(ctx)) return null;
    const page = ctx.page as Record<string, unknown> | undefined;
    const input = page?.inputPath;
    if (typeof input !== "string") return null;
    const pg = ctx.pagination as Record<string, unknown> | undefined;
    if (!pg) return input;
    const items = pg.items;
    const item = Array.isArray(items) && items.length === 1 ? items[0] : undefined;
    const key = isObject(item) ? item[RESOURCE] : undefined;
    return typeof key === "string" ? `${input}#${key}` : null;
  }

  /** Attribute the reads of a top-level render to its page; returns what to restore. */
  enter(ctx: unknown): Set<string> | null {
    const prev = this.current;
    const id = this.identityOf(ctx);
    if (!id) { this.current = this.sink; return prev; }
    let set = this.pageDeps.get(id);
    if (!set) this.pageDeps.set(id, (set = new Set()));
    this.current = set;
    const out = isObject(ctx) && isObject(ctx.page) ? ctx.page.outputPath : undefined;
    if (typeof out === "string" && !this.pageOut.has(id)) { this.pageOut.set(id, out); this.pagesRendered++; }
    return prev;
  }

  leave(prev: Set<string> | null): void {
    this.current = prev;
  }

  /** The current hash of a dependency (`∅` when its resource is gone). */
  hashOf(dep: string): string {
    const cached = this.memo.get(dep);
    if (cached !== undefined) return cached;
    const cut = dep.indexOf(SEP);
    const obj = this.byKey.get(dep.slice(0, cut)) as Record<string, unknown> | undefined;
    const kind = dep[cut + 1];
    const prop = dep.slice(cut + 2);
    let h: string;
    const declared = declaredOf(obj);
    const from = declared?.derived?.[prop];
    if (!obj) h = "∅";
    else if (declared && kind === "." && declared.key !== undefined && declared.props?.has(prop)) h = (declared.hash ??= `k${digest(declared.key)}`);
    else if (from && kind === ".") h = `d${digest(from.map((p) => this.hashOf(dep.slice(0, cut + 2) + p)).join(","))}`;
    else if (kind === ".") h = valueHash(obj[prop], (o) => this.keyOf.get(o), this.hashMemo);
    else if (kind === "?") h = prop in obj ? "y" : "n";
    else h = digest(Object.keys(obj).join("\0"));
    this.memo.set(dep, h);
    return h;
  }
}

/** One page in the manifest: its output file (relative to the output folder) and what it read. */
interface PageRecord { out: string; deps: number[] }

export interface Manifest {
  version: number;
  /** Hash of templates, code and settings the pages were rendered with. */
  codeHash: string;
  /** Inode of the output folder this manifest describes (a different folder: no manifest). */
  ino: number;
  pages: Record<string, PageRecord>;
  deps: string[];
  hashes: string[];
  /** Every page file in the output folder (tracked or not). */
  outputs: string[];
  /** Build-wide stamps kept for the CLI (sources fingerprint, search key, search folders). */
  extra: Record<string, string | string[] | undefined>;
}

/** What besides `kb` shapes a page: templates, all code, the lockfile (folders or files of the project). */
export const WATCHED_CODE = ["content", "templates", "src", "eleventy.config.ts", "package-lock.json"] as const;
export type CodeTree = (typeof WATCHED_CODE)[number];

/** A digest of each of WATCHED_CODE (paths and bytes of every file under it), read once per build. */
export function codeTrees(root: string): Record<CodeTree, string> {
  const digestOf = (tree: string) => {
    const h = createHash("sha256");
    const top = join(root, tree);
    const files = existsSync(top) && statSync(top).isFile() ? [top] : [...walk(top, { sorted: true })].map((f) => f.path);
    for (const f of files) h.update(toPosix(relative(root, f))).update("\0").update(readFileSync(f)).update("\n");
    return h.digest("hex");
  };
  return Object.fromEntries(WATCHED_CODE.map((t) => [t, digestOf(t)])) as Record<CodeTree, string>;
}

/**
 * Hash of the code `trees` (digests from `codeTrees`) and `settings`: with every tree,
 * what a page is rendered with; with `src` and the lockfile, what the search index is.
 */
export function codeHash(trees: Partial<Record<CodeTree, string>>, settings: string[] = []): string {
  const h = createHash("sha256").update(`v${MANIFEST_VERSION}\n`);
  for (const t of WATCHED_CODE) if (trees[t] !== undefined) h.update(`${t}\0${trees[t]}\n`);
  for (const e of settings) h.update(e).update("\n");
  return h.digest("hex").slice(0, 24);
}

export function manifestPath(cacheRoot: string, outDir: string): string {
  return join(cacheRoot, "render", `${digest(resolve(outDir)).replace(/[/+]/g, "_")}.json`);
}

/** The manifest describing `outDir`, or null (none, unreadable, another folder, old format). */
export function loadManifest(cacheRoot: string, outDir: string): Manifest | null {
  const path = manifestPath(cacheRoot, outDir);
  if (!existsSync(path) || !existsSync(outDir)) return null;
  try {
    const m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    if (m.version !== MANIFEST_VERSION || m.ino !== statSync(outDir).ino) return null;
    return m;
  } catch {
    return null;
  }
}

export function saveManifest(cacheRoot: string, outDir: string, m: Manifest): void {
  const path = manifestPath(cacheRoot, outDir);
  mkdirSync(dirname(path), { recursive: true });
  m.ino = statSync(outDir).ino;
  writeReplacing(path, JSON.stringify(m));
}


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

/** Whether every page file the manifest lists is still in `outDir` (false: the folder was touched). */
export function outputsIntact(outDir: string, m: Manifest): boolean {
  for (const f of m.outputs) {
    try {
      if (!statSync(join(outDir, f)).isFile()) return false;
    } catch {
      return false;
    }
  }
  return true;
}
