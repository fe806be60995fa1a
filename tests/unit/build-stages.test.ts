/**
 * The build's own pieces, as pure functions on small inputs: the context read from
 * arguments and environment, the render batches, our Nunjucks engine, the search
 * shard plan, and the dev server's request resolution (nothing outside the site).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { walk } from "../../src/files.ts";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { readContext } from "../../src/context.ts";
import { runPipeline } from "../../src/pipeline.ts";
import { indexSite, planShards, type ShardState } from "../../src/search/pagefind.ts";
import { buildSiteData, type PublishedNote } from "../../src/site/data.ts";
import { NunjucksEngine } from "../../src/site/nunjucks.ts";
import { batchOf } from "../../src/site/render.ts";
import { resolveRequest } from "../../src/serve.ts";

describe("the build context", () => {
  it("reads the settings once, from arguments and environment", () => {
    const ctx = readContext(["--strict", "--out", "/tmp/x-site"], { KB_ROOT: "/p", KB_SEEDS: "vault", KB_SEARCH_SHARD_SIZE: "4", KB_PATH_PREFIX: "/kb/", PORT: "3000" });
    assert.equal(ctx.root, "/p");
    assert.equal(ctx.seeds, "/p/vault");
    assert.equal(ctx.out, "/tmp/x-site");
    assert.equal(ctx.parseCache, "/p/.cache/notes");
    assert.equal(ctx.cacheRoot, "/p/.cache");
    assert.equal(ctx.strict, true);
    assert.equal(ctx.shardSize, 4);
    assert.equal(ctx.site.pathPrefix, "/kb/");
    assert.equal(ctx.port, 3000);
    assert.equal(ctx.host, "127.0.0.1", "loopback unless asked");
  });

  it("turns every cache off with KB_CACHE=off", () => {
    const ctx = readContext([], { KB_ROOT: "/p", KB_CACHE: "off" });
    assert.equal(ctx.parseCache, null);
    assert.equal(ctx.cacheRoot, null);
    assert.equal(ctx.strict, false);
  });
});

describe("render batches", () => {
  it("put every page in exactly one batch, unpaginated templates in the first", () => {
    const ids = Array.from({ length: 300 }, (_, i) => `./content/notes.njk#notes/${i}`);
    const counts = [0, 0, 0];
    for (const id of ids) counts[batchOf(id, true, 3)]!++;
    assert.equal(counts.reduce((a, b) => a + b), 300);
    assert.ok(counts.every((n) => n > 50), `spread over the batches: ${counts}`);
    assert.equal(batchOf("./content/index.njk", false, 3), 0);
    assert.equal(batchOf(ids[7]!, true, 1), 0);
  });
});

describe("our Nunjucks engine", () => {
  const dir = mkdtempSync(join(tmpdir(), "kb-njk-"));
  writeFileSync(join(dir, "card.njk"), "<b>{{ item.title }}</b>");

  it("renders with includes, autoescaping and our filters", async () => {
    const engine = new NunjucksEngine([dir], null);
    const render = engine.compile('{% set item = note %}{% include "card.njk" %} {{ note.date | dateLabel }} {{ note.body }}', "./content/x.njk");
    assert.equal(await render({ note: { title: "英伟达 & AMD", date: "2026-01-04", body: "<script>" } }), "<b>英伟达 &amp; AMD</b> 2026年1月4日 &lt;script&gt;");
  });

  it("compiles a source once, however many pages render it", () => {
    const engine = new NunjucksEngine([dir], null);
    for (let page = 0; page < 500; page++) engine.compile("{{ note.title }}", "./content/notes.njk");
    assert.equal(engine.compiledCount, 1);
    engine.compile("{{ note.date }}", "./content/notes.njk");
    engine.compile("{{ note.title }}", "./content/entities.njk");
    assert.equal(engine.compiledCount, 3, "another source or another path is another template");
  });

  it("reports a template error with the template's path", async () => {
    const engine = new NunjucksEngine([dir], null);
    assert.throws(() => engine.compile("{% if %}", "./content/broken.njk"), /broken\.njk/);
  });

  it("runs each render inside enter/leave, synchronously, so reads belong to one page", async () => {
    const events: string[] = [];
    const engine = new NunjucksEngine([dir], {
      enter: (data) => { events.push(`enter ${(data as { page: { url: string } }).page.url}`); return events.length; },
      leave: () => events.push("leave"),
      async: () => events.push("async"),
    });
    const render = engine.compile("{{ page.url }}:{{ kb.title }}", "./content/a.njk");
    const kb = new Proxy({ title: "t" }, { get: (t, p) => { events.push(`read ${String(p)}`); return Reflect.get(t, p); } });
    const [one, two] = await Promise.all([render({ page: { url: "/1/" }, kb }), render({ page: { url: "/2/" }, kb })]);
    assert.equal(one, "/1/:t");
    assert.equal(two, "/2/:t");
    const order = events.filter((e) => !e.startsWith("read ") || e === "read title").filter((e, i, all) => e !== all[i - 1]);
    assert.deepEqual(order, ["enter /1/", "read title", "leave", "enter /2/", "read title", "leave"], "each page's reads between its own enter and leave");
    assert.ok(!events.includes("async"));
  });
});

describe("search shards", () => {
  const note = (url: string) => ({ url }) as PublishedNote;
  const keys = (urls: string[], changed: string[] = []) => new Map(urls.map((u) => [u, changed.includes(u) ? "new" : "k"]));

  it("fills shards in order on a first build, the main bundle first", () => {
    const urls = ["/a/", "/b/", "/c/", "/d/", "/e/"];
    const plan = planShards(urls.map(note), keys(urls), null, 2);
    assert.deepEqual(plan.map((s) => [s.dir, s.notes.map((n) => n.url), s.dirty]), [
      ["pagefind", ["/a/", "/b/"], true], ["pagefind-1", ["/c/", "/d/"], true], ["pagefind-2", ["/e/"], true],
    ]);
  });

  it("keeps notes in their shards: a changed note dirties its own, a new one fills the last", () => {
    const prev: ShardState = { version: 1, code: "c", shards: [
      { dir: "pagefind", notes: [["/a/", "k"], ["/b/", "k"]] }, { dir: "pagefind-1", notes: [["/c/", "k"]] },
    ] };
    const urls = ["/a/", "/b/", "/c/", "/n/"];
    const plan = planShards(urls.map(note), keys(urls, ["/b/"]), prev, 2);
    assert.deepEqual(plan.map((s) => [s.dir, s.notes.map((n) => n.url), s.dirty]), [
      ["pagefind", ["/a/", "/b/"], true], ["pagefind-1", ["/c/", "/n/"], true],
    ]);
    const same = planShards(["/a/", "/b/", "/c/"].map(note), keys(["/a/", "/b/", "/c/"]), prev, 2);
    assert.deepEqual(same.map((s) => s.dirty), [false, false], "nothing changed: nothing to index");
    const gone = planShards(["/a/", "/b/"].map(note), keys(["/a/", "/b/"]), prev, 2);
    assert.deepEqual(gone.map((s) => s.dir), ["pagefind"], "a shard whose notes are all gone is dropped");
  });

  it("are indexed side by side into the same files as one after another", async () => {
    const root = resolve(import.meta.dirname, "../..");
    const result = runPipeline({ seedsDir: join(root, "seeds"), rootDir: root, cacheDir: null });
    const source = { notes: buildSiteData(result).notes, index: result.index };
    const tmp = mkdtempSync(join(tmpdir(), "kb-shards-"));
    const files = (dir: string) => [...walk(dir)].map(({ path }) => `${path.slice(dir.length)} ${createHash("sha1").update(readFileSync(path)).digest("hex")}`).sort();
    try {
      const one = await indexSite(join(tmp, "one"), source, null, { shardSize: 4, workers: 1 });
      const three = await indexSite(join(tmp, "three"), source, null, { shardSize: 4, workers: 3 });
      assert.equal(one.shards, Math.ceil(source.notes.length / 4));
      assert.deepEqual([three.shards, three.indexed, three.indexedNotes], [one.shards, one.shards, source.notes.length]);
      assert.deepEqual(files(join(tmp, "three")), files(join(tmp, "one")));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("the dev server's requests", () => {
  const root = resolve("/srv/site");
  it("resolve inside the site folder, prefix stripped", () => {
    assert.equal(resolveRequest(root, "/", "/notes/a/"), "/srv/site/notes/a");
    assert.equal(resolveRequest(root, "/kb/", "/kb/search/?q=1"), "/srv/site/search");
    assert.equal(resolveRequest(root, "/", "/%E8%8B%B1%E4%BC%9F%E8%BE%BE/"), "/srv/site/英伟达");
  });
  it("never leave it", () => {
    for (const url of ["/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/a/..%2f..%2f..%2fetc", "/x%00.html", "/%E0%A4%A"]) {
      const file = resolveRequest(root, "/", url);
      assert.ok(file === null || file === root || file.startsWith(`${root}/`), `${url} → ${file}`);
    }
    assert.equal(resolveRequest(root, "/", "/x%00.html"), null);
  });
});
