/** Markdown as real notes write it: code, comments, tags, template tags, front-matter, titles, math, subtitles. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dateFromFileName, parseSource, titleFromFileName } from "../../src/ingest/index.ts";
import { cleanMarkup, codeLines, collectReferences, readTemplateTags, reportPluginQueries } from "../../src/ingest/markup.ts";
import { readMetadata, splitFrontMatter, unwrapWikilink } from "../../src/ingest/metadata.ts";
import { subtitleName, subtitlesToLines } from "../../src/ingest/subtitles.ts";
import type { BuildMessage } from "../../src/note.ts";
import { isProseBetweenDollars, renderMarkdown } from "../../src/site/markdown.ts";
import { stripInline, stripMarkdown } from "../../src/text.ts";

describe("where code is", () => {
  it("a ``` line inside a four-backtick fence, and ~~~ inside ```, are code", () => {
    const lines = ["````md", "```", "**A**: x", "```", "````", "prose", "```", "~~~", "```", "after"];
    assert.deepEqual(codeLines(lines), [true, true, true, true, true, false, true, true, true, false]);
  });
  it("fences inside list items and quotes count", () => {
    assert.deepEqual(codeLines(["1. step", "   ```sh", "   ls", "   ```", "> ```", "> x", "> ```"]), [false, true, true, true, true, true, true]);
  });
});

describe("what Obsidian and blogs never show, and what they collect", () => {
  const clean = (text: string) => cleanMarkup(text, 1, []);
  it("drops %% comments %%, HTML comments and ^block-ids, keeping lines where they were", () => {
    const out = clean("a %%hidden%% b\n<!-- two\nlines -->\nc ^abc123\n%%\nblock\n%%\nd");
    assert.equal(out.text, "a  b\n\n\nc\n\n\n\nd");
  });
  it("collects inline #tags outside code and headings", () => {
    assert.deepEqual(clean("# Title\n#alpha text #beta/child and `#code` and x#no\n```\n#include\n```").tags, ["alpha", "beta/child"]);
  });
  it("reports an unclosed comment on its own line", () => {
    const messages: BuildMessage[] = [];
    cleanMarkup("one\n`%%` in code\ntwo\nthree %% never closed", 5, messages);
    assert.equal(messages[0]?.line, 8);
  });
  it("finds <!-- more -->", () => {
    const out = clean("intro\n<!-- more -->\nrest");
    assert.equal(out.text.slice(0, out.more!), "intro\n");
  });
  it("reports an unclosed comment and keeps the text", () => {
    const messages: BuildMessage[] = [];
    assert.equal(cleanMarkup("a %% never closed", 3, messages).text, "a %% never closed");
    assert.match(messages[0]!.message, /has no end; it is kept as text/);
  });
  it("collects wikilinks, embeds and local links with their lines, not URLs or code", () => {
    const refs = collectReferences("[[A]] and ![[b.png]]\n[x](c.md) [y](https://e.com) `[[no]]`\n![z](img/d.png)", 10);
    assert.deepEqual(refs.map((r) => [r.raw, r.line]), [["[[A]]", 10], ["![[b.png]]", 10], ["[x](c.md)", 11], ["![z](img/d.png)", 12]]);
  });
});

describe("blog engines' template tags", () => {
  const read = (text: string) => { const m: BuildMessage[] = []; return { text: readTemplateTags(text, 1, m), messages: m }; };
  it("turns highlight blocks into code fences and YouTube embeds into links", () => {
    assert.equal(read("{% highlight c++ %}\n#include <x>\n{% endhighlight %}").text, "```c++\n#include <x>\n```");
    assert.equal(read("{{< youtube dQw4w9WgXcQ >}}").text, "[视频](https://www.youtube.com/watch?v=dQw4w9WgXcQ)");
    assert.equal(read('{{< figure src="a.png" caption="图一" >}}').text, "![图一](<a.png>)");
  });
  it("keeps and reports a tag it does not read, never one in code", () => {
    const out = read("{% note info %}\n`{% highlight %}`");
    assert.equal(out.text, "{% note info %}\n`{% highlight %}`");
    assert.equal(out.messages.length, 1);
    assert.match(out.messages[0]!.message, /`note`\) is not read; it is kept as text/);
  });
});

describe("front-matter that tools write", () => {
  const meta = (text: string) => {
    const fm = splitFrontMatter(text);
    const messages: BuildMessage[] = [...fm.messages];
    return { meta: readMetadata(fm.data ?? {}, messages, fm.lineOf), messages, fm };
  };
  it("reads TOML between +++ lines, dates as written", () => {
    const { meta: m } = meta('+++\ntitle = "标题"\ndate = 2019-03-04T01:00:00+08:00\ntags = ["a", "b"]\ncategories = ["数据库"]\nlastmod = 2020-01-02\n+++\nbody');
    assert.deepEqual([m.title, m.date, m.tags, m.categories, m.updated], ["标题", "2019-03-04", ["a", "b"], ["数据库"], "2020-01-02"]);
  });
  it("reads Hexo's front-matter without the opening ---", () => {
    const { meta: m, fm } = meta("title: 实时操作系统\ndate: 2017-11-08 15:13:56\ntags:\n- RT\n\n---\n\n正文");
    assert.deepEqual([m.title, m.date, m.tags, fm.body.trim()], ["实时操作系统", "2017-11-08", ["RT"], "正文"]);
  });
  it("unwraps wikilink values and takes the first valid source URL", () => {
    const { meta: m, messages } = meta('---\nauthor: "[[Y Combinator]]"\nsource: youtube\nyoutube_url: https://www.youtube.com/watch?v=abc\naliases: [Alt]\n---\n');
    assert.deepEqual([m.authors, m.url, m.aliases], [["Y Combinator"], "https://www.youtube.com/watch?v=abc", ["Alt"]]);
    assert.deepEqual(messages.filter((x) => x.level === "warning"), []);
    assert.equal(unwrapWikilink("[[People/Sam|Sam A]]"), "Sam A");
  });
  it("keeps numbers in titles", () => {
    assert.equal(stripInline("128. 一期节目"), "128. 一期节目");
  });
});

describe("titles and dates from file names", () => {
  const table: Array<[string, string | null]> = [
    ["vault/80 删除有序数组中的重复项II.md", "80 删除有序数组中的重复项II"], ["posts/LRU缓存实现/index.md", "LRU缓存实现"],
    ["Evergreen notes turn ideas into objects.md", "Evergreen notes turn ideas into objects"], ["_posts/2019-03-04-my-post.md", null],
    ["seeds/003_70529567d1e3989d.txt", null], ["README.md", null], ["notes/Kubernetes.md", "Kubernetes"],
    ["cleaned_subtitles/-nBb-2d4eQ4_en.txt", null],
  ];
  for (const [file, want] of table) it(`${file} → ${want}`, () => assert.equal(titleFromFileName(file), want));
  it("a Jekyll file name dates the post", () => assert.equal(dateFromFileName("_posts/2019-03-04-my-post.md"), "2019-03-04"));
  it("a file name is no Markdown: its underscores and stars stay in the title", () => {
    // Real names from a transcripts repository (Oxide and Friends): `_` read as emphasis lost them.
    const body = new TextEncoder().encode("Bryan and Adam talk about procedural macros in Rust, and why they matter.\n");
    const titleOf = (file: string) => parseSource(file, body).drafts[0]!.title;
    assert.equal(titleOf("2021/from ⧸proc to proc_macro_summary_corrected.md"), "from ⧸proc to proc_macro_summary_corrected");
    assert.equal(titleOf("2021/Economics and Open Source_transcript_corrected.md"), "Economics and Open Source_transcript_corrected");
    assert.equal(titleOf("notes/C* and *nix [draft].md"), "C* and *nix [draft]");
    const srt = new TextEncoder().encode("1\n00:00:01,000 --> 00:00:04,000\nHello, and welcome to the show.\n");
    assert.equal(parseSource("subs/Rust_macros_talk [dQw4w9WgXcQ].en.srt", srt).drafts[0]!.title, "Rust_macros_talk");
  });
});

describe("math that cannot be a dollar amount", () => {
  it("leaves dollar amounts as text and renders formulas as MathML", () => {
    const html = renderMarkdown("$13B 和 $1.4T，$25B 聚焦；花了$5和$10。公式 $x^2$。");
    assert.match(html, /\$13B 和 \$1\.4T，\$25B 聚焦；花了\$5和\$10。/);
    assert.match(html, /<math[^>]*>.*<msup><mi>x<\/mi><mn>2<\/mn><\/msup>/);
    assert.equal(isProseBetweenDollars("5和"), true);
    assert.equal(isProseBetweenDollars("\\text{速度} = v"), false);
  });
  it("never makes a link or an image out of a formula", () => {
    const html = renderMarkdown("$\\href{javascript:alert(1)}{x}$ $\\includegraphics{a.png}$");
    assert.doesNotMatch(html, /<a |<img |href=|src=/);
  });
  it("shows callouts, footnotes, tasks and highlights", () => {
    const html = renderMarkdown("> [!warning]- 小心\n> 内容\n\n==重点==[^1]\n\n- [ ] 待办\n\n[^1]: 注释", { idPrefix: "s-1" });
    assert.match(html, /<details class="callout" data-callout="warning"/);
    assert.match(html, /<mark>重点<\/mark>/);
    assert.match(html, /id="fn-s-1-1"/);
    assert.match(html, /type="checkbox"[^>]*disabled/);
  });
  it("strips wikilinks, highlights and footnote marks from plain text", () => {
    assert.equal(stripMarkdown("> [!tip] 提示\n[[Note#Part|看这里]] 与 [[Other]] ==亮== 注[^1] ![[img.png]]"), "提示 看这里 与 Other 亮 注");
  });
  it("shows backslash-escaped punctuation as the character, as the page does", () => {
    // A vault's guest page: `[[episodes/…/transcript|When to invest … | Adam Grenier (Uber)]]`, whose
    // unresolved label comes back escaped for markdown (`\|`); summaries and excerpts showed the backslash.
    assert.equal(stripMarkdown("When to invest \\| Adam Grenier \\(Uber\\) \\*not emphasis\\* C:\\\\dir"), "When to invest | Adam Grenier (Uber) *not emphasis* C:\\dir");
    assert.equal(stripMarkdown("a\\b 与 \\中"), "a\\b 与 \\中", "a backslash before a letter or a Han character stays");
  });
});

describe("subtitles", () => {
  it("reads SRT cues into timestamped paragraphs, and WebVTT voices as speakers", () => {
    const srt = subtitlesToLines("1\n00:00:01,000 --> 00:00:03,000\n第一句\n\n2\n00:00:03,500 --> 00:00:05,000\n第二句\n", [])!;
    assert.equal(srt.lines, "[0:01] 第一句第二句");
    const vtt = subtitlesToLines("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hello.</v>\n\n00:02.000 --> 00:03.000\n<v Bob>Hi.</v>\n", [])!;
    assert.deepEqual([vtt.lines, vtt.voices], ["[0:01] Ann: Hello.\n[0:02] Bob: Hi.", ["Ann", "Bob"]]);
  });
  it("keeps a rolling caption's repeated line once", () => {
    const out = subtitlesToLines("WEBVTT\n\n00:01.000 --> 00:02.000\nyeah\n\n00:02.000 --> 00:03.000\nyeah\nwhat\n", [])!;
    assert.equal(out.lines, "[0:01] yeah what");
  });
  it("names the video from a yt-dlp file name", () => {
    assert.deepEqual(subtitleName("Talk title [dQw4w9WgXcQ].en"), { title: "Talk title", url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ" });
  });
});

describe("Obsidian plugin queries", () => {
  it("reports each block a plugin would run, with its line, back-to-back and quoted ones included", () => {
    const text = ["## A", "```dataview", "LIST", "```", "```tasks", "not done", "```", "", "```js", "dataview()", "```", "> ```query", "> tag:#x", "> ```"].join("\n");
    const messages: BuildMessage[] = [];
    reportPluginQueries(text, 10, messages);
    assert.deepEqual(messages.map((m) => [m.line, /`(\w+)` block/.exec(m.message)?.[1]]), [[11, "dataview"], [14, "tasks"], [21, "query"]]);
  });
});

describe("notes about one person, company or product", () => {
  it("declare their subject: a vault's guest page, an insight's source guest, a company page", () => {
    const m: BuildMessage[] = [];
    assert.deepEqual(readMetadata({ name: "Ada Chen Rekhi", type: "guest" }, m).people, ["Ada Chen Rekhi"]);
    assert.deepEqual(readMetadata({ type: "insight", title: "Match channel effort to risk", source_guest: "Adam Grenier" }, m).people, ["Adam Grenier"]);
    assert.deepEqual(readMetadata({ type: "company", title: "英伟达", companies: ["台积电"] }, m).companies, ["英伟达", "台积电"]);
    assert.deepEqual(readMetadata({ type: "post", title: "Hello" }, m).people, [], "any other type names no one");
    assert.deepEqual(readMetadata({ type: "guest", name: "Aishwarya Naresh Reganti + Kiriti Badam" }, m).people, ["Aishwarya Naresh Reganti", "Kiriti Badam"]);
    assert.deepEqual(readMetadata({ type: "guest", name: "April Dunford 2.0" }, m).people, ["April Dunford"], "a second appearance is the same person");
    assert.deepEqual(m, []);
  });
});
