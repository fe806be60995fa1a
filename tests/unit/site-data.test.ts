/** What the templates are given (src/site/data.ts, src/site/graph.ts), on the real seeds: data decides, templates print. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runPipeline } from "../../src/pipeline.ts";
import { buildSiteData, CHIPS_SHOWN } from "../../src/site/data.ts";
import { egoGraph, siteGraph } from "../../src/site/graph.ts";
import { ROOT } from "../helpers/site.ts";

const result = runPipeline({ seedsDir: join(ROOT, "seeds"), rootDir: ROOT, cacheDir: null });
const data = buildSiteData(result);
const note = (prefix: string) => data.notes.find((n) => n.id.startsWith(prefix))!;

describe("site data", () => {
  it("chains every note to its neighbours in the timeline, newest first", () => {
    assert.equal(data.notes[0]!.newer, null);
    assert.equal(data.notes.at(-1)!.older, null);
    for (let i = 0; i + 1 < data.notes.length; i++) {
      assert.equal(data.notes[i]!.older?.url, data.notes[i + 1]!.url);
      assert.equal(data.notes[i + 1]!.newer?.url, data.notes[i]!.url);
    }
  });

  it("groups 本篇涉及 by type, the declared and most named first, the rest behind 「另 N 个」", () => {
    const raw = note("002");
    const companies = raw.chipGroups.find((g) => g.label === "公司")!;
    assert.equal(companies.shown.length, CHIPS_SHOWN);
    assert.equal(companies.shown.length + companies.more.length, raw.links.companies.length, "no company lost");
    // The companies the transcript names most come first (谷歌 and OpenAI, not 美ONE by collation).
    const mentions = (url: string) => data.entities.find((e) => e.url === url)!.notes.find((x) => x.id === raw.id)!.count;
    assert.ok(mentions(companies.shown[0]!.url) >= Math.max(...companies.more.map((c) => mentions(c.url))));
    assert.deepEqual(raw.chipGroups.map((g) => g.label), ["人物", "公司", "产品"].filter((l) => raw.chipGroups.some((g) => g.label === l)).concat(raw.chipGroups.some((g) => g.label === "标签") ? ["标签"] : []));
  });

  it("names speakers by their Chinese label when they have a page, as written otherwise", () => {
    const bg2 = note("000");
    assert.equal(bg2.speakerLabels["Sam Altman"], "奥特曼");
    assert.equal(bg2.speakerLabels["Satya Nadella"], "纳德拉");
    for (const [name, url] of Object.entries(bg2.speakerUrls)) if (!url) assert.equal(bg2.speakerLabels[name], name);
  });

  it("gives a raw transcript's summary the names it talks about most, and other notes none", () => {
    assert.ok(note("002").summaryNames.length >= 5);
    assert.ok(note("002").summaryNames.some((n) => n.label === "谷歌"));
    assert.deepEqual(note("000").summaryNames, []);
  });

  it("writes each entity's JSON detail from the same index the page shows", () => {
    const huang = data.entities.find((e) => e.name === "Jensen Huang")!;
    assert.equal(huang.api.id, "person/jensen-huang");
    assert.equal(huang.api.label, "黄仁勋");
    assert.deepEqual(huang.api.notes.map((n) => n.id), huang.notes.map((n) => n.id));
    assert.equal(huang.api.mentions, huang.mentionCount);
    assert.ok(huang.api.notes.some((n) => n.excerpts.some((x) => x.text.includes("黄仁勋") || x.text.includes("老黄"))));
    assert.deepEqual(huang.api.related.map((r) => r.id), huang.related.map((r) => r.id));
  });

  it("shows related notes' shared entities by their Chinese labels", () => {
    const shared = data.notes.flatMap((n) => n.relatedNotes.flatMap((r) => r.shared));
    assert.ok(shared.includes("奥特曼") && !shared.includes("Sam Altman"));
  });
});

describe("graphs", () => {
  it("draws an entity among its partners, every node and label inside the picture", () => {
    const huang = result.index.entities.find((e) => e.name === "Jensen Huang")!;
    const g = egoGraph(huang, result.index.byId)!;
    assert.ok(g);
    assert.equal(g.nodes[0]!.center, true);
    assert.deepEqual(g.nodes.slice(1).map((n) => n.id), huang.related.slice(0, 8).map((r) => r.id));
    for (const n of g.nodes) {
      assert.ok(n.x - n.r >= 0 && n.x + n.r <= g.width && n.y - n.r >= 0 && n.y + n.r <= g.height, `${n.label} inside`);
      assert.ok(Array.from(n.label).length <= 8, n.label);
    }
    assert.equal(g.edges.filter((e) => e.x1 === g.nodes[0]!.x && e.y1 === g.nodes[0]!.y).length, g.nodes.length - 1, "a spoke to every partner");
    assert.match(g.summary, /^黄仁勋最常与英伟达（\d+ 篇）/);
  });

  it("draws nothing for an entity with fewer than two partners", () => {
    const lonely = result.index.entities.find((e) => e.related.length < 2);
    if (lonely) assert.equal(egoGraph(lonely, result.index.byId), null);
  });

  it("lays out the site graph the same way every build, people/companies/products only", () => {
    const a = siteGraph(result.index.entities)!, b = siteGraph(result.index.entities)!;
    assert.deepEqual(a, b);
    assert.ok(a.nodes.length >= 10 && a.nodes.length <= 36);
    assert.ok(a.nodes.every((n) => n.type !== "tag"));
    for (const n of a.nodes) assert.ok(n.x >= 0 && n.x <= a.width && n.y >= 0 && n.y <= a.height);
    // No two nodes on top of each other.
    for (const p of a.nodes) for (const q of a.nodes) if (p !== q) assert.ok(Math.hypot(p.x - q.x, p.y - q.y) > p.r + q.r, `${p.label} overlaps ${q.label}`);
  });
});
