/** The build's console summary: one line per warning or error, then the files by status and the counts. */
import { formatMessage, type PipelineResult } from "../pipeline.ts";
import type { SiteData } from "./data.ts";

/**
 * Print one line per warning/error (file:line: level: message), the number of input
 * files by status, and a one-line summary. `verbose` adds info messages and one
 * status line for every file.
 */
export function printReport(state: { result: PipelineResult; data: SiteData }, verbose: boolean): { errors: number; warnings: number } {
  let errors = 0, warnings = 0;
  for (const input of state.result.report.inputs) {
    if (verbose) console.log(`  ${input.file}: ${input.status} (${input.notes.length} note${input.notes.length === 1 ? "" : "s"})`);
    for (const m of input.messages) {
      if (m.level === "error") errors++;
      if (m.level === "warning") warnings++;
      if (m.level !== "info" || verbose) console.log(`  ${formatMessage(input.file, m)}`);
    }
  }
  const inputs = state.result.report.inputs;
  const count = (status: string) => inputs.filter((i) => i.status === status).length;
  console.log(`[kb] ${inputs.length} input files: ${count("ok")} ok, ${count("warning")} with warnings, ${count("error")} with errors (every file is listed in /api/build-report.json)`);
  const other = state.result.report.other;
  const kinds = [other.images ? `${other.images} image${other.images === 1 ? "" : "s"}` : "", other.pdfs ? `${other.pdfs} PDF${other.pdfs === 1 ? "" : "s"}` : ""].filter(Boolean);
  const skipped = Object.entries(other.skipped).sort((a, b) => b[1] - a[1]);
  const skippedCount = skipped.reduce((n, [, c]) => n + c, 0);
  if (kinds.length || skippedCount || other.ignored.length) {
    console.log(`[kb] beside the notes: ${kinds.length ? `${kinds.join(", ")} published as assets` : "no images or PDFs"}${skippedCount ? `; ${skippedCount} other file${skippedCount === 1 ? "" : "s"} skipped (${skipped.map(([ext, n]) => `${ext} ${n}`).join(", ")})` : ""}${other.ignored.length ? `; not read: ${other.ignored.slice(0, 4).join(", ")}${other.ignored.length > 4 ? ` and ${other.ignored.length - 4} more` : ""}` : ""}`);
  }
  const l = state.result.report.links;
  if (l.links) console.log(`[kb] links: ${l.links} wikilinks and local links, ${l.resolved} resolved, ${l.unresolved} not found (listed as info in the report; --verbose prints them); ${l.embeds} note embeds, ${l.images} images shown`);
  const s = state.result.stats;
  console.log(`[kb] read ${s.files} files (${s.cached} from cache) → ${s.notes} notes, ${state.data.entities.length} entity pages · parse ${s.parseMs} ms, link ${s.linkMs} ms · ${errors} errors, ${warnings} warnings`);
  return { errors, warnings };
}

