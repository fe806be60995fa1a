/**
 * The one markdown-it instance. Sources are untrusted:
 * - `html: false`: raw HTML in a source is shown as text, never interpreted;
 * - markdown-it's `validateLink` already refuses `javascript:`, `vbscript:`, `file:`
 *   and non-image `data:` URLs; external links get `rel="nofollow noopener noreferrer"`;
 * - images are rendered as links (no third-party requests, and `img-src 'self'` CSP holds);
 * - no `$…$` math: the sources are full of dollar amounts (`$13B`, `$1.4T`).
 * markdown-it-cjk-friendly makes `**“Rewired”**的` bold instead of leaving `**`.
 */
import MarkdownIt from "markdown-it";
import anchor from "markdown-it-anchor";
import cjkFriendly from "markdown-it-cjk-friendly";
import { slugify } from "../text.ts";

export interface RenderEnv {
  /** Prefix for heading ids inside this block, so ids stay unique on a page. */
  idPrefix?: string;
}

export function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });
  md.use(cjkFriendly);
  md.use(anchor, {
    level: [2, 3, 4, 5, 6],
    tabIndex: false,
    slugifyWithState: (title: string, state: { env: RenderEnv }) => `${state.env?.idPrefix ?? "h"}-${slugify(title, 40)}`,
  } as anchor.AnchorOptions);
  md.renderer.rules.image = (tokens, idx) => {
    const token = tokens[idx]!;
    const src = md.utils.escapeHtml(token.attrGet("src") ?? "");
    const alt = md.utils.escapeHtml(token.content || "图片");
    return `<a class="image-link" href="${src}" rel="nofollow noopener noreferrer">[图片：${alt}]</a>`;
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
  return markdown.render(text, { ...env });
}

/** Inline rendering (no wrapping `<p>`), for summaries in lists and turns. */
export function renderInline(text: string): string {
  return markdown.renderInline(text, {});
}
