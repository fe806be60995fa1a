/** The speaker rule: which labels are people, placeholders or field labels, and which lines are turns. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseBody } from "../../src/ingest/body.ts";
import { labelShape } from "../../src/ingest/speakers.ts";
import { limitParagraphs } from "../../src/ingest/paragraphs.ts";

const speakersOf = (body: string, declared: string[] = []) =>
  [...new Set(parseBody(body, undefined, { declared }).flatMap((s) => s.blocks.flatMap((b) => (b.type === "turn" ? [b.speaker] : []))))];

describe("the name test for speaker labels", () => {
  const table: Array<[string, ReturnType<typeof labelShape>]> = [
    ["Lex Fridman", "name"], ["Jean-Luc Picard", "name"], ["Mike McQuaid", "name"], ["LEX FRIDMAN", "name"],
    ["黄仁勋", "name"], ["于振华", "name"], ["欧阳娜娜", "name"], ["山姆·奥特曼", "name"], ["红君", "name"],
    ["Lex", "loose"], ["ThePrimeagen", "loose"], ["大卫", "loose"], ["R.J.", "loose"], ["如性法師", "name"], ["张老师", "name"],
    ["同學", "placeholder"], ["Computerized Female Voice", "placeholder"], ["同學（Speaker 3）", "placeholder"], ["SPEAKER_00", "placeholder"], ["Speaker 1", "placeholder"], ["发言人 1", "placeholder"], ["说话人0", "placeholder"], ["sp3000", "placeholder"], ["G3P1", "placeholder"], ["主持人", "placeholder"], ["Host", "placeholder"],
    ["重点", null], ["解决方案", null], ["指明位宽", null], ["本文件论点", null], ["高通滤波", null], ["方法一", null], ["他就说", null], ["我问", null], ["复杂度", null],
    ["Spotify", null], ["Apple Podcasts", null], ["Solution", null], ["NOTE", null], ["I'm XY.", null], ["Oh OK.", null], ["Note that this", null], ["http", null],
  ];
  for (const [label, want] of table) it(`${label} → ${want}`, () => assert.equal(labelShape(label), want));
});

describe("speaker turns in the formats transcripts use", () => {
  const cases: Array<[string, string, string[]]> = [
    ["bold names in a dialogue", "**陈茜**: 今天聊聊。\n\n**张璐**: 好的。\n\n**陈茜**: 第一个问题。\n\n**张璐**: 请讲。", ["陈茜", "张璐"]],
    ["a bold time, a separator and a name", "**0:06** · Lex Fridman: Hello.\n**0:31** · Ada Example: Thanks.", ["Lex Fridman", "Ada Example"]],
    ["a header line before each turn", "发言人 1 00:00\n好，开始吧。\n\n发言人 2 00:21\n我先说灰度。", ["发言人 1", "发言人 2"]],
    ["diarisation labels", "SPEAKER_00: hi there\nSPEAKER_01: hello", ["SPEAKER_00", "SPEAKER_01"]],
    ["Rev's name (time):", "Brian Chesky (00:01:02):\nWe changed everything.\n\nLenny (00:02:10):\nWhy?", ["Brian Chesky", "Lenny"]],
    ["a bold name, then timed paragraphs", "**Lex Fridman**\n(00:00:00) 我希望。\n\n**Volodymyr Zelenskyy**\n(00:00:05) 是的。", ["Lex Fridman", "Volodymyr Zelenskyy"]],
    ["bracketed labels", "【说话人0】我们开始。\n【说话人1】好的。", ["说话人0", "说话人1"]],
    ["field labels are never speakers", "**解决方案**：用双指针。\n\n**复杂度**：O(n)。\n\n**解决方案**：再试一次。\n\n**复杂度**：O(1)。", []],
    ["link lists are never speakers", "Spotify: https://open.spotify.com/x\nApple Podcasts: https://podcasts.apple.com/y\nTwitter: @lexfridman", []],
    ["bullet labels are never speakers", "- **本文件论点**：一\n- **本文件论点**：二\n- **结论**：三", []],
    ["nothing inside a fence, of any kind", "````\n```\n**Alice**: code\n**Bob**: code\n**Alice**: code\n**Bob**: code\n```\n````\n~~~\n**Alice**: x\n~~~", []],
    ["a declared speaker needs no dialogue", "**Ada Example**: One long answer.", ["Ada Example"]],
    ["escaped brackets around the time", "\\[0:00:14.3\\] **Adam Garrett-Harris** Hi.\n\n\\[0:00:20.1\\] **Safia Abdalla** Hello.", ["Adam Garrett-Harris", "Safia Abdalla"]],
    ["a role around diarisation labels is several speakers", "**主持人：** 请讲。\n\n**同學（Speaker 3）：** 好。\n\n**同學（Speaker 4）：** 我补充。\n\n**主持人：** 谢谢。", ["主持人", "同學（Speaker 3）", "同學（Speaker 4）"]],
    ["a time, then a bold name without a colon", "0:00:12.5 **Adam Garrett-Harris** Hello and welcome.\n\n0:00:24.9 **Jen Luker** I'm Jen Luker.", ["Adam Garrett-Harris", "Jen Luker"]],
    ["a name, then a time linked to the video", "Lex Fridman\n[(00:00:00)](https://youtube.com/watch?v=x&t=0) Hello.\n\nDouglas Murray\n[(00:00:05)](https://youtube.com/watch?v=x&t=5) Hi.", ["Lex Fridman", "Douglas Murray"]],
  ];
  for (const [what, body, want] of cases) {
    it(what, () => assert.deepEqual(speakersOf(body, what.startsWith("a declared") ? ["Ada Example"] : []), want));
  }
  it("reads a time alone on its line (YouTube's transcript panel) as the time of the words after it", () => {
    const blocks = parseBody("0:00\nhello everyone\n0:04\nwelcome back\n0:09\ntoday we talk").flatMap((s) => s.blocks);
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0]!.time, 0);
    assert.match(blocks[0]!.text, /hello everyone[\s\S]*welcome back[\s\S]*today we talk/);
    assert.doesNotMatch(blocks[0]!.text, /0:04/);
  });
  it("keeps timestamped lines as paragraphs with their time", () => {
    const blocks = parseBody("[00:00:01] one.\n[00:00:05] two.\n[00:00:09] three.").flatMap((s) => s.blocks);
    assert.equal(blocks.length, 1);
    assert.deepEqual(blocks[0], { type: "prose", text: "one. two. three.", time: 1 });
  });
  it("reads whisper's ranges of seconds as times, and a bracketed number alone as text", () => {
    // The shape of an unseen transcripts repository's files (Oxide and Friends, 2022).
    const blocks = parseBody("[0.00 --> 7.38]  Hey, everyone.\n[7.38 --> 13.44]  What happened in Twitter spaces?\n[13.44 --> 19.52]  Ask to speak.").flatMap((s) => s.blocks);
    assert.deepEqual(blocks, [{ type: "prose", text: "Hey, everyone. What happened in Twitter spaces? Ask to speak.", time: 0 }]);
    const cited = parseBody("[1.2] Section one.\n[1.3] Section two.\n[2.0] Section three.").flatMap((s) => s.blocks);
    assert.ok(cited.every((b) => b.time === null) && cited.map((b) => b.text).join(" ").includes("[1.2]"), JSON.stringify(cited));
  });
});

describe("paragraph length", () => {
  it("cuts a long paragraph at sentence ends and keeps every character", () => {
    const text = Array.from({ length: 200 }, (_, i) => `这是第${i}句话，内容不长。`).join("");
    const out = limitParagraphs(text);
    const paragraphs = out.split("\n\n");
    assert.ok(paragraphs.length > 1 && paragraphs.every((p) => p.length <= 1500));
    assert.equal(paragraphs.join(""), text);
  });
  it("leaves code alone", () => {
    const code = "```\n" + "x".repeat(3000) + "\n```";
    assert.equal(limitParagraphs(code), code);
  });
});
