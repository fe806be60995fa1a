/**
 * Re-linking after each change matches only new or changed notes (MatchMemo in
 * src/entities/memo.ts): `npm start` keeps the matches in memory, `npm run build` in
 * the `matches` store of `.cache/links/`. Whatever the sequence of changes, the entity index
 * must be the one a fresh build of the same files produces.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { PackStore, SourceMemory } from "../../src/caches.ts";
import { buildEntityIndex, type EntityIndex } from "../../src/entities/index.ts";
import { loadRegistry } from "../../src/entities/registry.ts";
import { noteId } from "../../src/note.ts";
import { runPipeline } from "../../src/pipeline.ts";
import { ROOT } from "../helpers/workspace.ts";

const comparable = (i: EntityIndex) => JSON.stringify({ entities: i.entities, links: [...i.links].sort((a, b) => (a[0] < b[0] ? -1 : 1)) });

/**
 * The keys the render plan compares instead of entities' lists of notes (`notesKeys`):
 * every list has one, and from one build to the next an unchanged key means an unchanged
 * list (else a page showing it would be kept stale). Returns how many keys were kept.
 */
function sameKeysSameLists(before: EntityIndex, after: EntityIndex): number {
  const lists = (i: EntityIndex) => new Map(i.entities.map((e) => [e.id, { key: i.notesKeys.get(e.notes), json: JSON.stringify(e.notes) }]));
  const a = lists(before), b = lists(after);
  let kept = 0;
  for (const [id, now] of b) {
    assert.ok(now.key, `${id}: its notes have a key`);
    const was = a.get(id);
    if (!was || was.key !== now.key) continue;
    assert.equal(now.json, was.json, `${id}: the same key, so the same notes`);
    kept++;
  }
  return kept;
}

describe("re-linking in a long-running process", () => {
  let dir: string;
  const memory = new SourceMemory();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "kb-linkmemo-"));
    cpSync(join(ROOT, "seeds"), join(dir, "seeds"), { recursive: true });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const run = () => runPipeline({ seedsDir: join(dir, "seeds"), rootDir: dir, cacheDir: null, memory });
  const fresh = (r: ReturnType<typeof run>) => comparable(buildEntityIndex(r.notes, loadRegistry().entries));

  it("matches only the changed notes, and gives the index a fresh build gives", () => {
    const first = run();
    assert.equal(memory.matchMemo!.rematched, first.notes.length, "the first run matches every note");

    // A new file that declares a name no one declared before, which an existing note mentions.
    writeFileSync(join(dir, "seeds", "new-1.md"), "---\ntitle: 新的访谈\ndate: 2026-02-01\npeople: [Hilary Gridley]\n---\n\n### 开场\n\n英伟达与 OpenAI 的合作。\n");
    const second = run();
    assert.ok(second.notes.some((n) => n.id === "new-1"));
    assert.ok(sameKeysSameLists(first.index, second.index) > 0);
    assert.ok(memory.matchMemo!.rematched < second.notes.length, `matched ${memory.matchMemo!.rematched} of ${second.notes.length} notes again`);
    assert.equal(comparable(second.index), fresh(second));

    // A file mentions a name nobody declares (not linked); then a file declares it:
    // the first file must be matched again, and only it and the new one.
    writeFileSync(join(dir, "seeds", "new-3.md"), "---\ntitle: 第三篇\ndate: 2026-02-03\n---\n\n### 正文\n\n据报道 Zephyrine Robotics 正在融资，英伟达参投。\n");
    const third = run();
    assert.equal(third.index.entities.find((e) => e.name === "Zephyrine Robotics"), undefined);
    assert.equal(comparable(third.index), fresh(third));
    writeFileSync(join(dir, "seeds", "new-2.md"), "---\ntitle: 另一篇\ndate: 2026-02-02\ncompanies: [Zephyrine Robotics]\n---\n\n### 正文\n\nZephyrine Robotics 发布了新机器人。\n");
    const fourth = run();
    assert.equal(memory.matchMemo!.rematched, 2, "the new file and the one that mentions the new name");
    const z = fourth.index.entities.find((e) => e.name === "Zephyrine Robotics");
    assert.deepEqual(z?.notes.map((n) => n.id).sort(), ["new-2", "new-3"]);
    assert.equal(comparable(fourth.index), fresh(fourth));

    // The only file declaring the name is deleted: the name is no longer matched anywhere.
    rmSync(join(dir, "seeds", "new-2.md"));
    const fifth = run();
    assert.equal(fifth.index.entities.find((e) => e.name === "Zephyrine Robotics"), undefined);
    assert.equal(comparable(fifth.index), fresh(fifth));

    // An edited file is matched again.
    writeFileSync(join(dir, "seeds", "new-1.md"), "---\ntitle: 新的访谈\ndate: 2026-02-01\n---\n\n### 开场\n\n只谈微软。\n");
    const sixth = run();
    sameKeysSameLists(fifth.index, sixth.index);
    assert.equal(memory.matchMemo!.rematched, 1);
    assert.deepEqual(sixth.index.links.get(noteId("new-1"))!.companies.map((c) => c.name), ["Microsoft"]);
    assert.equal(comparable(sixth.index), fresh(sixth));
  });
});

describe("re-linking in one-shot builds, with the matches stored in the link cache", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "kb-linkdisk-"));
    cpSync(join(ROOT, "seeds"), join(dir, "seeds"), { recursive: true });
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // A new process each time: nothing is kept in memory, only in the cache folders.
  const run = () => runPipeline({ seedsDir: join(dir, "seeds"), rootDir: dir, cacheDir: join(dir, "cache", "notes"), linkCacheDir: join(dir, "cache", "links") });
  const fresh = (r: ReturnType<typeof run>) => comparable(buildEntityIndex(r.notes, loadRegistry().entries));
  const memoFile = () => join(dir, "cache", "links", "matches.pack");
  /** The notes whose stored matches the last build found exact (a store opened to look, not closed: nothing is marked). */
  const stored = () => [...PackStore.open(join(dir, "cache", "links"), "matches").lastUsed()];

  it("gives the index a fresh link gives, after new, renamed, declaring and deleted files", () => {
    const first = run();
    assert.ok(existsSync(memoFile()));
    assert.equal(stored().length, first.notes.length, "one record per note");
    assert.equal(comparable(first.index), fresh(first));

    writeFileSync(join(dir, "seeds", "new-3.md"), "---\ntitle: 第三篇\ndate: 2026-02-03\n---\n\n### 正文\n\n据报道 Zephyrine Robotics 正在融资，英伟达参投。\n");
    const second = run();
    assert.equal(comparable(second.index), fresh(second));
    assert.equal(second.stats.matched, 1, "only the new file is matched");
    // Most lists are untouched by one new note (in a new process, from the stored matches).
    assert.ok(sameKeysSameLists(first.index, second.index) > second.index.entities.length / 2);
    assert.equal(stored().length, second.notes.length);

    // A file declares the name the earlier file only mentioned: that file's stored matches are stale.
    writeFileSync(join(dir, "seeds", "new-2.md"), "---\ntitle: 另一篇\ndate: 2026-02-02\ncompanies: [Zephyrine Robotics]\n---\n\n### 正文\n\nZephyrine Robotics 发布了新机器人。\n");
    const third = run();
    assert.equal(third.stats.matched, 2, "the new file and the one that mentions the new name");
    sameKeysSameLists(second.index, third.index);
    assert.deepEqual(third.index.entities.find((e) => e.name === "Zephyrine Robotics")?.notes.map((n) => n.id).sort(), ["new-2", "new-3"]);
    assert.equal(comparable(third.index), fresh(third));

    rmSync(join(dir, "seeds", "new-2.md"));
    const fourth = run();
    assert.equal(fourth.index.entities.find((e) => e.name === "Zephyrine Robotics"), undefined);
    assert.equal(comparable(fourth.index), fresh(fourth));
    sameKeysSameLists(third.index, fourth.index);
    assert.equal(fourth.stats.matched, 1, "the note that named the name no longer declared");
    assert.equal(stored().length, fourth.notes.length, "the deleted note's matches are not kept as valid");
  });

  it("matches every note again when the stored matches are cut short", () => {
    const bytes = readFileSync(memoFile());
    writeFileSync(memoFile(), bytes.subarray(0, Math.floor(bytes.length / 2)));
    writeFileSync(join(dir, "seeds", "new-4.md"), "---\ntitle: 第四篇\ndate: 2026-02-04\n---\n\n### 正文\n\n微软与英伟达。\n");
    const r = run();
    assert.equal(comparable(r.index), fresh(r));
    assert.equal(stored().length, r.notes.length);
  });
});
