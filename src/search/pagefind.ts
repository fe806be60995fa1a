/**
 * The search step: Pagefind's Node API over the built HTML. Pages declare what is
 * indexed in their markup (`data-pagefind-body` on notes, filters and sort keys as
 * `<meta data-pagefind-…>`), so this stays a thin wrapper.
 */
import { join } from "node:path";
import * as pagefind from "pagefind";

export interface IndexStats { pages: number; ms: number }

export async function indexSite(siteDir: string): Promise<IndexStats> {
  const t0 = performance.now();
  const { index, errors } = await pagefind.createIndex({});
  if (!index) throw new Error(`pagefind: could not create an index: ${errors.join("; ")}`);
  try {
    const added = await index.addDirectory({ path: siteDir });
    if (added.errors.length) throw new Error(`pagefind: ${added.errors.join("; ")}`);
    const written = await index.writeFiles({ outputPath: join(siteDir, "pagefind") });
    if (written.errors.length) throw new Error(`pagefind: ${written.errors.join("; ")}`);
    return { pages: added.page_count, ms: Math.round(performance.now() - t0) };
  } finally {
    await pagefind.close();
  }
}
