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
import type { Manifest } from "../../src/site/manifest.ts";
import { RenderPlan } from "../../src/site/render-plan.ts";
import { declareKeys, RESOURCE, Tracker } from "../../src/site/tracker.ts";

interface Data { site: { title: string }; notes: Array<{ id: string; title: string; tags: string[]; links?: { authors: string[]; related: string[] }; api?: string; body?: string }> }

const NOTE = "<h1>{{ note.title }}</h1><p>{{ kb.site.title }}</p>";
const HOME = "{% for n in kb.notes %}<a>{{ n.title }}</a>{% endfor %}";

/** One build: render the home page and each note page, return the plan's manifest. */
async function build(data: Data, dir: string, prev: Manifest | null, noteTemplate = NOTE): Promise<{ rendered: string[]; manifest: Manifest }> {
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
  for (const note of kb.notes) await page("./content/notes.njk", `notes/${note.id}/index.html`, noteTemplate, { note, pagination: { items: [note] } });
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

  describe("with keys the data declares", () => {
    const withLinks = (): Data => ({ site: { title: "KB" }, notes: [
      { id: "a", title: "甲", tags: [], links: { authors: ["张三"], related: ["b"] }, body: "正文甲", api: "甲:x" },
      { id: "b", title: "乙", tags: [], links: { authors: ["李四"], related: ["a"] }, body: "正文乙", api: "乙:y" },
    ] });
    const declared = (d: Data, keys: Record<string, string>) => {
      d.notes.forEach((n) => declareKeys(n, { key: keys[n.id], props: new Set(["title", "body"]), derived: { api: ["title", "tags"] } }));
      return d;
    };

    it("trusts a note's content key for its own fields, and renders again when the key changes", async () => {
      const T = "<h1>{{ note.title }}</h1><div>{{ note.body }}</div>";
      const dir = mkdtempSync(join(tmpdir(), "kb-plan-"));
      const first = await build(declared(withLinks(), { a: "k1", b: "k2" }), dir, null, T);
      const sameKey = withLinks();
      sameKey.notes[0]!.body = "改了正文，键却没变";
      const second = await build(declared(sameKey, { a: "k1", b: "k2" }), dir, first.manifest, T);
      assert.ok(!second.rendered.includes("./content/notes.njk#notes/a"), "the key says nothing changed: the value is not hashed");
      const newKey = withLinks();
      newKey.notes[0]!.body = "新正文";
      const third = await build(declared(newKey, { a: "k3", b: "k2" }), dir, second.manifest, T);
      assert.ok(third.rendered.includes("./content/notes.njk#notes/a"));
      assert.ok(!third.rendered.includes("./content/notes.njk#notes/b"));
    });

    it("hashes a derived field by what it is declared to be made of", async () => {
      const T = "<pre>{{ note.api }}</pre>";
      const dir = mkdtempSync(join(tmpdir(), "kb-plan-"));
      const first = await build(declared(withLinks(), { a: "k1", b: "k2" }), dir, null, T);
      const tagged = withLinks();
      tagged.notes[1]!.tags = ["新标签"];
      const second = await build(declared(tagged, { a: "k1", b: "k2" }), dir, first.manifest, T);
      assert.deepEqual(second.rendered.filter((p) => p.includes("notes.njk")), ["./content/notes.njk#notes/b"], "b's api is made of its tags");
    });

    it("depends on the parts of a note's plain objects a page reads, not on all of them", async () => {
      const T = "<p>{{ note.links.authors | join('、') }}</p>";
      const dir = mkdtempSync(join(tmpdir(), "kb-plan-"));
      const first = await build(withLinks(), dir, null, T);
      const moved = withLinks();
      moved.notes[0]!.links!.related = ["c"];
      const second = await build(moved, dir, first.manifest, T);
      assert.deepEqual(second.rendered.filter((p) => p.includes("notes.njk")), [], "no page shows related notes");
      const renamed = withLinks();
      renamed.notes[1]!.links!.authors = ["王五"];
      const third = await build(renamed, dir, second.manifest, T);
      assert.deepEqual(third.rendered.filter((p) => p.includes("notes.njk")), ["./content/notes.njk#notes/b"]);
      // One object shared by two notes names neither: both depend on it whole.
      const shared = withLinks();
      shared.notes[1]!.links = shared.notes[0]!.links;
      const fourth = await build(shared, dir, third.manifest, T);
      const apart = withLinks();
      apart.notes[1]!.links = { authors: ["赵六"], related: [] };
      const fifth = await build(apart, dir, fourth.manifest, T);
      assert.ok(fifth.rendered.includes("./content/notes.njk#notes/b"), "b's own authors changed");
    });
  });
});
