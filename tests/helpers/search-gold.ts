/**
 * The search test set's gold standard, computed from the notes' own text rather
 * than from the search engine: a note is relevant to a query when, for every word
 * group of the query, its text (title, summary, metadata names, sections) contains
 * one of the group's spellings. `@Name` stands for every name and alias of that
 * registered entity; an entity query is the group `@Name` alone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runPipeline } from "../../src/pipeline.ts";
import { loadRegistry } from "../../src/entities/registry.ts";
import { simplifiedTable } from "../../src/search/pagefind.ts";
import { toSimplified } from "../../src/search/query.js";
import { stripMarkdown } from "../../src/text.ts";
import { ROOT } from "./site.ts";

export interface QuerySpec { q: string; type: string; entity?: string; words?: string[][] }
export interface GoldQuery extends QuerySpec { relevant: string[] }

export function computeGold(seedsDir = join(ROOT, "seeds")): GoldQuery[] {
  const specs = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/search/queries.src.json"), "utf8")) as QuerySpec[];
  const result = runPipeline({ seedsDir, rootDir: ROOT, cacheDir: null });
  const registry = loadRegistry().entries;
  const t2s = simplifiedTable();
  const aliasesOf = (name: string): string[] => {
    const e = registry.find((x) => x.name === name);
    const indexed = result.index.entities.find((x) => x.name === name);
    return [name, ...(e?.aliases ?? []), ...(indexed?.aliases ?? [])];
  };
  const texts = new Map(result.notes.map((n) => [n.id, toSimplified([
    n.title, stripMarkdown(n.summary), n.details.reason ?? "", ...n.people, ...n.companies, ...n.products, ...n.tags, ...n.authors, ...n.speakers,
    ...n.sections.flatMap((s) => [s.heading, ...s.blocks.map((b) => `${b.type === "turn" ? b.speaker : ""} ${stripMarkdown(b.text)}`)]),
  ].join("\n"), t2s).toLowerCase()]));
  const has = (text: string, spelling: string) => {
    const s = toSimplified(spelling, t2s).toLowerCase();
    if (!/^[a-z0-9@]/i.test(s)) return text.includes(s);
    // Latin spellings match as words (prefix allowed, as search does: `agent` finds `agents`).
    return new RegExp(`(?<![a-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "i").test(text);
  };
  return specs.map((spec) => {
    const groups = spec.entity ? [[`@${spec.entity}`]] : spec.words ?? [];
    const expanded = groups.map((g) => g.flatMap((w) => (w.startsWith("@") ? aliasesOf(w.slice(1)) : [w])));
    const relevant = [...texts].filter(([, text]) => expanded.every((g) => g.some((w) => has(text, w)))).map(([id]) => id).sort();
    return { ...spec, relevant };
  });
}
