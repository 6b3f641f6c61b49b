/**
 * Corrective actions (kiến nghị khắc phục) followed to closure (issue 14), after
 * SafetyCulture's actions: an owner (the unit), a due date, the finding it comes from, and
 * closure on the unit's report with its files. A coordinator creates an action from a
 * finding of the visit or as free text; its due date is typed (dd/MM/yyyy, never in the
 * past) or comes with the conclusion notice (issued date + the campaign's actionDueDays,
 * src/domain/time.ts dueDateAfter). An officer of the unit reports what was done (text, then
 * files, then «Gửi báo cáo»): REPORTED, the coordinators are told; a coordinator closes it
 * (from REPORTED or OPEN) or reopens it with a reason the unit is told. Reminders go out 7,
 * 3 and 1 days before the due date; coordinators get a daily digest of overdue actions; all
 * through the outbox. Every change is audited; a button on an older screen is refused by
 * the action's version. No Telegram in here.
 *
 * Refusals a person can fix come back as `{ ok: false, reason }`, never as exceptions.
 */

import type { Db, Evidence, Prisma } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { audit } from "./audit.ts";
import { coordinatorIdsOf, enqueueNotices, type NoticeInput } from "./notices.ts";
import { keepOwnedFile } from "./owned-files.ts";
import { DEFAULT_CATCH_UP_MS, type ReminderSettings, reminderAt } from "./schedule.ts";
import { letters } from "./text.ts";
import { dueDateAfter, localDay, readViDateTime } from "./time.ts";
import { clearCursor, type StoredFile, setCursor } from "./visits.ts";

type Tx = Prisma.TransactionClient;
type ActionRow = Prisma.CorrectiveActionGetPayload<object>;

/** Days before the due date at which the unit's officers are reminded. */
export const ACTION_REMINDER_DAYS = [7, 3, 1] as const;
/** Units named in one overdue digest; the rest are counted ("và N đơn vị khác"). */
export const DIGEST_UNITS = 20;
const TEXT_MIN_LETTERS = 5;
const TEXT_MAX = 1000;
const REASON_MAX = 500;
const DAY = 86_400_000;
/** Statuses whose clock runs (not closed). */
export const LIVE_ACTION = ["OPEN", "REPORTED"] as const;

export type ActionRefusal =
  /** No such action, finding or visit in the campaign. */
  | "not_found"
  | "not_coordinator"
  /** Not an officer of any unit. */
  | "not_officer"
  /** An officer of another unit: "a report on another unit's action". */
  | "other_unit"
  /** The finding was withdrawn by the team. */
  | "finding_removed"
  | "visit_cancelled"
  /** The action's text (or a report's) says nothing: too short. */
  | "no_text"
  | "no_reason"
  /** The due date is not written as dd/MM/yyyy. */
  | "due_format"
  | "due_past"
  /** The action changed since the person was shown it. */
  | "stale"
  /** Reopening an action that is open already. */
  | "already_open"
  /** A file before the report's text, or the step lapsed. */
  | "no_report"
  | "no_step";

export type ActionRefused =
  | { ok: false; reason: ActionRefusal }
  /** A date that is not on the calendar ("31/02/2019"), as typed. */
  | { ok: false; reason: "due_date"; date: string }
  /** Closed already ("Kiến nghị đã đóng ngày …"). */
  | { ok: false; reason: "closed"; closedAt: Date };

/** Who acts on an action: a coordinator, or an officer of a unit. */
export interface ActionActor {
  personId: number;
  coordinator: boolean;
  /** The unit the person is an officer of (null: not an officer). */
  officerUnitId: number | null;
  /** Shown to the people told (notices). */
  name: string;
}

export interface ActionOptions {
  now: Date;
  timeZone: string;
  /** COORDINATOR_IDS: told with the coordinator members of reports. */
  coordinatorIds?: readonly bigint[];
}

const refuse = (reason: ActionRefusal): ActionRefused => ({ ok: false, reason });

/** A typed due date: 17:00 of that day (the end of the office day), not before now. */
export function readDueDate(
  text: string,
  timeZone: string,
  now: Date,
): { ok: true; dueAt: Date } | Extract<ActionRefused, { reason: "due_format" | "due_date" | "due_past" }> {
  const read = readViDateTime(text.trim(), timeZone, [17, 0]);
  if (!read.ok) {
    if (read.error === "date") return { ok: false, reason: "due_date", date: read.date };
    return { ok: false, reason: "due_format" } as Extract<ActionRefused, { reason: "due_format" }>;
  }
  if (read.date.getTime() <= now.getTime())
    return { ok: false, reason: "due_past" } as Extract<ActionRefused, { reason: "due_past" }>;
  return { ok: true, dueAt: read.date };
}

/** "Lập hồ sơ … hạn 30/04/2019": the action's text and the due date typed at its end, if any. */
export function splitDue(text: string): { text: string; due: string | null } {
  const m = /^(.*?)[\s,;.]*\bh[aạ]n\s*:?\s*(\d{1,2}\/\d{1,2}\/\d{4})\s*\.?\s*$/isu.exec(text.trim());
  return m ? { text: m[1]!.trim(), due: m[2]! } : { text: text.trim(), due: null };
}

// ---------------------------------------------------------------- reading

const actionInclude = {
  visit: {
    select: {
      id: true,
      unitId: true,
      status: true,
      conclusionIssuedAt: true,
      unit: { select: { name: true, shortName: true } },
    },
  },
  finding: { select: { id: true, text: true, removedAt: true } },
  // Sent reports only: one being written is the officer's until «Gửi báo cáo».
  reports: {
    where: { sentAt: { not: null } },
    orderBy: { id: "asc" as const },
    include: {
      by: { select: { displayName: true } },
      files: {
        where: { removedAt: null },
        orderBy: { id: "asc" as const },
        select: { id: true, fileName: true, mimeType: true, size: true, storageKey: true, createdAt: true },
      },
    },
  },
  closedBy: { select: { displayName: true } },
} as const;

/** An action with its visit's unit, its finding, its reports and their files. */
export type ActionDetail = Prisma.CorrectiveActionGetPayload<{ include: typeof actionInclude }>;

/** One action of the campaign, or null. */
export async function findAction(db: Db | Tx, campaignId: number, actionId: number): Promise<ActionDetail | null> {
  const action = await db.correctiveAction.findUnique({ where: { id: actionId }, include: actionInclude });
  return action && action.campaignId === campaignId ? action : null;
}

/**
 * The actions of a visit or of a unit (for export sheets, the conclusion DOCX and plain
 * questions): oldest first, with the finding, the reports and their files.
 */
export async function actionsOf(
  db: Db | Tx,
  campaignId: number,
  of: { visitId: number } | { unitId: number },
  options: { status?: readonly ActionRow["status"][] } = {},
): Promise<ActionDetail[]> {
  return db.correctiveAction.findMany({
    where: {
      campaignId,
      ...("visitId" in of ? { visitId: of.visitId } : { unitId: of.unitId }),
      ...(options.status ? { status: { in: [...options.status] } } : {}),
    },
    include: actionInclude,
    orderBy: [{ id: "asc" }],
  });
}

/** Whether an action is past its due date and not closed. */
export function isOverdue(action: Pick<ActionRow, "status" | "dueAt">, now: Date): boolean {
  return action.status !== "CLOSED" && action.dueAt !== null && action.dueAt < now;
}

export interface ActionCounts {
  open: number;
  /** Not closed and past the due date (counted within open and reported too). */
  overdue: number;
  reported: number;
  closed: number;
}

/**
 * Per unit: open, overdue, reported, closed actions (units with none are absent). Two
 * grouped queries on the (campaignId, status, dueAt) index, however many actions; `unitIds`
 * narrows them to a page of units.
 */
export async function actionCounts(
  db: Db | Tx,
  campaignId: number,
  now: Date,
  unitIds?: readonly number[],
): Promise<Map<number, ActionCounts>> {
  const counts = new Map<number, ActionCounts>();
  if (unitIds && unitIds.length === 0) return counts;
  const units = unitIds ? { unitId: { in: [...unitIds] } } : {};
  const [byStatus, overdue] = await Promise.all([
    db.correctiveAction.groupBy({ by: ["unitId", "status"], where: { campaignId, ...units }, _count: { _all: true } }),
    db.correctiveAction.groupBy({
      by: ["unitId"],
      where: { campaignId, status: { in: [...LIVE_ACTION] }, dueAt: { lt: now }, ...units },
      _count: { _all: true },
    }),
  ]);
  const of = (unitId: number) => {
    let c = counts.get(unitId);
    if (!c) {
      c = { open: 0, overdue: 0, reported: 0, closed: 0 };
      counts.set(unitId, c);
    }
    return c;
  };
  for (const g of byStatus) {
    const c = of(g.unitId);
    const n = g._count._all;
    if (g.status === "OPEN") c.open += n;
    else if (g.status === "REPORTED") c.reported += n;
    else c.closed += n;
  }
  for (const g of overdue) of(g.unitId).overdue = g._count._all;
  return counts;
}

/**
 * The campaign's counts in all (the first line of /tiendo): one query grouped by status (three
 * rows) and one count of overdue ones, both on the (campaignId, status, dueAt) index, so the
 * cost does not grow with the number of units.
 */
export async function actionTotals(db: Db | Tx, campaignId: number, now: Date): Promise<ActionCounts> {
  const [byStatus, overdue] = await Promise.all([
    db.correctiveAction.groupBy({ by: ["status"], where: { campaignId }, _count: { _all: true } }),
    db.correctiveAction.count({ where: { campaignId, status: { in: [...LIVE_ACTION] }, dueAt: { lt: now } } }),
  ]);
  const n = (status: ActionRow["status"]) => byStatus.find((g) => g.status === status)?._count._all ?? 0;
  return { open: n("OPEN"), overdue, reported: n("REPORTED"), closed: n("CLOSED") };
}

/** The sum of per-unit counts. */
export function totalCounts(counts: Iterable<ActionCounts>): ActionCounts {
  const total = { open: 0, overdue: 0, reported: 0, closed: 0 };
  for (const c of counts) {
    total.open += c.open;
    total.overdue += c.overdue;
    total.reported += c.reported;
    total.closed += c.closed;
  }
  return total;
}

export interface OverdueUnit {
  unitId: number;
  unitName: string;
  shortName: string;
  count: number;
  oldestDueAt: Date;
}

export interface OverdueDigest {
  /** Units with overdue actions, the longest overdue first, at most `limit`. */
  units: OverdueUnit[];
  /** Units with overdue actions in all. */
  unitCount: number;
  /** Overdue actions in all. */
  actionCount: number;
}

/**
 * Units with actions past their due date and not closed: one grouped query, then the names
 * of the units shown. The query the daily digest and "đơn vị nào còn kiến nghị quá hạn?" make.
 */
export async function overdueDigest(
  db: Db | Tx,
  campaignId: number,
  now: Date,
  limit = DIGEST_UNITS,
): Promise<OverdueDigest> {
  const groups = await db.correctiveAction.groupBy({
    by: ["unitId"],
    where: { campaignId, status: { in: [...LIVE_ACTION] }, dueAt: { lt: now } },
    _count: { _all: true },
    _min: { dueAt: true },
  });
  groups.sort((a, b) => a._min.dueAt!.getTime() - b._min.dueAt!.getTime() || a.unitId - b.unitId);
  const shown = groups.slice(0, limit);
  const names = new Map(
    (
      await db.unit.findMany({
        where: { id: { in: shown.map((g) => g.unitId) } },
        select: { id: true, name: true, shortName: true },
      })
    ).map((u) => [u.id, u]),
  );
  return {
    units: shown.map((g) => ({
      unitId: g.unitId,
      unitName: names.get(g.unitId)?.name ?? "",
      shortName: names.get(g.unitId)?.shortName ?? "",
      count: g._count._all,
      oldestDueAt: g._min.dueAt!,
    })),
    unitCount: groups.length,
    actionCount: groups.reduce((n, g) => n + g._count._all, 0),
  };
}

// ---------------------------------------------------------------- notices

async function officersOf(tx: Db | Tx, campaignId: number, unitId: number): Promise<number[]> {
  const rows = await tx.membership.findMany({
    where: { campaignId, unitId, role: "OFFICER" },
    select: { personId: true },
    orderBy: { personId: "asc" },
  });
  return [...new Set(rows.map((r) => r.personId))];
}

function actionPayload(action: ActionRow, unitName: string) {
  return {
    actionId: action.id,
    unitName,
    text: action.text,
    dueAt: action.dueAt?.toISOString() ?? null,
  };
}

async function unitNameOf(tx: Db | Tx, unitId: number): Promise<string> {
  return (await tx.unit.findUniqueOrThrow({ where: { id: unitId }, select: { name: true } })).name;
}

/** Tells the unit's officers of an action and its due date (once per due date). */
async function announce(tx: Db | Tx, action: ActionRow, now: Date, changed: boolean): Promise<number> {
  if (!action.dueAt || action.status === "CLOSED") return 0;
  const unitName = await unitNameOf(tx, action.unitId);
  const officers = await officersOf(tx, action.campaignId, action.unitId);
  return enqueueNotices(
    tx,
    officers.map((recipientId) => ({
      recipientId,
      campaignId: action.campaignId,
      kind: "action.created",
      payload: { ...actionPayload(action, unitName), changed },
      dueAt: now,
      idempotencyKey: `action:${action.id}:created:${action.dueAt!.getTime()}:${recipientId}`,
    })),
  );
}

/**
 * The conclusion notice was issued (src/domain/conclusion.ts sets the due dates): the unit's
 * officers are told of each action of the visit with a due date, in the caller's transaction.
 * Safe to call again (one notice per action, due date and person).
 */
export async function announceVisitActions(tx: Db | Tx, visitId: number, now: Date): Promise<number> {
  const actions = await tx.correctiveAction.findMany({
    where: { visitId, status: { in: [...LIVE_ACTION] }, dueAt: { not: null } },
    orderBy: { id: "asc" },
  });
  let n = 0;
  for (const a of actions) n += await announce(tx, a, now, false);
  return n;
}

/** Pending notices of an action (its reminders, an announcement not yet sent) become CANCELLED. */
async function cancelActionNotices(tx: Db | Tx, actionId: number, what = ""): Promise<number> {
  const result = await tx.notice.updateMany({
    where: { idempotencyKey: { startsWith: `action:${actionId}:${what}` }, status: "PENDING" },
    data: { status: "CANCELLED" },
  });
  return result.count;
}

// ---------------------------------------------------------------- coordinators: create, due date

export type CreateResult = { ok: true; action: ActionRow; unitName: string; notified: number } | ActionRefused;

/**
 * A coordinator creates an action for a visit, from one of its findings (not withdrawn) or
 * as free text. `due`: a typed date (dd/MM/yyyy, not past) — chosen; without one, the due
 * date comes with the conclusion notice (or from it, if issued already). Audited; the unit's
 * officers are told when it has a due date.
 */
export async function createAction(
  db: Db,
  input: {
    campaignId: number;
    actor: ActionActor;
    visitId: number;
    findingId?: number | null;
    text: string;
    due?: string | null;
  } & ActionOptions,
): Promise<CreateResult> {
  const { campaignId, actor, now, timeZone } = input;
  if (!actor.coordinator) return refuse("not_coordinator");
  const text = input.text.trim().slice(0, TEXT_MAX);
  if (letters(text) < TEXT_MIN_LETTERS) return refuse("no_text");
  let chosen: Date | null = null;
  if (input.due) {
    const read = readDueDate(input.due, timeZone, now);
    if (!read.ok) return read;
    chosen = read.dueAt;
  }
  return transaction(db, async (tx) => {
    const visit = await tx.inspectionVisit.findUnique({
      where: { id: input.visitId },
      select: { id: true, campaignId: true, unitId: true, status: true, conclusionIssuedAt: true },
    });
    if (!visit || visit.campaignId !== campaignId) return refuse("not_found");
    if (visit.status === "CANCELLED") return refuse("visit_cancelled");
    if (input.findingId) {
      const finding = await tx.finding.findUnique({ where: { id: input.findingId } });
      if (!finding || finding.visitId !== visit.id) return refuse("not_found");
      if (finding.removedAt) return refuse("finding_removed");
    }
    const campaign = await tx.campaign.findUniqueOrThrow({
      where: { id: campaignId },
      select: { actionDueDays: true },
    });
    const dueAt =
      chosen ??
      (visit.conclusionIssuedAt ? dueDateAfter(visit.conclusionIssuedAt, campaign.actionDueDays, timeZone) : null);
    const action = await tx.correctiveAction.create({
      data: {
        campaignId,
        unitId: visit.unitId,
        visitId: visit.id,
        findingId: input.findingId ?? null,
        text,
        dueAt,
        dueChosen: chosen !== null,
        createdById: actor.personId,
        createdAt: now,
      },
    });
    await audit(tx, {
      actorId: actor.personId,
      action: "action.create",
      entity: "CorrectiveAction",
      entityId: action.id,
      after: { visitId: visit.id, findingId: action.findingId, text, dueAt, dueChosen: action.dueChosen },
    });
    const notified = await announce(tx, action, now, false);
    return { ok: true, action, unitName: await unitNameOf(tx, visit.unitId), notified };
  });
}

export type ActionResult = { ok: true; action: ActionRow; unitName: string; notified: number } | ActionRefused;

/** The action a coordinator changes: theirs to change, as they were shown it, not closed. */
async function coordinatorAction(
  tx: Db | Tx,
  campaignId: number,
  actor: ActionActor,
  actionId: number,
  version: number | null,
): Promise<{ ok: true; action: ActionDetail } | ActionRefused> {
  if (!actor.coordinator) return refuse("not_coordinator");
  const action = await findAction(tx, campaignId, actionId);
  if (!action) return refuse("not_found");
  if (action.status === "CLOSED") return { ok: false, reason: "closed", closedAt: action.closedAt! };
  if (version !== null && action.version !== version) return refuse("stale");
  return { ok: true, action };
}

/**
 * A coordinator sets an action's due date (chosen: the conclusion notice keeps it). The
 * reminders of the old date are cancelled; the unit is told of the new one.
 */
export async function setDue(
  db: Db,
  input: {
    campaignId: number;
    actor: ActionActor;
    actionId: number;
    version: number | null;
    due: string;
  } & ActionOptions,
): Promise<ActionResult> {
  const read = readDueDate(input.due, input.timeZone, input.now);
  if (!read.ok) {
    if (!input.actor.coordinator) return refuse("not_coordinator");
    return read;
  }
  return transaction(db, async (tx) => {
    const found = await coordinatorAction(tx, input.campaignId, input.actor, input.actionId, input.version);
    if (!found.ok) return found;
    const before = found.action;
    const updated = await tx.correctiveAction.updateMany({
      where: { id: before.id, version: before.version },
      data: { dueAt: read.dueAt, dueChosen: true, version: { increment: 1 } },
    });
    if (updated.count === 0) return refuse("stale");
    await cancelActionNotices(tx, before.id, "due:");
    const action = await tx.correctiveAction.findUniqueOrThrow({ where: { id: before.id } });
    await audit(tx, {
      actorId: input.actor.personId,
      action: "action.due",
      entity: "CorrectiveAction",
      entityId: action.id,
      before: { dueAt: before.dueAt, dueChosen: before.dueChosen },
      after: { dueAt: action.dueAt, dueChosen: true },
    });
    const notified = await announce(tx, action, input.now, before.dueAt !== null);
    return { ok: true, action, unitName: before.visit.unit.name, notified };
  });
}

/**
 * A coordinator closes an action (reported, or open when the team saw it done): CLOSED, its
 * pending reminders cancelled, the unit told, audited. Closing it again is refused with the
 * day it was closed.
 */
export async function closeAction(
  db: Db,
  input: { campaignId: number; actor: ActionActor; actionId: number; version: number | null } & ActionOptions,
): Promise<ActionResult> {
  const { now } = input;
  return transaction(db, async (tx) => {
    const found = await coordinatorAction(tx, input.campaignId, input.actor, input.actionId, input.version);
    if (!found.ok) return found;
    const before = found.action;
    const updated = await tx.correctiveAction.updateMany({
      where: { id: before.id, version: before.version, status: { not: "CLOSED" } },
      data: { status: "CLOSED", closedAt: now, closedById: input.actor.personId, version: { increment: 1 } },
    });
    if (updated.count === 0) {
      const again = await tx.correctiveAction.findUniqueOrThrow({ where: { id: before.id } });
      return again.closedAt ? { ok: false, reason: "closed", closedAt: again.closedAt } : refuse("stale");
    }
    await cancelActionNotices(tx, before.id);
    const action = await tx.correctiveAction.findUniqueOrThrow({ where: { id: before.id } });
    await audit(tx, {
      actorId: input.actor.personId,
      action: "action.close",
      entity: "CorrectiveAction",
      entityId: action.id,
      before: { status: before.status },
      after: { status: "CLOSED", closedAt: now },
    });
    const unitName = before.visit.unit.name;
    const officers = await officersOf(tx, action.campaignId, action.unitId);
    const notified = await enqueueNotices(
      tx,
      officers.map((recipientId) => ({
        recipientId,
        campaignId: action.campaignId,
        kind: "action.closed",
        payload: { ...actionPayload(action, unitName), by: input.actor.name },
        dueAt: now,
        idempotencyKey: `action-closed:${action.id}:v${action.version}:${recipientId}`,
      })),
    );
    return { ok: true, action, unitName, notified };
  });
}

export type BeginActionResult = { ok: true; action: ActionDetail } | ActionRefused;

/** «Mở lại» pressed: waits for the coordinator's reason (their next typed text). */
export async function beginReopen(
  db: Db,
  campaignId: number,
  actor: ActionActor,
  actionId: number,
  version: number,
  now: Date,
): Promise<BeginActionResult> {
  if (!actor.coordinator) return refuse("not_coordinator");
  const action = await findAction(db, campaignId, actionId);
  if (!action) return refuse("not_found");
  if (action.version !== version) return refuse("stale");
  if (action.status === "OPEN") return refuse("already_open");
  await setCursor(db, actor.personId, {
    mode: "ACTION_REOPEN",
    visitId: action.visitId,
    revision: 0,
    targetId: action.id,
    step: `v${action.version}`,
    createdAt: now,
  });
  return { ok: true, action };
}

/** «Đổi hạn» pressed: the coordinator's next typed text is the new due date. */
export async function beginSetDue(
  db: Db,
  campaignId: number,
  actor: ActionActor,
  actionId: number,
  version: number,
  now: Date,
): Promise<BeginActionResult> {
  const found = await coordinatorAction(db, campaignId, actor, actionId, version);
  if (!found.ok) return found;
  await setCursor(db, actor.personId, {
    mode: "ACTION",
    visitId: found.action.visitId,
    revision: 0,
    targetId: actionId,
    step: `due:v${version}`,
    createdAt: now,
  });
  return found;
}

/** «Tạo kiến nghị» pressed on a finding (or for a visit): the next typed text is the action. */
export async function beginCreate(
  db: Db,
  campaignId: number,
  actor: ActionActor,
  target: { visitId: number; findingId?: number | null },
  now: Date,
): Promise<
  { ok: true; visit: { id: number; unitName: string }; finding: { id: number; text: string } | null } | ActionRefused
> {
  if (!actor.coordinator) return refuse("not_coordinator");
  const visit = await db.inspectionVisit.findUnique({
    where: { id: target.visitId },
    select: { id: true, campaignId: true, status: true, unit: { select: { name: true } } },
  });
  if (!visit || visit.campaignId !== campaignId) return refuse("not_found");
  if (visit.status === "CANCELLED") return refuse("visit_cancelled");
  let finding: { id: number; text: string } | null = null;
  if (target.findingId) {
    const f = await db.finding.findUnique({ where: { id: target.findingId } });
    if (!f || f.visitId !== visit.id) return refuse("not_found");
    if (f.removedAt) return refuse("finding_removed");
    finding = { id: f.id, text: f.text };
  }
  await setCursor(db, actor.personId, {
    mode: "ACTION",
    visitId: visit.id,
    revision: 0,
    targetId: finding?.id ?? null,
    createdAt: now,
  });
  return { ok: true, visit: { id: visit.id, unitName: visit.unit.name }, finding };
}

/**
 * The reason typed after «Mở lại»: the action is OPEN again with the reason the unit is
 * told, audited. The action must be as it was when the button was pressed.
 */
export async function reopenAction(
  db: Db,
  input: { campaignId: number; actor: ActionActor; reason: string } & ActionOptions,
): Promise<ActionResult> {
  const { actor, now } = input;
  if (!actor.coordinator) return refuse("not_coordinator");
  return transaction(db, async (tx) => {
    const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
    if (cursor?.mode !== "ACTION_REOPEN" || !cursor.targetId) return refuse("no_step");
    const reason = input.reason.trim().slice(0, REASON_MAX);
    if (letters(reason) < TEXT_MIN_LETTERS) return refuse("no_reason");
    await clearCursor(tx, actor.personId);
    const before = await findAction(tx, input.campaignId, cursor.targetId);
    if (!before) return refuse("not_found");
    if (`v${before.version}` !== cursor.step) return refuse("stale");
    if (before.status === "OPEN") return refuse("already_open");
    const updated = await tx.correctiveAction.updateMany({
      where: { id: before.id, version: before.version },
      data: { status: "OPEN", reopenReason: reason, closedAt: null, closedById: null, version: { increment: 1 } },
    });
    if (updated.count === 0) return refuse("stale");
    const action = await tx.correctiveAction.findUniqueOrThrow({ where: { id: before.id } });
    await audit(tx, {
      actorId: actor.personId,
      action: "action.reopen",
      entity: "CorrectiveAction",
      entityId: action.id,
      before: { status: before.status, closedAt: before.closedAt },
      after: { status: "OPEN", reopenReason: reason },
    });
    const unitName = before.visit.unit.name;
    const officers = await officersOf(tx, action.campaignId, action.unitId);
    const notified = await enqueueNotices(
      tx,
      officers.map((recipientId) => ({
        recipientId,
        campaignId: action.campaignId,
        kind: "action.reopened",
        payload: { ...actionPayload(action, unitName), reason, by: actor.name },
        dueAt: now,
        idempotencyKey: `action-reopened:${action.id}:v${action.version}:${recipientId}`,
      })),
    );
    return { ok: true, action, unitName, notified };
  });
}

/** The step a typed text of an ACTION cursor completes: a new action, or a due date. */
export async function actionFromText(
  db: Db,
  input: { campaignId: number; actor: ActionActor; text: string } & ActionOptions,
): Promise<({ made: "action" } & CreateResult) | ({ made: "due" } & ActionResult)> {
  const cursor = await db.visitCursor.findUnique({ where: { personId: input.actor.personId } });
  if (cursor?.mode !== "ACTION") return { made: "action", ...refuse("no_step") };
  if (cursor.step?.startsWith("due:v")) {
    const version = Number(cursor.step.slice(5));
    const result = await setDue(db, { ...input, actionId: cursor.targetId!, version, due: input.text });
    // A date typed wrongly may be typed again; anything done ends the step.
    if (result.ok || result.reason === "closed" || result.reason === "stale")
      await clearCursor(db, input.actor.personId);
    return { made: "due", ...result };
  }
  const { text, due } = splitDue(input.text);
  const result = await createAction(db, { ...input, visitId: cursor.visitId, findingId: cursor.targetId, text, due });
  if (result.ok || result.reason === "not_found" || result.reason === "finding_removed") {
    await clearCursor(db, input.actor.personId);
  }
  return { made: "action", ...result };
}

// ---------------------------------------------------------------- officers: the report

/** The action an officer reports on: of their unit, not closed, as they were shown it. */
function checkOfficer(
  action: ActionDetail | null,
  actor: ActionActor,
  version: number | null,
): { ok: true; action: ActionDetail } | ActionRefused {
  if (!action) return refuse("not_found");
  if (actor.officerUnitId === null) return refuse("not_officer");
  if (action.unitId !== actor.officerUnitId) return refuse("other_unit");
  if (action.status === "CLOSED") return { ok: false, reason: "closed", closedAt: action.closedAt! };
  if (version !== null && action.version !== version) return refuse("stale");
  return { ok: true, action };
}

/** «Báo cáo khắc phục» pressed: the officer's next typed text is the report, then its files. */
export async function beginActionReport(
  db: Db,
  campaignId: number,
  actor: ActionActor,
  actionId: number,
  version: number,
  now: Date,
): Promise<BeginActionResult> {
  const checked = checkOfficer(await findAction(db, campaignId, actionId), actor, version);
  if (!checked.ok) return checked;
  await setCursor(db, actor.personId, {
    mode: "ACTION_REPORT",
    visitId: checked.action.visitId,
    revision: 0,
    targetId: actionId,
    step: null,
    createdAt: now,
  });
  return checked;
}

/** The report being written in the officer's ACTION_REPORT step ("r<id>"), if its text was typed. */
const reportIdOf = (step: string | null) => (step?.startsWith("r") ? Number(step.slice(1)) : null);

/**
 * The officer's ACTION_REPORT step, read in the transaction: the action it is about (still
 * theirs to report on) and the report being written, if its text was typed.
 */
async function reportStep(tx: Tx, campaignId: number, actor: ActionActor) {
  const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
  if (cursor?.mode !== "ACTION_REPORT" || !cursor.targetId) return refuse("no_step");
  const checked = checkOfficer(await findAction(tx, campaignId, cursor.targetId), actor, null);
  if (!checked.ok) return checked;
  return { ok: true as const, cursor, action: checked.action, reportId: reportIdOf(cursor.step) };
}

export type ReportTextResult =
  | { ok: true; action: ActionDetail; report: Prisma.ActionReportGetPayload<object>; replaced: boolean }
  | ActionRefused;

/**
 * The text typed in the ACTION_REPORT step: the report (not yet sent), whose files follow;
 * typed again before «Gửi báo cáo», it replaces the text.
 */
export async function writeActionReport(
  db: Db,
  input: { campaignId: number; actor: ActionActor; text: string; now: Date },
): Promise<ReportTextResult> {
  const { actor, now } = input;
  return transaction(db, async (tx) => {
    const step = await reportStep(tx, input.campaignId, actor);
    if (!step.ok) return step;
    const text = input.text.trim().slice(0, TEXT_MAX);
    if (letters(text) < TEXT_MIN_LETTERS) return refuse("no_text");
    const { cursor, action, reportId: draftId } = step;
    const report = draftId
      ? await tx.actionReport.update({ where: { id: draftId }, data: { text, createdAt: now } })
      : await tx.actionReport.create({
          data: { actionId: action.id, text, byId: actor.personId, createdAt: now },
        });
    await setCursor(tx, actor.personId, {
      mode: "ACTION_REPORT",
      visitId: cursor.visitId,
      revision: 0,
      targetId: cursor.targetId,
      step: `r${report.id}`,
      createdAt: now,
    });
    await audit(tx, {
      actorId: actor.personId,
      action: draftId ? "action.report.text" : "action.report.begin",
      entity: "ActionReport",
      entityId: report.id,
      after: { actionId: action.id, text },
    });
    return { ok: true, action: action, report, replaced: draftId !== null };
  });
}

export type AddActionFileResult =
  | { ok: true; evidence: Evidence; duplicate: boolean; action: ActionDetail; files: number }
  | ActionRefused;

/** A file of the report being written: an Evidence row of the report, the same bytes once. */
export async function addActionReportFile(
  db: Db,
  input: { campaignId: number; actor: ActionActor; file: StoredFile; now: Date },
): Promise<AddActionFileResult> {
  const { actor, file } = input;
  return transaction(db, async (tx) => {
    const step = await reportStep(tx, input.campaignId, actor);
    if (!step.ok) return step;
    const { action, reportId } = step;
    if (!reportId) return refuse("no_report");
    const kept = await keepOwnedFile(tx, {
      owner: { actionReportId: reportId },
      campaignId: input.campaignId,
      unitId: action.unitId,
      file,
      personId: actor.personId,
      now: input.now,
      action: "action.report.file",
      about: { actionId: action.id, reportId },
    });
    const files = await tx.evidence.count({ where: { actionReportId: reportId, removedAt: null } });
    return { ok: true, ...kept, action, files };
  });
}

export type ReportResult =
  | { ok: true; action: ActionRow; report: Prisma.ActionReportGetPayload<object>; files: number; notified: number }
  | ActionRefused;

/**
 * «Gửi báo cáo»: the report written in the officer's step is sent; the action is REPORTED
 * and the coordinators are told, audited, one transaction. Only an officer of the action's
 * unit may: "a report on another unit's action" is refused.
 */
export async function reportAction(
  db: Db,
  input: { campaignId: number; actor: ActionActor } & ActionOptions,
): Promise<ReportResult> {
  const { actor, now } = input;
  return transaction(db, async (tx) => {
    const step = await reportStep(tx, input.campaignId, actor);
    if (!step.ok) return step;
    const { action: before, reportId } = step;
    if (!reportId) return refuse("no_report");
    await clearCursor(tx, actor.personId);
    const updated = await tx.correctiveAction.updateMany({
      where: { id: before.id, version: before.version, status: { not: "CLOSED" } },
      data: { status: "REPORTED", version: { increment: 1 } },
    });
    if (updated.count === 0) return refuse("stale");
    const action = await tx.correctiveAction.findUniqueOrThrow({ where: { id: before.id } });
    const report = await tx.actionReport.update({ where: { id: reportId }, data: { createdAt: now, sentAt: now } });
    const files = await tx.evidence.count({ where: { actionReportId: reportId, removedAt: null } });
    await audit(tx, {
      actorId: actor.personId,
      action: "action.report",
      entity: "CorrectiveAction",
      entityId: action.id,
      before: { status: before.status },
      after: { status: "REPORTED", reportId, files },
    });
    const coordinators = await coordinatorIdsOf(tx, input.campaignId, input.coordinatorIds ?? []);
    const unitName = before.visit.unit.name;
    const notified = await enqueueNotices(
      tx,
      coordinators.map((recipientId) => ({
        recipientId,
        campaignId: input.campaignId,
        kind: "action.reported",
        payload: { ...actionPayload(action, unitName), report: report.text, files, by: actor.name },
        dueAt: now,
        idempotencyKey: `action-reported:${action.id}:${reportId}:${recipientId}`,
      })),
    );
    return { ok: true, action, report, files, notified };
  });
}

// ---------------------------------------------------------------- the planner's part

/** The calendar day of `now` as yyyy-mm-dd in the zone. */
function dayKey(now: Date, timeZone: string): string {
  const d = localDay(now, timeZone);
  return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/**
 * Reminders to the unit's officers 7, 3 and 1 days before an action's due date, at the
 * reminder time, for actions whose reminder moment is within the catch-up window (read by a
 * due-date range on the index, not action by action). Keys carry the due date, so a changed
 * date gets fresh reminders; a moment before the action was created is skipped.
 */
export async function planActionReminders(
  db: Db,
  campaignId: number,
  settings: ReminderSettings,
  now: Date,
): Promise<number> {
  const catchUp = settings.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  // reminderAt(due, d) falls on the day d days before the due date's day: within d ± 1 days.
  const ranges = ACTION_REMINDER_DAYS.map((d) => ({
    dueAt: { gte: new Date(now.getTime() - catchUp + (d - 1) * DAY), lte: new Date(now.getTime() + (d + 1) * DAY) },
  }));
  const actions = await db.correctiveAction.findMany({
    where: { campaignId, status: { in: [...LIVE_ACTION] }, OR: ranges },
    select: { id: true, unitId: true, text: true, dueAt: true, createdAt: true, status: true },
  });
  const due: { action: (typeof actions)[number]; days: number; at: Date }[] = [];
  for (const action of actions) {
    for (const days of ACTION_REMINDER_DAYS) {
      const at = reminderAt(action.dueAt!, days, settings);
      if (at > now || now.getTime() - at.getTime() > catchUp || at <= action.createdAt || at >= action.dueAt!) continue;
      due.push({ action, days, at });
    }
  }
  if (due.length === 0) return 0;
  const unitIds = [...new Set(due.map((d) => d.action.unitId))];
  const officers = new Map<number, number[]>();
  const names = new Map<number, string>();
  // In slices: a day's reminders may concern thousands of units (a bound-parameter limit).
  for (let i = 0; i < unitIds.length; i += 500) {
    const slice = unitIds.slice(i, i + 500);
    const [members, units] = await Promise.all([
      db.membership.findMany({
        where: { campaignId, unitId: { in: slice }, role: "OFFICER" },
        select: { personId: true, unitId: true },
        orderBy: { personId: "asc" },
      }),
      db.unit.findMany({ where: { id: { in: slice } }, select: { id: true, name: true } }),
    ]);
    for (const m of members) officers.set(m.unitId!, [...(officers.get(m.unitId!) ?? []), m.personId]);
    for (const u of units) names.set(u.id, u.name);
  }
  const notices: NoticeInput[] = [];
  for (const { action, days, at } of due) {
    for (const personId of officers.get(action.unitId) ?? []) {
      notices.push({
        recipientId: personId,
        campaignId,
        kind: "action.due",
        payload: {
          actionId: action.id,
          unitName: names.get(action.unitId) ?? "",
          text: action.text,
          dueAt: action.dueAt!.toISOString(),
          days,
        },
        dueAt: at,
        idempotencyKey: `action:${action.id}:due:${action.dueAt!.getTime()}:${days}:${personId}`,
      });
    }
  }
  return enqueueNotices(db, notices);
}

/**
 * Once a day at the reminder time, the coordinators get the units with overdue actions
 * (nothing when none is overdue). The keys carry the local day, so one digest a day.
 */
export async function planOverdueDigest(
  db: Db,
  campaignId: number,
  settings: ReminderSettings & { coordinatorIds?: readonly bigint[] },
  now: Date,
): Promise<number> {
  const at = reminderAt(now, 0, settings);
  const catchUp = settings.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  if (at > now || now.getTime() - at.getTime() > catchUp) return 0;
  const coordinators = await coordinatorIdsOf(db, campaignId, settings.coordinatorIds ?? []);
  if (coordinators.length === 0) return 0;
  const day = dayKey(now, settings.timeZone);
  const keyOf = (recipientId: number) => `actions:overdue:${campaignId}:${day}:${recipientId}`;
  const sent = await db.notice.count({ where: { idempotencyKey: { in: coordinators.map(keyOf) } } });
  if (sent === coordinators.length) return 0;
  const digest = await overdueDigest(db, campaignId, at);
  if (digest.unitCount === 0) return 0;
  const payload = {
    day,
    units: digest.units.map((u) => ({
      unitName: u.shortName,
      count: u.count,
      oldestDueAt: u.oldestDueAt.toISOString(),
    })),
    unitCount: digest.unitCount,
    actionCount: digest.actionCount,
  };
  return enqueueNotices(
    db,
    coordinators.map((recipientId) => ({
      recipientId,
      campaignId,
      kind: "action.overdue_digest",
      payload,
      dueAt: at,
      idempotencyKey: keyOf(recipientId),
    })),
  );
}
