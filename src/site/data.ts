/**
 * Pipeline result → what the templates see (`kb` in Nunjucks). Everything a page
 * shows is computed here once per build; templates only loop and print.
 */
import type { Entity, EntityIndex, NoteLinks } from "../entities/index.ts";
import { TYPE_LABELS, TYPE_PATHS } from "../entities/index.ts";
import type { EntityType } from "../entities/registry.ts";
import { NOTE_KIND_LABELS, NOTE_KINDS, type Note, type NoteKind } from "../note.ts";
import type { BuildReport, PipelineResult } from "../pipeline.ts";

export interface PublishedNote extends Note {
  links: NoteLinks;
  kindLabel: string;
  /** Headings for the table of contents. */
  toc: Array<{ id: string; heading: string }>;
  /** Every name and alias of the entities the note names: indexed for alias-aware search. */
  searchAliases: string[];
  /** Names the metadata declares (ranked higher in search). */
  declaredNames: string[];
  /** Speaker name as written in the turns → their entity page (null for placeholders). */
  speakerUrls: Record<string, string | null>;
}

export interface Directory {
  type: EntityType;
  label: string;
  url: string;
  entities: Entity[];
}

export interface ApiNote {
  id: string; url: string; title: string; date: string | null; kind: NoteKind;
  source: { file: string; url: string | null; entry: number | null };
  authors: string[]; speakers: string[]; people: string[]; companies: string[]; products: string[]; tags: string[];
  summary: string;
}
export interface ApiEntity { id: string; type: EntityType; name: string; aliases: string[]; url: string; notes: string[] }

export interface SiteData {
  site: { title: string; description: string; lang: string; url: string };
  notes: PublishedNote[];
  entities: Entity[];
  directories: Directory[];
  timeline: Array<{ key: string; label: string; notes: PublishedNote[] }>;
  kinds: Array<{ kind: NoteKind; label: string; count: number }>;
  api: { notes: ApiNote[]; entities: ApiEntity[]; report: BuildReport };
  stats: { notes: number; sources: number; people: number; companies: number; products: number; tags: number };
}

export function byDateDesc(a: { date: string | null; title: string }, b: { date: string | null; title: string }): number {
  if (a.date !== b.date) return a.date === null ? 1 : b.date === null ? -1 : a.date < b.date ? 1 : -1;
  return a.title.localeCompare(b.title, "zh-CN");
}

function monthLabel(key: string): string {
  if (key === "undated") return "未注明日期";
  const [y, m] = key.split("-");
  return `${y} 年 ${Number(m)} 月`;
}

export function buildSiteData(result: PipelineResult, index: EntityIndex = result.index): SiteData {
  const notes: PublishedNote[] = result.notes.map((note) => {
    const links = index.links.get(note.id)!;
    const named = [...links.people, ...links.companies, ...links.products].map((r) => index.byId.get(r.id)!).filter(Boolean);
    const declared = new Set([...note.people, ...note.companies, ...note.products].map((n) => n.toLowerCase()));
    return {
      ...note,
      links,
      kindLabel: NOTE_KIND_LABELS[note.kind],
      toc: note.sections.filter((s) => s.heading).map((s) => ({ id: s.id, heading: s.heading })),
      searchAliases: [...new Set(named.flatMap((e) => [e.name, ...e.aliases]))],
      speakerUrls: Object.fromEntries(note.speakers.map((name, i) => [name, links.speakers[i]?.id ? (links.speakers[i] as { url: string }).url : null])),
      declaredNames: named.filter((e) => declared.has(e.name.toLowerCase()) || e.aliases.some((a) => declared.has(a.toLowerCase()))).map((e) => e.name),
    };
  });
  notes.sort(byDateDesc);

  const directories: Directory[] = (["person", "company", "product", "tag"] as const).map((type) => ({
    type,
    label: TYPE_LABELS[type],
    url: `/${TYPE_PATHS[type]}/`,
    entities: index.entities.filter((e) => e.type === type).sort((a, b) => b.notes.length - a.notes.length || b.mentionCount - a.mentionCount || a.name.localeCompare(b.name, "zh-CN")),
  }));

  const months = new Map<string, PublishedNote[]>();
  for (const n of notes) {
    const key = n.date ? n.date.slice(0, 7) : "undated";
    months.set(key, [...(months.get(key) ?? []), n]);
  }
  const timeline = [...months].map(([key, list]) => ({ key, label: monthLabel(key), notes: list }));

  const api = {
    notes: notes.map((n): ApiNote => ({
      id: n.id, url: n.url, title: n.title, date: n.date, kind: n.kind,
      source: { file: n.source.file, url: n.source.url, entry: n.source.entry },
      authors: n.links.authors.map((a) => a.name),
      speakers: n.links.speakers.map((s) => s.name),
      people: n.links.people.map((r) => r.name),
      companies: n.links.companies.map((r) => r.name),
      products: n.links.products.map((r) => r.name),
      tags: n.links.tags.map((r) => r.name),
      summary: n.summary,
    })),
    entities: index.entities.map((e): ApiEntity => ({ id: e.id, type: e.type, name: e.name, aliases: e.aliases, url: e.url, notes: e.notes.map((x) => x.id) })),
    report: result.report,
  };
  const count = (t: EntityType) => directories.find((d) => d.type === t)!.entities.length;
  return {
    site: {
      title: process.env.KB_SITE_TITLE ?? "AI 内参知识库",
      description: "AI 行业访谈、演讲与文摘的中文知识库：按人物、公司、产品与标签浏览和搜索。",
      lang: "zh-CN",
      url: (process.env.KB_SITE_URL ?? "http://localhost:8080").replace(/\/$/, ""),
    },
    notes,
    entities: index.entities,
    directories,
    timeline,
    kinds: NOTE_KINDS.map((kind) => ({ kind, label: NOTE_KIND_LABELS[kind], count: notes.filter((n) => n.kind === kind).length })).filter((k) => k.count > 0),
    api,
    stats: { notes: notes.length, sources: result.report.inputs.length, people: count("person"), companies: count("company"), products: count("product"), tags: count("tag") },
  };
}
