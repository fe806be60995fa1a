/**
 * Formulas KaTeX cannot read are reported with their line (the page shows their source).
 * Uses the site's own markdown-it, so what counts as math here is exactly what the
 * renderer treats as math (`$13B` is not).
 */
import katex from "katex";
import type { BuildMessage } from "../note.ts";
import { KATEX_OPTIONS, markdown } from "../site/markdown.ts";

export function checkMath(body: string, firstLine: number): BuildMessage[] {
  if (!body.includes("$")) return [];
  const messages: BuildMessage[] = [];
  const tokens = markdown.parse(body, {});
  for (const t of tokens) {
    const found = t.type === "math_block" ? [{ content: t.content, display: true }] : (t.children ?? []).filter((c) => c.type === "math_inline").map((c) => ({ content: c.content, display: false }));
    for (const f of found) {
      try {
        katex.renderToString(f.content, { ...KATEX_OPTIONS, throwOnError: true, displayMode: f.display });
      } catch (err) {
        const reason = ((err as Error).message ?? String(err)).replace(/^KaTeX parse error:\s*/, "").split("\n")[0]!.slice(0, 120);
        messages.push({ level: "warning", ...(t.map ? { line: firstLine + t.map[0] } : {}), message: `a formula could not be rendered (${reason}); it is kept as text` });
      }
    }
  }
  return messages;
}
