/**
 * The one markdown-it instance. Sources are untrusted:
 * - `html: false`: raw HTML in a source is shown as text, never interpreted;
 * - markdown-it's `validateLink` already refuses `javascript:`, `vbscript:`, `file:`
 *   and non-image `data:` URLs; external links get `rel="nofollow noopener noreferrer"`;
 * - images the build published beside the notes (`/media/…`) are shown, sized and
 *   lazy-loaded; any other image is a link (no third-party requests, `img-src 'self'`);
 * - math through KaTeX at build time, as MathML (no script, no font or stylesheet to load),
 *   untrusted (`trust: false`, size and macro limits). `$…$` is math only where it cannot
 *   be a dollar amount: the opening `$` is followed and the closing one preceded by a
 *   non-space, the closing one not followed by a digit (pandoc's rule, @mdit/plugin-tex),
 *   and the formula holds no Han character outside `\text{}` — so `$13B 和 $1.4T` and
 *   `$25B 聚焦` stay text. A formula KaTeX cannot read shows as its source;
 * - Obsidian callouts (`> [!tip] Title`, `[!warning]-` folded), footnotes, task lists
 *   and `==highlights==` through their markdown-it plugins.
 * markdown-it-cjk-friendly makes `**“Rewired”**的` bold instead of leaving `**`.
 */
import { katex } from "@mdit/plugin-katex";
// Chemistry (`\ce{H2O}`, `\pu{}`), which notes on chemistry and databases (`X\ce{->}Y`) write.
import "katex/contrib/mhchem";
import MarkdownIt, { type PluginSimple, type PluginWithOptions } from "markdown-it";
import anchor from "markdown-it-anchor";
import cjkFriendly from "markdown-it-cjk-friendly";
import footnote from "markdown-it-footnote";
import mark from "markdown-it-mark";
import callouts from "markdown-it-obsidian-callouts";
import { tasklist } from "@mdit/plugin-tasklist";
import { PLUGIN_QUERIES } from "../ingest/markup.ts";
import { slugify } from "../text.ts";

/** A published image's size, by its site URL (`/media/…`). */
export type MediaSizes = Record<string, { width: number; height: number }>;

export interface RenderEnv {
  /** Prefix for heading ids inside this block, so ids stay unique on a page. */
  idPrefix?: string;
  /** Sizes of the images published beside the notes: those are shown, not linked. */
  media?: MediaSizes;
}

/** Where the build publishes files that sit beside the sources. */
export const MEDIA_PREFIX = "/media/";

/** KaTeX for untrusted input: no `\href`/`\url`/`\includegraphics`, bounded sizes and macro expansion. */
export const KATEX_OPTIONS = { output: "mathml", trust: false, strict: "ignore", maxSize: 20, maxExpand: 500, throwOnError: false } as const;

/** A formula with Han text outside `\text{…}` is prose between two dollar signs, not math. */
export function isProseBetweenDollars(formula: string): boolean {
  return /\p{Script=Han}/u.test(formula.replace(/\\(?:text|mbox|textrm|mathrm)\{[^{}]*\}/g, ""));
}

export function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  md.use(cjkFriendly);
  // The @mdit plugins are typed against markdown-it's CommonJS types; the plugin is the same.
  md.use(katex as unknown as PluginWithOptions<object>, { ...KATEX_OPTIONS, delimiters: "dollars", allowInlineWithSpace: false, mathFence: false, logger: () => "ignore" });
  // Dollar amounts that pandoc's rule lets through (`$5和$10`) go back to text.
  md.core.ruler.after("inline", "kb-dollars", (state) => {
    for (const t of state.tokens) for (const c of t.children ?? []) {
      if (c.type === "math_inline" && isProseBetweenDollars(c.content)) {
        c.type = "text";
        c.content = `$${c.content}$`;
      }
    }
  });
  md.use(callouts);
  md.use(footnote as unknown as PluginSimple);
  md.use(mark);
  md.use(tasklist as unknown as PluginWithOptions<object>, { disabled: true, label: false });
  md.use(anchor, {
    level: [2, 3, 4, 5, 6],
    tabIndex: false,
    slugifyWithState: (title: string, state: { env: RenderEnv }) => `${state.env?.idPrefix ?? "h"}-${slugify(title, 40)}`,
    // A visible `#` after each heading, the same anchor the note's own section headings carry.
    permalink: anchor.permalink.linkInsideHeader({ symbol: "#", placement: "after", class: "anchor", renderAttrs: () => ({ "aria-label": "本节链接", "data-pagefind-ignore": "" }) }),
  } as anchor.AnchorOptions);
  md.renderer.rules.image = (tokens, idx, _options, env: RenderEnv) => {
    const token = tokens[idx]!;
    const raw = token.attrGet("src") ?? "";
    const src = md.utils.escapeHtml(raw);
    const size = raw.startsWith(MEDIA_PREFIX) ? env?.media?.[raw] : undefined;
    const text = md.utils.escapeHtml(token.content);
    if (size) {
      const title = token.attrGet("title");
      return `<img src="${src}" alt="${text}" width="${size.width}" height="${size.height}" loading="lazy" decoding="async"${title ? ` title="${md.utils.escapeHtml(title)}"` : ""}>`;
    }
    return `<a class="image-link" href="${src}" rel="nofollow noopener noreferrer">[图片：${text || "图片"}]</a>`;
  };
  // An Obsidian plugin's query (```dataview …) is shown as its source, folded and labelled:
  // a static site cannot run it, and bare code would read as if it were the note's text.
  const defaultFence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const info = tokens[idx]!.info.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    const plugin = PLUGIN_QUERIES[info];
    const code = defaultFence(tokens, idx, options, env, self);
    return plugin ? `<details class="plugin-query"><summary>Obsidian ${md.utils.escapeHtml(plugin)} 查询（只在 Obsidian 中运行，这里显示原文）</summary>${code}</details>\n` : code;
  };
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const href = tokens[idx]!.attrGet("href") ?? "";
    if (/^https?:/i.test(href)) tokens[idx]!.attrSet("rel", "nofollow noopener noreferrer");
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  return md;
}

export const markdown = createMarkdown();

export function renderMarkdown(text: string, env: RenderEnv = {}): string {
  // `docId` keeps footnote ids unique on a page of many rendered blocks.
  return markdown.render(text, { ...env, docId: env.idPrefix });
}

/** Inline rendering (no wrapping `<p>`), for summaries in lists and turns. */
export function renderInline(text: string): string {
  return markdown.renderInline(text, {});
}
