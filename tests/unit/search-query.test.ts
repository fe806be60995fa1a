/** The query pipeline shared by the index and the browser (src/search/query.js). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { simplifiedTable } from "../../src/search/pagefind.ts";
import { bigrams, indexText, queryTerms, readableExcerpt } from "../../src/search/query.js";

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
    assert.deepEqual(parts, [{ text: "英伟达", mark: true }, { text: "的芯片.供不应求 这个主题", mark: false }]);
  });
  it("never turns excerpt text into markup", () => {
    const text = readableExcerpt("&lt;script&gt;alert(1)&lt;/script&gt; <mark>英伟</mark>").map((p) => p.text).join("");
    assert.ok(text.includes("<script>"), "entities are decoded to text, which the UI inserts as text nodes");
  });
});
