// Dates as the pages say them, shared by the templates (src/site/filters.ts), the search
// page and the hover previews (copied to /assets/dates.js).

/**
 * `2026-01-04` → `2026年1月4日`; undated is `未注明日期`.
 * @param {string | null | undefined} date
 */
export function dateLabel(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? "");
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : "未注明日期";
}
