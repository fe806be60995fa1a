/** The ingest stage against single faults: each case names the rule it holds to. */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseSource } from "../../src/ingest/index.ts";
import { splitFrontMatter } from "../../src/ingest/metadata.ts";
import { decodeSource, stripMarkdown } from "../../src/text.ts";
import { FAULTS_DIR } from "../helpers/faults.ts";

const enc = new TextEncoder();
const parse = (text: string | Uint8Array) => parseSource("seeds/x.md", typeof text === "string" ? enc.encode(text) : text);
const fixture = (name: string) => parseSource(`seeds/${name}`, readFileSync(join(FAULTS_DIR, name)));
const said = (r: { messages: Array<{ level: string; message: string; line?: number }> }) => r.messages.map((m) => `${m.line ?? "-"}: ${m.level}: ${m.message}`).join("\n");

describe("ingest: front-matter", () => {
  it("never runs js/javascript/coffee front-matter", () => {
    const marker = join(tmpdir(), `kb-unit-marker-${process.pid}`);
    process.env.KB_FAULT_MARKER = marker;
    for (const f of ["fm-js-engine.md", "fm-javascript-engine.md", "fm-coffee-engine.md"]) {
      const r = fixture(f);
      assert.equal(r.drafts.length, 1, f);
      assert.notEqual(r.drafts[0]!.title, "代码执行了");
      assert.match(said(r), /1: warning: `(js|javascript|coffee)` front-matter is executable code and is never run/);
    }
    assert.ok(!existsSync(marker), "front-matter code ran");
    delete process.env.KB_FAULT_MARKER;
  });

  it("refuses YAML's js types and pollutes no prototype", () => {
    assert.match(said(fixture("fm-yaml-js-function.md")), /2: warning: front-matter could not be parsed \(unknown tag/);
    const r = fixture("fm-proto-pollution.md");
    assert.equal(r.drafts[0]!.title, "原型污染");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
  });

  it("reads dates as written: 2026-13-45 is not rolled over to 2027-02-14", () => {
    const r = parse("---\ntitle: t\ndate: 2026-13-45\n---\n正文\n");
    assert.equal(r.drafts[0]!.date, null);
    assert.match(said(r), /^3: warning: `date` is not a date \(got "2026-13-45"\); the note is published undated$/m);
    assert.equal(parse("---\ndate: 2026-01-05\n---\n正文\n").drafts[0]!.date, "2026-01-05", "an unquoted date still reads");
    assert.equal(parse("---\ndate: 2025-11-05T23:30:00-05:00\n---\n正文\n").drafts[0]!.date, "2025-11-05", "the date the author wrote, not UTC's");
  });

  it("cuts block and body at the same delimiter", () => {
    // gray-matter closed this block at `---x`; the lines between were neither data nor text.
    const r = parse("---\ntitle: a\n---x\ntags: [b]\n---\n正文 body-marker\n");
    assert.equal(r.drafts.length, 1);
    assert.ok(r.drafts[0]!.sections.some((s) => s.blocks.some((b) => b.text.includes("body-marker"))));
  });

  it("keeps a `---` block that is not a map as text", () => {
    const r = parse("---\n这是正文，不是元数据。\n---\n\n第二段。\n");
    const text = r.drafts[0]!.sections.flatMap((s) => s.blocks.map((b) => b.text)).join("\n");
    assert.ok(text.includes("这是正文，不是元数据。") && text.includes("第二段。"), text);
    assert.match(said(r), /1: warning: the `---` block at the top is not front-matter \(it holds a line of text/);
  });

  it("does not take a number for a name, but does for a tag", () => {
    const r = parse("---\ncompanies: 42\npeople: [张三, 7]\ntags: 2025\n---\n正文\n");
    assert.deepEqual(r.drafts[0]!.companies, []);
    assert.deepEqual(r.drafts[0]!.people, ["张三"]);
    assert.deepEqual(r.drafts[0]!.tags, ["2025"]);
    assert.match(said(r), /2: warning: `companies` should be a list of names \(got 42\); it was ignored/);
    assert.match(said(r), /3: warning: `people` has an item that is not a name \(got 7\); it was left out/);
  });

  it("refuses durations no clock can show", () => {
    const r = parse("---\nduration: 9007199254740993\n---\n正文\n");
    assert.equal(r.drafts[0]!.details.duration, null);
    assert.match(said(r), /2: warning: `duration` is not a duration/);
    assert.equal(parse("---\nduration: '1:02:03'\n---\n正文\n").drafts[0]!.details.duration, 3723);
  });

  it("finds key lines in JSON front-matter too", () => {
    const fm = splitFrontMatter('---\n{"title": "t",\n "date": "x"}\n---\nbody\n');
    assert.equal(fm.lineOf("title"), 2);
    assert.equal(fm.lineOf("date"), 3);
  });

  it("makes no empty note from front-matter with nothing to read", () => {
    assert.equal(parse("---\n---\n").drafts.length, 0);
    assert.equal(parse("---\nlayout: x\n---\n\n").drafts.length, 0);
    assert.equal(parse("---\ntitle: 只有标题\n---\n").drafts[0]!.title, "只有标题");
  });
});

describe("ingest: bytes and text", () => {
  it("decodes GBK Chinese, but not UTF-8 with a stray byte", () => {
    const gbk = new Uint8Array([0xc4, 0xe3, 0xba, 0xc3, 0xa3, 0xac, 0xca, 0xc0, 0xbd, 0xe7]); // 你好，世界
    const d = decodeSource(gbk);
    assert.equal(d.text, "你好，世界");
    assert.match(d.messages[0]!.message, /decoded as GB18030/);
    const utf8 = new Uint8Array([...enc.encode("你好，世界\n第二行"), 0xc3, ...enc.encode("。结束")]);
    const u = decodeSource(utf8);
    assert.ok(u.text.startsWith("你好，世界\n第二行"), u.text);
    assert.match(u.messages[0]!.message, /not valid UTF-8; 1 undecodable byte sequence was replaced/);
    assert.equal(u.messages[0]!.line, 2);
  });

  it("cleans a stray control character instead of calling the text binary", () => {
    const d = decodeSource(enc.encode("\x07人工智能\x1b[1m加粗\x1b[0m"));
    assert.equal(d.binary, false);
    assert.equal(d.text, "人工智能加粗");
    assert.ok(decodeSource(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2])).binary, "a NUL makes it binary");
  });

  it("keeps every word of a heading it cannot use whole as the title", () => {
    const r = parse("# [官网](https://example.com/path)\n\n正文\n");
    const text = r.drafts[0]!.sections.map((s) => s.heading).join("\n");
    assert.ok(text.includes("example.com/path"), text);
    const long = parse(`# ${"长".repeat(300)}\n\n正文\n`);
    assert.ok(long.drafts[0]!.sections.some((s) => s.heading.length === 300), "a 300-character H1 stays whole in the text");
  });

  it("strips a link whose URL holds parentheses whole, leaving no stray `)`", () => {
    assert.equal(stripMarkdown("摘要 [链接](javascript:alert('x')) 后文"), "摘要 链接 后文");
    assert.equal(stripMarkdown("[w](https://en.wikipedia.org/wiki/A_(b)) ![图](a.png)"), "w 图");
  });

  it("parses a 2 MB single-line transcript in seconds, not minutes", () => {
    const line = Array.from({ length: 400_000 }, (_, i) => ["我们", "今天", "讨论", "模型", "agent"][i % 5]).join(" ");
    const t0 = performance.now();
    const r = parse(line);
    const ms = performance.now() - t0;
    assert.equal(r.drafts.length, 1);
    // Segmenting 200 000 characters in one piece took over a minute.
    assert.ok(ms < 10_000, `${Math.round(ms)} ms`);
  });
});
