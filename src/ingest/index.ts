/**
 * One source file → zero or more `NoteDraft`s plus messages. Detects the shape and
 * hands it to the module for that shape; every path ends in notes or a reported error.
 */
import { basename, extname } from "node:path";
import { type BuildMessage, type NoteDraft, type NoteKind, type Reference, type Section, sourcePath } from "../note.ts";
import { countWords, decodeSource, escapeMarkdown, normalizeDate, SlugRegistry, stripInline, stripMarkdown, truncate } from "../text.ts";
import { parseBody } from "./body.ts";
import { isDigest, parseDigest } from "./digest.ts";
import { isGardenBody, parseGarden } from "./garden.ts";
import { cleanMarkup, collectReferences, proseText, readTemplateTags, reportPluginQueries } from "./markup.ts";
import { checkMath } from "./math.ts";
import { dedupe, emptyMetadata, readMetadata, splitFrontMatter, type Metadata } from "./metadata.ts";
import { deriveTitle, isRawTranscript, isUnpunctuated, paragraphs, summarizeRaw } from "./raw.ts";
import { topicSections } from "./topics.ts";
import { looksLikeSubtitles, SUBTITLE_EXTENSIONS, subtitleName, subtitlesToLines } from "./subtitles.ts";

export type SourceShape = "frontmatter" | "garden" | "digest" | "raw" | "plain" | "subtitles";

export interface ParsedSource {
  shape: SourceShape | null;
  drafts: NoteDraft[];
  messages: BuildMessage[];
}

/** Titles are cut to this many characters. */
const TITLE_MAX = 200;

/** The extensions read as sources; anything else under seeds/ is reported and skipped. */
export const SOURCE_EXTENSIONS = [".txt", ".md", ".markdown", ...SUBTITLE_EXTENSIONS];

function sectionsText(sections: Section[]): string {
  return sections.flatMap((s) => [s.heading, ...s.blocks.map((b) => b.text)]).join("\n");
}

function speakersOf(sections: Section[]): string[] {
  return dedupe(sections.flatMap((s) => s.blocks.flatMap((b) => (b.type === "turn" ? [b.speaker] : []))));
}

/** Characters each speaker holds in turns; a speaker with two turns or 200 characters holds substantial turns. */
function substantialSpeakers(sections: Section[]): number {
  const held = new Map<string, { turns: number; chars: number }>();
  for (const s of sections) for (const b of s.blocks) {
    if (b.type !== "turn") continue;
    const h = held.get(b.speaker) ?? { turns: 0, chars: 0 };
    h.turns++;
    h.chars += b.text.length;
    held.set(b.speaker, h);
  }
  return [...held.values()].filter((h) => h.turns >= 2 || h.chars >= 200).length;
}

/** A conversation needs two speakers who each hold substantial turns; one speaker, or a video, is a talk. */
function kindOf(sections: Section[], meta: Metadata, fallback: NoteKind): NoteKind {
  if (substantialSpeakers(sections) >= 2) return "conversation";
  if (speakersOf(sections).length > 0) return "talk";
  if (meta.speakers.length > 0 || (meta.url && /youtube\.com|youtu\.be|bilibili\.com|vimeo\.com|xiaoyuzhoufm|podcast/i.test(meta.url))) return "talk";
  return fallback;
}

/** File names that say nothing about the note. */
const GENERIC_NAMES = /^(?:index|_index|readme|untitled(?: \d+)?|未命名(?:\s*\d+)?|无标题(?:\s*\d+)?|note|notes|draft|post|content|page)$/i;

/**
 * The note's own file name as its title, the way Obsidian names notes (`80 删除有序数组中的重复项II`),
 * when it reads as a title: it has Han characters, spaces or capitals (not a slug such as
 * `my-post` or an id such as `003_70529567d1e3989d`), and is not a generic name (`index`,
 * `README`); a page bundle's `index.md` is named by its folder. A Jekyll date prefix is dropped.
 */
export function titleFromFileName(file: string): string | null {
  const parts = file.split("/");
  let stem = basename(file, extname(file));
  if (GENERIC_NAMES.test(stem) && parts.length >= 2) stem = parts[parts.length - 2]!;
  stem = stem.replace(/^\d{4}-\d{2}-\d{2}[-_ ]/, "").trim();
  if (!stem || GENERIC_NAMES.test(stem)) return null;
  if (/^[\w-]*$/.test(stem) && !/\p{Lu}\p{Ll}/u.test(stem)) return null;
  if (/^[\p{N}\p{P}\p{S}\s_]+$/u.test(stem)) return null;
  // Ids are not titles: a YouTube video id (`-nBb-2d4eQ4_en`), a hash or a UUID.
  if (/^[A-Za-z0-9_-]{11}(?:[._-][A-Za-z]{2,3}(?:-[A-Za-z]{2,4})?)?$/.test(stem) && /\d/.test(stem) && !/\s/.test(stem)) return null;
  if (/^[0-9a-f]{8,}(?:-[0-9a-f]{4,})*$/i.test(stem)) return null;
  return stem;
}

/** A date the file name starts with (`2019-03-04-post.md`, Jekyll's posts, Obsidian's daily notes). */
export function dateFromFileName(file: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[-_ .]|$)/.exec(basename(file));
  return m ? normalizeDate(m[1]) : null;
}

/** A title from the body when the metadata has none: first heading, else the opening words. */
function titleFromBody(sections: Section[], file: string): string {
  const heading = sections.find((s) => s.heading)?.heading;
  if (heading) return heading;
  // The first words that are not a stage direction (`(Intro music: Electro swing)`, `[音乐]`).
  const first = sections.flatMap((s) => s.blocks).map((b) => stripMarkdown(b.text)).find((t) => t && !/^[(（\[【][^)）\]】]*[)）\]】]$/.test(t.trim()));
  if (first) return deriveTitle(first.split("\n")[0]!);
  return basename(file, extname(file));
}

function draftFrom(file: string, line: number, meta: Metadata, sections: Section[], summary: string | null, kind: NoteKind, title: string, references: Reference[] = []): NoteDraft {
  const turnSpeakers = speakersOf(sections);
  // A front-matter `speaker` often names the channel; who actually speaks wins when turns exist.
  const speakers = turnSpeakers.length ? turnSpeakers : meta.speakers;
  const text = sectionsText(sections);
  return {
    title: truncate(stripInline(title), TITLE_MAX) || basename(file),
    date: meta.date,
    kind,
    source: { file: sourcePath(file), url: meta.url, entry: null, line },
    authors: meta.authors,
    speakers,
    people: meta.people,
    companies: meta.companies,
    products: meta.products,
    tags: meta.tags,
    categories: meta.categories,
    aliases: meta.aliases,
    updated: meta.updated,
    // Without a summary, the opening words of the text, not of its headings (`Episodes Feeling stuck? … Insights`).
    summary: summary ?? truncate(proseText(sections.flatMap((s) => s.blocks.map((b) => b.text)).join("\n").slice(0, 4000), stripMarkdown).replace(/`/g, ""), 160),
    sections,
    details: { quality: null, reason: null, duration: meta.duration, status: meta.status, wordCount: countWords(text) },
    references,
  };
}

export interface SourceContext {
  /** The file sits in an Obsidian vault (a folder with `.obsidian/`): inline `#tags` are tags. */
  vault?: boolean;
}

/** Parse one source. `file` is the project-relative path used in messages and `source.file`. */
export function parseSource(file: string, bytes: Uint8Array, context: SourceContext = {}): ParsedSource {
  const decoded = decodeSource(bytes);
  const messages = [...decoded.messages];
  if (decoded.binary) {
    messages.push({ level: "error", message: "the file is binary, not text; no note was made from it" });
    return { shape: null, drafts: [], messages };
  }
  if (!decoded.text.trim()) {
    messages.push({ level: "error", message: decoded.text.length ? "the file holds only whitespace; no note was made from it" : "the file is empty; no note was made from it" });
    return { shape: null, drafts: [], messages };
  }
  const ext = extname(file).toLowerCase();
  if (SUBTITLE_EXTENSIONS.includes(ext) || (ext === ".txt" && looksLikeSubtitles(decoded.text))) return parseSubtitles(file, decoded.text, messages);
  const fm = splitFrontMatter(decoded.text);
  messages.push(...fm.messages);
  const meta = fm.data ? readMetadata(fm.data, messages, fm.lineOf) : emptyMetadata();
  meta.date ??= dateFromFileName(file);
  // An Obsidian note: in a vault, or writing wikilinks. Its inline `#tags` are tags (a blog's
  // `#include`, or a heading written without its space, `#标题`, is not), `^block-ids` are
  // markers, and its title is its file name. What Obsidian and blog engines never show
  // (comments, template tags) goes before anything else reads the body.
  const obsidian = context.vault === true || /\[\[[^\]\n]+\]\]/.test(fm.body);
  const cleaned = cleanMarkup(readTemplateTags(fm.body, fm.bodyLine, messages), fm.bodyLine, messages, obsidian);
  reportPluginQueries(cleaned.text, fm.bodyLine, messages);
  const body = cleaned.text;
  if (obsidian) meta.tags = dedupe([...meta.tags, ...cleaned.tags]);
  const references = collectReferences(body, fm.bodyLine);
  messages.push(...checkMath(body, fm.bodyLine));
  // Hexo's and Hugo's `<!-- more -->`: the text before it is the summary.
  const moreSummary = meta.summary === null && cleaned.more !== null ? truncate(stripMarkdown(body.slice(0, cleaned.more)), 200) || null : null;
  const summaryOf = (fallback: string | null) => meta.summary ?? moreSummary ?? fallback;
  // A file name is not Markdown: titles have their inline marks stripped (draftFrom), so a
  // name's own `_` and `*` are escaped first (`proc_macro_summary` keeps its underscores).
  const fileTitle = obsidian ? basename(file, extname(file)) : titleFromFileName(file);
  const named = fileTitle === null ? null : escapeMarkdown(fileTitle);
  const declared = [...meta.speakers, ...meta.people, ...meta.authors];

  if (!body.trim()) {
    // Metadata with something to read (a title or a summary) is still a note; anything less is not.
    // An Obsidian note of properties only is a note like any other (named by its file).
    if (fm.data && (meta.title || meta.summary || (obsidian && Object.keys(fm.data).length > 0))) {
      messages.push({ level: obsidian ? "info" : "warning", line: fm.bodyLine, message: "the file has front-matter but no text; the note has only its metadata" });
      return { shape: "frontmatter", drafts: [draftFrom(file, 1, meta, [], meta.summary, "article", meta.title ?? named ?? basename(file, extname(file)), references)], messages };
    }
    messages.push({ level: "error", line: fm.bodyLine, message: `the file has no text after its front-matter${fm.data ? " and no title or summary in it" : ""}; no note was made from it` });
    return { shape: null, drafts: [], messages };
  }

  if (isGardenBody(body)) {
    const g = parseGarden(body, fm.bodyLine, meta, messages);
    const title = meta.title ?? titleFromBody(g.sections, file);
    return { shape: "garden", drafts: [draftFrom(file, 1, meta, g.sections, summaryOf(g.summary), kindOf(g.sections, meta, "article"), title, references)], messages };
  }

  if (isDigest(body)) {
    const articles = parseDigest(body, fm.bodyLine, messages);
    const drafts = articles.map((a, i): NoteDraft => {
      const end = articles[i + 1]?.line ?? Infinity;
      const base = draftFrom(file, a.line, { ...meta, authors: a.authors.length ? a.authors : meta.authors, date: a.date ?? meta.date }, a.sections, a.summary, "digest-article", a.title, references.filter((r) => r.line >= a.line && r.line < end));
      return { ...base, source: { ...base.source, entry: a.entry }, details: { ...base.details, quality: a.quality, reason: a.reason } };
    });
    return { shape: "digest", drafts, messages };
  }

  if (isRawTranscript(body)) {
    const text = body.trim();
    // Paragraphs cut into topic sections, as any long headingless transcript is (src/ingest/topics.ts).
    const sections = topicSections([{ id: "transcript", heading: "", time: null, blocks: paragraphs(text).map((p) => ({ type: "prose" as const, text: escapeMarkdown(p), time: null })) }], stripMarkdown);
    const title = meta.title ?? named ?? deriveTitle(text);
    const kind = meta.title || !isUnpunctuated(text) ? kindOf(sections, meta, "article") : "transcript";
    if (!meta.title && !named) messages.push({ level: "info", message: `no title in the source; derived "${title}" from its opening words` });
    return { shape: "raw", drafts: [draftFrom(file, fm.bodyLine, meta, sections, summaryOf(summarizeRaw(text)), kind, title)], messages };
  }

  const ids = new SlugRegistry();
  let sections = parseBody(body, ids, { declared });
  let title = meta.title ?? named;
  if (/^\s*#\s+/.test(body) && sections[0]?.heading && fitsTitle(sections[0].heading)) {
    // A single `# Title` heading names the note rather than a section (unless the title
    // would lose some of it: then it stays in the text, where nothing of it is cut). When
    // the title comes from elsewhere, a first heading that repeats it is not shown twice.
    const onlyH1 = (body.match(/^#\s+/gm) ?? []).length === 1;
    const repeats = title !== null && stripInline(sections[0].heading).toLowerCase() === stripInline(title).toLowerCase();
    if ((onlyH1 && !title) || repeats) {
      title ??= sections[0].heading;
      sections = parseBody(body.replace(/^\s*#\s+.*\n?/, ""), new SlugRegistry(), { declared });
    }
  }
  sections = withTopics(sections);
  return { shape: fm.data ? "frontmatter" : "plain", drafts: [draftFrom(file, 1, meta, sections, summaryOf(meta.summary), kindOf(sections, meta, "article"), title ?? titleFromBody(sections, file), references)], messages };
}

/** `.srt` / `.vtt`: cues become timestamped lines, read by the body parser like any transcript. */
function parseSubtitles(file: string, text: string, messages: BuildMessage[]): ParsedSource {
  const cues = subtitlesToLines(text, messages);
  if (cues === null) {
    messages.push({ level: "error", message: "no subtitle cue found (expected `00:00:01,000 --> 00:00:04,000` lines); no note was made from it" });
    return { shape: null, drafts: [], messages };
  }
  const { title: named, url } = subtitleName(basename(file, extname(file)));
  const title = escapeMarkdown(named);
  const meta = { ...emptyMetadata(), url, date: dateFromFileName(file) };
  const sections = withTopics(parseBody(cues.lines, new SlugRegistry(), { declared: cues.voices }));
  const kind = kindOf(sections, meta, "talk");
  return { shape: "subtitles", drafts: [draftFrom(file, 1, meta, sections, null, kind === "article" ? "talk" : kind, title)], messages };
}

/** A heading can become the title without losing a word (to the length cap, or a link's URL). */
function fitsTitle(heading: string): boolean {
  const title = stripMarkdown(heading);
  return Array.from(title).length <= TITLE_MAX && (heading.match(/[\p{L}\p{N}]+/gu) ?? []).every((w) => title.includes(w));
}

/** A long transcript (turns or timed lines) that has no headings gets topic sections (src/ingest/topics.ts). */
function withTopics(sections: Section[]): Section[] {
  const spoken = sections.some((s) => s.blocks.some((b) => b.type === "turn" || b.time !== null));
  return spoken ? topicSections(sections, stripMarkdown) : sections;
}
