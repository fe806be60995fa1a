/**
 * Entity linking scored on text nobody here wrote: transcripts, Obsidian vaults of
 * database and maths courses, database, embedded-systems and signal-processing blogs
 * (tests/fixtures/foreign/). The gold set (tests/fixtures/entities/foreign-gold.json) was
 * made by listing every case-insensitive alias hit in every file, with its context, and
 * judging each by hand (foreign-hits.json: 708 hits, 242 mentions).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadRegistry } from "../../src/entities/registry.ts";
import { runPipeline } from "../../src/pipeline.ts";
import { ROOT } from "../helpers/site.ts";

const FOREIGN = join(ROOT, "tests/fixtures/foreign");
const gold = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/entities/foreign-gold.json"), "utf8")) as { pairs: Record<string, string[]>; negatives: Record<string, string[]> };
const registered = new Set(loadRegistry().entries.map((e) => e.name));

describe("entity linking on folders nobody here wrote", () => {
  const result = runPipeline({ seedsDir: FOREIGN, rootDir: ROOT, cacheDir: null });
  // The folders' own READMEs (written here, about the fixtures) are not part of the judged corpus.
  const fileOf = new Map(result.report.inputs.filter((i) => !i.file.endsWith("README.md")).flatMap((i) => i.notes.map((id) => [id, i.file.replace(/^tests\/fixtures\/foreign\//, "")] as const)));
  const linked = new Set<string>();
  for (const [id, l] of result.index.links) {
    if (!fileOf.has(id)) continue;
    for (const r of [...l.people, ...l.companies, ...l.products]) if (registered.has(r.name)) linked.add(`${fileOf.get(id)}\u0000${r.name}`);
  }
  const wanted = new Set(Object.entries(gold.pairs).flatMap(([f, names]) => names.map((n) => `${f}\u0000${n}`)));
  const tp = [...linked].filter((p) => wanted.has(p));
  const fp = [...linked].filter((p) => !wanted.has(p));
  const fn = [...wanted].filter((p) => !linked.has(p));
  const precision = tp.length / Math.max(1, linked.size);
  const recall = tp.length / Math.max(1, wanted.size);
  const show = (list: string[]) => list.map((p) => p.replace("\u0000", " → ")).join("\n");

  it(`links with precision ≥ 0.95 and recall ≥ 0.9 (measured ${precision.toFixed(3)} / ${recall.toFixed(3)} over ${wanted.size} gold pairs, ${linked.size} linked)`, () => {
    assert.ok(wanted.size >= 50, `${wanted.size} gold pairs`);
    if (fn.length) console.log(`[entities] missed ${fn.length} of ${wanted.size} (for review):\n${show(fn)}`);
    assert.ok(precision >= 0.95, `precision ${precision.toFixed(3)}; not mentions:\n${show(fp)}`);
    assert.ok(recall >= 0.9, `recall ${recall.toFixed(3)}; missed:\n${show(fn)}`);
  });

  it("links at most one in twenty of the (file, entity) pairs whose every hit was judged no mention", () => {
    const negatives = Object.entries(gold.negatives).flatMap(([f, names]) => names.map((n) => `${f}\u0000${n}`));
    const wrong = negatives.filter((p) => linked.has(p));
    assert.ok(negatives.length >= 50 && wrong.length <= negatives.length / 20, `${wrong.length} of ${negatives.length}:\n${show(wrong)}`);
  });

});
