/**
 * The unit's side of an inspection visit (issue 14): an officer of the unit confirms the
 * visit as they were told of it, or asks to move it with a reason before it starts; the
 * coordinators accept or decline (with a reason the unit is told); the unit sends its
 * self-inspection report (báo cáo tự kiểm tra) as files kept like evidence; two days before
 * a visit the coordinators hear of units that have not. Every change is audited, and every
 * notice goes through the outbox in the change's transaction. No Telegram in here.
 *
 * Refusals a person can fix come back as `{ ok: false, reason }`, never as exceptions.
 */

import type { Db, InspectionVisit, Prisma, VisitCursor, VisitRequest } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { audit } from "./audit.ts";
import { coordinatorIdsOf, enqueueNotices } from "./notices.ts";
import { keepOwnedFile } from "./owned-files.ts";
import {
  ACTIVE_VISIT,
  DEFAULT_CATCH_UP_MS,
  findVisit,
  type ReminderSettings,
  reminderAt,
  type VisitWithUnit,
  visitAudience,
  visitNotices,
} from "./schedule.ts";
import { letters } from "./text.ts";
import { localDay, readViDateTime, zonedTime } from "./time.ts";

type Tx = Prisma.TransactionClient;

/** Days before a visit at which coordinators hear of a missing self-inspection report. */
export const REPORT_CHECK_DAYS = 2;
/** A step waiting for typed text (a reason) or files lapses after this long. */
export const CURSOR_TTL_MS = 30 * 60_000;
/**
 * The minutes are typed during and after the visit's meeting, so their draft lasts the
 * working day; a stray text cannot slip in unseen, since the lead reads the whole draft
 * before «Lập biên bản». Other steps take any text as theirs, so they lapse soon.
 */
const MINUTES_TTL_MS = 8 * 3_600_000;
/** A reason needs at least this many letters ("ok", "." and "1" are not reasons). */
const REASON_MIN_LETTERS = 5;
const REASON_MAX = 500;

export type VisitRefusal =
  /** No such visit (or request) in the campaign. */
  | "not_found"
  /** Not an officer of any unit (a coordinator, an inspector, a guest). */
  | "not_officer"
  /** An officer of another unit. */
  | "other_unit"
  | "cancelled"
  | "done"
  /** The visit changed (time, place) since the person was shown it. */
  | "stale"
  /** The visit has begun: too late to confirm, ask to move or send the report. */
  | "started"
  | "no_reason"
  /** The unit already has a request waiting for an answer. */
  | "open_request"
  /** The request was answered already. */
  | "answered"
  /** No active visit of the unit ahead. */
  | "no_visit"
  /** The step waiting for text or files lapsed, or was never begun. */
  | "no_step";

export type Refused = { ok: false; reason: VisitRefusal };

/** Who acts: the person and, for officers, their unit (null: not an officer). */
export interface Actor {
  personId: number;
  officerUnitId: number | null;
}

/**
 * The visit an officer may answer for: theirs, active, not begun, and (when `revision` is
 * given) still as they were shown it. The order of checks decides the words they read.
 */
function checkOfficerVisit(
  visit: VisitWithUnit | null,
  actor: Actor,
  now: Date,
  revision?: number,
): { ok: true; visit: VisitWithUnit } | Refused {
  if (!visit) return { ok: false, reason: "not_found" };
  if (actor.officerUnitId === null) return { ok: false, reason: "not_officer" };
  if (visit.unitId !== actor.officerUnitId) return { ok: false, reason: "other_unit" };
  if (visit.status === "CANCELLED") return { ok: false, reason: "cancelled" };
  if (visit.status === "DONE") return { ok: false, reason: "done" };
  if (revision !== undefined && visit.revision !== revision) return { ok: false, reason: "stale" };
  if (visit.startsAt <= now) return { ok: false, reason: "started" };
  return { ok: true, visit };
}

// ---------------------------------------------------------------- confirmation

export type ConfirmResult = { ok: true; visit: VisitWithUnit; first: boolean; confirmedAt: Date } | Refused;

/**
 * An officer of the unit confirms the visit at the revision they were shown: it becomes
 * CONFIRMED, their notices of the visit count as acknowledged, audited. A second press is
 * no change; a visit changed or cancelled meanwhile is refused.
 */
export async function confirmVisit(
  db: Db,
  campaignId: number,
  visitId: number,
  revision: number,
  actor: Actor,
  now: Date,
): Promise<ConfirmResult> {
  return transaction(db, async (tx) => {
    const checked = checkOfficerVisit(await findVisit(tx, campaignId, visitId), actor, now, revision);
    if (!checked.ok) return checked;
    const visit = checked.visit;
    if (visit.status === "CONFIRMED" && visit.confirmedAt) {
      return { ok: true, visit, first: false, confirmedAt: visit.confirmedAt };
    }
    // Conditional on what was read: a change (or a colleague's confirmation) in between wins.
    const updated = await tx.inspectionVisit.updateMany({
      where: { id: visitId, revision, status: "PLANNED" },
      data: { status: "CONFIRMED", confirmedAt: now, confirmedById: actor.personId },
    });
    if (updated.count === 0) {
      const again = await findVisit(tx, campaignId, visitId);
      if (again?.status === "CONFIRMED" && again.revision === revision && again.confirmedAt) {
        return { ok: true, visit: again, first: false, confirmedAt: again.confirmedAt };
      }
      return { ok: false, reason: "stale" };
    }
    // Confirming says more than «Đã nhận»: the notices it answers need no other press.
    await tx.notice.updateMany({
      where: { visitId, recipientId: actor.personId, status: { in: ["SENT", "SENDING"] }, acknowledgedAt: null },
      data: { acknowledgedAt: now },
    });
    await audit(tx, {
      actorId: actor.personId,
      action: "visit.confirm",
      entity: "InspectionVisit",
      entityId: visitId,
      before: { status: visit.status },
      after: { status: "CONFIRMED", revision, startsAt: visit.startsAt, place: visit.place },
    });
    return { ok: true, visit: (await findVisit(tx, campaignId, visitId))!, first: true, confirmedAt: now };
  });
}

// ---------------------------------------------------------------- cursor

/** The person's step waiting for typed text or files, if it has not lapsed. */
export async function currentCursor(db: Db, personId: number, now: Date): Promise<VisitCursor | null> {
  const cursor = await db.visitCursor.findUnique({ where: { personId } });
  if (!cursor) return null;
  const ttl = cursor.mode === "MINUTES" ? MINUTES_TTL_MS : CURSOR_TTL_MS;
  if (now.getTime() - cursor.createdAt.getTime() > ttl) {
    await clearCursor(db, personId);
    return null;
  }
  return cursor;
}

export async function clearCursor(db: Db | Tx, personId: number): Promise<void> {
  await db.visitCursor.deleteMany({ where: { personId } });
}

/** Sets what the person's next typed text or file means (one step per person, across features of the visit). */
export async function setCursor(
  tx: Db | Tx,
  personId: number,
  data: Omit<VisitCursor, "personId" | "requestId" | "targetId" | "step"> & {
    requestId?: number | null;
    targetId?: number | null;
    step?: string | null;
  },
): Promise<void> {
  const row = {
    mode: data.mode,
    visitId: data.visitId,
    revision: data.revision,
    requestId: data.requestId ?? null,
    targetId: data.targetId ?? null,
    step: data.step ?? null,
    createdAt: data.createdAt,
  };
  await tx.visitCursor.upsert({ where: { personId }, create: { personId, ...row }, update: row });
}

// ---------------------------------------------------------------- reschedule requests

export type BeginResult = { ok: true; visit: VisitWithUnit } | Refused;

async function openRequestOf(tx: Db | Tx, visitId: number): Promise<VisitRequest | null> {
  return tx.visitRequest.findFirst({ where: { visitId, status: "OPEN" }, orderBy: { id: "desc" } });
}

/**
 * «Đề nghị đổi lịch» pressed: checks the officer may ask, and waits for the reason (their
 * next typed text). Nothing is stored but the step.
 */
export async function beginRequest(
  db: Db,
  campaignId: number,
  visitId: number,
  revision: number,
  actor: Actor,
  now: Date,
): Promise<BeginResult> {
  const checked = checkOfficerVisit(await findVisit(db, campaignId, visitId), actor, now, revision);
  if (!checked.ok) return checked;
  if (await openRequestOf(db, visitId)) return { ok: false, reason: "open_request" };
  await setCursor(db, actor.personId, { mode: "REQUEST_REASON", visitId, revision, createdAt: now });
  return checked;
}

/** Letters in a text: "ok" and "…" are not reasons. */
function isReason(text: string): boolean {
  return letters(text) >= REASON_MIN_LETTERS;
}

/** A date and time the reason names ("xin chuyển sang 20/03/2019 08:00"), if it is ahead. */
export function proposedTimeIn(text: string, timeZone: string, now: Date): Date | null {
  const m = /(\d{1,2}\/\d{1,2}\/\d{4})(?:\s+(?:lúc\s+)?(\d{1,2}[:hg]\d{2}))?/iu.exec(text);
  if (!m) return null;
  const read = readViDateTime(m[2] ? `${m[1]} ${m[2]}` : m[1]!, timeZone, [8, 0]);
  return read.ok && read.date > now ? read.date : null;
}

export type RequestResult = { ok: true; request: VisitRequest; visit: VisitWithUnit; notified: number } | Refused;

/**
 * The reason typed after «Đề nghị đổi lịch»: the request is stored, the coordinators get a
 * notice with buttons to answer it, audited; all in one transaction. The visit must still be
 * as it was when the button was pressed, and not begun.
 */
export async function requestReschedule(
  db: Db,
  campaignId: number,
  actor: Actor,
  text: string,
  options: { now: Date; timeZone: string; coordinatorIds: readonly bigint[]; byName: string },
): Promise<RequestResult> {
  const { now } = options;
  return transaction(db, async (tx) => {
    const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
    if (cursor?.mode !== "REQUEST_REASON") return { ok: false, reason: "no_step" };
    const reason = text.trim().slice(0, REASON_MAX);
    // The step stays for a reason given again; anything else ends it.
    if (!isReason(reason)) return { ok: false, reason: "no_reason" };
    await clearCursor(tx, actor.personId);
    const checked = checkOfficerVisit(await findVisit(tx, campaignId, cursor.visitId), actor, now, cursor.revision);
    if (!checked.ok) return checked;
    const visit = checked.visit;
    if (await openRequestOf(tx, visit.id)) return { ok: false, reason: "open_request" };
    const proposedAt = proposedTimeIn(reason, options.timeZone, now);
    const request = await tx.visitRequest.create({
      data: {
        campaignId,
        visitId: visit.id,
        revision: visit.revision,
        reason,
        proposedAt,
        byId: actor.personId,
        createdAt: now,
      },
    });
    const coordinators = await coordinatorIdsOf(tx, campaignId, options.coordinatorIds);
    const notified = await enqueueNotices(
      tx,
      visitNotices(
        visit,
        coordinators,
        "visit.request",
        { requestId: request.id, reason, proposedAt: proposedAt?.toISOString() ?? null, by: options.byName },
        now,
        { key: (recipientId) => `visit-request:${request.id}:${recipientId}` },
      ),
    );
    await audit(tx, {
      actorId: actor.personId,
      action: "visit.request",
      entity: "VisitRequest",
      entityId: request.id,
      after: { visitId: visit.id, revision: visit.revision, reason, proposedAt },
    });
    return { ok: true, request, visit, notified };
  });
}

export type AnswerStart = { ok: true; request: VisitRequest; visit: VisitWithUnit } | Refused;

/** The open request a coordinator answers, with its visit. */
async function openRequest(tx: Db | Tx, campaignId: number, requestId: number): Promise<AnswerStart> {
  const request = await tx.visitRequest.findUnique({ where: { id: requestId } });
  if (!request || request.campaignId !== campaignId) return { ok: false, reason: "not_found" };
  if (request.status !== "OPEN") return { ok: false, reason: "answered" };
  const visit = await findVisit(tx, campaignId, request.visitId);
  if (!visit) return { ok: false, reason: "not_found" };
  if (visit.status === "CANCELLED") return { ok: false, reason: "cancelled" };
  if (visit.status === "DONE") return { ok: false, reason: "done" };
  return { ok: true, request, visit };
}

/** «Không chấp nhận» pressed: waits for the coordinator's reason (their next typed text). */
export async function beginDecline(db: Db, campaignId: number, requestId: number, personId: number, now: Date) {
  const found = await openRequest(db, campaignId, requestId);
  if (!found.ok) return found;
  await setCursor(db, personId, {
    mode: "DECLINE_REASON",
    visitId: found.visit.id,
    revision: found.visit.revision,
    requestId,
    createdAt: now,
  });
  return found;
}

export type AnswerResult = { ok: true; request: VisitRequest; visit: VisitWithUnit; notified: number } | Refused;

/**
 * A coordinator answers a request: accepted (they then move the visit with /lichsua) or
 * declined with a reason; the unit's officers are told either way, audited, one transaction.
 * `declineText`: the typed reason of a decline (the person's DECLINE_REASON step is used).
 */
export async function answerRequest(
  db: Db,
  campaignId: number,
  personId: number,
  answer: { accept: true; requestId: number } | { accept: false; text: string },
  options: { now: Date; byName: string },
): Promise<AnswerResult> {
  const { now } = options;
  return transaction(db, async (tx) => {
    let requestId: number;
    let note: string | null = null;
    if (answer.accept) requestId = answer.requestId;
    else {
      const cursor = await tx.visitCursor.findUnique({ where: { personId } });
      if (cursor?.mode !== "DECLINE_REASON" || !cursor.requestId) return { ok: false, reason: "no_step" };
      note = answer.text.trim().slice(0, REASON_MAX);
      if (!isReason(note)) return { ok: false, reason: "no_reason" };
      await clearCursor(tx, personId);
      requestId = cursor.requestId;
    }
    const found = await openRequest(tx, campaignId, requestId);
    if (!found.ok) return found;
    const status = answer.accept ? "ACCEPTED" : "DECLINED";
    // Conditional on OPEN: two coordinators answering at once cannot both win.
    const updated = await tx.visitRequest.updateMany({
      where: { id: requestId, status: "OPEN" },
      data: { status, answeredById: personId, answeredAt: now, answerNote: note },
    });
    if (updated.count === 0) return { ok: false, reason: "answered" };
    const { visit } = found;
    const { officers } = await visitAudience(tx, visit);
    const notified = await enqueueNotices(
      tx,
      visitNotices(
        visit,
        officers,
        "visit.request_answered",
        {
          accepted: answer.accept,
          reason: found.request.reason,
          note,
          by: options.byName,
        },
        now,
        { key: (recipientId) => `visit-request:${requestId}:answer:${recipientId}` },
      ),
    );
    await audit(tx, {
      actorId: personId,
      action: answer.accept ? "visit.request.accept" : "visit.request.decline",
      entity: "VisitRequest",
      entityId: requestId,
      before: { status: "OPEN" },
      after: { status, note },
    });
    const request = await tx.visitRequest.findUniqueOrThrow({ where: { id: requestId } });
    return { ok: true, request, visit, notified };
  });
}

/** Requests waiting for the coordinators, oldest first, with their visit and who asked. */
export async function openRequests(db: Db, campaignId: number) {
  return db.visitRequest.findMany({
    where: { campaignId, status: "OPEN", visit: { status: { in: [...ACTIVE_VISIT] } } },
    include: {
      visit: { include: { unit: { select: { id: true, name: true, shortName: true } } } },
      by: { select: { displayName: true } },
    },
    orderBy: { id: "asc" },
  });
}

// ---------------------------------------------------------------- self-inspection report

/** The unit's next visit that has not begun (the one a report is for). */
export async function nextVisitOfUnit(db: Db | Tx, campaignId: number, unitId: number, now: Date) {
  const next = await db.inspectionVisit.findFirst({
    where: { campaignId, unitId, status: { in: [...ACTIVE_VISIT] }, startsAt: { gt: now } },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return next ? findVisit(db, campaignId, next.id) : null;
}

/** /baocao: the unit's next visit; from now on the officer's files are its report. */
export async function beginReport(db: Db, campaignId: number, actor: Actor, now: Date): Promise<BeginResult> {
  if (actor.officerUnitId === null) return { ok: false, reason: "not_officer" };
  const visit = await nextVisitOfUnit(db, campaignId, actor.officerUnitId, now);
  if (!visit) return { ok: false, reason: "no_visit" };
  await setCursor(db, actor.personId, { mode: "REPORT", visitId: visit.id, revision: visit.revision, createdAt: now });
  return { ok: true, visit };
}

/** A stored copy of a file, as src/app/evidence.ts describes it (evidence rows take the same fields). */
export interface StoredFile {
  fileId: string | null;
  fileUniqueId: string | null;
  fileName: string;
  mimeType: string;
  size: number;
  storageKey: string;
  sha256: string;
  note: string | null;
  source: string;
}

export type AddReportResult =
  | { ok: true; evidence: Prisma.EvidenceGetPayload<object>; duplicate: boolean; visit: VisitWithUnit }
  | Refused;

/**
 * One file of the report for the visit the officer's REPORT step names: kept as an Evidence
 * row of the visit (no question), the same bytes once per visit, audited. The visit must
 * still be theirs, active and not begun (a file sent after it starts is not the report).
 */
export async function addReportFile(
  db: Db,
  campaignId: number,
  actor: Actor,
  file: StoredFile,
  now: Date,
): Promise<AddReportResult> {
  return transaction(db, async (tx) => {
    const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
    if (cursor?.mode !== "REPORT") return { ok: false, reason: "no_step" };
    const checked = checkOfficerVisit(await findVisit(tx, campaignId, cursor.visitId), actor, now);
    if (!checked.ok) return checked;
    const visit = checked.visit;
    const kept = await keepOwnedFile(tx, {
      owner: { visitId: visit.id },
      campaignId,
      unitId: visit.unitId,
      file,
      personId: actor.personId,
      action: "visit.report.add",
      about: { visitId: visit.id },
    });
    return { ok: true, ...kept, visit };
  });
}

/** The report's files of some visits, oldest first. */
export async function reportsOf(db: Db, visitIds: number[]) {
  if (visitIds.length === 0) return [];
  return db.evidence.findMany({
    where: { visitId: { in: visitIds }, removedAt: null },
    include: { uploadedBy: { select: { displayName: true } } },
    orderBy: { id: "asc" },
  });
}

// ---------------------------------------------------------------- the unit's answers

export interface VisitAnswer {
  confirmedAt: Date | null;
  confirmedBy: string | null;
  /** The latest request, answered or not. */
  request: { status: VisitRequest["status"]; reason: string; by: string; createdAt: Date; note: string | null } | null;
  reports: Awaited<ReturnType<typeof reportsOf>>;
}

/** What each unit answered for its visit: confirmation, its latest request, its report. */
export async function visitAnswers(db: Db, visits: InspectionVisit[]): Promise<Map<number, VisitAnswer>> {
  const ids = visits.map((v) => v.id);
  if (ids.length === 0) return new Map();
  const [requests, reports, confirmers] = await Promise.all([
    db.visitRequest.findMany({
      where: { visitId: { in: ids } },
      include: { by: { select: { displayName: true } } },
      orderBy: { id: "asc" },
    }),
    reportsOf(db, ids),
    db.person.findMany({
      where: { id: { in: visits.flatMap((v) => (v.confirmedById ? [v.confirmedById] : [])) } },
      select: { id: true, displayName: true },
    }),
  ]);
  const names = new Map(confirmers.map((p) => [p.id, p.displayName]));
  const answers = new Map<number, VisitAnswer>();
  for (const v of visits) {
    const latest = requests.filter((r) => r.visitId === v.id).at(-1);
    answers.set(v.id, {
      confirmedAt: v.status === "CONFIRMED" ? v.confirmedAt : null,
      confirmedBy: v.confirmedById ? (names.get(v.confirmedById) ?? null) : null,
      request: latest
        ? {
            status: latest.status,
            reason: latest.reason,
            by: latest.by.displayName,
            createdAt: latest.createdAt,
            note: latest.answerNote,
          }
        : null,
      reports: reports.filter((r) => r.visitId === v.id),
    });
  }
  return answers;
}

/**
 * Active visits whose unit has sent no report, starting from now to the end of the day
 * REPORT_CHECK_DAYS calendar days ahead (local): on the 10th, visits up to the 12th at
 * midnight and past it, as the planner's notice of the 10th counts them.
 */
export async function visitsWithoutReport(
  db: Db,
  campaignId: number,
  now: Date,
  timeZone: string,
): Promise<VisitWithUnit[]> {
  const today = localDay(now, timeZone);
  const end = new Date(Date.UTC(today.year, today.month - 1, today.day + REPORT_CHECK_DAYS + 1));
  const until = zonedTime(end.getUTCFullYear(), end.getUTCMonth() + 1, end.getUTCDate(), 0, 0, timeZone);
  const visits = await db.inspectionVisit.findMany({
    where: {
      campaignId,
      status: { in: [...ACTIVE_VISIT] },
      startsAt: { gt: now, lt: until },
      reports: { none: { removedAt: null } },
    },
    include: {
      unit: { select: { id: true, name: true, shortName: true } },
      members: { orderBy: { id: "asc" } },
    },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
  return visits;
}

/**
 * The planner's part: REPORT_CHECK_DAYS days before a visit, at the reminder time, the
 * coordinators hear that its unit has sent no report. Keys carry the visit's revision and
 * the person, so running again writes nothing (a moved visit is checked again before its
 * new time); a time missed long ago (the bot was down) is skipped, as reminders are.
 */
export async function planReportChecks(
  db: Db,
  visit: VisitWithUnit,
  settings: ReminderSettings & { coordinatorIds?: readonly bigint[] },
  now: Date,
): Promise<number> {
  if (!(ACTIVE_VISIT as readonly string[]).includes(visit.status) || visit.startsAt <= now) return 0;
  const dueAt = reminderAt(visit.startsAt, REPORT_CHECK_DAYS, settings);
  const catchUp = settings.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  if (dueAt > now || dueAt <= visit.revisedAt || now.getTime() - dueAt.getTime() > catchUp) return 0;
  const sent = await db.evidence.count({ where: { visitId: visit.id, removedAt: null } });
  if (sent > 0) return 0;
  const coordinators = await coordinatorIdsOf(db, visit.campaignId, settings.coordinatorIds ?? []);
  // Due at the check's moment, keyed by the visit's revision (the default key).
  return enqueueNotices(db, visitNotices(visit, coordinators, "visit.report_missing", {}, dueAt));
}
