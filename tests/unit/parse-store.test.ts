/**
 * The parse cache's store (PackStore in src/caches.ts): one pack file and its index.
 * What it gives back must be what was put in, across processes (a fresh `open`), and
 * whatever happened to the files (cut short, overwritten, left by an earlier version)
 * it must give back nothing rather than something wrong.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openParseStore } from "../../src/caches.ts";
import { parseSource, type ParsedSource } from "../../src/ingest/index.ts";
import { ROOT } from "../helpers/workspace.ts";

const seeds = readdirSync(join(ROOT, "seeds")).sort();
const parsed: Array<[string, ParsedSource]> = seeds.map((f) => [createHash("sha256").update(f).digest("hex"), parseSource(f, readFileSync(join(ROOT, "seeds", f)))]);

describe("the parse store", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), "kb-store-"));
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const fill = (dir: string) => {
    const s = openParseStore(dir);
    for (const [k, v] of parsed) s.put(k, v);
    s.close();
  };

  it("gives back every parse, equal to what was stored, after it is opened again", () => {
    const dir = fresh();
    fill(dir);
    const s = openParseStore(dir);
    for (const [k, v] of parsed) assert.deepEqual(s.get(k), JSON.parse(JSON.stringify(v)));
    assert.equal(s.get("f".repeat(64)), null, "a key never stored");
    s.close();
    assert.deepEqual(readdirSync(dir).sort(), ["parses.idx", "parses.pack"], "one pack and its index, not a file per source");
  });

  it("gives nothing for entries the pack no longer holds, and the rest as stored", () => {
    const dir = fresh();
    fill(dir);
    const pack = join(dir, "parses.pack");
    // Another build rewrote the pack meanwhile: the first entry's bytes are someone else's.
    const bytes = readFileSync(pack);
    const newline = Buffer.from("\n", "utf16le");
    const second = bytes.indexOf(newline) + newline.length;
    writeFileSync(pack, Buffer.concat([bytes.subarray(second), bytes.subarray(0, second)]));
    const s = openParseStore(dir);
    assert.equal(s.get(parsed[0]![0]), null);
    s.close();
    // Cut short (a full disk, a crash): the index is not trusted at all.
    truncateSync(pack, 100);
    const t = openParseStore(dir);
    for (const [k] of parsed) assert.equal(t.get(k), null);
    t.put(parsed[1]![0], parsed[1]![1]);
    t.close();
    assert.deepEqual(openParseStore(dir).get(parsed[1]![0]), JSON.parse(JSON.stringify(parsed[1]![1])));
  });

  it("drops what later builds stop asking for, and rewrites a mostly unused pack", () => {
    const dir = fresh();
    fill(dir);
    const big = statSync(join(dir, "parses.pack")).size;
    // Builds that use only the first source: the others are dropped after eight of them.
    // (Rewritten above 1 KB here; 4 MB by default.)
    for (let i = 0; i < 8; i++) {
      const s = openParseStore(dir, 1024);
      assert.ok(s.get(parsed[0]![0]));
      s.close();
    }
    const s = openParseStore(dir);
    assert.ok(s.get(parsed[0]![0]), "the one in use is kept");
    assert.equal(s.get(parsed[2]![0]), null, "an unused one is gone");
    s.close();
    const after8 = statSync(join(dir, "parses.pack")).size;
    assert.ok(after8 < big / 2, `the pack was rewritten: ${big} → ${after8} bytes`);
  });

  it("removes the one-file-per-source cache of earlier versions", () => {
    const dir = fresh();
    writeFileSync(join(dir, `${"a".repeat(64)}.json`), "{}");
    openParseStore(dir).close();
    assert.deepEqual(readdirSync(dir), ["parses.idx"]);
  });
});
