/**
 * Property-based tests of the ingest stage (fast-check): for arbitrary bytes and text,
 * with and without front-matter (valid or broken), parsing never throws, always yields
 * notes or a reported error, every draft is a valid `NoteDraft`, and no word of the
 * body is lost.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import yaml from "js-yaml";
import { parseSource, type ParsedSource } from "../../src/ingest/index.ts";
import { splitFrontMatter } from "../../src/ingest/metadata.ts";
import { NoteDraft } from "../../src/note.ts";
import { decodeSource } from "../../src/text.ts";

const RUNS = Number(process.env.KB_PROPERTY_RUNS ?? 300);
const enc = new TextEncoder();

/** Everything of a draft a reader can see as text. */
function visible(result: ParsedSource): string {
  return result.drafts
    .flatMap((d) => [d.title, d.summary, ...d.sections.flatMap((s) => [s.heading, ...s.blocks.flatMap((b) => (b.type === "turn" ? [b.speaker, b.role ?? "", b.text] : [b.text]))])])
    .join("\n");
}

/**
 * The words of a body: runs of letters and digits. Runs of digits alone are left out:
 * a heading's `（00:05）` or a turn's `[01:02]` becomes a time, not text.
 */
function words(text: string): string[] {
  return (decodeSource(enc.encode(text)).text.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !/^\p{N}+$/u.test(w));
}

/** The invariants every parse must keep. */
function check(text: string | Uint8Array): ParsedSource {
  const result = parseSource("seeds/prop.md", typeof text === "string" ? enc.encode(text) : text);
  assert.ok(result.drafts.length > 0 || result.messages.some((m) => m.level === "error"), `no note and no error: ${JSON.stringify(result.messages)}`);
  for (const d of result.drafts) {
    const checked = NoteDraft.safeParse(d);
    assert.ok(checked.success, checked.success ? "" : JSON.stringify(checked.error.issues[0]));
  }
  for (const m of result.messages) {
    assert.ok(m.message.length > 0 && !/[\n\r]/.test(m.message), `one message, one line: ${JSON.stringify(m.message)}`);
    if (m.line !== undefined) assert.ok(Number.isInteger(m.line) && m.line >= 1, `line ${m.line}`);
  }
  return result;
}

function assertKeeps(result: ParsedSource, body: string): void {
  const seen = visible(result);
  for (const w of words(body)) assert.ok(seen.includes(w), `lost "${w}"\n--- body ---\n${JSON.stringify(body)}\n--- seen ---\n${seen.slice(0, 2000)}`);
}

/** Words and the punctuation of markdown, dialogue, templates and line endings, mixed. */
const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("人工智能", "模型", "数据", "黄仁勋", "Altman", "agent", "GPU", "été", "naïve", "x", "A", "🚀", "42", "２０２６", "ｆｕｌｌ", "한국어", "カタカナ") },
  { weight: 3, arbitrary: fc.constantFrom(" ", " ", "\n", "\n\n", "\r\n", "\r", "\t", "\u3000", "。", "，", "：", ": ", "、") },
  { weight: 2, arbitrary: fc.constantFrom("**", "*", "_", "__", "~~", "`", "```", "# ", "## ", "### ", "- ", "1. ", "> ", "---", "\n---\n", "***", "|", "\\", "[", "](", ")", "![", "<", ">", "&amp;", "&#60;") },
  { weight: 1, arbitrary: fc.constantFrom("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{ 7*7 }}", "{% include 'x' %}", "（00:05）", "(01:02 - 03:04)", "[00:01] ", "**甲**：", "乙：", "\ufeff", "\u200b", "\u202e", "\x1b[31m", "\x07", "\x7f", "# [链接](https://example.com/path)\n", "# ") },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

const bodyArb = fc.oneof(
  { weight: 5, arbitrary: fc.array(token, { maxLength: 120 }).map((t) => t.join("")) },
  // one line over 1000 characters: the raw-transcript shape
  { weight: 1, arbitrary: fc.array(fc.constantFrom("我们", "今天", "讨论", "模型", "agent", " ", " ", "，"), { minLength: 600, maxLength: 900 }).map((t) => t.join("")) },
);

/** Text that itself opens with a `---` block is front-matter, not a body. */
const OPENS_FRONT_MATTER = /^\ufeff?---[ \t]*([A-Za-z][\w-]*)?[ \t]*(\r\n|\r|\n)/;
const plainBody = bodyArb.filter((b) => !OPENS_FRONT_MATTER.test(b));

const KEYS = ["title", "标题", "date", "source", "url", "tags", "people", "companies", "products", "authors", "speaker", "summary", "status", "duration", "layout", "permalink", "__proto__", "constructor"];
const metaArb = fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 })), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 });

describe("ingest properties", () => {
  it("never throws on arbitrary bytes, and yields notes or a reported error", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => void check(bytes)), { numRuns: RUNS });
  });

  it("never throws on arbitrary text (any code points), and yields notes or a reported error", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => void check(text)), { numRuns: RUNS });
  });

  it("keeps every word of a body without front-matter", () => {
    fc.assert(fc.property(plainBody, (body) => {
      const result = check(body);
      if (words(body).length) assert.ok(result.drafts.length > 0, JSON.stringify(result.messages));
      assertKeeps(result, body);
    }), { numRuns: RUNS });
  });

  it("keeps every word of a body under valid YAML or JSON front-matter, and reports no error", () => {
    fc.assert(fc.property(metaArb, plainBody, fc.constantFrom("yaml", "json", "json-in-yaml"), fc.constantFrom("\n", "\r\n"), (meta, body, form, eol) => {
      const block = form === "yaml" ? yaml.dump(meta) : `${JSON.stringify(meta)}\n`;
      const text = `${form === "json" ? "---json" : "---"}\n${block}---\n${body}`.replace(/\n/g, eol);
      const result = check(text);
      assert.ok(!result.messages.some((m) => /could not be parsed|not front-matter|never closed/.test(m.message)), JSON.stringify(result.messages));
      assertKeeps(result, body);
    }), { numRuns: RUNS });
  });

  it("keeps every word of a body under front-matter that does not parse", () => {
    const broken = fc.oneof(
      fc.array(token, { maxLength: 30 }).map((t) => t.join("")),
      fc.constantFrom("title: [a, b\n", "{\"a\": 1,,}\n", "a: 1\na: 2\n", "x: !!js/function 'f'\n", "\t- : :\n", "key: \"unterminated\n"),
    );
    fc.assert(fc.property(broken, fc.constantFrom("", "js", "json", "yaml", "coffee", "toml"), plainBody, (block, lang, body) => {
      const text = `---${lang}\n${block.replace(/\r/g, "")}\n---\n${body}`;
      assertKeeps(check(text), body);
    }), { numRuns: RUNS });
  });

  it("decodes any bytes to text without carriage returns or control characters", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      const d = decodeSource(bytes);
      if (d.binary) return;
      assert.doesNotMatch(d.text, /[\r\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]/);
      assert.notEqual(d.text.charCodeAt(0), 0xfeff);
    }), { numRuns: RUNS });
  });

  it("finds the line of every top-level front-matter key", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z_]{0,8}$/), { minLength: 1, maxLength: 6 }), (keys) => {
      const text = `---\n${keys.map((k, i) => `${k}: value ${i}`).join("\n")}\n---\nbody\n`;
      const fm = splitFrontMatter(text);
      keys.forEach((k, i) => assert.equal(fm.lineOf(k), i + 2, k));
    }), { numRuns: 100 });
  });
});
