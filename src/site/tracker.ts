/**
 * What a page read of the site data, and a hash of each value read (see render-plan.ts
 * for how the plan uses them). While Eleventy renders a page, the `kb` it sees is a
 * tracking proxy (`Tracker`): each property the page reads on a resource (the root,
 * `site`, `stats`, every note, entity, directory, timeline month…, their plain objects,
 * and the arrays that hold them) is recorded as a dependency of that page. Values are
 * hashed by the keys the site data declares (`declareKeys`) where it declares them,
 * resources by identity, anything else by content.
 */
import { createHash } from "node:crypto";

export const RESOURCE = Symbol.for("kb.resource");
export const SEP = "\u0001";

/** Prototype reported for tracked plain objects, so Eleventy's deep merge passes them by reference. */
const TRACKED = Object.create(Object.prototype, { [Symbol.toStringTag]: { value: "Object" } }) as object;

export const isObject = (v: unknown): v is Record<string | symbol, unknown> => v !== null && typeof v === "object";

export function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64").slice(0, 22);
}

/**
 * Keys the site data declares for a resource, so the plan need not hash what a page
 * read of it: `props` change only when `key` does (a note's own fields and its content
 * key), and each `derived` property is a function of the listed properties of the same
 * resource (an entity's API record of its notes and names). A page that reads such a
 * property depends on the key, or on the listed properties' hashes. For a value that is
 * not a resource (an entity's list of notes, a note's chip groups), `whole` stands for all of it: the value
 * changes only when `whole` does, and is hashed as that string.
 */
export interface DeclaredKeys { key?: string; props?: ReadonlySet<string>; derived?: Readonly<Record<string, readonly string[]>>; whole?: string }
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
    const whole = declaredOf(v)?.whole;
    if (whole !== undefined) return `w${whole}`;
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
