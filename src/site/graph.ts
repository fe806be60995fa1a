/**
 * Who goes with whom, drawn at build time: an entity with the entities most strongly
 * co-mentioned with it (its page), and the site's most named entities with the links
 * between them (/graph/). Pure functions from the entity index to coordinates; the
 * templates only print the SVG. Readable without JavaScript; the text beside each graph
 * lists the same links.
 */
import { forceCenter, forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationLinkDatum, type SimulationNodeDatum } from "d3-force";
import type { Entity, EntityId } from "../entities/index.ts";
import { ENTITY_TYPES, type EntityType, TYPE_INFO } from "../entities/registry.ts";

export interface GraphNode { id: string; label: string; url: string; type: EntityType; x: number; y: number; r: number; anchor: "start" | "middle" | "end"; lx: number; ly: number; center: boolean }
export interface GraphEdge { x1: number; y1: number; x2: number; y2: number; width: number; count: number; between: string }
export interface Graph { width: number; height: number; nodes: GraphNode[]; edges: GraphEdge[]; summary: string; legend: Array<{ type: EntityType; label: string }> }

/** The key to the node colours: the types the graph shows, in the table's order. */
const legendOf = (nodes: GraphNode[]) => ENTITY_TYPES.filter((t) => nodes.some((n) => n.type === t)).map((type) => ({ type, label: TYPE_INFO[type].short }));

/** Labels wider than this many Han characters are cut (an SVG label does not wrap); a Latin letter is about half one. */
const LABEL_MAX = 6;
const widthOf = (c: string) => (/[\u0000-\u024f]/.test(c) ? 0.55 : 1);
function short(label: string): string {
  const chars = Array.from(label);
  if (chars.reduce((w, c) => w + widthOf(c), 0) <= LABEL_MAX) return label;
  let w = 0, out = "";
  for (const c of chars) { if (w + widthOf(c) > LABEL_MAX - 1) break; w += widthOf(c); out += c; }
  return `${out.trimEnd()}…`;
}
const round = (v: number) => Math.round(v * 10) / 10;

/** Where a label goes beside a node at angle `a` (radians) from its centre. */
function labelAt(x: number, y: number, r: number, a: number): Pick<GraphNode, "anchor" | "lx" | "ly"> {
  const c = Math.cos(a), s = Math.sin(a);
  const anchor = c > 0.35 ? "start" : c < -0.35 ? "end" : "middle";
  const gap = r + 5;
  return { anchor, lx: round(x + c * gap), ly: round(y + s * gap + (s > 0.35 ? 13 : s < -0.35 ? -3 : 5)) };
}

/**
 * An entity and its co-mentioned partners (`entity.related`, strongest first) on a
 * circle around it; edges between partners where they go together as well.
 */
export function egoGraph(entity: Entity, byId: Map<string, Entity>): Graph | null {
  const partners = entity.related.filter((r) => byId.has(r.id)).slice(0, 8);
  if (partners.length < 2) return null;
  const width = 400, height = 300, cx = width / 2, cy = height / 2, R = 92;
  const max = Math.max(...partners.map((p) => p.count));
  const nodes: GraphNode[] = [{ id: entity.id, label: short(entity.label), url: entity.url, type: entity.type, x: cx, y: cy, r: 14, anchor: "middle", lx: cx, ly: cy + 30, center: true }];
  partners.forEach((p, i) => {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / partners.length;
    const x = round(cx + R * Math.cos(a)), y = round(cy + R * Math.sin(a) * 0.92);
    const r = round(6 + 5 * Math.sqrt(p.count / max));
    nodes.push({ id: p.id, label: short(p.label), url: p.url, type: p.type, x, y, r, center: false, ...labelAt(x, y, r, a) });
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: GraphEdge[] = partners.map((p) => {
    const n = at.get(p.id)!;
    return { x1: cx, y1: cy, x2: n.x, y2: n.y, width: round(1 + 3 * (p.count / max)), count: p.count, between: `${entity.label}—${p.label}` };
  });
  for (let i = 0; i < partners.length; i++) for (let j = i + 1; j < partners.length; j++) {
    const a = byId.get(partners[i]!.id)!, b = partners[j]!;
    const link = a.related.find((r) => r.id === b.id);
    if (!link) continue;
    const na = at.get(a.id)!, nb = at.get(b.id)!;
    edges.push({ x1: na.x, y1: na.y, x2: nb.x, y2: nb.y, width: 0.8, count: link.count, between: `${a.label}—${b.label}` });
  }
  const summary = `${entity.label}最常与${partners.map((p) => `${p.label}（${p.count} 篇）`).join("、")}一同出现。`;
  return { width, height, nodes, edges, summary, legend: legendOf(nodes) };
}

interface SimNode extends SimulationNodeDatum { id: EntityId; r: number }

/** A deterministic random source for the layout (d3's jiggle), so a build is reproducible. */
function lcg(seed = 1): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

/**
 * The `limit` entities named in the most notes (people, companies and products; tags
 * are topics, not parties) and the co-mention links among them, laid out by a force
 * simulation run to rest at build time (d3-force).
 */
export function siteGraph(entities: Entity[], limit = 36): Graph | null {
  const top = entities.filter((e) => e.type !== "tag" && e.notes.length > 0)
    .sort((a, b) => b.notes.length - a.notes.length || b.mentionCount - a.mentionCount || (a.id < b.id ? -1 : 1)).slice(0, limit);
  if (top.length < 3) return null;
  const ids = new Set(top.map((e) => e.id));
  const byId = new Map(top.map((e) => [e.id, e]));
  const maxNotes = Math.max(...top.map((e) => e.notes.length));
  const seen = new Set<string>();
  const links: Array<SimulationLinkDatum<SimNode> & { count: number; a: EntityId; b: EntityId }> = [];
  for (const e of top) for (const r of e.related) {
    if (!ids.has(r.id)) continue;
    const key = e.id < r.id ? `${e.id} ${r.id}` : `${r.id} ${e.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    links.push({ source: e.id, target: r.id, count: r.count, a: e.id, b: r.id });
  }
  const sim: SimNode[] = top.map((e) => ({ id: e.id, r: 5 + 9 * Math.sqrt(e.notes.length / maxNotes) }));
  const maxCount = Math.max(1, ...links.map((l) => l.count));
  forceSimulation(sim)
    .randomSource(lcg())
    .force("charge", forceManyBody().strength(-260))
    .force("link", forceLink<SimNode, (typeof links)[number]>(links).id((d) => d.id).distance(90).strength((l) => 0.2 + 0.6 * (l.count / maxCount)))
    .force("collide", forceCollide<SimNode>().radius((d) => d.r + 26))
    .force("x", forceX(0).strength(0.06))
    .force("y", forceY(0).strength(0.09))
    .force("center", forceCenter(0, 0))
    .stop()
    .tick(400);
  const pad = 70;
  const xs = sim.map((n) => n.x!), ys = sim.map((n) => n.y!);
  const minX = Math.min(...xs), minY = Math.min(...ys);
  const width = Math.ceil(Math.max(...xs) - minX + 2 * pad), height = Math.ceil(Math.max(...ys) - minY + 2 * pad);
  const cx = width / 2, cy = height / 2;
  const nodes: GraphNode[] = sim.map((n) => {
    const e = byId.get(n.id)!;
    const x = round(n.x! - minX + pad), y = round(n.y! - minY + pad);
    // Labels point away from the middle, where the links are densest.
    return { id: e.id, label: short(e.label), url: e.url, type: e.type, x, y, r: round(n.r), center: false, ...labelAt(x, y, n.r, Math.atan2(y - cy, x - cx)) };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: GraphEdge[] = links.map((l) => {
    const a = at.get(l.a)!, b = at.get(l.b)!;
    return { x1: a.x, y1: a.y, x2: b.x, y2: b.y, width: round(0.6 + 2.4 * (l.count / maxCount)), count: l.count, between: `${byId.get(l.a)!.label}—${byId.get(l.b)!.label}` };
  }).sort((x, y) => x.width - y.width);
  const summary = `被最多笔记提及的 ${nodes.length} 个人物、公司与产品，以及它们之间 ${edges.length} 条共同出现的关系。`;
  return { width, height, nodes, edges, summary, legend: legendOf(nodes) };
}
