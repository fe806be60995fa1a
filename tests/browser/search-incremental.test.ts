/**
 * Re-indexing search after a change indexes only the shards whose notes changed
 * (src/search/pagefind.ts). With shards of 4 notes: after adding a file and after
 * deleting one, only the affected shard is indexed, and a reader searching in
 * Chromium gets what a fresh build of the same files gives.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launch } from "../helpers/browser.ts";
import { serveStatic } from "../helpers/site.ts";
import { runCli, workspace, writeSeed } from "../helpers/workspace.ts";

const ws = workspace("search-inc");
const env = { KB_SEARCH_SHARD_SIZE: "4" };
// Whole words: a query cut into single characters (智变时代 → 智 变 时代) makes Pagefind
// expand prefixes per shard, and shards are composed differently by a fresh build.
const QUERIES = ["英伟达", "Zephyrine", "黄仁勋", "自动驾驶", "OpenAI", "台积电", "数据中心"];

function build(out: string, extra: Record<string, string> = {}): string {
  const r = runCli(ws, ["build", "--out", out], { ...env, ...extra });
  assert.equal(r.status, 0, r.out);
  return /\[kb\] search: .*/.exec(r.out)?.[0] ?? r.out;
}

/** Every indexed document as `url key`, whatever shard holds it. */
const indexed = (dir: string) => (JSON.parse(readFileSync(join(dir, "pagefind", "kb-shards.json"), "utf8")) as { shards: Array<{ notes: string[][] }> })
  .shards.flatMap((s) => s.notes.map((n) => n.join(" "))).sort();

/** For each query: the status line and every result URL (all pages of results). */
async function searchAll(browser: Browser, dir: string): Promise<Record<string, string>> {
  const server = await serveStatic(dir);
  const page = await browser.newPage();
  const out: Record<string, string> = {};
  try {
    for (const q of QUERIES) {
      await page.goto(`${server.url}search/?q=${encodeURIComponent(q)}`);
      await page.waitForFunction(() => /找到|没有找到/.test(document.querySelector(".kb-status")?.textContent ?? ""), undefined, { timeout: 15000 });
      while (await page.isVisible(".kb-more")) await page.click(".kb-more");
      const urls = await page.$$eval("#search .kb-result-title a", (as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname).sort());
      out[q] = `${await page.textContent(".kb-status")} ${urls.join(" ")}`;
    }
  } finally {
    await page.close();
    await server.close();
  }
  return out;
}

describe("incremental search index", { timeout: 600_000 }, () => {
  let browser: Browser;
  const out = join(ws.base, "_site");
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); ws.cleanup(); });

  it("indexes only the shard a new note lands in, and finds what a fresh build finds", async () => {
    assert.match(build(out), /13 notes in 4 shard\(s\), all indexed/);
    writeSeed(ws, "new-robots.md", { title: "黄仁勋谈机器人", date: "2026-03-01", tags: ["机器人"], people: ["黄仁勋"], companies: ["Zephyrine"], body: "### 开场\n\n英伟达与 Zephyrine 的机器人平台，芯片来自台积电。" });
    assert.match(build(out), /14 notes in 4 shard\(s\), 1 indexed \(2 notes\), 3 kept/);
    const fresh = join(ws.base, "fresh-1");
    build(fresh, { KB_CACHE_DIR: join(ws.base, "fresh-cache-1", "notes") });
    assert.deepEqual(indexed(out), indexed(fresh));
    const [inc, full] = [await searchAll(browser, out), await searchAll(browser, fresh)];
    assert.match(inc.Zephyrine!, /找到 1 篇.*\/notes\/new-robots\//);
    assert.deepEqual(inc, full);
  });

  it("drops a deleted source's notes from search, re-indexing only their shards", async () => {
    rmSync(join(ws.seeds, "002_cd6a7d5e8935a604.txt"));
    const line = build(out);
    assert.match(line, /13 notes in 4 shard\(s\), 1 indexed \(3 notes\), 3 kept/);
    const fresh = join(ws.base, "fresh-2");
    build(fresh, { KB_CACHE_DIR: join(ws.base, "fresh-cache-2", "notes") });
    assert.deepEqual(indexed(out), indexed(fresh));
    const [inc, full] = [await searchAll(browser, out), await searchAll(browser, fresh)];
    assert.ok(Object.values(inc).every((r) => !r.includes("/notes/002-")), JSON.stringify(inc));
    assert.ok(Object.values(inc).some((r) => r.includes("/notes/")));
    assert.deepEqual(inc, full);
  });
});
