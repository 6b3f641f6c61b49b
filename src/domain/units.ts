/**
 * Finding units by what people type: code, name, short name or alias, with or without
 * diacritics. Typed diacritics count: "sở" prefers names with "Sở" over "Sông" or "Sơn".
 */
import type { Db, Unit } from "../db/client.ts";
import { fold } from "./text.ts";

export interface UnitMatch {
  /** The units meant (one: found; several: ask which; none: see suggestions). */
  matches: Unit[];
  /** When nothing matched: the closest names, best first. */
  suggestions: Unit[];
}

const MAX_SUGGESTIONS = 3;
/** Units compared with the query when nothing matches. */
const SUGGESTION_POOL = 1000;

/** Words of a text as typed (lower case, NFC, diacritics kept): "TP. Sơn La" -> ["tp", "sơn", "la"]. */
function wordsOf(text: string): string[] {
  return text
    .normalize("NFC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}&]+/u)
    .filter(Boolean);
}

const foldedWords = (text: string) => wordsOf(text).map(fold);
const hasDiacritics = (word: string) => fold(word) !== word;

/** Every name people may type for a unit: name, short name, aliases. */
function namesOf(unit: Unit): string[] {
  const aliases = Array.isArray(unit.aliases) ? unit.aliases.filter((a): a is string => typeof a === "string") : [];
  return [unit.name, unit.shortName, ...aliases];
}

/**
 * How well `query` names `unit`: 3 exact name or alias, 2 every word typed is a whole
 * word of one name, 1 every word typed starts a word of one name, 0 no match. Words typed
 * with diacritics must match with their diacritics ("sở" is not "sông").
 */
function matchLevel(unit: Unit, query: string): number {
  const q = wordsOf(query);
  if (q.length === 0) return 0;
  const qFolded = q.map(fold);
  let best = 0;
  for (const name of namesOf(unit)) {
    const words = wordsOf(name);
    const folded = words.map(fold);
    const same = (i: number, j: number) => folded[j] === qFolded[i] && (!hasDiacritics(q[i]!) || words[j] === q[i]);
    const starts = (i: number, j: number) =>
      folded[j]!.startsWith(qFolded[i]!) && (!hasDiacritics(q[i]!) || words[j]!.startsWith(q[i]!));
    if (folded.join(" ") === qFolded.join(" ") && q.every((_, i) => same(i, i))) return 3;
    if (q.every((_, i) => folded.some((_, j) => same(i, j)))) best = Math.max(best, 2);
    else if (q.every((_, i) => folded.some((_, j) => starts(i, j)))) best = Math.max(best, 1);
  }
  return best;
}

/** Same as matchLevel, ignoring typed diacritics (the fallback when nothing matches with them). */
const foldedLevel = (unit: Unit, query: string) => matchLevel(unit, fold(query));

/** Units whose best level is highest; [] when none matches at all. */
function bestOf(units: Unit[], level: (u: Unit) => number): Unit[] {
  let top = 0;
  let found: Unit[] = [];
  for (const u of units) {
    const l = level(u);
    if (l > top) [top, found] = [l, [u]];
    else if (l === top && l > 0) found.push(u);
  }
  return found;
}

/** Levenshtein distance of two short strings. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** How far `query` is from the closest of a unit's names (0 = same), relative to length. */
function closeness(unit: Unit, query: string): number {
  const q = fold(query);
  let best = Number.POSITIVE_INFINITY;
  for (const name of namesOf(unit)) {
    const n = fold(name);
    // Compare with the whole name and with each stretch of it as long as the query.
    const words = n.split(" ");
    const qLen = q.split(" ").length;
    const candidates = [n];
    for (let i = 0; i + qLen <= words.length; i++) candidates.push(words.slice(i, i + qLen).join(" "));
    for (const c of candidates) best = Math.min(best, distance(q, c) / Math.max(q.length, c.length, 1));
  }
  return best;
}

function campaignUnits(db: Db, campaignId: number, words: string[] = []) {
  return db.unit.findMany({
    where: {
      campaigns: { some: { campaignId } },
      // A cheap pre-filter on the folded names (the exact rule is applied afterwards).
      AND: words.map((w) => ({ searchText: { contains: w } })),
    },
    orderBy: { id: "asc" },
  });
}

/**
 * The units of a campaign that `query` names: an exact code, name or alias wins; else
 * every unit whose names have all the words typed (whole words before word starts).
 * Nothing found: up to three closest names as suggestions.
 */
export async function matchUnits(db: Db, campaignId: number, query: string): Promise<UnitMatch> {
  const q = fold(query);
  if (!q) return { matches: [], suggestions: [] };
  const byCode = await db.unit.findFirst({ where: { code: q, campaigns: { some: { campaignId } } } });
  if (byCode) return { matches: [byCode], suggestions: [] };
  const words = foldedWords(query);
  const candidates = words.length > 0 ? await campaignUnits(db, campaignId, words) : [];
  let matches = bestOf(candidates, (u) => matchLevel(u, query));
  if (matches.length === 0) matches = bestOf(candidates, (u) => foldedLevel(u, query));
  if (matches.length > 0) return { matches, suggestions: [] };
  // Suggestions: names sharing the start of a word typed (a province has thousands of units).
  const starts = [...new Set(words.filter((w) => w.length >= 2).map((w) => w.slice(0, 3)))];
  const near = starts.length
    ? await db.unit.findMany({
        where: { campaigns: { some: { campaignId } }, OR: starts.map((w) => ({ searchText: { contains: w } })) },
        orderBy: { id: "asc" },
        take: SUGGESTION_POOL,
      })
    : [];
  const ranked = near
    .map((u) => ({ u, d: closeness(u, query) }))
    .filter((x) => x.d <= 0.5)
    .sort((a, b) => a.d - b.d || a.u.id - b.u.id);
  // Only names about as close as the closest one.
  const best = ranked[0]?.d ?? 0;
  const suggestions = ranked
    .filter((x) => x.d <= best + 0.1)
    .slice(0, MAX_SUGGESTIONS)
    .map((x) => x.u);
  return { matches: [], suggestions };
}

/**
 * Units of a campaign matching `query`: an exact code or an exact name/alias wins;
 * otherwise every unit whose names contain all the words typed (see matchUnits).
 */
export async function findUnits(db: Db, campaignId: number, query: string): Promise<Unit[]> {
  return (await matchUnits(db, campaignId, query)).matches;
}
