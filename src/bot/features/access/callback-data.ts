/**
 * Buttons of access management carry short, validated callback data (Telegram allows 64
 * bytes). Anything that does not parse exactly, or names an id beyond PostgreSQL's
 * integer, is refused before any query (src/bot/callback-data.ts). A role and unit travel with a confirmation, so a
 * press after the access changed is refused instead of acting on what was not shown. The
 * move buttons carry the invite code the person typed in this very chat: pressing one is
 * typing the code again (throttled alike), so forged data gains nothing.
 */
import type { AccessStamp } from "../../../domain/access.ts";
import { type Parser as ParserOf, parseWith } from "../../callback-data.ts";

export type AccessAction =
  /** /thuhoi: one of several people named; ask to confirm */
  | { kind: "member"; membershipId: number }
  /** Confirmed: remove this membership, as it was shown */
  | { kind: "revoke"; membershipId: number; access: AccessStamp }
  /** /mamoi, /thuhoi <code>: ask to confirm revoking this invite */
  | { kind: "invite"; inviteId: number }
  /** Confirmed: revoke this invite */
  | { kind: "revokeInvite"; inviteId: number }
  /** /mamoi: open invites of a unit (0: all), page n */
  | { kind: "invites"; unitId: number; page: number }
  /** Dismissed: nothing done */
  | { kind: "close" }
  /** Anyone asked to confirm a move by an invite: use this code, leaving this access */
  | { kind: "move"; code: string; access: AccessStamp }
  /** ...or keep the access they have; the code stays unused */
  | { kind: "keep" };

export const PREFIX = "ac:";

const ID = "([1-9][0-9]{0,9})";
const ID0 = "(0|[1-9][0-9]{0,9})";
const N = "(0|[1-9][0-9]{0,5})";
/** An access: role letter and unit id (0: none), e.g. "O12", "C0". */
const ACCESS = `([CIO])${ID0}`;
type Parser = ParserOf<AccessAction>;
const n = (s: string | undefined) => Number(s);

const ROLE_LETTERS = { COORDINATOR: "C", INSPECTOR: "I", OFFICER: "O" } as const;
const LETTER_ROLES = { C: "COORDINATOR", I: "INSPECTOR", O: "OFFICER" } as const;

const accessOf = (letter: string | undefined, unitId: string | undefined): AccessStamp => ({
  role: LETTER_ROLES[letter as keyof typeof LETTER_ROLES],
  unitId: n(unitId) || null,
});
export const encodeAccess = (a: AccessStamp) => `${ROLE_LETTERS[a.role]}${a.unitId ?? 0}`;

const PARSERS: Parser[] = [
  [new RegExp(`^ac:m:${ID}$`), (m) => ({ kind: "member", membershipId: n(m[1]) })],
  [
    new RegExp(`^ac:r:${ID}:${ACCESS}$`),
    (m) => ({ kind: "revoke", membershipId: n(m[1]), access: accessOf(m[2], m[3]) }),
  ],
  [new RegExp(`^ac:i:${ID}$`), (m) => ({ kind: "invite", inviteId: n(m[1]) })],
  [new RegExp(`^ac:ri:${ID}$`), (m) => ({ kind: "revokeInvite", inviteId: n(m[1]) })],
  [new RegExp(`^ac:l:${ID0}:${N}$`), (m) => ({ kind: "invites", unitId: n(m[1]), page: n(m[2]) })],
  [/^ac:x$/, () => ({ kind: "close" })],
  [
    new RegExp(`^ac:mv:([A-Z0-9]{4,40}):${ACCESS}$`),
    (m) => ({ kind: "move", code: m[1]!, access: accessOf(m[2], m[3]) }),
  ],
  [/^ac:k$/, () => ({ kind: "keep" })],
];

export function parseAction(data: string): AccessAction | null {
  return parseWith(PARSERS, data);
}

export function encodeAction(a: AccessAction): string {
  switch (a.kind) {
    case "member":
      return `ac:m:${a.membershipId}`;
    case "revoke":
      return `ac:r:${a.membershipId}:${encodeAccess(a.access)}`;
    case "invite":
      return `ac:i:${a.inviteId}`;
    case "revokeInvite":
      return `ac:ri:${a.inviteId}`;
    case "invites":
      return `ac:l:${a.unitId}:${a.page}`;
    case "close":
      return "ac:x";
    case "move":
      return `ac:mv:${a.code}:${encodeAccess(a.access)}`;
    case "keep":
      return "ac:k";
  }
}
