/**
 * Synthetic corpora cut from the seeds' real text, for the benchmark and for
 * profiling: `n` front-matter markdown notes of 2–30 KB (log-normal-ish mix,
 * median ≈ 7 KB), with tags, people, companies and products drawn from the
 * registry plus invented names, so a corpus links a few hundred entities.
 *
 * Deterministic: the same (n, seed) always writes the same files.
 *   tsx bench/corpus.ts <n> <dir>
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import yaml from "js-yaml";

export interface CorpusNote {
  file: string;
  title: string;
  date: string;
  url: string | null;
  tags: string[];
  people: string[];
  companies: string[];
  products: string[];
  summary: string;
  /** Markdown body (`## ` sections, some speaker turns). */
  body: string;
}

/** Mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Material {
  paragraphs: string[];
  headings: string[];
  people: string[];
  companies: string[];
  products: string[];
  tags: string[];
}

const ROOT = resolve(import.meta.dirname, "..");

/** Paragraphs and headings from every seed (front-matter and markup dropped). */
export function loadMaterial(seedsDir = join(ROOT, "seeds"), registryPath = join(ROOT, "src/entities/registry.yaml")): Material {
  const paragraphs: string[] = [];
  const headings: string[] = [];
  for (const f of readdirSync(seedsDir).sort()) {
    let text = readFileSync(join(seedsDir, f), "utf8").replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
    text = text.replace(/^---\n[\s\S]*?\n---\n/, "");
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      const h = /^#{1,4}\s+(.{2,40})$/.exec(line);
      if (h) { headings.push(h[1]!.replace(/[（(]\s*\d[\d:\s\-–—~]*[）)]\s*$/, "").trim()); continue; }
      if (/^(?:[-*_]\s*){3,}$|^[>|#]|^\d+\.\s*$|^[-*]\s*$/.test(line)) continue;
      // Very long unpunctuated lines (002) are cut into paragraph-sized pieces.
      for (let i = 0; i < line.length; i += 600) {
        const piece = line.slice(i, i + 600).replace(/^[-*]\s+/, "").replace(/\*\*/g, "");
        if (piece.length >= 24) paragraphs.push(piece);
      }
    }
  }
  const registry = yaml.load(readFileSync(registryPath, "utf8")) as Array<{ type: string; name: string }>;
  const of = (t: string) => registry.filter((e) => e.type === t).map((e) => String(e.name));
  const tagsSeen = new Set<string>();
  for (const f of readdirSync(seedsDir)) {
    const m = /\ntags:\n((?:\s+- .+\n)+)/.exec(readFileSync(join(seedsDir, f), "utf8").replace(/\r\n?/g, "\n"));
    if (m) for (const t of m[1]!.split("\n")) { const v = t.replace(/^\s*-\s*/, "").trim(); if (v) tagsSeen.add(v); }
  }
  return { paragraphs, headings: [...new Set(headings)], people: of("person"), companies: of("company"), products: of("product"), tags: [...tagsSeen] };
}

const SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗"];
const GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "晨", "宇", "婷", "浩"];
const LATIN_FIRST = ["Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Reese"];
const LATIN_LAST = ["Harper", "Ellison", "Whitfield", "Okafor", "Lindqvist", "Moreau", "Castellano", "Nakamura", "Brennan", "Sato"];
const ORG_STEMS = ["深言", "智元", "星图", "灵犀", "澜舟", "穹顶", "极光", "远见", "青云", "量子跃迁"];
const ORG_SUFFIX = ["科技", "智能", "资本", "研究院", "实验室"];
const TAG_WORDS = ["agent", "inference", "chips", "robotics", "funding", "open-source", "regulation", "energy", "datacenter", "multimodal", "coding", "education", "healthcare", "autonomy", "benchmark", "scaling", "alignment", "devices", "china-ai", "enterprise"];

/** Names that are in no registry: invented people, companies, tags (to reach a few hundred entities). */
function inventedNames(r: () => number) {
  const people = new Set<string>();
  while (people.size < 120) {
    people.add(r() < 0.6 ? `${SURNAMES[Math.floor(r() * SURNAMES.length)]}${GIVEN[Math.floor(r() * GIVEN.length)]}${GIVEN[Math.floor(r() * GIVEN.length)]}` : `${LATIN_FIRST[Math.floor(r() * LATIN_FIRST.length)]} ${LATIN_LAST[Math.floor(r() * LATIN_LAST.length)]}`);
  }
  const companies = new Set<string>();
  while (companies.size < 40) companies.add(`${ORG_STEMS[Math.floor(r() * ORG_STEMS.length)]}${ORG_SUFFIX[Math.floor(r() * ORG_SUFFIX.length)]}`);
  const tags = new Set<string>();
  while (tags.size < 120) tags.add(`${TAG_WORDS[Math.floor(r() * TAG_WORDS.length)]}-${TAG_WORDS[Math.floor(r() * TAG_WORDS.length)]}`);
  return { people: [...people], companies: [...companies], tags: [...tags] };
}

/** Zipf-ish pick: low indexes much more often, so a few entities are on many notes. */
function zipf<T>(r: () => number, list: T[]): T {
  return list[Math.floor(list.length * Math.pow(r(), 2.2))]!;
}

function pickSome<T>(r: () => number, list: T[], min: number, max: number): T[] {
  const n = min + Math.floor(r() * (max - min + 1));
  const out = new Set<T>();
  for (let i = 0; i < n * 3 && out.size < n; i++) out.add(zipf(r, list));
  return [...out];
}

/** Target size in bytes: 2–30 KB, log-normal-ish with most notes 4–12 KB. */
function targetBytes(r: () => number): number {
  const u = (r() + r() + r()) / 3; // ≈ normal on [0,1]
  const kb = Math.exp(Math.log(2) + u * (Math.log(30) - Math.log(2)) * 1.25 - 0.2);
  return Math.round(Math.min(30, Math.max(2, kb)) * 1024);
}

export function makeNote(i: number, m: Material, inv: ReturnType<typeof inventedNames>, seed = 1): CorpusNote {
  const r = rng(seed * 1_000_003 + i * 7919);
  const people = [...m.people.slice(0, 80), ...inv.people];
  const companies = [...m.companies.slice(0, 60), ...inv.companies];
  const tags = [...m.tags, ...inv.tags];
  const target = targetBytes(r);
  const conversation = r() < 0.25;
  const speakers = conversation ? pickSome(r, people, 2, 3) : [];
  const parts: string[] = [];
  let bytes = 0;
  let turn = 0;
  let left = 0;
  while (bytes < target) {
    if (left === 0) {
      const h = `## ${m.headings[Math.floor(r() * m.headings.length)]!}`;
      parts.push(h);
      bytes += Buffer.byteLength(h) + 2;
      left = 2 + Math.floor(r() * 5);
    }
    let text = m.paragraphs[Math.floor(r() * m.paragraphs.length)]!;
    const room = Math.max(24, Math.floor((target - bytes) / 2));
    if (Buffer.byteLength(text) > target - bytes && text.length > room) text = text.slice(0, room);
    const para = conversation ? `**${speakers[turn++ % speakers.length]}**：${text}` : text;
    parts.push(para);
    bytes += Buffer.byteLength(para) + 2;
    left--;
  }
  const firstPara = m.paragraphs[Math.floor(r() * m.paragraphs.length)]!;
  const year = 2024 + Math.floor(r() * 3);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const pad = (n: number) => String(n).padStart(2, "0");
  const title = `${m.headings[Math.floor(r() * m.headings.length)]!.slice(0, 24)}（${i}）`;
  return {
    file: `n${String(i).padStart(5, "0")}.md`,
    title,
    date: `${year}-${pad(month)}-${pad(day)}`,
    url: r() < 0.5 ? `https://www.youtube.com/watch?v=bench${i.toString(36)}` : null,
    tags: pickSome(r, tags, 2, 6),
    people: [...new Set([...speakers, ...pickSome(r, people, 1, 5)])],
    companies: pickSome(r, companies, 1, 4),
    products: pickSome(r, m.products, 0, 3),
    summary: firstPara.slice(0, 160),
    body: parts.join("\n\n") + "\n",
  };
}

export function noteSource(n: CorpusNote): string {
  const fm: Record<string, unknown> = { title: n.title, date: n.date };
  if (n.url) fm.source = n.url;
  fm.tags = n.tags;
  fm.people = n.people;
  fm.companies_orgs = n.companies;
  if (n.products.length) fm.products_models = n.products;
  fm.summary = n.summary;
  return `---\n${yaml.dump(fm, { lineWidth: -1, quotingType: '"' })}---\n\n${n.body}`;
}

/** Write notes 1..n into `dir` (emptied first); returns the notes. */
export function writeCorpus(n: number, dir: string, seed = 1): CorpusNote[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const m = loadMaterial();
  const inv = inventedNames(rng(seed));
  const notes: CorpusNote[] = [];
  for (let i = 1; i <= n; i++) {
    const note = makeNote(i, m, inv, seed);
    writeFileSync(join(dir, note.file), noteSource(note));
    notes.push(note);
  }
  return notes;
}

/** One more note (index `i`), for the "add one file" measurements. */
export function extraNote(i: number, seed = 1): CorpusNote {
  return makeNote(i, loadMaterial(), inventedNames(rng(seed)), seed);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  const dir = resolve(process.argv[3] ?? `/tmp/kb-corpus-${n}`);
  const t0 = performance.now();
  const notes = writeCorpus(n, dir);
  const bytes = notes.reduce((s, x) => s + Buffer.byteLength(noteSource(x)), 0);
  console.log(`wrote ${notes.length} notes (${(bytes / 1048576).toFixed(1)} MB) to ${dir} in ${Math.round(performance.now() - t0)} ms`);
}
