/**
 * Taking access away: a coordinator removes a person's role (and with it their unit) in a
 * campaign. The change is audited in its own transaction, the person's pending notices of
 * the campaign are dropped and they are told through the notice outbox; their next update
 * finds no membership. No Telegram in here.
 */
import type { Db, Membership, Person, PersonChannel, Prisma, Role, Unit } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { audit } from "./audit.ts";
import { revokeLinksOf } from "./links.ts";
import { enqueueNotices } from "./notices.ts";
import { namedCoordinator } from "./people.ts";
import { fold } from "./text.ts";
import { matchUnits } from "./units.ts";

type Tx = Prisma.TransactionClient;

/** A role with its unit (officers), as people read it. */
export interface Access {
  role: Role;
  unit: Unit | null;
}

/** What a button remembers of an access, so a press after it changed is refused. */
export interface AccessStamp {
  role: Role;
  unitId: number | null;
}

export const stampOf = (m: { role: Role; unitId: number | null }): AccessStamp => ({ role: m.role, unitId: m.unitId });
export const stampOfAccess = (a: Access): AccessStamp => ({ role: a.role, unitId: a.unit?.id ?? null });
export const sameAccess = (a: AccessStamp, b: AccessStamp) => a.role === b.role && a.unitId === b.unitId;

/** Notice payload of an access: role key and unit name, rendered in the reader's language. */
export const accessPayload = (a: Access) => ({ role: a.role, unitName: a.unit?.name ?? null });

/**
 * A person's notices of a campaign that are not sent yet, cancelled inside the caller's
 * transaction: after a removal or a move they would speak of a unit or role no longer theirs.
 */
export async function dropPendingNotices(tx: Tx, campaignId: number, personId: number): Promise<number> {
  const { count } = await tx.notice.updateMany({
    where: { campaignId, recipientId: personId, status: "PENDING" },
    data: { status: "CANCELLED" },
  });
  return count;
}

export type Member = Membership & { person: Person & { channels: PersonChannel[] }; unit: Unit | null };

/** More than this many people named: the coordinator is asked to be more precise. */
export const MAX_MEMBERS_FOUND = 30;

/**
 * Members of a campaign that `query` names: people whose name has every word typed (as
 * the start of a word, with or without diacritics) or whose @username it is, and everyone
 * of the units it names. Sorted by name.
 */
export async function findMembers(db: Db, campaignId: number, query: string): Promise<Member[]> {
  const words = fold(query)
    .replace(/^@/, "")
    .split(/[^\p{L}\p{N}_&]+/u)
    .filter(Boolean);
  if (words.length === 0) return [];
  const username = words.length === 1 ? words[0]! : null;
  const { matches: units } = await matchUnits(db, campaignId, query);
  const unitIds = new Set(units.map((u) => u.id));
  const members = await db.membership.findMany({
    where: { campaignId },
    include: { person: { include: { channels: true } }, unit: true },
    orderBy: { id: "asc" },
  });
  const named = (p: Person) => {
    const nameWords = fold(p.displayName).split(/[^\p{L}\p{N}]+/u);
    return (
      words.every((w) => nameWords.some((n) => n.startsWith(w))) ||
      (username !== null && p.username !== null && p.username.toLowerCase() === username)
    );
  };
  return members
    .filter((m) => (m.unitId !== null && unitIds.has(m.unitId)) || named(m.person))
    .sort((a, b) => a.person.displayName.localeCompare(b.person.displayName, "vi") || a.id - b.id);
}

/** One member of the campaign by membership id, or null. */
export function findMember(db: Db, campaignId: number, membershipId: number): Promise<Member | null> {
  return db.membership.findFirst({
    where: { id: membershipId, campaignId },
    include: { person: { include: { channels: true } }, unit: true },
  });
}

/** Why a member cannot be removed by this coordinator, or null when they can. */
export function removalRefusal(
  member: Member,
  actorId: number,
  coordinatorIds: readonly bigint[],
): "self" | "configured" | null {
  if (member.personId === actorId) return "self";
  // COORDINATOR_IDS make a coordinator whatever the database says: removing the row would
  // change nothing they can do, so it is refused with the reason.
  if (namedCoordinator(member.person.channels, coordinatorIds)) return "configured";
  return null;
}

export interface RevokeInput {
  campaignId: number;
  membershipId: number;
  /** The access the coordinator saw and confirmed. */
  expected: AccessStamp;
  actorId: number;
  coordinatorIds: readonly bigint[];
  now: Date;
}

export type RevokeResult =
  | { ok: true; member: Member; droppedNotices: number }
  | { ok: false; reason: "gone" | "changed" | "self" | "configured" };

/**
 * Removes a person's membership of a campaign (their role, and their unit if an officer),
 * as confirmed: if it changed since the coordinator saw it, nothing is removed.
 */
export async function revokeMembership(db: Db, input: RevokeInput): Promise<RevokeResult> {
  const result = await transaction(db, async (tx): Promise<RevokeResult> => {
    const member = await tx.membership.findFirst({
      where: { id: input.membershipId, campaignId: input.campaignId },
      include: { person: { include: { channels: true } }, unit: true, campaign: { select: { title: true } } },
    });
    if (!member) return { ok: false, reason: "gone" };
    const refusal = removalRefusal(member, input.actorId, input.coordinatorIds);
    if (refusal) return { ok: false, reason: refusal };
    if (!sameAccess(stampOf(member), input.expected)) return { ok: false, reason: "changed" };
    const removed = await tx.membership.deleteMany({
      where: { id: member.id, role: input.expected.role, unitId: input.expected.unitId },
    });
    if (removed.count !== 1) return { ok: false, reason: "changed" };
    await audit(tx, {
      actorId: input.actorId,
      action: "membership.revoke",
      entity: "Membership",
      entityId: member.id,
      before: { campaignId: member.campaignId, personId: member.personId, role: member.role, unitId: member.unitId },
    });
    const droppedNotices = await dropPendingNotices(tx, input.campaignId, member.personId);
    // The pages they could open (their unit's evidence, upload pages) close with their access.
    await revokeLinksOf(tx, member.personId, input.actorId, input.now);
    await enqueueNotices(tx, [
      {
        recipientId: member.personId,
        campaignId: input.campaignId,
        kind: "access.revoked",
        payload: { ...accessPayload(member), campaign: member.campaign.title },
        dueAt: input.now,
        idempotencyKey: `access:revoked:${member.id}`,
      },
    ]);
    const { campaign: _campaign, ...rest } = member;
    return { ok: true, member: rest, droppedNotices };
  });
  return result;
}
