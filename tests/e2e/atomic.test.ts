/**
 * A build that fails, at any stage, or is killed, must leave the published folder
 * exactly as it was (same files, same bytes) and no half-built folder behind.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli, treeHashes, workspace, writeSeed } from "../helpers/workspace.ts";

const ws = workspace("atomic", { copyProject: true });
const out = join(ws.base, "_site");
let published: Map<string, string>;

const leftovers = () => readdirSync(dirname(out)).filter((n) => n.startsWith(`${basename(out)}.`));

/** A change, so that a build has something to do (and would publish something different). */
let n = 0;
function touchSources(): void {
  writeSeed(ws, `95${n++}_atomic.md`, { title: `原子发布测试 ${n}`, date: "2030-06-07", tags: ["atomic-test"], people: ["Sam Altman"], companies: [], body: "## 一\n\n奥特曼谈发布。" });
}

function assertUnchanged(log: string): void {
  const now = treeHashes(out);
  const changed = [...new Set([...now.keys(), ...published.keys()])].filter((f) => now.get(f) !== published.get(f));
  assert.deepEqual(changed, [], `the published folder is byte for byte as it was\n${log.slice(-2000)}`);
}

describe("atomic publishing", { timeout: 900_000 }, () => {
  before(() => {
    const r = runCli(ws, ["build", "--out", out]);
    assert.equal(r.status, 0, r.out);
    published = treeHashes(out);
    assert.ok(published.size > 100);
  });

  after(() => ws.cleanup());

  for (const stage of ["after-render", "after-search", "before-publish"]) {
    it(`an error ${stage.replace("-", " ")} leaves the site as it was`, () => {
      touchSources();
      const r = runCli(ws, ["build", "--out", out], { KB_FAULT: stage });
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /build failed, .* was left as it was/);
      assertUnchanged(r.out);
      assert.deepEqual(leftovers(), [], "no temporary folder is left");
    });
  }

  it("--strict with an erroneous source fails without publishing", () => {
    writeFileSync(join(ws.seeds, "960_empty.md"), "");
    const r = runCli(ws, ["build", "--strict", "--out", out]);
    assert.equal(r.status, 1, r.out);
    assert.match(r.out, /--strict: \d+ error/);
    assertUnchanged(r.out);
    assert.deepEqual(leftovers(), []);
  });

  it("a broken template fails the build without publishing", () => {
    const template = join(ws.root, "content", "timeline.njk");
    const text = readFileSync(template, "utf8");
    appendFileSync(template, "\n{% if unclosed %}\n");
    try {
      const r = runCli(ws, ["build", "--out", out]);
      assert.equal(r.status, 1, r.out);
      assertUnchanged(r.out);
      assert.deepEqual(leftovers(), []);
    } finally {
      writeFileSync(template, text);
    }
  });

  it("a build killed part-way leaves the site as it was; the next build cleans up and publishes", async () => {
    touchSources();
    const child = spawn(process.execPath, ["--import", "tsx", join(ws.root, "src/cli.ts"), "build", "--out", out], {
      cwd: ws.root, env: { ...process.env, ...ws.env }, stdio: ["ignore", "pipe", "pipe"],
    });
    // Kill it while it renders into its temporary folder.
    await new Promise<void>((ok, fail) => {
      const t0 = Date.now();
      const tick = () => {
        if (leftovers().some((f) => f.includes(".tmp-") && existsSync(join(dirname(out), f, "index.html")))) return ok();
        if (child.exitCode !== null) return fail(new Error("the build ended before it could be killed"));
        if (Date.now() - t0 > 120_000) return fail(new Error("the build never started writing"));
        setTimeout(tick, 10);
      };
      tick();
    });
    child.kill("SIGKILL");
    await new Promise((ok) => child.once("exit", ok));
    assertUnchanged("killed");
    assert.equal(leftovers().length, 1, "the killed build's folder is there…");
    const r = runCli(ws, ["build", "--out", out]);
    assert.equal(r.status, 0, r.out);
    assert.ok(!leftovers().some((f) => f.includes(".tmp-")), "…until the next build removes it");
    // The site it replaced is deleted in the background, after publishing: soon gone too.
    for (let i = 0; i < 200 && leftovers().length; i++) await new Promise((ok) => setTimeout(ok, 50));
    assert.deepEqual(leftovers(), [], "nothing is left beside the site");
    assert.notDeepEqual(treeHashes(out), published, "and publishes the new site");
  });
});
