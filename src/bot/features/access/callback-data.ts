/**
 * The buttons of access management (see src/bot/callback-data.ts for the codec). A role and
 * unit travel with a confirmation, so a press after the access changed is refused instead of
 * acting on what was not shown. The move buttons carry the invite code the person typed in
 * this very chat: pressing one is typing the code again (throttled alike), so forged data
 * gains nothing.
 */
import type { AccessStamp } from "../../../domain/access.ts";
import { type Action, actionCodec, type Field, ID, ID0, PAGE } from "../../callback-data.ts";

const ROLE_LETTERS = { COORDINATOR: "C", INSPECTOR: "I", OFFICER: "O", APPRAISER: "A" } as const;
const LETTER_ROLES = { C: "COORDINATOR", I: "INSPECTOR", O: "OFFICER", A: "APPRAISER" } as const;

/** An access as shown: role letter and unit id (0: none), e.g. "O12", "C0". */
const ACCESS: Field<AccessStamp> = {
  pattern: `[CIOA](?:${ID0.pattern})`,
  decode: (text) => {
    const unitId = ID0.decode(text.slice(1));
    if (unitId === null) return null;
    return { role: LETTER_ROLES[text[0] as keyof typeof LETTER_ROLES], unitId: unitId || null };
  },
  encode: (a) => `${ROLE_LETTERS[a.role]}${a.unitId ?? 0}`,
};

/** An invite code as typed (normalised to upper case). */
const CODE: Field<string> = { pattern: "[A-Z0-9]{4,40}", decode: (t) => t, encode: (t) => t };

const codec = actionCodec("ac", {
  /** /thuhoi: one of several people named; ask to confirm */
  member: ["m", { membershipId: ID }],
  /** Confirmed: remove this membership, as it was shown */
  revoke: ["r", { membershipId: ID, access: ACCESS }],
  /** /mamoi, /thuhoi <code>: ask to confirm revoking this invite */
  invite: ["i", { inviteId: ID }],
  /** Confirmed: revoke this invite */
  revokeInvite: ["ri", { inviteId: ID }],
  /** /mamoi: open invites of a unit (0: all), page n */
  invites: ["l", { unitId: ID0, page: PAGE }],
  /** Dismissed: nothing done */
  close: ["x", {}],
  /** Anyone asked to confirm a move by an invite: use this code, leaving this access */
  move: ["mv", { code: CODE, access: ACCESS }],
  /** ...or keep the access they have; the code stays unused */
  keep: ["k", {}],
});

export type AccessAction = Action<typeof codec>;
export const PREFIX = `${codec.prefix}:`;
export const parseAction = codec.parse;
export const encodeAction = codec.encode;
