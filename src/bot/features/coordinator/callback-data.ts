/**
 * Buttons of the coordinator's screens carry short, validated callback data (Telegram
 * allows 64 bytes). Anything that does not parse exactly, or names an id beyond
 * PostgreSQL's integer, is refused (src/bot/callback-data.ts).
 */
import { type Parser as ParserOf, parseWith } from "../../callback-data.ts";

export type CoordinatorAction =
  /** /tiendo, page n */
  | { kind: "progress"; page: number }
  /** /chuanop [area], page n (areaId 0: every area) */
  | { kind: "late"; areaId: number; page: number }
  /** /diem [area], page n (areaId 0: the total) */
  | { kind: "ranking"; areaId: number; page: number }
  /** /donvi: one of several matching units */
  | { kind: "unit"; unitId: number }
  /** /nhacnho: one of several matching units */
  | { kind: "remind"; unitId: number }
  /** /nhacnho tatca, offered when asked in plain words */
  | { kind: "remindAll" }
  /** /molai: one of several matching units, with the area asked for */
  | { kind: "reopen"; unitId: number; areaId: number };

export const PREFIX = "co:";

const ID = "([1-9][0-9]{0,9})";
const N = "(0|[1-9][0-9]{0,5})";
type Parser = ParserOf<CoordinatorAction>;
const n = (s: string | undefined) => Number(s);

const PARSERS: Parser[] = [
  [new RegExp(`^co:tp:${N}$`), (m) => ({ kind: "progress", page: n(m[1]) })],
  [new RegExp(`^co:cn:${N}:${N}$`), (m) => ({ kind: "late", areaId: n(m[1]), page: n(m[2]) })],
  [new RegExp(`^co:dm:${N}:${N}$`), (m) => ({ kind: "ranking", areaId: n(m[1]), page: n(m[2]) })],
  [new RegExp(`^co:dv:${ID}$`), (m) => ({ kind: "unit", unitId: n(m[1]) })],
  [new RegExp(`^co:nn:${ID}$`), (m) => ({ kind: "remind", unitId: n(m[1]) })],
  [/^co:na$/, () => ({ kind: "remindAll" })],
  [new RegExp(`^co:ml:${ID}:${ID}$`), (m) => ({ kind: "reopen", unitId: n(m[1]), areaId: n(m[2]) })],
];

export function parseAction(data: string): CoordinatorAction | null {
  return parseWith(PARSERS, data);
}

export function encodeAction(a: CoordinatorAction): string {
  switch (a.kind) {
    case "progress":
      return `co:tp:${a.page}`;
    case "late":
      return `co:cn:${a.areaId}:${a.page}`;
    case "ranking":
      return `co:dm:${a.areaId}:${a.page}`;
    case "unit":
      return `co:dv:${a.unitId}`;
    case "remind":
      return `co:nn:${a.unitId}`;
    case "remindAll":
      return "co:na";
    case "reopen":
      return `co:ml:${a.unitId}:${a.areaId}`;
  }
}
