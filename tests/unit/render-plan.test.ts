/**
 * The render plan (src/site/render-plan.ts) on small data: what a page reads is
 * recorded, and the next build keeps exactly the pages whose reads did not change.
 * Pages are rendered here by our Nunjucks engine, as Eleventy renders them.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { NunjucksEngine } from "../../src/site/nunjucks.ts";
import { type Manifest, RenderPlan, RESOURCE, Tracker } from "../../src/site/render-plan.ts";

interface Data { site: { title: string }; notes: Array<{ id: string; title: string; tags: string[] }> }

const NOTE = "<h1>{{ note.title }}</h1><p>{{ kb.site.title }}</p>";
const HOME = "{% for n in kb.notes %}<a>{{ n.title }}</a>{% endfor %}";

/** One build: render the home page and each note page, return the plan's manifest. */
async function build(data: Data, dir: string, prev: Manifest | null): Promise<{ rendered: string[]; manifest: Manifest }> {
  const tracker = new Tracker();
  const kb = tracker.track(data);
  const plan = new RenderPlan(prev, prev ? dir : null, "code-1", tracker);
  const engine = new NunjucksEngine([dir], { enter: (d) => tracker.enter(d), leave: (p) => tracker.leave(p), async: () => { tracker.asyncRender = true; } });
  const rendered: string[] = [];
  const written: string[] = [];
  const page = async (inputPath: string, out: string, source: string, extra: Record<string, unknown>) => {
    const items = extra.pagination ? (extra.pagination as { items: unknown[] }).items : null;
    const id = items ? `${inputPath}#${(items[0] as Record<symbol, string>)[RESOURCE]}` : inputPath;
    if (plan.keep(id)) return;
    const html = await engine.compile(source, inputPath)({ kb, page: { inputPath, outputPath: join(dir, out) }, ...extra });
    mkdirSync(join(dir, out, ".."), { recursive: true });
    writeFileSync(join(dir, out), html);
    rendered.push(id);
    written.push(join(dir, out));
  };
  await page("./content/index.njk", "index.html", HOME, {});
  for (const note of kb.notes) await page("./content/notes.njk", `notes/${note.id}/index.html`, NOTE, { note, pagination: { items: [note] } });
  return { rendered, manifest: plan.finish(dir, written).manifest };
}

describe("the render plan", () => {
  const data = (): Data => ({ site: { title: "KB" }, notes: [{ id: "a", title: "甲", tags: ["x"] }, { id: "b", title: "乙", tags: [] }] });

  it("renders everything the first time, then nothing when nothing changed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kb-plan-"));
    const first = await build(data(), dir, null);
    assert.deepEqual(first.rendered, ["./content/index.njk", "./content/notes.njk#notes/a", "./content/notes.njk#notes/b"]);
    const again = await build(data(), dir, first.manifest);
    assert.deepEqual(again.rendered, []);
  });

  it("re-renders only the pages that read a changed value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kb-plan-"));
    const first = await build(data(), dir, null);
    const changed = data();
    changed.notes[1]!.title = "乙（改）";
    const second = await build(changed, dir, first.manifest);
    assert.deepEqual(second.rendered, ["./content/index.njk", "./content/notes.njk#notes/b"], "the home page lists titles; note a never read b");
    const tagOnly = structuredClone(changed);
    tagOnly.notes[0]!.tags = ["y"];
    const third = await build(tagOnly, dir, second.manifest);
    assert.deepEqual(third.rendered, [], "no page shows tags: a new tag renders nothing");
  });

  it("re-renders every page that read a site-wide value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kb-plan-"));
    const first = await build(data(), dir, null);
    const renamed = data();
    renamed.site.title = "新名字";
    const second = await build(renamed, dir, first.manifest);
    assert.deepEqual(second.rendered, ["./content/notes.njk#notes/a", "./content/notes.njk#notes/b"]);
  });
});
