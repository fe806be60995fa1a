/**
 * Publishing under a sub-path (`KB_PATH_PREFIX=/kb/`): Eleventy's HTML base plugin
 * rewrites the URL attributes HTML knows (href, src, action…). Scripts read a few
 * URLs from `data-*` attributes instead (the search page's `data-bundle`); this
 * gives those the same prefix, so pages and their scripts agree on where files are.
 */

/** `data-*` attributes whose value is a site URL. */
export const URL_DATA_ATTRIBUTES = ["data-bundle"] as const;

/** `kb`, `/kb`, `/kb/` → `/kb/`; empty → `/`. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? "").trim().replace(/^\/+|\/+$/g, "");
  return trimmed ? `/${trimmed}/` : "/";
}

/** Prefix root-relative URLs in URL_DATA_ATTRIBUTES; values already under the prefix are left alone. */
export function prefixDataUrls(html: string, prefix: string): string {
  const base = normalizePrefix(prefix);
  if (base === "/") return html;
  const names = URL_DATA_ATTRIBUTES.join("|");
  return html.replace(new RegExp(`(\\s(?:${names})=")(/[^"]*)"`, "g"), (whole, head: string, url: string) =>
    url.startsWith(base) || url.startsWith("//") ? whole : `${head}${base}${url.slice(1)}"`);
}
