/**
 * The one contract between parsing and rendering.
 *
 * Every source shape (front-matter notes, Digital Garden notes, EPUB digests,
 * raw transcripts) is normalised into `Note` records; templates and the JSON API
 * only ever see these. Schema and type share a name (JetBrains/guide style) and
 * the schema is checked once, at the boundary, in `src/pipeline.ts`.
 */
import { z } from "zod";

/** `YYYY-MM-DD`, always a real calendar day (UTC). */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), "not a calendar day");
export type IsoDate = z.infer<typeof IsoDate>;

/** Only http(s) links leave the site: no `javascript:`, `data:` … from a source. */
export const HttpUrl = z.string().regex(/^https?:\/\/[^\s<>"']+$/i, "expected an http(s) URL");

/** Seconds from the start of the recording; `end` is null when only a start is known. */
export const TimeRange = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative().nullable(),
});
export type TimeRange = z.infer<typeof TimeRange>;

/**
 * Markdown prose (rendered with markdown-it, raw HTML disabled). `time` is the moment
 * of the recording the passage starts at, for timestamped transcript lines.
 */
export const ProseBlock = z.object({ type: z.literal("prose"), text: z.string(), time: z.number().int().nonnegative().nullable() });
/** One speaker turn: who says what, optionally when. `text` is markdown. */
export const TurnBlock = z.object({
  type: z.literal("turn"),
  speaker: z.string().min(1),
  /** An annotation that came with the name, e.g. `转述片段` in `Greg Brockman（转述片段）：`. */
  role: z.string().nullable(),
  time: z.number().int().nonnegative().nullable(),
  text: z.string(),
});
export const Block = z.discriminatedUnion("type", [ProseBlock, TurnBlock]);
export type ProseBlock = z.infer<typeof ProseBlock>;
export type TurnBlock = z.infer<typeof TurnBlock>;
export type Block = z.infer<typeof Block>;

export const Section = z.object({
  /** Anchor id, unique inside its note. */
  id: z.string().min(1),
  /** Empty for the untitled text before a note's first heading. */
  heading: z.string(),
  time: TimeRange.nullable(),
  blocks: z.array(Block),
});
export type Section = z.infer<typeof Section>;

export const NOTE_KINDS = ["conversation", "talk", "article", "digest-article", "transcript"] as const;
export const NoteKind = z.enum(NOTE_KINDS);
export type NoteKind = z.infer<typeof NoteKind>;
/** What readers see for each kind (filters, badges). */
export const NOTE_KIND_LABELS: Record<NoteKind, string> = {
  conversation: "对谈",
  talk: "演讲",
  article: "文章",
  "digest-article": "文摘",
  transcript: "转写稿",
};

/**
 * Ids are typed, not bare strings: each kind of identifier has a branded type and one
 * constructor that checks its invariant, so a note id can never be passed where a
 * source path or a URL is expected.
 */
/** Path of a source file relative to the project (`seeds/003_x.txt`): `/`-separated, never absolute, never `..`. */
export const SourcePath = z.string().min(1).refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "a relative, /-separated path inside the project").brand<"SourcePath">();
export type SourcePath = z.infer<typeof SourcePath>;
/** A note's stable slug, unique across the site. */
export const NoteId = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N}-]*$/u, "ids are slugs").brand<"NoteId">();
export type NoteId = z.infer<typeof NoteId>;

/** A page's site-relative address (`/notes/<id>/`, `/people/<slug>/`): starts and ends with `/`, no `..`, no query. */
export const SiteUrl = z.string().regex(/^\/(?:[^\s/?#]+\/)*$/u, "a site-relative page address, /…/").refine((u) => !u.split("/").includes(".."), "no ..").brand<"SiteUrl">();
export type SiteUrl = z.infer<typeof SiteUrl>;

export const sourcePath = (p: string): SourcePath => SourcePath.parse(p);
export const noteId = (slug: string): NoteId => NoteId.parse(slug);
export const siteUrl = (path: string): SiteUrl => SiteUrl.parse(path);

export const NoteSource = z.object({
  /** Path of the source file relative to the project (e.g. `seeds/003_x.txt`), `/`-separated. */
  file: SourcePath,
  /** The original (video, article) when the source states one. */
  url: HttpUrl.nullable(),
  /** Article number inside a multi-article source (digests), else null. */
  entry: z.number().int().nonnegative().nullable(),
  /** 1-based line where this note starts in its file. */
  line: z.number().int().positive(),
});
export type NoteSource = z.infer<typeof NoteSource>;

const Names = z.array(z.string().min(1));

/**
 * A place where a source points at another file: an Obsidian `[[wikilink]]` or
 * `![[embed]]`, a markdown link or image with a relative path. Parsing records them
 * (with the line, for the build report); the resolve stage (src/resolve/) finds their
 * targets among the other notes and the files beside them.
 */
export const Reference = z.object({
  /** The text as written, e.g. `[[Note#Heading|label]]` or `![](img/a.png)`. */
  raw: z.string().min(1),
  /** 1-based line in the source file. */
  line: z.number().int().positive(),
});
export type Reference = z.infer<typeof Reference>;

export const NoteDetails = z.object({
  /** 0–5 from a ★ string (digests). */
  quality: z.number().int().min(0).max(5).nullable(),
  /** The curator's reason for picking the article (digests). */
  reason: z.string().nullable(),
  /** Length of the recording in seconds. */
  duration: z.number().int().nonnegative().nullable(),
  /** Free-form status a source tool wrote (`evergreen` …); shown, never acted on. */
  status: z.string().nullable(),
  /** Number of CJK characters plus Latin words in the body. */
  wordCount: z.number().int().nonnegative(),
});
export type NoteDetails = z.infer<typeof NoteDetails>;

/** What a parser produces: everything but the identity, which the pipeline assigns. */
export const NoteDraft = z.object({
  title: z.string().min(1),
  date: IsoDate.nullable(),
  kind: NoteKind,
  source: NoteSource,
  authors: Names,
  speakers: Names,
  /** Names declared in the source's metadata (front-matter lists). */
  people: Names,
  companies: Names,
  products: Names,
  tags: Names,
  /** Blog categories (Hugo, Hexo, Jekyll); linked as tags. */
  categories: Names,
  /** Other titles of the note (Obsidian `aliases`): shown and searchable. */
  aliases: Names,
  /** When the source says it was last changed (`updated`, `lastmod`). */
  updated: IsoDate.nullable(),
  /** Markdown. */
  summary: z.string(),
  sections: z.array(Section),
  details: NoteDetails,
  /** Links and embeds pointing at other files, as written (resolved after parsing). */
  references: z.array(Reference),
});
export type NoteDraft = z.infer<typeof NoteDraft>;

export const Note = NoteDraft.extend({
  /** Stable slug, unique across the site. */
  id: NoteId,
  /** Site-relative URL of the note page, `/notes/<id>/`. */
  url: SiteUrl.refine((u) => u.startsWith("/notes/"), "a note page is under /notes/"),
});
export type Note = z.infer<typeof Note>;

/** A message about one input, vfile style: severity, text and line when known. */
export type MessageLevel = "info" | "warning" | "error";
export interface BuildMessage {
  level: MessageLevel;
  message: string;
  line?: number;
}
