/**
 * Finding registered names in running text.
 *
 * Rules (see README, "How names are recognised"):
 * - Chinese (and other CJK) aliases match anywhere in running text: Chinese has no
 *   spaces, so `英伟达的芯片` must match `英伟达`.
 * - Latin aliases match on word boundaries: not preceded or followed by a letter or
 *   digit, and not followed by `.5`/`-R1` style continuations, so `Meta` never
 *   matches `metadata` and `GPT-5` never matches inside `GPT-5.5`.
 * - Latin aliases match case-insensitively (sources write `sam altman`, `Nvidia`),
 *   except for entries marked `case: exact`, whose names are also English words
 *   (`Apple`, `Figure`): those match only as written.
 * - The longest alias wins where two overlap (`Google DeepMind` over `Google`).
 *
 * Written by hand rather than with a regex alternation: one pass over the text with
 * a map keyed on the first two (folded) characters keeps the cost linear in the
 * text length whatever the registry size (a 1,000-way alternation is not).
 */

import { CJK_CHAR } from "../text.ts";

export interface AliasSpec {
  alias: string;
  entityKey: string;
  exactCase: boolean;
}

export interface Match {
  entityKey: string;
  start: number;
  end: number;
  text: string;
}

const LATIN = /[A-Za-z]/;
const ALNUM = /[\p{L}\p{N}]/u;

interface Candidate { folded: string; spec: AliasSpec; latinStart: boolean; latinEnd: boolean }

export class Matcher {
  /** Candidates by their first two UTF-16 code units (as one number: no string made per position). */
  private readonly byPrefix = new Map<number, Candidate[]>();
  /** Code units some alias starts with: every other position is skipped at once. */
  private readonly starts = new Uint8Array(65536);

  constructor(specs: AliasSpec[]) {
    for (const spec of specs) {
      const folded = spec.alias.normalize("NFKC").toLowerCase();
      if (Array.from(folded).length < 2) continue;
      const c: Candidate = { folded, spec, latinStart: LATIN.test(folded[0]!) || /\d/.test(folded[0]!), latinEnd: LATIN.test(folded.at(-1)!) || /\d/.test(folded.at(-1)!) };
      const key = folded.charCodeAt(0) * 65536 + folded.charCodeAt(1);
      this.starts[folded.charCodeAt(0)] = 1;
      const list = this.byPrefix.get(key) ?? [];
      list.push(c);
      this.byPrefix.set(key, list);
    }
    for (const list of this.byPrefix.values()) list.sort((a, b) => b.folded.length - a.folded.length);
  }

  /** All non-overlapping matches in `text`, left to right, longest first at each position. */
  find(text: string): Match[] {
    const norm = text.normalize("NFKC");
    const src = norm.length === text.length ? text : norm;
    const lower = src.toLowerCase();
    const folded = lower.length === src.length ? lower : src;
    const out: Match[] = [];
    const starts = this.starts;
    for (let i = 0; i < folded.length - 1; ) {
      const first = folded.charCodeAt(i);
      if (starts[first] === 0) { i++; continue; }
      const list = this.byPrefix.get(first * 65536 + folded.charCodeAt(i + 1));
      let hit: Candidate | undefined;
      if (list) {
        for (const c of list) {
          if (!folded.startsWith(c.folded, i)) continue;
          const end = i + c.folded.length;
          if (c.latinStart && i > 0 && isWordChar(folded[i - 1]!)) continue;
          if (c.latinEnd && end < folded.length && (isWordChar(folded[end]!) || (/[.\-]/.test(folded[end]!) && /[a-z0-9]/.test(folded[end + 1] ?? "")))) continue;
          if (c.spec.exactCase && src.slice(i, end) !== c.spec.alias) continue;
          hit = c;
          break;
        }
      }
      if (hit) {
        const end = i + hit.folded.length;
        out.push({ entityKey: hit.spec.entityKey, start: i, end, text: src.slice(i, end) });
        i = end;
      } else i++;
    }
    return out;
  }
}

/** Letters and digits that are not CJK: the characters a Latin name must not touch. */
function isWordChar(ch: string): boolean {
  return ALNUM.test(ch) && !CJK_CHAR.test(ch);
}
