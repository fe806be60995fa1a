/** Walk a built site as a reader does: follow every internal link from the home page. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Site path (`/notes/x/`) → file in `dir`, or null when missing. */
export function resolvePath(dir: string, path: string): string | null {
  const clean = decodeURIComponent(path.split("#")[0]!.split("?")[0]!);
  const file = join(dir, clean.endsWith("/") ? `${clean}index.html` : clean);
  return existsSync(file) ? file : null;
}

export interface Crawl { reached: Set<string>; broken: Array<{ from: string; href: string }> }

/** Follow `href`/`src` attributes of HTML pages from `/`; returns reached files and broken links. */
export function crawl(dir: string, prefix = "/"): Crawl {
  const reached = new Set<string>();
  const broken: Crawl["broken"] = [];
  const queue = ["/"];
  while (queue.length) {
    const path = queue.shift()!;
    const file = resolvePath(dir, path);
    if (!file || reached.has(file)) continue;
    reached.add(file);
    if (!file.endsWith(".html")) continue;
    const html = readFileSync(file, "utf8");
    for (const m of html.matchAll(/\s(?:href|src|action)="([^"]*)"/g)) {
      let href = m[1]!.replace(/&amp;/g, "&");
      if (/^(?:[a-z]+:|\/\/|#)/i.test(href) || href === "") continue;
      if (!href.startsWith(prefix)) { broken.push({ from: relative(dir, file), href }); continue; }
      href = "/" + href.slice(prefix.length);
      if (!resolvePath(dir, href)) broken.push({ from: relative(dir, file), href });
      else queue.push(href);
    }
  }
  return { reached, broken };
}
