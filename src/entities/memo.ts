/**
 * Each note's text matches, kept from one build to the next (see MatchMemo below):
 * in memory by `npm start`, stored by src/caches.ts for `npm run build`. Its own
 * module, with only type imports, so the caches can restore it without importing
 * the linker.
 */
import type { AliasSpec } from "./detect.ts";
import type { EntityNote, Excerpt, NoteLinks, TextMatches } from "./index.ts";

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

function sameEntityNote(a: EntityNote, b: EntityNote): boolean {
  return a.id === b.id && a.title === b.title && a.url === b.url && a.date === b.date && a.kind === b.kind && a.count === b.count && a.turns === b.turns
    && a.declared === b.declared && a.spoke === b.spoke && sameList(a.excerpts, b.excerpts) && sameList(a.quotes, b.quotes);
}

/** What decides a match by one alias spec (MatchMemo compares these between builds). */
export interface SpecKey { alias: string; entityKey: string; exactCase: boolean; weak: boolean; not: string[]; context: string[] }

/**
 * Text matches of every note, kept between builds, so a new file costs matching one
 * note, not all of them: in memory by `npm start`, on disk (src/caches.ts) by
 * `npm run build`.
 *
 * Matches depend on the note, on the names it declares (evidence for weak aliases) and
 * on the set of aliases. When the alias set changes (a new file declares a name nobody
 * declared before, or the only file declaring one is gone), a note's matches from the
 * previous build are still exact when no added alias occurs anywhere in its folded text
 * (then no new match can start anywhere; longest-match choices only change where an
 * added alias starts) and none of the entities whose aliases were removed or changed is
 * among its hits (a removed alias that never won a match changes nothing). Other notes
 * are matched again. The folded text is not kept: it is as large as the corpus, and
 * folding a note again when a name was added costs far less than matching it.
 */
export class MatchMemo {
  /** Per note key: when its matches were last found exact, and (in memory) the matches; `text` null: in `backing`. */
  private entries = new Map<string, { version: number; declared: string | null; text: TextMatches | null }>();
  private specKeys = new Set<string>();
  private hash = "";
  private version = 0;
  private added: string[] = [];
  private removedEntities = new Set<string>();
  /** Per note key: each entity's entry made last build; the note's links; interned small values. */
  private made = new Map<string, Map<string, EntityNote>>();
  private links = new Map<string, NoteLinks>();
  private refs = new Map<string, object>();
  /** Notes matched in the last build (new, changed, or touched by a changed name). */
  rematched = 0;
  /** Notes matched since the memo was restored or stored: what storing it must write. */
  private fresh = new Set<string>();

  /**
   * `identity`: keep unchanged entity entries, links and refs the same objects from one
   * build to the next (`npm start`, whose render plan recognises unchanged values by
   * identity); a one-shot build has no next build in the same process and skips that.
   * `backing`: where the matches are read and written instead of being held in memory (a
   * one-shot build: at 50,000 notes they do not fit beside everything else).
   */
  constructor(private readonly identity = true, private readonly backing: MemoBacking | null = null) {}

  /** `specKeys[i]`: everything that decides a match by `specs[i]` (its entity, then the rest, as JSON). */
  begin(matcherHash: string, specs: AliasSpec[], specKeys: string[]): void {
    this.rematched = 0;
    if (matcherHash === this.hash) return;
    const next = new Set(specKeys);
    this.added = [];
    this.removedEntities = new Set();
    specs.forEach((s, i) => { if (!this.specKeys.has(specKeys[i]!)) { this.added.push(s.alias.normalize("NFKC").toLowerCase()); this.removedEntities.add(s.entityKey); } });
    for (const k of this.specKeys) if (!next.has(k)) this.removedEntities.add((JSON.parse(k) as SpecKey).entityKey);
    this.specKeys = next;
    this.hash = matcherHash;
    this.version++;
  }

  /** The note's matches, if still exact; `declared`: the entity keys it declares, sorted and joined; `fold`: its folded text. */
  get(key: string, declared: string, fold: () => string): TextMatches | undefined {
    const e = this.entries.get(key);
    if (!e || (e.declared !== null && e.declared !== declared)) return undefined;
    if (e.version !== this.version && e.version !== this.version - 1) return undefined;
    let text = e.text;
    if (!text) {
      const record = this.backing?.read(key);
      if (!record || record[1] !== declared) return undefined;
      text = matchesOf(record);
    }
    if (e.version === this.version) return text;
    for (const k of text.hits.keys()) if (this.removedEntities.has(k)) return undefined;
    if (this.added.length) {
      const folded = fold();
      for (const a of this.added) if (folded.includes(a)) return undefined;
    }
    e.version = this.version;
    return text;
  }

  /**
   * The entity's entry for a note: the one made in the last build when nothing in it
   * changed, so later stages (the render plan's hashes) recognise it by identity.
   */
  entityNote(noteKey: string, entityKey: string, made: EntityNote): EntityNote {
    if (!this.identity) return made;
    let byEntity = this.made.get(noteKey);
    if (!byEntity) this.made.set(noteKey, (byEntity = new Map()));
    const prev = byEntity.get(entityKey);
    if (prev && sameEntityNote(prev, made)) return prev;
    byEntity.set(entityKey, made);
    return made;
  }

  /** One object per distinct small value (entity refs, names): equal values, same object, build after build. */
  same<T extends object>(value: T): T {
    if (!this.identity) return value;
    const k = JSON.stringify(value);
    const hit = this.refs.get(k) as T | undefined;
    if (hit) return hit;
    this.refs.set(k, value);
    return value;
  }

  /** A note's links: last build's object when nothing in them changed. */
  noteLinks(noteKey: string, made: NoteLinks): NoteLinks {
    if (!this.identity) return made;
    const prev = this.links.get(noteKey);
    if (prev && sameList(prev.people, made.people) && sameList(prev.companies, made.companies) && sameList(prev.products, made.products)
      && sameList(prev.tags, made.tags) && sameList(prev.speakers, made.speakers) && sameList(prev.authors, made.authors)
      && prev.related.length === made.related.length && prev.related.every((r, i) => JSON.stringify(r) === JSON.stringify(made.related[i]))) return prev;
    this.links.set(noteKey, made);
    return made;
  }

  set(key: string, declared: string, text: TextMatches): void {
    this.rematched++;
    if (this.backing) {
      this.backing.write(recordOf(key, declared, text));
      this.entries.set(key, { version: this.version, declared, text: null });
    } else {
      this.fresh.add(key);
      this.entries.set(key, { version: this.version, declared, text });
    }
  }

  /** Forget notes that are gone. */
  retain(keys: Set<string>): void {
    for (const k of this.entries.keys()) if (!keys.has(k)) { this.entries.delete(k); this.fresh.delete(k); }
    for (const k of this.made.keys()) if (!keys.has(k)) this.made.delete(k);
    for (const k of this.links.keys()) if (!keys.has(k)) this.links.delete(k);
  }

  /** The memo as plain values, for storing: its alias set, then one record per note matched against it. */
  head(): MemoHead {
    return { hash: this.hash, specKeys: [...this.specKeys] };
  }

  /** The records of the notes matched since the memo was restored or stored (a backed memo has written them already). */
  *matchedRecords(): Generator<MemoRecord> {
    for (const key of this.fresh) {
      const e = this.entries.get(key);
      if (e?.text && e.declared !== null && e.version === this.version) yield recordOf(key, e.declared, e.text);
    }
  }

  /** Notes whose matches from before were found still exact in the last build. */
  *keptKeys(): Generator<string> {
    for (const [key, e] of this.entries) if (e.version === this.version && !this.fresh.has(key)) yield key;
  }

  /** The memo's records were stored: later ones are new. */
  stored(): void {
    this.fresh.clear();
  }

  /** A memo holding `records` in memory (read back by src/caches.ts). */
  static restore(head: MemoHead, records: Iterable<MemoRecord>, identity: boolean): MatchMemo {
    const memo = MatchMemo.headed(new MatchMemo(identity), head);
    for (const record of records) memo.entries.set(record[0], { version: 0, declared: record[1], text: matchesOf(record) });
    return memo;
  }

  /** A memo whose matches stay in `backing`: `keys` are the notes it holds matches of. */
  static backed(head: MemoHead, keys: Iterable<string>, backing: MemoBacking): MatchMemo {
    const memo = MatchMemo.headed(new MatchMemo(false, backing), head);
    for (const key of keys) memo.entries.set(key, { version: 0, declared: null, text: null });
    return memo;
  }

  private static headed(memo: MatchMemo, head: MemoHead): MatchMemo {
    memo.hash = head.hash;
    memo.specKeys = new Set(head.specKeys);
    return memo;
  }
}

/** Where a one-shot build's matches are kept (src/caches.ts: a PackStore). */
export interface MemoBacking {
  read(key: string): MemoRecord | null;
  write(record: MemoRecord): void;
}

function recordOf(key: string, declared: string, text: TextMatches): MemoRecord {
  // Entity keys once per record, then by position; excerpts as tuples: a third of the size.
  const keys = [...new Set([...text.hits.keys(), ...text.together.flatMap(([a, b]) => [a, b])])];
  const at = new Map(keys.map((k, i) => [k, i]));
  return [key, declared, keys,
    [...text.hits].map(([k, h]) => [at.get(k)!, h.count, h.excerpts.map(excerptTuple), h.stamp ?? ""]),
    text.turns.map((t) => [t.folded, t.score, excerptTuple(t.quote), t.stamp ?? ""]),
    text.together.map(([a, b, n]) => [at.get(a)!, at.get(b)!, n])];
}

function matchesOf([, , keys, hits, turns, together]: MemoRecord): TextMatches {
  return {
    stamped: true,
    hits: new Map(hits.map(([k, count, excerpts, stamp]) => [keys[k]!, { count, excerpts: excerpts.map(excerptOfTuple), stamp }])),
    turns: turns.map(([folded, score, quote, stamp]) => ({ folded, score, quote: excerptOfTuple(quote), stamp })),
    together: together.map(([a, b, n]) => [keys[a]!, keys[b]!, n]),
  };
}

type ExcerptTuple = [sectionId: string | null, heading: string, before: string, match: string, after: string, time: number | null, videoUrl: string | null, speaker: string | null];
const excerptTuple = (e: Excerpt): ExcerptTuple => [e.sectionId, e.heading, e.before, e.match, e.after, e.time, e.videoUrl, e.speaker];
const excerptOfTuple = ([sectionId, heading, before, match, after, time, videoUrl, speaker]: ExcerptTuple): Excerpt => ({ sectionId, heading, before, match, after, time, videoUrl, speaker });

/** What a stored memo begins with. */
export interface MemoHead { hash: string; specKeys: string[] }
/** One note's stored matches: its key, the entity keys it declared, the entity keys named below (by position), its hits, turns and co-mentions (hits and turns with their stamps). */
export type MemoRecord = [key: string, declared: string, keys: string[], hits: Array<[number, number, ExcerptTuple[], string]>, turns: Array<[string, number, ExcerptTuple, string]>, together: Array<[number, number, number]>];

