/**
 * An entity named in many notes: its page shows the newest notes as cards with
 * excerpts and every older note in a compact list, each note listed exactly once.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli, workspace, writeSeed } from "../helpers/workspace.ts";

const ws = workspace("entity-pages");
const out = join(ws.base, "_site");
const MANY = 40;

describe("entity pages of frequently named entities", { timeout: 300_000 }, () => {
  after(() => ws.cleanup());

  it("lists the 30 newest notes with excerpts, then the older ones compactly, all of them once", () => {
    for (let i = 1; i <= MANY; i++) {
      const day = String(1 + (i % 28)).padStart(2, "0");
      const month = i <= 28 ? "01" : "02";
      writeSeed(ws, `many-${String(i).padStart(2, "0")}.md`, { title: `英伟达周报第${i}期`, date: `2027-${month}-${day}`, tags: ["周报"], people: [], companies: [], body: `### 要点\n\n英伟达本周发布了第 ${i} 份财报解读。` });
    }
    const r = runCli(ws, ["build", "--out", out]);
    assert.equal(r.status, 0, r.out);
    const html = readFileSync(join(out, "companies", "nvidia", "index.html"), "utf8");
    const notes = JSON.parse(readFileSync(join(out, "api", "entities.json"), "utf8")).find((e: { id: string }) => e.id === "company/nvidia").notes as string[];
    assert.ok(notes.length >= MANY, `${notes.length} notes`);
    const cards = html.match(/<li class="note-card">/g)?.length ?? 0;
    assert.equal(cards, 30);
    const olderMatch = /<ol class="compact-list" start="31"[^>]*>([\s\S]*?)<\/ol>/.exec(html);
    assert.ok(olderMatch, "a compact list numbered from 31");
    const older: string = olderMatch[1]!;
    assert.equal(older.match(/<li>/g)?.length, notes.length - 30);
    assert.match(html, new RegExp(`更早的 ${notes.length - 30} 篇`));
    // Each note once: as a card title or as a compact row (excerpts link into cards' notes too).
    for (const id of notes) {
      const asCard = html.split(`<h3><a href="/notes/${id}/">`).length - 1;
      const asRow = older.split(`<li><a href="/notes/${id}/">`).length - 1;
      assert.equal(asCard + asRow, 1, `${id}: ${asCard} cards, ${asRow} rows`);
    }
    // Newest first: the first card is the newest note, the compact list holds the oldest.
    // (第40期 is dated 2027-02-13, the newest; 第28期 2027-01-01, the oldest.)
    assert.ok(html.indexOf("英伟达周报第40期") < html.indexOf('class="compact-list"'));
    assert.ok(html.lastIndexOf("英伟达周报第28期") > html.indexOf('class="compact-list"'));
  });
});
