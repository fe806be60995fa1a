/**
 * `npm run build` twice, with changes in between, in a copy of the project: what is
 * reused (parsed sources, text matches, rendered pages, the search index) and
 * when it must not be (changed parser code, changed registry, changed sources). Each
 * incremental result must equal a fresh full build of the same inputs.
 */
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { diffTrees, runCli, treeHashes, workspace, writeSeed } from "../helpers/workspace.ts";

const ws = workspace("cache", { copyProject: true });
const out = join(ws.base, "_site");
let fresh = 0;

function build(): string {
  const r = runCli(ws, ["build", "--out", out]);
  assert.equal(r.status, 0, r.out);
  return r.out;
}

/** A full build of the same project and seeds with empty caches. */
function fullBuild(): string {
  const dir = join(ws.base, `fresh-${++fresh}`);
  const r = runCli(ws, ["build", "--out", dir], { KB_CACHE_DIR: join(ws.base, `fresh-cache-${fresh}`, "notes") });
  assert.equal(r.status, 0, r.out);
  return dir;
}

const rendered = (log: string) => Number(/\[kb\] render: ([\d,]+) pages rendered/.exec(log)?.[1]?.replace(/,/g, "") ?? NaN);
const kept = (log: string) => Number(/([\d,]+) unchanged kept/.exec(log)?.[1]?.replace(/,/g, "") ?? NaN);
/** Notes matched against the names again, and notes linked ([matched, all]). */
const matched = (log: string) => {
  const all = /\[kb\] link: .*\(all ([\d,]+) notes matched/.exec(log)?.[1];
  const some = /\[kb\] link: .*\(([\d,]+) of ([\d,]+) notes matched/.exec(log)?.slice(1, 3);
  return (all ? [all, all] : some ?? []).map((n) => Number(n.replace(/,/g, "")));
};
const api = (file: string) => JSON.parse(readFileSync(join(out, "api", file), "utf8")) as Array<Record<string, unknown>>;

describe("build caches", { timeout: 900_000 }, () => {
  after(() => ws.cleanup());

  it("a first build parses, links and renders everything", () => {
    const log = build();
    assert.match(log, /\(0 from cache, 5 parsed\)/);
    const [m, all] = matched(log);
    assert.ok(all! > 0 && m === all, `every note matched: ${m} of ${all}`);
    assert.equal(kept(log), 0);
  });

  it("a second build with nothing changed re-publishes the same site without rebuilding it", () => {
    const before = treeHashes(out);
    const log = build();
    assert.match(log, /nothing changed since the last build/);
    assert.deepEqual(treeHashes(out), before, "same files, search index included");
  });

  it("an edited source re-renders only the pages it touches; the result equals a full build", () => {
    appendFileSync(join(ws.seeds, "003_70529567d1e3989d.txt"), "\n\n补充一段：黄仁勋再次谈到英伟达。\n");
    const log = build();
    assert.match(log, /\(4 from cache, 1 parsed\)/, "only the edited file is parsed again");
    assert.equal(matched(log)[0], 1, "and only its note matched against the names again");
    // The note, the entity pages whose excerpts or counts changed, directories whose order did.
    assert.ok(rendered(log) > 0 && rendered(log) < 20, `a few pages rendered: ${rendered(log)}`);
    assert.ok(kept(log) > 200, `the rest kept: ${kept(log)}`);
    assert.deepEqual(diffTrees(out, fullBuild()), []);
  });

  it("a new source appears everywhere, as in a full build", () => {
    writeSeed(ws, "910_cache.md", { title: "缓存测试笔记", date: "2030-03-04", tags: ["cache-test-tag"], people: ["Sam Altman"], companies: ["缓存测试公司"], body: "## 一\n\n奥特曼与缓存测试公司。" });
    const log = build();
    assert.match(log, /search: \d+ notes/, "the search index is rebuilt");
    const note = api("notes.json").find((n) => n.title === "缓存测试笔记");
    assert.ok(note && existsSync(join(out, "tags", "cache-test-tag", "index.html")));
    assert.deepEqual(diffTrees(out, fullBuild()), []);
  });

  it("a deleted source leaves no page behind", () => {
    const id = api("notes.json").find((n) => n.title === "缓存测试笔记")!.id as string;
    rmSync(join(ws.seeds, "910_cache.md"));
    build();
    assert.ok(!existsSync(join(out, "notes", id)), "its page is gone");
    assert.ok(!existsSync(join(out, "tags", "cache-test-tag")), "its tag page is gone");
    assert.ok(!JSON.stringify(api("entities.json")).includes(id));
    assert.deepEqual(diffTrees(out, fullBuild()), []);
  });

  it("a template change re-renders every page but reuses parsed sources and text matches", () => {
    appendFileSync(join(ws.root, "templates", "layouts", "base.njk"), "\n{#- cache test -#}\n");
    const log = build();
    assert.match(log, /\(5 from cache, 0 parsed\)/);
    assert.equal(matched(log)[0], 0, "no note matched again");
    assert.equal(kept(log), 0);
    assert.match(log, /search: unchanged notes, index kept/);
  });

  it("a change to the parser's code invalidates the parse cache", () => {
    appendFileSync(join(ws.root, "src", "ingest", "raw.ts"), "\n// cache test: the parser changed\n");
    const log = build();
    assert.match(log, /\(0 from cache, 5 parsed\)/);
    const [m, all] = matched(log);
    assert.equal(m, all, "new parse keys: every note is matched again");
  });

  it("a change to the registry invalidates the entity index", () => {
    writeSeed(ws, "911_alias.md", { title: "别名测试", date: "2030-05-06", tags: ["alias-test"], people: [], companies: [], body: "## 一\n\n绿色芯片公司发布了新产品。" });
    build();
    const note = api("notes.json").find((n) => n.title === "别名测试")!;
    const nvidiaNotes = () => (api("entities.json").find((e) => e.name === "NVIDIA")!.notes as string[]);
    assert.ok(!nvidiaNotes().includes(note.id as string));
    const registry = join(ws.root, "src", "entities", "registry.yaml");
    const text = readFileSync(registry, "utf8");
    assert.match(text, /name: NVIDIA, aliases: \[/);
    writeFileSync(registry, text.replace("name: NVIDIA, aliases: [", "name: NVIDIA, aliases: [绿色芯片公司, "));
    const log = build();
    assert.match(log, /\(6 from cache, 0 parsed\)/, "the parse cache does not depend on the registry");
    assert.ok(matched(log)[0]! >= 1, "the notes the new alias may name are matched again");
    assert.ok(nvidiaNotes().includes(note.id as string), "the new alias links the note to NVIDIA");
    assert.deepEqual(diffTrees(out, fullBuild()), []);
  });
});
