/**
 * One source file → zero or more `NoteDraft`s plus messages. Detects the shape and
 * hands it to the module for that shape; every path ends in notes or a reported error.
 */
import { basename, extname } from "node:path";
import type { BuildMessage, NoteDraft, NoteKind, Section } from "../note.ts";
import { countWords, decodeSource, SlugRegistry, stripMarkdown, truncate } from "../text.ts";
import { parseBody } from "./body.ts";
import { isDigest, parseDigest } from "./digest.ts";
import { isGardenBody, parseGarden } from "./garden.ts";
import { dedupe, emptyMetadata, readMetadata, splitFrontMatter, type Metadata } from "./metadata.ts";
import { deriveTitle, isRawTranscript, isUnpunctuated, paragraphs, summarizeRaw } from "./raw.ts";

export type SourceShape = "frontmatter" | "garden" | "digest" | "raw" | "plain";

export interface ParsedSource {
  shape: SourceShape | null;
  drafts: NoteDraft[];
  messages: BuildMessage[];
}

/** Titles are cut to this many characters. */
const TITLE_MAX = 200;

/** The extensions read as sources; anything else under seeds/ is reported and skipped. */
export const SOURCE_EXTENSIONS = [".txt", ".md", ".markdown"];

function sectionsText(sections: Section[]): string {
  return sections.flatMap((s) => [s.heading, ...s.blocks.map((b) => b.text)]).join("\n");
}

function speakersOf(sections: Section[]): string[] {
  return dedupe(sections.flatMap((s) => s.blocks.flatMap((b) => (b.type === "turn" ? [b.speaker] : []))));
}

function kindOf(sections: Section[], meta: Metadata, fallback: NoteKind): NoteKind {
  if (speakersOf(sections).length > 0) return "conversation";
  if (meta.speakers.length > 0 || (meta.url && /youtube\.com|youtu\.be|bilibili\.com|vimeo\.com|xiaoyuzhoufm|podcast/i.test(meta.url))) return "talk";
  return fallback;
}

/** A title from the body when the metadata has none: first heading, else the opening words. */
function titleFromBody(sections: Section[], file: string): string {
  const heading = sections.find((s) => s.heading)?.heading;
  if (heading) return heading;
  const first = sections.flatMap((s) => s.blocks).map((b) => stripMarkdown(b.text)).find(Boolean);
  if (first) return deriveTitle(first.split("\n")[0]!);
  return basename(file, extname(file));
}

function draftFrom(file: string, line: number, meta: Metadata, sections: Section[], summary: string | null, kind: NoteKind, title: string): NoteDraft {
  const turnSpeakers = speakersOf(sections);
  // A front-matter `speaker` often names the channel; who actually speaks wins when turns exist.
  const speakers = turnSpeakers.length ? turnSpeakers : meta.speakers;
  const text = sectionsText(sections);
  return {
    title: truncate(stripMarkdown(title), TITLE_MAX) || basename(file),
    date: meta.date,
    kind,
    source: { file, url: meta.url, entry: null, line },
    authors: meta.authors,
    speakers,
    people: meta.people,
    companies: meta.companies,
    products: meta.products,
    tags: meta.tags,
    summary: summary ?? truncate(stripMarkdown(text.slice(0, 2000)), 160),
    sections,
    details: { quality: null, reason: null, duration: meta.duration, status: meta.status, wordCount: countWords(text) },
  };
}

/** Parse one source. `file` is the project-relative path used in messages and `source.file`. */
export function parseSource(file: string, bytes: Uint8Array): ParsedSource {
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
  const fm = splitFrontMatter(decoded.text);
  messages.push(...fm.messages);
  const meta = fm.data ? readMetadata(fm.data, messages, fm.lineOf) : emptyMetadata();
  const body = fm.body;

  if (!body.trim()) {
    // Metadata with something to read (a title or a summary) is still a note; anything less is not.
    if (fm.data && (meta.title || meta.summary)) {
      messages.push({ level: "warning", line: fm.bodyLine, message: "the file has front-matter but no text; the note has only its metadata" });
      return { shape: "frontmatter", drafts: [draftFrom(file, 1, meta, [], meta.summary, "article", meta.title ?? basename(file, extname(file)))], messages };
    }
    messages.push({ level: "error", line: fm.bodyLine, message: `the file has no text after its front-matter${fm.data ? " and no title or summary in it" : ""}; no note was made from it` });
    return { shape: null, drafts: [], messages };
  }

  if (isGardenBody(body)) {
    const g = parseGarden(body, fm.bodyLine, meta, messages);
    const title = meta.title ?? titleFromBody(g.sections, file);
    return { shape: "garden", drafts: [draftFrom(file, 1, meta, g.sections, g.summary ?? meta.summary, kindOf(g.sections, meta, "article"), title)], messages };
  }

  if (isDigest(body)) {
    const articles = parseDigest(body, fm.bodyLine, messages);
    const drafts = articles.map((a): NoteDraft => {
      const base = draftFrom(file, a.line, { ...meta, authors: a.authors.length ? a.authors : meta.authors, date: a.date ?? meta.date }, a.sections, a.summary, "digest-article", a.title);
      return { ...base, source: { ...base.source, entry: a.entry }, details: { ...base.details, quality: a.quality, reason: a.reason } };
    });
    return { shape: "digest", drafts, messages };
  }

  if (isRawTranscript(body)) {
    const text = body.trim();
    const sections: Section[] = [{ id: "transcript", heading: "", time: null, blocks: paragraphs(text).map((p) => ({ type: "prose" as const, text: escapeMarkdown(p) })) }];
    const title = meta.title ?? deriveTitle(text);
    const kind = meta.title || !isUnpunctuated(text) ? kindOf(sections, meta, "article") : "transcript";
    if (!meta.title) messages.push({ level: "info", message: `no title in the source; derived "${title}" from its opening words` });
    return { shape: "raw", drafts: [draftFrom(file, fm.bodyLine, meta, sections, meta.summary ?? summarizeRaw(text), kind, title)], messages };
  }

  const ids = new SlugRegistry();
  let sections = parseBody(body, ids);
  let title = meta.title;
  if (!title && /^\s*#\s+/.test(body) && sections[0]?.heading && fitsTitle(sections[0].heading)) {
    // A single `# Title` heading names the note rather than a section (unless the title
    // would lose some of it: then it stays in the text, where nothing of it is cut).
    const onlyH1 = (body.match(/^#\s+/gm) ?? []).length === 1;
    if (onlyH1) {
      title = sections[0].heading;
      sections = parseBody(body.replace(/^\s*#\s+.*\n?/, ""), new SlugRegistry());
    }
  }
  return { shape: fm.data ? "frontmatter" : "plain", drafts: [draftFrom(file, 1, meta, sections, meta.summary, kindOf(sections, meta, "article"), title ?? titleFromBody(sections, file))], messages };
}

/** A heading can become the title without losing a word (to the length cap, or a link's URL). */
function fitsTitle(heading: string): boolean {
  const title = stripMarkdown(heading);
  return Array.from(title).length <= TITLE_MAX && (heading.match(/[\p{L}\p{N}]+/gu) ?? []).every((w) => title.includes(w));
}

/** Raw transcript text is plain text: characters markdown would act on are escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}\[\]<>#|~])/g, "\\$1").replace(/^(\s*)([-+]|\d+[.)])(\s)/, "$1\\$2$3");
}
