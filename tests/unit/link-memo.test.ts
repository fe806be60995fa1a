/**
 * `npm start` re-links after each change by matching only new or changed notes
 * (MatchMemo in src/entities/index.ts). Whatever the sequence of changes, the entity
 * index it produces must be the one a fresh build of the same files produces.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SourceMemory } from "../../src/caches.ts";
import { buildEntityIndex, type EntityIndex } from "../../src/entities/index.ts";
import { loadRegistry } from "../../src/entities/registry.ts";
import { runPipeline } from "../../src/pipeline.ts";
import { ROOT } from "../helpers/workspace.ts";

const comparable = (i: EntityIndex) => JSON.stringify({ entities: i.entities, links: [...i.links].sort((a, b) => (a[0] < b[0] ? -1 : 1)) });

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
    assert.equal(memory.matchMemo!.rematched, 1);
    assert.deepEqual(sixth.index.links.get("new-1")!.companies.map((c) => c.name), ["Microsoft"]);
    assert.equal(comparable(sixth.index), fresh(sixth));
  });
});
