/**
 * What coordinators ask about a campaign: progress at a glance, late units, one unit in
 * detail, the ranking by self-score, reminders and reopening a submitted area. No
 * Telegram in here.
 *
 * Built to stay fast for a whole province (10,000 units × 100 questions): aggregates run
 * in the database and return one row per area or per unit; the details (officers, last
 * activity, evidence) are read only for the units on the page being shown. Questions are
 * mapped to their area with a CASE over the questionnaire's question ids, so the big
 * Answer table is never joined to Question/Criterion.
 */
import type { Campaign, Db, Unit } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { groupFor, type RankGroupSpec } from "./appraisal-rules.ts";
import type { AreaState } from "./assessment.ts";
import { areaStateOf, needsEvidence, round2 } from "./assessment.ts";
import { audit } from "./audit.ts";
import { enqueueNotices, type NoticeInput, noticesEnqueued } from "./notices.ts";
import {
  appliesToKind,
  gatherAnswers,
  makePlan,
  type Plan,
  type Tally,
  tallyUnit,
  type UnitAnswers,
  type UnitKind,
  type UnitTally,
} from "./progress.ts";

// ---------------------------------------------------------------- ranking groups

/** The province's grouping by percent of the maximum score (highest first). */
export const RANK_GROUPS = [
  { group: "A", min: 90 },
  { group: "B", min: 80 },
  { group: "C", min: 65 },
  { group: "D", min: 0 },
] as const;
export type RankGroup = (typeof RANK_GROUPS)[number]["group"];

/** The same groups as ranking groups of a campaign that names none (src/domain/ranking.ts). */
export const DEFAULT_RANK_GROUPS: readonly RankGroupSpec[] = RANK_GROUPS.map((g) => ({ code: g.group, min: g.min }));

export function groupOf(percent: number): RankGroup {
  return groupFor(DEFAULT_RANK_GROUPS, percent).code as RankGroup;
}

// ---------------------------------------------------------------- the questionnaire's shape

export interface AreaInfo {
  id: number;
  code: string;
  title: string;
  /** The questionnaire's maximum; a unit's own is in its tally (src/domain/progress.ts). */
  maxPoints: number;
  order: number;
  /** Questions of the area, whoever is asked them. */
  total: number;
  questionIds: number[];
}

export interface CampaignShape {
  campaign: Campaign;
  areas: AreaInfo[];
  totalQuestions: number;
  maxPoints: number;
  areaOfQuestion: Map<number, number>;
  /** Questions that need evidence (or an explanation of why there is none). */
  evidenceRequired: Set<number>;
  /** The questionnaire as the one tally of a unit reads it. */
  plan: Plan;
}

export async function campaignShape(db: Db, campaign: Campaign): Promise<CampaignShape> {
  const questionnaireId = campaign.questionnaireId ?? -1;
  const [areas, questions] = await Promise.all([
    db.reformArea.findMany({ where: { questionnaireId }, orderBy: { order: "asc" } }),
    db.question.findMany({
      where: { questionnaireId },
      select: {
        id: true,
        maxPoints: true,
        evidenceRequired: true,
        notApplicable: true,
        appliesTo: true,
        criterion: { select: { areaId: true } },
      },
      orderBy: { id: "asc" },
    }),
  ]);
  const infos: AreaInfo[] = areas.map((a) => ({
    id: a.id,
    code: a.code,
    title: a.title,
    maxPoints: a.maxPoints,
    order: a.order,
    total: 0,
    questionIds: [],
  }));
  const byId = new Map(infos.map((a) => [a.id, a]));
  const areaOfQuestion = new Map<number, number>();
  for (const q of questions) {
    const area = byId.get(q.criterion.areaId);
    if (!area) continue;
    area.total++;
    area.questionIds.push(q.id);
    areaOfQuestion.set(q.id, area.id);
  }
  return {
    campaign,
    areas: infos,
    totalQuestions: questions.length,
    maxPoints: round2(infos.reduce((s, a) => s + a.maxPoints, 0)),
    areaOfQuestion,
    evidenceRequired: new Set(questions.filter((q) => q.evidenceRequired).map((q) => q.id)),
    plan: makePlan(
      infos.map((a) => a.id),
      questions.map((q) => ({ ...q, areaId: q.criterion.areaId })),
    ),
  };
}

/** The kind of every unit of the campaign (which questions it is asked). */
async function unitKinds(db: Db, campaignId: number): Promise<Map<number, UnitKind>> {
  const rows = await db.campaignUnit.findMany({
    where: { campaignId },
    select: { unitId: true, unit: { select: { kind: true } } },
  });
  return new Map(rows.map((r) => [r.unitId, r.unit.kind]));
}

const NO_ANSWERS: UnitAnswers = { sums: new Map(), special: new Map() };

/** "3. Cải cách thủ tục hành chính" */
export const areaLabel = (area: Pick<AreaInfo, "code" | "title">) => `${area.code}. ${area.title}`;

/** An area by what people type: its code ("3"), or null. */
export function findArea(shape: CampaignShape, code: string): AreaInfo | null {
  const c = code.trim().replace(/\.$/, "");
  return shape.areas.find((a) => a.code === c) ?? null;
}

// ---------------------------------------------------------------- raw SQL helpers

function int(n: number): number {
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer id: ${n}`);
  return n;
}

/**
 * A SQL condition "this answer's question is in `ids`", as ranges: question ids of an area
 * are usually consecutive, so `"questionId" BETWEEN 101 AND 110` (cheap to evaluate on
 * every row of a big scan) rather than a long IN list.
 */
export function idCondition(ids: number[], column = `"questionId"`): string {
  if (ids.length === 0) return "1 = 0";
  const sorted = [...new Set(ids.map(int))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = sorted[0]!;
  let to = from;
  const flush = () => parts.push(from === to ? `${column} = ${from}` : `${column} BETWEEN ${from} AND ${to}`);
  for (const id of sorted.slice(1)) {
    if (id === to + 1) to = id;
    else {
      flush();
      from = to = id;
    }
  }
  flush();
  return parts.length === 1 ? parts[0]! : `(${parts.join(" OR ")})`;
}

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

// ---------------------------------------------------------------- answer totals, kept up to date

/**
 * Every unit's answers as the tally reads them (src/domain/progress.ts): what /tiendo and
 * /diem aggregate. Reading it means a scan of every answer of the campaign (a million rows
 * for a province), so it is kept per database and campaign and brought up to date from the
 * audit log: every answer write is audited in its own transaction with its unit, so the
 * entries after the last one seen name the units to read again (one indexed query for those
 * units only). Many changes, an entry without a unit, or MAX_AGE_MS since the last full
 * read: read it all.
 */
interface Snapshot {
  mark: number;
  fullAt: number;
  units: Map<number, UnitAnswers>;
}

const MAX_AGE_MS = 10 * 60_000;
const MAX_INCREMENTAL = 500;
const RECHECK = 50;
const snapshots = new WeakMap<Db, Map<string, Snapshot>>();

/** The shape's questions and how the tally splits them: a changed questionnaire is a new snapshot. */
const shapeKey = (shape: CampaignShape) =>
  `${shape.campaign.id}:${shape.areas.map((a) => `${a.id}=${a.questionIds.join(",")}`).join(";")}:${shape.plan.specialIds.join(",")}`;

/**
 * Where the tally's scores come from: the answers' self-scores, or (appraisal, see
 * src/domain/ranking.ts) each answer's final score from the appraisal rounds joined to it.
 * `from` names the answer table `a`; `score` is the SQL of an answer's score.
 */
export interface ScoreSource {
  from: string;
  score: string;
  /**
   * The audit log's entities whose entries name the units whose scores changed (every write
   * of these is audited in its transaction with its unit): the totals are kept and brought
   * up to date from them (keptTotals).
   */
  changedBy: readonly string[];
}

export const SELF_SCORES: ScoreSource = { from: `"Answer" a`, score: `a."selfScore"`, changedBy: ["Answer"] };

/**
 * One row per unit: per area, the count and sum of the answers to its ordinary questions,
 * and each special question's answer (value and score) in two columns of its own.
 */
export async function readTotals(
  db: Db,
  shape: CampaignShape,
  unitIds?: number[],
  source: ScoreSource = SELF_SCORES,
): Promise<Map<number, UnitAnswers>> {
  const { plan } = shape;
  const columns = [
    ...shape.areas.map((a, i) => {
      const c = idCondition(plan.ordinaryIds.get(a.id) ?? [], `a."questionId"`);
      return `SUM(CASE WHEN ${c} THEN 1 ELSE 0 END) AS n${i}, SUM(CASE WHEN ${c} THEN ${source.score} ELSE 0 END) AS s${i}`;
    }),
    ...plan.specialIds.map((id, j) => {
      const c = `a."questionId" = ${int(id)}`;
      return `MAX(CASE WHEN ${c} THEN a."value" END) AS v${j}, MAX(CASE WHEN ${c} THEN ${source.score} END) AS p${j}`;
    }),
  ].join(", ");
  const only = unitIds ? ` AND a."unitId" IN (${unitIds.map(int).join(",")})` : "";
  const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(
    `SELECT a."unitId" AS "unitId"${columns ? `, ${columns}` : ""} FROM ${source.from}
      WHERE a."campaignId" = ${int(shape.campaign.id)}${only} GROUP BY a."unitId"`,
  );
  const totals = new Map<number, UnitAnswers>();
  for (const r of rows) {
    const answers: UnitAnswers = {
      sums: new Map(shape.areas.map((a, i) => [a.id, { answered: num(r[`n${i}`]), score: num(r[`s${i}`]) }])),
      special: new Map(),
    };
    plan.specialIds.forEach((id, j) => {
      const value = r[`v${j}`];
      const score = r[`p${j}`];
      if (value !== null && value !== undefined) {
        answers.special.set(id, {
          value: String(value),
          selfScore: score === null || score === undefined ? null : Number(score),
        });
      }
    });
    totals.set(num(r.unitId), answers);
  }
  return totals;
}

function unitOf(entry: { before: unknown; after: unknown }): number | null {
  for (const side of [entry.after, entry.before]) {
    const id = (side as { unitId?: unknown } | null)?.unitId;
    if (typeof id === "number" && Number.isSafeInteger(id)) return id;
  }
  return null;
}

/** The answers of every unit of the campaign, as the tally reads them (units without answers are absent). */
export function answerTotals(db: Db, shape: CampaignShape): Promise<Map<number, UnitAnswers>> {
  return keptTotals(db, shape, SELF_SCORES);
}

/**
 * Every unit's totals from `source` (readTotals of all units), kept per database, campaign
 * and source, and brought up to date from the audit log's entries of `source.changedBy`:
 * the self-scores (answerTotals), or the final scores after appraisal (src/domain/ranking.ts,
 * which change with answers and appraisals).
 */
export async function keptTotals(db: Db, shape: CampaignShape, source: ScoreSource): Promise<Map<number, UnitAnswers>> {
  let cache = snapshots.get(db);
  if (!cache) {
    cache = new Map();
    snapshots.set(db, cache);
  }
  const key = `${shapeKey(shape)}:${source.score}`;
  const last = await db.auditLog.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  const mark = last?.id ?? 0;
  const snapshot = cache.get(key);
  if (snapshot && Date.now() - snapshot.fullAt < MAX_AGE_MS && mark >= snapshot.mark) {
    if (mark === snapshot.mark) return snapshot.units;
    const entries = await db.auditLog.findMany({
      // A little before the last mark too: a transaction that took its id earlier may
      // have committed after that mark was read.
      where: { id: { gt: snapshot.mark - RECHECK, lte: mark }, entity: { in: [...source.changedBy] } },
      select: { before: true, after: true },
      take: MAX_INCREMENTAL + 1,
    });
    const units = new Set(entries.map(unitOf));
    if (entries.length <= MAX_INCREMENTAL && !units.has(null)) {
      const ids = [...units] as number[];
      const fresh = ids.length ? await readTotals(db, shape, ids, source) : new Map<number, UnitAnswers>();
      for (const id of ids) {
        const t = fresh.get(id);
        if (t) snapshot.units.set(id, t);
        else snapshot.units.delete(id);
      }
      snapshot.mark = mark;
      return snapshot.units;
    }
  }
  const units = await readTotals(db, shape, undefined, source);
  cache.set(key, { mark, fullAt: Date.now(), units });
  return units;
}

// ---------------------------------------------------------------- overview (/tiendo)

export interface AreaOverview {
  area: AreaInfo;
  submitted: number;
  inProgress: number;
  notStarted: number;
  answered: number;
}

export interface Overview {
  unitCount: number;
  areas: AreaOverview[];
  answered: number;
  /** unitCount × questions */
  expected: number;
  /** answered / expected, 0..100 */
  percent: number;
  submittedAreas: number;
  expectedAreas: number;
  /** Units that submitted every area. */
  unitsDone: number;
  /** Units without a single answer. */
  unitsNotStarted: number;
}

export async function overview(db: Db, shape: CampaignShape): Promise<Overview> {
  const campaignId = int(shape.campaign.id);
  const areas = shape.areas;
  const [kinds, totals, submittedByArea, doneRows] = await Promise.all([
    unitKinds(db, campaignId),
    answerTotals(db, shape),
    db.areaSubmission.groupBy({ by: ["areaId"], where: { campaignId }, _count: { _all: true } }),
    db.$queryRawUnsafe<{ n: unknown }[]>(
      `SELECT COUNT(*) AS n FROM (SELECT "unitId" FROM "AreaSubmission" WHERE "campaignId" = ${campaignId}
          GROUP BY "unitId" HAVING COUNT(*) >= ${int(areas.length)}) d`,
    ),
  ]);
  const unitCount = kinds.size;
  const started = areas.map(() => 0);
  const answeredIn = areas.map(() => 0);
  let startedUnits = 0;
  // Each unit is expected to answer the questions it is asked.
  let expected = 0;
  for (const [unitId, kind] of kinds) {
    const tally = tallyUnit(shape.plan, kind, totals.get(unitId) ?? NO_ANSWERS);
    expected += tally.total;
    if (tally.answered > 0) startedUnits++;
    areas.forEach((area, i) => {
      const n = tally.areas.get(area.id)?.answered ?? 0;
      if (n > 0) started[i]!++;
      answeredIn[i]! += n;
    });
  }
  const submittedOf = new Map(submittedByArea.map((r) => [r.areaId, r._count._all]));
  const rows = areas.map((area, i) => {
    const submitted = submittedOf.get(area.id) ?? 0;
    // An area is submitted only once its required questions are answered, so the units
    // that started it are the submitted ones plus those in progress.
    const inProgress = Math.max(0, started[i]! - submitted);
    return {
      area,
      submitted,
      inProgress,
      notStarted: Math.max(0, unitCount - submitted - inProgress),
      answered: answeredIn[i]!,
    };
  });
  const answered = rows.reduce((s, a) => s + a.answered, 0);
  const submittedAreas = rows.reduce((s, a) => s + a.submitted, 0);
  return {
    unitCount,
    areas: rows,
    answered,
    expected,
    percent: expected ? (answered / expected) * 100 : 0,
    submittedAreas,
    expectedAreas: unitCount * areas.length,
    unitsDone: areas.length ? num(doneRows[0]?.n) : 0,
    unitsNotStarted: Math.max(0, unitCount - startedUnits),
  };
}

// ---------------------------------------------------------------- units, a page at a time

/** An area of a unit: its tally (answered of the questions asked, score of the unit's maximum) and more. */
export interface UnitAreaStatus extends Tally {
  area: AreaInfo;
  submittedAt: Date | null;
  state: AreaState;
  /** Evidence files (not removed). */
  evidence: number;
  /** Answered questions that need evidence and have neither evidence nor an explanation. */
  missingExplanations: number;
}

export interface Officer {
  personId: number;
  name: string;
  username: string | null;
}

export interface UnitStatus {
  unit: Unit;
  areas: UnitAreaStatus[];
  /** The unit's tally over every area (src/domain/progress.ts). */
  tally: UnitTally;
  submittedAreas: number;
  evidence: number;
  missingExplanations: number;
  lastActivity: Date | null;
  officers: Officer[];
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
  /** Items per page (the last page may have fewer). */
  size: number;
}

export const PAGE_SIZE = 20;

export function pageOf(page: number, total: number, size = PAGE_SIZE): { page: number; pages: number; skip: number } {
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { page: p, pages, skip: p * size };
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Progress, scores, evidence, officers and last activity of the given units (in that order). */
export async function unitStatuses(db: Db, shape: CampaignShape, unitIds: number[]): Promise<UnitStatus[]> {
  if (unitIds.length === 0) return [];
  const campaignId = shape.campaign.id;
  const where = { campaignId, unitId: { in: unitIds } };
  const [units, answers, submissions, evidence, officers] = await Promise.all([
    db.unit.findMany({ where: { id: { in: unitIds } } }),
    db.answer.findMany({
      where,
      select: { unitId: true, questionId: true, selfScore: true, value: true, explanation: true, updatedAt: true },
    }),
    db.areaSubmission.findMany({ where, select: { unitId: true, areaId: true, submittedAt: true } }),
    // A question's files only: a visit's self-inspection report (no question) counts in no area.
    db.evidence.groupBy({
      by: ["unitId", "questionId"],
      where: { ...where, questionId: { not: null }, removedAt: null },
      _count: { _all: true },
    }),
    db.membership.findMany({
      where: { campaignId, role: "OFFICER", unitId: { in: unitIds } },
      select: { unitId: true, person: { select: { id: true, displayName: true, username: true } } },
      orderBy: { id: "asc" },
    }),
  ]);
  const evidenceOf = new Map(evidence.map((e) => [`${e.unitId}:${e.questionId}`, e._count._all]));
  const byUnit = new Map(units.map((u) => [u.id, u]));
  const answersOf = groupBy(answers, (a) => a.unitId);
  const evidenceRows = groupBy(evidence, (e) => e.unitId);
  const result: UnitStatus[] = [];
  for (const unitId of unitIds) {
    const unit = byUnit.get(unitId);
    if (!unit) continue;
    const stats = new Map(shape.areas.map((a) => [a.id, { evidence: 0, missingExplanations: 0 }]));
    // Questions the unit is asked: answers and files left on others (asked before the
    // questionnaire was narrowed) count nowhere, as in the tally.
    const asked = (questionId: number) => {
      const q = shape.plan.byId.get(questionId);
      return q !== undefined && appliesToKind(q, unit.kind);
    };
    let lastActivity: Date | null = null;
    const later = (d: Date) => {
      if (!lastActivity || d > lastActivity) lastActivity = d;
    };
    const unitAnswers = answersOf.get(unitId) ?? [];
    for (const a of unitAnswers) {
      later(a.updatedAt);
      const s = stats.get(shape.areaOfQuestion.get(a.questionId) ?? -1);
      if (!s || !asked(a.questionId)) continue;
      const files = evidenceOf.get(`${unitId}:${a.questionId}`) ?? 0;
      if (needsEvidence({ evidenceRequired: shape.evidenceRequired.has(a.questionId) }, a, files)) {
        s.missingExplanations++;
      }
    }
    for (const e of evidenceRows.get(unitId) ?? []) {
      if (e.questionId === null) continue;
      const s = stats.get(shape.areaOfQuestion.get(e.questionId) ?? -1);
      if (s && asked(e.questionId)) s.evidence += e._count._all;
    }
    const tally = tallyUnit(shape.plan, unit.kind, gatherAnswers(shape.plan, unitAnswers));
    const areas = shape.areas.map((area): UnitAreaStatus => {
      const t = tally.areas.get(area.id)!;
      const submission = submissions.find((x) => x.unitId === unitId && x.areaId === area.id);
      if (submission) later(submission.submittedAt);
      const state = areaStateOf(Boolean(submission), t.answered, t.total);
      return { area, ...t, ...stats.get(area.id)!, submittedAt: submission?.submittedAt ?? null, state };
    });
    const sum = (f: (a: UnitAreaStatus) => number) => areas.reduce((s, a) => s + f(a), 0);
    result.push({
      unit,
      areas,
      tally,
      submittedAreas: areas.filter((a) => a.state === "SUBMITTED").length,
      evidence: sum((a) => a.evidence),
      missingExplanations: sum((a) => a.missingExplanations),
      lastActivity,
      officers: officers
        .filter((o) => o.unitId === unitId)
        .map((o) => ({ personId: o.person.id, name: o.person.displayName, username: o.person.username })),
    });
  }
  return result;
}

/** One page of the campaign's units (in the plan's order) with their status. */
export async function unitPage(
  db: Db,
  shape: CampaignShape,
  page: number,
  size = PAGE_SIZE,
): Promise<Page<UnitStatus>> {
  const campaignId = shape.campaign.id;
  const total = await db.campaignUnit.count({ where: { campaignId } });
  const p = pageOf(page, total, size);
  const rows = await db.campaignUnit.findMany({
    where: { campaignId },
    select: { unitId: true },
    orderBy: { unitId: "asc" },
    skip: p.skip,
    take: size,
  });
  const items = await unitStatuses(
    db,
    shape,
    rows.map((r) => r.unitId),
  );
  return { items, total, page: p.page, pages: p.pages, size };
}

// ---------------------------------------------------------------- late units (/chuanop)

/**
 * Units that have not submitted every area (or the given area), in the plan's order, a
 * page at a time.
 */
export async function lateUnits(
  db: Db,
  shape: CampaignShape,
  options: { areaId?: number; page?: number; size?: number; all?: boolean } = {},
): Promise<Page<UnitStatus>> {
  const ids = await lateUnitIds(db, shape, options.areaId);
  const size = options.all ? Math.max(1, ids.length) : (options.size ?? PAGE_SIZE);
  const p = pageOf(options.page ?? 0, ids.length, size);
  const items = await unitStatuses(db, shape, ids.slice(p.skip, p.skip + size));
  return { items, total: ids.length, page: p.page, pages: p.pages, size };
}

/** Ids of units that have not submitted every area (or `areaId`), in the plan's order. */
export async function lateUnitIds(db: Db, shape: CampaignShape, areaId?: number): Promise<number[]> {
  const campaignId = int(shape.campaign.id);
  const needed = areaId === undefined ? shape.areas.length : 1;
  const rows = await db.$queryRawUnsafe<{ unitId: unknown }[]>(
    `SELECT cu."unitId" AS "unitId" FROM "CampaignUnit" cu
       LEFT JOIN (SELECT "unitId", COUNT(*) AS n FROM "AreaSubmission"
                   WHERE "campaignId" = ${campaignId}${areaId === undefined ? "" : ` AND "areaId" = ${int(areaId)}`}
                   GROUP BY "unitId") s ON s."unitId" = cu."unitId"
      WHERE cu."campaignId" = ${campaignId} AND COALESCE(s.n, 0) < ${int(needed)}
      ORDER BY cu."unitId"`,
  );
  return rows.map((r) => num(r.unitId));
}

// ---------------------------------------------------------------- ranking (/diem)

/**
 * Districts and the city are ranked among themselves, departments, boards and offices among
 * themselves: their questionnaires differ and provinces publish the two rankings apart.
 */
export type RankSection = "districts" | "departments";
export const SECTION_OF: Record<UnitKind, RankSection> = {
  DISTRICT: "districts",
  CITY: "districts",
  DEPARTMENT: "departments",
  BOARD: "departments",
  OFFICE: "departments",
};
export const RANK_SECTIONS: readonly RankSection[] = ["districts", "departments"];

export interface RankEntry {
  unitId: number;
  name: string;
  section: RankSection;
  score: number;
  max: number;
  percent: number;
  /** Submitted every area (or the area ranked): only then ranked and grouped. */
  finished: boolean;
  /** null: not finished, "chưa xếp loại". */
  group: RankGroup | null;
  rank: number | null;
}

export interface Ranking {
  /**
   * Section by section (districts, then departments); in each, finished units best first by
   * percentage of their own maximum (equal percentages share a rank), then the units that
   * have not finished, unranked.
   */
  entries: RankEntry[];
  /** The questionnaire's maximum (of the area); each entry has the unit's own. */
  max: number;
  groups: Record<RankGroup, number>;
  area: AreaInfo | null;
}

/**
 * Units ranked by self-score as a percentage of their own maximum (src/domain/progress.ts),
 * over the whole questionnaire or one area: units asked different questions, or with items
 * that do not arise, are compared fairly. `source`: other scores than the self-scores (one
 * area's final scores once round 1 is closed, src/domain/ranking.ts); both from kept totals.
 */
export async function ranking(db: Db, shape: CampaignShape, areaId?: number, source?: ScoreSource): Promise<Ranking> {
  const campaignId = shape.campaign.id;
  const area = areaId === undefined ? null : (shape.areas.find((a) => a.id === areaId) ?? null);
  const [units, totals, submitted] = await Promise.all([
    db.unit.findMany({
      where: { campaigns: { some: { campaignId } } },
      select: { id: true, shortName: true, kind: true },
      orderBy: { id: "asc" },
    }),
    keptTotals(db, shape, source ?? SELF_SCORES),
    db.areaSubmission.groupBy({
      by: ["unitId"],
      where: { campaignId, ...(area ? { areaId: area.id } : {}) },
      _count: true,
    }),
  ]);
  const areasSubmitted = new Map(submitted.map((s) => [s.unitId, s._count]));
  const needed = area ? 1 : shape.areas.length;
  const entries: RankEntry[] = units.map((u) => {
    const tally = tallyUnit(shape.plan, u.kind, totals.get(u.id) ?? NO_ANSWERS);
    const { score, max, percent } = area ? tally.areas.get(area.id)! : tally;
    const finished = (areasSubmitted.get(u.id) ?? 0) >= needed;
    const section = SECTION_OF[u.kind];
    return { unitId: u.id, name: u.shortName, section, score, max, percent, finished, group: null, rank: null };
  });
  const bySection = (e: RankEntry) => RANK_SECTIONS.indexOf(e.section);
  entries.sort(
    (a, b) =>
      bySection(a) - bySection(b) ||
      Number(b.finished) - Number(a.finished) ||
      b.percent - a.percent ||
      b.score - a.score ||
      a.unitId - b.unitId,
  );
  const groups = Object.fromEntries(RANK_GROUPS.map((g) => [g.group, 0])) as Record<RankGroup, number>;
  let previous: RankEntry | null = null;
  let place = 0;
  for (const e of entries) {
    if (!e.finished) continue;
    place = previous?.section === e.section ? place + 1 : 1;
    e.rank = previous?.section === e.section && previous.percent === e.percent ? previous.rank : place;
    e.group = groupOf(e.percent);
    groups[e.group]++;
    previous = e;
  }
  return { entries, max: area ? area.maxPoints : shape.maxPoints, groups, area };
}

// ---------------------------------------------------------------- reminders (/nhacnho)

/** What a reminder lists: the areas a unit has not submitted, with how far it got in each. */
export function missingAreas(s: UnitStatus): { area: string; answered: number; total: number }[] {
  return s.areas
    .filter((a) => a.state !== "SUBMITTED")
    .map((a) => ({ area: areaLabel(a.area), answered: a.answered, total: a.total }));
}

export const REMINDER_KIND = "assessment.reminder";

export interface ReminderResult {
  /** Units that have not finished and were reminded (at least one notice written). */
  reminded: number;
  notices: number;
  /** Units that have not finished but have no officer to remind. */
  withoutOfficer: Unit[];
  /** Units asked for that had already submitted everything. */
  finished: number;
  /** Units already reminded this minute (nothing new written). */
  already: number;
}

/** 2019-03-01-10-05: the minute of `now` (UTC), so a double tap does not remind twice. */
const minuteOf = (now: Date) => now.toISOString().slice(0, 16).replace(/[T:]/g, "-");

/**
 * Reminds the officers of units that have not submitted every area, through the notice
 * outbox: one `assessment.reminder` per officer, due now.
 */
export async function remindUnits(
  db: Db,
  shape: CampaignShape,
  target: number[] | "all",
  sender: { personId: number; name: string },
  now: Date,
): Promise<ReminderResult> {
  const late = await lateUnitIds(db, shape);
  const lateSet = new Set(late);
  const ids = target === "all" ? late : target.filter((id) => lateSet.has(id));
  const result: ReminderResult = {
    reminded: 0,
    notices: 0,
    withoutOfficer: [],
    finished: target === "all" ? 0 : target.length - ids.length,
    already: 0,
  };
  const campaign = shape.campaign;
  const deadline = campaign.selfAssessmentDeadline?.toISOString() ?? null;
  const BATCH = 200;
  for (let i = 0; i < ids.length; i += BATCH) {
    const statuses = await unitStatuses(db, shape, ids.slice(i, i + BATCH));
    await transaction(db, async (tx) => {
      const reminded: string[] = [];
      for (const s of statuses) {
        if (s.officers.length === 0) {
          result.withoutOfficer.push(s.unit);
          continue;
        }
        const missing = missingAreas(s);
        const notices: NoticeInput[] = s.officers.map((o) => ({
          recipientId: o.personId,
          campaignId: campaign.id,
          kind: REMINDER_KIND,
          payload: { unitName: s.unit.name, deadline, missing, sentBy: sender.name },
          dueAt: now,
          idempotencyKey: `remind:${campaign.id}:${s.unit.id}:${o.personId}:${minuteOf(now)}`,
        }));
        const created = await enqueueNotices(tx, notices);
        if (created > 0) {
          result.reminded++;
          reminded.push(s.unit.code);
        } else result.already++;
        result.notices += created;
      }
      if (reminded.length > 0) {
        await audit(tx, {
          actorId: sender.personId,
          action: "assessment.remind",
          entity: "Campaign",
          entityId: campaign.id,
          after: { units: reminded },
        });
      }
    });
  }
  if (result.notices > 0) noticesEnqueued();
  return result;
}

// ---------------------------------------------------------------- reopening (/molai)

export type ReopenResult =
  | { ok: true; submittedAt: Date; selfScore: number; officersTold: number }
  | { ok: false; reason: "not_submitted" };

/**
 * Reopens a submitted area of a unit so its officers can change answers again: audited with
 * the coordinator's reason, and the unit's officers are told why (through the outbox, in the
 * same transaction).
 */
export async function reopenArea(
  db: Db,
  shape: CampaignShape,
  unit: Unit,
  area: AreaInfo,
  by: { personId: number; name: string },
  reason: string,
  now: Date,
): Promise<ReopenResult> {
  const result = await transaction(db, async (tx): Promise<ReopenResult> => {
    const key = { campaignId: shape.campaign.id, unitId: unit.id, areaId: area.id };
    const submission = await tx.areaSubmission.findUnique({ where: { campaignId_unitId_areaId: key } });
    if (!submission) return { ok: false, reason: "not_submitted" };
    await tx.areaSubmission.delete({ where: { id: submission.id } });
    await audit(tx, {
      actorId: by.personId,
      action: "area.reopen",
      entity: "AreaSubmission",
      entityId: submission.id,
      before: {
        area: area.code,
        unitId: unit.id,
        unit: unit.code,
        selfScore: submission.selfScore,
        submittedAt: submission.submittedAt,
        submittedById: submission.submittedById,
      },
      after: { reason },
    });
    const officers = await tx.membership.findMany({
      where: { campaignId: shape.campaign.id, unitId: unit.id, role: "OFFICER" },
      select: { personId: true },
    });
    const officersTold = await enqueueNotices(
      tx,
      officers.map((o) => ({
        recipientId: o.personId,
        campaignId: shape.campaign.id,
        kind: "area.reopened",
        payload: { unitName: unit.name, areaCode: area.code, areaTitle: area.title, reason, by: by.name },
        dueAt: now,
        idempotencyKey: `reopen:${submission.id}:${o.personId}`,
      })),
    );
    return { ok: true, submittedAt: submission.submittedAt, selfScore: submission.selfScore, officersTold };
  });
  if (result.ok && result.officersTold > 0) noticesEnqueued();
  return result;
}

// ---------------------------------------------------------------- deadline

/** How many units have not submitted each area (area id → count), and how many units there are. */
export async function notSubmittedByArea(
  db: Db,
  shape: CampaignShape,
): Promise<{ unitCount: number; byArea: Map<number, number> }> {
  const campaignId = shape.campaign.id;
  const [unitCount, rows] = await Promise.all([
    db.campaignUnit.count({ where: { campaignId } }),
    db.areaSubmission.groupBy({ by: ["areaId"], where: { campaignId }, _count: { _all: true } }),
  ]);
  const submitted = new Map(rows.map((r) => [r.areaId, r._count._all]));
  return { unitCount, byArea: new Map(shape.areas.map((a) => [a.id, unitCount - (submitted.get(a.id) ?? 0)])) };
}
