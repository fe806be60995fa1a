/** The build's console summary: one line per warning or error, then one line of counts. */
import { formatMessage } from "../pipeline.ts";
import { lastBuild } from "./build-state.ts";

/** Print one line per warning/error (file:line: level: message) and a one-line summary. */
export function printReport(verbose: boolean): { errors: number; warnings: number } {
  const state = lastBuild();
  if (!state) throw new Error("the pipeline did not run: is eleventy.config.ts registering the `kb` data?");
  let errors = 0, warnings = 0;
  for (const input of state.result.report.inputs) {
    for (const m of input.messages) {
      if (m.level === "error") errors++;
      if (m.level === "warning") warnings++;
      if (m.level !== "info" || verbose) console.log(`  ${formatMessage(input.file, m)}`);
    }
  }
  const s = state.result.stats;
  console.log(`[kb] read ${s.files} files (${s.cached} from cache) → ${s.notes} notes, ${state.data.entities.length} entity pages · parse ${s.parseMs} ms, link ${s.linkMs} ms · ${errors} errors, ${warnings} warnings`);
  return { errors, warnings };
}

