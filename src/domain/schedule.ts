/**
 * The inspection schedule: visits (unit, date and time, place, team, contents) created,
 * changed and cancelled by coordinators or imported from a data file. Every change writes
 * its notices to the outbox in the same transaction, and plans the visit's reminders.
 * No Telegram in here.
 */
import type { Campaign, Db, Prisma } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { audit } from "./audit.ts";
import { type HolidayKey, holidayOn, weekdayOf } from "./holidays.ts";
import type { Period } from "./intents.ts";
import { cancelPendingNotices, enqueueNotices, type NoticeInput, type VisitPayload } from "./notices.ts";
import { formatDate, localDay, readViDateTime, zonedTime } from "./time.ts";

type Tx = Prisma.TransactionClient;

export interface ReminderSettings {
  timeZone: string;
  /** Days before the visit, e.g. [7, 1]. */
  visitDays: readonly number[];
  /** Local time of reminders, "08:00". */
  reminderTime: string;
  /** Reminders due longer ago than this are skipped (the bot was down); default 12 h. */
  catchUpMs?: number;
}

export const DEFAULT_CATCH_UP_MS = 12 * 3_600_000;

const visitInclude = {
  unit: { select: { id: true, name: true, shortName: true } },
  members: { orderBy: { id: "asc" as const } },
} as const;

export type VisitWithUnit = Prisma.InspectionVisitGetPayload<{ include: typeof visitInclude }>;

export const ACTIVE_VISIT = ["PLANNED", "CONFIRMED"] as const;

// ---------------------------------------------------------------- parsing chat input

/** What is wrong with a typed line; an impossible date or time carries it, as typed. */
export type ScheduleLineError =
  | { ok: false; error: "format" | "no_place" | "no_unit" }
  | { ok: false; error: "date"; date: string }
  | { ok: false; error: "time"; time: string };

export type ScheduleLine = { ok: true; unitQuery: string; startsAt: Date; place: string } | ScheduleLineError;

/** The date and time found in a line, or the error that says which of them does not exist. */
function startsAtIn(m: RegExpExecArray, timeZone: string): { ok: true; date: Date } | ScheduleLineError {
  return readViDateTime(`${m[1]} ${m[2]}`, timeZone);
}

const DATE_TIME_IN_LINE = /(?:^|\s)(\d{1,2}\/\d{1,2}\/\d{4})\s+(\d{1,2}[:hg]\d{2})(?=\s|$)/;

/** "Sông Mã 15/03/2019 08:00 Hội trường UBND huyện" -> unit query, instant, place. */
export function parseScheduleLine(text: string, timeZone: string): ScheduleLine {
  const m = DATE_TIME_IN_LINE.exec(text);
  if (!m) return { ok: false, error: "format" };
  const read = startsAtIn(m, timeZone);
  if (!read.ok) return read;
  const startsAt = read.date;
  const unitQuery = text.slice(0, m.index).trim();
  const place = text.slice(m.index + m[0].length).trim();
  if (!unitQuery) return { ok: false, error: "no_unit" };
  if (!place) return { ok: false, error: "no_place" };
  return { ok: true, unitQuery, startsAt, place: place.slice(0, 300) };
}

export type ChangeLine = { ok: true; ref: string; startsAt: Date | null; place: string | null } | ScheduleLineError;

/** "<#số lịch | đơn vị> [dd/MM/yyyy HH:mm] [địa điểm]" for /lichsua: at least one change. */
export function parseChangeLine(text: string, timeZone: string): ChangeLine {
  const m = DATE_TIME_IN_LINE.exec(text);
  if (m) {
    const read = startsAtIn(m, timeZone);
    if (!read.ok) return read;
    const startsAt = read.date;
    const ref = text.slice(0, m.index).trim();
    const place = text.slice(m.index + m[0].length).trim();
    if (!ref) return { ok: false, error: "format" };
    return { ok: true, ref, startsAt, place: place ? place.slice(0, 300) : null };
  }
  // No date: "#3 Phòng họp số 2" changes the place only.
  const place = /^(#?\d{1,9})\s+(.+)$/.exec(text.trim());
  if (place) return { ok: true, ref: place[1]!, startsAt: null, place: place[2]!.trim().slice(0, 300) };
  return { ok: false, error: "format" };
}

// ---------------------------------------------------------------- reading

export async function findVisit(db: Db | Tx, campaignId: number, visitId: number): Promise<VisitWithUnit | null> {
  const visit = await db.inspectionVisit.findUnique({ where: { id: visitId }, include: visitInclude });
  return visit && visit.campaignId === campaignId ? visit : null;
}

/**
 * Visits of a campaign in date order: one unit's when `unitId` is given, some units' with
 * `unitIds`, those starting within [from, to) with a window; cancelled ones on request.
 */
export async function listVisits(
  db: Db,
  campaignId: number,
  options: { unitId?: number; unitIds?: number[]; window?: Window; includeCancelled?: boolean } = {},
): Promise<VisitWithUnit[]> {
  const { window } = options;
  return db.inspectionVisit.findMany({
    where: {
      campaignId,
      ...(options.unitId ? { unitId: options.unitId } : {}),
      ...(options.unitIds ? { unitId: { in: options.unitIds } } : {}),
      ...(window ? { startsAt: { gte: window.from, ...(window.to ? { lt: window.to } : {}) } } : {}),
      ...(options.includeCancelled ? {} : { status: { not: "CANCELLED" } }),
    },
    include: visitInclude,
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
}

/** A stretch of time: from `from` (included) to `to` (excluded; none: no end). */
export interface Window {
  from: Date;
  to?: Date;
}

/**
 * The instants a period spans in `timeZone`, as people there mean it: weeks run Monday to
 * Sunday, days and months start at local midnight; "sắp tới" (upcoming) runs from now on.
 */
export function periodWindow(period: Period, now: Date, timeZone: string): Window {
  if (period === "upcoming") return { from: now };
  const [day, month, year] = formatDate(now, timeZone).split("/").map(Number) as [number, number, number];
  // Days are counted on the calendar (UTC fields only), then placed at local midnight.
  const at = (y: number, m: number, d: number) => {
    const date = new Date(Date.UTC(y, m - 1, d));
    return zonedTime(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), 0, 0, timeZone);
  };
  const monday = day - ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7);
  switch (period) {
    case "today":
      return { from: at(year, month, day), to: at(year, month, day + 1) };
    case "tomorrow":
      return { from: at(year, month, day + 1), to: at(year, month, day + 2) };
    case "this_week":
      return { from: at(year, month, monday), to: at(year, month, monday + 7) };
    case "next_week":
      return { from: at(year, month, monday + 7), to: at(year, month, monday + 14) };
    case "this_month":
      return { from: at(year, month, 1), to: at(year, month + 1, 1) };
    case "next_month":
      return { from: at(year, month + 1, 1), to: at(year, month + 2, 1) };
  }
}

/** Active visits matching a reference typed by a coordinator: "#3", "3", or a unit (name, alias). */
export async function activeVisitsOf(db: Db, campaignId: number, unitIds: number[]): Promise<VisitWithUnit[]> {
  return db.inspectionVisit.findMany({
    where: { campaignId, unitId: { in: unitIds }, status: { in: [...ACTIVE_VISIT] } },
    include: visitInclude,
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
}

/**
 * People told about a visit: the unit's officers and the team members known to the bot;
 * `officers` says which of them answer for the unit (confirm, ask to move).
 */
export async function visitAudience(
  tx: Db | Tx,
  visit: VisitWithUnit,
): Promise<{ recipients: number[]; officers: Set<number> }> {
  const officers = await tx.membership.findMany({
    where: { campaignId: visit.campaignId, unitId: visit.unitId, role: "OFFICER" },
    select: { personId: true },
    orderBy: { personId: "asc" },
  });
  const ids = [...officers.map((o) => o.personId), ...visit.members.flatMap((m) => (m.personId ? [m.personId] : []))];
  return { recipients: [...new Set(ids)], officers: new Set(officers.map((o) => o.personId)) };
}

export async function visitRecipients(tx: Db | Tx, visit: VisitWithUnit): Promise<number[]> {
  return (await visitAudience(tx, visit)).recipients;
}

/**
 * A visit as its notices carry it. `respond`: the recipient is an officer of the unit, so
 * their notice offers «Xác nhận» and «Đề nghị đổi lịch» for this revision of the visit.
 */
export function visitPayload(visit: VisitWithUnit, respond = false): VisitPayload {
  return {
    visitId: visit.id,
    unitName: visit.unit.name,
    startsAt: visit.startsAt.toISOString(),
    place: visit.place,
    contents: visit.contents,
    team: visit.members.map((m) => (m.title ? `${m.name} (${m.title})` : m.name)),
    revision: visit.revision,
    ...(respond ? { respond: true } : {}),
  };
}

// ---------------------------------------------------------------- reminders

/** The instant `days` calendar days before `date` (local), at the local reminder time. */
export function reminderAt(date: Date, days: number, settings: Pick<ReminderSettings, "timeZone" | "reminderTime">) {
  const [dd, mm, yyyy] = formatDate(date, settings.timeZone).split("/").map(Number);
  const [hour, minute] = settings.reminderTime.split(":").map(Number);
  const day = new Date(Date.UTC(yyyy!, mm! - 1, dd! - days));
  return zonedTime(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hour!, minute!, settings.timeZone);
}

/**
 * Writes the reminders of a visit's current revision for its current recipients (safe to
 * run again: keys carry visit, revision, days and person). Reminder times that had already
 * passed when the visit was scheduled, or long ago, or after the visit starts, are skipped.
 */
export async function planVisitReminders(
  tx: Db | Tx,
  visit: VisitWithUnit,
  settings: ReminderSettings,
  now: Date,
): Promise<number> {
  if (!(ACTIVE_VISIT as readonly string[]).includes(visit.status) || visit.startsAt <= now) return 0;
  const catchUp = settings.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const { recipients, officers } = await visitAudience(tx, visit);
  const notices: NoticeInput[] = [];
  for (const days of settings.visitDays) {
    const dueAt = reminderAt(visit.startsAt, days, settings);
    if (dueAt <= visit.revisedAt || dueAt >= visit.startsAt || now.getTime() - dueAt.getTime() > catchUp) continue;
    for (const recipientId of recipients) {
      notices.push({
        recipientId,
        campaignId: visit.campaignId,
        visitId: visit.id,
        kind: "visit.reminder",
        payload: { ...visitPayload(visit, officers.has(recipientId)), days },
        dueAt,
        idempotencyKey: `visit:${visit.id}:r${visit.revision}:reminder:${days}d:${recipientId}`,
      });
    }
  }
  return enqueueNotices(tx, notices);
}

// ---------------------------------------------------------------- changes

export interface VisitInput {
  campaign: Campaign;
  unitId: number;
  startsAt: Date;
  place: string;
  contents?: string | null;
  /** Team members; default: the campaign's inspectors. */
  team?: { name: string; title?: string | null; personId?: number | null }[];
  key?: string | null;
}

/** What a coordinator should know before a visit is scheduled at a time. */
export type VisitWarning =
  | { kind: "overlap"; visit: VisitWithUnit }
  | { kind: "weekend"; weekday: number }
  | { kind: "holiday"; holiday: HolidayKey };

/**
 * Reasons to think twice before scheduling a unit's visit at `startsAt`: another active visit
 * of the unit on the same day (a visit takes a morning or a day; two on one day are almost
 * always a mistake or a duplicate), a Saturday or Sunday, a public holiday.
 */
export async function visitWarnings(
  db: Db,
  campaignId: number,
  unitId: number,
  startsAt: Date,
  timeZone: string,
  exceptVisitId?: number,
): Promise<VisitWarning[]> {
  const warnings: VisitWarning[] = [];
  const { year, month, day } = localDay(startsAt, timeZone);
  const sameDay = (d: Date) => {
    const other = localDay(d, timeZone);
    return other.year === year && other.month === month && other.day === day;
  };
  const near = await db.inspectionVisit.findMany({
    where: {
      campaignId,
      unitId,
      status: { in: [...ACTIVE_VISIT] },
      startsAt: { gte: new Date(startsAt.getTime() - DAY_MS), lte: new Date(startsAt.getTime() + DAY_MS) },
      ...(exceptVisitId ? { id: { not: exceptVisitId } } : {}),
    },
    include: visitInclude,
    orderBy: { startsAt: "asc" },
  });
  for (const visit of near.filter((v) => sameDay(v.startsAt))) warnings.push({ kind: "overlap", visit });
  const weekday = weekdayOf(year, month, day);
  if (weekday === 0 || weekday === 6) warnings.push({ kind: "weekend", weekday });
  const holiday = holidayOn(year, month, day);
  if (holiday) warnings.push({ kind: "holiday", holiday });
  return warnings;
}

const DAY_MS = 86_400_000;

export interface ChangeResult {
  visit: VisitWithUnit;
  /** Notices written (to officers and team). */
  notified: number;
}

async function defaultTeam(tx: Tx, campaignId: number) {
  const inspectors = await tx.membership.findMany({
    where: { campaignId, role: "INSPECTOR" },
    select: { person: { select: { id: true, displayName: true } } },
    orderBy: { id: "asc" },
  });
  return inspectors.map((m) => ({ name: m.person.displayName, title: null, personId: m.person.id }));
}

/**
 * Notices about a visit, one per recipient, its payload the visit's and `extra`.
 * `officers`: recipients whose notice asks for the unit's answer (none for a cancellation);
 * `key`: the idempotency key per recipient (default: the visit's revision and the kind, so a
 * changed visit notifies again).
 */
export function visitNotices(
  visit: VisitWithUnit,
  recipients: Iterable<number>,
  kind: string,
  extra: Record<string, unknown>,
  now: Date,
  options: { officers?: ReadonlySet<number>; key?: (recipientId: number) => string } = {},
): NoticeInput[] {
  const key =
    options.key ??
    ((recipientId: number) => `visit:${visit.id}:r${visit.revision}:${kind.split(".")[1]}:${recipientId}`);
  return [...recipients].map((recipientId) => ({
    recipientId,
    campaignId: visit.campaignId,
    visitId: visit.id,
    kind,
    payload: { ...visitPayload(visit, options.officers?.has(recipientId) ?? false), ...extra },
    dueAt: now,
    idempotencyKey: key(recipientId),
  }));
}

const TX = { timeout: 30_000, maxWait: 10_000 };

/** Creates a visit, notifies its unit's officers and team, and plans its reminders: one transaction. */
export async function createVisit(
  db: Db,
  input: VisitInput,
  actorId: number | null,
  settings: ReminderSettings,
  now: Date,
): Promise<ChangeResult> {
  return transaction(db, (tx) => createVisitTx(tx, input, actorId, settings, now), TX);
}

/** createVisit inside the caller's transaction (the importer's). A visit already past notifies nobody. */
export async function createVisitTx(
  tx: Tx,
  input: VisitInput,
  actorId: number | null,
  settings: ReminderSettings,
  now: Date,
): Promise<ChangeResult> {
  const team = input.team ?? (await defaultTeam(tx, input.campaign.id));
  const created = await tx.inspectionVisit.create({
    data: {
      campaignId: input.campaign.id,
      unitId: input.unitId,
      startsAt: input.startsAt,
      place: input.place,
      contents: input.contents ?? null,
      key: input.key ?? null,
      revisedAt: now,
      createdById: actorId,
      members: { create: team.map((m) => ({ name: m.name, title: m.title ?? null, personId: m.personId ?? null })) },
    },
  });
  const visit = (await findVisit(tx, input.campaign.id, created.id))!;
  const { recipients, officers } =
    visit.startsAt > now ? await visitAudience(tx, visit) : { recipients: [], officers: new Set<number>() };
  const notified = await enqueueNotices(tx, visitNotices(visit, recipients, "visit.created", {}, now, { officers }));
  await planVisitReminders(tx, visit, settings, now);
  await audit(tx, {
    actorId,
    action: "visit.create",
    entity: "InspectionVisit",
    entityId: visit.id,
    after: { unit: visit.unit.shortName, startsAt: visit.startsAt, place: visit.place },
  });
  return { visit, notified };
}

/**
 * Changes a visit's time and/or place: a new revision, its pending reminders cancelled and
 * planned again, and a visit.changed notice to everyone concerned, in one transaction.
 */
export async function changeVisit(
  db: Db,
  campaignId: number,
  visitId: number,
  change: VisitChange,
  actorId: number | null,
  settings: ReminderSettings,
  now: Date,
): Promise<ChangeResult | null> {
  return transaction(db, (tx) => changeVisitTx(tx, campaignId, visitId, change, actorId, settings, now), TX);
}

export interface VisitChange {
  startsAt?: Date | null;
  place?: string | null;
  contents?: string | null;
}

/** changeVisit inside the caller's transaction. Null when the visit is gone, cancelled or changed meanwhile. */
export async function changeVisitTx(
  tx: Tx,
  campaignId: number,
  visitId: number,
  change: VisitChange,
  actorId: number | null,
  settings: ReminderSettings,
  now: Date,
): Promise<ChangeResult | null> {
  const before = await findVisit(tx, campaignId, visitId);
  if (!before || !(ACTIVE_VISIT as readonly string[]).includes(before.status)) return null;
  const data = {
    ...(change.startsAt ? { startsAt: change.startsAt } : {}),
    ...(change.place ? { place: change.place } : {}),
    ...(change.contents !== undefined ? { contents: change.contents } : {}),
  };
  const same =
    (!data.startsAt || data.startsAt.getTime() === before.startsAt.getTime()) &&
    (!data.place || data.place === before.place) &&
    (data.contents === undefined || data.contents === before.contents);
  if (same) return { visit: before, notified: 0 };
  // Conditional on the revision read: two coordinators changing at once cannot both win.
  // The unit confirmed the visit as it was: the changed one waits for its answer again.
  const updated = await tx.inspectionVisit.updateMany({
    where: { id: visitId, revision: before.revision },
    data: {
      ...data,
      revision: { increment: 1 },
      revisedAt: now,
      status: "PLANNED",
      confirmedAt: null,
      confirmedById: null,
    },
  });
  if (updated.count === 0) return null;
  await cancelPendingNotices(tx, visitId, ["visit.reminder"]);
  const visit = (await findVisit(tx, campaignId, visitId))!;
  const { recipients, officers } =
    visit.startsAt > now ? await visitAudience(tx, visit) : { recipients: [], officers: new Set<number>() };
  const notified = await enqueueNotices(
    tx,
    visitNotices(
      visit,
      recipients,
      "visit.changed",
      { before: { startsAt: before.startsAt.toISOString(), place: before.place } },
      now,
      { officers },
    ),
  );
  await planVisitReminders(tx, visit, settings, now);
  await audit(tx, {
    actorId,
    action: "visit.change",
    entity: "InspectionVisit",
    entityId: visitId,
    before: {
      startsAt: before.startsAt,
      place: before.place,
      contents: before.contents,
      status: before.status,
      confirmedAt: before.confirmedAt,
    },
    after: { startsAt: visit.startsAt, place: visit.place, contents: visit.contents, status: visit.status },
  });
  return { visit, notified };
}

/** Cancels a visit: its pending notices are cancelled and everyone concerned is told, in one transaction. */
export async function cancelVisit(
  db: Db,
  campaignId: number,
  visitId: number,
  reason: string | null,
  actorId: number | null,
  now: Date,
  expectedRevision?: number,
): Promise<(ChangeResult & { cancelledNotices: number }) | null> {
  return transaction(
    db,
    async (tx) => {
      const before = await findVisit(tx, campaignId, visitId);
      if (!before || !(ACTIVE_VISIT as readonly string[]).includes(before.status)) return null;
      if (expectedRevision !== undefined && before.revision !== expectedRevision) return null;
      const updated = await tx.inspectionVisit.updateMany({
        where: { id: visitId, revision: before.revision, status: { in: [...ACTIVE_VISIT] } },
        data: {
          status: "CANCELLED",
          cancelledAt: now,
          cancelReason: reason,
          revision: { increment: 1 },
          revisedAt: now,
        },
      });
      if (updated.count === 0) return null;
      const cancelledNotices = await cancelPendingNotices(tx, visitId);
      const visit = (await findVisit(tx, campaignId, visitId))!;
      const recipients = await visitRecipients(tx, visit);
      const notified = await enqueueNotices(tx, visitNotices(visit, recipients, "visit.cancelled", { reason }, now));
      await audit(tx, {
        actorId,
        action: "visit.cancel",
        entity: "InspectionVisit",
        entityId: visitId,
        before: { status: before.status, startsAt: before.startsAt, place: before.place },
        after: { status: "CANCELLED", reason },
      });
      return { visit, notified, cancelledNotices };
    },
    TX,
  );
}
