/**
 * Notes + registry → the entity index: one entity per real-world person, company,
 * product or tag, the notes that name it (declared in metadata, mentioned in the
 * text, or speaking), excerpts of where, and which entities travel with it.
 */
import { createHash, type Hash } from "node:crypto";
import { proseText } from "../ingest/markup.ts";
import { isPlaceholderSpeaker, labelShape } from "../ingest/speakers.ts";
import { type Note, type NoteId, type NoteKind, type SiteUrl, siteUrl } from "../note.ts";
import { byDateDesc, shortHash, simplifiedTable, slugify, SlugRegistry, stripMarkdown, summaryRepeats, ZH } from "../text.ts";
import { toSimplified } from "../search/query.js";
import { type AliasSpec, Matcher } from "./detect.ts";
import type { MatchMemo, SpecKey } from "./memo.ts";
import { ENTITY_TYPES, type EntityType, foldName, type Registry, TYPE_INFO } from "./registry.ts";

/** `name` is the canonical name (the API's, the search facets'); `label` what readers see first (黄仁勋 for Jensen Huang). */
/** An entity's id, `type/slug` (`person/jensen-huang`): its page and its JSON file are named by it. */
export type EntityId = `${EntityType}/${string}` & { readonly __brand: "EntityId" };
/** The id of the entity of `type` whose (unique per type) slug is `slug`. */
export function entityId(type: EntityType, slug: string): EntityId {
  if (!slug || slug.includes("/")) throw new Error(`not an entity slug: ${JSON.stringify(slug)}`);
  return `${type}/${slug}` as EntityId;
}

export interface EntityRef { id: EntityId; type: EntityType; name: string; label: string; url: SiteUrl }
/** A name shown as plain text because it names no entity (placeholder speakers, unknown authors). */
export interface NameOnly { id: null; name: string; label: string }

export interface Excerpt {
  sectionId: string | null;
  heading: string;
  before: string;
  match: string;
  after: string;
  /** Seconds into the recording, when the passage is timed. */
  time: number | null;
  /** The source video at that moment (`…&t=1526s`), when there is one. */
  videoUrl: string | null;
  speaker: string | null;
}

export interface EntityNote {
  id: NoteId;
  title: string;
  url: SiteUrl;
  date: string | null;
  kind: NoteKind;
  /** Mentions in the text (title, summary, sections, turns). */
  count: number;
  /** Turns this person speaks in the note (0 for others). */
  turns: number;
  declared: boolean;
  spoke: boolean;
  excerpts: Excerpt[];
  quotes: Excerpt[];
}

export interface Entity extends EntityRef {
  /** Every alias (matched and searched). */
  aliases: string[];
  /** The aliases worth showing: not hidden, not a spelling variant of one already shown, not the label or name. */
  shownAliases: string[];
  /** One line on who or what this is, from the registry. */
  role: string | null;
  registered: boolean;
  /** Newest first; undated last. */
  notes: EntityNote[];
  mentionCount: number;
  related: Array<EntityRef & { count: number }>;
}

export interface NoteLinks {
  people: EntityRef[];
  companies: EntityRef[];
  products: EntityRef[];
  tags: EntityRef[];
  speakers: Array<EntityRef | NameOnly>;
  authors: Array<EntityRef | NameOnly>;
  /** Related notes, most related first; without their scores, which no page shows and which shift a little with every note added (each shift re-rendered pages for nothing). */
  related: Array<{ id: NoteId; title: string; url: SiteUrl; date: string | null }>;
}

export interface EntityIndex {
  entities: Entity[];
  byId: Map<EntityId, Entity>;
  links: Map<NoteId, NoteLinks>;
  /** Hash of every alias the matcher knows: mentions cached under another hash are stale. */
  matcherHash: string;
  /**
   * Each entity's list of notes (`Entity.notes`) as a key of what made it: per entry its
   * note's fields, the stamps of its excerpts and quotes, its counts. Equal keys,
   * equal lists. Absent for a list with an entry whose note's matches were not memoised.
   * Site data declares these to the render plan, which then compares a key instead of
   * serialising every excerpt (200,000 entries at 5,000 notes).
   */
  notesKeys: WeakMap<readonly EntityNote[], string>;
}

export const TYPE_PATHS = Object.fromEntries(ENTITY_TYPES.map((t) => [t, TYPE_INFO[t].path])) as Record<EntityType, string>;
export const TYPE_LABELS = Object.fromEntries(ENTITY_TYPES.map((t) => [t, TYPE_INFO[t].label])) as Record<EntityType, string>;

const EXCERPTS_PER_NOTE = 3;
/** Related notes per note, and how many of its rarest entities find them. */
const RELATED_NOTES = 5;
const RELATED_BY = 12;
/** How many of an entity's newest notes show excerpts on its page. */
export const EXCERPTED_NOTES = 30;
const CONTEXT_BEFORE = 36;
const CONTEXT_AFTER = 64;
/** The excerpts of notes past EXCERPTED_NOTES: one shared, frozen empty list. */
const NONE: Excerpt[] = Object.freeze([]) as unknown as Excerpt[];

interface Draft {
  key: string;
  type: EntityType;
  name: string;
  aliases: Set<string>;
  exact: boolean;
  registered: boolean;
  /** From the registry: aliases that are ordinary words, phrases that are not mentions, context words. */
  common?: Set<string>;
  not?: string[];
  context?: string[];
  zh?: string;
  role?: string;
  hidden?: Set<string>;
}

/** Traditional → simplified, to tell which Han alias a mainland reader writes (the table search folds with). */
const simplified = (s: string): string => toSimplified(s, simplifiedTable());

/** What readers see first: the registry's `zh`, else the first simplified Han alias (黄仁勋, 英伟达, 微软), else the name. */
function labelOf(d: Draft): string {
  if (d.zh) return d.zh;
  if (d.registered && d.type !== "product" && d.type !== "tag") {
    const han = [...d.aliases].find((a) => /^[\p{Script=Han}·・]+$/u.test(a) && simplified(a) === a && !d.hidden?.has(foldName(a)) && !d.common?.has(foldName(a)));
    if (han) return han;
  }
  return d.name;
}

/** A spelling's key for telling variants apart: no dots or spaces, simplified, lower case (山姆·奥特曼 = 山姆奥特曼 = 山姆・奧特曼). */
const variantKey = (s: string) => simplified(s.normalize("NFKC")).replace(/[·・•.\s\-_]/g, "").toLowerCase();

function shownAliasesOf(d: Draft, label: string): string[] {
  const seen = new Set([variantKey(label), variantKey(d.name)]);
  const out: string[] = [];
  for (const a of d.aliases) {
    if (d.hidden?.has(foldName(a))) continue;
    const k = variantKey(a);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(a);
  }
  return out;
}

/** The matcher's specs for the registered entities alone (what tests and tools match with). */
export function registrySpecs(registry: Registry): AliasSpec[] {
  return registry.filter((e) => e.type !== "tag").flatMap((e) => {
    const d = draftOf(e);
    return [e.name, ...e.aliases].map((alias) => specOf(d, alias));
  });
}

function draftOf(e: Registry[number]): Draft {
  return {
    key: `${e.type}:${foldName(e.name)}`, type: e.type, name: e.name, aliases: new Set(), exact: e.case === "exact", registered: true,
    common: new Set(e.common.map(foldName)), not: e.not, context: e.context.map((w) => w.normalize("NFKC").toLowerCase()),
    ...(e.zh ? { zh: e.zh } : {}), ...(e.role ? { role: e.role } : {}), hidden: new Set(e.hidden.map(foldName)),
  };
}

function specOf(d: Draft, alias: string): AliasSpec {
  return { alias, entityKey: d.key, exactCase: d.exact, weak: d.registered && isWeakAlias(d, alias), product: d.type === "product", not: d.not ?? [] };
}

/** An alias needs evidence when it is a Latin name that is also a word (`case: exact`), three letters or fewer, or listed `common`. */
function isWeakAlias(d: Draft, alias: string): boolean {
  if (d.common?.has(foldName(alias))) return true;
  if (!/^[\p{Script=Latin}\d .&'’-]+$/u.test(alias)) return false;
  return d.exact || alias.replace(/[^A-Za-z]/g, "").length <= 3;
}

/** A link to the moment `seconds` into the source video, for YouTube and Bilibili. */
export function videoAt(url: string | null, seconds: number | null): string | null {
  if (!url || seconds === null) return null;
  if (!/^https?:\/\/(?:www\.|m\.)?(?:youtube\.com|youtu\.be|bilibili\.com)\//i.test(url)) return null;
  const clean = url.replace(/([?&])t=\d+s?(&|$)/, "$1").replace(/[?&]$/, "");
  return `${clean}${clean.includes("?") ? "&" : "?"}t=${seconds}s`;
}

function excerptOf(text: string, start: number, end: number): Pick<Excerpt, "before" | "match" | "after"> {
  const before = text.slice(Math.max(0, start - CONTEXT_BEFORE), start);
  const after = text.slice(end, end + CONTEXT_AFTER);
  return {
    before: (start > CONTEXT_BEFORE ? "…" : "") + before,
    match: text.slice(start, end),
    after: after + (end + CONTEXT_AFTER < text.length ? "…" : ""),
  };
}

interface TextUnit { text: string; sectionId: string | null; heading: string; time: number | null; speaker: string | null }

function unitsOf(note: Note): TextUnit[] {
  const units: TextUnit[] = [{ text: note.title, sectionId: null, heading: "标题", time: null, speaker: null }];
  // A summary cut from the opening text says nothing the text does not: its names would count twice.
  if (!summaryRepeats(note)) units.push({ text: proseText(note.summary, stripMarkdown), sectionId: null, heading: "摘要", time: null, speaker: null });
  for (const s of note.sections) {
    const time = s.time?.start ?? null;
    if (s.heading) units.push({ text: s.heading, sectionId: s.id, heading: s.heading, time, speaker: null });
    for (const b of s.blocks) {
      const speaker = b.type === "turn" ? b.speaker : null;
      const at = b.time ?? time;
      units.push({ text: proseText(b.text, stripMarkdown), sectionId: s.id, heading: s.heading, time: at, speaker });
    }
  }
  return units;
}

/** What counts as evidence for a weak alias in a note (see detect.ts and the registry's header). */
export interface Evidence {
  /** Entities the note declares in its metadata, or that speak in it. */
  declared: Set<string>;
  /** Entity key → its `context` words, folded. */
  context: Map<string, string[]>;
}

/** A weak name needs evidence: the entity named strongly, declared, its context words, or (not for people) two other entities named strongly. */
function keepWeak(key: string, strong: Set<string>, evidence: Evidence, folded: () => string): boolean {
  if (strong.has(key) || evidence.declared.has(key)) return true;
  // A note about the field is evidence for a company or a product, not for a person known by a
  // common first name (大卫): many people share it.
  let others = 0;
  if (!key.startsWith("person:")) for (const k of strong) if (k !== key && ++others >= 2) return true;
  const words = evidence.context.get(key);
  return words !== undefined && words.some((w) => folded().includes(w));
}

/** Where a note's text names an entity: mention count and the first excerpts, per entity key. */
export interface TextMatches {
  /** `stamp`: a hash of the count and excerpts (set when the matches are memoised, as below). */
  hits: Map<string, { count: number; excerpts: Excerpt[]; stamp?: string }>;
  /**
   * Every speaker turn as a quote, with the speaker's folded name (who said it is resolved per
   * build) and how substantive it is: long, and naming other entities, scores high; small talk low.
   */
  turns: Array<{ folded: string; quote: Excerpt; score: number; stamp?: string }>;
  /** Pairs of entities named in the same passage, and in how many passages. */
  together: Array<[string, string, number]>;
  /** Set when memoised (`stampMatches`): every hit and turn has a stamp of its content, which names it from one build to the next. */
  stamped?: true;
}

/**
 * Stamp each hit and turn with a hash of its content, once, when a note's matches are
 * memoised (the memo stores the stamps with them): entity lists are named by these
 * (EntityIndex.notesKeys), so later builds compare stamps instead of serialising excerpts.
 */
function stampMatches(text: TextMatches): TextMatches {
  for (const h of text.hits.values()) h.stamp = shortHash(JSON.stringify([h.count, h.excerpts]), 16);
  for (const t of text.turns) t.stamp = shortHash(JSON.stringify(t.quote), 16);
  text.stamped = true;
  return text;
}

/** How much a turn says: its length (up to 800 characters) and the other entities it names. */
function turnScore(text: string, named: number): number {
  return Math.min(text.length, 800) / 80 + 3 * named;
}

/** A note's passages as one text, folded as the matcher sees it (NFKC, lower case): what a new alias is looked for in. */
function foldedText(units: TextUnit[]): string {
  return units.map((u) => u.text.normalize("NFKC").toLowerCase()).join("\n");
}

/** Match every passage of `note` (title, summary, headings, blocks). */
function matchText(note: Note, matcher: Matcher, evidence: Evidence): TextMatches {
  const hits: TextMatches["hits"] = new Map();
  const units = unitsOf(note);
  const found = units.map((unit) => matcher.find(unit.text));
  const strong = new Set<string>();
  for (const list of found) for (const m of list) if (!m.weak) strong.add(m.entityKey);
  let all: string | null = null;
  const noteText = () => (all ??= foldedText(units));
  const kept = new Map<string, boolean>();
  const pairs = new Map<string, Map<string, number>>();
  units.forEach((unit, u) => {
    // One excerpt per passage and entity: `Jensen（黄仁勋）` is one place, not two.
    const excerpted = new Set<string>();
    for (const m of found[u]!) {
      if (m.weak) {
        let keep = kept.get(m.entityKey);
        if (keep === undefined) kept.set(m.entityKey, (keep = keepWeak(m.entityKey, strong, evidence, noteText)));
        if (!keep) continue;
      }
      let hit = hits.get(m.entityKey);
      if (!hit) hits.set(m.entityKey, (hit = { count: 0, excerpts: [] }));
      hit.count++;
      if (hit.excerpts.length < EXCERPTS_PER_NOTE && !excerpted.has(m.entityKey)) {
        excerpted.add(m.entityKey);
        const cut = excerptOf(unit.text, m.start, m.end);
        // The same words twice (a summary made of the opening text, a repeated paragraph) are one excerpt.
        if (!hit.excerpts.some((x) => x.before === cut.before && x.match === cut.match && x.after === cut.after)) {
          hit.excerpts.push({ sectionId: unit.sectionId, heading: unit.heading, ...cut, time: unit.time, videoUrl: videoAt(note.source.url, unit.time), speaker: unit.speaker });
        }
      }
    }
    const here = [...new Set(found[u]!.filter((m) => !m.weak || kept.get(m.entityKey) === true).map((m) => m.entityKey))].sort();
    for (let i = 0; i < here.length; i++) {
      let row = pairs.get(here[i]!);
      if (!row) pairs.set(here[i]!, (row = new Map()));
      for (let j = i + 1; j < here.length; j++) row.set(here[j]!, (row.get(here[j]!) ?? 0) + 1);
    }
  });
  const turns: TextMatches["turns"] = [];
  units.forEach((unit, u) => {
    if (unit.speaker === null) return;
    const speaker = foldName(unit.speaker);
    const named = new Set(found[u]!.map((m) => m.entityKey)).size;
    const text = unit.text;
    turns.push({ folded: speaker, score: turnScore(text, named), quote: { sectionId: unit.sectionId, heading: unit.heading, before: "", match: "", after: text.length > 140 ? `${text.slice(0, 140)}…` : text, time: unit.time, videoUrl: videoAt(note.source.url, unit.time), speaker: unit.speaker } });
  });
  const together = [...pairs].flatMap(([a, row]) => [...row].map(([b, n]) => [a, b, n] as [string, string, number]));
  return { hits, turns, together };
}

export interface LinkOptions {
  /** Keeps each note's text matches between builds (`npm start`): only new or changed notes are matched again. */
  memo?: MatchMemo;
  /** Note id → a key that changes whenever the note's content does (its source's parse key): what `memo` is keyed by. */
  keys?: Map<string, string>;
}

/**
 * Notes → the entity index, in named stages: the registry's drafts (and every alias they
 * claim) → what each note declares → the matcher of every alias known then → mentions in
 * the text → identity (slugs, ids, labels) → each entity's notes and each note's links →
 * related entities → related notes.
 */
export function buildEntityIndex(notes: Note[], registry: Registry, options: LinkOptions = {}): EntityIndex {
  const drafts = new Drafts(registry);
  const places = declaredPlaces(notes, drafts);
  const mentions = mentionMatcher(drafts);
  const together = matchMentions(notes, places, drafts, mentions, options);
  const entities = identify(drafts, places);
  const memo = options.keys ? options.memo : undefined;
  const { links, co, notesKeys } = attachNotes(notes, places, entities, together, options);
  const list = [...entities.values()];
  const byId = new Map(list.map((e) => [e.id, e]));
  relateEntities(list, byId, co);
  // Related notes (relatedNotes below), kept as the same objects for `npm start` where unchanged.
  const relatedOf = relatedNotes(notes, list, (id) => [...places.hits.get(id)!].map(([k, h]) => [entities.get(k)!, h] as [Entity, Place]));
  for (const note of notes) {
    const made = links.get(note.id)!;
    made.related = relatedOf.get(note.id)!;
    const noteKey = options.keys?.get(note.id);
    if (memo && noteKey !== undefined) links.set(note.id, memo.noteLinks(noteKey, made));
  }
  return { entities: list, byId, links, matcherHash: mentions.matcherHash, notesKeys };
}

/**
 * Stage 1. The registry's entities, as drafts keyed `type:folded name`, and which draft owns
 * each folded alias (the first to claim it). Declared names are resolved against them and
 * become drafts of their own when no alias owns them.
 */
export class Drafts {
  readonly byKey = new Map<string, Draft>();
  private readonly owner = new Map<string, string>();

  constructor(registry: Registry) {
    for (const e of registry) {
      const d = draftOf(e);
      this.byKey.set(d.key, d);
      // A tag entry names a tag in Chinese; tags are declared, never matched, so it claims no alias.
      if (e.type === "tag") continue;
      this.claim(d, e.name);
      for (const a of e.aliases) this.claim(d, a);
    }
  }

  private claim(d: Draft, alias: string): void {
    const f = foldName(alias);
    if (!f || this.owner.has(f)) return;
    this.owner.set(f, d.key);
    d.aliases.add(alias);
  }

  /** The draft that owns an alias (folded with foldName), if any. */
  ownerOf(folded: string): Draft | undefined {
    const key = this.owner.get(folded);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  /** Resolve a declared name: any registered alias wins, whatever field it came from. */
  resolve(name: string, type: EntityType): Draft {
    const f = foldName(name);
    const owner = this.ownerOf(f);
    if (owner && type !== "tag") return owner;
    const key = `${type}:${f}`;
    let d = this.byKey.get(key);
    if (!d) {
      d = { key, type, name: name.trim(), aliases: new Set(), exact: true, registered: false };
      this.byKey.set(key, d);
      if (type !== "tag") this.claim(d, name.trim());
    } else if (type === "tag") d.aliases.add(name.trim());
    return d;
  }
}

/** How an entity (by draft key) figures in one note, as the stages find it. */
interface Hit {
  count: number; declared: boolean; spoke: boolean; excerpts: Excerpt[]; quotes: Excerpt[]; turns: number;
  /** When the note's matches are memoised: the stamps of this entity's excerpts and of the quotes taken. */
  made?: string;
}

/** Per note: its hits by draft key, and its speakers and authors (a draft, or a name that is no entity). */
export interface Places {
  hits: Map<NoteId, Map<string, Hit>>;
  speakers: Map<NoteId, Array<Draft | string>>;
  authors: Map<NoteId, Array<Draft | string>>;
}

function hitFor(places: Places, noteId: NoteId, key: string): Hit {
  let m = places.hits.get(noteId);
  if (!m) places.hits.set(noteId, (m = new Map()));
  let h = m.get(key);
  if (!h) m.set(key, (h = { count: 0, declared: false, spoke: false, excerpts: [], quotes: [], turns: 0 }));
  return h;
}

/** Stage 2. What each note's metadata declares, who speaks in it, who wrote it. */
export function declaredPlaces(notes: Note[], drafts: Drafts): Places {
  const places: Places = { hits: new Map(), speakers: new Map(), authors: new Map() };
  for (const note of notes) {
    places.hits.set(note.id, new Map());
    const declare = (names: string[], type: EntityType) => names.forEach((n) => (hitFor(places, note.id, drafts.resolve(n, type).key).declared = true));
    declare(note.people, "person");
    declare(note.companies, "company");
    declare(note.products, "product");
    declare(note.tags, "tag");
    declare(note.categories, "tag");
    places.speakers.set(note.id, note.speakers.map((s) => {
      // Only a speaker whose label passes the name test gets a person page (not `SPEAKER_00`, `INV`, 主持人).
      if (isPlaceholderSpeaker(s) || labelShape(s) === null) return s;
      const d = drafts.resolve(s, "person");
      hitFor(places, note.id, d.key).spoke = true;
      return d;
    }));
    places.authors.set(note.id, note.authors.map((a) => {
      const owner = drafts.ownerOf(foldName(a));
      if (!owner) return a;
      hitFor(places, note.id, owner.key).declared = true;
      return owner;
    }));
  }
  return places;
}

/** The matcher of every alias known after stage 2, and what decides its matches. */
export interface MentionMatcher {
  matcher: Matcher;
  /** Entity key → its `context` words, folded. */
  contextWords: Map<string, string[]>;
  specs: AliasSpec[];
  /** Per spec, everything that decides a match (MatchMemo re-matches notes a changed rule touches). */
  specKeys: string[];
  /** Hash of every spec key: mentions stored under another hash are stale. */
  matcherHash: string;
}

/** Stage 3. Every alias known now (registry + declared names) as the matcher's specs. */
export function mentionMatcher(drafts: Drafts): MentionMatcher {
  const specs: AliasSpec[] = [];
  for (const d of drafts.byKey.values()) {
    if (d.type === "tag") continue;
    for (const alias of d.aliases) {
      // Unregistered names (declared in some file's front-matter) only match as written,
      // and only when specific enough: a capitalised Latin name of 4+ letters, or 3+ Han
      // characters — so a file declaring `数据` or `ai` cannot tag every note.
      if (!d.registered && !(/[A-Za-z]/.test(alias) ? /^[A-Z0-9]/.test(alias) && alias.length >= 4 : Array.from(alias).length >= 3)) continue;
      specs.push(specOf(d, alias));
    }
  }
  const contextWords = new Map([...drafts.byKey.values()].filter((d) => d.context?.length).map((d) => [d.key, d.context!]));
  const specKeys = specs.map((s) => JSON.stringify({ alias: s.alias, entityKey: s.entityKey, exactCase: s.exactCase, weak: s.weak === true, not: s.not ?? [], context: contextWords.get(s.entityKey) ?? [] } satisfies SpecKey));
  return { matcher: new Matcher(specs), contextWords, specs, specKeys, matcherHash: shortHash([...specKeys].sort().join("\n"), 16) };
}

/**
 * Stage 4. Mentions in every note's text (counts and excerpts), and what each person said
 * (their most substantive turns, as quotes), added to the notes' hits. Stored matches are
 * used where still exact (MatchMemo). Returns, per note, the pairs of entities named in
 * one passage.
 */
export function matchMentions(notes: Note[], places: Places, drafts: Drafts, mentions: MentionMatcher, options: LinkOptions = {}): Map<NoteId, TextMatches["together"]> {
  const memo = options.keys ? options.memo : undefined;
  const together = new Map<NoteId, TextMatches["together"]>();
  memo?.begin(mentions.matcherHash, mentions.specs, mentions.specKeys);
  for (const note of notes) {
    const key = options.keys?.get(note.id);
    const hits = places.hits.get(note.id)!;
    const declaredKeys = [...hits].filter(([, h]) => h.declared || h.spoke).map(([k]) => k);
    const declaredSig = memo ? [...declaredKeys].sort().join("\n") : "";
    let text = key !== undefined ? memo?.get(key, declaredSig, () => foldedText(unitsOf(note))) : undefined;
    if (!text) {
      text = matchText(note, mentions.matcher, { declared: new Set(declaredKeys), context: mentions.contextWords });
      if (key !== undefined && memo) memo.set(key, declaredSig, stampMatches(text));
    }
    together.set(note.id, text.together);
    for (const [entityKey, t] of text.hits) {
      const hit = hitFor(places, note.id, entityKey);
      hit.count += t.count;
      hit.excerpts = t.excerpts;
    }
    // What a person said themselves: their most substantive turns, in the order they were said.
    // `at`: the turn's position in the note, which orders the candidates and names their stamps.
    const candidates = new Map<Hit, Array<{ quote: Excerpt; score: number; at: number }>>();
    text.turns.forEach((t, at) => {
      const owner = drafts.ownerOf(t.folded)?.key ?? drafts.byKey.get(`person:${t.folded}`)?.key;
      if (!owner) return;
      const hit = hitFor(places, note.id, owner);
      hit.turns++;
      let list = candidates.get(hit);
      if (!list) candidates.set(hit, (list = []));
      list.push({ quote: t.quote, score: t.score, at });
    });
    const quoteStamps = new Map<Hit, string>();
    for (const [hit, list] of candidates) {
      const taken = [...list].sort((a, b) => b.score - a.score || a.at - b.at).slice(0, EXCERPTS_PER_NOTE).sort((a, b) => a.at - b.at);
      hit.quotes = taken.map((c) => c.quote);
      if (text.stamped) quoteStamps.set(hit, taken.map((c) => text.turns[c.at]!.stamp).join(","));
    }
    if (text.stamped) for (const [k, hit] of hits) hit.made = `${text.hits.get(k)?.stamp ?? "-"} ${quoteStamps.get(hit) ?? ""}`;
  }
  if (memo && options.keys) memo.retain(new Set(options.keys.values()));
  return together;
}

/** Stage 5. Identity of every draft some note names: slugs unique per type, ids `type/slug`, labels, shown aliases. */
export function identify(drafts: Drafts, places: Places): Map<string, Entity> {
  const slugs = Object.fromEntries(ENTITY_TYPES.map((t) => [t, new SlugRegistry()])) as Record<EntityType, SlugRegistry>;
  const entities = new Map<string, Entity>();
  const used = new Set<string>();
  for (const hits of places.hits.values()) for (const k of hits.keys()) used.add(k);
  const ordered = [...drafts.byKey.values()].filter((d) => used.has(d.key)).sort((a, b) => a.key.localeCompare(b.key));
  for (const d of ordered) {
    const slug = slugs[d.type].claim(slugify(d.name));
    const label = labelOf(d);
    entities.set(d.key, {
      id: entityId(d.type, slug),
      type: d.type,
      name: d.name,
      label,
      url: siteUrl(`/${TYPE_PATHS[d.type]}/${slug}/`),
      aliases: [...d.aliases].filter((a) => a !== d.name),
      shownAliases: shownAliasesOf(d, label),
      role: d.role ?? null,
      registered: d.registered,
      notes: [],
      mentionCount: 0,
      related: [],
    });
  }
  return entities;
}

const refOf = (e: Entity): EntityRef => ({ id: e.id, type: e.type, name: e.name, label: e.label, url: e.url });

/** How often two entities go together, in flat arrays indexed `slot(a) * size + slot(b)`. */
export interface CoMentions {
  slot: Map<Entity, number>;
  size: number;
  /** Notes that name both. */
  notes: Int32Array;
  /** Passages (paragraphs, turns, headings) that name both: how closely they go together. */
  passages: Int32Array;
}

/**
 * Stage 6. Each entity's notes (newest first, excerpts for the newest EXCERPTED_NOTES) and
 * mention count; each note's links (related notes come later); co-mention counts.
 */
export function attachNotes(notes: Note[], places: Places, entities: Map<string, Entity>, together: Map<NoteId, TextMatches["together"]>, options: LinkOptions = {}): { links: Map<NoteId, NoteLinks>; co: CoMentions; notesKeys: WeakMap<readonly EntityNote[], string> } {
  const memo = options.keys ? options.memo : undefined;
  const links = new Map<NoteId, NoteLinks>();
  // Per entity, a running hash of what its entries are made of (null: an entry has no stamp).
  const listHash = new Map<Entity, Hash | null>();
  const ents = [...entities.values()];
  const eslot = new Map(ents.map((e, i) => [e, i]));
  const E = ents.length;
  // Sorting by collation is slow (Intl.Collator at ~1 µs a comparison, millions of them at
  // 10,000 notes): notes and names are ranked once, lists are then built in rank order.
  const nameRank = new Map([...ents].sort((x, y) => ZH.compare(x.name, y.name) || (x.id < y.id ? -1 : 1)).map((e, i) => [e, i]));
  const refs = new Map(ents.map((e) => [e, memo ? memo.same(refOf(e)) : refOf(e)]));
  const newestFirst = [...notes].sort(byDateDesc);
  // Co-mention counts in one flat array: Map-of-Maps cost seconds at 10,000 notes.
  const coCount = new Int32Array(E * E);
  const coPassages = new Int32Array(E * E);
  for (const note of newestFirst) {
    const hits = places.hits.get(note.id)!;
    // What the note gives each of its entries (its fields), made once per note.
    let shown: string | undefined;
    const mine = [...hits.keys()].map((k) => entities.get(k)!).filter(Boolean).sort((x, y) => nameRank.get(x)! - nameRank.get(y)!);
    for (const [key, hit] of hits) {
      const e = entities.get(key)!;
      // Excerpts for the newest notes only: a company named in 5,000 notes would otherwise
      // get a page of megabytes. Older notes stay listed, with their mention counts.
      const excerpted = e.notes.length < EXCERPTED_NOTES;
      const made: EntityNote = { id: note.id, title: note.title, url: note.url, date: note.date, kind: note.kind, count: hit.count, turns: hit.turns, declared: hit.declared, spoke: hit.spoke, excerpts: excerpted ? hit.excerpts : NONE, quotes: excerpted ? hit.quotes : NONE };
      const noteKey = options.keys?.get(note.id);
      // The excerpts and quotes by their stamps: an edited note changes the lists whose entries changed.
      let h = listHash.get(e);
      if (h === undefined) listHash.set(e, (h = createHash("sha1").update(key)));
      if (h && hit.made !== undefined) h.update(`\n${(shown ??= shortHash(JSON.stringify([note.id, note.title, note.url, note.date, note.kind]), 22))} ${hit.made} ${excerpted ? 1 : 0}${hit.declared ? 1 : 0}${hit.spoke ? 1 : 0} ${hit.count} ${hit.turns}`);
      else listHash.set(e, null);
      e.notes.push(memo && noteKey !== undefined ? memo.entityNote(noteKey, key, made) : made);
      e.mentionCount += hit.count;
    }
    const named = mine.filter((e) => e.type !== "tag").map((e) => eslot.get(e)!);
    for (const a of named) for (const b of named) if (a !== b) coCount[a * E + b]!++;
    for (const [ka, kb, n] of together.get(note.id) ?? []) {
      const ea = entities.get(ka), eb = entities.get(kb);
      if (!ea || !eb) continue;
      const a = eslot.get(ea)!, b = eslot.get(eb)!;
      coPassages[a * E + b] = coPassages[a * E + b]! + n;
      coPassages[b * E + a] = coPassages[b * E + a]! + n;
    }
    const pick = (t: EntityType) => mine.filter((e) => e.type === t).map((e) => refs.get(e)!);
    const asRef = (x: Draft | string): EntityRef | NameOnly => (typeof x === "string" ? (memo ? memo.same({ id: null, name: x, label: x }) : { id: null, name: x, label: x }) : refs.get(entities.get(x.key)!)!);
    links.set(note.id, {
      people: pick("person"),
      companies: pick("company"),
      products: pick("product"),
      tags: pick("tag"),
      speakers: places.speakers.get(note.id)!.map(asRef),
      authors: places.authors.get(note.id)!.map(asRef),
      related: [],
    });
  }
  const notesKeys = new WeakMap<readonly EntityNote[], string>();
  for (const [e, h] of listHash) if (h) notesKeys.set(e.notes, h.digest("base64"));
  return { links, co: { slot: eslot, size: E, notes: coCount, passages: coPassages }, notesKeys };
}

/**
 * Stage 7. Each entity's eight related entities, ranked by how strongly they go together,
 * not by raw count (Apple, named everywhere, is not Jensen Huang's first companion; NVIDIA
 * is): first what the registry's roles say, then the Dice coefficient of their notes,
 * 2·both / (one + other), among partners met in at least two notes (one, when none is) —
 * unlike PMI it does not put a name seen once first — then the passages that name both.
 */
export function relateEntities(list: Entity[], byId: Map<EntityId, Entity>, co: CoMentions): void {
  const ents = [...co.slot.keys()];
  const E = co.size;
  for (const e of list) {
    // e.notes is newest first already: notes were visited in that order.
    const a = co.slot.get(e)!;
    const row: Array<[EntityId, number]> = [];
    for (let b = 0; b < E; b++) { const c = co.notes[a * E + b]!; if (c > 0) row.push([ents[b]!.id, c]); }
    const minCount = row.some(([, c]) => c >= 2) ? 2 : 1;
    const dice = (id: EntityId, c: number) => Math.round((2 * c * 1000) / (e.notes.length + byId.get(id)!.notes.length)) / 1000;
    const passages = (id: EntityId) => co.passages[a * E + co.slot.get(byId.get(id)!)!]!;
    // The registry says so: a role that names the other (黄仁勋: 英伟达创始人兼 CEO) comes first.
    const named = (x: Entity, y: Entity) => x.role !== null && (x.role.includes(y.label) || x.role.includes(y.name));
    const roleLink = (id: EntityId) => Number(named(e, byId.get(id)!) || named(byId.get(id)!, e));
    e.related = row.filter(([, c]) => c >= minCount)
      .map(([id, c]) => [id, c, dice(id, c), passages(id), roleLink(id)] as const)
      .sort((x, y) => y[4] - x[4] || y[2] - x[2] || y[3] - x[3] || y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, 8).map(([id, count]) => ({ ...refOf(byId.get(id)!), count }));
  }
}

/** How an entity figures in one note. */
export interface Place { count: number; declared: boolean; spoke: boolean }

/**
 * Related notes: the cosine of two notes' entity vectors. An entity weighs more the
 * rarer it is (1 / log2(1 + notes naming it); named in over 500 notes, it says nothing),
 * by its type (people and companies over products and tags: two notes that both quote
 * Altman are related, two that both name Excel are not), and by its place in the note
 * (declared, speaking or named often over named once). Dividing by both notes' norms
 * keeps a long transcript that names a hundred entities from being every note's
 * neighbour. A note is compared through its RELATED_BY heaviest entities only (the work
 * is the sum of the squared sizes of the entities used). Scores accumulate in a typed
 * array and the top 5 are kept by insertion (ties: the earlier source first), with no
 * allocation per candidate.
 */
export function relatedNotes(notes: Note[], entities: Entity[], placesOf: (id: NoteId) => Array<[Entity, Place]>): Map<NoteId, NoteLinks["related"]> {
  const rarity = new Map<Entity, number>();
  for (const e of entities) if (e.notes.length <= 500 && e.notes.length >= 2) rarity.set(e, TYPE_INFO[e.type].relatedWeight / Math.log2(1 + e.notes.length));
  const slot = new Map(notes.map((n, i) => [n.id, i]));
  const placeOf = (h: Place) => (h.declared || h.spoke ? 2 : 1) * (1 + Math.log2(1 + Math.min(h.count, 64)) / 3);
  const places = new Map(notes.map((n) => [n.id, placesOf(n.id)]));
  const placeIn = new Map<Entity, Map<NoteId, Place>>();
  for (const [id, list] of places) for (const [e, h] of list) {
    let m = placeIn.get(e);
    if (!m) placeIn.set(e, (m = new Map()));
    m.set(id, h);
  }
  const memberSlots = new Map<Entity, Int32Array>();
  const memberWeights = new Map<Entity, Float64Array>();
  for (const e of rarity.keys()) {
    const members = e.notes.filter((n) => slot.has(n.id));
    memberSlots.set(e, Int32Array.from(members, (n) => slot.get(n.id)!));
    memberWeights.set(e, Float64Array.from(members, (n) => rarity.get(e)! * placeOf(placeIn.get(e)?.get(n.id) ?? { count: 0, declared: false, spoke: false })));
  }
  const norm = new Float64Array(notes.length);
  for (const [e, slots] of memberSlots) {
    const ws = memberWeights.get(e)!;
    for (let k = 0; k < slots.length; k++) norm[slots[k]!] = norm[slots[k]!]! + ws[k]! * ws[k]!;
  }
  for (let i = 0; i < norm.length; i++) norm[i] = Math.sqrt(norm[i]!) || 1;
  const acc = new Float64Array(notes.length);
  const touched = new Int32Array(notes.length);
  const topSlot = new Int32Array(RELATED_NOTES);
  const topScore = new Float64Array(RELATED_NOTES);
  const out = new Map<NoteId, NoteLinks["related"]>();
  for (const note of notes) {
    const self = slot.get(note.id)!;
    let nt = 0;
    const mine: Array<[Entity, number]> = [];
    for (const [e, hit] of places.get(note.id)!) {
      const r = rarity.get(e);
      if (r !== undefined) mine.push([e, r * placeOf(hit)]);
    }
    if (mine.length > RELATED_BY) mine.sort((a, b) => b[1] - a[1] || (a[0].id < b[0].id ? -1 : 1)).length = RELATED_BY;
    for (const [e, w] of mine) {
      const slots = memberSlots.get(e)!, ws = memberWeights.get(e)!;
      for (let k = 0; k < slots.length; k++) {
        const j = slots[k]!;
        if (j === self) continue;
        if (acc[j] === 0) touched[nt++] = j;
        acc[j] = acc[j]! + w * ws[k]!;
      }
    }
    let size = 0;
    for (let k = 0; k < nt; k++) {
      const j = touched[k]!;
      const score = acc[j]! / (norm[self]! * norm[j]!);
      acc[j] = 0;
      if (size === RELATED_NOTES && !(score > topScore[size - 1]! || (score === topScore[size - 1]! && j < topSlot[size - 1]!))) continue;
      let i = size < RELATED_NOTES ? size++ : size - 1;
      while (i > 0 && (score > topScore[i - 1]! || (score === topScore[i - 1]! && j < topSlot[i - 1]!))) {
        topScore[i] = topScore[i - 1]!;
        topSlot[i] = topSlot[i - 1]!;
        i--;
      }
      topScore[i] = score;
      topSlot[i] = j;
    }
    const related: NoteLinks["related"] = [];
    for (let i = 0; i < size; i++) {
      const n = notes[topSlot[i]!]!;
      related.push({ id: n.id, title: n.title, url: n.url, date: n.date });
    }
    out.set(note.id, related);
  }
  return out;
}
