/**
 * Buttons of the schedule carry short, validated callback data (at most 64 bytes). Anything
 * that does not parse exactly is refused. The "Đã nhận" button of notices is `nt:a:<id>`
 * (src/domain/notices.ts). Ids beyond PostgreSQL's integer are refused (src/bot/callback-data.ts).
 */
import { type Parser as ParserOf, parseWith } from "../../callback-data.ts";

export type ScheduleAction =
  /** /lichmoi: the unit chosen among several matches of a draft. */
  | { kind: "pickUnit"; draftId: number; unitId: number }
  /** /lichmoi without arguments: a ready-made command for this unit. */
  | { kind: "newTemplate"; unitId: number }
  /** /lichsua: a ready-made command for this visit. */
  | { kind: "changeTemplate"; visitId: number }
  /** /lichhuy: ask to confirm cancelling this visit. */
  | { kind: "cancelAsk"; visitId: number }
  /** Confirmed: cancel the visit at this revision (the reason, if any, is in a draft; 0 = none). */
  | { kind: "cancelConfirm"; visitId: number; revision: number; draftId: number }
  | { kind: "close" };

export const PREFIX = "sc:";

const ID = "([1-9][0-9]{0,9})";
const ID0 = "(0|[1-9][0-9]{0,9})";
type Parser = ParserOf<ScheduleAction>;
const n = (s: string | undefined) => Number(s);

const PARSERS: Parser[] = [
  [new RegExp(`^sc:u:${ID}:${ID}$`), (m) => ({ kind: "pickUnit", draftId: n(m[1]), unitId: n(m[2]) })],
  [new RegExp(`^sc:t:${ID}$`), (m) => ({ kind: "newTemplate", unitId: n(m[1]) })],
  [new RegExp(`^sc:e:${ID}$`), (m) => ({ kind: "changeTemplate", visitId: n(m[1]) })],
  [new RegExp(`^sc:h:${ID}$`), (m) => ({ kind: "cancelAsk", visitId: n(m[1]) })],
  [
    new RegExp(`^sc:hc:${ID}:${ID}:${ID0}$`),
    (m) => ({ kind: "cancelConfirm", visitId: n(m[1]), revision: n(m[2]), draftId: n(m[3]) }),
  ],
  [/^sc:x$/, () => ({ kind: "close" })],
];

export function parseScheduleAction(data: string): ScheduleAction | null {
  return parseWith(PARSERS, data);
}

export function encodeScheduleAction(a: ScheduleAction): string {
  switch (a.kind) {
    case "pickUnit":
      return `sc:u:${a.draftId}:${a.unitId}`;
    case "newTemplate":
      return `sc:t:${a.unitId}`;
    case "changeTemplate":
      return `sc:e:${a.visitId}`;
    case "cancelAsk":
      return `sc:h:${a.visitId}`;
    case "cancelConfirm":
      return `sc:hc:${a.visitId}:${a.revision}:${a.draftId}`;
    case "close":
      return "sc:x";
  }
}
