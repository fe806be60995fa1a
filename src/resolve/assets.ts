/**
 * Files that sit beside the sources and are published with the site: images (shown
 * where a note embeds them) and PDFs (linked). Only files found by walking the seeds
 * folder can be published (never a symbolic link, never a dot-folder), so no reference
 * in a note can make the build copy a file from anywhere else. SVG can carry scripts:
 * it is published only as DOMPurify's sanitised serialisation (no script, event handler,
 * `foreignObject` or script URL), and not at all when sanitising removed something active.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { imageSize } from "image-size";
import { lazy } from "../caches.ts";
import type { BuildMessage } from "../note.ts";
import { MEDIA_PREFIX } from "../site/markdown.ts";

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".bmp", ".ico"];
export const DOCUMENT_EXTENSIONS = [".pdf"];
export type AssetKind = "image" | "pdf";

export interface Asset {
  /** Path inside the seeds folder, `/`-separated: where it is published under /media/. */
  rel: string;
  /** Absolute path of the file to copy. */
  path: string;
  kind: AssetKind;
  /** Site URL (`/media/…`, each segment percent-encoded). */
  url: string;
  width: number | null;
  height: number | null;
  /** For SVG: the sanitised text published instead of the file's bytes. */
  text: string | null;
}

export function assetKind(ext: string): AssetKind | null {
  if (IMAGE_EXTENSIONS.includes(ext)) return "image";
  if (DOCUMENT_EXTENSIONS.includes(ext)) return "pdf";
  return null;
}

export function mediaUrl(rel: string): string {
  return MEDIA_PREFIX + rel.split("/").map(encodeURIComponent).join("/");
}

type Purifier = { sanitize(text: string, options: object): string; removed: Array<{ element?: { nodeName: string }; attribute?: { name: string; value: string } }> };
/** DOMPurify on a jsdom window, loaded only when a folder has an SVG (jsdom is large). */
const purify = lazy((): Purifier => {
  const require = createRequire(import.meta.url);
  const { JSDOM } = require("jsdom") as { JSDOM: new (html: string) => { window: unknown } };
  const createDOMPurify = require("dompurify") as (window: unknown) => Purifier;
  return createDOMPurify(new JSDOM("").window);
});

/** Active content DOMPurify took out of an SVG: elements and attributes that can run or load something. */
const ACTIVE = /^(?:script|foreignobject|iframe|embed|object|handler|listener|set|animate|use|a|image|feimage|style)$|^on|href$|^xlink:href$/i;

/**
 * The SVG as it may be published, or null with a warning: only DOMPurify's SVG profile
 * survives, and a file from which it removed active content is not published at all.
 */
export function sanitizeSvg(text: string, messages: BuildMessage[]): string | null {
  const p = purify();
  const clean = p.sanitize(text, { USE_PROFILES: { svg: true, svgFilters: true }, NAMESPACE: "http://www.w3.org/2000/svg" });
  const active = p.removed.flatMap((r) => {
    const name = r.element?.nodeName ?? r.attribute?.name ?? "";
    const value = r.attribute?.value ?? "";
    return ACTIVE.test(name) || /^\s*(?:javascript|vbscript|data):/i.test(value) ? [`\`${name.toLowerCase()}\``] : [];
  });
  if (active.length || !/^<svg[\s>]/i.test(clean.trim())) {
    messages.push({ level: "warning", message: `the SVG carries active content (${[...new Set(active)].slice(0, 4).join(", ") || "nothing left after sanitising"}); it is not published` });
    return null;
  }
  return clean.includes("xmlns=") ? clean : clean.replace(/^<svg/i, '<svg xmlns="http://www.w3.org/2000/svg"');
}

const HEAD_BYTES = 64 * 1024;

function readHead(path: string, length: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

function sizeOf(bytes: Uint8Array): { width: number; height: number } | null {
  try {
    const s = imageSize(bytes);
    return s.width && s.height ? { width: s.width, height: s.height } : null;
  } catch {
    return null;
  }
}

/** An asset for a file found beside the sources, or null (with a message) when it may not be published. */
export function readAsset(path: string, rel: string, kind: AssetKind, messages: BuildMessage[]): Asset | null {
  let width: number | null = null, height: number | null = null, text: string | null = null;
  if (kind === "image") {
    const svg = rel.toLowerCase().endsWith(".svg");
    if (svg) {
      text = sanitizeSvg(readFileSync(path, "utf8"), messages);
      if (text === null) return null;
    }
    // An image's size is in its first bytes (a JPEG's frame header may come after its metadata:
    // then the whole file is read); the file itself is copied, not held, when the site is published.
    const size = sizeOf(svg ? Buffer.from(text!) : readHead(path, HEAD_BYTES)) ?? (svg ? null : sizeOf(readFileSync(path)));
    if (size) ({ width, height } = size);
    else messages.push({ level: "warning", message: "the image could not be read (not an image, or a format we do not know); it is published, but shown without its size" });
  }
  return { rel, path, kind, url: mediaUrl(rel), width, height, text };
}

/** Copy the assets into `outDir/media/`; a destination outside it (it cannot happen: paths come from a walk) is refused. */
export function publishAssets(outDir: string, assets: Asset[]): number {
  const root = resolve(outDir, MEDIA_PREFIX.slice(1));
  let n = 0;
  for (const a of assets) {
    const dest = resolve(root, ...a.rel.split("/"));
    if (relative(root, dest).startsWith("..")) continue;
    mkdirSync(dirname(dest), { recursive: true });
    if (a.text !== null) writeFileSync(dest, a.text);
    else copyFileSync(a.path, dest);
    n++;
  }
  return n;
}

