/** Single-use invite codes that link a person to a unit and a role (/start <code>). */
import { randomInt } from "node:crypto";
import type { Db, Role, Unit } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { audit } from "./audit.ts";

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
  return transaction(db, async (tx) => {
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
  const result = await transaction(db, async (tx) => {
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
  return result;
}
