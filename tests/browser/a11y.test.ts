/**
 * Accessibility gate: axe-core (node_modules/axe-core) finds no serious or critical
 * violation on every page type — home, notes (a conversation, the long 004, the raw
 * transcript), a person, a company, a tag, a directory, the timeline, the graph, search
 * and 404 — in the light and the dark theme (prefers-color-scheme, and the theme
 * switch's choice against the system's), at desktop width, and on a phone (360 px)
 * for the home, note and graph pages.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { openSite, type SiteSession } from "../helpers/browser.ts";
import { luminance, samplePages, waitForSearchResults } from "../helpers/pages.ts";
import { buildSite, ROOT } from "../helpers/site.ts";

const AXE = join(ROOT, "node_modules/axe-core/axe.min.js");
const site = buildSite();
let session: SiteSession;

interface AxeViolation { id: string; impact: string | null; help: string; nodes: Array<{ target: string[]; failureSummary?: string }> }

async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(document, { resultTypes: ["violations"] });
  });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

function describeViolations(vs: AxeViolation[]): string {
  return vs.map((v) => `${v.impact} ${v.id} (${v.help}):\n` + v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")} — ${(n.failureSummary ?? "").replace(/\s+/g, " ").slice(0, 240)}`).join("\n")).join("\n");
}

describe("accessibility (axe-core) in both themes", () => {
  session = openSite(site);

  const pages = () => {
    const p = samplePages(site);
    return [["home", p.home], ["note", p.note], ["long note", p.long], ["raw transcript", p.raw], ["person", p.person], ["company", p.company], ["tag", p.tag], ["directory", p.directory], ["timeline", p.timeline], ["graph", p.graph], ["search", p.search], ["404", p.notFound]] as const;
  };

  for (const scheme of ["light", "dark"] as const) {
    it(`has no serious or critical violations in the ${scheme} theme`, async () => {
      const context = await session.browser.newContext({ colorScheme: scheme, bypassCSP: true, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const failures: string[] = [];
      for (const [name, path] of pages()) {
        await page.goto(session.url + path);
        if (name === "search") await waitForSearchResults(page);
        const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.ok(scheme === "dark" ? luminance(bg) < 0.1 : luminance(bg) > 0.8, `${name}: the ${scheme} theme is applied (body background ${bg})`);
        const vs = await seriousViolations(page);
        if (vs.length) failures.push(`${name} (/${path}):\n${describeViolations(vs)}`);
      }
      await context.close();
      assert.deepEqual(failures, [], failures.join("\n\n"));
    });
  }

  it("has no serious or critical violations when the reader's chosen theme differs from the system's", async () => {
    const failures: string[] = [];
    for (const [system, chosen] of [["light", "dark"], ["dark", "light"]] as const) {
      const context = await session.browser.newContext({ colorScheme: system, bypassCSP: true, viewport: { width: 1280, height: 900 } });
      await context.addInitScript((t) => localStorage.setItem("kb-theme", t), chosen);
      const page = await context.newPage();
      for (const [name, path] of pages().filter(([n]) => ["note", "person", "graph", "search"].includes(n))) {
        await page.goto(session.url + path);
        if (name === "search") await waitForSearchResults(page);
        const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.ok(chosen === "dark" ? luminance(bg) < 0.1 : luminance(bg) > 0.8, `${name}: the chosen ${chosen} theme wins over the system's ${system} (body ${bg})`);
        const vs = await seriousViolations(page);
        if (vs.length) failures.push(`${chosen} over ${system}: ${name}:\n${describeViolations(vs)}`);
      }
      await context.close();
    }
    assert.deepEqual(failures, [], failures.join("\n\n"));
  });

  it("has no serious or critical violations on a phone (360 px), both themes", async () => {
    const failures: string[] = [];
    for (const scheme of ["light", "dark"] as const) {
      const context = await session.browser.newContext({ colorScheme: scheme, bypassCSP: true, viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
      const page = await context.newPage();
      for (const [name, path] of pages().filter(([n]) => n === "home" || n === "note" || n === "graph" || n === "person")) {
        await page.goto(session.url + path);
        const vs = await seriousViolations(page);
        if (vs.length) failures.push(`${scheme} ${name} @360:\n${describeViolations(vs)}`);
      }
      await context.close();
    }
    assert.deepEqual(failures, [], failures.join("\n\n"));
  });
});
