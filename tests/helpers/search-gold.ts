/**
 * The search test set's gold standard, computed from the notes' own text rather
 * than from the search engine: a note is relevant to a query when, for every word
 * group of the query, its text (title, summary, metadata names, sections) contains
 * one of the group's spellings. `@Name` stands for every name and alias of that
 * registered entity; an entity query is the group `@Name` alone. A query marked
 * `none` must have no relevant note (its words say what a note would need); a topic
 * query may list its `relevant` notes by hand instead (judged by reading them).
 *
 * The corpus is the seeds plus the foreign fixtures (tests/fixtures/foreign/
 * {transcripts,obsidian,blogs}), copied into one folder as a reader would point the
 * tool at their files.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPipeline } from "../../src/pipeline.ts";
import { loadRegistry } from "../../src/entities/registry.ts";
import { simplifiedTable } from "../../src/text.ts";
import { toSimplified } from "../../src/search/query.js";
import { stripMarkdown } from "../../src/text.ts";
import { ROOT } from "./site.ts";

export interface QuerySpec { q: string; type: string; entity?: string; words?: string[][]; none?: boolean; relevant?: string[] }
export interface GoldQuery extends QuerySpec { relevant: string[] }

/** The seeds and the foreign fixtures in one folder (made once per test run). */
export function searchCorpus(): string {
  const dir = join(tmpdir(), `kb-search-corpus-${process.env.KB_TEST_RUN ?? process.pid}`);
  if (!existsSync(join(dir, "done"))) {
    mkdirSync(dir, { recursive: true });
    cpSync(join(ROOT, "seeds"), dir, { recursive: true });
    for (const f of ["transcripts", "obsidian", "blogs"]) cpSync(join(ROOT, "tests/fixtures/foreign", f), join(dir, "foreign", f), { recursive: true });
    mkdirSync(join(dir, "done"));
  }
  return dir;
}

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
    n.title, ...n.aliases, stripMarkdown(n.summary), n.details.reason ?? "", ...n.people, ...n.companies, ...n.products, ...n.tags, ...n.authors, ...n.speakers,
    ...n.sections.flatMap((s) => [s.heading, ...s.blocks.map((b) => `${b.type === "turn" ? b.speaker : ""} ${stripMarkdown(b.text)}`)]),
  ].join("\n"), t2s).toLowerCase()]));
  const has = (text: string, spelling: string) => {
    const s = toSimplified(spelling, t2s).toLowerCase();
    if (!/^[a-z0-9@]/i.test(s)) return text.includes(s);
    // Latin spellings match as words (prefix allowed, as search does: `agent` finds `agents`).
    return new RegExp(`(?<![a-z0-9])${s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "i").test(text);
  };
  return specs.map((spec) => {
    if (spec.relevant) return { ...spec, relevant: [...spec.relevant].sort() };
    const groups = spec.entity ? [[`@${spec.entity}`]] : spec.words ?? [];
    const expanded = groups.map((g) => g.flatMap((w) => (w.startsWith("@") ? aliasesOf(w.slice(1)) : [w])));
    const relevant = [...texts].filter(([, text]) => expanded.every((g) => g.some((w) => has(text, w)))).map(([id]) => id).sort();
    return { ...spec, relevant };
  });
}
