/**
 * Moving a campaign through its phases: self-assessment → appraisal round 1 → explanation →
 * appraisal round 2 → published (→ closed). Only coordinators move it, one phase at a time;
 * each move is audited, dated on the campaign, and announced through the notice outbox to
 * every unit's officers and to the appraisers, in the move's own transaction.
 *
 * The self-assessment lock follows the phase: answers, evidence and submissions are refused
 * once the campaign has left SELF_ASSESSMENT (src/domain/assessment.ts checkWindow), and the
 * deadline reminders stop (src/jobs/planner.ts); both read Campaign.status.
 */
import type { Campaign, CampaignStatus, Db, Prisma } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { forgetCached } from "../db/read-cache.ts";
import { type AppraisalRefusal, nextPhase, refuse } from "./appraisal-rules.ts";
import { appraisalActor } from "./appraisers.ts";
import { audit } from "./audit.ts";
import { enqueueNotices, type NoticeInput, noticesEnqueued } from "./notices.ts";
import { appliesToKind } from "./progress.ts";
import { isPastDeadline } from "./time.ts";

type Tx = Prisma.TransactionClient;

/** The date column each phase stamps when the campaign enters it. */
const STAMP_OF: Partial<Record<CampaignStatus, keyof Campaign>> = {
  APPRAISAL: "appraisalOpenedAt",
  EXPLANATION: "appraisalClosedAt",
  FINAL_APPRAISAL: "finalAppraisalOpenedAt",
  PUBLISHED: "publishedAt",
};

export const PHASE_NOTICE = "campaign.phase";
export const ROUND1_NOTICE = "appraisal.round1_closed";

export interface PhaseMove {
  campaignId: number;
  to: CampaignStatus;
  personId: number;
  coordinatorIds: readonly bigint[];
  now: Date;
  /** Closing round 1 (to EXPLANATION): the last moment units may explain, in the future. */
  explanationDeadline?: Date;
}

export interface PhaseMoveResult {
  from: CampaignStatus;
  to: CampaignStatus;
  campaign: Campaign;
  /** Notices written: officers (per unit) and appraisers. */
  notices: number;
}

/** An item whose score round 1 changed, as the unit is told of it. */
export interface ChangedItem {
  questionId: number;
  code: string;
  selfScore: number | null;
  score: number;
  comment: string | null;
}

/**
 * The items whose round-1 score differs from the unit's self-score (or that the team scored,
 * having no self-score), per unit, in questionnaire order: what closing round 1 tells each
 * unit and what it may explain.
 */
export async function round1Changes(
  db: Db | Tx,
  campaignId: number,
  unitIds?: number[],
): Promise<Map<number, ChangedItem[]>> {
  const rows = await db.appraisal.findMany({
    where: { campaignId, round: 1, ...(unitIds ? { unitId: { in: unitIds } } : {}) },
    select: {
      unitId: true,
      questionId: true,
      score: true,
      selfScore: true,
      comment: true,
      question: { select: { code: true, order: true } },
    },
    orderBy: [{ unitId: "asc" }, { question: { order: "asc" } }],
  });
  const byUnit = new Map<number, ChangedItem[]>();
  for (const r of rows) {
    if (r.selfScore !== null && Math.abs(r.selfScore - r.score) < 0.005) continue;
    const list = byUnit.get(r.unitId) ?? [];
    list.push({
      questionId: r.questionId,
      code: r.question.code,
      selfScore: r.selfScore,
      score: r.score,
      comment: r.comment,
    });
    byUnit.set(r.unitId, list);
  }
  return byUnit;
}

/**
 * Items only the team scores that units answered and that have no round-1 score, in units
 * that submitted every area (the others are not ranked anyway): round 1 cannot close while
 * there are any, as round 2 works on explained items only and such an item would never get
 * a score. (An unanswered optional item has nothing to appraise, as in `appraise`.)
 */
async function unscoredTeamItems(tx: Tx, campaign: Campaign): Promise<{ count: number; units: string[] }> {
  const questionnaireId = campaign.questionnaireId ?? -1;
  const [team, areaCount] = await Promise.all([
    tx.question.findMany({ where: { questionnaireId, teamScored: true }, select: { id: true, appliesTo: true } }),
    tx.reformArea.count({ where: { questionnaireId } }),
  ]);
  if (team.length === 0) return { count: 0, units: [] };
  const finished = await tx.areaSubmission.groupBy({
    by: ["unitId"],
    where: { campaignId: campaign.id },
    _count: { _all: true },
    having: { unitId: { _count: { gte: areaCount } } },
  });
  const unitIds = finished.map((f) => f.unitId);
  if (unitIds.length === 0) return { count: 0, units: [] };
  const where = { campaignId: campaign.id, unitId: { in: unitIds }, questionId: { in: team.map((q) => q.id) } };
  const [units, answered, scored] = await Promise.all([
    tx.unit.findMany({ where: { id: { in: unitIds } }, select: { id: true, shortName: true, kind: true } }),
    tx.answer.findMany({ where, select: { unitId: true, questionId: true } }),
    tx.appraisal.findMany({ where: { ...where, round: 1 }, select: { unitId: true, questionId: true } }),
  ]);
  const done = new Set(scored.map((s) => `${s.unitId}:${s.questionId}`));
  const byId = new Map(team.map((q) => [q.id, q]));
  const kinds = new Map(units.map((u) => [u.id, u]));
  const missing = new Map<number, number>();
  for (const a of answered) {
    const unit = kinds.get(a.unitId);
    if (!unit || !appliesToKind(byId.get(a.questionId)!, unit.kind) || done.has(`${a.unitId}:${a.questionId}`))
      continue;
    missing.set(a.unitId, (missing.get(a.unitId) ?? 0) + 1);
  }
  const names = units.filter((u) => missing.has(u.id)).map((u) => u.shortName);
  return { count: [...missing.values()].reduce((s, n) => s + n, 0), units: names };
}

/** Officers of every unit of the campaign, by unit. */
async function officersByUnit(tx: Tx, campaignId: number): Promise<Map<number, number[]>> {
  const rows = await tx.membership.findMany({
    where: { campaignId, role: "OFFICER", unitId: { not: null } },
    select: { personId: true, unitId: true },
    orderBy: { id: "asc" },
  });
  const map = new Map<number, number[]>();
  for (const r of rows) map.set(r.unitId!, [...(map.get(r.unitId!) ?? []), r.personId]);
  return map;
}

/** People who appraise in the campaign: APPRAISER members (linked to the roster or not). */
async function appraiserIds(tx: Tx, campaignId: number): Promise<number[]> {
  const rows = await tx.membership.findMany({
    where: { campaignId, role: "APPRAISER" },
    select: { personId: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => r.personId);
}

/** The campaign's row, locked until the transaction ends (an update that changes nothing, as in assessment.ts). */
async function lockedCampaign(tx: Tx, campaignId: number): Promise<Campaign | null> {
  const rows = await tx.$queryRaw<{ id: number }[]>`
    UPDATE "Campaign" SET "status" = "status" WHERE "id" = ${campaignId} RETURNING "id"`;
  return rows.length ? tx.campaign.findUnique({ where: { id: campaignId } }) : null;
}

/**
 * Moves a campaign to the next phase. Refuses (AppraisalRefused): someone who is not a
 * coordinator (not_coordinator); a phase that is not the next one (phase_order, naming the
 * one expected); closing round 1 without a future explanation deadline (deadline_required,
 * deadline_in_past) or while team-scored items of finished units have no score
 * (team_items_unscored); opening round 2 before the explanation deadline has passed
 * (explanation_open). Two coordinators moving at once: the campaign row is locked, the
 * second finds the phase moved and is refused with phase_order.
 */
export async function moveCampaignPhase(db: Db, move: PhaseMove): Promise<PhaseMoveResult> {
  const result = await transaction(db, async (tx): Promise<PhaseMoveResult> => {
    const campaign = await lockedCampaign(tx, move.campaignId);
    if (!campaign) return refuse({ reason: "unknown_campaign" });
    const actor = await appraisalActor(tx, campaign.id, move.personId, move.coordinatorIds);
    if (!actor?.coordinator) return refuse({ reason: "not_coordinator" });
    const from = campaign.status;
    const expected = nextPhase(from);
    if (move.to !== expected) return refuse({ reason: "phase_order", from, to: move.to, expected });
    const data: Prisma.CampaignUpdateInput = { status: move.to };
    const stamp = STAMP_OF[move.to];
    if (stamp) (data as Record<string, unknown>)[stamp] = move.now;
    if (move.to === "EXPLANATION") {
      const deadline = move.explanationDeadline;
      if (!deadline) return refuse({ reason: "deadline_required" });
      if (isPastDeadline(deadline, move.now)) return refuse({ reason: "deadline_in_past", deadline });
      const unscored = await unscoredTeamItems(tx, campaign);
      if (unscored.count > 0) return refuse({ reason: "team_items_unscored", ...unscored });
      data.explanationDeadline = deadline;
    }
    if (move.to === "FINAL_APPRAISAL" && campaign.explanationDeadline) {
      const deadline = campaign.explanationDeadline;
      if (!isPastDeadline(deadline, move.now)) return refuse({ reason: "explanation_open", deadline });
    }
    const after = await tx.campaign.update({ where: { id: campaign.id }, data });
    await audit(tx, {
      actorId: move.personId,
      action: "campaign.phase",
      entity: "Campaign",
      entityId: campaign.id,
      before: { status: from },
      after: { status: move.to, at: move.now, explanationDeadline: after.explanationDeadline },
    });
    const notices = await enqueueNotices(tx, await phaseNotices(tx, after, move.now));
    return { from, to: move.to, campaign: after, notices };
  });
  // The phase holds at once for every reader of this process (the campaign is cached 5 s).
  forgetCached(db);
  if (result.notices > 0) noticesEnqueued();
  return result;
}

/**
 * The notices of a move: every unit's officers and the appraisers are told the new phase.
 * Closing round 1 tells each unit's officers instead what changed in their unit (code,
 * self-score → appraised score, comment) and until when they may explain.
 */
async function phaseNotices(tx: Tx, campaign: Campaign, now: Date): Promise<NoticeInput[]> {
  const phase = campaign.status;
  const base = {
    campaign: campaign.title,
    phase,
    explanationDeadline: campaign.explanationDeadline?.toISOString() ?? null,
  };
  const key = (personId: number) => `phase:${campaign.id}:${phase}:${personId}`;
  const [officers, appraisers] = await Promise.all([officersByUnit(tx, campaign.id), appraiserIds(tx, campaign.id)]);
  const notices: NoticeInput[] = appraisers.map((recipientId) => ({
    recipientId,
    campaignId: campaign.id,
    kind: PHASE_NOTICE,
    payload: base,
    dueAt: now,
    idempotencyKey: key(recipientId),
  }));
  const changes = phase === "EXPLANATION" ? await round1Changes(tx, campaign.id) : null;
  const units = await tx.unit.findMany({
    where: { id: { in: [...officers.keys()] } },
    select: { id: true, name: true },
  });
  for (const unit of units) {
    for (const recipientId of officers.get(unit.id) ?? []) {
      notices.push(
        changes
          ? {
              recipientId,
              campaignId: campaign.id,
              kind: ROUND1_NOTICE,
              payload: { unitName: unit.name, deadline: base.explanationDeadline, items: changes.get(unit.id) ?? [] },
              dueAt: now,
              idempotencyKey: key(recipientId),
            }
          : {
              recipientId,
              campaignId: campaign.id,
              kind: PHASE_NOTICE,
              payload: { ...base, unitName: unit.name },
              dueAt: now,
              idempotencyKey: key(recipientId),
            },
      );
    }
  }
  return notices;
}

/** Refuses (wrong_phase) unless the campaign is in one of `phases`. */
export function assertPhase(campaign: Pick<Campaign, "status">, phases: CampaignStatus[]): void {
  if (phases.includes(campaign.status)) return;
  if (campaign.status === "PUBLISHED" || campaign.status === "CLOSED") refuse({ reason: "published" });
  refuse({ reason: "wrong_phase", phase: campaign.status, needed: phases } satisfies AppraisalRefusal);
}
