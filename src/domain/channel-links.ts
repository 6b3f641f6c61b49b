/**
 * One person on two channels: /lienket on one channel gives a one-time code; typed on the
 * other channel, it moves that channel's account onto the person who asked. From then on
 * they are one person (one role, one unit, one set of answers), and each notice goes to one
 * of their channels (deliveryAccount in people.ts).
 *
 * Only an account that has nothing of its own yet (no role in any campaign, no answer) is
 * moved: merging two people's work is a coordinator's decision, not a code's.
 */
import { randomInt } from "node:crypto";
import type { Db } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { audit } from "./audit.ts";

/** Codes work this long: long enough to open the other app, short enough not to linger. */
export const LINK_CODE_MINUTES = 15;
/** No 0/O, 1/I/L: read off one phone and typed on another. */
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LENGTH = 8;
const CODE_FORM = new RegExp(`^[${ALPHABET}]{${CODE_LENGTH}}$`);

export async function createLinkCode(
  db: Db,
  personId: number,
  channel: string,
  now: Date,
): Promise<{ code: string; expiresAt: Date }> {
  const code = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
  const expiresAt = new Date(now.getTime() + LINK_CODE_MINUTES * 60_000);
  await db.channelLinkCode.create({ data: { code, personId, channel, expiresAt } });
  return { code, expiresAt };
}

export type LinkRefusal =
  /** No such code, or used, or expired: one answer for all (a guess learns nothing). */
  | "unknown"
  /** Typed on the channel it was made on. */
  | "same_channel"
  /** This account is already the person's. */
  | "already"
  /** The person has an account on this channel already. */
  | "taken"
  /** This account has a role or answers of its own. */
  | "has_work";

export type LinkResult = { ok: true; personId: number; displayName: string } | { ok: false; reason: LinkRefusal };

/** Moves the account `accountId` (on `channel`) onto the person who made `typed`. */
export async function redeemLinkCode(
  db: Db,
  input: { typed: string; accountId: number; channel: string; now: Date },
): Promise<LinkResult> {
  const code = input.typed.trim().toUpperCase();
  if (!CODE_FORM.test(code)) return { ok: false, reason: "unknown" };
  return transaction(db, async (tx): Promise<LinkResult> => {
    const link = await tx.channelLinkCode.findUnique({ where: { code }, include: { person: true } });
    if (!link || link.usedAt || link.expiresAt <= input.now) return { ok: false, reason: "unknown" };
    if (link.channel === input.channel) return { ok: false, reason: "same_channel" };
    const account = await tx.personChannel.findUniqueOrThrow({ where: { id: input.accountId } });
    if (account.personId === link.personId) return { ok: false, reason: "already" };
    const taken = await tx.personChannel.count({ where: { personId: link.personId, channel: input.channel } });
    if (taken > 0) return { ok: false, reason: "taken" };
    const [memberships, answers] = await Promise.all([
      tx.membership.count({ where: { personId: account.personId } }),
      tx.answer.count({ where: { answeredById: account.personId } }),
    ]);
    if (memberships + answers > 0) return { ok: false, reason: "has_work" };
    // The claim is conditional: two accounts racing for one code, one wins.
    const claimed = await tx.channelLinkCode.updateMany({
      where: { id: link.id, usedAt: null },
      data: { usedAt: input.now },
    });
    if (claimed.count === 0) return { ok: false, reason: "unknown" };
    await tx.personChannel.update({ where: { id: account.id }, data: { personId: link.personId } });
    await audit(tx, {
      actorId: link.personId,
      action: "person.channel_linked",
      entity: "PersonChannel",
      entityId: account.id,
      before: { personId: account.personId },
      after: { personId: link.personId, channel: input.channel },
    });
    return { ok: true, personId: link.personId, displayName: link.person.displayName };
  });
}
