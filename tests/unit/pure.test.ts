/**
 * The pure functions the pipeline is made of, each on small real-shaped inputs (lines
 * taken from the seeds and from the foreign fixtures): slugs, dates, clocks, the body,
 * digest and Digital Garden parsers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseBody } from "../../src/ingest/body.ts";
import { isDigest, parseDigest, stars } from "../../src/ingest/digest.ts";
import { isGardenBody, parseGarden } from "../../src/ingest/garden.ts";
import { emptyMetadata } from "../../src/ingest/metadata.ts";
import type { BuildMessage } from "../../src/note.ts";
import { formatClock, normalizeDate, parseClock, slugify, SlugRegistry } from "../../src/text.ts";

describe("slugs", () => {
  it("keeps Chinese and lower-cases Latin, without stray dashes", () => {
    assert.equal(slugify("黄仁勋"), "黄仁勋");
    assert.equal(slugify("智谱AI"), "智谱ai");
    assert.equal(slugify("Jensen Huang"), "jensen-huang");
    assert.equal(slugify("  -- OpenAI × AWS --  "), "openai-aws");
    assert.equal(slugify("c++中的拷贝"), "c中的拷贝");
    assert.equal(slugify("a_b/c.d"), "a-b-c-d");
  });

  it("caps the length and never returns an empty slug", () => {
    assert.equal(Array.from(slugify("人".repeat(100), 40)).length, 40);
    const emoji = slugify("🎃🔥");
    assert.match(emoji, /^x-[0-9a-z]+$/);
    assert.equal(slugify("🎃🔥"), emoji, "stable");
    assert.notEqual(slugify("🎃"), emoji);
  });

  it("gives repeated slugs numbered forms, case-insensitively, in the order asked", () => {
    const r = new SlugRegistry();
    assert.deepEqual(["intro", "Intro", "intro", "other"].map((s) => r.claim(s)), ["intro", "Intro-2", "intro-3", "other"]);
  });
});

describe("dates and clocks", () => {
  it("reads the date spellings sources use, and nothing else", () => {
    for (const [input, want] of [
      ["2025-10-31", "2025-10-31"], ["2025/1/4", "2025-01-04"], ["2025.10.31", "2025-10-31"], ["2025年10月31日", "2025-10-31"],
      ["2019-03-04 12:00:00+08:00", "2019-03-04"], ["2019-03-04T23:30:00Z", "2019-03-04"],
    ] as const) assert.equal(normalizeDate(input), want, input);
    assert.equal(normalizeDate(new Date("2025-11-05T00:00:00Z")), "2025-11-05");
    for (const bad of ["2025-02-30", "2025-13-01", "昨天", "", "10/31/2025", 20251031, null]) assert.equal(normalizeDate(bad), null, String(bad));
    assert.equal(normalizeDate(new Date("nope")), null);
  });

  it("reads clock times both ways and formats them back", () => {
    assert.equal(parseClock("14:20"), 860);
    assert.equal(parseClock("01:14:20"), 4460);
    assert.equal(parseClock(" 0:05 "), 5);
    for (const bad of ["14:60", "1:2", "abc", "12:34:56:78", ""]) assert.equal(parseClock(bad), null, bad);
    assert.equal(formatClock(3600), "1:00:00");
    assert.equal(formatClock(326), "5:26");
    for (const s of [0, 59, 61, 3599, 3661, 36000]) assert.equal(parseClock(formatClock(s)), s);
  });
});

describe("the body parser", () => {
  it("splits at the shallowest heading level, with unique ids and section times", () => {
    const sections = parseBody([
      "开场白。",
      "## 开场与背景（00:00:00 - 00:05:26）",
      "**Brad Gerstner**：欢迎来到节目。",
      "**Satya Nadella**：很高兴来到这里。",
      "**Brad Gerstner**：先从重组谈起。",
      "**Satya Nadella**：好的，我们一年前就开始谈了。",
      "### 细节",
      "一段正文。",
      "## 开场与背景",
      "重复的标题。",
    ].join("\n"));
    assert.deepEqual(sections.map((s) => s.heading), ["", "开场与背景", "开场与背景"]);
    assert.equal(new Set(sections.map((s) => s.id)).size, 3);
    assert.deepEqual(sections[1]!.time, { start: 0, end: 326 });
    const turns = sections[1]!.blocks.filter((b) => b.type === "turn");
    assert.deepEqual(turns.map((t) => t.type === "turn" && t.speaker), ["Brad Gerstner", "Satya Nadella", "Brad Gerstner", "Satya Nadella"]);
    assert.ok(sections[1]!.blocks.some((b) => b.text.includes("### 细节")), "deeper headings stay in the section's text");
  });

  it("reads nothing inside fenced code as a heading or a turn", () => {
    const sections = parseBody(["## 代码", "```", "## not a heading", "**Name**: not a turn", "```", "正文。"].join("\n"));
    assert.equal(sections.length, 1);
    assert.ok(sections[0]!.blocks.every((b) => b.type === "prose"));
  });
});

describe("the digest parser", () => {
  const digest = [
    "1. 第一篇：芯片与云",
    "作者：Ben Thompson",
    "主题：AI 基础设施",
    "质量分：★★★★☆",
    "推荐阅读理由：讲清楚了算力的账。",
    "一、核心命题",
    "1.1 算力",
    "英伟达的芯片供不应求。",
    "2. 第二篇：没有作者",
    "作者：未标注",
    "质量分：★★★☆☆",
    "一、要点",
    "正文。",
  ].join("\n");

  it("finds each numbered article with its fields, placeholders meaning none", () => {
    assert.ok(isDigest(digest));
    assert.ok(!isDigest("1. 一个普通的有序列表\n2. 第二项"));
    const messages: BuildMessage[] = [];
    const articles = parseDigest(digest, 1, messages);
    assert.deepEqual(articles.map((a) => [a.entry, a.title]), [[1, "第一篇：芯片与云"], [2, "第二篇：没有作者"]]);
    assert.deepEqual(articles[0]!.authors, ["Ben Thompson"]);
    assert.deepEqual(articles[1]!.authors, [], "未标注 is no author");
    assert.equal(articles[0]!.quality, 4);
    assert.equal(articles[0]!.topic, "AI 基础设施");
    assert.match(articles[0]!.reason ?? "", /算力的账/);
    assert.ok(articles[0]!.sections.some((s) => s.heading.includes("核心命题")));
    assert.equal(articles[1]!.line, 9, "each article knows its line");
  });

  it("scores stars", () => {
    assert.equal(stars("★★★★☆"), 4);
    assert.equal(stars("⭐⭐⭐"), 3);
    assert.equal(stars("★★★★★★★"), 5);
  });
});

describe("the Digital Garden parser", () => {
  const body = [
    "## 封面",
    "- 标题：All things AI",
    "- 链接：https://www.youtube.com/watch?v=Gnl833wXRz0",
    "- 发布日期：2025-10-31",
    "- 覆盖时长：01:14:20",
    "- 识别说话人：@, A, B",
    "## 摘要",
    "本期对话围绕微软与 OpenAI 的重组展开。",
    "## 全文",
    "### 开场（00:00:00 - 00:02:00）",
    "**Brad Gerstner**：欢迎。",
    "**Satya Nadella**：谢谢。",
    "**Brad Gerstner**：先谈重组。",
    "**Satya Nadella**：好。",
  ].join("\n");

  it("fills the metadata from the cover, takes the summary, and speakers from the turns", () => {
    assert.ok(isGardenBody(body));
    const meta = emptyMetadata();
    const messages: BuildMessage[] = [];
    const { summary, sections } = parseGarden(body, 1, meta, messages);
    assert.equal(meta.title, "All things AI");
    assert.equal(meta.url, "https://www.youtube.com/watch?v=Gnl833wXRz0");
    assert.equal(meta.date, "2025-10-31");
    assert.equal(meta.duration, 4460);
    assert.deepEqual(meta.speakers, [], "识别说话人 lists placeholders, not speakers");
    assert.match(summary ?? "", /重组/);
    const turns = sections.flatMap((s) => s.blocks).filter((b) => b.type === "turn");
    assert.deepEqual(turns.map((t) => t.type === "turn" && t.speaker), ["Brad Gerstner", "Satya Nadella", "Brad Gerstner", "Satya Nadella"]);
    assert.deepEqual(messages.filter((m) => m.level !== "info"), []);
  });

  it("reports a bad cover link and date with their lines, and keeps the front-matter's values", () => {
    const meta = { ...emptyMetadata(), title: "From front-matter" };
    const messages: BuildMessage[] = [];
    parseGarden(["## 封面", "- 标题：Cover title", "- 链接：javascript:alert(1)", "- 发布日期：明天", "## 全文", "正文。"].join("\n"), 10, meta, messages);
    assert.equal(meta.title, "From front-matter");
    assert.equal(meta.url, null);
    assert.equal(meta.date, null);
    const lines = messages.filter((m) => m.level === "warning").map((m) => m.line);
    assert.deepEqual(lines, [12, 13]);
  });
});
