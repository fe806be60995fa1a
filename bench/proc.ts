/**
 * Running a command the way the benchmark measures it: wall time, and peak memory of
 * the whole process tree (Pagefind and other children included), sampled from
 * /proc every 100 ms as the sum of the tree's resident set sizes.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const PAGE = 4096;

function treeRss(root: number): number {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(name), ppid);
    } catch { /* gone */ }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p !== undefined && p !== root && p > 1) p = parent.get(p);
    if (p !== root) continue;
    try {
      total += Number(readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * PAGE;
    } catch { /* gone */ }
  }
  return total;
}

export interface Measured {
  status: number;
  ms: number;
  /** Peak of the tree's summed RSS, in bytes. */
  peak: number;
  /** Peak before the first output line matching `phase` (e.g. before the search step). */
  peakBefore: number | null;
  /** Milliseconds from start to the first line matching each watched pattern. */
  marks: Record<string, number>;
  out: string;
}

export interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  /** Output patterns whose first appearance is timed (name → pattern). */
  marks?: Record<string, RegExp>;
  /** The mark that ends the "before" phase for `peakBefore`. */
  phase?: string;
  timeoutMs?: number;
  /** Echo the child's output lines that match. */
  echo?: RegExp;
}

export function measure(cmd: string, args: string[], opts: RunOptions): Promise<Measured> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const marks: Record<string, number> = {};
    let peak = 0;
    let peakBefore: number | null = null;
    const sample = () => {
      const rss = treeRss(child.pid!) + 0;
      if (rss > peak) peak = rss;
      if (opts.phase && marks[opts.phase] === undefined) peakBefore = Math.max(peakBefore ?? 0, rss);
    };
    const timer = setInterval(sample, 100);
    const killer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 3_600_000);
    let pending = "";
    const onData = (b: Buffer) => {
      const text = b.toString();
      out += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        for (const [name, re] of Object.entries(opts.marks ?? {})) {
          if (marks[name] === undefined && re.test(line)) marks[name] = performance.now() - t0;
        }
        if (opts.echo?.test(line)) console.log(`      ${line.trim()}`);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("close", (code) => {
      clearInterval(timer);
      clearTimeout(killer);
      resolve({ status: code ?? 1, ms: performance.now() - t0, peak, peakBefore, marks, out });
    });
    sample();
  });
}

/** Peak RSS sampler for a process that keeps running (the watch-mode server). */
export function sampleTree(pid: number): { peak(): number; stop(): void } {
  let peak = 0;
  const t = setInterval(() => { peak = Math.max(peak, treeRss(pid)); }, 100);
  return { peak: () => peak, stop: () => clearInterval(t) };
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
