/**
 * Notes + registry → the entity index: one entity per real-world person, company,
 * product or tag, the notes that name it (declared in metadata, mentioned in the
 * text, or speaking), excerpts of where, and which entities travel with it.
 */
import type { Note, NoteKind } from "../note.ts";
import { shortHash, slugify, SlugRegistry, stripMarkdown } from "../text.ts";
import { type AliasSpec, Matcher } from "./detect.ts";
import { type EntityType, foldName, type Registry } from "./registry.ts";

export interface EntityRef { id: string; type: EntityType; name: string; url: string }
/** A name shown as plain text because it names no entity (placeholder speakers, unknown authors). */
export interface NameOnly { id: null; name: string }

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
  id: string;
  title: string;
  url: string;
  date: string | null;
  kind: NoteKind;
  /** Mentions in the text (title, summary, sections, turns). */
  count: number;
  declared: boolean;
  spoke: boolean;
  excerpts: Excerpt[];
  quotes: Excerpt[];
}

export interface Entity extends EntityRef {
  aliases: string[];
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
  related: Array<{ id: string; title: string; url: string; date: string | null; shared: number }>;
}

export interface EntityIndex {
  entities: Entity[];
  byId: Map<string, Entity>;
  links: Map<string, NoteLinks>;
  /** Hash of every alias the matcher knows: mentions cached under another hash are stale. */
  matcherHash: string;
}

export const TYPE_PATHS: Record<EntityType, string> = { person: "people", company: "companies", product: "products", tag: "tags" };
export const TYPE_LABELS: Record<EntityType, string> = { person: "人物", company: "公司与机构", product: "产品与模型", tag: "标签" };

const PLACEHOLDER_SPEAKER = /^(?:[A-Za-z@]|说话人\s*\d*|speaker\s*\d*|主持人|嘉宾|观众|听众|现场观众|unknown|未知|匿名)$/i;
const EXCERPTS_PER_NOTE = 3;
/** How many of an entity's newest notes show excerpts on its page. */
export const EXCERPTED_NOTES = 30;
const CONTEXT_BEFORE = 36;
const CONTEXT_AFTER = 64;

interface Draft {
  key: string;
  type: EntityType;
  name: string;
  aliases: Set<string>;
  exact: boolean;
  registered: boolean;
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
  const units: TextUnit[] = [
    { text: note.title, sectionId: null, heading: "标题", time: null, speaker: null },
    { text: stripMarkdown(note.summary), sectionId: null, heading: "摘要", time: null, speaker: null },
  ];
  for (const s of note.sections) {
    const time = s.time?.start ?? null;
    if (s.heading) units.push({ text: s.heading, sectionId: s.id, heading: s.heading, time, speaker: null });
    for (const b of s.blocks) {
      const speaker = b.type === "turn" ? b.speaker : null;
      units.push({ text: stripMarkdown(b.text), sectionId: s.id, heading: s.heading, time: b.type === "turn" && b.time !== null ? b.time : time, speaker });
    }
  }
  return units;
}

function byDateDesc<T extends { date: string | null; title: string }>(a: T, b: T): number {
  if (a.date !== b.date) return a.date === null ? 1 : b.date === null ? -1 : a.date < b.date ? 1 : -1;
  return ZH.compare(a.title, b.title);
}

const ZH = new Intl.Collator("zh-CN");

export function buildEntityIndex(notes: Note[], registry: Registry): EntityIndex {
  const drafts = new Map<string, Draft>();
  const aliasOwner = new Map<string, string>();
  const claim = (d: Draft, alias: string) => {
    const f = foldName(alias);
    if (!f || aliasOwner.has(f)) return;
    aliasOwner.set(f, d.key);
    d.aliases.add(alias);
  };
  for (const e of registry) {
    const d: Draft = { key: `${e.type}:${foldName(e.name)}`, type: e.type, name: e.name, aliases: new Set(), exact: e.case === "exact", registered: true };
    drafts.set(d.key, d);
    claim(d, e.name);
    for (const a of e.aliases) claim(d, a);
  }
  /** Resolve a declared name: any registered alias wins, whatever field it came from. */
  const resolve = (name: string, type: EntityType): Draft => {
    const f = foldName(name);
    const owner = aliasOwner.get(f);
    if (owner && type !== "tag") return drafts.get(owner)!;
    const key = `${type}:${f}`;
    let d = drafts.get(key);
    if (!d) {
      d = { key, type, name: name.trim(), aliases: new Set(), exact: true, registered: false };
      drafts.set(key, d);
      if (type !== "tag") claim(d, name.trim());
    } else if (type === "tag") d.aliases.add(name.trim());
    return d;
  };

  interface Hit { count: number; declared: boolean; spoke: boolean; excerpts: Excerpt[]; quotes: Excerpt[] }
  const perNote = new Map<string, Map<string, Hit>>();
  const authorsOf = new Map<string, Array<Draft | string>>();
  const speakersOf = new Map<string, Array<Draft | string>>();
  const hitFor = (noteId: string, key: string): Hit => {
    let m = perNote.get(noteId);
    if (!m) perNote.set(noteId, (m = new Map()));
    let h = m.get(key);
    if (!h) m.set(key, (h = { count: 0, declared: false, spoke: false, excerpts: [], quotes: [] }));
    return h;
  };

  // Pass 1: what the metadata declares, who speaks, who wrote.
  for (const note of notes) {
    perNote.set(note.id, new Map());
    const declare = (names: string[], type: EntityType) => names.forEach((n) => (hitFor(note.id, resolve(n, type).key).declared = true));
    declare(note.people, "person");
    declare(note.companies, "company");
    declare(note.products, "product");
    declare(note.tags, "tag");
    speakersOf.set(note.id, note.speakers.map((s) => {
      if (PLACEHOLDER_SPEAKER.test(s.trim())) return s;
      const d = resolve(s, "person");
      hitFor(note.id, d.key).spoke = true;
      return d;
    }));
    authorsOf.set(note.id, note.authors.map((a) => {
      const owner = aliasOwner.get(foldName(a));
      if (!owner) return a;
      hitFor(note.id, owner).declared = true;
      return drafts.get(owner)!;
    }));
  }

  // Pass 2: mentions in the text, with every alias known now (registry + declared names).
  const specs: AliasSpec[] = [];
  for (const d of drafts.values()) {
    if (d.type === "tag") continue;
    for (const alias of d.aliases) {
      // Unregistered names (declared in some file's front-matter) only match as written,
      // and only when specific enough: a capitalised Latin name of 4+ letters, or 3+ Han
      // characters — so a file declaring `数据` or `ai` cannot tag every note.
      if (!d.registered && !(/[A-Za-z]/.test(alias) ? /^[A-Z0-9]/.test(alias) && alias.length >= 4 : Array.from(alias).length >= 3)) continue;
      specs.push({ alias, entityKey: d.key, exactCase: d.exact });
    }
  }
  const matcher = new Matcher(specs);
  const matcherHash = shortHash(specs.map((s) => `${s.alias}\u0000${s.entityKey}\u0000${s.exactCase}`).sort().join("\n"), 16);
  for (const note of notes) {
    for (const unit of unitsOf(note)) {
      // One excerpt per passage and entity: `Jensen（黄仁勋）` is one place, not two.
      const excerpted = new Set<string>();
      for (const m of matcher.find(unit.text)) {
        const hit = hitFor(note.id, m.entityKey);
        hit.count++;
        if (hit.excerpts.length < EXCERPTS_PER_NOTE && !excerpted.has(m.entityKey)) {
          excerpted.add(m.entityKey);
          hit.excerpts.push({ sectionId: unit.sectionId, heading: unit.heading, ...excerptOf(unit.text, m.start, m.end), time: unit.time, videoUrl: videoAt(note.source.url, unit.time), speaker: unit.speaker });
        }
      }
    }
    // What a person said themselves.
    for (const s of note.sections) for (const b of s.blocks) {
      if (b.type !== "turn") continue;
      const owner = aliasOwner.get(foldName(b.speaker)) ?? drafts.get(`person:${foldName(b.speaker)}`)?.key;
      if (!owner) continue;
      const hit = hitFor(note.id, owner);
      if (hit.quotes.length >= EXCERPTS_PER_NOTE) continue;
      const text = stripMarkdown(b.text);
      const time = b.time ?? s.time?.start ?? null;
      hit.quotes.push({ sectionId: s.id, heading: s.heading, before: "", match: "", after: text.length > 140 ? `${text.slice(0, 140)}…` : text, time, videoUrl: videoAt(note.source.url, time), speaker: b.speaker });
    }
  }

  // Identity: slugs unique per type, ids `type/slug`.
  const slugs = Object.fromEntries(["person", "company", "product", "tag"].map((t) => [t, new SlugRegistry()])) as Record<EntityType, SlugRegistry>;
  const entities = new Map<string, Entity>();
  const used = new Set<string>();
  for (const hits of perNote.values()) for (const k of hits.keys()) used.add(k);
  const ordered = [...drafts.values()].filter((d) => used.has(d.key)).sort((a, b) => a.key.localeCompare(b.key));
  for (const d of ordered) {
    const slug = slugs[d.type].claim(slugify(d.name));
    entities.set(d.key, {
      id: `${d.type}/${slug}`,
      type: d.type,
      name: d.name,
      url: `/${TYPE_PATHS[d.type]}/${slug}/`,
      aliases: [...d.aliases].filter((a) => a !== d.name),
      registered: d.registered,
      notes: [],
      mentionCount: 0,
      related: [],
    });
  }
  const ref = (e: Entity): EntityRef => ({ id: e.id, type: e.type, name: e.name, url: e.url });

  const noteById = new Map(notes.map((n) => [n.id, n]));
  const links = new Map<string, NoteLinks>();
  const ents = [...entities.values()];
  const eslot = new Map(ents.map((e, i) => [e, i]));
  const E = ents.length;
  // Co-mention counts in one flat array: Map-of-Maps cost seconds at 10,000 notes.
  const coCount = new Int32Array(E * E);
  for (const note of notes) {
    const hits = perNote.get(note.id)!;
    const mine = [...hits.keys()].map((k) => entities.get(k)!).filter(Boolean);
    for (const [key, hit] of hits) {
      const e = entities.get(key)!;
      e.notes.push({ id: note.id, title: note.title, url: note.url, date: note.date, kind: note.kind, count: hit.count, declared: hit.declared, spoke: hit.spoke, excerpts: hit.excerpts, quotes: hit.quotes });
      e.mentionCount += hit.count;
    }
    const named = mine.filter((e) => e.type !== "tag").map((e) => eslot.get(e)!);
    for (const a of named) for (const b of named) if (a !== b) coCount[a * E + b]!++;
    const pick = (t: EntityType) => mine.filter((e) => e.type === t).sort((x, y) => ZH.compare(x.name, y.name)).map(ref);
    const asRef = (x: Draft | string): EntityRef | NameOnly => (typeof x === "string" ? { id: null, name: x } : ref(entities.get(x.key)!));
    links.set(note.id, {
      people: pick("person"),
      companies: pick("company"),
      products: pick("product"),
      tags: pick("tag"),
      speakers: speakersOf.get(note.id)!.map(asRef),
      authors: authorsOf.get(note.id)!.map(asRef),
      related: [],
    });
  }
  const list = [...entities.values()];
  const byId = new Map(list.map((e) => [e.id, e]));
  for (const e of list) {
    e.notes.sort(byDateDesc);
    // Excerpts for the newest notes only: a company named in 5,000 notes would otherwise
    // get a page of megabytes. Older notes stay listed, with their mention counts.
    for (const n of e.notes.slice(EXCERPTED_NOTES)) {
      n.excerpts = [];
      n.quotes = [];
    }
    const a = eslot.get(e)!;
    const row: Array<[string, number]> = [];
    for (let b = 0; b < E; b++) { const c = coCount[a * E + b]!; if (c > 0) row.push([ents[b]!.id, c]); }
    e.related = row.sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, 8).map(([id, count]) => ({ ...ref(byId.get(id)!), count }));
  }
  // Related notes: shared entities weighted by rarity; very common entities say little.
  // Scores accumulate in typed arrays and the top 5 are kept by insertion: the same
  // result as sorting every candidate, without a Map and a sort per note.
  const better = (a: [string, number], b: [string, number]) => b[1] - a[1] < 0 || (b[1] === a[1] && a[0].localeCompare(b[0]) < 0);
  const weight = new Map<Entity, number>();
  for (const e of list) if (e.notes.length <= 500 && e.notes.length >= 2) weight.set(e, 1 / Math.log2(1 + e.notes.length));
  const slot = new Map(notes.map((n, i) => [n.id, i]));
  const memberSlots = new Map<Entity, Int32Array>();
  for (const e of weight.keys()) memberSlots.set(e, Int32Array.from(e.notes, (n) => slot.get(n.id)!));
  const acc = new Float64Array(notes.length);
  const touched = new Int32Array(notes.length);
  for (const note of notes) {
    const self = slot.get(note.id)!;
    let nt = 0;
    for (const key of perNote.get(note.id)!.keys()) {
      const w = weight.get(entities.get(key)!);
      if (w === undefined) continue;
      for (const j of memberSlots.get(entities.get(key)!)!) {
        if (j === self) continue;
        if (acc[j] === 0) touched[nt++] = j;
        acc[j] = acc[j]! + w;
      }
    }
    const top: Array<[string, number]> = [];
    for (let k = 0; k < nt; k++) {
      const j = touched[k]!;
      const entry: [string, number] = [notes[j]!.id, acc[j]!];
      acc[j] = 0;
      if (top.length === 5 && !better(entry, top[4]!)) continue;
      let i = top.length;
      while (i > 0 && better(entry, top[i - 1]!)) i--;
      top.splice(i, 0, entry);
      if (top.length > 5) top.pop();
    }
    links.get(note.id)!.related = top.map(([id, s]) => {
      const n = noteById.get(id)!;
      return { id, title: n.title, url: n.url, date: n.date, shared: Math.round(s * 10) / 10 };
    });
  }
  return { entities: list, byId, links, matcherHash };
}
