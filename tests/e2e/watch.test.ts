/**
 * `npm start` as a writer uses it: add, change, rename and delete files in seeds/
 * while the server runs; after each rebuild the served folder must hold exactly what
 * a fresh `npm run build` of the same seeds produces (every page the file touches is
 * updated, nothing stale is left), and the search index must follow.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { diffTrees, freePort, runCli, startServer, type Server, workspace, writeSeed } from "../helpers/workspace.ts";

// A copy of the project: edits other people make to the real templates must not trigger rebuilds here.
const ws = workspace("watch", { copyProject: true });
const served = join(ws.base, "served");
let server: Server;
let port = 0;
let fresh = 0;

/** A fresh full build of the current seeds, in its own folder and caches. */
function fullBuild(): string {
  const out = join(ws.base, `fresh-${++fresh}`);
  const r = runCli(ws, ["build", "--out", out], { KB_CACHE_DIR: join(ws.base, `fresh-cache-${fresh}`, "notes") });
  assert.equal(r.status, 0, r.out);
  return out;
}

const REBUILT = /\[kb\] rebuilt: /;
const SEARCHED = /\[kb\] search index updated/;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Make a change, then wait for the rebuilds it causes to settle (a rename or deletion
 * can cause two) and, with `search`, for a search index started after the last one.
 */
async function change(fn: () => void, search = false): Promise<void> {
  const n0 = server.count(REBUILT);
  fn();
  await server.waitFor(REBUILT, n0 + 1, 120_000);
  for (let n = server.count(REBUILT); ; n = server.count(REBUILT)) {
    await sleep(2500);
    if (server.count(REBUILT) === n) break;
  }
  if (search) {
    await server.waitUntil("a search index started after the last rebuild", (log) => {
      const start = log.indexOf("[kb] indexing search", log.lastIndexOf("[kb] rebuilt:"));
      return start >= 0 && log.indexOf("[kb] search index updated", start) >= 0;
    }, 180_000);
  }
}

const html = (rel: string) => readFileSync(join(served, rel), "utf8");
const notesApi = () => JSON.parse(html("api/notes.json")) as Array<{ id: string; title: string; tags: string[] }>;
const pageCount = (dir: string) => {
  const entry = JSON.parse(readFileSync(join(dir, "pagefind", "pagefind-entry.json"), "utf8")) as { languages: Record<string, { page_count: number }> };
  return Object.values(entry.languages).reduce((n, l) => n + l.page_count, 0);
};

describe("npm start follows the seeds folder", { timeout: 900_000 }, () => {
  before(async () => {
    port = await freePort();
    server = startServer(ws, served, port);
    await server.waitFor(/\[kb\] serving/, 1, 180_000);
    await server.waitFor(SEARCHED, 1, 180_000);
  });

  after(async () => {
    await server?.stop();
    ws.cleanup();
  });

  it("serves on loopback only, from a folder equal to a fresh build", async () => {
    assert.match(server.log(), /\[kb\] serving http:\/\/localhost:\d+\//);
    const home = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<script src="\/\.kb\/reload\.js" defer><\/script><\/body>/, "pages get the live-reload script");
    assert.equal((await fetch(`http://127.0.0.1:${port}/no/such/page/`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${port}/notes`, { redirect: "manual" })).headers.get("location"), "/notes/");
    const outside = Object.values(networkInterfaces()).flat().find((a) => a && a.family === "IPv4" && !a.internal);
    if (outside) {
      const refused = await new Promise<boolean>((ok) => {
        const sock = connect(port, outside.address);
        sock.once("connect", () => { sock.destroy(); ok(false); });
        sock.once("error", () => ok(true));
      });
      assert.ok(refused, `nothing answers on ${outside.address}:${port}`);
    }
    assert.deepEqual(diffTrees(served, fullBuild()), []);
  });

  it("adds a new file to every page it should appear on, and open pages reload", async () => {
    const events = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${port}/.kb/events`, { signal: events.signal });
    let received = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      const reader = stream.body!.getReader();
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) received += decoder.decode(r.value);
      } catch { /* aborted */ }
    })();
    await change(() => writeSeed(ws, "900_watch.md", {
      title: "监视测试：新增笔记",
      date: "2030-01-02",
      tags: ["watch-test-tag"],
      people: ["Jensen Huang"],
      companies: ["监视测试公司"],
      body: "## 第一节\n\n黄仁勋谈到英伟达的新芯片，监视测试公司也在场。",
    }), true);
    const note = notesApi().find((n) => n.title === "监视测试：新增笔记");
    assert.ok(note, "the note is in /api/notes.json");
    const noteUrl = `/notes/${note.id}/`;
    assert.ok(existsSync(join(served, "notes", note.id, "index.html")), "its page exists");
    assert.ok(html("index.html").includes(noteUrl), "the home page lists it (newest note)");
    assert.ok(html("timeline/index.html").includes(noteUrl), "the timeline lists it");
    assert.ok(html("tags/watch-test-tag/index.html").includes(noteUrl), "its new tag has a page listing it");
    assert.ok(html("tags/index.html").includes("/tags/watch-test-tag/"), "the tag directory lists the new tag");
    const people = JSON.parse(html("api/entities.json")) as Array<{ name: string; url: string; notes: string[] }>;
    const jensen = people.find((e) => e.name === "Jensen Huang")!;
    assert.ok(jensen.notes.includes(note.id), "the person's entry in the API lists it");
    assert.ok(html(`${jensen.url.slice(1)}index.html`).includes(noteUrl), "the person's page lists it");
    const company = people.find((e) => e.name === "监视测试公司");
    assert.ok(company && html(`${company.url.slice(1)}index.html`).includes(noteUrl), "the new company has a page listing it");
    assert.ok(html("sitemap.xml").includes(noteUrl) && html("feed.xml").includes(noteUrl), "sitemap and feed list it");
    assert.deepEqual(diffTrees(served, fullBuild()), [], "the served folder equals a fresh full build");
    assert.equal(pageCount(served), notesApi().length, "the search index has every note, the new one included");
    events.abort();
    await reading;
    assert.match(received, /event: reload/, "the server told open pages to reload");
  });

  it("updates every page when a file changes", async () => {
    await change(() => writeSeed(ws, "900_watch.md", {
      title: "监视测试：改过的标题",
      date: "2030-01-02",
      tags: ["watch-test-tag"],
      people: ["Jensen Huang"],
      companies: ["监视测试公司"],
      body: "## 第一节\n\n黄仁勋谈到英伟达的新芯片，监视测试公司也在场。",
    }));
    assert.ok(html("tags/watch-test-tag/index.html").includes("监视测试：改过的标题"));
    assert.ok(!html("index.html").includes("监视测试：新增笔记"), "the old title is gone from the home page");
    assert.deepEqual(diffTrees(served, fullBuild()), []);
  });

  it("follows a rename: the old page goes, the new one comes", async () => {
    const oldId = notesApi().find((n) => n.title === "监视测试：改过的标题")!.id;
    await change(() => renameSync(join(ws.seeds, "900_watch.md"), join(ws.seeds, "901_renamed.md")));
    const now = notesApi().find((n) => n.title === "监视测试：改过的标题")!;
    assert.notEqual(now.id, oldId);
    assert.ok(!existsSync(join(served, "notes", oldId)), "no page is left at the old address");
    assert.ok(existsSync(join(served, "notes", now.id, "index.html")));
    assert.deepEqual(diffTrees(served, fullBuild()), []);
  });

  it("removes a deleted file from every page, and its pages", async () => {
    const id = notesApi().find((n) => n.title === "监视测试：改过的标题")!.id;
    await change(() => rmSync(join(ws.seeds, "901_renamed.md")), true);
    assert.ok(!notesApi().some((n) => n.id === id), "gone from /api/notes.json");
    assert.ok(!existsSync(join(served, "notes", id)), "its page is deleted");
    assert.ok(!existsSync(join(served, "tags", "watch-test-tag")), "the tag only it had is deleted");
    assert.ok(!html("tags/index.html").includes("/tags/watch-test-tag/"));
    const mentions = (JSON.parse(html("api/entities.json")) as Array<{ notes: string[] }>).filter((e) => e.notes.includes(id));
    assert.deepEqual(mentions, [], "no entity lists it");
    assert.deepEqual(diffTrees(served, fullBuild()), [], "the served folder equals a fresh full build");
    assert.equal(pageCount(served), notesApi().length, "the search index no longer has it");
  });
});
