/** A raw transcript a person can read: topic sections, their headings, key sentences (src/ingest/topics.ts). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseSource } from "../../src/ingest/index.ts";
import { paragraphs } from "../../src/ingest/raw.ts";
import { contentWords, keySentences, sectionHeadings, topicBreaks, topicSections } from "../../src/ingest/topics.ts";
import type { Section } from "../../src/note.ts";
import { ROOT } from "../helpers/site.ts";

const RAW = "seeds/002_cd6a7d5e8935a604.txt";
const words = (t: string) => t.replace(/\\/g, "").split(/\s+/).filter(Boolean);

describe("raw transcript sections", () => {
  const parsed = parseSource(RAW, readFileSync(join(ROOT, RAW))).drafts[0]!;

  it("cuts the 31,000-character transcript into headed sections, every word kept in order", () => {
    assert.ok(parsed.sections.length >= 6 && parsed.sections.length <= 20, `${parsed.sections.length} sections`);
    for (const s of parsed.sections) {
      assert.ok(s.heading.length >= 2 && s.heading.length <= 30, s.heading);
      assert.ok(s.blocks.length >= 4, `${s.heading}: ${s.blocks.length} paragraphs`);
      const text = s.blocks.map((b) => b.text).join(" ").toLowerCase();
      for (const w of s.heading.split("、")) assert.ok(text.includes(w.toLowerCase()), `${s.heading}: «${w}» is not the section's own word`);
    }
    assert.deepEqual(words(parsed.sections.flatMap((s) => s.blocks.map((b) => b.text)).join(" ")), words(readFileSync(join(ROOT, RAW), "utf8")));
  });

  it("summarises it with three of its own sentences, not a word list", () => {
    assert.doesNotMatch(parsed.summary ?? "", /高频词/);
    const points = (parsed.summary ?? "").split("\n").filter((l) => l.startsWith("- "));
    assert.equal(points.length, 3, parsed.summary ?? "");
    const flat = (t: string) => t.replace(/\\/g, "").replace(/\s+/g, "");
    const source = flat(readFileSync(join(ROOT, RAW), "utf8"));
    for (const p of points) assert.ok(source.includes(flat(p.slice(2)).replace(/…$/, "")), `not from the text: ${p}`);
  });

  it("breaks where the vocabulary changes, and nowhere in a text about one thing", () => {
    const chips = Array.from({ length: 8 }, (_, i) => `英伟达的芯片供应链第${i}段 台积电的先进封装产能 GPU 的交付周期 数据中心的算力需求 芯片 封装 算力 交付`);
    const food = Array.from({ length: 8 }, (_, i) => `四川菜的麻辣口味第${i}段 花椒和辣椒的用量 火锅底料的熬制 厨房 火锅 花椒 辣椒 调料`);
    const breaks = topicBreaks([...chips, ...food], { sectionChars: 300, minParagraphs: 3 });
    assert.ok(breaks.includes(8), `breaks at ${breaks.join(",")}`);
    assert.deepEqual(topicBreaks(chips.concat(chips), { sectionChars: 300, minParagraphs: 3 }).filter((b) => b !== 8), [], "a repeated single topic is not cut up… except where it repeats");
    const [a, b] = sectionHeadings([chips, food]);
    assert.match(a!, /芯片|封装|算力|交付/);
    assert.match(b!, /火锅|花椒|辣椒|调料/);
  });

  it("leaves a short transcript one section", () => {
    assert.deepEqual(topicBreaks(paragraphs("我们今天聊一聊 AI 的发展 ".repeat(40))), []);
  });

  it("skips stopwords, spoken filler and particles when counting words", () => {
    assert.deepEqual(contentWords("就是 我觉得 这个 数据中心 的 芯片 跌了 OpenAI"), ["数据中心", "芯片", "openai"]);
  });

  it("picks central sentences, in text order", () => {
    const text = "今天天气不错。英伟达发布了新的芯片，芯片的算力翻倍。台积电负责英伟达芯片的封装。英伟达芯片的需求很大，算力紧张。我中午吃了面条。";
    const key = keySentences(text, 2);
    assert.equal(key.length, 2);
    assert.ok(key.every((s) => s.includes("芯片")), key.join(" | "));
    assert.ok(text.indexOf(key[0]!) < text.indexOf(key[1]!));
  });

  it("cuts a long headingless conversation into timed topic sections, every turn kept as it was", () => {
    const chips = "英伟达的芯片供应链很紧张，台积电的先进封装产能不够，GPU 的交付周期拉长到一年，数据中心的算力需求还在涨。";
    const food = "四川菜讲究麻辣，花椒和辣椒的用量决定味道，火锅底料要熬很久，厨房里调料的顺序也有讲究。";
    const blocks: Section["blocks"] = [];
    for (let i = 0; i < 120; i++) blocks.push({ type: "turn", speaker: i % 2 ? "张三" : "李四", role: null, time: i * 30, text: `${i < 60 ? chips : food}（第 ${i} 段）` });
    const sections = topicSections([{ id: "s", heading: "", time: null, blocks }]);
    assert.ok(sections.length >= 2, `${sections.length} sections`);
    assert.deepEqual(sections.flatMap((s) => s.blocks), blocks, "the same blocks, in order");
    const cut = sections.findIndex((s) => s.blocks.some((b) => b.text.includes("花椒")));
    const at = blocks.indexOf(sections[cut]!.blocks[0]!);
    assert.ok(Math.abs(at - 60) <= 5, `cut near where the topic changes (block ${at})`);
    assert.deepEqual(sections[1]!.time, { start: sections[1]!.blocks[0]!.time!, end: sections[2]?.blocks[0]!.time ?? null });
    for (const w of sections[cut]!.heading.split("、")) assert.ok(food.includes(w) && !chips.includes(w), `${sections[cut]!.heading}: «${w}» belongs to the second topic`);
    // Headed or short notes are left alone.
    const headed = [{ id: "h", heading: "开场", time: null, blocks }];
    assert.equal(topicSections(headed), headed);
    const short = [{ id: "s", heading: "", time: null, blocks: blocks.slice(0, 4) }];
    assert.equal(topicSections(short), short);
  });

  it("cuts inside a monologue turn where its topic shifts, keeping the speaker and every word", () => {
    const chips = "英伟达的芯片供应链很紧张，台积电的先进封装产能不够，GPU 的交付周期拉长到一年，数据中心的算力需求还在涨。";
    const food = "四川菜讲究麻辣，花椒和辣椒的用量决定味道，火锅底料要熬很久，厨房里调料的顺序也有讲究。";
    // Eight long turns of eight paragraphs; the talk moves from chips to food half way through the fifth.
    const blocks: Section["blocks"] = [];
    let n = 0;
    for (let t = 0; t < 8; t++) {
      const paras = Array.from({ length: 8 }, () => `${(n++ < 36 ? chips : food).repeat(12)}（第 ${n} 段）`);
      blocks.push({ type: "turn", speaker: t % 2 ? "张三" : "李四", role: null, time: t * 600, text: paras.join("\n\n") });
    }
    const sections = topicSections([{ id: "s", heading: "", time: null, blocks }]);
    assert.ok(sections.length >= 2, `${sections.length} sections`);
    const out = sections.flatMap((s) => s.blocks);
    // Put the pieces of each cut turn back together: the turns as they were.
    const joined: Section["blocks"] = [];
    for (const b of out) {
      const last = joined.at(-1);
      if (b.time === null && last && last.type === "turn" && b.type === "turn" && last.speaker === b.speaker) joined[joined.length - 1] = { ...last, text: `${last.text}\n\n${b.text}` };
      else joined.push(b);
    }
    assert.deepEqual(joined, blocks, "every turn, every word, in order");
    // Paragraph 37 is the first on food, the fifth of the fifth turn.
    const startsAt = sections.map((s) => Number(/（第 (\d+) 段）/.exec(s.blocks[0]!.text)![1]) - 1);
    const second = startsAt.findIndex((p, i) => i > 0 && Math.abs(p - 37) <= 2);
    assert.ok(second > 0, `a section starts where the food talk starts (sections start at paragraphs ${startsAt})`);
    const first = sections[second]!.blocks[0]!;
    assert.equal(first.type === "turn" && first.speaker, "李四", "the continued turn keeps its speaker");
    assert.equal(first.time, null, "and has no time of its own");
  });
});
