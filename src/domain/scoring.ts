/**
 * The self-score of an answer, computed from the question's scoring rule
 * (src/domain/scoring-rules.ts) and the canonical answer value (src/domain/answers.ts).
 * Scores are rounded to 2 decimals and kept between 0 and the question's maximum points.
 */
import {
  type AnswerType,
  isoDate,
  type ManualScoreResult,
  NO_DATE,
  NOT_APPLICABLE,
  type NotApplicableMode,
  parseManualScore,
  SCORE_DECIMALS,
  viDateToIso,
} from "./answers.ts";
import { type ScoringRule, ScoringRuleSchema } from "./scoring-rules.ts";
import { formatDate } from "./time.ts";

export interface ScoringQuestion {
  answerType?: AnswerType;
  maxPoints: number;
  /** What a "not applicable" answer does (Question.notApplicable); null: it is not an answer. */
  notApplicable?: NotApplicableMode | null;
  /** Checked with ScoringRuleSchema; a question with an invalid rule is a bug and throws. */
  scoringRule: unknown;
}

export interface ScoreOptions {
  /** The officer's own score, used by `manual` rules only. */
  manualScore?: number | null;
  /** Zone of DATE values given as instants ("2019-01-31T17:30:00Z"); Asia/Ho_Chi_Minh by default. */
  timeZone?: string;
}

export const DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh";
export { type ManualScoreResult, SCORE_DECIMALS };

/** 2 decimals without float noise: 0.1 + 0.2 -> 0.3, 1.005 -> 1.01, never -0. */
export function roundScore(n: number): number {
  if (!Number.isFinite(n)) return n;
  // Already in hundredths (nearly every sum of points): the same result without toPrecision,
  // which cost most of the ranking's 30 µs per unit tally (bench/APPRAISAL.md).
  const x = n * 100;
  const whole = Math.round(x);
  if (Math.abs(x - whole) < 1e-6) return whole / 100 || 0;
  const rounded = Math.round(Number((n * 100).toPrecision(12))) / 100;
  return rounded === 0 ? 0 : rounded;
}

/** The sum of the scores that exist (null and undefined skipped), rounded. */
export function sumScores(scores: Iterable<number | null | undefined>): number {
  let total = 0;
  for (const s of scores) if (typeof s === "number" && Number.isFinite(s)) total += s;
  return roundScore(total);
}

const rules = new WeakMap<object, ScoringRule>();

/** The validated rule of a question (cached per rule object). Throws on an invalid rule. */
export function readScoringRule(rule: unknown): ScoringRule {
  if (typeof rule === "object" && rule !== null) {
    const cached = rules.get(rule);
    if (cached) return cached;
  }
  const parsed = ScoringRuleSchema.safeParse(rule);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(rule)"}: ${i.message}`).join("; ");
    throw new Error(`invalid scoring rule ${JSON.stringify(rule)}: ${problems}`);
  }
  if (typeof rule === "object" && rule !== null) rules.set(rule, parsed.data);
  return parsed.data;
}

/**
 * Whether the officer must type a self-score for this question: manual rules, except items
 * the inspection team scores in appraisal (Question.teamScored), which the unit never scores.
 */
export function needsManualScore(question: Pick<ScoringQuestion, "scoringRule"> & { teamScored?: boolean }): boolean {
  return readScoringRule(question.scoringRule).kind === "manual" && !question.teamScored;
}

/** A canonical number value ("12.5") or null. */
function numberValue(value: string): number | null {
  return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : null;
}

/** A DATE value as an ISO calendar date: "2019-03-15", an instant in `timeZone`, or "15/03/2019". */
function calendarDate(value: string, timeZone: string): string | null {
  const v = value.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) {
    const instant = new Date(v);
    return Number.isNaN(instant.getTime()) ? null : viDateToIso(formatDate(instant, timeZone));
  }
  return viDateToIso(v);
}

const clamp = (n: number, max: number) => roundScore(Math.min(Math.max(n, 0), max));

/**
 * The self-score of `value` (canonical, see answers.ts) under the question's rule, or null
 * when it cannot be scored: a value the rule does not understand, or a manual rule
 * without `manualScore`.
 * - "na" (not applicable, any rule): 0, unless the question's N/A is SCORED: then the
 *   boolean rule's `na` points. An EXCLUDED N/A scores nothing because the item leaves the
 *   unit's maximum (src/domain/progress.ts); it never earns points the unit did not.
 * - boolean: yes / no -> the rule's points (defaults: yes = max, no = 0)
 * - bands: the highest band whose min <= value, else 0
 * - per_item: whole items × pointsEach, capped at max
 * - choice: the key's points; an unknown key 0
 * - deadline: a date on or before the deadline -> onTime, later -> late; "none" -> 0
 * - manual: manualScore clamped to 0..max
 */
export function scoreAnswer(question: ScoringQuestion, value: string, options: ScoreOptions = {}): number | null {
  const rule = readScoringRule(question.scoringRule);
  const max = question.maxPoints;
  if (value === NOT_APPLICABLE) {
    return question.notApplicable === "SCORED" && rule.kind === "boolean" ? clamp(rule.na ?? 0, max) : 0;
  }
  switch (rule.kind) {
    case "boolean": {
      const points = { yes: rule.yes ?? max, no: rule.no ?? 0 };
      return value === "yes" || value === "no" ? clamp(points[value], max) : null;
    }
    case "bands": {
      const n = numberValue(value);
      if (n === null) return null;
      return clamp(rule.bands.find((b) => b.min <= n)?.points ?? 0, max);
    }
    case "per_item": {
      const n = numberValue(value);
      return n === null ? null : clamp(Math.floor(n) * rule.pointsEach, max);
    }
    case "choice":
      return clamp(Object.hasOwn(rule.points, value) ? rule.points[value]! : 0, max);
    case "deadline": {
      if (value === NO_DATE) return 0;
      const date = calendarDate(value, options.timeZone ?? DEFAULT_TIME_ZONE);
      const deadline = viDateToIso(rule.deadline);
      if (!date || !deadline) return null;
      return clamp(date <= deadline ? rule.onTime : rule.late, max);
    }
    case "manual": {
      const m = options.manualScore;
      return typeof m === "number" && !Number.isNaN(m) ? clamp(m, max) : null;
    }
  }
}

/** The highest score a question can get under its rule, never above maxPoints. */
export function bestScore(question: ScoringQuestion): number {
  const rule = readScoringRule(question.scoringRule);
  const max = question.maxPoints;
  switch (rule.kind) {
    case "boolean":
      return clamp(Math.max(rule.yes ?? max, rule.no ?? 0, rule.na ?? 0), max);
    case "bands":
      return clamp(Math.max(0, ...rule.bands.map((b) => b.points)), max);
    case "choice":
      return clamp(Math.max(0, ...Object.values(rule.points)), max);
    case "deadline":
      return clamp(Math.max(rule.onTime, rule.late), max);
    case "per_item":
      return rule.pointsEach > 0 ? roundScore(max) : 0;
    case "manual":
      return roundScore(max);
  }
}

/** A typed self-score ("1,5") checked against 0..max; see parseManualScore in answers.ts. */
export const validateManualScore: (input: string, max: number) => ManualScoreResult = parseManualScore;
