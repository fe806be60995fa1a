/**
 * The build context: every setting a build or `npm start` uses, read once from the
 * command line and the environment. No other module reads `process.env`; stages get
 * what they need from here.
 */
import { dirname, resolve } from "node:path";
import { REGISTRY_PATH } from "./entities/registry.ts";
import { SEARCH_WORKERS, SHARD_SIZE } from "./search/pagefind.ts";
import { DEFAULT_SITE } from "./site/data.ts";

export interface BuildContext {
  /** The project folder (templates, content, src). */
  root: string;
  /** The folder of sources. */
  seeds: string;
  /** The published output folder. */
  out: string;
  /** Parse cache folder (null: caching is off). */
  parseCache: string | null;
  /** Folder of the other caches (entity index, render manifests), beside the parse cache. */
  cacheRoot: string | null;
  strict: boolean;
  verbose: boolean;
  site: { title: string; url: string; pathPrefix: string };
  registryPath: string;
  /** Notes per search shard. */
  shardSize: number;
  /** Search shards indexed side by side. */
  searchWorkers: number;
  /** Sources per Eleventy run in a large build (bounds the rendered pages held in memory). */
  batchSize: number;
  /** Test hook: `KB_FAULT=<stage>` throws at that stage, to check a failed build publishes nothing. */
  fault: string | null;
  /** `npm start`: where to listen. */
  port: number;
  host: string;
}

type Env = Record<string, string | undefined>;

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

export function readContext(args: string[], env: Env = process.env): BuildContext {
  const root = resolve(env.KB_ROOT ?? process.cwd());
  const parseCache = env.KB_CACHE === "off" ? null : resolve(root, env.KB_CACHE_DIR ?? ".cache/notes");
  return {
    root,
    seeds: resolve(root, env.KB_SEEDS ?? "seeds"),
    out: resolve(option(args, "--out") ?? "_site"),
    parseCache,
    cacheRoot: parseCache ? dirname(parseCache) : null,
    strict: args.includes("--strict") || env.KB_STRICT === "1",
    verbose: args.includes("--verbose"),
    site: { title: env.KB_SITE_TITLE ?? DEFAULT_SITE.title, url: env.KB_SITE_URL ?? DEFAULT_SITE.url, pathPrefix: env.KB_PATH_PREFIX ?? "/" },
    registryPath: env.KB_REGISTRY ?? REGISTRY_PATH,
    shardSize: Number(env.KB_SEARCH_SHARD_SIZE ?? SHARD_SIZE),
    searchWorkers: Number(env.KB_SEARCH_WORKERS ?? SEARCH_WORKERS),
    batchSize: Number(env.KB_BATCH_SIZE ?? 1250),
    fault: env.KB_FAULT ?? null,
    port: Number(env.PORT ?? 8080),
    host: env.KB_HOST ?? "127.0.0.1",
  };
}

/** What shapes every page besides the data: part of the render code hash. */
export function renderSettings(ctx: BuildContext): string[] {
  return [`pathPrefix=${ctx.site.pathPrefix}`, `url=${ctx.site.url}`, `title=${ctx.site.title}`];
}
