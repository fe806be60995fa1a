/** The query pipeline shared by the index and the browser (src/search/query.js). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simplifiedTable } from "../../src/text.ts";
import { queryData } from "../../src/search/pagefind.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bigrams, closestEntities, combineMatches, foldWidth, holdsQuery, holdsTerm, indexText, parseQuery, queryContext, queryTerms, readableExcerpt, toSimplified } from "../../src/search/query.js";

const SEEDS = new URL("../../seeds/", import.meta.url).pathname;

const t2s = simplifiedTable();
const vocab = new Set(["英伟达", "黄仁勋", "奥特曼", "马斯克", "特斯拉"]);
const indexed = (text: string) => new Set(indexText(text, t2s).split(/\s+/));
/** Would a note holding `text` match `query` (all terms present, Pagefind's AND)? */
const matches = (text: string, query: string) => {
  const words = [...indexed(text)];
  return queryTerms(query, t2s, vocab).every((t) => words.some((w) => w.toLowerCase().startsWith(t.toLowerCase())));
};

describe("cutting text for the index", () => {
  it("turns a Han run into overlapping bigrams and leaves Latin words alone", () => {
    assert.equal(indexText("英伟达的GPU芯片"), "英伟 伟达 达的 GPU 芯片");
    assert.deepEqual(bigrams("芯"), ["芯"]);
  });
  it("marks Han runs that only white space separated, so excerpts can be rebuilt", () => {
    assert.equal(indexText("中国 国家"), "中国 ⁞ 国家");
  });
  it("folds traditional characters to simplified", () => {
    assert.equal(indexText("輝達與英偉達", t2s), "辉达 达与 与英 英伟 伟达");
  });
  it("cuts every kind of text as its readable definition does (run by run, bigram by bigram)", () => {
    // The definition the fast version (a few whole-text replaces) must keep to.
    const HAN_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
    const spaced = (x: string) => x.replace(/[\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2026\u201c\u201d\u2018\u2019]/g, " $& ");
    const reference = (text: string) => {
      const src = toSimplified(foldWidth(text), t2s);
      let out = "", last = 0, prevRunEnd = -1;
      for (const m of src.matchAll(HAN_RUN)) {
        const between = src.slice(last, m.index);
        if (prevRunEnd >= 0 && between.length > 0 && between.trim() === "") out += " ⁞ ";
        else out += between.length ? ` ${spaced(between)} ` : " ";
        out += bigrams(m[0]).join(" ");
        last = m.index + m[0].length;
        prevRunEnd = last;
      }
      out += src.length > last ? ` ${spaced(src.slice(last))}` : "";
      return out.replace(/[ \t]+/g, " ").trim();
    };
    const texts = ["", " ", "我", "a我b", "我 你", "我\n你", "我\u3000你", "  我们\t 他们  ", "（我）「你」", "ＧＰＵ與晶片", "x\n我", "我\nx", "A—B…C“D”",
      ...readdirSync(SEEDS).filter((f) => /\.(md|txt)$/.test(f)).map((f) => readFileSync(join(SEEDS, f), "utf8"))];
    for (const text of texts) assert.equal(indexText(text, t2s), reference(text), JSON.stringify(text.slice(0, 40)));
  });
});

describe("cutting a query", () => {
  const cases: Array<[string, string, boolean]> = [
    ["英伟达发布了新一代芯片", "英伟达芯片", true],
    ["黄仁勋在 GTC 的演讲", "黄仁勋演讲", true],
    ["OpenAI 的收入增长", "OpenAI 收入", true],
    ["特斯拉的自动驾驶", "特斯拉自动驾驶", true],
    ["工厂自动化", "自动驾驶", false],
    ["輝達的晶片", "辉达", true],
    ["英伟达的芯片", "英偉達", true],
    ["马斯克起诉奥特曼", "马斯克vs奥特曼", false],
    ["马斯克 vs 奥特曼", "马斯克vs奥特曼", true],
  ];
  for (const [text, query, expected] of cases) {
    it(`${query} ${expected ? "finds" : "does not find"} “${text}”`, () => assert.equal(matches(text, query), expected));
  }
  it("drops function words typed alone and keeps names whole", () => {
    assert.deepEqual(queryTerms("的", t2s, vocab), []);
    assert.deepEqual(queryTerms("英伟达芯片", t2s, vocab), ["英伟", "伟达", "芯片"]);
  });
});

describe("rebuilding a readable excerpt", () => {
  it("merges bigrams back into the original text, keeping highlights", () => {
    const parts = readableExcerpt("<mark>英伟</mark> <mark>伟达</mark> 达的 的芯 芯片. 供不 不应 应求 ⁞ 这个 个主 主题");
    assert.deepEqual(parts, [{ text: "英伟达", mark: true }, { text: "的芯片 供不应求 这个主题", mark: false }]);
  });
  it("never turns excerpt text into markup", () => {
    const text = readableExcerpt("&lt;script&gt;alert(1)&lt;/script&gt; <mark>英伟</mark>").map((p) => p.text).join("");
    assert.ok(text.includes("<script>"), "entities are decoded to text, which the UI inserts as text nodes");
  });
});

describe("rebuilding a readable excerpt: text, not markup artefacts", () => {
  it("never joins a heading to its text with Pagefind's \".\"", () => {
    assert.equal(readableExcerpt("核心 心事 事实 ⁞ OpenAI 双重 重未 未达 达标. 第二 二段").map((p) => p.text).join(""), "核心事实 OpenAI 双重未达标 第二段");
  });
  it("highlights words, not the punctuation around them", () => {
    const parts = readableExcerpt(`${indexText("芯片战略：")} <mark>NVIDIA,</mark> Dojo`);
    assert.deepEqual(parts.filter((p) => p.mark).map((p) => p.text), ["NVIDIA"]);
    assert.equal(indexText("战略：NVIDIA、Dojo"), "战略 ： NVIDIA 、 Dojo");
  });
});

const ctx = queryContext({ ...queryData(), vocabulary: [...vocab] }, t2s);
const shape = (q: string) => parseQuery(q, ctx).map((w) => `${w.optional ? "?" : ""}${w.text}`);

describe("reading a question", () => {
  const cases: Array<[string, string[]]> = [
    ["奥特曼怎么看算力", ["奥特曼", "?怎么看", "算力"]],
    ["马斯克和奥特曼的关系", ["马斯克", "?和", "奥特曼", "?的", "?关系"]],
    ["英伟达和AMD有什么区别", ["英伟达", "?和", "amd", "?有什么", "?区别"]],
    ["什么是大模型", ["?什么是", "大模型"]],
    ["how does an LLM work", ["?how", "?does", "?an", "llm", "work"]],
    ["OpenAI vs Anthropic", ["openai", "?vs", "anthropic"]],
    // A trailing word followed by a content word is part of it; a lone character joins its neighbour.
    ["关系模型", ["关系模型"]],
    ["转基因", ["转基因"]],
  ];
  for (const [q, want] of cases) it(`${q} → ${want.join(" ")}`, () => assert.deepEqual(shape(q), want));
  it("keeps its question words as data, each a word the segmenter would otherwise require", () => {
    const { optional, trailing } = queryData();
    for (const w of ["怎么", "怎么看", "什么", "有什么", "的", "和", "是不是", "how", "what", "vs"]) assert.ok(optional.includes(w), w);
    for (const w of ["区别", "关系"]) assert.ok(trailing.includes(w), w);
  });
});

describe("variants and synonyms", () => {
  const spellings = (q: string) => parseQuery(q, ctx).flatMap((w) => w.alts.map((a) => a.text));
  it("expands 编程, 大模型, 智能体 both ways between Chinese and English", () => {
    for (const s of ["coding", "代码", "claude code"]) assert.ok(spellings("编程").includes(s), s);
    assert.ok(spellings("coding").includes("编程"));
    assert.ok(spellings("大模型").includes("llm") && spellings("LLM").includes("大模型"));
    assert.ok(spellings("智能体").includes("agent") && spellings("agent").includes("智能体"));
  });
  it("takes a multi-word English spelling as one word", () => assert.deepEqual(shape("open source 模型"), ["open source", "模型"]));
  it("leaves out short Latin spellings that begin other words (AI → air)", () => {
    for (const g of queryData().synonyms) for (const s of g) if (/^[a-z]+$/i.test(s)) assert.ok(s.length >= 3 || s === s.toUpperCase(), s);
    assert.ok(!spellings("人工智能").includes("ai"));
  });
});

describe("honest matching", () => {
  const hit = (pairs: Array<[string, number[]]>) => new Map(pairs.map(([id, pos]) => [id, { score: 1, pos }]));
  it("fails a query when one required word matches nothing, and says which", () => {
    const words = parseQuery("英伟达 zzzq", ctx);
    const r = combineMatches(words, new Map([["英伟", hit([["a", [1]]])], ["伟达", hit([["a", [2]]])], ["zzzq", null]]));
    assert.deepEqual(r.ids, []);
    assert.deepEqual(r.unmatched, ["zzzq"]);
  });
  it("needs a word's bigrams side by side (转基…基因 is not 转基因)", () => {
    const words = parseQuery("转基因", ctx);
    assert.deepEqual(combineMatches(words, new Map([["转基", hit([["a", [10]], ["b", [4]]])], ["基因", hit([["a", [11]], ["b", [40]]])]])).ids, ["a"]);
  });
  it("lets optional words rank but never exclude", () => {
    const words = parseQuery("奥特曼怎么看算力", ctx);
    const hits = new Map([["奥特", hit([["a", [1]], ["b", [1]]])], ["特曼", hit([["a", [2]], ["b", [2]]])], ["算力", hit([["a", [5]], ["b", [9]]])], ["怎么", hit([["b", [3]]])], ["么看", hit([["b", [4]]])]]);
    assert.deepEqual(combineMatches(words, hits).ids, ["b", "a"]);
  });
  it("never takes a shorter prefix or a single letter for the term (Pagefind's fallback)", () => {
    assert.equal(holdsTerm(["一", "核心"], "一言"), false);
    assert.equal(holdsTerm(["n", "network"], "nvidai"), false);
    assert.equal(holdsTerm(["agents"], "agent"), true);
    assert.equal(holdsTerm(["agent"], "agents"), true);
    assert.equal(holdsQuery("redirect 区块 块链", parseQuery("redis 区块链", ctx)), false);
  });
  it("offers the entity one edit away: 你要找的是不是 NVIDIA？", () => {
    const entities: Array<[string, string, ...string[]]> = [["NVIDIA", "/companies/nvidia/", "英伟达", "Nvidia"], ["Tesla", "/companies/tesla/"]];
    assert.deepEqual(closestEntities("Nvidai", entities).map((e) => e.name), ["NVIDIA"]);
    assert.deepEqual(closestEntities("英伟", entities).map((e) => e.name), ["NVIDIA"]);
    assert.deepEqual(closestEntities("Kubernetes", entities), []);
  });
});
