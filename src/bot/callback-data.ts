/**
 * What every feature's callback-data codec shares: a button's data must match one pattern
 * exactly, and no number in it may exceed PostgreSQL's integer, before any query sees it
 * (a forged 9999999999 would otherwise be a database error, not a refusal).
 */
export const MAX_ID = 2_147_483_647;

export type Parser<A> = [RegExp, (m: RegExpExecArray) => A];

/** The numbers of an action, one level of nesting included (e.g. the unit of an access). */
function numbersOf(action: object): number[] {
  const values = Object.values(action).flatMap((v) => (v && typeof v === "object" ? Object.values(v) : [v]));
  return values.filter((v): v is number => typeof v === "number");
}

/** The action of the first parser whose pattern matches `data`; null if none does or a number is too large. */
export function parseWith<A extends object>(parsers: readonly Parser<A>[], data: string): A | null {
  for (const [re, build] of parsers) {
    const m = re.exec(data);
    if (!m) continue;
    const action = build(m);
    return numbersOf(action).every((v) => v <= MAX_ID) ? action : null;
  }
  return null;
}
