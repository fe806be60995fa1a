/**
 * The resolve stage: every link and embed a note makes to another file, pointed at what
 * it means on the site. Runs after notes have their ids, before linking entities.
 *
 * - `[[Note]]`, `[[Note|label]]`, `[[Note#Heading]]`, `[[#Heading]]`, `[[folder/Note]]`
 *   and relative markdown links to `.md` files become links to the note page, matched as
 *   Obsidian matches: by path (relative to the linking note, then to the folder's root,
 *   then as a path suffix), by file name, then by alias — case-insensitively; among
 *   notes of the same name, the one sharing the longest folder path with the linking
 *   note (so each vault's links stay in the vault), then the shortest path.
 * - `![[image.png]]`, `![alt](img/a.png)` and Hexo's `{% asset_img a.png %}` show the image
 *   published beside the notes; a PDF becomes a link to it; `![[Note]]` becomes a quote box
 *   with the note's title (a link) and a short excerpt.
 * - What cannot be resolved shows its label as text, and the report lists it (info); a
 *   path that leaves the seeds folder or a `file:` URL is never a link (warning).
 * Notes without references are passed on as they are.
 */
import { posix } from "node:path";
import type { BuildMessage, Note, Section } from "../note.ts";
import type { MediaSizes } from "../site/markdown.ts";
import { escapeMarkdown, foldName, shortHash, slugify, stripInline, stripMarkdown, truncate, wikilinkLabel } from "../text.ts";
import { ASSET_IMG, codeLines, isLocalTarget, mapProse, MD_LINK, WIKILINK } from "../ingest/markup.ts";
import type { Asset } from "./assets.ts";

export interface ResolveInput {
  notes: Note[];
  /** Note id → the path of its source inside the seeds folder (`/`-separated). */
  paths: Map<string, string>;
  assets: Asset[];
}

export interface Resolved {
  /** The notes with their references rewritten (unchanged notes are the same objects). */
  notes: Note[];
  /** Note id → ids of the notes it links to or embeds, and of the notes that link to it. */
  outlinks: Map<string, string[]>;
  backlinks: Map<string, string[]>;
  /** Note id → sizes of the images it shows. */
  media: Map<string, MediaSizes>;
  /** Source file (`note.source.file`) → messages about its references. */
  messages: Map<string, BuildMessage[]>;
  /** Note id → a hash of what its references resolved to (part of the link cache key). */
  signatures: Map<string, string>;
  stats: { links: number; resolved: number; embeds: number; images: number; unresolved: number };
}

const stripExt = (p: string) => p.replace(/\.(?:md|markdown|txt)$/i, "");

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}



/** Heading text → anchor id on the note page, for every heading the page renders (sections and headings inside prose). */
function anchorsOf(note: Note): Map<string, string> {
  const anchors = new Map<string, string>();
  for (const s of note.sections) {
    if (s.heading) anchors.set(foldName(stripInline(s.heading)), s.id);
    s.blocks.forEach((b, i) => {
      if (b.type !== "prose" || !b.text.includes("#")) return;
      const lines = b.text.split("\n");
      const code = codeLines(lines);
      lines.forEach((line, j) => {
        const h = !code[j] && /^\s{0,3}#{2,6}\s+(.*?)\s*#*\s*$/.exec(line);
        // The same ids markdown-it-anchor gives them (src/site/markdown.ts: `<prefix>-<slug>`, prefix `<section>-<block>`).
        if (h) anchors.set(foldName(stripInline(h[1]!)), `${s.id}-${i + 1}-${slugify(stripInline(h[1]!), 40)}`);
      });
    });
  }
  return anchors;
}

/** A short plain-text excerpt of a note (or of one of its sections) for an embed. */
function excerptOf(note: Note, sectionId: string | null): string {
  const sections = sectionId ? note.sections.filter((s) => s.id === sectionId) : note.sections;
  const text = (!sectionId && note.summary) ? note.summary : sections.flatMap((s) => s.blocks.map((b) => b.text)).join(" ");
  return truncate(stripMarkdown(text), 160);
}

/** What a link's path names: a note, a file beside the notes, or a place outside the seeds folder. */
interface Target { note?: Note; asset?: Asset; escapes?: boolean }

/** A path that names a file with an extension other than a note's (`img/a.png`): found by file name too, as Obsidian finds attachments. */
const assetLike = (p: string) => /\.[a-z0-9]{2,5}$/i.test(p) && !/\.(?:md|markdown|txt)$/i.test(p);

export function resolveReferences(input: ResolveInput): Resolved {
  const byPath = new Map<string, Note>();
  const byName = new Map<string, Note[]>();
  const byAlias = new Map<string, Note[]>();
  const pathOf = new Map<Note, string>();
  for (const n of input.notes) {
    const p = input.paths.get(n.id);
    if (!p) continue;
    pathOf.set(n, p);
    const key = foldName(stripExt(p));
    if (!byPath.has(key)) byPath.set(key, n);
    const name = key.split("/").pop()!;
    const list = byName.get(name) ?? [];
    if (!list.some((x) => pathOf.get(x) === p)) list.push(n);
    byName.set(name, list);
    for (const a of n.aliases) byAlias.set(foldName(a), [...(byAlias.get(foldName(a)) ?? []), n]);
  }
  const assetByPath = new Map(input.assets.map((a) => [foldName(a.rel), a]));
  const assetByName = new Map<string, Asset[]>();
  for (const a of input.assets) {
    const name = foldName(a.rel.split("/").pop()!);
    assetByName.set(name, [...(assetByName.get(name) ?? []), a]);
  }
  const anchorCache = new Map<Note, Map<string, string>>();
  const anchorIn = (n: Note, heading: string) => {
    let a = anchorCache.get(n);
    if (!a) anchorCache.set(n, (a = anchorsOf(n)));
    return a.get(foldName(stripInline(heading.replace(/^\^/, "")))) ?? null;
  };
  /** Among files of the same name, the one nearest the linking note: the longest shared folder path (so a vault's own notes win), then the shortest path. */
  const closest = <T>(list: T[] | undefined, dir: string, pathOfItem: (x: T) => string): T | undefined => {
    if (!list?.length) return undefined;
    const shared = (p: string) => {
      const a = dir ? dir.split("/") : [], b = posix.dirname(p).split("/");
      let n = 0;
      while (n < a.length && n < b.length && a[n] === b[n]) n++;
      return n;
    };
    return [...list].sort((x, y) => {
      const px = pathOfItem(x), py = pathOfItem(y);
      return shared(py) - shared(px) || px.split("/").length - py.split("/").length || (px < py ? -1 : 1);
    })[0];
  };
  const suffix = <T>(map: Map<string, T>, key: string, dir: string, pathOfItem: (x: T) => string): T | undefined =>
    closest([...map].filter(([k]) => k.endsWith(`/${key}`)).map(([, v]) => v), dir, pathOfItem);

  /** A path as written in a note in folder `dir` → the note or asset it names; `escapes` when it leaves the folder. */
  const find = (raw: string, dir: string, byFileName: boolean): Target => {
    const p = decodePath(raw).replace(/\\/g, "/").trim();
    if (!p) return {};
    const candidates: string[] = [];
    if (p.startsWith("/")) candidates.push(posix.normalize(p.slice(1)));
    else {
      const rel = posix.normalize(posix.join(dir, p));
      if (rel.startsWith("../") || rel === "..") return { escapes: true };
      candidates.push(rel, posix.normalize(p));
    }
    for (const c of candidates) {
      if (c.startsWith("../")) continue;
      const key = foldName(c);
      const asset = assetByPath.get(key);
      if (asset) return { asset };
      const note = byPath.get(foldName(stripExt(c)));
      if (note) return { note };
    }
    const key = foldName(stripExt(posix.normalize(p.replace(/^\/+/, ""))));
    const viaSuffix = key.includes("/") ? suffix(byPath, key, dir, (n) => pathOf.get(n)!) : undefined;
    if (viaSuffix) return { note: viaSuffix };
    const assetSuffix = key.includes("/") ? suffix(assetByPath, foldName(posix.normalize(p.replace(/^\/+/, ""))), dir, (a) => a.rel) : undefined;
    if (assetSuffix) return { asset: assetSuffix };
    // A link that names a folder (`[[c++/拷贝/Note]]`) means that path: Obsidian does not fall back to the file name.
    if (!byFileName || (key.includes("/") && !/^\.{0,2}\//.test(p) && p.split("/").length > 1 && !assetLike(p))) return {};
    const name = key.split("/").pop()!;
    const asset = closest(assetByName.get(foldName(p.split("/").pop()!)), dir, (a) => a.rel);
    if (asset) return { asset };
    const note = closest(byName.get(name), dir, (n) => pathOf.get(n)!) ?? closest(byAlias.get(foldName(p)), dir, (n) => pathOf.get(n)!);
    return note ? { note } : {};
  };

  const outlinks = new Map<string, string[]>();
  const backlinks = new Map<string, string[]>();
  const media = new Map<string, MediaSizes>();
  const messages = new Map<string, BuildMessage[]>();
  const signatures = new Map<string, string>();
  const stats = { links: 0, resolved: 0, embeds: 0, images: 0, unresolved: 0 };

  const notes = input.notes.map((note) => {
    if (!note.references.length) return note;
    const self = pathOf.get(note) ?? note.source.file;
    const dir = posix.dirname(self) === "." ? "" : posix.dirname(self);
    const lineOf = (raw: string) => note.references.find((r) => r.raw === raw)?.line;
    const said = new Set<string>();
    const report = (level: BuildMessage["level"], raw: string, message: string) => {
      const key = `${raw}\u0000${message}`;
      if (said.has(key)) return;
      said.add(key);
      const list = messages.get(note.source.file) ?? [];
      const line = lineOf(raw);
      list.push(line === undefined ? { level, message } : { level, line, message });
      messages.set(note.source.file, list);
    };
    const links = new Set<string>();
    const sizes: MediaSizes = {};
    const trail: string[] = [];
    const linkTo = (n: Note) => { if (n !== note) links.add(n.id); };
    const showAsset = (a: Asset, alt: string): string => {
      trail.push(a.url);
      if (a.kind === "image") {
        stats.images++;
        if (a.width && a.height) sizes[a.url] = { width: a.width, height: a.height };
        return `![${escapeMarkdown(alt)}](<${a.url}>)`;
      }
      return `[${escapeMarkdown(alt || a.rel.split("/").pop()!)}](<${a.url}>)`;
    };

    const wikilink = (raw: string, bang: string, innerRaw: string, wholeLine: boolean): string => {
      // Inside a table, Obsidian writes the pipe escaped: `[[Note\|label]]`.
      const inner = innerRaw.replace(/\\\|/g, "|");
      // Everything after the first `|` is the label, as in Obsidian (`[[ep|Title | Guest]]`).
      const [targetPart = "", ...labelParts] = inner.split("|");
      const labelPart = labelParts.length ? labelParts.join("|") : undefined;
      const [pathPart = "", ...headingParts] = targetPart.split("#");
      const heading = headingParts.join("#").trim() || null;
      const label = labelPart?.trim() || wikilinkLabel(targetPart);
      const embed = bang === "!";
      stats.links++;
      if (/^[a-z][a-z0-9+.-]*:/i.test(pathPart.trim())) {
        stats.unresolved++;
        report("warning", raw, `\`${raw}\` is a URL, not a note; it is kept as text`);
        return escapeMarkdown(label);
      }
      const found: Target = pathPart.trim() ? find(pathPart.trim(), dir, true) : { note };
      if (found.escapes) {
        stats.unresolved++;
        report("warning", raw, `\`${raw}\` points outside the seeds folder; nothing outside it is published, so it is kept as text`);
        return escapeMarkdown(label);
      }
      if (found.asset) {
        stats.resolved++;
        // `![[a.png|300]]` gives a width, not a caption.
        return embed ? showAsset(found.asset, labelPart && !/^\d+(?:x\d+)?$/.test(labelPart.trim()) ? labelPart.trim() : found.asset.rel.split("/").pop()!.replace(/\.[^.]+$/, "")) : `[${escapeMarkdown(label)}](<${found.asset.url}>)`;
      }
      if (!found.note) {
        stats.unresolved++;
        report("info", raw, `\`${raw}\`: no note or file named “${pathPart.trim()}” in the folder; the ${embed ? "embed" : "link"} is kept as text`);
        return escapeMarkdown(label);
      }
      stats.resolved++;
      const target = found.note;
      linkTo(target);
      let anchor: string | null = null;
      if (heading) {
        anchor = anchorIn(target, heading);
        if (!anchor) report("info", raw, `\`${raw}\`: “${target.title}” has no heading “${heading}”; the link goes to the top of the note`);
      }
      const url = `${target.url}${anchor ? `#${anchor}` : ""}`;
      trail.push(url);
      if (embed && target !== note) {
        stats.embeds++;
        const excerpt = excerptOf(target, anchor && target.sections.some((s) => s.id === anchor) ? anchor : null);
        const box = `> [!embed] [${escapeMarkdown(target.title)}](<${url}>)${excerpt ? `\n> ${escapeMarkdown(excerpt)}` : ""}`;
        trail.push(excerpt);
        return wholeLine ? `\n\n${box}\n\n` : `[${escapeMarkdown(target.title)}](<${url}>)`;
      }
      return `[${escapeMarkdown(label)}](<${url}>)`;
    };

    const mdLink = (raw: string, bang: string, text: string, target: string, title: string | undefined): string => {
      const t = target.replace(/^<|>$/g, "").trim();
      if (/^file:/i.test(t)) {
        report("warning", raw, `\`${raw}\` points at a local file (\`file:\`); it is never a link or copied, and is kept as text`);
        return escapeMarkdown(text);
      }
      if (!isLocalTarget(t)) return raw;
      stats.links++;
      const [pathPart = "", hash] = t.split("#");
      const found = find(pathPart.split("?")[0]!, dir, bang === "!");
      if (found.escapes) {
        report("warning", raw, `\`${raw}\` points outside the seeds folder; nothing outside it is published, so it is kept as text`);
        return escapeMarkdown(text);
      }
      if (found.asset) {
        stats.resolved++;
        return bang ? showAsset(found.asset, text) : `[${text}](<${found.asset.url}>${title ?? ""})`;
      }
      if (found.note) {
        stats.resolved++;
        linkTo(found.note);
        const anchor = hash ? anchorIn(found.note, decodePath(hash).replace(/-/g, " ")) ?? anchorIn(found.note, decodePath(hash)) : null;
        const url = `${found.note.url}${anchor ? `#${anchor}` : ""}`;
        trail.push(url);
        return `${bang}[${text}](<${url}>${title ?? ""})`;
      }
      stats.unresolved++;
      report("info", raw, `\`${raw}\`: no ${bang ? "image" : "file"} “${decodePath(pathPart)}” beside the notes; ${bang ? "its description" : "its text"} is shown instead`);
      return bang ? (text ? `[图片：${text}]` : "") : text;
    };

    const assetImg = (raw: string, name: string, title: string | undefined): string => {
      // Hexo keeps a post's assets in a folder named after the post.
      const postDir = stripExt(self);
      const found = find(`/${postDir}/${name}`, dir, false);
      const alt = title?.replace(/^["']|["']$/g, "").trim() || name.replace(/\.[^.]+$/, "");
      if (found.asset) { stats.resolved++; return showAsset(found.asset, alt); }
      const byName = find(name, dir, true);
      if (byName.asset) { stats.resolved++; return showAsset(byName.asset, alt); }
      stats.unresolved++;
      report("info", raw, `\`${raw}\`: no image “${name}” beside the post; its description is shown instead`);
      return `[图片：${escapeMarkdown(alt)}]`;
    };

    // Markdown links first: what the wikilink pass writes is a markdown link, and must not be resolved twice.
    const rewrite = (md: string): string => mapProse(md, (prose) => prose
      .replace(MD_LINK, (raw, bang: string, text: string, target: string, title: string | undefined) => mdLink(raw, bang, text, target, title))
      .replace(ASSET_IMG, (raw, name: string, title: string | undefined) => assetImg(raw, name, title))
      .replace(WIKILINK, (raw, bang: string, inner: string, offset: number, all: string) => {
        const lineStart = all.lastIndexOf("\n", offset - 1) + 1;
        const lineEnd = all.indexOf("\n", offset);
        const line = all.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
        return wikilink(raw, bang, inner, line.trim() === raw);
      }));

    const sections: Section[] = note.sections.map((s) => ({ ...s, blocks: s.blocks.map((b) => ({ ...b, text: rewrite(b.text) })) }));
    const summary = rewrite(note.summary);
    outlinks.set(note.id, [...links]);
    for (const id of links) backlinks.set(id, [...(backlinks.get(id) ?? []), note.id]);
    if (Object.keys(sizes).length) media.set(note.id, sizes);
    signatures.set(note.id, shortHash(trail.join("\n"), 12));
    return { ...note, sections, summary };
  });
  return { notes, outlinks, backlinks, media, messages, signatures, stats };
}
