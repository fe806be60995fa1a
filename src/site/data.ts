/**
 * Pipeline result → what the templates see (`kb` in Nunjucks). Everything a page
 * shows is computed here once per build; templates only loop and print.
 */
import type { Entity, EntityRef, Excerpt, NoteLinks } from "../entities/index.ts";
import { EXCERPTED_NOTES, TYPE_LABELS, TYPE_PATHS, type EntityNote } from "../entities/index.ts";
import { ENTITY_TYPES, type EntityType, TYPE_INFO } from "../entities/registry.ts";
import { SEARCH_FACETS } from "../search/records.ts";
import { NOTE_KIND_LABELS, NOTE_KINDS, type Note, type NoteKind, type SiteUrl } from "../note.ts";
import type { BuildReport, PipelineResult } from "../pipeline.ts";
import { byDateDesc, shortHash, stripMarkdown, summaryRepeats, truncate, ZH } from "../text.ts";
import { egoGraph, type Graph, siteGraph } from "./graph.ts";
import type { MediaSizes } from "./markdown.ts";
import { declareKeys } from "./tracker.ts";

/** A breadcrumb trail entry (the layout always starts with 首页). */
export interface Crumb { url: string; label: string }

/** How many speaker colours the stylesheet defines (`.who-0` … `.who-5`). */
export const SPEAKER_COLORS = 6;
/** A table of contents needs more than this many headed sections. */
const TOC_MIN = 2;
/** Longer tables of contents start collapsed on phones (always shown beside the text on wide screens). */
export const TOC_OPEN_MAX = 6;

export interface PublishedNote extends Note {
  links: NoteLinks;
  kindLabel: string;
  /** Headings for the table of contents. */
  toc: Array<{ id: string; heading: string }>;
  /** Whether the note shows a table of contents (more than two headed sections): beside the text, above it on phones, and 目录 in the reading bar. */
  showToc: boolean;
  /** Names the metadata declares (ranked higher in search). */
  declaredNames: string[];
  /** Speaker name as written in the turns → their entity page (null for placeholders). */
  speakerUrls: Record<string, string | null>;
  /** Speaker name as written → the name shown on the turn: the person's Chinese label when they have a page. */
  speakerLabels: Record<string, string>;
  /** Speaker name → colour slot (0 … SPEAKER_COLORS-1), in order of first turn. */
  speakerColors: Record<string, number>;
  /** Reading time at ~400 characters a minute. */
  readMinutes: number;
  /** Whether the inline (phone) table of contents starts open. */
  tocOpen: boolean;
  /** Plain-text summary, cut for cards and feeds (~120 characters). */
  teaser: string;
  /** Plain-text summary for `<meta name=description>` (~150 characters). */
  description: string;
  /** `2025-10` (or `undated`) and its label: the timeline section this note sits in. */
  month: { key: string; label: string };
  crumbs: Crumb[];
  /** Related notes with what they share with this one (names of common entities, rarest first). */
  relatedNotes: Array<{ title: string; url: SiteUrl; date: string | null; kindLabel: string; shared: string[] }>;
  /** The source's status as readers say it (常青笔记), or null: not a word to show. */
  statusLabel: string | null;
  /** False when the summary only repeats the start of the first section. */
  showSummary: boolean;
  /** Notes that link to this one (wikilinks, embeds, relative links), newest first. */
  backlinks: NoteCard[];
  /** Sizes of the images this note shows, by URL (handed to the markdown filter). */
  media: MediaSizes;
  /** The notes before and after this one in the timeline (older, newer). */
  older: NoteCard | null;
  newer: NoteCard | null;
  /** 本篇涉及, shown under the facts box: per type its first CHIPS_SHOWN entities, the rest behind 「另 N 个」. */
  chipGroups: Array<{ label: string; shown: EntityRef[]; more: EntityRef[] }>;
  /** A raw transcript's summary names who and what it talks about most (its key sentences are the summary text). */
  summaryNames: EntityRef[];
}

/** How many chips of one type 本篇涉及 shows before 「另 N 个」 (a long transcript names a hundred). */
export const CHIPS_SHOWN = 10;

/** A note as a line in a list: title, date, kind. */
export interface NoteCard { title: string; url: SiteUrl; date: string | null; kindLabel: string }

export interface PublishedEntity extends Entity {
  /** Turns this person speaks across all notes. */
  turnCount: number;
  /** Why a note that only declares the entity is listed, in plain words (「标签中列出」, 「笔记信息中列出」). */
  listedLabel: string;
  listedWhy: string;
  /** The newest notes, shown as cards with excerpts; the older ones as a compact list (a company can be named in thousands). */
  recentNotes: EntityNote[];
  olderNotes: EntityNote[];
  typeLabel: string;
  /** One alias worth showing next to the name in directories: the first Chinese one, if any. */
  aliasHint: string | null;
  description: string;
  crumbs: Crumb[];
  /** The entities most strongly co-mentioned with this one, laid out as a graph (null with fewer than two). */
  graph: Graph | null;
  /** /api/entities/<id>.json: the entity, its notes with their excerpts and quotes, and who goes with it. */
  api: ApiEntityDetail;
}

/** One entity in full, for machines: what its page shows, as data. */
export interface ApiEntityDetail extends Omit<ApiEntity, "notes"> {
  role: string | null;
  turns: number;
  mentions: number;
  related: Array<{ id: string; label: string; count: number }>;
  notes: Array<{ id: string; title: string; url: string; date: string | null; mentions: number; turns: number; declared: boolean; spoke: boolean; excerpts: ApiExcerpt[]; quotes: ApiExcerpt[] }>;
}
export interface ApiExcerpt { heading: string; text: string; speaker: string | null; time: number | null; videoUrl: string | null }

export interface Directory {
  type: EntityType;
  label: string;
  /** Placeholder of the filter box, with an example from this directory. */
  filterHint: string;
  url: string;
  entities: PublishedEntity[];
}

export interface ApiNote {
  id: string; url: string; title: string; date: string | null; updated: string | null; kind: NoteKind;
  source: { file: string; url: string | null; entry: number | null };
  aliases: string[];
  authors: string[]; speakers: string[]; people: string[]; companies: string[]; products: string[]; tags: string[]; categories: string[];
  summary: string;
  /** Ids of the notes this one links to, and of those that link to it. */
  links: string[];
  backlinks: string[];
}
export interface ApiEntity { id: string; type: EntityType; name: string; label: string; aliases: string[]; url: string; notes: string[] }

export interface SiteData {
  site: { title: string; description: string; lang: string; url: string; updated: string };
  /** Main navigation; `sections` are the first URL segments that belong to an item (highlighted there). */
  nav: Array<{ url: string; label: string; sections: string[] }>;
  notes: PublishedNote[];
  entities: PublishedEntity[];
  directories: Directory[];
  timeline: Array<{ key: string; label: string; notes: PublishedNote[] }>;
  kinds: Array<{ kind: NoteKind; label: string; count: number }>;
  api: { notes: ApiNote[]; entities: ApiEntity[]; report: BuildReport };
  stats: { notes: number; sources: number; people: number; companies: number; products: number; tags: number };
  /** The search page's facets, in order (src/search/records.ts names the index's filters the same). */
  searchFacets: string[];
  /** /graph/: the most named entities and the links among them, and those links as text, strongest first. */
  graph: { drawing: Graph | null; pairs: Array<{ between: string; count: number }> };
}

/**
 * What an entity's derived records are made of (declared to the render plan, which then
 * combines those properties' hashes instead of hashing the records: an entity's API
 * record repeats every excerpt of its notes). `entityDetail` takes only these
 * properties, so the declaration cannot fall behind what it reads.
 */
const ENTITY_DERIVED = {
  api: ["id", "type", "name", "label", "aliases", "url", "role", "mentionCount", "related", "notes"],
  recentNotes: ["notes"],
  olderNotes: ["notes"],
} as const satisfies Record<string, ReadonlyArray<keyof Entity>>;

/** The fields of a published note that are the note's own: the validated note's and `fieldsOf`'s, where the published note kept them. */
function ownPropsOf(note: Note, own: OwnFields, published: PublishedNote): ReadonlySet<string> {
  const made: Record<string, unknown> = { ...note, ...own };
  const shown = published as unknown as Record<string, unknown>;
  return new Set(Object.keys(made).filter((k) => shown[k] === made[k]));
}

const NO_MEDIA: MediaSizes = Object.freeze({}) as MediaSizes;

/** Status words note tools write, as readers say them; any other status is not shown (it stays in the JSON API). */
const STATUS_LABELS: Record<string, string> = {
  evergreen: "常青笔记", seedling: "初稿", budding: "修订中", draft: "草稿", wip: "写作中", "in progress": "写作中",
  done: "已完成", complete: "已完成", completed: "已完成", published: "已发布", archived: "已归档", review: "待审阅",
  "常青笔记": "常青笔记", "草稿": "草稿", "已完成": "已完成",
};

type OwnFields = Pick<PublishedNote, "statusLabel" | "showSummary" | "kindLabel" | "toc" | "showToc" | "speakerColors" | "readMinutes" | "tocOpen" | "teaser" | "description" | "month" | "crumbs">;
/** What a published note derives from the note alone, by note: `npm start` passes unchanged notes on as the same objects. */
export type FieldsMemo = WeakMap<Note, OwnFields>;

function fieldsOf(note: Note, ownFields: FieldsMemo): OwnFields {
  let f = ownFields.get(note);
  if (f) return f;
  const month = monthKey(note.date);
  const headed = note.sections.filter((s) => s.heading);
  const summary = stripMarkdown(note.summary);
  f = {
    statusLabel: note.details.status ? STATUS_LABELS[note.details.status.trim().toLowerCase()] ?? null : null,
    showSummary: note.summary.trim() !== "" && !summaryRepeats(note),
    kindLabel: NOTE_KIND_LABELS[note.kind],
    toc: headed.map((s) => ({ id: s.id, heading: s.heading })),
    showToc: headed.length > TOC_MIN,
    speakerColors: speakerColors(note),
    readMinutes: Math.max(1, Math.round(note.details.wordCount / 400)),
    tocOpen: headed.length <= TOC_OPEN_MAX,
    teaser: truncate(summary, 120),
    // A note without a summary is described by its opening words, not by the site's blurb
    // (search engines, link cards and the hover previews read this).
    description: truncate(summary || stripMarkdown(note.sections.flatMap((s) => s.blocks).find((b) => b.text.trim())?.text ?? "").replace(/\s+/g, " ").trim(), 150),
    month: { key: month, label: monthLabel(month) },
    crumbs: [{ url: "/timeline/", label: "时间线" }, { url: `/timeline/#m-${month}`, label: monthLabel(month) }],
  };
  ownFields.set(note, f);
  return f;
}

/** Entities in the order of their prominence in a note (`weight`: declared or speaking first, then turns and mentions); ties keep their order. */
function byProminence(list: EntityRef[], weight: Map<string, number> | undefined): EntityRef[] {
  return weight ? [...list].sort((a, b) => (weight.get(b.id) ?? 0) - (weight.get(a.id) ?? 0)) : list;
}

/** The people, companies and products a note names most, for a transcript's summary. */
function mostNamed(links: NoteLinks, weight: Map<string, number> | undefined): EntityRef[] {
  return byProminence([...links.people, ...links.companies, ...links.products], weight).slice(0, 8);
}

/**
 * 本篇涉及: per type, the most prominent first, the rest behind 「另 N 个」. Declared to the
 * render plan by the keys of the references in them (`refKey`, made once per entity):
 * serialising every note's groups was the largest part of checking kept pages.
 */
function chipGroups(links: NoteLinks, weight: Map<string, number> | undefined, refKey: (r: EntityRef) => string): PublishedNote["chipGroups"] {
  const groups = ENTITY_TYPES.flatMap((type) => {
    const all = byProminence(links[TYPE_INFO[type].list], weight);
    return all.length ? [{ label: TYPE_INFO[type].short, shown: all.slice(0, CHIPS_SHOWN), more: all.slice(CHIPS_SHOWN) }] : [];
  });
  return declareKeys(groups, { whole: shortHash(groups.map((g) => `${g.label}:${g.shown.map(refKey).join(",")};${g.more.map(refKey).join(",")}`).join("|"), 22) });
}

const apiExcerpt = (x: Excerpt): ApiExcerpt => ({ heading: x.heading, text: `${x.before}${x.match}${x.after}`, speaker: x.speaker, time: x.time, videoUrl: x.videoUrl });

function entityDetail(e: Pick<Entity, (typeof ENTITY_DERIVED.api)[number]>, turns: number): ApiEntityDetail {
  return {
    id: e.id, type: e.type, name: e.name, label: e.label, aliases: e.aliases, url: e.url, role: e.role,
    turns,
    mentions: e.mentionCount,
    related: e.related.map((r) => ({ id: r.id, label: r.label, count: r.count })),
    notes: e.notes.map((x) => ({ id: x.id, title: x.title, url: x.url, date: x.date, mentions: x.count, turns: x.turns, declared: x.declared, spoke: x.spoke, excerpts: x.excerpts.map(apiExcerpt), quotes: x.quotes.map(apiExcerpt) })),
  };
}

function monthKey(date: string | null): string {
  return date ? date.slice(0, 7) : "undated";
}

/** Each speaker a colour slot, in order of first appearance (wrapping after SPEAKER_COLORS). */
export function speakerColors(note: Note): Record<string, number> {
  const out: Record<string, number> = {};
  let next = 0;
  for (const s of note.sections) for (const b of s.blocks) {
    if (b.type === "turn" && !(b.speaker in out)) out[b.speaker] = next++ % SPEAKER_COLORS;
  }
  return out;
}

function monthLabel(key: string): string {
  if (key === "undated") return "未注明日期";
  const [y, m] = key.split("-");
  return `${y} 年 ${Number(m)} 月`;
}

/** What the site is called and where it is published (the build context's `site`). */
export interface SiteSettings { title: string; url: string }

export const DEFAULT_SITE: SiteSettings = { title: "AI 内参知识库", url: "http://localhost:8080" };

export function buildSiteData(result: PipelineResult, site: SiteSettings = DEFAULT_SITE, memo: FieldsMemo = new WeakMap()): SiteData {
  const index = result.index;
  const entityRefs = (l: NoteLinks) => [...l.people, ...l.companies, ...l.products, ...l.tags];
  // Each entity's names in lower case, and its rank for "what two notes share" (rarest
  // first, then by name): computed once, not per note (~40 entities × 5,000 notes).
  const lowerNames = new Map(index.entities.map((e) => [e.id, [e.name, ...e.aliases].map((a) => a.toLowerCase())]));
  const shareRank = new Map([...index.entities].sort((a, b) => a.notes.length - b.notes.length || ZH.compare(a.name, b.name)).map((e, i) => [e.id, i]));
  // How prominent each entity is in each note: declared or speaking, then turns and mentions.
  const prominence = new Map<string, Map<string, number>>();
  for (const e of index.entities) for (const x of e.notes) {
    let m = prominence.get(x.id);
    if (!m) prominence.set(x.id, (m = new Map()));
    m.set(e.id, (x.declared || x.spoke ? 100_000 : 0) + x.turns + x.count);
  }
  // An entity reference's key, by object (a note's links share them): what chip groups are declared by.
  const refKeys = new Map<EntityRef, string>();
  const refKey = (r: EntityRef): string => {
    let k = refKeys.get(r);
    if (k === undefined) refKeys.set(r, (k = shortHash(JSON.stringify(r), 16)));
    return k;
  };
  let ownProps: ReadonlySet<string> | null = null;
  const notes: PublishedNote[] = result.notes.map((note) => {
    const links = index.links.get(note.id)!;
    const declared = new Set([...note.people, ...note.companies, ...note.products].map((n) => n.toLowerCase()));
    const declaredNames: string[] = [];
    if (declared.size) {
      for (const r of [...links.people, ...links.companies, ...links.products]) {
        if (lowerNames.get(r.id)?.some((a) => declared.has(a))) declaredNames.push(r.name);
      }
    }
    // Each speaker as written, with their entity (links.speakers is in the same order), or null for a placeholder.
    const speakers = note.speakers.map((name, i): [string, EntityRef | null] => {
      const ref = links.speakers[i];
      return [name, ref && ref.id !== null ? ref : null];
    });
    const own = fieldsOf(note, memo);
    const published: PublishedNote = {
      ...note,
      ...own,
      links,
      speakerUrls: Object.fromEntries(speakers.map(([name, ref]) => [name, ref ? ref.url : null])),
      speakerLabels: Object.fromEntries(speakers.map(([name, ref]) => [name, ref ? ref.label : name])),
      declaredNames,
      relatedNotes: [],
      backlinks: [],
      media: result.media.get(note.id) ?? NO_MEDIA,
      older: null,
      newer: null,
      chipGroups: chipGroups(links, prominence.get(note.id), refKey),
      summaryNames: note.kind === "transcript" ? mostNamed(links, prominence.get(note.id)) : [],
    };
    // The note's own fields (the validated note, and what `fieldsOf` makes of it alone) change
    // only with its content key: the render plan compares that key instead of hashing them.
    const key = result.noteKeys.get(note.id);
    if (key === undefined) return published;
    // Which fields those are is the same for every note (the literal above sets the rest): found once.
    ownProps ??= ownPropsOf(note, own, published);
    return declareKeys(published, { key, props: ownProps });
  });
  const noteById = new Map(notes.map((n) => [n.id, n]));
  // Each note's entities rarest first, sorted once per note rather than once per card that shows them.
  const rarestFirst = new Map<PublishedNote, EntityRef[]>();
  const ranked = (n: PublishedNote) => {
    let list = rarestFirst.get(n);
    if (!list) rarestFirst.set(n, (list = entityRefs(n.links).sort((a, b) => shareRank.get(a.id)! - shareRank.get(b.id)!)));
    return list;
  };
  for (const n of notes) {
    if (!n.links.related.length) continue;
    const mine = new Set(entityRefs(n.links).map((r) => r.id));
    n.relatedNotes = n.links.related.flatMap((r) => {
      const other = noteById.get(r.id);
      if (!other) return [];
      // What the two share, rarest first: the first four distinct labels.
      const shared = new Set<string>();
      for (const e of ranked(other)) if (mine.has(e.id) && shared.add(e.label).size === 4) break;
      return [{ title: r.title, url: r.url, date: r.date, kindLabel: other.kindLabel, shared: [...shared] }];
    });
  }
  notes.sort(byDateDesc);
  const card = (m: PublishedNote): NoteCard => ({ title: m.title, url: m.url, date: m.date, kindLabel: m.kindLabel });
  notes.forEach((n, i) => {
    n.newer = i > 0 ? card(notes[i - 1]!) : null;
    n.older = i + 1 < notes.length ? card(notes[i + 1]!) : null;
  });
  const backlinkIds = new Map<string, string[]>();
  for (const n of notes) {
    const from = result.backlinks.get(n.id);
    if (!from) continue;
    const set = new Set(from);
    const linking = notes.filter((m) => set.has(m.id));
    backlinkIds.set(n.id, linking.map((m) => m.id));
    n.backlinks = linking.map((m) => ({ title: m.title, url: m.url, date: m.date, kindLabel: m.kindLabel }));
  }

  const entities: PublishedEntity[] = index.entities.map((e) => {
    // The entity's notes are what the linker's key for them names: the render plan compares
    // that key instead of serialising every excerpt.
    const whole = index.notesKeys.get(e.notes);
    if (whole !== undefined) declareKeys(e.notes, { whole });
    const turnCount = e.notes.reduce((n, x) => n + x.turns, 0);
    const published: PublishedEntity = {
      ...e,
      typeLabel: TYPE_LABELS[e.type],
      turnCount,
      listedLabel: TYPE_INFO[e.type].listedIn,
      listedWhy: e.type === "tag" ? `这篇笔记的标签中有「${e.label}」。` : `这篇笔记的信息栏（作者、嘉宾或涉及的${TYPE_INFO[e.type].short}）列出了${e.label}，正文没有直接提到。`,
      aliasHint: e.label !== e.name ? e.name : (e.shownAliases.find((a) => /\p{Script=Han}/u.test(a)) ?? null),
      description: `${e.label}${e.label !== e.name ? `（${e.name}）` : ""}${e.role ? `，${e.role}` : ""}：${e.notes.length} 篇笔记提及${e.notes.length ? `，最近一篇：${e.notes[0]!.title}` : ""}`,
      crumbs: [{ url: `/${TYPE_PATHS[e.type]}/`, label: TYPE_LABELS[e.type] }],
      recentNotes: e.notes.slice(0, EXCERPTED_NOTES),
      olderNotes: e.notes.slice(EXCERPTED_NOTES),
      graph: egoGraph(e, index.byId),
      api: entityDetail(e, turnCount),
    };
    return declareKeys(published, { derived: ENTITY_DERIVED });
  });
  const drawing = siteGraph(index.entities);
  const directories: Directory[] = ENTITY_TYPES.map((type) => ({
    type,
    label: TYPE_LABELS[type],
    filterHint: "",
    url: `/${TYPE_PATHS[type]}/`,
    entities: entities.filter((e) => e.type === type).sort((a, b) => b.notes.length - a.notes.length || b.mentionCount - a.mentionCount || ZH.compare(a.name, b.name)),
  }));

  for (const d of directories) {
    const top = d.entities[0];
    d.filterHint = top ? `输入名称或别名，如：${top.aliasHint ?? top.name}` : "输入名称或别名";
  }

  const months = new Map<string, PublishedNote[]>();
  for (const n of notes) {
    const list = months.get(n.month.key);
    if (list) list.push(n);
    else months.set(n.month.key, [n]);
  }
  const timeline = [...months].map(([key, list]) => ({ key, label: monthLabel(key), notes: list }));

  const api = {
    notes: notes.map((n): ApiNote => ({
      id: n.id, url: n.url, title: n.title, date: n.date, updated: n.updated, kind: n.kind,
      source: { file: n.source.file, url: n.source.url, entry: n.source.entry },
      aliases: n.aliases,
      categories: n.categories,
      authors: n.links.authors.map((a) => a.name),
      speakers: n.links.speakers.map((s) => s.name),
      people: n.links.people.map((r) => r.name),
      companies: n.links.companies.map((r) => r.name),
      products: n.links.products.map((r) => r.name),
      tags: n.links.tags.map((r) => r.name),
      summary: n.summary,
      links: result.outlinks.get(n.id) ?? [],
      backlinks: backlinkIds.get(n.id) ?? [],
    })),
    entities: index.entities.map((e): ApiEntity => ({ id: e.id, type: e.type, name: e.name, label: e.label, aliases: e.aliases, url: e.url, notes: e.notes.map((x) => x.id) })),
    report: result.report,
  };
  const count = (t: EntityType) => directories.find((d) => d.type === t)!.entities.length;
  return {
    site: {
      title: site.title,
      description: "AI 行业访谈、演讲与文摘的中文知识库：按人物、公司、产品与标签浏览和搜索。",
      lang: "zh-CN",
      url: site.url.replace(/\/$/, ""),
      /** The newest note date: the feed's `updated`, and the stand-in for undated entries. */
      updated: notes.find((n) => n.date)?.date ?? "1970-01-01",
    },
    nav: [
      { url: "/timeline/", label: "时间线", sections: ["timeline", "notes"] },
      ...directories.map((d) => ({ url: d.url, label: TYPE_INFO[d.type].short, sections: [TYPE_PATHS[d.type]] })),
    ],
    notes,
    entities,
    directories,
    timeline,
    kinds: NOTE_KINDS.map((kind) => ({ kind, label: NOTE_KIND_LABELS[kind], count: notes.filter((n) => n.kind === kind).length })).filter((k) => k.count > 0),
    api,
    graph: { drawing, pairs: drawing ? [...drawing.edges].sort((a, b) => b.count - a.count || (a.between < b.between ? -1 : 1)).slice(0, 40).map((e) => ({ between: e.between, count: e.count })) : [] },
    searchFacets: SEARCH_FACETS,
    stats: { notes: notes.length, sources: result.report.inputs.length, people: count("person"), companies: count("company"), products: count("product"), tags: count("tag") },
  };
}
