/**
 * Builds a site the way a user does (`tsx src/cli.ts build`) into a temporary
 * folder, once per distinct seeds folder per test run; tests then read it as a
 * reader would, over files or a local static server.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface BuiltSite { dir: string; stdout: string; status: number }

/** Build `seedsDir` into a fresh folder; cached per run by (seeds folder, extra args). */
export function buildSite(seedsDir = join(ROOT, "seeds"), args: string[] = [], env: Record<string, string> = {}): BuiltSite {
  const key = createHash("sha1").update(`${seedsDir}\0${args.join(" ")}\0${JSON.stringify(env)}\0${process.env.KB_TEST_RUN ?? process.pid}`).digest("hex").slice(0, 10);
  const base = join(tmpdir(), `kb-test-${key}`);
  const dir = join(base, "_site");
  const marker = join(base, "build.json");
  if (existsSync(marker)) return JSON.parse(readFileSync(marker, "utf8")) as BuiltSite;
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src/cli.ts"), "build", "--out", dir, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, KB_SEEDS: seedsDir, KB_CACHE_DIR: join(base, "cache"), ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const built = { dir, stdout: `${r.stdout}\n${r.stderr}`, status: r.status ?? 1 };
  writeFileSync(marker, JSON.stringify(built));
  return built;
}

export function readJson<T>(site: BuiltSite, path: string): T {
  return JSON.parse(readFileSync(join(site.dir, path), "utf8")) as T;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
  ".svg": "image/svg+xml", ".xml": "application/xml", ".wasm": "application/wasm", ".pf_meta": "application/octet-stream",
};

/** A static server over `dir` (like any static host: `/x/` → `/x/index.html`, 404.html otherwise). */
export async function serveStatic(dir: string, prefix = "/"): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (!path.startsWith(prefix)) { res.writeHead(404); res.end(); return; }
    path = "/" + path.slice(prefix.length);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
    if (path.endsWith("/")) file = join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404, { "content-type": TYPES[".html"]! });
      res.end(existsSync(join(dir, "404.html")) ? readFileSync(join(dir, "404.html")) : "not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}${prefix}`, close: () => new Promise((ok) => server.close(() => ok())) };
}
