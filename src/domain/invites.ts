/** Single-use invite codes that link a person to a unit and a role (/start <code>). */
import { randomInt } from "node:crypto";
import type { Db, Role, Unit } from "../db/client.ts";
import { audit } from "./audit.ts";
import { forgetMembership } from "./people.ts";

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
  days?: number;
  createdById?: number | null;
  now?: Date;
}

export interface CreatedInvite {
  code: string;
  role: Role;
  unit: Unit | null;
  expiresAt: Date;
}

export async function createInvites(db: Db, input: CreateInvitesInput): Promise<CreatedInvite[]> {
  const now = input.now ?? new Date();
  const expiresAt = new Date(now.getTime() + (input.days ?? DEFAULT_INVITE_DAYS) * 86_400_000);
  const units: (Unit | null)[] =
    input.role === "OFFICER"
      ? await db.unit.findMany({
          where: {
            campaigns: { some: { campaignId: input.campaignId } },
            ...(input.unitIds ? { id: { in: input.unitIds } } : {}),
          },
          orderBy: { id: "asc" },
        })
      : [null];
  return db.$transaction(async (tx) => {
    const created: CreatedInvite[] = [];
    for (const unit of units) {
      const invite = await tx.invite.create({
        data: {
          code: newInviteCode(),
          campaignId: input.campaignId,
          role: input.role,
          unitId: unit?.id ?? null,
          expiresAt,
          createdById: input.createdById ?? null,
        },
      });
      await audit(tx, {
        actorId: input.createdById ?? null,
        action: "invite.create",
        entity: "Invite",
        entityId: invite.id,
        after: { role: invite.role, unitId: invite.unitId, expiresAt },
      });
      created.push({ code: invite.code, role: invite.role, unit, expiresAt });
    }
    return created;
  });
}

export type RedeemResult =
  | { ok: true; role: Role; unit: Unit | null; previousRole: Role | null; campaignId: number }
  | { ok: false; reason: "unknown" | "used" | "expired" | "usedBySelf" };

/** Codes are shown upper-case; accept what people type. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

/**
 * Redeems a code for a person. The claim is one conditional update, so two people racing
 * for one code cannot both win.
 */
export async function redeemInvite(db: Db, rawCode: string, personId: number, now = new Date()): Promise<RedeemResult> {
  const code = normalizeCode(rawCode);
  if (!/^[A-Z0-9]{4,64}$/.test(code)) return { ok: false, reason: "unknown" };
  const result = await db.$transaction(async (tx) => {
    const invite = await tx.invite.findUnique({ where: { code }, include: { unit: true } });
    if (!invite) return { ok: false, reason: "unknown" } as const;
    if (invite.usedAt) return { ok: false, reason: invite.usedById === personId ? "usedBySelf" : "used" } as const;
    if (invite.expiresAt <= now) return { ok: false, reason: "expired" } as const;
    const claimed = await tx.invite.updateMany({
      where: { id: invite.id, usedAt: null },
      data: { usedAt: now, usedById: personId },
    });
    if (claimed.count !== 1) return { ok: false, reason: "used" } as const;
    const key = { campaignId_personId: { campaignId: invite.campaignId, personId } };
    const before = await tx.membership.findUnique({ where: key });
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
    return {
      ok: true,
      role: invite.role,
      unit: invite.unit,
      previousRole: before?.role ?? null,
      campaignId: invite.campaignId,
    } as const;
  });
  if (result.ok) forgetMembership(db, result.campaignId, personId);
  return result;
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
export async function openInvite(db: Db, rawCode: string, personId: number, now: Date): Promise<OpenResult> {
  const slot = await takeAttempt(db, personId, now);
  if (!slot.ok) return { ok: false, reason: "throttled", retryAt: slot.retryAt };
  const result = await redeemInvite(db, rawCode, personId, now);
  await settleAttempt(db, slot.id, !result.ok && result.reason !== "usedBySelf");
  return result;
}
