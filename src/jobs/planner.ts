/**
 * The reminder planner, run every minute by the job loop (and after visit changes): writes
 * visit reminders (N days before, at the local reminder time) and self-assessment deadline
 * reminders to officers of units that have not submitted every area. Idempotency keys make
 * every run safe to repeat, in one process or several.
 */
import type { Db } from "../db/client.ts";
import { planActionReminders, planOverdueDigest } from "../domain/actions.ts";
import { enqueueNotices, type NoticeInput } from "../domain/notices.ts";
import {
  ACTIVE_VISIT,
  DEFAULT_CATCH_UP_MS,
  planVisitReminders,
  type ReminderSettings,
  reminderAt,
} from "../domain/schedule.ts";
import { campaignShape, missingAreas, type UnitStatus, unitStatuses } from "../domain/status.ts";
import { planReportChecks } from "../domain/visits.ts";

/** Units whose progress is read per query. */
const STATUS_BATCH = 200;

export interface PlannerSettings extends ReminderSettings {
  /** Days before the self-assessment deadline, e.g. [7, 3, 1]. */
  deadlineDays: readonly number[];
  /** COORDINATOR_IDS: told, with the coordinator members, of visits without a self-inspection report. */
  coordinatorIds?: readonly bigint[];
}

export interface PlanReport {
  visitReminders: number;
  deadlineReminders: number;
  /** Notices to coordinators of a visit whose unit sent no self-inspection report. */
  reportChecks: number;
  /** Corrective actions: reminders 7, 3, 1 days before the due date (src/domain/actions.ts). */
  actionReminders: number;
  /** Corrective actions: the coordinators' daily digest of overdue ones. */
  actionDigests: number;
}

export async function planReminders(db: Db, settings: PlannerSettings, now: Date): Promise<PlanReport> {
  const report: PlanReport = {
    visitReminders: 0,
    deadlineReminders: 0,
    reportChecks: 0,
    actionReminders: 0,
    actionDigests: 0,
  };
  const campaigns = await db.campaign.findMany({ where: { status: { notIn: ["DRAFT", "CLOSED"] } } });
  for (const campaign of campaigns) {
    const visits = await db.inspectionVisit.findMany({
      where: { campaignId: campaign.id, status: { in: [...ACTIVE_VISIT] }, startsAt: { gt: now } },
      include: { unit: { select: { id: true, name: true, shortName: true } }, members: { orderBy: { id: "asc" } } },
    });
    for (const visit of visits) {
      report.visitReminders += await planVisitReminders(db, visit, settings, now);
      report.reportChecks += await planReportChecks(db, visit, settings, now);
    }
    report.deadlineReminders += await planDeadlineReminders(db, campaign, settings, now);
    report.actionReminders += await planActionReminders(db, campaign.id, settings, now);
    report.actionDigests += await planOverdueDigest(db, campaign.id, settings, now);
  }
  return report;
}

type CampaignRow = Awaited<ReturnType<Db["campaign"]["findMany"]>>[number];

/** Deadline reminders whose time has come (within the catch-up window) to units still missing areas. */
async function planDeadlineReminders(
  db: Db,
  campaign: CampaignRow,
  settings: PlannerSettings,
  now: Date,
): Promise<number> {
  const deadline = campaign.selfAssessmentDeadline;
  if (!deadline || !campaign.questionnaireId || campaign.status !== "SELF_ASSESSMENT" || now >= deadline) return 0;
  const catchUp = settings.catchUpMs ?? DEFAULT_CATCH_UP_MS;
  const due = settings.deadlineDays
    .map((days) => ({ days, dueAt: reminderAt(deadline, days, settings) }))
    .filter(({ dueAt }) => dueAt <= now && now.getTime() - dueAt.getTime() <= catchUp && dueAt < deadline);
  if (due.length === 0) return 0;

  const officers = await db.membership.findMany({
    where: { campaignId: campaign.id, role: "OFFICER", unitId: { not: null } },
    select: { personId: true, unitId: true },
  });
  const keyOf = (days: number, personId: number) =>
    `deadline:${campaign.id}:${deadline.getTime()}:${days}d:${personId}`;
  const keys = due.flatMap(({ days }) => officers.map((o) => keyOf(days, o.personId)));
  const existing = new Set(
    (await db.notice.findMany({ where: { idempotencyKey: { in: keys } }, select: { idempotencyKey: true } })).map(
      (n) => n.idempotencyKey,
    ),
  );
  const waiting = officers.filter((o) => due.some(({ days }) => !existing.has(keyOf(days, o.personId))));
  if (waiting.length === 0) return 0;

  // Progress of the units concerned, as /nhacnho reports it (the questions each is asked).
  const unitIds = [...new Set(waiting.map((o) => o.unitId!))];
  const shape = await campaignShape(db, campaign);
  const statuses: UnitStatus[] = [];
  for (let i = 0; i < unitIds.length; i += STATUS_BATCH) {
    statuses.push(...(await unitStatuses(db, shape, unitIds.slice(i, i + STATUS_BATCH))));
  }

  const notices: NoticeInput[] = [];
  for (const status of statuses) {
    const missing = missingAreas(status);
    if (missing.length === 0) continue; // every area submitted: nothing to remind
    const unitName = status.unit.name;
    for (const o of waiting.filter((w) => w.unitId === status.unit.id)) {
      for (const { days, dueAt } of due) {
        notices.push({
          recipientId: o.personId,
          campaignId: campaign.id,
          kind: "deadline.reminder",
          payload: { unitName, deadline: deadline.toISOString(), days, missing },
          dueAt,
          idempotencyKey: keyOf(days, o.personId),
        });
      }
    }
  }
  // When the bot was down across two reminder times, only the latest is sent.
  const latest = new Map<number, NoticeInput>();
  for (const n of notices) {
    const prev = latest.get(n.recipientId);
    if (!prev || prev.dueAt < n.dueAt) latest.set(n.recipientId, n);
  }
  const skipped = notices.filter((n) => latest.get(n.recipientId) !== n && !existing.has(n.idempotencyKey));
  const created = await enqueueNotices(db, [...latest.values()]);
  // Older missed ones are recorded as cancelled, so they are not planned again.
  if (skipped.length) {
    await db.$transaction(async (tx) => {
      await enqueueNotices(tx, skipped);
      await tx.notice.updateMany({
        where: { idempotencyKey: { in: skipped.map((n) => n.idempotencyKey) }, status: "PENDING" },
        data: { status: "CANCELLED", lastError: "superseded by a later reminder" },
      });
    });
  }
  return created;
}
