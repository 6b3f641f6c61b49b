/**
 * The results of a campaign: bonus and penalty points per unit, the ranking by final score
 * (once round 1 is closed) with the self-score beside it, groups from the campaign's data
 * file, and the commend / criticise lists (biểu dương / phê bình) coordinators decide on,
 * proposed from the ranking. No Telegram in here.
 *
 * Built for a province (10,000 units × 100 questions with every round filled): scores are
 * summed in the database, one row per unit, by the same tally the status screens use
 * (src/domain/progress.ts), with each answer's final score taken from its appraisal rounds
 * by two indexed joins; adjustments and submissions are grouped per unit in SQL too. Summing
 * every answer that way takes seconds, so the ranking's totals are kept and brought up to
 * date from the audit log (keptTotals in src/domain/status.ts; bench/APPRAISAL.md).
 */
import type { Campaign, Db, Prisma, RecognitionKind, UnitAdjustment, UnitRecognition } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { assertPhase } from "./appraisal-phases.ts";
import {
  type AppraisalRefusal,
  FINAL_SCORE_SQL,
  groupFor,
  phaseReached,
  type RankGroupSpec,
  refuse,
} from "./appraisal-rules.ts";
import { appraisalActor } from "./appraisers.ts";
import { audit } from "./audit.ts";
import { activeCampaign } from "./people.ts";
import { type Tally, tallyUnit, type UnitAnswers, type UnitKind, type UnitTally } from "./progress.ts";
import { roundScore } from "./scoring.ts";
import {
  answerTotals,
  type CampaignShape,
  campaignShape,
  DEFAULT_RANK_GROUPS,
  keptTotals,
  lateUnitIds,
  RANK_SECTIONS,
  type RankSection,
  readTotals,
  type ScoreSource,
  SECTION_OF,
} from "./status.ts";

type Tx = Prisma.TransactionClient;

const NO_ANSWERS: UnitAnswers = { sums: new Map(), special: new Map() };

const BOTH_ROUNDS = `"Answer" a
    LEFT JOIN "Appraisal" r1 ON r1."campaignId" = a."campaignId" AND r1."unitId" = a."unitId"
                            AND r1."questionId" = a."questionId" AND r1."round" = 1
    LEFT JOIN "Appraisal" r2 ON r2."campaignId" = a."campaignId" AND r2."unitId" = a."unitId"
                            AND r2."questionId" = a."questionId" AND r2."round" = 2`;

/** Each answer's final score: round 2 where set, else round 1, else the self-score. */
export const FINAL_SCORES: ScoreSource = {
  from: BOTH_ROUNDS,
  score: FINAL_SCORE_SQL(`a."selfScore"`, `r1."score"`, `r2."score"`),
  changedBy: ["Answer", "Appraisal"],
};

/** Each answer's score as round 1 left it: round 1 where set, else the self-score (/donvi's "vòng 1"). */
export const ROUND1_SCORES: ScoreSource = {
  from: BOTH_ROUNDS,
  score: FINAL_SCORE_SQL(`a."selfScore"`, `r1."score"`, "NULL"),
  changedBy: ["Answer", "Appraisal"],
};

/** The campaign's ranking groups: from its data file, else the province's default. */
export function rankGroupsOf(campaign: Pick<Campaign, "rankGroups">): readonly RankGroupSpec[] {
  const groups = campaign.rankGroups;
  return Array.isArray(groups) && groups.length > 0 ? (groups as unknown as RankGroupSpec[]) : DEFAULT_RANK_GROUPS;
}

// ---------------------------------------------------------------- bonus and penalty

/** The most one adjustment may add or take: a tenth of a 100-point questionnaire. */
export const MAX_ADJUSTMENT_POINTS = 10;

interface CoordinatorAct {
  campaignId: number;
  personId: number;
  coordinatorIds: readonly bigint[];
  now: Date;
}

/** The campaign, read in the transaction, with the person checked to be a coordinator. */
async function asCoordinator(tx: Tx, act: CoordinatorAct): Promise<Campaign> {
  const campaign = await tx.campaign.findUnique({ where: { id: act.campaignId } });
  if (!campaign) return refuse({ reason: "unknown_campaign" });
  const actor = await appraisalActor(tx, campaign.id, act.personId, act.coordinatorIds);
  if (!actor?.coordinator) return refuse({ reason: "not_coordinator" });
  return campaign;
}

async function campaignUnit(tx: Tx, campaignId: number, unitId: number) {
  const row = await tx.campaignUnit.findUnique({
    where: { campaignId_unitId: { campaignId, unitId } },
    select: { unit: { select: { id: true, code: true, shortName: true } } },
  });
  return row?.unit ?? refuse({ reason: "unknown_unit" });
}

/** Phases in which results are still being made: bonus, penalty and appraisal are open. */
const BEFORE_PUBLICATION = ["SELF_ASSESSMENT", "APPRAISAL", "EXPLANATION", "FINAL_APPRAISAL"] as const;

/**
 * What addAdjustment would refuse in the points and reason alone (bad_points, reason_required),
 * or null: the chat checks a proposal with it before offering to save it, and the save checks
 * again in its transaction.
 */
export function adjustmentRefusal(points: number, reason: string): AppraisalRefusal | null {
  if (!Number.isFinite(points) || points <= 0 || points > MAX_ADJUSTMENT_POINTS || roundScore(points) !== points)
    return { reason: "bad_points", points: Number.isFinite(points) ? points : 0, max: MAX_ADJUSTMENT_POINTS };
  if (!reason.normalize("NFC").trim()) return { reason: "reason_required" };
  return null;
}

/** Whether bonus and penalty may still change in the campaign's phase (refuses published / wrong_phase). */
export function assertAdjustable(campaign: Pick<Campaign, "status">): void {
  assertPhase(campaign, [...BEFORE_PUBLICATION]);
}

/**
 * A coordinator gives a unit bonus or penalty points with a reason, before publication.
 * Refuses: not_coordinator, unknown_unit, published / wrong_phase, bad_points (not above 0,
 * above MAX_ADJUSTMENT_POINTS, or not in hundredths), reason_required. Audited.
 */
export async function addAdjustment(
  db: Db,
  act: CoordinatorAct & { unitId: number; kind: "BONUS" | "PENALTY"; points: number; reason: string },
): Promise<UnitAdjustment> {
  return transaction(db, async (tx) => {
    const campaign = await asCoordinator(tx, act);
    assertAdjustable(campaign);
    const unit = await campaignUnit(tx, campaign.id, act.unitId);
    const points = act.points;
    const invalid = adjustmentRefusal(points, act.reason);
    if (invalid) return refuse(invalid);
    const reason = act.reason.normalize("NFC").trim();
    const row = await tx.unitAdjustment.create({
      data: {
        campaignId: campaign.id,
        unitId: unit.id,
        kind: act.kind,
        points,
        reason,
        byId: act.personId,
        createdAt: act.now,
      },
    });
    await audit(tx, {
      actorId: act.personId,
      action: "adjustment.add",
      entity: "UnitAdjustment",
      entityId: row.id,
      after: { unitId: unit.id, unit: unit.code, kind: row.kind, points, reason },
    });
    return row;
  });
}

/** Withdraws an adjustment before publication (kept, marked removed); audited. Refuses adjustment_gone. */
export async function removeAdjustment(
  db: Db,
  act: CoordinatorAct & { adjustmentId: number },
): Promise<UnitAdjustment> {
  return transaction(db, async (tx) => {
    const campaign = await asCoordinator(tx, act);
    assertAdjustable(campaign);
    const removed = await tx.unitAdjustment.updateMany({
      where: { id: act.adjustmentId, campaignId: campaign.id, removedAt: null },
      data: { removedAt: act.now, removedById: act.personId },
    });
    if (removed.count !== 1) return refuse({ reason: "adjustment_gone" });
    const row = await tx.unitAdjustment.findUniqueOrThrow({ where: { id: act.adjustmentId } });
    await audit(tx, {
      actorId: act.personId,
      action: "adjustment.remove",
      entity: "UnitAdjustment",
      entityId: row.id,
      before: { unitId: row.unitId, kind: row.kind, points: row.points, reason: row.reason },
    });
    return row;
  });
}

/** A unit's adjustments in force, oldest first. */
export function adjustmentsOf(db: Db, campaignId: number, unitId?: number) {
  return db.unitAdjustment.findMany({
    where: { campaignId, removedAt: null, ...(unitId === undefined ? {} : { unitId }) },
    include: { unit: { select: { shortName: true } }, by: { select: { displayName: true } } },
    orderBy: { id: "asc" },
  });
}

// ---------------------------------------------------------------- the ranking

export interface FinalRankEntry {
  unitId: number;
  code: string;
  name: string;
  kind: UnitKind;
  section: RankSection;
  selfScore: number;
  selfPercent: number;
  /** The final score of the items (no adjustments): the self-score until round 1 closes. */
  appraisedScore: number;
  bonus: number;
  penalty: number;
  /** appraisedScore + bonus − penalty, between 0 and the unit's maximum. */
  total: number;
  /** The unit's own maximum (src/domain/progress.ts). */
  max: number;
  percent: number;
  /**
   * Submitted every area, and (once round 1 is closed) every team-scored item it is asked has
   * a score: only then ranked and grouped; otherwise "chưa xếp loại", never in the lowest group.
   */
  complete: boolean;
  group: RankGroupSpec | null;
  rank: number | null;
}

export interface FinalRanking {
  /** Whether the scores are final ones (round 1 closed) or self-scores. */
  appraised: boolean;
  groups: readonly RankGroupSpec[];
  /** Districts and the city, then departments, boards and offices; in each, ranked units best first, then the incomplete. */
  entries: FinalRankEntry[];
  /** Ranked units per section and group code. */
  counts: Record<RankSection, Record<string, number>>;
}

/**
 * Team-scored items each unit answered that have no appraised score yet (a unit with any is
 * incomplete once round 1 is closed: its score would lack points it may have earned).
 */
async function unscoredTeamItems(db: Db, shape: CampaignShape, unitId?: number): Promise<Map<number, number>> {
  const team = await db.question.findMany({
    where: { questionnaireId: shape.campaign.questionnaireId ?? -1, teamScored: true },
    select: { id: true },
  });
  if (team.length === 0) return new Map();
  const rows = await db.$queryRawUnsafe<{ unitId: unknown; n: unknown }[]>(
    `SELECT a."unitId" AS "unitId", COUNT(*) AS n FROM ${FINAL_SCORES.from}
      WHERE a."campaignId" = ${Number(shape.campaign.id)}${unitId === undefined ? "" : ` AND a."unitId" = ${Number(unitId)}`} AND a."questionId" IN (${team.map((q) => Number(q.id)).join(",")})
        AND r1."id" IS NULL AND r2."id" IS NULL
      GROUP BY a."unitId"`,
  );
  return new Map(rows.map((r) => [Number(r.unitId), Number(r.n)]));
}

const percentOf = (score: number, max: number) => (max > 0 ? Math.round((score / max) * 1e8) / 1e6 : 0);

/** A unit's entry from its tallies and adjustments, not yet ranked (group and rank null). */
function rankEntry(
  u: { id: number; code: string; shortName: string; kind: UnitKind },
  self: Tally,
  final: Tally,
  bonusPoints: number,
  penaltyPoints: number,
  complete: boolean,
): FinalRankEntry {
  const bonus = roundScore(bonusPoints);
  const penalty = roundScore(penaltyPoints);
  // Bonus cannot lift a unit past its own maximum (a percentage above 100 ranks nothing
  // better), nor a penalty below nothing.
  const total = Math.min(final.max, Math.max(0, roundScore(final.score + bonus - penalty)));
  return {
    unitId: u.id,
    code: u.code,
    name: u.shortName,
    kind: u.kind,
    section: SECTION_OF[u.kind],
    selfScore: self.score,
    selfPercent: self.percent,
    appraisedScore: final.score,
    bonus,
    penalty,
    total,
    max: final.max,
    percent: percentOf(total, final.max),
    complete,
    group: null,
    rank: null,
  };
}

/**
 * Units ranked by their final score as a percentage of their own maximum, districts and
 * departments apart, grouped by the campaign's groups. Before round 1 closes the final
 * score is the self-score. Equal percentages share a rank.
 */
export async function finalRanking(db: Db, shape: CampaignShape): Promise<FinalRanking> {
  const campaign = shape.campaign;
  const campaignId = campaign.id;
  const appraised = phaseReached(campaign.status, "EXPLANATION");
  const [units, selfTotals, finalTotals, late, adjustments, unscored] = await Promise.all([
    db.unit.findMany({
      where: { campaigns: { some: { campaignId } } },
      select: { id: true, code: true, shortName: true, kind: true },
      orderBy: { id: "asc" },
    }),
    answerTotals(db, shape),
    // Kept and brought up to date from the audit log, as the self-scores are: summing every
    // answer with its two rounds joined takes seconds for a province.
    appraised ? keptTotals(db, shape, FINAL_SCORES) : null,
    // Only the units that have not submitted every area (a few): not a count for each unit.
    lateUnitIds(db, shape),
    db.unitAdjustment.groupBy({
      by: ["unitId", "kind"],
      where: { campaignId, removedAt: null },
      _sum: { points: true },
    }),
    appraised ? unscoredTeamItems(db, shape) : new Map<number, number>(),
  ]);
  const groups = rankGroupsOf(campaign);
  const unsubmitted = new Set(late);
  const adjusted = new Map(adjustments.map((a) => [`${a.unitId}:${a.kind}`, a._sum.points ?? 0]));
  const adjustment = (unitId: number, kind: "BONUS" | "PENALTY") => adjusted.get(`${unitId}:${kind}`) ?? 0;
  const entries = units.map((u): FinalRankEntry => {
    const self = tallyUnit(shape.plan, u.kind, selfTotals.get(u.id) ?? NO_ANSWERS);
    const final = finalTotals ? tallyUnit(shape.plan, u.kind, finalTotals.get(u.id) ?? NO_ANSWERS) : self;
    const complete = !unsubmitted.has(u.id) && (unscored.get(u.id) ?? 0) === 0;
    return rankEntry(u, self, final, adjustment(u.id, "BONUS"), adjustment(u.id, "PENALTY"), complete);
  });
  const section = (e: FinalRankEntry) => RANK_SECTIONS.indexOf(e.section);
  entries.sort(
    (a, b) =>
      section(a) - section(b) ||
      Number(b.complete) - Number(a.complete) ||
      b.percent - a.percent ||
      b.total - a.total ||
      a.unitId - b.unitId,
  );
  const counts = Object.fromEntries(
    RANK_SECTIONS.map((s) => [s, Object.fromEntries(groups.map((g) => [g.code, 0]))]),
  ) as FinalRanking["counts"];
  let previous: FinalRankEntry | null = null;
  let place = 0;
  for (const e of entries) {
    if (!e.complete) continue;
    place = previous?.section === e.section ? place + 1 : 1;
    e.rank = previous?.section === e.section && previous.percent === e.percent ? previous.rank : place;
    e.group = groupFor(groups, e.percent);
    counts[e.section][e.group.code]!++;
    previous = e;
  }
  return { appraised, groups, entries, counts };
}

export interface UnitResult {
  /** The unit's entry as the ranking has it, without its rank (which needs every unit): group when complete. */
  entry: Omit<FinalRankEntry, "rank">;
  /** Per area and overall: the self-scores, the scores after round 1, and the final scores. */
  self: UnitTally;
  round1: UnitTally;
  final: UnitTally;
  /** Whether round 1 is closed (the final scores count) and whether round 2 has begun. */
  appraised: boolean;
  round2: boolean;
}

/**
 * One unit's results (/donvi): self-score, the score after round 1 and the final score, per
 * area and overall, with its bonus and penalty and its group. Three sums of one unit's
 * answers, each through the index of Answer and the unique key of Appraisal: cheap whatever
 * the size of the province (the ranking's place would need every unit, so it is not here).
 */
export async function unitResult(
  db: Db,
  shape: CampaignShape,
  unit: { id: number; code: string; shortName: string; kind: UnitKind },
): Promise<UnitResult> {
  const campaign = shape.campaign;
  const campaignId = campaign.id;
  const only = [unit.id];
  const [self, round1, final, submitted, adjustments, unscored] = await Promise.all([
    readTotals(db, shape, only),
    readTotals(db, shape, only, ROUND1_SCORES),
    readTotals(db, shape, only, FINAL_SCORES),
    db.areaSubmission.count({ where: { campaignId, unitId: unit.id } }),
    db.unitAdjustment.groupBy({
      by: ["kind"],
      where: { campaignId, unitId: unit.id, removedAt: null },
      _sum: { points: true },
    }),
    phaseReached(campaign.status, "EXPLANATION") ? unscoredTeamItems(db, shape, unit.id) : new Map<number, number>(),
  ]);
  const tally = (totals: Map<number, UnitAnswers>) =>
    tallyUnit(shape.plan, unit.kind, totals.get(unit.id) ?? NO_ANSWERS);
  const appraised = phaseReached(campaign.status, "EXPLANATION");
  const selfTally = tally(self);
  const finalTally = appraised ? tally(final) : selfTally;
  const sum = (kind: "BONUS" | "PENALTY") => adjustments.find((a) => a.kind === kind)?._sum.points ?? 0;
  const complete = submitted >= shape.areas.length && (unscored.get(unit.id) ?? 0) === 0;
  const { rank: _rank, ...entry } = rankEntry(unit, selfTally, finalTally, sum("BONUS"), sum("PENALTY"), complete);
  return {
    entry: { ...entry, group: complete ? groupFor(rankGroupsOf(campaign), entry.percent) : null },
    self: selfTally,
    round1: tally(round1),
    final: tally(final),
    appraised,
    round2: phaseReached(campaign.status, "FINAL_APPRAISAL"),
  };
}

// ---------------------------------------------------------------- commend and criticise

export interface RecognitionProposal {
  unitId: number;
  name: string;
  kind: RecognitionKind;
  /** Why it is proposed: its group and rank, or that its assessment is incomplete. */
  basis: { group: string | null; rank: number | null; percent: number; complete: boolean };
}

/**
 * Proposals from the ranking, for coordinators to decide on: units in the first (highest)
 * group are proposed for commendation, units in the last group and units whose assessment
 * is incomplete for criticism. A proposal decides nothing.
 */
export function proposeRecognitions(ranking: FinalRanking): RecognitionProposal[] {
  const top = ranking.groups[0]?.code;
  const bottom = ranking.groups[ranking.groups.length - 1]?.code;
  const proposals: RecognitionProposal[] = [];
  for (const e of ranking.entries) {
    const basis = { group: e.group?.code ?? null, rank: e.rank, percent: e.percent, complete: e.complete };
    if (e.complete && e.group?.code === top && ranking.groups.length > 1)
      proposals.push({ unitId: e.unitId, name: e.name, kind: "COMMEND", basis });
    else if (!e.complete || e.group?.code === bottom)
      proposals.push({ unitId: e.unitId, name: e.name, kind: "CRITICISE", basis });
  }
  return proposals;
}

/** Refuses (wrong_phase) unless commend / criticise decisions are open: from the close of round 1 until the campaign is closed. */
export function assertRecognisable(campaign: Pick<Campaign, "status">): void {
  if (!phaseReached(campaign.status, "EXPLANATION") || campaign.status === "CLOSED")
    refuse({ reason: "wrong_phase", phase: campaign.status, needed: ["EXPLANATION", "FINAL_APPRAISAL", "PUBLISHED"] });
}

/**
 * A coordinator commends or criticises a unit with a reason (one decision per unit: a new
 * one replaces it), or withdraws the decision (kind null). Open from the close of round 1
 * (the ranking then uses appraised scores) until the campaign is closed. Refuses:
 * not_coordinator, unknown_unit, wrong_phase, reason_required. Audited.
 */
export async function decideRecognition(
  db: Db,
  act: CoordinatorAct & { unitId: number; kind: RecognitionKind | null; reason: string },
): Promise<UnitRecognition | null> {
  return transaction(db, async (tx) => {
    const campaign = await asCoordinator(tx, act);
    assertRecognisable(campaign);
    const unit = await campaignUnit(tx, campaign.id, act.unitId);
    const reason = act.reason.normalize("NFC").trim();
    if (!reason) return refuse({ reason: "reason_required" });
    const key = { campaignId_unitId: { campaignId: campaign.id, unitId: unit.id } };
    const before = await tx.unitRecognition.findUnique({ where: key });
    let after: UnitRecognition | null = null;
    if (act.kind === null) {
      if (before) await tx.unitRecognition.delete({ where: { id: before.id } });
    } else {
      const data = { kind: act.kind, reason, byId: act.personId, createdAt: act.now };
      after = before
        ? await tx.unitRecognition.update({ where: { id: before.id }, data })
        : await tx.unitRecognition.create({ data: { campaignId: campaign.id, unitId: unit.id, ...data } });
    }
    await audit(tx, {
      actorId: act.personId,
      action: act.kind === null ? "recognition.withdraw" : "recognition.decide",
      entity: "UnitRecognition",
      entityId: after?.id ?? before?.id ?? `${campaign.id}:${unit.id}`,
      before: before && { kind: before.kind, reason: before.reason },
      after: { unitId: unit.id, unit: unit.code, kind: act.kind, reason },
    });
    return after;
  });
}

/** The decided lists, commend first, by unit. */
export function recognitionsOf(db: Db, campaignId: number) {
  return db.unitRecognition.findMany({
    where: { campaignId },
    include: { unit: { select: { shortName: true, kind: true } }, by: { select: { displayName: true } } },
    orderBy: [{ kind: "asc" }, { unitId: "asc" }],
  });
}

/**
 * Reads the active campaign's kept totals once (the self-scores, and the final scores once
 * round 1 is closed), so the first /tiendo or /diem after a start does not pay for the full
 * read (seconds for a province).
 */
export async function warmTotals(db: Db): Promise<void> {
  const campaign = await activeCampaign(db);
  if (!campaign) return;
  const shape = await campaignShape(db, campaign);
  await answerTotals(db, shape);
  if (phaseReached(campaign.status, "EXPLANATION")) await keptTotals(db, shape, FINAL_SCORES);
}
