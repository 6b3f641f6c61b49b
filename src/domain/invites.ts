/** Single-use invite codes that link a person to a unit and a role (/start <code>). */
import { randomInt } from "node:crypto";
import type { Db, Invite, Person, Prisma, Role, Unit } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { type Access, type AccessStamp, accessPayload, dropPendingNotices, sameAccess, stampOf } from "./access.ts";
import { linkRedeemedAppraiser } from "./appraisers.ts";
import { audit } from "./audit.ts";
import { coordinatorIdsOf, enqueueNotices } from "./notices.ts";
import { namedCoordinator } from "./people.ts";

type Tx = Prisma.TransactionClient;

// No 0/O, 1/I/L: codes are sometimes read aloud or typed from paper.
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 10;
export const DEFAULT_INVITE_DAYS = 30;

export function newInviteCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** Deep link a person taps to start the bot with the code. */
export function inviteLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=${code}`;
}

export interface CreateInvitesInput {
  campaignId: number;
  role: Role;
  /** Units to invite officers of; ignored for coordinators and inspectors. */
  unitIds?: number[];
  /**
   * Appraisers of the roster to invite (role APPRAISER), one invite each, linking its person
   * to the row when redeemed; absent: every appraiser not linked to a person yet.
   */
  appraiserIds?: number[];
  days?: number;
  createdById?: number | null;
  now?: Date;
}

export interface CreatedInvite {
  code: string;
  role: Role;
  unit: Unit | null;
  /** The appraiser of the roster an APPRAISER invite was made for. */
  appraiser: { key: string; name: string } | null;
  expiresAt: Date;
}

export async function createInvites(db: Db, input: CreateInvitesInput): Promise<CreatedInvite[]> {
  const now = input.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (input.days ?? DEFAULT_INVITE_DAYS) * 86_400_000);
  type Target = { unit: Unit | null; appraiser: { id: number; key: string; name: string } | null };
  const targets: Target[] =
    input.role === "OFFICER"
      ? (
          await db.unit.findMany({
            where: {
              campaigns: { some: { campaignId: input.campaignId } },
              ...(input.unitIds ? { id: { in: input.unitIds } } : {}),
            },
            orderBy: { id: "asc" },
          })
        ).map((unit) => ({ unit, appraiser: null }))
      : input.role === "APPRAISER"
        ? (
            await db.appraiser.findMany({
              where: {
                campaignId: input.campaignId,
                ...(input.appraiserIds ? { id: { in: input.appraiserIds } } : { personId: null }),
              },
              select: { id: true, key: true, name: true },
              orderBy: { key: "asc" },
            })
          ).map((appraiser) => ({ unit: null, appraiser }))
        : [{ unit: null, appraiser: null }];
  return transaction(db, async (tx) => {
    const created: CreatedInvite[] = [];
    for (const { unit, appraiser } of targets) {
      const invite = await tx.invite.create({
        data: {
          code: newInviteCode(),
          campaignId: input.campaignId,
          role: input.role,
          unitId: unit?.id ?? null,
          appraiserId: appraiser?.id ?? null,
          expiresAt,
          createdById: input.createdById ?? null,
        },
      });
      await audit(tx, {
        actorId: input.createdById ?? null,
        action: "invite.create",
        entity: "Invite",
        entityId: invite.id,
        after: { role: invite.role, unitId: invite.unitId, appraiserId: invite.appraiserId, expiresAt },
      });
      const shown = appraiser && { key: appraiser.key, name: appraiser.name };
      created.push({ code: invite.code, role: invite.role, unit, appraiser: shown, expiresAt });
    }
    return created;
  });
}

export type RedeemResult =
  | { ok: true; role: Role; unit: Unit | null; previous: Access | null; campaignId: number; moved: boolean }
  | { ok: false; reason: "unknown" | "used" | "expired" | "revoked" | "usedBySelf" | "configuredCoordinator" }
  /** The code would change the person's unit or role: nothing done until they confirm. */
  | { ok: false; reason: "confirm"; code: string; current: Access; next: Access };

export interface RedeemOptions {
  now: Date;
  /** COORDINATOR_IDS: they stay coordinators, and are told of moves. */
  coordinatorIds: readonly bigint[];
  /** The access the person saw and agreed to leave (the confirm button), if any. */
  confirmed?: AccessStamp | null;
}

/** What a code can look like (codes made here have 10 characters; a move button carries at most 40). */
const CODE_FORM = /^[A-Z0-9]{4,64}$/;

/** Codes are shown upper-case; accept what people type. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * Redeems a code for a person. The claim is one conditional update, so two people racing
 * for one code cannot both win. A person who has a role already is never moved to another
 * unit or role silently: unless they confirmed leaving exactly the access they have now,
 * the answer is "confirm" and the code stays unused. A confirmed move is audited and the
 * campaign's coordinators are told through the outbox (access.moved).
 */
export async function redeemInvite(
  db: Db,
  rawCode: string,
  personId: number,
  options: RedeemOptions,
): Promise<RedeemResult> {
  const { now } = options;
  const code = normalizeCode(rawCode);
  if (!CODE_FORM.test(code)) return { ok: false, reason: "unknown" };
  const result = await transaction(db, async (tx): Promise<RedeemResult> => {
    const invite = await tx.invite.findUnique({ where: { code }, include: { unit: true } });
    if (!invite) return { ok: false, reason: "unknown" };
    if (invite.revokedAt) return { ok: false, reason: "revoked" };
    if (invite.usedAt) return { ok: false, reason: invite.usedById === personId ? "usedBySelf" : "used" };
    if (invite.expiresAt <= now) return { ok: false, reason: "expired" };
    const accounts = await tx.personChannel.findMany({ where: { personId } });
    // COORDINATOR_IDS make a coordinator whatever the database says: a code would change
    // nothing they can do, so it is left for the person it was meant for.
    if (namedCoordinator(accounts, options.coordinatorIds)) return { ok: false, reason: "configuredCoordinator" };
    const key = { campaignId_personId: { campaignId: invite.campaignId, personId } };
    const before = await tx.membership.findUnique({ where: key, include: { unit: true } });
    const next: Access = { role: invite.role, unit: invite.unit };
    const moved = before !== null && !sameAccess(stampOf(before), stampOf(invite));
    if (moved && !(options.confirmed && sameAccess(options.confirmed, stampOf(before)))) {
      return { ok: false, reason: "confirm", code, current: { role: before.role, unit: before.unit }, next };
    }
    const claimed = await tx.invite.updateMany({
      where: { id: invite.id, usedAt: null, revokedAt: null },
      data: { usedAt: now, usedById: personId },
    });
    if (claimed.count !== 1) return { ok: false, reason: "used" };
    const after = await tx.membership.upsert({
      where: key,
      create: { campaignId: invite.campaignId, personId, role: invite.role, unitId: invite.unitId },
      update: { role: invite.role, unitId: invite.unitId },
    });
    await audit(tx, {
      actorId: personId,
      action: "invite.redeem",
      entity: "Membership",
      entityId: after.id,
      before: before && { role: before.role, unitId: before.unitId },
      after: { role: after.role, unitId: after.unitId, invite: invite.code },
    });
    if (invite.role === "APPRAISER") await linkRedeemedAppraiser(tx, invite, personId);
    if (moved) {
      const person = await tx.person.findUniqueOrThrow({ where: { id: personId } });
      await tellCoordinatorsOfMove(tx, invite, person, before, next, options, now);
    }
    const previous = before && { role: before.role, unit: before.unit };
    return { ok: true, role: invite.role, unit: invite.unit, previous, campaignId: invite.campaignId, moved };
  });
  return result;
}

/**
 * A confirmed move: the person's pending notices of their old unit or role are dropped,
 * and every coordinator of the campaign (but the person) is told who moved from where to
 * where, in their own language when it is sent.
 */
async function tellCoordinatorsOfMove(
  tx: Tx,
  invite: Invite,
  person: Person,
  before: Access,
  next: Access,
  options: RedeemOptions,
  now: Date,
): Promise<void> {
  await dropPendingNotices(tx, invite.campaignId, person.id);
  const coordinators = await coordinatorIdsOf(tx, invite.campaignId, options.coordinatorIds);
  await enqueueNotices(
    tx,
    coordinators
      .filter((id) => id !== person.id)
      .map((recipientId) => ({
        recipientId,
        campaignId: invite.campaignId,
        kind: "access.moved",
        payload: {
          personName: person.displayName,
          username: person.username,
          from: accessPayload(before),
          to: accessPayload(next),
        },
        dueAt: now,
        idempotencyKey: `access:moved:${invite.id}:${recipientId}`,
      })),
  );
}

// ---------------------------------------------------------------- open invites, revoking

/** Whether typed text has the form of a code (it may still be a person's name). */
export const looksLikeCode = (text: string) => CODE_FORM.test(normalizeCode(text));

export type InviteWithPeople = Invite & { unit: Unit | null; usedBy: Person | null };

/** An invite of the campaign by the code a coordinator typed, whatever its state. */
export async function findInviteByCode(db: Db, campaignId: number, rawCode: string): Promise<InviteWithPeople | null> {
  const code = normalizeCode(rawCode);
  if (!CODE_FORM.test(code)) return null;
  return db.invite.findFirst({ where: { code, campaignId }, include: { unit: true, usedBy: true } });
}

export function findInvite(db: Db, campaignId: number, inviteId: number): Promise<InviteWithPeople | null> {
  return db.invite.findFirst({ where: { id: inviteId, campaignId }, include: { unit: true, usedBy: true } });
}

export type InviteState = "open" | "used" | "revoked" | "expired";

export function inviteState(invite: Invite, now: Date): InviteState {
  if (invite.revokedAt) return "revoked";
  if (invite.usedAt) return "used";
  return invite.expiresAt <= now ? "expired" : "open";
}

const openWhere = (campaignId: number, now: Date, unitId?: number) => ({
  campaignId,
  usedAt: null,
  revokedAt: null,
  expiresAt: { gt: now },
  ...(unitId ? { unitId } : {}),
});

export interface InvitePage {
  invites: (Invite & { unit: Unit | null })[];
  total: number;
  page: number;
  pages: number;
}

/** Invites that can still be used, of one unit or all, by unit then age; one page. */
export async function openInvites(
  db: Db,
  campaignId: number,
  now: Date,
  options: { unitId?: number; page: number; pageSize: number },
): Promise<InvitePage> {
  const where = openWhere(campaignId, now, options.unitId);
  const total = await db.invite.count({ where });
  const pages = Math.max(1, Math.ceil(total / options.pageSize));
  const page = Math.min(Math.max(0, options.page), pages - 1);
  const invites = await db.invite.findMany({
    where,
    include: { unit: true },
    orderBy: [{ unitId: { sort: "asc", nulls: "first" } }, { id: "asc" }],
    skip: page * options.pageSize,
    take: options.pageSize,
  });
  return { invites, total, page, pages };
}

export type RevokeInviteResult =
  | { ok: true; invite: InviteWithPeople }
  | { ok: false; reason: Exclude<InviteState, "open"> | "gone" };

/** A coordinator revokes an unused invite: from then on it is answered as an unknown code. */
export async function revokeInvite(
  db: Db,
  campaignId: number,
  inviteId: number,
  actorId: number,
  now: Date,
): Promise<RevokeInviteResult> {
  return transaction(db, async (tx): Promise<RevokeInviteResult> => {
    const revoked = await tx.invite.updateMany({
      where: { id: inviteId, ...openWhere(campaignId, now) },
      data: { revokedAt: now },
    });
    const invite = await tx.invite.findFirst({
      where: { id: inviteId, campaignId },
      include: { unit: true, usedBy: true },
    });
    if (!invite) return { ok: false, reason: "gone" };
    if (revoked.count !== 1) {
      const state = inviteState(invite, now);
      return { ok: false, reason: state === "open" ? "gone" : state };
    }
    await audit(tx, {
      actorId,
      action: "invite.revoke",
      entity: "Invite",
      entityId: invite.id,
      before: { role: invite.role, unitId: invite.unitId, expiresAt: invite.expiresAt },
      after: { revokedAt: now },
    });
    return { ok: true, invite };
  });
}

// ---------------------------------------------------------------- guessing

/** At most this many wrong codes per person within the window; then they wait. */
export const INVITE_ATTEMPT_LIMIT = 5;
export const INVITE_ATTEMPT_WINDOW_MS = 10 * 60_000;

export type AttemptSlot = { ok: true; id: number } | { ok: false; retryAt: Date };

/**
 * Takes one of a person's attempts at a code, before the code is looked at. Every attempt
 * is a row first; the attempt goes ahead only if the rows of the window, its own
 * included, are within the limit. Of two attempts racing on two bot instances, the later
 * to count sees the other's row, so the limit holds without a lock. A wrong code keeps its
 * row (see settleAttempt); a refused attempt removes its own, so waiting is enough.
 */
export async function takeAttempt(db: Db, personId: number, now: Date): Promise<AttemptSlot> {
  const since = new Date(now.getTime() - INVITE_ATTEMPT_WINDOW_MS);
  await db.inviteAttempt.deleteMany({ where: { personId, createdAt: { lte: since } } });
  const mine = await db.inviteAttempt.create({ data: { personId, createdAt: now }, select: { id: true } });
  const recent = await db.inviteAttempt.findMany({
    where: { personId, createdAt: { gt: since } },
    select: { id: true, createdAt: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  if (recent.length <= INVITE_ATTEMPT_LIMIT) return { ok: true, id: mine.id };
  await db.inviteAttempt.deleteMany({ where: { id: mine.id } });
  // The next attempt fits once all but LIMIT - 1 of the others have left the window.
  const others = recent.filter((r) => r.id !== mine.id);
  const oldestToLeave = others[others.length - INVITE_ATTEMPT_LIMIT]!;
  return { ok: false, retryAt: new Date(oldestToLeave.createdAt.getTime() + INVITE_ATTEMPT_WINDOW_MS) };
}

/** An attempt that was not a wrong code (it linked the person, or was theirs already) does not count. */
export async function settleAttempt(db: Db, attemptId: number, wrongCode: boolean): Promise<void> {
  if (!wrongCode) await db.inviteAttempt.deleteMany({ where: { id: attemptId } });
}

export type OpenResult = RedeemResult | { ok: false; reason: "throttled"; retryAt: Date };

/**
 * A person typed (or tapped) an invite code: throttled per person, then redeemed. Unknown,
 * used-by-someone-else and expired codes are wrong codes alike (see src/bot/features/start.ts
 * for why they get one answer).
 */
export async function openInvite(
  db: Db,
  rawCode: string,
  personId: number,
  options: RedeemOptions,
): Promise<OpenResult> {
  const slot = await takeAttempt(db, personId, options.now);
  if (!slot.ok) return { ok: false, reason: "throttled", retryAt: slot.retryAt };
  const result = await redeemInvite(db, rawCode, personId, options);
  await settleAttempt(db, slot.id, !result.ok && WRONG_CODE.has(result.reason));
  return result;
}

/** Answers to a code that cannot be used; the others (linked, asked to confirm, already theirs) are not guesses. */
const WRONG_CODE = new Set<string>(["unknown", "used", "expired", "revoked"]);
