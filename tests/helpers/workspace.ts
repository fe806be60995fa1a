/**
 * Throw-away workspaces for build tests: a seeds folder, caches and output folders in
 * a temp directory, optionally a copy of the project itself (to change its code or
 * registry without touching the real one), plus helpers to run the CLI and compare
 * built folders file by file.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface Workspace {
  base: string;
  /** Project root the CLI runs in: the real one, or a copy. */
  root: string;
  seeds: string;
  /** Parse cache (the other caches sit next to it). */
  cache: string;
  env: Record<string, string>;
  cleanup(): void;
}

/** A temp workspace whose seeds are a copy of the real seeds; `copyProject` also copies code and templates. */
export function workspace(name: string, opts: { copyProject?: boolean } = {}): Workspace {
  const base = mkdtempSync(join(tmpdir(), `kb-${name}-`));
  let root = ROOT;
  if (opts.copyProject) {
    root = join(base, "project");
    mkdirSync(root);
    for (const p of ["content", "templates", "src", "eleventy.config.ts", "package.json", "package-lock.json", "tsconfig.json"]) {
      if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(root, p), { recursive: true });
    }
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
  }
  const seeds = join(base, "seeds");
  cpSync(join(ROOT, "seeds"), seeds, { recursive: true });
  const cache = join(base, "cache", "notes");
  return {
    base,
    root,
    seeds,
    cache,
    env: { KB_SEEDS: seeds, KB_CACHE_DIR: cache },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

export interface CliRun { status: number; out: string }

/** `tsx src/cli.ts <args>` in the workspace's project, bounded by `timeoutMs`. */
export function runCli(ws: Workspace, args: string[], env: Record<string, string> = {}, timeoutMs = 240_000): CliRun {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ws.root, "src/cli.ts"), ...args], {
    cwd: ws.root,
    encoding: "utf8",
    env: { ...process.env, ...ws.env, ...env },
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 1, out: `${r.stdout}\n${r.stderr}` };
}

/** Every file under `dir` (relative path → sha1), skipping top-level entries `skip` says to. */
export function treeHashes(dir: string, skip: (top: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (d === dir && skip(e.name)) continue;
      if (e.isDirectory()) walk(p);
      else out.set(rel, createHash("sha1").update(readFileSync(p)).digest("hex"));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Search bundles are built from the notes, not from pages: compared separately. */
export const isSearchDir = (name: string) => name.startsWith("pagefind");

/** Files that differ, exist only in `a`, or only in `b` (empty: the same pages). */
export function diffTrees(a: string, b: string, skip: (top: string) => boolean = isSearchDir): string[] {
  const ha = treeHashes(a, skip);
  const hb = treeHashes(b, skip);
  const diffs: string[] = [];
  for (const [f, h] of ha) if (!hb.has(f)) diffs.push(`only in ${a}: ${f}`); else if (hb.get(f) !== h) diffs.push(`differs: ${f}`);
  for (const f of hb.keys()) if (!ha.has(f)) diffs.push(`only in ${b}: ${f}`);
  return diffs.sort();
}

/** A seed in the front-matter shape, naming a registered person, a new company and a new tag. */
export function writeSeed(ws: Workspace, file: string, fields: { title: string; date: string; tags: string[]; people: string[]; companies: string[]; body: string }): string {
  const path = join(ws.seeds, file);
  const list = (xs: string[]) => xs.map((x) => `\n  - ${x}`).join("");
  writeFileSync(path, `---\ntitle: ${fields.title}\ndate: "${fields.date}"\ntags:${list(fields.tags)}\npeople:${list(fields.people)}\ncompanies_orgs:${list(fields.companies)}\nsummary: ${fields.title}的摘要。\n---\n\n${fields.body}\n`);
  return path;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** `npm start` in a workspace: the child process, its log so far, and waits on the log. */
export interface Server {
  child: ChildProcess;
  log(): string;
  /** Resolves once `pattern` has matched `count` times in the log; rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `test(log)` holds; rejects after `timeoutMs`. */
  waitUntil(what: string, test: (log: string) => boolean, timeoutMs?: number): Promise<void>;
  count(pattern: RegExp): number;
  stop(): Promise<void>;
}

export function startServer(ws: Workspace, out: string, port: number): Server {
  const child = spawn(process.execPath, ["--import", "tsx", join(ws.root, "src/cli.ts"), "serve", "--out", out], {
    cwd: ws.root,
    env: { ...process.env, ...ws.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (b: Buffer) => { log += b.toString(); });
  child.stderr!.on("data", (b: Buffer) => { log += b.toString(); });
  const count = (pattern: RegExp) => (log.match(new RegExp(pattern.source, "g")) ?? []).length;
  const waitUntil = (what: string, test: (log: string) => boolean, timeoutMs = 120_000) => new Promise<void>((ok, fail) => {
    const t0 = Date.now();
    const tick = () => {
      if (test(log)) return ok();
      if (child.exitCode !== null) return fail(new Error(`server exited (${child.exitCode}) before ${what}:\n${log}`));
      if (Date.now() - t0 > timeoutMs) return fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${log.slice(-4000)}`));
      setTimeout(tick, 50);
    };
    tick();
  });
  return {
    child,
    log: () => log,
    count,
    waitUntil,
    waitFor: (pattern, n = 1, timeoutMs = 120_000) => waitUntil(`${pattern} ×${n}`, () => count(pattern) >= n, timeoutMs),
    stop: () => new Promise((ok) => {
      if (child.exitCode !== null) return ok();
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      child.once("exit", () => { clearTimeout(t); ok(); });
      child.kill("SIGTERM");
    }),
  };
}
