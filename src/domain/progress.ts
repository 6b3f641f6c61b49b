/**
 * The one tally of a unit's self-assessment: per reform area and overall, how many of the
 * questions the unit is asked it has answered, its self-score, the most it can score and the
 * score as a percentage of that. Every view that shows or ranks a score uses it: the
 * officer's areas, review and submission, and the coordinators' /tiendo, /donvi, /diem, the
 * reminders and the exports. No database and no Telegram in here.
 *
 * Two rules shape the maximum:
 * - A question that applies to some unit kinds only (Question.appliesTo: 3.2.1 is for
 *   departments) is not asked of other units and is outside their maximum; an answer they
 *   may still have to it (from before the question was restricted) is ignored.
 * - A "not applicable" answer to a question whose N/A is EXCLUDED scores nothing and takes
 *   the question's points out of the unit's maximum. Units are then compared on
 *   percentages, so one with less to do neither gains nor loses.
 *
 * For a province (10,000 units, a million answers) the answers are summed in the database:
 * only the questions either rule touches ("special") are read one by one, the rest
 * ("ordinary") as a count and a sum per area (src/domain/status.ts). Rows read one by one
 * go through the same split (`gatherAnswers`), so both paths meet in `tallyUnit`.
 */
import type { z } from "zod";
import { NOT_APPLICABLE, type NotApplicableMode } from "./answers.ts";
import type { UnitKindSchema } from "./campaign-file.ts";
import { roundScore } from "./scoring.ts";

export type UnitKind = z.infer<typeof UnitKindSchema>;

/** The parts of a question the tally needs (a Prisma Question row has them). */
export interface PlanQuestion {
  id: number;
  areaId: number;
  maxPoints: number;
  notApplicable?: NotApplicableMode | null;
  /** JSON array of the unit kinds asked (Question.appliesTo); null or absent: every kind. */
  appliesTo?: unknown;
}

/** Whether a unit of `kind` is asked the question (and it counts in the unit's maximum). */
export function appliesToKind(question: Pick<PlanQuestion, "appliesTo">, kind: UnitKind): boolean {
  return !Array.isArray(question.appliesTo) || question.appliesTo.includes(kind);
}

/** A questionnaire as the tally reads it. */
export interface Plan {
  /** Area ids in questionnaire order. */
  areaIds: number[];
  byId: Map<number, PlanQuestion>;
  /** Per area: the questions every unit is asked and whose N/A (if any) keeps them in the maximum. */
  ordinaryIds: Map<number, number[]>;
  /** The questions whose answers are looked at one by one (see the module comment). */
  specialIds: number[];
  /** Per unit kind and area: the questions asked and their points (filled on first use). */
  asked: Map<UnitKind, Map<number, { total: number; max: number }>>;
}

const isSpecial = (q: PlanQuestion) => Array.isArray(q.appliesTo) || q.notApplicable === "EXCLUDED";

export function makePlan(areaIds: number[], questions: PlanQuestion[]): Plan {
  const ordinaryIds = new Map(areaIds.map((id) => [id, [] as number[]]));
  const specialIds: number[] = [];
  for (const q of questions) {
    if (isSpecial(q)) specialIds.push(q.id);
    else ordinaryIds.get(q.areaId)?.push(q.id);
  }
  return { areaIds, byId: new Map(questions.map((q) => [q.id, q])), ordinaryIds, specialIds, asked: new Map() };
}

function askedOf(plan: Plan, kind: UnitKind): Map<number, { total: number; max: number }> {
  let asked = plan.asked.get(kind);
  if (!asked) {
    asked = new Map(plan.areaIds.map((id) => [id, { total: 0, max: 0 }]));
    for (const q of plan.byId.values()) {
      const area = asked.get(q.areaId);
      if (!area || !appliesToKind(q, kind)) continue;
      area.total++;
      area.max += q.maxPoints;
    }
    plan.asked.set(kind, asked);
  }
  return asked;
}

/** A unit's answers, split as the tally reads them. */
export interface UnitAnswers {
  /** Per area id: the answers to its ordinary questions, counted and their self-scores summed. */
  sums: Map<number, { answered: number; score: number }>;
  /** The answers to special questions, by question id. */
  special: Map<number, { value: string; selfScore: number | null }>;
}

export interface AnswerRow {
  questionId: number;
  value: string;
  selfScore: number | null;
}

/** One unit's answer rows, split for `tallyUnit`; answers to questions not in the plan are left out. */
export function gatherAnswers(plan: Plan, rows: Iterable<AnswerRow>): UnitAnswers {
  const answers: UnitAnswers = { sums: new Map(), special: new Map() };
  for (const row of rows) {
    const q = plan.byId.get(row.questionId);
    if (!q) continue;
    if (isSpecial(q)) {
      answers.special.set(q.id, { value: row.value, selfScore: row.selfScore });
      continue;
    }
    const sum = answers.sums.get(q.areaId) ?? { answered: 0, score: 0 };
    sum.answered++;
    sum.score += row.selfScore ?? 0;
    answers.sums.set(q.areaId, sum);
  }
  return answers;
}

export interface Tally {
  /** Questions asked of the unit that it answered. */
  answered: number;
  /** Questions asked of the unit. */
  total: number;
  /** Self-score, rounded to 2 decimals. */
  score: number;
  /** The most the unit can score: the points of the questions it is asked, less those it answered N/A (EXCLUDED). */
  max: number;
  /** score / max × 100 (0 when nothing is left to score). */
  percent: number;
  /** Answers that took their question out of the maximum, and the points they took. */
  excluded: number;
  excludedPoints: number;
}

/** Nothing asked, nothing answered. */
export const NO_TALLY: Tally = {
  answered: 0,
  total: 0,
  score: 0,
  max: 0,
  percent: 0,
  excluded: 0,
  excludedPoints: 0,
};

export interface UnitTally extends Tally {
  /** Per area id, every area of the plan. */
  areas: Map<number, Tally>;
}

/** score / max × 100, without float noise (2.75 of 10 is 27.5, not 27.500000000000004): equal work ranks equal. */
const percentOf = (score: number, max: number) => (max > 0 ? Math.round((score / max) * 1e8) / 1e6 : 0);

function finish(t: Omit<Tally, "percent">): Tally {
  const score = roundScore(t.score);
  const max = roundScore(t.max);
  // Field by field, not a spread: this runs for every area of every unit on each /diem.
  return {
    answered: t.answered,
    total: t.total,
    score,
    max,
    excluded: t.excluded,
    excludedPoints: roundScore(t.excludedPoints),
    percent: percentOf(score, max),
  };
}

/** The tally of a unit of `kind`, per area and overall. */
export function tallyUnit(plan: Plan, kind: UnitKind, answers: UnitAnswers): UnitTally {
  // Called for every unit of a province on each /diem: plain loops, no intermediate arrays.
  const asked = askedOf(plan, kind);
  const raw = new Map<number, Omit<Tally, "percent">>();
  for (const id of plan.areaIds) {
    const sum = answers.sums.get(id);
    const base = asked.get(id)!;
    raw.set(id, {
      answered: sum?.answered ?? 0,
      total: base.total,
      score: sum?.score ?? 0,
      max: base.max,
      excluded: 0,
      excludedPoints: 0,
    });
  }
  for (const [questionId, answer] of answers.special) {
    const q = plan.byId.get(questionId);
    const area = q && raw.get(q.areaId);
    if (!q || !area || !appliesToKind(q, kind)) continue;
    area.answered++;
    if (answer.value === NOT_APPLICABLE && q.notApplicable === "EXCLUDED") {
      area.max -= q.maxPoints;
      area.excluded++;
      area.excludedPoints += q.maxPoints;
    } else area.score += answer.selfScore ?? 0;
  }
  const areas = new Map<number, Tally>();
  const all = { answered: 0, total: 0, score: 0, max: 0, excluded: 0, excludedPoints: 0 };
  for (const [id, r] of raw) {
    const t = finish(r);
    areas.set(id, t);
    all.answered += t.answered;
    all.total += t.total;
    all.score += t.score;
    all.max += t.max;
    all.excluded += t.excluded;
    all.excludedPoints += t.excludedPoints;
  }
  return { areas, ...finish(all) };
}
