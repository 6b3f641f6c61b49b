/**
 * The appraisal council: who appraises which units and areas. An appraiser is a roster row
 * of the campaign (from the data file's `appraisers:` or the CLI) with assignments; the
 * person behind it is linked when they redeem an invite made for them, or write from the
 * Telegram account the file gives. Coordinators need no assignment: they may appraise
 * everything. No Telegram in here.
 */
import type { Db, Prisma } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { refuse } from "./appraisal-rules.ts";
import { audit } from "./audit.ts";
import { isConfiguredCoordinator } from "./people.ts";

type Tx = Prisma.TransactionClient;
type Reader = Db | Tx;

/** The unique key of an assignment's scope: "u12:a3", "u12:*" (every area), "*:a3" (every unit). */
export const scopeKeyOf = (unitId: number | null, areaId: number | null) =>
  `${unitId === null ? "*" : `u${unitId}`}:${areaId === null ? "*" : `a${areaId}`}`;

/** Who appraises: a coordinator (everything), or an appraiser (their assignments). */
export interface AppraisalActor {
  personId: number;
  name: string;
  coordinator: boolean;
}

/**
 * The person as an appraisal actor in a campaign: a coordinator (a COORDINATOR member, or
 * named in COORDINATOR_IDS), an APPRAISER member, or nobody who may appraise (null). Read in
 * the caller's transaction when given, so a role taken away meanwhile counts at once.
 */
export async function appraisalActor(
  db: Reader,
  campaignId: number,
  personId: number,
  coordinatorIds: readonly bigint[],
): Promise<AppraisalActor | null> {
  const person = await db.person.findUnique({
    where: { id: personId },
    select: { displayName: true, memberships: { where: { campaignId }, select: { role: true } } },
  });
  if (!person) return null;
  const role = person.memberships[0]?.role ?? null;
  const coordinator = role === "COORDINATOR" || (await isConfiguredCoordinator(db, personId, coordinatorIds));
  if (!coordinator && role !== "APPRAISER") return null;
  return { personId, name: person.displayName, coordinator };
}

/** Assignments of the roster rows linked to this person in the campaign. */
const assignmentsOf = (campaignId: number, personId: number) => ({ appraiser: { campaignId, personId } });

/** Whether the actor may appraise this unit's items of this area. */
export async function mayAppraise(
  db: Reader,
  campaignId: number,
  actor: AppraisalActor,
  unitId: number,
  areaId: number,
): Promise<boolean> {
  if (actor.coordinator) return true;
  const covering = await db.appraisalAssignment.count({
    where: {
      ...assignmentsOf(campaignId, actor.personId),
      AND: [{ OR: [{ unitId: null }, { unitId }] }, { OR: [{ areaId: null }, { areaId }] }],
    },
  });
  return covering > 0;
}

/**
 * Whether an appraiser's assignments cover some area of this unit: the unit's evidence pages
 * open for them (read only), as the items they appraise link to them.
 */
export async function appraisesUnit(db: Reader, campaignId: number, personId: number, unitId: number) {
  const covering = await db.appraisalAssignment.count({
    where: { ...assignmentsOf(campaignId, personId), OR: [{ unitId: null }, { unitId }] },
  });
  return covering > 0;
}

/** Refuses (not_assigned) an appraiser outside their assignment. */
export async function assertMayAppraise(
  db: Reader,
  campaignId: number,
  actor: AppraisalActor,
  unit: { id: number; shortName: string },
  area: { id: number; code: string },
): Promise<void> {
  if (!(await mayAppraise(db, campaignId, actor, unit.id, area.id)))
    refuse({ reason: "not_assigned", unit: unit.shortName, area: area.code });
}

/** The scopes an appraiser covers: null fields mean "every". Coordinators: one scope, everything. */
export async function scopesOf(
  db: Reader,
  campaignId: number,
  actor: AppraisalActor,
): Promise<{ unitId: number | null; areaId: number | null }[]> {
  if (actor.coordinator) return [{ unitId: null, areaId: null }];
  return db.appraisalAssignment.findMany({
    where: assignmentsOf(campaignId, actor.personId),
    select: { unitId: true, areaId: true },
    orderBy: { id: "asc" },
  });
}

// ---------------------------------------------------------------- linking people

/**
 * Links appraisers whose Telegram id the file gives to the person behind that account, if
 * the bot knows them and the row is not linked yet. Called at import and when someone
 * redeems an APPRAISER invite (their account may be the one the file names).
 */
export async function linkAppraisersByTelegram(tx: Tx, campaignId: number, personId?: number): Promise<number> {
  const rows = await tx.appraiser.findMany({
    where: { campaignId, personId: null, telegramId: { not: null } },
    select: { id: true, telegramId: true },
  });
  let linked = 0;
  for (const row of rows) {
    const account = await tx.personChannel.findUnique({
      where: { channel_externalId: { channel: "telegram", externalId: row.telegramId! } },
      select: { personId: true },
    });
    if (!account || (personId !== undefined && account.personId !== personId)) continue;
    await tx.appraiser.update({ where: { id: row.id }, data: { personId: account.personId } });
    linked++;
  }
  return linked;
}

/**
 * Someone redeemed an APPRAISER invite (src/domain/invites.ts, in its transaction): the
 * roster row the invite was made for is theirs, and so is any row whose Telegram id is theirs.
 */
export async function linkRedeemedAppraiser(
  tx: Tx,
  invite: { id: number; campaignId: number; appraiserId: number | null },
  personId: number,
): Promise<void> {
  if (invite.appraiserId !== null) {
    const before = await tx.appraiser.findUnique({ where: { id: invite.appraiserId } });
    if (before && before.personId !== personId) {
      await tx.appraiser.update({ where: { id: before.id }, data: { personId } });
      await audit(tx, {
        actorId: personId,
        action: "appraiser.link",
        entity: "Appraiser",
        entityId: before.id,
        before: { personId: before.personId },
        after: { personId, invite: invite.id },
      });
    }
  }
  await linkAppraisersByTelegram(tx, invite.campaignId, personId);
}

// ---------------------------------------------------------------- the roster (CLI)

export interface AppraiserInput {
  key: string;
  name: string;
  title?: string | null;
}

/** Adds an appraiser to the roster, or renames one (by key); audited. */
export async function saveAppraiser(db: Db, campaignId: number, input: AppraiserInput, by: string) {
  return transaction(db, async (tx) => {
    const key = { campaignId_key: { campaignId, key: input.key } };
    const before = await tx.appraiser.findUnique({ where: key });
    const data = { name: input.name, title: input.title ?? null };
    const row = before
      ? await tx.appraiser.update({ where: { id: before.id }, data })
      : await tx.appraiser.create({ data: { campaignId, key: input.key, ...data } });
    await audit(tx, {
      actorId: null,
      action: before ? "appraiser.update" : "appraiser.create",
      entity: "Appraiser",
      entityId: row.id,
      before: before && { name: before.name, title: before.title },
      after: { key: row.key, name: row.name, title: row.title, by },
    });
    return row;
  });
}

/**
 * Assigns an appraiser (by key) to units and/or areas: every listed area of every listed
 * unit; units alone give every area of them, areas alone those areas of every unit.
 * Assignments already there are kept; returns how many were added. Audited.
 */
export async function assignAppraiser(
  db: Db,
  campaignId: number,
  appraiserKey: string,
  scope: { unitIds?: number[]; areaIds?: number[] },
  by: string,
): Promise<{ added: number; appraiserId: number } | null> {
  return transaction(db, async (tx) => {
    const appraiser = await tx.appraiser.findUnique({ where: { campaignId_key: { campaignId, key: appraiserKey } } });
    if (!appraiser) return null;
    const units = scope.unitIds?.length ? scope.unitIds : [null];
    const areas = scope.areaIds?.length ? scope.areaIds : [null];
    const wanted = units.flatMap((unitId) => areas.map((areaId) => ({ unitId, areaId })));
    const existing = new Set(
      (await tx.appraisalAssignment.findMany({ where: { appraiserId: appraiser.id }, select: { scopeKey: true } })).map(
        (a) => a.scopeKey,
      ),
    );
    const fresh = wanted.filter((w) => !existing.has(scopeKeyOf(w.unitId, w.areaId)));
    if (fresh.length > 0) {
      await tx.appraisalAssignment.createMany({
        data: fresh.map((w) => ({ appraiserId: appraiser.id, ...w, scopeKey: scopeKeyOf(w.unitId, w.areaId) })),
      });
      await audit(tx, {
        actorId: null,
        action: "appraiser.assign",
        entity: "Appraiser",
        entityId: appraiser.id,
        after: { scopes: fresh.map((w) => scopeKeyOf(w.unitId, w.areaId)), by },
      });
    }
    return { added: fresh.length, appraiserId: appraiser.id };
  });
}

/** Removes assignments of an appraiser (the same scopes assignAppraiser takes); audited. */
export async function unassignAppraiser(
  db: Db,
  campaignId: number,
  appraiserKey: string,
  scope: { unitIds?: number[]; areaIds?: number[] },
  by: string,
): Promise<{ removed: number } | null> {
  return transaction(db, async (tx) => {
    const appraiser = await tx.appraiser.findUnique({ where: { campaignId_key: { campaignId, key: appraiserKey } } });
    if (!appraiser) return null;
    const units = scope.unitIds?.length ? scope.unitIds : [null];
    const areas = scope.areaIds?.length ? scope.areaIds : [null];
    const keys = units.flatMap((u) => areas.map((a) => scopeKeyOf(u, a)));
    const { count } = await tx.appraisalAssignment.deleteMany({
      where: { appraiserId: appraiser.id, scopeKey: { in: keys } },
    });
    if (count > 0) {
      await audit(tx, {
        actorId: null,
        action: "appraiser.unassign",
        entity: "Appraiser",
        entityId: appraiser.id,
        before: { scopes: keys },
        after: { removed: count, by },
      });
    }
    return { removed: count };
  });
}

/** The roster with each appraiser's person (if linked) and assignments, by key. */
export function listAppraisers(db: Db, campaignId: number) {
  return db.appraiser.findMany({
    where: { campaignId },
    include: {
      person: { select: { id: true, displayName: true } },
      assignments: {
        select: { unitId: true, areaId: true, unit: { select: { shortName: true } }, area: { select: { code: true } } },
        orderBy: { id: "asc" },
      },
    },
    orderBy: { key: "asc" },
  });
}
