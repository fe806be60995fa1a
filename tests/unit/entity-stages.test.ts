/**
 * The entity index stage by stage (src/entities/index.ts): drafts and alias owners,
 * what notes declare, the matcher's specs, mentions and quotes, identity, each entity's
 * notes and each note's links, related entities. A small registry and three small
 * notes in the shapes sources have (front-matter lists, bold speaker labels).
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { attachNotes, buildEntityIndex, declaredPlaces, Drafts, identify, matchMentions, mentionMatcher, relateEntities } from "../../src/entities/index.ts";
import { parseRegistry } from "../../src/entities/registry.ts";
import { runPipeline } from "../../src/pipeline.ts";

const REGISTRY = `
- { type: company, name: NVIDIA, aliases: [英伟达, 輝達] }
- { type: person, name: Jensen Huang, aliases: [黄仁勋], role: 英伟达创始人兼 CEO }
- { type: company, name: Apple, aliases: [苹果], case: exact, common: [苹果] }
- { type: company, name: TSMC, aliases: [台积电] }
`;
const NOTES: Record<string, string> = {
  "a.md": "---\ntitle: 黄仁勋谈芯片\ndate: 2026-01-05\npeople: [黄仁勋]\ncompanies: [Zephyrine Labs, 数据, ai]\ntags: [芯片]\n---\n\n英伟达和台积电的合作很深。黄仁勋说，台积电是最好的伙伴。Zephyrine Labs 也来了。\n",
  "b.md": "---\ntitle: 一次访谈\ndate: 2026-02-01\n---\n\n**黄仁勋：** 我们的 GPU 供不应求，英伟达会继续扩产，台积电的产能也在提高，这是一个很长的回答，讲了很多关于数据中心和 Zephyrine Labs 的事情。\n\n**主持人：** 谢谢。\n\n**黄仁勋：** 不客气。\n",
  "c.md": "---\ntitle: 水果\ndate: 2025-12-01\n---\n\n我今天吃了一个苹果。英伟达的股价涨了。\n",
};

const dir = mkdtempSync(join(tmpdir(), "kb-stages-"));
mkdirSync(join(dir, "seeds"));
writeFileSync(join(dir, "registry.yaml"), REGISTRY);
for (const [f, text] of Object.entries(NOTES)) writeFileSync(join(dir, "seeds", f), text);
const { notes } = runPipeline({ seedsDir: join(dir, "seeds"), rootDir: dir, cacheDir: null, registryPath: join(dir, "registry.yaml") });
const registry = parseRegistry(REGISTRY);
const byTitle = (title: string) => notes.find((n) => n.title === title)!;

describe("the entity index, stage by stage", () => {
  it("drafts: a registered alias resolves to its entity from any field; a new name becomes its own draft", () => {
    const drafts = new Drafts(registry);
    assert.equal(drafts.resolve("英伟达", "company").key, "company:nvidia");
    assert.equal(drafts.resolve("輝達", "person").key, "company:nvidia", "whatever field declared it");
    assert.equal(drafts.resolve("英伟达", "tag").key, "tag:英伟达", "a tag is a tag");
    const made = drafts.resolve("Zephyrine Labs", "company");
    assert.equal(made.registered, false);
    assert.equal(drafts.resolve("zephyrine labs", "company"), made, "the same draft, case folded");
  });

  it("declared places: what the metadata lists and who speaks", () => {
    const drafts = new Drafts(registry);
    const places = declaredPlaces(notes, drafts);
    const a = places.hits.get(byTitle("黄仁勋谈芯片").id)!;
    assert.equal(a.get("person:jensen huang")?.declared, true);
    assert.equal(a.get("tag:芯片")?.declared, true);
    const b = byTitle("一次访谈").id;
    assert.equal(places.hits.get(b)!.get("person:jensen huang")?.spoke, true);
    assert.deepEqual(places.speakers.get(b)!.map((s) => (typeof s === "string" ? s : s.key)), ["person:jensen huang"]);
    assert.equal(places.hits.get(byTitle("水果").id)!.size, 0, "nothing declared");
  });

  it("the matcher: declared names match only when specific enough (not 数据 or ai)", () => {
    const drafts = new Drafts(registry);
    declaredPlaces(notes, drafts);
    const aliases = mentionMatcher(drafts).specs.map((s) => s.alias);
    assert.ok(aliases.includes("Zephyrine Labs") && aliases.includes("英伟达"));
    assert.ok(!aliases.includes("数据") && !aliases.includes("ai"));
    assert.equal(mentionMatcher(drafts).matcherHash, mentionMatcher(drafts).matcherHash, "the same specs, the same hash");
  });

  it("mentions: counts, excerpts, a person's own turns as quotes, and a weak alias only with evidence", () => {
    const drafts = new Drafts(registry);
    const places = declaredPlaces(notes, drafts);
    const together = matchMentions(notes, places, drafts, mentionMatcher(drafts));
    const a = places.hits.get(byTitle("黄仁勋谈芯片").id)!;
    // The note has no summary of its own: the one cut from its opening text is not counted again.
    assert.deepEqual([a.get("company:tsmc")?.count, a.get("company:nvidia")?.count], [2, 1], "台积电 twice in the text, 英伟达 once");
    assert.match(a.get("company:nvidia")!.excerpts[0]!.match, /英伟达/);
    assert.ok(a.get("company:zephyrine labs")!.count > 0, "a declared name is found in the text too");
    assert.equal(a.get("company:数据")?.count, 0, "declared, but never matched in the text");
    const b = places.hits.get(byTitle("一次访谈").id)!.get("person:jensen huang")!;
    assert.equal(b.turns, 2);
    assert.match(b.quotes[0]!.after, /供不应求/, "the substantive turn first");
    assert.equal(places.hits.get(byTitle("水果").id)!.has("company:apple"), false, "苹果 the fruit: no evidence (only one other company named)");
    assert.ok(together.get(byTitle("黄仁勋谈芯片").id)!.some(([x, y]) => x === "company:nvidia" && y === "company:tsmc"));
  });

  it("identity, notes and links, related entities: the registry's role ranks first", () => {
    const drafts = new Drafts(registry);
    const places = declaredPlaces(notes, drafts);
    const together = matchMentions(notes, places, drafts, mentionMatcher(drafts));
    const entities = identify(drafts, places);
    assert.equal(entities.has("company:apple"), false, "no page for what no note names");
    const nvidia = entities.get("company:nvidia")!;
    assert.equal(nvidia.id, "company/nvidia");
    assert.equal(nvidia.label, "英伟达");
    const { links, co } = attachNotes(notes, places, entities, together);
    assert.deepEqual(nvidia.notes.map((n) => n.title), ["一次访谈", "黄仁勋谈芯片", "水果"], "newest first");
    assert.deepEqual(links.get(byTitle("水果").id)!.companies.map((r) => r.name), ["NVIDIA"]);
    const list = [...entities.values()];
    relateEntities(list, new Map(list.map((e) => [e.id, e])), co);
    const jensen = entities.get("person:jensen huang")!;
    assert.equal(jensen.related[0]?.name, "NVIDIA", "英伟达创始人兼 CEO: his company first, though TSMC is named as often");
  });

  it("together, the stages are the index", () => {
    const index = buildEntityIndex(notes, registry);
    // Declared names get a page even when the text never says them (数据, ai: declared in a.md's front-matter).
    assert.deepEqual(index.entities.map((e) => e.id).sort(), ["company/ai", "company/nvidia", "company/tsmc", "company/zephyrine-labs", "company/数据", "person/jensen-huang", "tag/芯片"].sort());
    assert.deepEqual(index.links.get(byTitle("黄仁勋谈芯片").id)!.people.map((r) => r.label), ["黄仁勋"]);
  });
});
