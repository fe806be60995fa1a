/** Entity linking: the registry, alias resolution, false-hit avoidance, excerpts and timestamps. */
import assert from "node:assert/strict";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Matcher } from "../../src/entities/detect.ts";
import { registrySpecs, videoAt } from "../../src/entities/index.ts";
import { foldName, loadRegistry, parseRegistry } from "../../src/entities/registry.ts";
import { noteId } from "../../src/note.ts";
import { runPipeline } from "../../src/pipeline.ts";
import { ROOT } from "../helpers/site.ts";

const registry = loadRegistry();
const matcher = new Matcher(registrySpecs(registry.entries));
const nameOf = new Map(registry.entries.map((e) => [`${e.type}:${foldName(e.name)}`, e.name]));
const found = (text: string) => matcher.find(text).map((m) => nameOf.get(m.entityKey)!);

/** The seeds plus one new Chinese-only article, parsed once for this file. */
function corpus() {
  const dir = mkdtempSync(join(tmpdir(), "kb-entities-"));
  cpSync(join(ROOT, "seeds"), join(dir, "seeds"), { recursive: true });
  copyFileSync(join(ROOT, "tests/fixtures/entities/new-article.md"), join(dir, "seeds/new-article.md"));
  return runPipeline({ seedsDir: join(dir, "seeds"), rootDir: dir, cacheDir: null });
}
const result = corpus();
const entity = (name: string) => result.index.entities.find((e) => e.name === name);

describe("the registry", () => {
  it("loads, and no alias names two entities (case-insensitively)", () => {
    const seen = new Map<string, string>();
    for (const e of registry.entries) for (const a of [e.name, ...e.aliases]) {
      const k = foldName(a);
      assert.ok(!seen.has(k) || seen.get(k) === e.name, `${a}: ${seen.get(k)} and ${e.name}`);
      seen.set(k, e.name);
    }
    assert.ok(registry.entries.length > 200);
  });

  it("refuses an alias claimed by two entities, naming both", () => {
    assert.throws(
      () => parseRegistry("- { type: company, name: NVIDIA, aliases: [英伟达] }\n- { type: company, name: Other, aliases: [英伟达] }\n", "registry.yaml"),
      /registry\.yaml: alias "英伟达" belongs to both "NVIDIA" and "Other"/,
    );
  });

  it("refuses an entry with a wrong type, naming the field", () => {
    assert.throws(() => parseRegistry("- { type: animal, name: X }\n", "registry.yaml"), /registry\.yaml: entry 0: `type`/);
  });
});

describe("finding names in text", () => {
  const cases: Array<[string, string[]]> = [
    ["英伟达的芯片供不应求", ["NVIDIA"]],
    ["NVIDIA、Nvidia 和 nvidia 都是同一家", ["NVIDIA", "NVIDIA", "NVIDIA"]],
    ["黄仁勋、老黄和 Jensen Huang", ["Jensen Huang", "Jensen Huang", "Jensen Huang"]],
    ["@sama 发推说", ["Sam Altman"]],
    ["stratechery 专访 sam altman", ["Stratechery", "Sam Altman"]],
    ["微软与 Microsoft", ["Microsoft", "Microsoft"]],
    ["Meta 发布了新模型", ["Meta"]],
    ["metadata 字段和 meta 标签", []],
    ["GPT-5.5 比 GPT-5 更强", ["GPT-5.5", "GPT-5"]],
    ["Google DeepMind 的研究", ["Google DeepMind"]],
    ["I ate an apple pie", []],
    ["Apple 发布了新手机", ["Apple"]],
    ["从GTC到OpenAI的合作", ["OpenAI"]],
    ["MetaAI", []],
    // A Chinese alias stands as a word, or it is no mention (ICU segmentation; the registry's `not` phrases).
    ["把仓库克隆到本地", []],
    ["库克在发布会上说", ["Tim Cook"]],
    ["高通滤波器的截止频率", []],
    ["高通发布了新芯片", ["Qualcomm"]],
    ["新浪潮电影", []],
    ["新浪发布了财报", ["Sina"]],
    ["通义听悟的转写", []],
    ["通义千问和英伟达的芯片", ["Qwen", "NVIDIA"]],
    // Weak Latin names: never before a number, never inside a compound.
    ["see Figure 3 for the results", []],
    ["Bellman-Ford 算法和 Ford-Fulkerson", []],
    ["released under the MIT License", []],
    ["MIT 的研究", ["MIT"]],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected.join(", ") || "nothing"}`, () => {
      assert.deepEqual(found(text), expected);
    });
  }
});

describe("a capitalised name that is also an English word", () => {
  // Real lines from an English transcripts repository (Oxide and Friends), where the
  // lower-case words had become Alphabet, 机器之心 (alias Synced) and Donald Trump.
  it("in lower case inside English prose, is the word", () => {
    assert.deepEqual(found("every letter of the alphabet is a register"), []);
    assert.deepEqual(found("we synced the clocks before the demo"), []);
    assert.deepEqual(found("does that trump company values?"), []);
  });
  it("capitalised, or in Chinese text where names are often typed in lower case, is the name", () => {
    assert.deepEqual(found("Alphabet reported its earnings"), ["Alphabet"]);
    assert.deepEqual(found("据 Synced 报道"), ["机器之心"]);
    assert.deepEqual(found("也和 anthropic 推出的方案一致"), ["Anthropic"]);
    assert.deepEqual(found("stratechery 专访 sam altman"), ["Stratechery", "Sam Altman"]);
  });
});

describe("weak names need evidence in the note", () => {
  const dir = mkdtempSync(join(tmpdir(), "kb-weak-"));
  const notes: Record<string, string> = {
    "figure-alone.md": "# 机器人\n\nFigure 发布了新的人形机器人，演示视频很流畅。",
    "figure-field.md": "# 合作\n\nFigure 与 OpenAI、英伟达合作，发布新的人形机器人。",
    "cursor-context.md": "# 工具\n\nCursor 是我最常用的 AI 编程工具。",
    "cursor-db.md": "# Result sets\n\nCursor moves over the result set one row at a time.",
    "figure-declared.md": "---\ncompanies: [Figure AI]\n---\nFigure 今天更新了路线图。",
  };
  for (const [name, text] of Object.entries(notes)) writeFileSync(join(dir, name), text);
  const linked = runPipeline({ seedsDir: dir, rootDir: dir, cacheDir: null });
  const entitiesOf = (file: string) => {
    const id = linked.report.inputs.find((i) => i.file.endsWith(file))!.notes[0]!;
    const l = linked.index.links.get(id)!;
    return [...l.companies, ...l.products].map((r) => r.name).sort();
  };
  const cases: Array<[string, string[]]> = [
    ["figure-alone.md", []],
    ["figure-field.md", ["Figure AI", "NVIDIA", "OpenAI"]],
    ["cursor-context.md", ["Cursor"]],
    ["cursor-db.md", []],
    ["figure-declared.md", ["Figure AI"]],
  ];
  for (const [file, want] of cases) it(`${file} → ${want.join(", ") || "nothing"}`, () => assert.deepEqual(entitiesOf(file), want));
});

describe("the entity index on the seeds", () => {
  it("has one entry per real-world entity: no two share a name or alias", () => {
    const seen = new Map<string, string>();
    for (const e of result.index.entities) {
      if (e.type === "tag") continue;
      for (const a of [e.name, ...e.aliases]) {
        const k = foldName(a);
        assert.ok(!seen.has(k), `"${a}" is on both ${seen.get(k)} and ${e.id}`);
        seen.set(k, e.id);
      }
    }
  });

  it("links a new file that names people and companies only in Chinese running text", () => {
    const links = result.index.links.get(noteId("new-article"))!;
    const names = [...links.people, ...links.companies, ...links.products].map((r) => r.name);
    for (const n of ["Jensen Huang", "NVIDIA", "Sam Altman", "Microsoft", "Satya Nadella", "Elon Musk", "xAI", "Mark Zuckerberg", "TSMC", "DeepSeek", "ByteDance"]) {
      assert.ok(names.includes(n), `${n} is not linked (got ${names.join(", ")})`);
    }
  });

  it("keeps speakers separate from mentions and links them to person pages", () => {
    const altman = entity("Sam Altman")!;
    const garden = altman.notes.find((n) => n.id.startsWith("000"))!;
    assert.equal(garden.spoke, true);
    assert.ok(garden.quotes.length > 0);
    assert.ok(garden.quotes[0]!.videoUrl?.startsWith("https://www.youtube.com/watch?v=Gnl833wXRz0&t="), garden.quotes[0]!.videoUrl ?? "no video link");
    const digest = altman.notes.find((n) => n.id === "001-c528050de41fc0be-1")!;
    assert.equal(digest.spoke, false);
  });

  it("gives excerpts with their section heading and a link to that moment of the video", () => {
    const note = result.notes.find((n) => n.id.startsWith("000"))!;
    const nadella = entity("Satya Nadella")!.notes.find((n) => n.id === note.id)!;
    assert.ok(nadella.quotes.length > 0);
    for (const quote of nadella.quotes) {
      const section = note.sections.find((s) => s.id === quote.sectionId)!;
      assert.equal(quote.heading, section.heading);
      assert.equal(quote.time, section.time?.start ?? null, `${quote.heading}: the section's start`);
      assert.equal(quote.videoUrl, videoAt(note.source.url, quote.time));
    }
    assert.ok(nadella.quotes.some((q) => q.videoUrl?.startsWith("https://www.youtube.com/watch?v=Gnl833wXRz0&t=")));
    const jensen = entity("Jensen Huang")!.notes.find((n) => n.id.startsWith("003"))!;
    const ex = jensen.excerpts.find((x) => x.match === "黄仁勋")!;
    assert.ok(ex.before.length > 0 && ex.after.length > 0);
    assert.equal(ex.heading, "AI基建的加速：英伟达与“加速计算”时代");
  });

  it("quotes what a person said of substance, not their first small talk, and counts turns apart from mentions", () => {
    const note = result.notes.find((n) => n.id.startsWith("000"))!;
    const turns = note.sections.flatMap((s) => s.blocks).filter((b) => b.type === "turn" && b.speaker === "Satya Nadella").map((b) => b.text);
    const nadella = entity("Satya Nadella")!.notes.find((n) => n.id === note.id)!;
    assert.equal(nadella.turns, turns.length);
    assert.ok(nadella.turns > nadella.count, `${nadella.turns} turns, ${nadella.count} mentions`);
    const lengths = turns.map((t) => t.length).sort((a, b) => a - b);
    const median = lengths[Math.floor(lengths.length / 2)]!;
    for (const q of nadella.quotes) assert.ok(q.after.replace(/…$/, "").length >= Math.min(140, median), `a short quote: ${q.after}`);
    assert.ok(!nadella.quotes.some((q) => q.after.startsWith("问Amy")));
  });

  it("ranks the entities that go together by association, not by raw count", () => {
    assert.equal(entity("Jensen Huang")!.related[0]?.name, "NVIDIA", entity("Jensen Huang")!.related.map((r) => r.name).join(", "));
    assert.equal(entity("NVIDIA")!.related[0]?.name, "Jensen Huang", entity("NVIDIA")!.related.map((r) => r.name).join(", "));
    assert.equal(entity("Satya Nadella")!.related[0]?.name, "Microsoft", entity("Satya Nadella")!.related.map((r) => r.name).join(", "));
  });

  it("relates notes by the people and companies they share, not by a long transcript naming everything", () => {
    const seeds = runPipeline({ seedsDir: join(ROOT, "seeds"), rootDir: ROOT, cacheDir: null });
    const related = (prefix: string): string[] => seeds.index.links.get(seeds.notes.find((n) => n.id.startsWith(prefix))!.id)!.related.map((r) => r.id);
    // 000 (Altman and Nadella on BG2) and 001-1 (Stratechery's Altman interview: Microsoft, AWS) are
    // the two Altman/Microsoft pieces; 002 shares Excel and GPT-4 with 000 among a hundred other names.
    assert.equal(related("000")[0], "001-c528050de41fc0be-1", related("000").join(" "));
    assert.ok(related("000").indexOf("002-cd6a7d5e8935a604") > 1, related("000").join(" "));
    // The chip piece (黄仁勋, 英伟达, HBM) goes with the notes about chips, not the OpenAI × AWS launch.
    assert.equal(related("001-c528050de41fc0be-7")[0], "004-078d3f46e9508604", related("001-c528050de41fc0be-7").join(" "));
    // Relatedness is symmetric in its score: the two Altman pieces list each other.
    assert.ok(related("001-c528050de41fc0be-1").includes(seeds.notes.find((n) => n.id.startsWith("000"))!.id));
  });

  it("shows the Chinese name first, the canonical one beside it, and no hidden alias or spelling variant", () => {
    assert.equal(entity("Jensen Huang")!.label, "黄仁勋");
    assert.equal(entity("NVIDIA")!.label, "英伟达");
    assert.equal(entity("Satya Nadella")!.label, "纳德拉");
    const altman = entity("Sam Altman")!;
    assert.ok(altman.aliases.includes("Scam Altman") && !altman.shownAliases.includes("Scam Altman"));
    const key = (a: string) => a.replace(/[·・.\s]/g, "").replace(/奧/g, "奥");
    assert.equal(new Set(altman.shownAliases.map(key)).size, altman.shownAliases.length, altman.shownAliases.join(", "));
    assert.ok(!altman.shownAliases.includes("山姆奥特曼") && !altman.shownAliases.includes("山姆・奥特曼"));
    assert.equal(entity("Jensen Huang")!.role, "英伟达创始人兼 CEO");
  });

  it("lists the entities most often mentioned alongside", () => {
    const related = entity("Jensen Huang")!.related.map((r) => r.name);
    assert.ok(related.includes("NVIDIA"), related.join(", "));
  });

  it("builds video links only for video hosts, replacing an existing t=", () => {
    assert.equal(videoAt("https://www.youtube.com/watch?v=abc", 90), "https://www.youtube.com/watch?v=abc&t=90s");
    assert.equal(videoAt("https://youtu.be/abc?t=5", 90), "https://youtu.be/abc?t=90s");
    assert.equal(videoAt("https://example.com/post", 90), null);
    assert.equal(videoAt(null, 90), null);
  });
});

describe("precision and recall against the reviewed gold standard", () => {
  const gold = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/entities/gold.json"), "utf8")) as { entities: Record<string, string[]> };
  let tp = 0, fp = 0, fn = 0;
  for (const [name, expected] of Object.entries(gold.entities)) {
    const got: string[] = (entity(name)?.notes ?? []).map((n) => n.id);
    for (const id of got) expected.includes(id) ? tp++ : fp++;
    for (const id of expected) if (!got.includes(id)) fn++;
  }
  const precision = tp / (tp + fp), recall = tp / (tp + fn);
  it(`links notes to entities with precision ≥ 0.95 and recall ≥ 0.95 (measured ${precision.toFixed(3)} / ${recall.toFixed(3)} over ${tp + fn} gold pairs)`, () => {
    if (process.env.KB_REPORT) writeFileSync(process.env.KB_REPORT, JSON.stringify({ tp, fp, fn, precision, recall }));
    assert.ok(precision >= 0.95, `precision ${precision}`);
    assert.ok(recall >= 0.95, `recall ${recall}`);
  });
});

describe("names declared by one file", () => {
  it("are found in other notes only when specific enough", () => {
    const dir = mkdtempSync(join(tmpdir(), "kb-declared-"));
    cpSync(join(ROOT, "tests/fixtures/entities/new-article.md"), join(dir, "a.md"));
    writeFileSync(join(dir, "b.md"), "---\ntitle: b\ncompanies_orgs: [数据, Moonlake AI]\npeople: [ai]\n---\nMoonlake AI 与数据中心。\n");
    writeFileSync(join(dir, "c.md"), "# c\n\n今天谈数据中心，也谈 Moonlake AI 和 ai 应用。\n");
    const r = runPipeline({ seedsDir: dir, rootDir: dir, cacheDir: null });
    const c = r.index.links.get(noteId("c"))!;
    const names = [...c.companies, ...c.people].map((x) => x.name);
    assert.deepEqual(names, ["Moonlake AI"]);
  });
});

describe("excerpts", () => {
  it("shows the same words once, when a note's summary is its opening text", () => {
    // The shape of a vault's guest page: no summary of its own, so the summary is made of
    // the first paragraph, which names the company again.
    const dir = mkdtempSync(join(tmpdir(), "kb-excerpts-"));
    writeFileSync(join(dir, "guest.md"), "---\nname: Adam Grenier\ntype: guest\n---\n\n# Adam Grenier\n\n## Episodes\n\n- Growth at Uber and MasterClass: when to invest in new acquisition channels.\n");
    const linked = runPipeline({ seedsDir: dir, rootDir: dir, cacheDir: null });
    const uber = linked.index.entities.find((e) => e.name === "Uber");
    assert.ok(uber, "Uber is named");
    const texts = uber.notes[0]!.excerpts.map((x) => `${x.before}${x.match}${x.after}`);
    assert.equal(new Set(texts).size, texts.length, `no excerpt repeated: ${JSON.stringify(texts)}`);
    assert.equal(texts.length, 1);
  });
});
