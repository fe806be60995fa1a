/**
 * Notes → the documents Pagefind indexes. We hand Pagefind one small HTML document
 * per note (its Node API `addHTMLFile`) instead of letting it crawl the pages:
 * the text is pre-cut into bigrams by `indexText` (see query.js for why), the
 * weights say what matters (title, then names the metadata declares, then the
 * summary), every alias of a named entity is indexed so `英伟达` finds a note that
 * only says `NVIDIA`, and filters, sort keys and display metadata come straight
 * from the typed records rather than from scraping HTML.
 */
import { ENTITY_TYPES, type EntityType, TYPE_INFO } from "../entities/registry.ts";
import type { PublishedNote } from "../site/data.ts";
import { stripMarkdown } from "../text.ts";
import { indexText, RUN_BREAK } from "./query.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The search filters: one per entity type (its short label, from the one table of types), then the note's kind. */
export const FILTER_NAMES = { ...Object.fromEntries(ENTITY_TYPES.map((t) => [t, TYPE_INFO[t].short])) as Record<EntityType, string>, kind: "类型" };

/** The facets the search page shows, in order (given to the page's script by the template). */
export const SEARCH_FACETS = [...ENTITY_TYPES.map((t) => FILTER_NAMES[t]), FILTER_NAMES.kind];

export interface SearchDocument { url: string; html: string }

/** The names of an entity, by id: all a search document needs from the entity index. */
export type NameLookup = Record<string, { name: string; aliases: string[] }>;

export function searchDocument(note: PublishedNote, names: NameLookup, table: Record<string, string> | null): SearchDocument {
  const t = (s: string) => esc(indexText(s, table));
  const declared = new Set(note.declaredNames);
  const named = [...note.links.people, ...note.links.companies, ...note.links.products].map((r) => names[r.id]).filter((e) => e !== undefined);
  const heavy = named.filter((e) => declared.has(e.name)).flatMap((e) => [e.name, ...e.aliases]);
  const light = named.filter((e) => !declared.has(e.name)).flatMap((e) => [e.name, ...e.aliases]);
  const tags = note.links.tags.map((r) => r.label);
  const meta = (key: string, value: string) => `<meta data-pagefind-meta="${key}[content]" content="${esc(value)}">`;
  const filter = (key: string, value: string) => `<meta data-pagefind-filter="${key}[content]" content="${esc(value)}">`;
  const parts: string[] = [
    meta("title", note.title),
    meta("date", note.date ?? ""),
    meta("kind", note.kindLabel),
    // Facets show the names readers know (黄仁勋, 英伟达), like the chips and headings.
    ...note.links.people.map((r) => filter(FILTER_NAMES.person, r.label)),
    ...note.links.companies.map((r) => filter(FILTER_NAMES.company, r.label)),
    ...note.links.products.map((r) => filter(FILTER_NAMES.product, r.label)),
    ...tags.map((name) => filter(FILTER_NAMES.tag, name)),
    filter(FILTER_NAMES.kind, note.kindLabel),
    `<meta data-pagefind-sort="date[content]" content="${note.date ?? "0000-00-00"}">`,
    `<h1 data-pagefind-weight="10">${t(note.title)} ${RUN_BREAK}</h1>`,
    // Other titles (Obsidian `aliases`) find the note as its title does.
    ...(note.aliases.length ? [`<p data-pagefind-weight="8">${t(note.aliases.join(" ⁞ "))}</p>`] : []),
  ];
  // Names and aliases are searchable metadata, not text: they rank (weights set in
  // search.js) without ever becoming the excerpt a reader sees.
  const nameMeta = (key: string, list: string[]) => (list.length ? [meta(key, indexText(list.join(" ⁞ "), table))] : []);
  const tagNames = note.links.tags.flatMap((r) => (r.label !== r.name ? [r.label, r.name] : [r.name]));
  parts.push(...nameMeta("declared", [...heavy, ...tagNames]), ...nameMeta("people", [...note.authors, ...note.speakers]), ...nameMeta("mentioned", light));
  if (note.summary) parts.push(`<p data-pagefind-weight="2">${t(stripMarkdown(note.summary))} ${RUN_BREAK}</p>`);
  if (note.details.reason) parts.push(`<p data-pagefind-weight="2">${t(note.details.reason)} ${RUN_BREAK}</p>`);
  for (const s of note.sections) {
    // `⁞` ends a heading (and a paragraph without a full stop): Pagefind would join it to the next text with ".".
    if (s.heading) parts.push(`<h2 id="${esc(s.id)}">${t(s.heading)} ${RUN_BREAK}</h2>`);
    for (const b of s.blocks) {
      const text = stripMarkdown(b.text);
      const end = /[。！？.!?…]$/.test(text.trim()) ? "" : ` ${RUN_BREAK}`;
      parts.push(`<p>${b.type === "turn" ? `${t(b.speaker)}： ` : ""}${t(text)}${end}</p>`);
    }
  }
  return { url: note.url, html: `<!doctype html><html lang="en"><head><title>${esc(note.title)}</title></head><body><main data-pagefind-body>${parts.join("\n")}</main></body></html>` };
}
