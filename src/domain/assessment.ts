/**
 * The self-assessment (tự đánh giá, tự chấm điểm) of a unit: progress per reform area,
 * where to continue, saving answers with their history, evidence, explanations, review
 * and submission. Every write is checked against the campaign's deadline and the area's
 * submission, and audited. No Telegram in here.
 */
import type { Answer, Campaign, CursorMode, Db, Prisma, Question, ReformArea } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { transaction } from "../db/exactly-once.ts";
import { cached } from "../db/read-cache.ts";
import { NOT_APPLICABLE } from "./answers.ts";
import { audit } from "./audit.ts";
import {
  appliesToKind,
  gatherAnswers,
  makePlan,
  NO_TALLY,
  type Plan,
  type Tally,
  tallyUnit,
  type UnitKind,
} from "./progress.ts";
import { isPastDeadline } from "./time.ts";

type Tx = Prisma.TransactionClient;

export type AreaState = "NOT_STARTED" | "IN_PROGRESS" | "COMPLETE" | "SUBMITTED";

export interface AreaProgress extends Tally {
  area: ReformArea;
  submittedAt: Date | null;
  state: AreaState;
}

/** Where the unit works: one campaign, one unit (and its kind: which questions it is asked). */
export interface Scope {
  campaign: Campaign;
  unitId: number;
  unitKind: UnitKind;
}

/** Why a write was refused; the bot turns each into a message. */
export type Refusal =
  | { reason: "deadline"; deadline: Date }
  | { reason: "not_open"; opensAt: Date }
  | { reason: "submitted"; area: ReformArea; submittedAt: Date }
  | { reason: "stale"; answer: Answer | null }
  | { reason: "gone" };

export class AssessmentRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`self-assessment write refused: ${refusal.reason}`);
    this.name = "AssessmentRefused";
  }
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** A short token of an answer's state; buttons carry it so a stale press is noticed. */
export function answerStamp(answer: Pick<Answer, "updatedAt"> | null | undefined): string {
  return answer ? answer.updatedAt.getTime().toString(36) : "0";
}

/**
 * The self-assessment window: refuses before it opens and after the deadline. `now` is when
 * the person sent the message (src/bot/context.ts `sentAt`), not when it was handled.
 */
export function checkWindow(
  campaign: Pick<Campaign, "status" | "selfAssessmentOpensAt" | "selfAssessmentDeadline">,
  now: Date,
): Refusal | null {
  if (campaign.selfAssessmentDeadline && isPastDeadline(campaign.selfAssessmentDeadline, now)) {
    return { reason: "deadline", deadline: campaign.selfAssessmentDeadline };
  }
  if (campaign.selfAssessmentOpensAt && now < campaign.selfAssessmentOpensAt) {
    return { reason: "not_open", opensAt: campaign.selfAssessmentOpensAt };
  }
  if (campaign.status !== "SELF_ASSESSMENT")
    return { reason: "deadline", deadline: campaign.selfAssessmentDeadline ?? now };
  return null;
}

/** The one rule for an area's state, shared by officers' and coordinators' views. */
export function areaStateOf(submitted: boolean, answered: number, total: number): AreaState {
  if (submitted) return "SUBMITTED";
  if (answered === 0) return "NOT_STARTED";
  return answered >= total ? "COMPLETE" : "IN_PROGRESS";
}

/** The unit's progress in every area of its questionnaire, and overall (src/domain/progress.ts). */
export interface UnitProgress {
  areas: AreaProgress[];
  total: Tally;
}

export async function areaProgress(db: Db, scope: Scope): Promise<UnitProgress> {
  const questionnaireId = scope.campaign.questionnaireId;
  if (!questionnaireId) return { areas: [], total: NO_TALLY };
  const where = { campaignId: scope.campaign.id, unitId: scope.unitId };
  const [catalog, answers, submissions] = await Promise.all([
    catalogOf(db, questionnaireId),
    db.answer.findMany({ where, select: { questionId: true, value: true, selfScore: true } }),
    db.areaSubmission.findMany({ where }),
  ]);
  const tally = tallyUnit(catalog.plan, scope.unitKind, gatherAnswers(catalog.plan, answers));
  const areas = catalog.areas.map((area) => {
    const t = tally.areas.get(area.id)!;
    const submission = submissions.find((x) => x.areaId === area.id);
    const state = areaStateOf(Boolean(submission), t.answered, t.total);
    return { area, ...t, submittedAt: submission?.submittedAt ?? null, state };
  });
  return { areas, total: tally };
}

export type QuestionWithContext = Question & { criterion: { code: string; title: string; area: ReformArea } };

const withContext = { criterion: { select: { code: true, title: true, area: true } } } as const;

/** The questions a unit of one kind is asked, per area, in questionnaire order. */
export interface AskedQuestions {
  byId: Map<number, QuestionWithContext>;
  /** Each area's questions in questionnaire order. */
  byArea: Map<number, QuestionWithContext[]>;
  /** 1-based position of each question within its area. */
  indexOf: Map<number, number>;
  /** Ids of the questionnaire's questions this kind is not asked. */
  notAsked: number[];
}

/**
 * A questionnaire's questions in order, per area, read once and kept for a minute
 * (src/db/read-cache.ts): showing a question needs its text, area and position, and these
 * change only when a new plan is imported.
 */
export interface Catalog {
  /** The areas, in order. */
  areas: ReformArea[];
  /** Every question, whoever is asked it. */
  all: QuestionWithContext[];
  /** The questionnaire as the tally reads it. */
  plan: Plan;
  /** What each unit kind is asked (filled on first use). */
  kinds: Map<UnitKind, AskedQuestions>;
}

const CATALOG_TTL_MS = 60_000;

export function catalogOf(db: Db, questionnaireId: number): Promise<Catalog> {
  return cached(db, `catalog:${questionnaireId}`, CATALOG_TTL_MS, async () => {
    const [areas, all] = await Promise.all([
      db.reformArea.findMany({ where: { questionnaireId }, orderBy: { order: "asc" } }),
      db.question.findMany({ where: { questionnaireId }, orderBy: { order: "asc" }, include: withContext }),
    ]);
    const plan = makePlan(
      areas.map((a) => a.id),
      all.map((q) => ({ ...q, areaId: q.criterion.area.id })),
    );
    return { areas, all, plan, kinds: new Map() };
  });
}

/** The questions of the catalog a unit of `kind` is asked. */
export function askedOf(catalog: Catalog, kind: UnitKind): AskedQuestions {
  let asked = catalog.kinds.get(kind);
  if (!asked) {
    asked = { byId: new Map(), byArea: new Map(), indexOf: new Map(), notAsked: [] };
    for (const q of catalog.all) {
      if (!appliesToKind(q, kind)) {
        asked.notAsked.push(q.id);
        continue;
      }
      const area = asked.byArea.get(q.criterion.area.id) ?? [];
      if (area.length === 0) asked.byArea.set(q.criterion.area.id, area);
      area.push(q);
      asked.byId.set(q.id, q);
      asked.indexOf.set(q.id, area.length);
    }
    catalog.kinds.set(kind, asked);
  }
  return asked;
}

async function askedIn(db: Db, scope: Scope): Promise<AskedQuestions | null> {
  const questionnaireId = scope.campaign.questionnaireId;
  return questionnaireId ? askedOf(await catalogOf(db, questionnaireId), scope.unitKind) : null;
}

/** "Question 3 of 12" within its area, counting the questions the unit is asked. */
export async function positionOf(db: Db, scope: Scope, question: QuestionWithContext) {
  const asked = await askedIn(db, scope);
  return {
    index: asked?.indexOf.get(question.id) ?? 1,
    total: asked?.byArea.get(question.criterion.area.id)?.length ?? 1,
  };
}

/**
 * A question of the campaign's questionnaire that the unit is asked, or null (unknown id,
 * another version's, or one for other unit kinds: a forged or old button finds nothing).
 */
export async function findQuestion(db: Db, scope: Scope, questionId: number): Promise<QuestionWithContext | null> {
  return (await askedIn(db, scope))?.byId.get(questionId) ?? null;
}

/**
 * The first unanswered question of an area at or after `fromOrder` (questionnaire order),
 * wrapping round to the area's start; null when every question is answered. One indexed
 * query, whatever the position: answering question 300 costs what question 5 does.
 */
export async function nextUnanswered(
  db: Db,
  scope: Scope,
  areaId: number,
  fromOrder = 0,
  reader: Reader = db,
): Promise<QuestionWithContext | null> {
  const questionnaireId = scope.campaign.questionnaireId;
  const asked = await askedIn(db, scope);
  if (!questionnaireId || !asked) return null;
  const first = async (from: number) => {
    // Questions the unit is not asked may come first: one more row than there are of them
    // holds the first it is asked, if any.
    const rows = await reader.$queryRaw<{ id: number }[]>`
      SELECT q."id" FROM "Question" q
      JOIN "Criterion" c ON c."id" = q."criterionId"
      WHERE q."questionnaireId" = ${questionnaireId} AND c."areaId" = ${areaId} AND q."order" >= ${from}
        AND NOT EXISTS (
          SELECT 1 FROM "Answer" a
          WHERE a."campaignId" = ${scope.campaign.id} AND a."unitId" = ${scope.unitId} AND a."questionId" = q."id")
      ORDER BY q."order"
      LIMIT ${asked.notAsked.length + 1}`;
    return rows.find((r) => asked.byId.has(r.id))?.id;
  };
  const id = (await first(fromOrder)) ?? (fromOrder > 0 ? await first(0) : undefined);
  return id === undefined ? null : (asked.byId.get(id) ?? null);
}

/** The question the unit is asked just before or after `question` in its area (for back / skip). */
export async function neighbour(
  db: Db,
  scope: Scope,
  question: QuestionWithContext,
  direction: "previous" | "next",
): Promise<QuestionWithContext | null> {
  const asked = await askedIn(db, scope);
  const area = asked?.byArea.get(question.criterion.area.id) ?? [];
  const index = asked?.indexOf.get(question.id) ?? 0; // 1-based
  return area[direction === "next" ? index : index - 2] ?? null;
}

export interface AnswerState {
  answer: Answer | null;
  evidenceCount: number;
  /** When the unit submitted the question's area (then it is locked), or null. */
  submittedAt: Date | null;
}

/**
 * The statements on the path of every answer are raw SQL: each Prisma ORM operation costs
 * ~0.5-1 ms of CPU here (its Wasm query compiler runs for every call), a raw statement a
 * third of that (bench/RESULTS.md). Prisma returns raw rows typed as its models' on both
 * databases (dates as Date, numbers as number); test/self-assessment.test.ts reads them back
 * through the ORM.
 */
type Reader = Pick<Prisma.TransactionClient, "$queryRaw">;

/** The unit's answer to one question, or null. */
async function answerOf(db: Reader, scope: Scope, questionId: number): Promise<Answer | null> {
  const rows = await db.$queryRaw<Answer[]>`
    SELECT * FROM "Answer"
    WHERE "campaignId" = ${scope.campaign.id} AND "unitId" = ${scope.unitId} AND "questionId" = ${questionId}`;
  return rows[0] ?? null;
}

/**
 * The unit's answer to one question, locked until the transaction ends: an update that
 * changes nothing takes the row lock on PostgreSQL (a second officer's save waits here and
 * then reads what the first one wrote), works the same on SQLite (whose IMMEDIATE
 * transactions already run one at a time), and returns the row as it is.
 */
async function lockedAnswerOf(tx: Reader, scope: Scope, questionId: number): Promise<Answer | null> {
  const rows = await tx.$queryRaw<Answer[]>`
    UPDATE "Answer" SET "value" = "value"
    WHERE "campaignId" = ${scope.campaign.id} AND "unitId" = ${scope.unitId} AND "questionId" = ${questionId}
    RETURNING *`;
  return rows[0] ?? null;
}

/** When the unit submitted (and so locked) an area, or null. */
async function submittedAtOf(db: Reader, scope: Scope, areaId: number): Promise<Date | null> {
  const rows = await db.$queryRaw<{ submittedAt: Date }[]>`
    SELECT "submittedAt" FROM "AreaSubmission"
    WHERE "campaignId" = ${scope.campaign.id} AND "unitId" = ${scope.unitId} AND "areaId" = ${areaId}`;
  return rows[0]?.submittedAt ?? null;
}

/** Everything a question's screen shows about the unit: answer, evidence count, submission. */
export async function answerState(db: Db, scope: Scope, question: QuestionWithContext): Promise<AnswerState> {
  const [answer, evidenceCount, submittedAt] = await Promise.all([
    answerOf(db, scope, question.id),
    countEvidence(db, scope, question.id),
    submittedAtOf(db, scope, question.criterion.area.id),
  ]);
  return { answer, evidenceCount, submittedAt };
}

/** Evidence files the unit has (not removed) for one question. */
export async function countEvidence(db: Reader, scope: Scope, questionId: number): Promise<number> {
  // count(*) is a bigint on PostgreSQL, a number on SQLite.
  const rows = await db.$queryRaw<{ n: number | bigint }[]>`
    SELECT count(*) AS "n" FROM "Evidence"
    WHERE "campaignId" = ${scope.campaign.id} AND "unitId" = ${scope.unitId} AND "questionId" = ${questionId}
      AND "removedAt" IS NULL`;
  return Number(rows[0]?.n ?? 0);
}

/** Whether the unit has submitted (and so locked) an area. */
export async function isAreaSubmitted(db: Db, scope: Scope, areaId: number): Promise<boolean> {
  return (await submittedAtOf(db, scope, areaId)) !== null;
}

/**
 * Refuses a write outside the self-assessment window, reading the campaign's dates in the
 * write's transaction: the campaign the bot holds in memory may be seconds old, and a
 * deadline moved by a coordinator must hold at once.
 */
async function assertWindowOpen(tx: Reader, scope: Scope, sentAt: Date) {
  const [campaign] = await tx.$queryRaw<Campaign[]>`
    SELECT "status", "selfAssessmentOpensAt", "selfAssessmentDeadline" FROM "Campaign" WHERE "id" = ${scope.campaign.id}`;
  const refusal = campaign ? checkWindow(campaign, sentAt) : { reason: "gone" as const };
  if (refusal) throw new AssessmentRefused(refusal);
}

async function assertAreaOpen(tx: Tx, scope: Scope, area: ReformArea) {
  const submittedAt = await submittedAtOf(tx, scope, area.id);
  if (submittedAt) throw new AssessmentRefused({ reason: "submitted", area, submittedAt });
}

export interface AnswerChange {
  value?: string;
  selfScore?: number | null;
  explanation?: string | null;
  note?: string | null;
}

/**
 * Where the officer goes after a write, decided in the write's transaction and stored there
 * as their cursor: what the question still needs (a self-score, evidence), else the area's
 * next unanswered question, else the area's review.
 */
export type NextStep =
  | { kind: "score" }
  | { kind: "evidence" }
  | { kind: "question"; question: QuestionWithContext }
  | { kind: "review" };

export interface SaveOptions {
  now: Date;
  expectedStamp?: string;
  /**
   * Move the officer on in the same transaction: "needs" asks for what the question still
   * needs first, "next" goes straight to the next question (after an explanation). Without
   * it the cursor stays where it is.
   */
  advance?: "needs" | "next";
  /** What the officer was typing (a self-score): remembered when they move on, see Cursor.left. */
  via?: CursorMode;
}

/**
 * Writes an answer (creating it, or changing it and keeping the old state as a revision),
 * audited, in one transaction. With `expectedStamp`, a change made meanwhile by someone
 * else is refused as stale instead of overwritten. With `advance`, the officer's cursor
 * moves in the same transaction, so a crash can never keep the answer and lose the move
 * (their next typed text would then land on the question just answered).
 */
export async function saveAnswer(
  db: Db,
  scope: Scope,
  question: QuestionWithContext,
  change: AnswerChange,
  personId: number,
  options: SaveOptions,
): Promise<{ answer: Answer; next: NextStep | null }> {
  const key = { campaignId: scope.campaign.id, unitId: scope.unitId, questionId: question.id };
  const write = () =>
    transaction(db, async (tx) => {
      await assertWindowOpen(tx, scope, options.now);
      await assertAreaOpen(tx, scope, question.criterion.area);
      const before = await lockedAnswerOf(tx, scope, question.id);
      if (options.expectedStamp !== undefined && options.expectedStamp !== answerStamp(before)) {
        throw new AssessmentRefused({ reason: "stale", answer: before });
      }
      const now = new Date();
      let after: Answer | undefined;
      if (!before) {
        if (change.value === undefined) throw new AssessmentRefused({ reason: "gone" });
        [after] = await tx.$queryRaw<Answer[]>`
          INSERT INTO "Answer" ("campaignId", "unitId", "questionId", "value", "selfScore", "explanation", "note",
                                "answeredById", "createdAt", "updatedAt")
          VALUES (${key.campaignId}, ${key.unitId}, ${key.questionId}, ${change.value}, ${change.selfScore ?? null},
                  ${change.explanation ?? null}, ${change.note ?? null}, ${personId}, ${now}, ${now})
          ON CONFLICT DO NOTHING
          RETURNING *`;
      } else {
        // The old state, kept as a revision.
        await tx.$executeRaw`
          INSERT INTO "AnswerRevision" ("answerId", "value", "selfScore", "note", "explanation", "changedById", "changedAt")
          VALUES (${before.id}, ${before.value}, ${before.selfScore}, ${before.note}, ${before.explanation},
                  ${before.answeredById}, ${before.updatedAt})`;
        // What the change leaves out (or passes as undefined) stays as it was.
        const given = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
        const next = { ...pick(before), ...given } as ReturnType<typeof pick>;
        // The row is locked since it was read; the condition only guards that.
        [after] = await tx.$queryRaw<Answer[]>`
          UPDATE "Answer"
          SET "value" = ${next.value}, "selfScore" = ${next.selfScore}, "explanation" = ${next.explanation},
              "note" = ${next.note}, "answeredById" = ${personId}, "updatedAt" = ${now}
          WHERE "id" = ${before.id} AND "updatedAt" = ${before.updatedAt}
          RETURNING *`;
      }
      if (!after) throw new WriteRace();
      await audit(tx, {
        actorId: personId,
        action: before ? "answer.update" : "answer.create",
        entity: "Answer",
        entityId: after.id,
        before: before && pick(before),
        after: { question: question.code, unitId: scope.unitId, ...pick(after) },
      });
      if (!options.advance) return { answer: after, next: null };
      const next = await stepAfter(db, tx, scope, question, after, options.advance);
      await moveCursor(tx, personId, scope, question, next, options.via);
      return { answer: after, next };
    });
  // Officers answering the same question at the same instant: one creates (or changes)
  // the row; another's write, tried again on what is there now, becomes a change of it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      if (attempt >= WRITE_ATTEMPTS || !(e instanceof WriteRace)) throw e;
    }
  }
}

/**
 * The one rule for whether an answer still lacks evidence: its question asks for some, the
 * answer earned points (evidence proves them: a "Không" worth 0 has nothing to prove; a
 * self-score not typed yet may be worth some), and neither a file, an explanation (giải
 * trình) nor N/A excuses it.
 */
export function needsEvidence(
  question: Pick<Question, "evidenceRequired">,
  answer: Pick<Answer, "value" | "selfScore" | "explanation">,
  evidenceCount: number,
) {
  return (
    question.evidenceRequired &&
    answer.selfScore !== 0 &&
    evidenceCount === 0 &&
    !answer.explanation &&
    answer.value !== NOT_APPLICABLE
  );
}

async function stepAfter(
  db: Db,
  tx: Tx,
  scope: Scope,
  question: QuestionWithContext,
  answer: Answer,
  advance: "needs" | "next",
): Promise<NextStep> {
  if (advance === "needs") {
    // A team-scored item is scored in appraisal: the unit answers it without a self-score.
    if (answer.selfScore === null && !question.teamScored) return { kind: "score" };
    if (needsEvidence(question, answer, await countEvidence(tx, scope, question.id))) return { kind: "evidence" };
  }
  const next = await nextUnanswered(db, scope, question.criterion.area.id, question.order + 1, tx);
  return next ? { kind: "question", question: next } : { kind: "review" };
}

const MODE_OF: Record<NextStep["kind"], CursorMode | null> = {
  score: "SCORE",
  evidence: "EVIDENCE",
  question: "ANSWER",
  review: null,
};

async function moveCursor(
  tx: Tx,
  personId: number,
  scope: Scope,
  from: QuestionWithContext,
  next: NextStep,
  via?: CursorMode,
) {
  const mode = MODE_OF[next.kind];
  if (!mode) return clearCursor(tx, personId);
  if (next.kind !== "question") return setCursor(tx, personId, scope, from.id, mode);
  // Left a question by typing its self-score: a number typed next may correct that score.
  const left = via === "SCORE" ? { questionId: from.id, mode: via } : undefined;
  return setCursor(tx, personId, scope, next.question.id, mode, left);
}

/** A create that met another officer's create is tried again, then as a locked change. */
const WRITE_ATTEMPTS = 3;

/** Another transaction wrote the same answer between our read and our write. */
class WriteRace extends Error {
  constructor() {
    super("the answer changed while it was being saved");
    this.name = "WriteRace";
  }
}

function pick(a: Answer) {
  return { value: a.value, selfScore: a.selfScore, explanation: a.explanation, note: a.note };
}

// ---------------------------------------------------------------- evidence

export interface EvidenceFile {
  /** Telegram's ids, for a file sent through Telegram. */
  fileId?: string | null;
  fileUniqueId?: string | null;
  fileName: string | null;
  mimeType: string | null;
  size: number | null;
  /** The province's copy (src/storage/): its key and sha256. */
  storageKey?: string | null;
  sha256?: string | null;
  note?: string | null;
  source?: string;
}

/**
 * Adds a file to a question's evidence. The same file sent twice for one question is kept
 * once: the same bytes (sha256) when the copy is known, else Telegram's unique file id.
 */
export async function addEvidence(
  db: Db,
  scope: Scope,
  question: QuestionWithContext,
  file: EvidenceFile,
  personId: number,
  now: Date,
) {
  return transaction(db, async (tx) => {
    await assertWindowOpen(tx, scope, now);
    await assertAreaOpen(tx, scope, question.criterion.area);
    const key = { campaignId: scope.campaign.id, unitId: scope.unitId, questionId: question.id };
    const same = file.sha256 ? { sha256: file.sha256 } : file.fileUniqueId ? { fileUniqueId: file.fileUniqueId } : null;
    const existing = same && (await tx.evidence.findFirst({ where: { ...key, ...same, removedAt: null } }));
    if (existing) return { evidence: existing, duplicate: true };
    const evidence = await tx.evidence.create({ data: { ...key, ...file, kind: "FILE", uploadedById: personId } });
    await audit(tx, {
      actorId: personId,
      action: "evidence.add",
      entity: "Evidence",
      entityId: evidence.id,
      after: {
        question: question.code,
        unitId: scope.unitId,
        fileName: file.fileName,
        size: file.size,
        sha256: file.sha256 ?? null,
        source: file.source ?? "telegram",
      },
    });
    return { evidence, duplicate: false };
  });
}

/** A link typed as evidence (a news page, a portal page): kept once per question. */
export async function addLinkEvidence(
  db: Db,
  scope: Scope,
  question: QuestionWithContext,
  link: { url: string; note: string | null; source: string },
  personId: number,
  now: Date,
) {
  return transaction(db, async (tx) => {
    await assertWindowOpen(tx, scope, now);
    await assertAreaOpen(tx, scope, question.criterion.area);
    const key = { campaignId: scope.campaign.id, unitId: scope.unitId, questionId: question.id };
    const existing = await tx.evidence.findFirst({ where: { ...key, kind: "LINK", url: link.url, removedAt: null } });
    if (existing) return { evidence: existing, duplicate: true };
    const evidence = await tx.evidence.create({
      data: { ...key, kind: "LINK", url: link.url, note: link.note, source: link.source, uploadedById: personId },
    });
    await audit(tx, {
      actorId: personId,
      action: "evidence.add",
      entity: "Evidence",
      entityId: evidence.id,
      after: { question: question.code, unitId: scope.unitId, url: link.url },
    });
    return { evidence, duplicate: false };
  });
}

export function listEvidence(db: Db, scope: Scope, questionId: number) {
  return db.evidence.findMany({
    where: { campaignId: scope.campaign.id, unitId: scope.unitId, questionId, removedAt: null },
    orderBy: { id: "asc" },
  });
}

/** Removes (keeps, marked removed) one evidence file of the unit; null if not theirs or gone. */
export async function removeEvidence(db: Db, scope: Scope, evidenceId: number, personId: number, now: Date) {
  return transaction(db, async (tx) => {
    await assertWindowOpen(tx, scope, now);
    const evidence = await tx.evidence.findUnique({
      where: { id: evidenceId },
      include: { question: { include: withContext } },
    });
    if (
      !evidence ||
      evidence.removedAt ||
      evidence.campaignId !== scope.campaign.id ||
      evidence.unitId !== scope.unitId ||
      // A visit's self-inspection report is not a question's evidence (src/domain/visits.ts).
      !evidence.question
    ) {
      return null;
    }
    await assertAreaOpen(tx, scope, evidence.question.criterion.area);
    const removed = await tx.evidence.update({ where: { id: evidenceId }, data: { removedAt: now } });
    await audit(tx, {
      actorId: personId,
      action: "evidence.remove",
      entity: "Evidence",
      entityId: evidenceId,
      before: { question: evidence.question.code, fileName: evidence.fileName },
    });
    return { evidence: removed, question: evidence.question };
  });
}

// ---------------------------------------------------------------- review and submission

export type Missing = { code: string; what: "answer" | "evidence" | "score" };

export interface ReviewItem {
  question: Question;
  answer: Answer | null;
  evidenceCount: number;
}

export async function reviewArea(db: Db, scope: Scope, areaId: number) {
  const key = { campaignId: scope.campaign.id, unitId: scope.unitId };
  const questionnaireId = scope.campaign.questionnaireId ?? -1;
  const catalog = await catalogOf(db, questionnaireId);
  const questions: Question[] = askedOf(catalog, scope.unitKind).byArea.get(areaId) ?? [];
  const ids = questions.map((q) => q.id);
  const [answers, evidence, submission] = await Promise.all([
    db.answer.findMany({ where: { ...key, questionId: { in: ids } } }),
    db.evidence.groupBy({
      by: ["questionId"],
      where: { ...key, questionId: { in: ids }, removedAt: null },
      _count: true,
    }),
    db.areaSubmission.findUnique({ where: { campaignId_unitId_areaId: { ...key, areaId } } }),
  ]);
  const items: ReviewItem[] = questions.map((question) => ({
    question,
    answer: answers.find((a) => a.questionId === question.id) ?? null,
    evidenceCount: evidence.find((e) => e.questionId === question.id)?._count ?? 0,
  }));
  const tally = tallyUnit(catalog.plan, scope.unitKind, gatherAnswers(catalog.plan, answers));
  return { items, missing: missingOf(items), submission, total: tally.areas.get(areaId) ?? NO_TALLY };
}

/** What stops an area from being submitted, question by question. */
export function missingOf(items: ReviewItem[]): Missing[] {
  const missing: Missing[] = [];
  for (const { question, answer, evidenceCount } of items) {
    if (!answer) {
      if (question.required) missing.push({ code: question.code, what: "answer" });
      continue;
    }
    if (answer.selfScore === null && !question.teamScored) missing.push({ code: question.code, what: "score" });
    if (needsEvidence(question, answer, evidenceCount)) {
      missing.push({ code: question.code, what: "evidence" });
    }
  }
  return missing;
}

/** A submission's total: the area's self-score out of the unit's maximum there. */
export type SubmitResult = { ok: true; total: Tally } | { ok: false; missing: Missing[] };

export async function submitArea(
  db: Db,
  scope: Scope,
  area: ReformArea,
  personId: number,
  now: Date,
): Promise<SubmitResult> {
  const refusal = checkWindow(scope.campaign, now);
  if (refusal) throw new AssessmentRefused(refusal);
  const { missing, submission, total } = await reviewArea(db, scope, area.id);
  if (submission) throw new AssessmentRefused({ reason: "submitted", area, submittedAt: submission.submittedAt });
  if (missing.length > 0) return { ok: false, missing };
  const score = total.score;
  try {
    await transaction(db, async (tx) => {
      await assertWindowOpen(tx, scope, now);
      const row = await tx.areaSubmission.create({
        data: {
          campaignId: scope.campaign.id,
          unitId: scope.unitId,
          areaId: area.id,
          submittedById: personId,
          selfScore: score,
          submittedAt: now,
        },
      });
      await audit(tx, {
        actorId: personId,
        action: "area.submit",
        entity: "AreaSubmission",
        entityId: row.id,
        after: { area: area.code, unitId: scope.unitId, score, max: total.max },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AssessmentRefused({ reason: "submitted", area, submittedAt: now });
    throw e;
  }
  return { ok: true, total };
}

// ---------------------------------------------------------------- cursor

/**
 * Where an officer's typed text goes: the question (and what it still needs) they were
 * last shown, and when it was shown. Stored on every step, and read from the database on
 * every message: with several bot instances a cursor kept in memory filed answers under
 * the wrong question.
 */
export interface Cursor {
  campaignId: number;
  unitId: number;
  questionId: number;
  mode: CursorMode;
  /** When the question was shown (wall-clock time): text sent before it was meant for another. */
  updatedAt: Date;
  /** The question just left by typing a self-score, while the officer may still correct it. */
  leftQuestionId: number | null;
  leftMode: CursorMode | null;
}

type Writer = Pick<Prisma.TransactionClient, "$executeRaw">;

export async function setCursor(
  db: Writer,
  personId: number,
  scope: Scope,
  questionId: number,
  mode: CursorMode = "ANSWER",
  left?: { questionId: number; mode: CursorMode },
) {
  // One raw upsert: it runs after nearly every step, and Prisma's upsert costs three raw
  // statements' worth of CPU here (bench/RESULTS.md).
  await db.$executeRaw`
    INSERT INTO "AssessmentCursor"
      ("personId", "campaignId", "unitId", "questionId", "mode", "updatedAt", "leftQuestionId", "leftMode")
    VALUES (${personId}, ${scope.campaign.id}, ${scope.unitId}, ${questionId}, ${mode}, ${new Date()},
            ${left?.questionId ?? null}, ${left?.mode ?? null})
    ON CONFLICT ("personId") DO UPDATE SET
      "campaignId" = excluded."campaignId", "unitId" = excluded."unitId",
      "questionId" = excluded."questionId", "mode" = excluded."mode", "updatedAt" = excluded."updatedAt",
      "leftQuestionId" = excluded."leftQuestionId", "leftMode" = excluded."leftMode"`;
}

export async function clearCursor(db: Writer, personId: number) {
  await db.$executeRaw`DELETE FROM "AssessmentCursor" WHERE "personId" = ${personId}`;
}

export async function getCursor(db: Db, personId: number, scope: Scope): Promise<Cursor | null> {
  const [cursor] = await db.$queryRaw<Cursor[]>`
    SELECT "campaignId", "unitId", "questionId", "mode", "updatedAt", "leftQuestionId", "leftMode"
    FROM "AssessmentCursor" WHERE "personId" = ${personId}`;
  if (!cursor || cursor.campaignId !== scope.campaign.id || cursor.unitId !== scope.unitId) return null;
  return cursor;
}

/**
 * Whether a message sent at `sentAt` (Telegram's date, whole seconds) was sent before the
 * question under the cursor was shown: then the person had not seen that question and the
 * text was meant for an earlier one (a delayed delivery, or a correction typed as the bot
 * moved on). One second for the rounding of the date and one for clocks that disagree.
 */
export function sentBeforeShown(sentAt: Date, cursor: Pick<Cursor, "updatedAt">): boolean {
  return sentAt.getTime() + 2_000 <= cursor.updatedAt.getTime();
}

/** How long after moving on a typed number may still be a correction of the score just left. */
export const CORRECTION_WINDOW_MS = 60_000;

/**
 * The question whose self-score the officer may be correcting with text sent at `sentAt`:
 * they typed that score, the bot moved on less than a minute before, and they have not
 * answered the new question yet. Null otherwise.
 */
export function scoreJustLeft(cursor: Cursor, sentAt: Date): number | null {
  if (cursor.mode !== "ANSWER" || cursor.leftMode !== "SCORE" || cursor.leftQuestionId === null) return null;
  return sentAt.getTime() - cursor.updatedAt.getTime() < CORRECTION_WINDOW_MS ? cursor.leftQuestionId : null;
}
