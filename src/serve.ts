/**
 * `npm start`: build, serve the output on loopback with live reload, and build again
 * on every change to the sources, the registry, the templates or the content pages.
 *
 * Each change runs the same stages as `npm run build` (src/build.ts), with the memory
 * of the previous builds kept (parsed sources, each note's name matches, value hashes),
 * so only what changed is parsed, matched and rendered. The pages are published first;
 * the search index follows in the same queue, so a later change waits for it.
 *
 * The server is ours rather than Eleventy's dev server, which listens on every
 * interface and only follows Eleventy's own watcher: this one answers on
 * `ctx.host` (127.0.0.1), resolves every request inside the published folder (a new
 * build replaces that folder by a rename, so nothing is served half-written), and tells
 * open pages to reload over server-sent events once a build is published.
 */
import { createReadStream, existsSync, readFileSync, statSync, watch, type FSWatcher } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { basename, dirname, join, posix, resolve, sep } from "node:path";
import mime from "mime-types";
import { buildMemory, runBuild, secs } from "./build.ts";
import type { BuildContext } from "./context.ts";

const RELOAD_PATH = "/.kb/reload.js";
const EVENTS_PATH = "/.kb/events";
/** Served at RELOAD_PATH and added to every HTML page: reload when a new build is published. */
const RELOAD_SCRIPT = `new EventSource(${JSON.stringify(EVENTS_PATH)}).addEventListener("reload", () => location.reload());\n`;

/** The file a request path names inside `root` (null: outside it, or malformed). */
export function resolveRequest(root: string, pathPrefix: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, "http://localhost").pathname);
  } catch {
    return null;
  }
  if (path.includes("\0")) return null;
  const prefix = pathPrefix.endsWith("/") ? pathPrefix : `${pathPrefix}/`;
  if (prefix !== "/" && path.startsWith(prefix)) path = `/${path.slice(prefix.length)}`;
  const file = resolve(root, `.${posix.normalize(path)}`);
  return file === root || file.startsWith(root + sep) ? file : null;
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, status = 200): void {
  const type = mime.lookup(file) || "application/octet-stream";
  if (type === "text/html") {
    // Read whole to add the reload script (pages are small); everything else is streamed.
    const html = readFileSync(file, "utf8");
    const tag = `<script src="${RELOAD_PATH}" defer></script>`;
    const body = html.includes("</body>") ? html.replace("</body>", `${tag}</body>`) : html + tag;
    res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : body);
    return;
  }
  res.writeHead(status, { "content-type": mime.contentType(type) || type, "cache-control": "no-cache" });
  if (req.method === "HEAD") { res.end(); return; }
  createReadStream(file).on("error", () => res.destroy()).pipe(res);
}

function handle(ctx: BuildContext, clients: Set<ServerResponse>, req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? "/";
  if (url === RELOAD_PATH) {
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }).end(RELOAD_SCRIPT);
    return;
  }
  if (url === EVENTS_PATH) {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.write(": connected\n\n");
    clients.add(res);
    req.on("close", () => clients.delete(res));
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") { res.writeHead(405).end(); return; }
  const file = resolveRequest(ctx.out, ctx.site.pathPrefix, url);
  if (!file) { res.writeHead(400).end(); return; }
  let st = existsSync(file) ? statSync(file) : null;
  if (st?.isDirectory()) {
    const path = new URL(url, "http://localhost").pathname;
    if (!path.endsWith("/")) { res.writeHead(301, { location: `${path}/` }).end(); return; }
    const index = join(file, "index.html");
    st = existsSync(index) ? statSync(index) : null;
    if (st) return sendFile(req, res, index);
  } else if (st?.isFile()) {
    return sendFile(req, res, file);
  }
  const notFound = join(ctx.out, "404.html");
  if (existsSync(notFound)) return sendFile(req, res, notFound, 404);
  res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
}

export async function serve(ctx: BuildContext): Promise<void> {
  const memory = buildMemory(true);
  const clients = new Set<ServerResponse>();
  const reload = () => { for (const c of clients) c.write("event: reload\ndata: \n\n"); };

  let running: Promise<void> | null = null;
  let again = false;
  let first = true;
  let pagesReady = () => {};
  const firstPages = new Promise<void>((ok) => { pagesReady = ok; });
  /** Build (again while changes keep coming), publish, reload the pages, then index search. */
  const rebuild = (): Promise<void> => {
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        const t0 = performance.now();
        const outcome = await runBuild(ctx, { memory, live: true });
        if (outcome.ok && outcome.linked) {
          console.log(`[kb] ${first ? "built" : "rebuilt"}: ${outcome.rendered} pages rendered, ${outcome.kept} unchanged, ${outcome.removed} deleted in ${secs(performance.now() - t0)} (read, link and site data ${secs(outcome.linked.ms)})`);
        }
        first = false;
        pagesReady();
        if (!outcome.ok) continue;
        reload();
        if (outcome.searchAfter) {
          try {
            console.log("[kb] indexing search…");
            const stats = await outcome.searchAfter();
            console.log(`[kb] search index updated: ${stats.pages} notes, ${stats.indexed} of ${stats.shards} shard(s) indexed (${stats.indexedNotes} notes) in ${stats.ms} ms`);
          } catch (err) {
            console.error(`[kb] search index failed: ${(err as Error).message}`);
          }
        }
      } while (again);
      running = null;
    })();
    return running;
  };

  // Watch the sources, the registry, the templates and the content pages (from before
  // the first build, so that nothing written meanwhile is missed).
  let timer: NodeJS.Timeout | null = null;
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; void rebuild(); }, 150);
  };
  const watchers: FSWatcher[] = [];
  const follow = (path: string, recursive: boolean, only?: string) => {
    if (existsSync(path)) watchers.push(watch(path, { recursive }, (_event, name) => { if (!only || name === only) changed(); }));
  };
  follow(ctx.seeds, true);
  // The folder, not the file: an editor that saves by renaming would end a watch on the file.
  follow(dirname(ctx.registryPath), false, basename(ctx.registryPath));
  follow(join(ctx.root, "templates"), true);
  follow(join(ctx.root, "content"), true);

  const build = rebuild();
  const server = createServer((req, res) => handle(ctx, clients, req, res));
  await new Promise<void>((ok, fail) => { server.once("error", fail); server.listen(ctx.port, ctx.host, ok); });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : ctx.port;
  // Ready once the first build has published its pages (a site already there is served meanwhile).
  await firstPages;
  console.log(`[kb] serving http://localhost:${port}/ — add, change or delete files in ${ctx.seeds} and the site follows`);

  const stop = () => {
    if (timer) clearTimeout(timer);
    for (const w of watchers) w.close();
    for (const c of clients) c.end();
    server.close();
    server.closeAllConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await build;
}
