/**
 * `npm test`: type-check, build the real seeds once into .cache/test/site, then run
 * every tests/**\/*.test.ts with Node's test runner (unit, end-to-end, browser).
 *
 * Browser tests need Debian's Chromium at /usr/bin/chromium. On a fresh machine
 * where we are root and apt-get exists, it is installed here (as .ci/run does);
 * otherwise the runner stops with the command to run.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

const CHROMIUM = process.env.KB_CHROMIUM ?? "/usr/bin/chromium";

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const root = process.getuid?.() === 0;
  if (root && existsSync("/usr/bin/apt-get")) {
    console.log("[test] installing Debian's chromium and CJK fonts for the browser tests (apt-get)…");
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium", "fonts-noto-cjk"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    return;
  }
  console.error(`[test] the browser tests need Chromium at ${CHROMIUM}: run \`sudo apt-get install chromium fonts-noto-cjk\` (or set KB_CHROMIUM)`);
  process.exit(1);
}

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? findTests(p) : e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length ? only : findTests("tests").sort();
if (!only.length || files.some((f) => f.includes("browser"))) ensureChromium();

const tsc = spawnSync("npx", ["tsc", "--noEmit"], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...files], {
  stdio: "inherit",
  env: { ...process.env, KB_CHROMIUM: CHROMIUM, KB_TEST_RUN: String(Date.now()) },
});
process.exit(result.status ?? 1);
