/**
 * Markdown as real notes write it, before it is cut into sections: where code is (so
 * that nothing inside code is ever read as a turn, a link, a tag or a comment), what to
 * drop (Obsidian `%% comments %%`, HTML comments, `^block-id` markers), what to collect
 * (inline `#tags`, links and embeds pointing at other files, the `<!-- more -->` cut).
 *
 * Written by hand rather than through markdown-it's parser because these passes must
 * give back the same text with a few spans removed, keeping every line where it was
 * (messages cite lines), and markdown-it's tokens do not map inline spans to offsets.
 */
import type { BuildMessage, Reference } from "../note.ts";

const FENCE_OPEN = /^[ \t]*(?:>[ \t]?)*[ \t]*(`{3,}|~{3,})(.*)$/;

/**
 * For each line, whether it belongs to fenced code (the fence lines included). Fences
 * follow CommonMark: three or more backticks or tildes, closed by a run of the same
 * character at least as long with nothing after it, so a ```` ``` ```` line inside a
 * four-backtick fence, or a `~~~` line inside a backtick fence, is code. Fences inside
 * list items and blockquotes (indented, `>`-prefixed) count too; an unclosed fence runs
 * to the end, as in every renderer.
 */
export function codeLines(lines: string[], opens?: number[]): boolean[] {
  const out = new Array<boolean>(lines.length).fill(false);
  let open: { char: string; length: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE_OPEN.exec(lines[i]!);
    if (open) {
      out[i] = true;
      if (m && m[1]![0] === open.char && m[1]!.length >= open.length && !m[2]!.trim()) open = null;
      continue;
    }
    // A backtick fence's info string may not contain a backtick (```` ```a`b ```` is inline code).
    if (m && !(m[1]![0] === "`" && m[2]!.includes("`"))) {
      open = { char: m[1]![0]!, length: m[1]!.length };
      out[i] = true;
      opens?.push(i);
    }
  }
  return out;
}

/** Fenced blocks that Obsidian plugins run (their info string), and the plugin's name. */
export const PLUGIN_QUERIES: Record<string, string> = { dataview: "Dataview", dataviewjs: "DataviewJS", tasks: "Tasks", query: "搜索" };

/**
 * Report each fenced block an Obsidian plugin would run (```` ```dataview ````, `tasks`,
 * `query`…): a static site cannot, so the page shows its source, folded, and says so.
 */
export function reportPluginQueries(text: string, firstLine: number, messages: BuildMessage[]): void {
  const lines = text.split("\n");
  const opens: number[] = [];
  codeLines(lines, opens);
  opens.forEach((i) => {
    const info = FENCE_OPEN.exec(lines[i]!)?.[2]?.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    const plugin = PLUGIN_QUERIES[info];
    if (plugin) messages.push({ level: "info", line: firstLine + i, message: `a \`${info}\` block is an Obsidian ${plugin} query, which only Obsidian runs; the page shows its source, folded` });
  });
}

/**
 * Apply `fn` to the prose of `text`: every run of lines outside fenced code, with inline
 * code spans (`` `x` ``, ``` ``x`` ```) left out. `fn` gets the prose and the 0-based line of
 * `text` it starts on; it must keep the newlines it is given.
 */
export function mapProse(text: string, fn: (prose: string, line: number) => string): string {
  const lines = text.split("\n");
  const code = codeLines(lines);
  const out: string[] = [];
  let run: string[] = [];
  let runStart = 0;
  const flush = () => {
    if (run.length) out.push(mapOutsideInlineCode(run.join("\n"), (prose, offset, all) => fn(prose, runStart + newlinesOf(all.slice(0, offset)).length)));
    run = [];
  };
  lines.forEach((line, i) => {
    if (code[i]) {
      flush();
      out.push(line);
    } else {
      if (!run.length) runStart = i;
      run.push(line);
    }
  });
  flush();
  return out.join("\n");
}

/** Inline code spans of `text` as [start, end) offsets: a run of backticks closed by a run of exactly as many. */
function inlineCodeSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const re = /`+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const close = new RegExp(`(?<!\`)${m[0]}(?!\`)`, "g");
    close.lastIndex = m.index + m[0].length;
    const c = close.exec(text);
    if (!c) continue;
    spans.push([m.index, c.index + m[0].length]);
    re.lastIndex = c.index + m[0].length;
  }
  return spans;
}

/** `fn` on the text between inline code spans (with its offset in `text`); the spans as they are. */
function mapOutsideInlineCode(text: string, fn: (prose: string, offset: number, all: string) => string): string {
  let result = "";
  let last = 0;
  for (const [a, b] of inlineCodeSpans(text)) {
    result += fn(text.slice(last, a), last, text) + text.slice(a, b);
    last = b;
  }
  return result + fn(text.slice(last), last, text);
}

/** The same number of newlines as `s`: what a removed span leaves, so lines stay where they were. */
const newlinesOf = (s: string) => s.replace(/[^\n]/g, "");

export interface CleanedMarkup {
  text: string;
  /** Inline `#tags` found in the prose, in order, without `#`. */
  tags: string[];
  /** Character offset of a `<!-- more -->` marker in `text`, or null. */
  more: number | null;
}

const MORE = "\u0000kb-more\u0000";

/**
 * Drop what Obsidian and blog engines never show (`%% … %%`, `<!-- … -->`, and in an
 * Obsidian note `^block-id` markers) and collect inline `#tags`. An unclosed comment is kept as text and reported:
 * hiding the rest of a note on a typo would drop it silently.
 */
export function cleanMarkup(text: string, firstLine: number, messages: BuildMessage[], obsidian = true): CleanedMarkup {
  const tags: string[] = [];
  let reportedOpen = false;
  const cleaned = mapProse(text, (prose, line) => {
    let p = prose
      .replace(/<!--\s*more\s*-->/gi, MORE)
      .replace(/<!--[\s\S]*?-->/g, newlinesOf)
      .replace(/%%[\s\S]*?%%/g, newlinesOf);
    const open = p.search(/<!--|%%/);
    if (!reportedOpen && open >= 0) {
      reportedOpen = true;
      messages.push({ level: "warning", line: firstLine + line + newlinesOf(p.slice(0, open)).length, message: "a comment (`%%` or `<!--`) has no end; it is kept as text" });
    }
    // `^block-id` at the end of a line (Obsidian's block references), or alone on a line: Obsidian notes only.
    if (obsidian) p = p.replace(/(^|[ \t])\^[A-Za-z0-9-]+[ \t]*$/gm, "");
    for (const line of p.split("\n")) {
      if (/^\s{0,3}#{1,6}(?:\s|$)/.test(line)) continue;
      for (const m of line.matchAll(/(?<=^|[\s(（，。、,;；])#([\p{L}\p{N}_][\p{L}\p{N}_/-]*)/gu)) {
        const tag = m[1]!.replace(/[/-]+$/, "");
        if (/[^\d/_-]/u.test(tag)) tags.push(tag);
      }
    }
    return p;
  });
  const more = cleaned.indexOf(MORE);
  return { text: cleaned.split(MORE).join(""), tags: [...new Set(tags)], more: more >= 0 ? more : null };
}

/**
 * Blog engines' template tags, read where they say something a reader needs, the rest
 * reported. Liquid/Nunjucks blocks (`{% highlight c++ %}` … `{% endhighlight %}`, Hexo's
 * `{% codeblock %}`) become code fences; `{% raw %}` markers go; a YouTube embed
 * (`{% include embed/youtube.html id='…' %}`, `{{< youtube … >}}`) becomes a link; Hugo's
 * `{{< figure src="…" caption="…" >}}` an image; `{{< ref "x.md" >}}` and `{% link x.md %}`
 * the path they name (the resolve stage links it). Any other tag is kept as text and
 * reported with its line: nothing is run, nothing is dropped.
 */
export function readTemplateTags(text: string, firstLine: number, messages: BuildMessage[]): string {
  if (!/\{%|\{\{[<%]/.test(text)) return text;
  const lines = text.split("\n");
  const code = codeLines(lines);
  const reported = new Set<string>();
  const out = lines.map((line, i) => {
    if (code[i]) return line;
    return mapOutsideInlineCode(line, (prose) => prose
      .replace(/^\s*\{%-?\s*(?:highlight|codeblock)\s*([\w+#.-]*)[^%]*-?%\}\s*$/, (_, lang: string) => "```" + lang)
      .replace(/^\s*\{%-?\s*(?:endhighlight|endcodeblock)\s*-?%\}\s*$/, "```")
      .replace(/\{%-?\s*(?:raw|endraw)\s*-?%\}/g, "")
      .replace(/\{%-?\s*include\s+embed\/youtube\.html\s+id=['"]?([\w-]{6,})['"]?\s*-?%\}|\{\{<\s*youtube\s+(?:id=)?["']?([\w-]{6,})["']?\s*>\}\}/g, (_, a?: string, b?: string) => `[视频](https://www.youtube.com/watch?v=${a ?? b})`)
      .replace(/\{\{<\s*figure\s+([^>]*?)\s*\/?>\}\}/g, (_, attrs: string) => {
        const attr = (k: string) => new RegExp(`${k}=["']([^"']*)["']`).exec(attrs)?.[1];
        const src = attr("src");
        return src ? `![${attr("alt") ?? attr("caption") ?? attr("title") ?? ""}](<${src}>)` : _;
      })
      .replace(/\{\{<\s*(?:rel)?ref\s+["']([^"']+)["']\s*>\}\}|\{%-?\s*(?:link|post_url)\s+(\S+)\s*-?%\}/g, (_, a?: string, b?: string) => a ?? b ?? "")
      .replace(/\{%-?\s*(\w+)[^%]*-?%\}|\{\{[<%]\s*\/?\s*([\w-]+)[^>%]*[>%]\}\}/g, (tag: string, liquid?: string, hugo?: string) => {
        const name = liquid ?? hugo ?? "";
        if (name === "asset_img") return tag; // resolved with the post's assets
        if (!reported.has(name)) {
          reported.add(name);
          messages.push({ level: "info", line: firstLine + i, message: `the template tag \`${tag.length > 60 ? `${tag.slice(0, 57)}…` : tag}\` (${liquid ? "Liquid/Hexo" : "Hugo shortcode"} \`${name}\`) is not read; it is kept as text` });
        }
        return tag;
      }));
  });
  return out.join("\n");
}

/** `[[…]]` wikilinks and `![[…]]` embeds, one line each. */
export const WIKILINK = /(!?)\[\[([^\[\]\n]+?)\]\]/g;
/** Markdown links and images: `[label](target "title")`, `![alt](<a b.png>)`. */
export const MD_LINK = /(!?)\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)/g;
/** Hexo's post-asset tag: `{% asset_img slug.png [title] %}`. */
export const ASSET_IMG = /\{%\s*asset_img\s+(\S+)(?:\s+([^%]*?))?\s*%\}/g;

/** A link target that points at a file beside the notes (no scheme, not an in-page anchor, no site-root `//`). */
export function isLocalTarget(target: string): boolean {
  // markdown-it decodes character references in link targets (`&#106;avascript:` is `javascript:`).
  const t = target.replace(/^<|>$/g, "").trim().replace(/&#(\d+);?|&#x([0-9a-f]+);?/gi, (_, d: string, h: string) => {
    const code = d ? Number(d) : parseInt(h, 16);
    return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : "";
  });
  return t !== "" && !t.startsWith("#") && !t.startsWith("//") && !/^[a-z][a-z0-9+.-]*:/i.test(t);
}

/**
 * Every wikilink, embed and local markdown link or image outside code, with its line.
 * `file:` URLs are recorded too: the resolve stage reports them (they are never links).
 */
export function collectReferences(text: string, firstLine: number): Reference[] {
  const refs: Reference[] = [];
  const lines = text.split("\n");
  const code = codeLines(lines);
  lines.forEach((line, i) => {
    if (code[i]) return;
    const prose = stripInlineCode(line);
    const add = (raw: string) => refs.push({ raw, line: firstLine + i });
    for (const m of prose.matchAll(WIKILINK)) add(m[0]);
    for (const m of prose.matchAll(MD_LINK)) if (isLocalTarget(m[3]!) || /^file:/i.test(m[3]!)) add(m[0]);
    for (const m of prose.matchAll(ASSET_IMG)) add(m[0]);
  });
  return refs;
}

/** `line` with inline code spans blanked out (same length), so nothing inside them is matched. */
function stripInlineCode(line: string): string {
  let out = line;
  for (const [a, b] of inlineCodeSpans(line)) out = out.slice(0, a) + " ".repeat(b - a) + out.slice(b);
  return out;
}

/**
 * The words of a markdown passage, as plain text, without what is not prose: fenced and
 * inline code, math, URLs, link targets and images (badges). What the linker matches
 * names in, so `GitHub` in a badge URL or `Figure` in a code sample is never a mention.
 */
export function proseText(md: string, strip: (md: string) => string): string {
  if (!/[`$!\[<]|https?:|www\./.test(md)) return strip(md);
  const lines = md.split("\n");
  const code = codeLines(lines);
  const prose = lines.filter((_, i) => !code[i]).join("\n")
    .replace(/\$\$[\s\S]*?\$\$/g, " ")
    .replace(/(`+)[\s\S]*?\1/g, " ")
    .replace(/\$(?=[^\s$])[^$\n]*?[^\s$]\$(?!\d)/g, (m) => (/\p{Script=Han}/u.test(m) ? m : " "))
    .replace(/!\[[^\]]*\]\((?:[^()]|\([^()]*\))*\)/g, " ")
    .replace(/<(?:https?:|www\.)[^>\s]*>/gi, " ")
    .replace(/\b(?:https?:\/\/|www\.)[^\s<>()（）\]]+/gi, " ");
  return strip(prose);
}
