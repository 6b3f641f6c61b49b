/**
 * Appraisal (thẩm định) of units' self-assessments, item by item: what an appraiser has to
 * do next, one item with everything needed to judge it, accepting the self-score or setting
 * a score with a comment, the unit's explanation with extra evidence, round 2 on explained
 * items, a coordinator's reopen after publication, and progress per appraiser and per unit.
 *
 * Every write runs in one transaction that re-reads the campaign's phase, the person's role
 * and assignment, and the item's version, so a refusal (AppraisalRefused, with a reason code)
 * leaves nothing changed; every change keeps the old state as a revision and is audited. Two
 * appraisers on one item at the same moment: the unique key (campaign, unit, question, round)
 * and the version make exactly one win; the other is refused as stale. No Telegram in here.
 */
import type { Appraisal, Campaign, Db, Prisma, Question } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { transaction } from "../db/exactly-once.ts";
import { TEXT_MAX_LENGTH } from "./answers.ts";
import { assertPhase } from "./appraisal-phases.ts";
import {
  AppraisalRefused,
  checkScore,
  finalScore,
  refuse,
  roundOfPhase,
  type ScoreSteps,
  sameScore,
  scoreSteps,
} from "./appraisal-rules.ts";
import { type AppraisalActor, appraisalActor, assertMayAppraise, scopesOf } from "./appraisers.ts";
import { type EvidenceFile, needsEvidence } from "./assessment.ts";
import { audit } from "./audit.ts";
import { enqueueNotices, noticesEnqueued } from "./notices.ts";
import { appliesToKind, tallyUnit, type UnitKind } from "./progress.ts";
import { answerTotals, type CampaignShape } from "./status.ts";
import { isPastDeadline } from "./time.ts";

type Tx = Prisma.TransactionClient;
type Reader = Db | Tx;

export type Round = 1 | 2;

/** Who acts, and with what standing: the person and COORDINATOR_IDS. */
export interface Acting {
  campaignId: number;
  personId: number;
  coordinatorIds: readonly bigint[];
  /** When the person acted (the message's time): deadlines are checked against it. */
  now: Date;
}

// ---------------------------------------------------------------- one item

type ItemQuestion = Question & { criterion: { area: { id: number; code: string } } };

interface ItemContext {
  campaign: Campaign;
  unit: { id: number; code: string; name: string; shortName: string; kind: UnitKind };
  question: ItemQuestion;
  area: { id: number; code: string };
  answer: { value: string; selfScore: number | null; explanation: string | null } | null;
}

const int = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer id: ${n}`);
  return n;
};

/** The campaign, unit and question of an item, checked to belong together (unknown_*, not_asked). */
async function itemContext(db: Reader, campaignId: number, unitId: number, questionId: number): Promise<ItemContext> {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId } });
  if (!campaign) return refuse({ reason: "unknown_campaign" });
  const [member, question, answer] = await Promise.all([
    db.campaignUnit.findUnique({
      where: { campaignId_unitId: { campaignId, unitId } },
      select: { unit: { select: { id: true, code: true, name: true, shortName: true, kind: true } } },
    }),
    db.question.findFirst({
      where: { id: questionId, questionnaireId: campaign.questionnaireId ?? -1 },
      include: { criterion: { select: { area: { select: { id: true, code: true } } } } },
    }),
    db.answer.findUnique({
      where: { campaignId_unitId_questionId: { campaignId, unitId, questionId } },
      select: { value: true, selfScore: true, explanation: true },
    }),
  ]);
  if (!member) return refuse({ reason: "unknown_unit" });
  if (!question) return refuse({ reason: "unknown_question" });
  if (!appliesToKind(question, member.unit.kind)) return refuse({ reason: "not_asked", code: question.code });
  return { campaign, unit: member.unit, question, area: question.criterion.area, answer };
}

/** The person as appraiser of this item, or a refusal (not_assigned). */
async function actorFor(tx: Reader, acting: Acting, ctx: ItemContext): Promise<AppraisalActor> {
  const actor = await appraisalActor(tx, acting.campaignId, acting.personId, acting.coordinatorIds);
  if (!actor) return refuse({ reason: "not_assigned", unit: ctx.unit.shortName, area: ctx.area.code });
  await assertMayAppraise(tx, acting.campaignId, actor, ctx.unit, ctx.area);
  return actor;
}

const appraisalKey = (campaignId: number, unitId: number, questionId: number, round: Round) => ({
  campaignId_unitId_questionId_round: { campaignId, unitId, questionId, round },
});

export interface AppraisalState {
  score: number;
  comment: string | null;
  version: number;
  appraiserId: number;
  appraiser: string;
  updatedAt: Date;
}

export interface AppraisalItem {
  unit: ItemContext["unit"];
  question: ItemQuestion;
  area: { id: number; code: string };
  /** The unit's answer (value as stored, see src/domain/answers.ts) and self-score. */
  answer: ItemContext["answer"];
  teamScored: boolean;
  evidence: {
    id: number;
    kind: string;
    fileName: string | null;
    url: string | null;
    note: string | null;
    explanation: boolean;
  }[];
  explanation: { text: string; by: string; updatedAt: Date } | null;
  round1: AppraisalState | null;
  round2: AppraisalState | null;
  /** The round the campaign's phase works in (null: no appraisal now). */
  round: Round | null;
  /** The version a write in this round names (0: not appraised in it yet). */
  version: number;
  steps: ScoreSteps;
  finalScore: number | null;
  /** The unit answered with points and gave neither evidence nor an explanation. */
  missingEvidence: boolean;
}

function stateOf(row: (Appraisal & { appraiser: { displayName: string } }) | undefined): AppraisalState | null {
  return row
    ? {
        score: row.score,
        comment: row.comment,
        version: row.version,
        appraiserId: row.appraiserId,
        appraiser: row.appraiser.displayName,
        updatedAt: row.updatedAt,
      }
    : null;
}

/**
 * One item as an appraiser judges it: the unit's answer and self-score, the scoring rule
 * (question.scoringText) and the scores it allows, the evidence (self-assessment and
 * explanation), the explanation, both rounds, and the version to name when writing.
 */
export async function appraisalItem(
  db: Db,
  campaignId: number,
  unitId: number,
  questionId: number,
): Promise<AppraisalItem> {
  const ctx = await itemContext(db, campaignId, unitId, questionId);
  const where = { campaignId, unitId, questionId };
  const [rows, evidence, explanation] = await Promise.all([
    db.appraisal.findMany({ where, include: { appraiser: { select: { displayName: true } } } }),
    db.evidence.findMany({
      where: { ...where, removedAt: null },
      select: { id: true, kind: true, fileName: true, url: true, note: true, explanationId: true },
      orderBy: { id: "asc" },
    }),
    db.explanation.findUnique({
      where: { campaignId_unitId_questionId: where },
      select: { text: true, updatedAt: true, by: { select: { displayName: true } } },
    }),
  ]);
  const round1 = stateOf(rows.find((r) => r.round === 1));
  const round2 = stateOf(rows.find((r) => r.round === 2));
  const round = roundOfPhase(ctx.campaign.status);
  const current = round === 1 ? round1 : round === 2 ? round2 : null;
  return {
    unit: ctx.unit,
    question: ctx.question,
    area: ctx.area,
    answer: ctx.answer,
    teamScored: ctx.question.teamScored,
    evidence: evidence.map(({ explanationId, ...e }) => ({ ...e, explanation: explanationId !== null })),
    explanation: explanation && {
      text: explanation.text,
      by: explanation.by.displayName,
      updatedAt: explanation.updatedAt,
    },
    round1,
    round2,
    round,
    version: current?.version ?? 0,
    steps: scoreSteps(ctx.question),
    finalScore: finalScore(ctx.answer?.selfScore ?? null, round1?.score ?? null, round2?.score ?? null),
    missingEvidence:
      ctx.answer !== null &&
      needsEvidence(ctx.question, ctx.answer, evidence.filter((e) => e.explanationId === null).length),
  };
}

// ---------------------------------------------------------------- the next item to appraise

export interface NextItemFilter {
  /** Only this unit, or this area. */
  unitId?: number;
  areaId?: number;
  /** Continue after this item (unit id, then the question's order). */
  after?: { unitId: number; order: number };
}

/** How many candidate items are read at a time (items not asked of their unit's kind are skipped in code). */
const QUEUE_BATCH = 50;

/**
 * The next item the person has to appraise in the campaign's current round, one at a time:
 * in their assignment (coordinators: anywhere), answered by the unit, not yet appraised in
 * this round; in round 2 only explained items. Units in id order, items in questionnaire
 * order. Null when there is nothing left (or no round is open, or they may not appraise).
 */
export async function nextItemToAppraise(
  db: Db,
  acting: Omit<Acting, "now">,
  filter: NextItemFilter = {},
): Promise<{ unitId: number; questionId: number } | null> {
  const campaign = await db.campaign.findUnique({ where: { id: acting.campaignId } });
  const round = campaign && roundOfPhase(campaign.status);
  if (!campaign || !round) return null;
  const actor = await appraisalActor(db, campaign.id, acting.personId, acting.coordinatorIds);
  if (!actor) return null;
  const c = int(campaign.id);
  const conditions = [`a."campaignId" = ${c}`, `p."id" IS NULL`];
  if (filter.unitId !== undefined) conditions.push(`a."unitId" = ${int(filter.unitId)}`);
  if (filter.areaId !== undefined) conditions.push(`cr."areaId" = ${int(filter.areaId)}`);
  if (filter.after) {
    const u = int(filter.after.unitId);
    conditions.push(`(a."unitId" > ${u} OR (a."unitId" = ${u} AND q."order" > ${int(filter.after.order)}))`);
  }
  if (!actor.coordinator) {
    conditions.push(`EXISTS (SELECT 1 FROM "AppraisalAssignment" s JOIN "Appraiser" r ON r."id" = s."appraiserId"
      WHERE r."campaignId" = ${c} AND r."personId" = ${int(actor.personId)}
        AND (s."unitId" IS NULL OR s."unitId" = a."unitId") AND (s."areaId" IS NULL OR s."areaId" = cr."areaId"))`);
  }
  const explained =
    round === 2
      ? `JOIN "Explanation" e ON e."campaignId" = a."campaignId" AND e."unitId" = a."unitId" AND e."questionId" = a."questionId"`
      : "";
  for (let offset = 0; ; offset += QUEUE_BATCH) {
    const rows = await db.$queryRawUnsafe<{ unitId: unknown; questionId: unknown }[]>(
      `SELECT a."unitId" AS "unitId", a."questionId" AS "questionId" FROM "Answer" a
         JOIN "Question" q ON q."id" = a."questionId"
         JOIN "Criterion" cr ON cr."id" = q."criterionId"
         ${explained}
         LEFT JOIN "Appraisal" p ON p."campaignId" = a."campaignId" AND p."unitId" = a."unitId"
                                AND p."questionId" = a."questionId" AND p."round" = ${round}
        WHERE ${conditions.join(" AND ")}
        ORDER BY a."unitId", q."order" LIMIT ${QUEUE_BATCH} OFFSET ${offset}`,
    );
    if (rows.length === 0) return null;
    const items = rows.map((r) => ({ unitId: Number(r.unitId), questionId: Number(r.questionId) }));
    const [units, questions] = await Promise.all([
      db.unit.findMany({
        where: { id: { in: [...new Set(items.map((i) => i.unitId))] } },
        select: { id: true, kind: true },
      }),
      db.question.findMany({
        where: { id: { in: [...new Set(items.map((i) => i.questionId))] } },
        select: { id: true, appliesTo: true },
      }),
    ]);
    const kind = new Map(units.map((u) => [u.id, u.kind]));
    const appliesTo = new Map(questions.map((q) => [q.id, q]));
    // An answer left on a question later narrowed to other unit kinds is not appraised.
    const asked = items.find((i) => appliesToKind(appliesTo.get(i.questionId)!, kind.get(i.unitId)!));
    if (asked) return asked;
    if (rows.length < QUEUE_BATCH) return null;
  }
}

// ---------------------------------------------------------------- writing a score

export interface AppraiseInput extends Acting {
  unitId: number;
  questionId: number;
  /** A score, or "accept": the unit's own self-score, with one tap. */
  score: number | "accept";
  /** Required whenever the score differs from the self-score. */
  comment?: string | null;
  /** The version of the item in this round the appraiser saw (AppraisalItem.version; 0: none yet). */
  expectedVersion: number;
}

export interface AppraiseResult {
  appraisal: Appraisal;
  round: Round;
  /** The score differs from the unit's self-score (the unit is told when round 1 closes). */
  changed: boolean;
}

/** Trimmed, NFC, at most TEXT_MAX_LENGTH characters; empty is none. */
function cleanText(text: string | null | undefined): string | null {
  const clean = (text ?? "")
    .normalize("NFC")
    .replaceAll("\u0000", "") // PostgreSQL refuses NUL in text; the CLI path has no middleware stripping it
    .trim();
  return clean ? clean.slice(0, TEXT_MAX_LENGTH) : null;
}

interface Write {
  ctx: ItemContext;
  round: Round;
  score: number;
  comment: string | null;
  personId: number;
  expectedVersion: number;
  now: Date;
  /** Audit action: "appraisal.set" or "appraisal.reopen" (with its reason). */
  action: string;
  reason?: string;
}

/**
 * Creates or changes the item's row of a round, only from the version the writer saw: the
 * old state becomes a revision, the change is audited. A version that moved meanwhile is
 * refused (stale); a first write that meets another first write fails on the unique key,
 * and the caller turns that into stale as well.
 */
async function writeAppraisal(tx: Tx, w: Write): Promise<Appraisal> {
  const { ctx, round } = w;
  const key = appraisalKey(ctx.campaign.id, ctx.unit.id, ctx.question.id, round);
  const before = await tx.appraisal.findUnique({
    where: key,
    include: { appraiser: { select: { displayName: true } } },
  });
  if ((before?.version ?? 0) !== w.expectedVersion) {
    return refuse({
      reason: "stale",
      code: ctx.question.code,
      version: before?.version ?? 0,
      by: before?.appraiser.displayName ?? null,
    });
  }
  const selfScore = ctx.answer?.selfScore ?? null;
  let after: Appraisal;
  if (!before) {
    after = await tx.appraisal.create({
      data: {
        campaignId: ctx.campaign.id,
        unitId: ctx.unit.id,
        questionId: ctx.question.id,
        areaId: ctx.area.id,
        round,
        score: w.score,
        selfScore,
        comment: w.comment,
        appraiserId: w.personId,
        createdAt: w.now,
        updatedAt: w.now,
      },
    });
  } else {
    const updated = await tx.appraisal.updateMany({
      where: { id: before.id, version: before.version },
      data: {
        score: w.score,
        comment: w.comment,
        selfScore,
        appraiserId: w.personId,
        version: before.version + 1,
        updatedAt: w.now,
      },
    });
    if (updated.count !== 1)
      return refuse({ reason: "stale", code: ctx.question.code, version: before.version, by: null });
    await tx.appraisalRevision.create({
      data: {
        appraisalId: before.id,
        score: before.score,
        comment: before.comment,
        version: before.version,
        changedById: before.appraiserId,
        changedAt: before.updatedAt,
      },
    });
    after = await tx.appraisal.findUniqueOrThrow({ where: { id: before.id } });
  }
  await audit(tx, {
    actorId: w.personId,
    action: w.action,
    entity: "Appraisal",
    entityId: after.id,
    before: before && { score: before.score, comment: before.comment, version: before.version },
    after: {
      unitId: ctx.unit.id,
      question: ctx.question.code,
      round,
      score: after.score,
      selfScore,
      comment: after.comment,
      version: after.version,
      ...(w.reason ? { reason: w.reason } : {}),
    },
  });
  return after;
}

/** A lost race for the first write of an item, told as the colleague's change it is. */
async function asStale(db: Db, e: unknown, campaignId: number, unitId: number, questionId: number, round: Round) {
  if (!isUniqueViolation(e)) return e;
  const row = await db.appraisal.findUnique({
    where: appraisalKey(campaignId, unitId, questionId, round),
    include: { appraiser: { select: { displayName: true } }, question: { select: { code: true } } },
  });
  return new AppraisalRefused({
    reason: "stale",
    code: row?.question.code ?? "",
    version: row?.version ?? 0,
    by: row?.appraiser.displayName ?? null,
  });
}

/**
 * An appraiser's score for an item in the current round: "accept" takes the unit's
 * self-score; a score must be one the item's rule allows, and a score that differs from the
 * self-score needs a comment. Refuses: wrong_phase / published (no round open), not_assigned,
 * unknown_unit / unknown_question / not_asked, not_answered, not_explained (round 2),
 * team_scored / no_self_score ("accept" with no self-score), negative_score / above_max /
 * off_step, comment_required, stale.
 */
export async function appraise(db: Db, input: AppraiseInput): Promise<AppraiseResult> {
  let round: Round = 1;
  try {
    return await transaction(db, async (tx): Promise<AppraiseResult> => {
      const ctx = await itemContext(tx, input.campaignId, input.unitId, input.questionId);
      assertPhase(ctx.campaign, ["APPRAISAL", "FINAL_APPRAISAL"]);
      round = roundOfPhase(ctx.campaign.status)!;
      await actorFor(tx, input, ctx);
      const code = ctx.question.code;
      if (!ctx.answer) return refuse({ reason: "not_answered", code });
      if (round === 2) {
        const explained = await tx.explanation.count({
          where: { campaignId: ctx.campaign.id, unitId: ctx.unit.id, questionId: ctx.question.id },
        });
        if (explained === 0) return refuse({ reason: "not_explained", code });
      }
      const selfScore = ctx.question.teamScored ? null : ctx.answer.selfScore;
      if (input.score === "accept") {
        if (ctx.question.teamScored) return refuse({ reason: "team_scored", code });
        if (selfScore === null) return refuse({ reason: "no_self_score", code });
      }
      const score = input.score === "accept" ? selfScore! : input.score;
      const invalid = checkScore(ctx.question, score);
      if (invalid) return refuse(invalid);
      const comment = cleanText(input.comment);
      // Team-scored items have no self-score to differ from; an item the unit left without a
      // score is compared with 0, what it would have counted.
      const differs = !ctx.question.teamScored && !sameScore(score, selfScore ?? 0);
      if (differs && !comment) return refuse({ reason: "comment_required", code, selfScore: selfScore ?? 0, score });
      const appraisal = await writeAppraisal(tx, {
        ctx,
        round,
        score,
        comment,
        personId: input.personId,
        expectedVersion: input.expectedVersion,
        now: input.now,
        action: "appraisal.set",
      });
      return { appraisal, round, changed: selfScore === null || !sameScore(score, selfScore) };
    });
  } catch (e) {
    throw await asStale(db, e, input.campaignId, input.unitId, input.questionId, round);
  }
}

export interface ReopenInput extends Acting {
  unitId: number;
  questionId: number;
  score: number;
  reason: string;
  /** The item's round-2 version the coordinator saw (0: it has none). */
  expectedVersion: number;
}

/**
 * After publication a score changes only here: a coordinator reopens one item with a reason
 * and sets its final score (written as round 2, which the final score reads first). Audited
 * as appraisal.reopen with the reason; the unit's officers are told through the outbox.
 * Refuses: wrong_phase (not published), not_coordinator, reason_required, the score checks
 * of `appraise`, same_score (nothing would change), stale.
 */
export async function reopenScore(db: Db, input: ReopenInput): Promise<Appraisal> {
  let notified = 0;
  try {
    const appraisal = await transaction(db, async (tx) => {
      const ctx = await itemContext(tx, input.campaignId, input.unitId, input.questionId);
      if (ctx.campaign.status !== "PUBLISHED")
        return refuse({ reason: "wrong_phase", phase: ctx.campaign.status, needed: ["PUBLISHED"] });
      const actor = await appraisalActor(tx, input.campaignId, input.personId, input.coordinatorIds);
      if (!actor?.coordinator) return refuse({ reason: "not_coordinator" });
      const reason = cleanText(input.reason);
      if (!reason) return refuse({ reason: "reason_required" });
      const invalid = checkScore(ctx.question, input.score);
      if (invalid) return refuse(invalid);
      const rows = await tx.appraisal.findMany({
        where: { campaignId: ctx.campaign.id, unitId: ctx.unit.id, questionId: ctx.question.id },
        select: { round: true, score: true },
      });
      const before = finalScore(
        ctx.answer?.selfScore ?? null,
        rows.find((r) => r.round === 1)?.score ?? null,
        rows.find((r) => r.round === 2)?.score ?? null,
      );
      if (sameScore(before, input.score))
        return refuse({ reason: "same_score", code: ctx.question.code, score: input.score });
      const row = await writeAppraisal(tx, {
        ctx,
        round: 2,
        score: input.score,
        comment: reason,
        personId: input.personId,
        expectedVersion: input.expectedVersion,
        now: input.now,
        action: "appraisal.reopen",
        reason,
      });
      const officers = await tx.membership.findMany({
        where: { campaignId: ctx.campaign.id, unitId: ctx.unit.id, role: "OFFICER" },
        select: { personId: true },
      });
      notified = await enqueueNotices(
        tx,
        officers.map((o) => ({
          recipientId: o.personId,
          campaignId: ctx.campaign.id,
          kind: "appraisal.reopened",
          payload: {
            unitName: ctx.unit.name,
            code: ctx.question.code,
            before,
            score: input.score,
            reason,
            by: actor.name,
          },
          dueAt: input.now,
          idempotencyKey: `appraisal:reopen:${row.id}:v${row.version}:${o.personId}`,
        })),
      );
      return row;
    });
    if (notified > 0) noticesEnqueued();
    return appraisal;
  } catch (e) {
    throw await asStale(db, e, input.campaignId, input.unitId, input.questionId, 2);
  }
}

// ---------------------------------------------------------------- the unit's explanation

export interface ExplainInput extends Acting {
  unitId: number;
  questionId: number;
  text: string;
}

/**
 * Refuses (wrong_phase, published, explanation_deadline) unless units may explain at `now`
 * (when the officer sent it): the explanation phase, its deadline's minute included. The
 * chat checks it before asking for text, so an officer is told the date at once.
 */
export function assertExplanationOpen(campaign: Pick<Campaign, "status" | "explanationDeadline">, now: Date): void {
  assertPhase(campaign, ["EXPLANATION"]);
  const deadline = campaign.explanationDeadline;
  if (deadline && isPastDeadline(deadline, now)) refuse({ reason: "explanation_deadline", deadline });
}

/** Officers of the unit explain items whose round-1 score changed, until the deadline. */
async function explanationContext(tx: Tx, input: Acting & { unitId: number; questionId: number }) {
  const ctx = await itemContext(tx, input.campaignId, input.unitId, input.questionId);
  assertExplanationOpen(ctx.campaign, input.now);
  const officer = await tx.membership.count({
    where: { campaignId: ctx.campaign.id, personId: input.personId, role: "OFFICER", unitId: ctx.unit.id },
  });
  if (officer === 0) return refuse({ reason: "not_officer", unit: ctx.unit.shortName });
  const round1 = await tx.appraisal.findUnique({
    where: appraisalKey(ctx.campaign.id, ctx.unit.id, ctx.question.id, 1),
    select: { score: true, selfScore: true },
  });
  if (!round1 || sameScore(round1.score, round1.selfScore))
    return refuse({ reason: "not_changed", code: ctx.question.code });
  return ctx;
}

/**
 * A unit officer's explanation (giải trình) of an item whose score round 1 changed: created,
 * or replaced while the explanation phase lasts (the text before is in the audit log).
 * Refuses: wrong_phase, explanation_deadline (with the date, checked against when the
 * officer sent it), not_officer, not_changed, text_required.
 */
export async function explainItem(db: Db, input: ExplainInput) {
  return transaction(db, async (tx) => {
    const ctx = await explanationContext(tx, input);
    const text = cleanText(input.text);
    if (!text) return refuse({ reason: "text_required" });
    const key = { campaignId: ctx.campaign.id, unitId: ctx.unit.id, questionId: ctx.question.id };
    const before = await tx.explanation.findUnique({ where: { campaignId_unitId_questionId: key } });
    const row = before
      ? await tx.explanation.update({
          where: { id: before.id },
          data: { text, byId: input.personId, updatedAt: input.now },
        })
      : await tx.explanation.create({
          data: { ...key, text, byId: input.personId, createdAt: input.now, updatedAt: input.now },
        });
    await audit(tx, {
      actorId: input.personId,
      action: before ? "explanation.update" : "explanation.create",
      entity: "Explanation",
      entityId: row.id,
      before: before && { text: before.text, byId: before.byId },
      after: { unitId: ctx.unit.id, question: ctx.question.code, text },
    });
    return row;
  });
}

export interface ExplanationEvidenceInput extends Acting {
  unitId: number;
  questionId: number;
  /** A stored file (as src/domain/assessment.ts addEvidence takes it), or a link. */
  file: EvidenceFile | { url: string; note?: string | null; source?: string };
}

/**
 * Extra evidence given with an explanation: an Evidence row of the item, pointing to the
 * explanation (explained first, then the files). Same refusals as explainItem, and
 * not_explained when there is no explanation yet. A file or link the explanation already
 * has is not added twice: the row kept is returned (its storageKey tells the caller).
 */
export async function addExplanationEvidence(db: Db, input: ExplanationEvidenceInput) {
  return transaction(db, async (tx) => {
    const ctx = await explanationContext(tx, input);
    const key = { campaignId: ctx.campaign.id, unitId: ctx.unit.id, questionId: ctx.question.id };
    const explanation = await tx.explanation.findUnique({ where: { campaignId_unitId_questionId: key } });
    if (!explanation) return refuse({ reason: "not_explained", code: ctx.question.code });
    // The same file (bytes, or Telegram's unique id) or link sent again is kept once, as
    // self-assessment evidence is: the row already kept is returned.
    const file = input.file;
    const same =
      "url" in file
        ? { kind: "LINK" as const, url: file.url }
        : file.sha256
          ? { sha256: file.sha256 }
          : file.fileUniqueId
            ? { fileUniqueId: file.fileUniqueId }
            : null;
    const existing =
      same && (await tx.evidence.findFirst({ where: { explanationId: explanation.id, removedAt: null, ...same } }));
    if (existing) return existing;
    const data =
      "url" in input.file
        ? {
            kind: "LINK" as const,
            url: input.file.url,
            note: input.file.note ?? null,
            source: input.file.source ?? "telegram",
          }
        : { kind: "FILE" as const, ...input.file };
    const evidence = await tx.evidence.create({
      data: { ...key, ...data, explanationId: explanation.id, uploadedById: input.personId, createdAt: input.now },
    });
    await audit(tx, {
      actorId: input.personId,
      action: "evidence.add",
      entity: "Evidence",
      entityId: evidence.id,
      after: { unitId: ctx.unit.id, question: ctx.question.code, explanationId: explanation.id, kind: evidence.kind },
    });
    return evidence;
  });
}

// ---------------------------------------------------------------- progress

export interface ProgressCount {
  /** Items to appraise in the round (round 1: answered items asked of the unit; round 2: explained items). */
  assigned: number;
  done: number;
}

export interface AppraiserProgress extends ProgressCount {
  appraiserId: number;
  key: string;
  name: string;
  personId: number | null;
  /** Items of their scope appraised by them (done counts anyone's). */
  byThem: number;
}

export interface AppraisalProgress {
  round: Round;
  units: (ProgressCount & { unitId: number; name: string })[];
  appraisers: AppraiserProgress[];
}

/**
 * Items done / assigned per unit and per appraiser, in one round (default: the one the
 * phase works in, else 1). Counted in the database, one row per unit and area: the
 * assigned items from the answer totals the status screens keep (src/domain/status.ts), the
 * done ones grouped from Appraisal. An appraiser's scope is the union of their assignments.
 */
export async function appraisalProgress(db: Db, shape: CampaignShape, round?: Round): Promise<AppraisalProgress> {
  const campaignId = shape.campaign.id;
  const r: Round = round ?? roundOfPhase(shape.campaign.status) ?? 1;
  const [units, totals, done, explained, roster, mine] = await Promise.all([
    db.unit.findMany({
      where: { campaigns: { some: { campaignId } } },
      select: { id: true, shortName: true, kind: true },
      orderBy: { id: "asc" },
    }),
    r === 1 ? answerTotals(db, shape) : null,
    db.appraisal.groupBy({ by: ["unitId", "areaId"], where: { campaignId, round: r }, _count: { _all: true } }),
    r === 2
      ? db.$queryRawUnsafe<{ unitId: unknown; areaId: unknown; n: unknown }[]>(
          `SELECT e."unitId" AS "unitId", cr."areaId" AS "areaId", COUNT(*) AS n FROM "Explanation" e
             JOIN "Question" q ON q."id" = e."questionId" JOIN "Criterion" cr ON cr."id" = q."criterionId"
            WHERE e."campaignId" = ${int(campaignId)} GROUP BY e."unitId", cr."areaId"`,
        )
      : [],
    db.appraiser.findMany({
      where: { campaignId },
      select: {
        id: true,
        key: true,
        name: true,
        personId: true,
        assignments: { select: { unitId: true, areaId: true } },
      },
      orderBy: { key: "asc" },
    }),
    db.appraisal.groupBy({
      by: ["appraiserId", "unitId", "areaId"],
      where: { campaignId, round: r },
      _count: { _all: true },
    }),
  ]);
  // assigned[unit][area], done[unit][area]
  const cell = () => new Map<number, Map<number, number>>();
  const assigned = cell();
  const doneAt = cell();
  const put = (m: Map<number, Map<number, number>>, u: number, a: number, n: number) => {
    const row = m.get(u) ?? new Map<number, number>();
    row.set(a, (row.get(a) ?? 0) + n);
    m.set(u, row);
  };
  for (const u of units) {
    if (!totals) continue;
    const answers = totals.get(u.id);
    if (!answers) continue;
    const tally = tallyUnit(shape.plan, u.kind, answers);
    for (const [areaId, t] of tally.areas) if (t.answered) put(assigned, u.id, areaId, t.answered);
  }
  for (const e of explained) put(assigned, Number(e.unitId), Number(e.areaId), Number(e.n));
  for (const d of done) put(doneAt, d.unitId, d.areaId, d._count._all);
  const sum = (m: Map<number, number> | undefined, areas?: (a: number) => boolean) =>
    [...(m ?? new Map<number, number>())].reduce((s, [a, n]) => (areas && !areas(a) ? s : s + n), 0);
  const unitRows = units.map((u) => ({
    unitId: u.id,
    name: u.shortName,
    assigned: sum(assigned.get(u.id)),
    done: sum(doneAt.get(u.id)),
  }));
  const appraisers = roster.map((a): AppraiserProgress => {
    const everyUnitAreas = new Set(a.assignments.filter((s) => s.unitId === null).map((s) => s.areaId));
    const covers = (unitId: number, areaId: number) =>
      everyUnitAreas.has(null) ||
      everyUnitAreas.has(areaId) ||
      a.assignments.some((s) => s.unitId === unitId && (s.areaId === null || s.areaId === areaId));
    let inScope = 0;
    let doneInScope = 0;
    for (const u of units) {
      inScope += sum(assigned.get(u.id), (areaId) => covers(u.id, areaId));
      doneInScope += sum(doneAt.get(u.id), (areaId) => covers(u.id, areaId));
    }
    const byThem = mine
      .filter((m) => m.appraiserId === a.personId && covers(m.unitId, m.areaId))
      .reduce((s, m) => s + m._count._all, 0);
    return {
      appraiserId: a.id,
      key: a.key,
      name: a.name,
      personId: a.personId,
      assigned: inScope,
      done: doneInScope,
      byThem,
    };
  });
  return { round: r, units: unitRows, appraisers };
}

/** The scopes of a person as appraiser (for a screen saying what they appraise). */
export async function appraisalScopes(db: Db, acting: Omit<Acting, "now">) {
  const actor = await appraisalActor(db, acting.campaignId, acting.personId, acting.coordinatorIds);
  return actor ? { actor, scopes: await scopesOf(db, acting.campaignId, actor) } : null;
}
