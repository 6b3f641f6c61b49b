/**
 * The rules of appraisal (thẩm định) that need no database: the order of a campaign's
 * phases, which scores an item may be given, the final score of an item, ranking groups,
 * and the refusals every appraisal write may end with. The bot layer turns a refusal into a
 * message with `refusalText` (locales/<lang>/appraisal.json).
 */
import type { CampaignStatus } from "../db/client.ts";
import { type AnswerLocale, formatNumber } from "./answers.ts";
import { readScoringRule, roundScore, type ScoringQuestion } from "./scoring.ts";
import { formatDateTime } from "./time.ts";

// ---------------------------------------------------------------- phases

/**
 * A campaign's phases in the one order they are moved through (CampaignStatus). A move goes
 * to the next phase only: skipping round 2, or going back after publication, would leave
 * units without the explanation the method promises them or change published scores.
 */
export const PHASES: readonly CampaignStatus[] = [
  "DRAFT",
  "SELF_ASSESSMENT",
  "APPRAISAL",
  "EXPLANATION",
  "FINAL_APPRAISAL",
  "PUBLISHED",
  "CLOSED",
];

export function nextPhase(phase: CampaignStatus): CampaignStatus | null {
  return PHASES[PHASES.indexOf(phase) + 1] ?? null;
}

/** Whether `phase` is `from` or later (round 1 closed: "at least EXPLANATION"). */
export function phaseReached(phase: CampaignStatus, from: CampaignStatus): boolean {
  return PHASES.indexOf(phase) >= PHASES.indexOf(from);
}

/** The round an appraiser works in during a phase, or null when no one appraises. */
export function roundOfPhase(phase: CampaignStatus): 1 | 2 | null {
  return phase === "APPRAISAL" ? 1 : phase === "FINAL_APPRAISAL" ? 2 : null;
}

// ---------------------------------------------------------------- refusals

/**
 * Why an appraisal write was refused, with what the message names. Every refusal leaves the
 * database as it was.
 */
export type AppraisalRefusal =
  /** A phase move that is not to the next phase. */
  | { reason: "phase_order"; from: CampaignStatus; to: CampaignStatus; expected: CampaignStatus | null }
  /** The action belongs to other phases. */
  | { reason: "wrong_phase"; phase: CampaignStatus; needed: CampaignStatus[] }
  /** Closing round 1 names the explanation deadline, in the future. */
  | { reason: "deadline_required" }
  | { reason: "deadline_in_past"; deadline: Date }
  /** Round 1 cannot close while items only the team scores have no score (units that submitted). */
  | { reason: "team_items_unscored"; count: number; units: string[] }
  /** Round 2 opens once the explanation deadline has passed: units keep the time they were given. */
  | { reason: "explanation_open"; deadline: Date }
  | { reason: "unknown_campaign" }
  | { reason: "not_coordinator" }
  /** An appraiser outside their assignment. */
  | { reason: "not_assigned"; unit: string; area: string }
  | { reason: "not_officer"; unit: string }
  | { reason: "unknown_unit" }
  | { reason: "unknown_question" }
  /** The question is not asked of units of this kind. */
  | { reason: "not_asked"; code: string }
  /** The unit has not answered the item (nothing to appraise). */
  | { reason: "not_answered"; code: string }
  | { reason: "above_max"; code: string; score: number; max: number }
  | { reason: "negative_score"; code: string; score: number }
  /** The rule gives only some scores: a list of them, or multiples of a step up to the maximum. */
  | { reason: "off_step"; code: string; score: number; steps: number[] | null; step: number | null; max: number }
  | { reason: "comment_required"; code: string; selfScore: number; score: number }
  /** "Accept the self-score" on an item the unit does not score, or did not score. */
  | { reason: "team_scored"; code: string }
  | { reason: "no_self_score"; code: string }
  /** Round 2 works on explained items only. */
  | { reason: "not_explained"; code: string }
  /** A unit explains only items whose score round 1 changed. */
  | { reason: "not_changed"; code: string }
  | { reason: "explanation_deadline"; deadline: Date }
  /** Someone else changed the item since the version the writer saw. */
  | { reason: "stale"; code: string; version: number; by: string | null }
  /** After publication a score changes only through a coordinator's reopen. */
  | { reason: "published" }
  | { reason: "reason_required" }
  | { reason: "text_required" }
  | { reason: "bad_points"; points: number; max: number }
  | { reason: "adjustment_gone" }
  /** A reopen of an item whose score would not change. */
  | { reason: "same_score"; code: string; score: number };

export type AppraisalRefusalReason = AppraisalRefusal["reason"];

export class AppraisalRefused extends Error {
  constructor(readonly refusal: AppraisalRefusal) {
    super(`appraisal refused: ${refusal.reason}`);
    this.name = "AppraisalRefused";
  }

  get reason(): AppraisalRefusalReason {
    return this.refusal.reason;
  }
}

export const refuse = (refusal: AppraisalRefusal): never => {
  throw new AppraisalRefused(refusal);
};

type Translate = (key: string, vars?: Record<string, unknown>) => string;

/**
 * A refusal in the reader's words (locales/<lang>/appraisal.json, `appraisal.refused.<reason>`):
 * numbers with the locale's decimal comma, dates as dd/MM/yyyy HH:mm in `timeZone`, phases by
 * their names.
 */
export function refusalText(refusal: AppraisalRefusal, t: Translate, locale: AnswerLocale, timeZone: string): string {
  const num = (n: number) => formatNumber(n, locale);
  const phase = (p: CampaignStatus | null) => (p ? t(`appraisal.phases.${p}`) : "");
  const vars: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(refusal)) {
    if (key === "reason") continue;
    if (value instanceof Date) vars[key] = formatDateTime(value, timeZone);
    else if (typeof value === "number") vars[key] = num(value);
    else vars[key] = value;
  }
  switch (refusal.reason) {
    case "phase_order":
      Object.assign(vars, { from: phase(refusal.from), to: phase(refusal.to), expected: phase(refusal.expected) });
      return t(refusal.expected ? "appraisal.refused.phase_order" : "appraisal.refused.phase_last", vars);
    case "wrong_phase":
      Object.assign(vars, { phase: phase(refusal.phase), needed: refusal.needed.map(phase).join(", ") });
      break;
    case "off_step":
      if (refusal.steps)
        return t("appraisal.refused.off_step_list", { ...vars, steps: refusal.steps.map(num).join("; ") });
      return t("appraisal.refused.off_step_multiple", { ...vars, step: num(refusal.step ?? 0) });
    case "team_items_unscored":
      vars.units = refusal.units.join(", ");
      break;
    case "stale":
      return t(refusal.by ? "appraisal.refused.stale_by" : "appraisal.refused.stale", vars);
  }
  return t(`appraisal.refused.${refusal.reason}`, vars);
}

// ---------------------------------------------------------------- scores an item may be given

/** The step of a manually scored item: quarter points, as the method's manual items are written. */
export const MANUAL_STEP = 0.25;

/** What an appraiser may give: one of a list of scores, or any multiple of a step up to the maximum. */
export type ScoreSteps = { steps: number[]; step: null; max: number } | { steps: null; step: number; max: number };

const sorted = (values: number[], max: number) =>
  [...new Set([0, ...values].map((v) => roundScore(Math.min(Math.max(v, 0), max))))].sort((a, b) => a - b);

/**
 * The scores an item's rule can give, so that an appraised score is one the method knows:
 * - boolean: its yes / no (and SCORED N/A) points;
 * - bands, choice: their points; deadline: on time / late;
 * - per_item: the multiples of pointsEach, and the maximum (the cap);
 * - manual (and team-scored) items: any multiple of 0.25 up to the maximum (the method
 *   writes such items in quarter points: 0,75 of 1,5), and the maximum itself.
 * 0 is always allowed: an item without proof earns nothing, whatever its rule.
 */
export function scoreSteps(question: ScoringQuestion): ScoreSteps {
  const rule = readScoringRule(question.scoringRule);
  const max = question.maxPoints;
  switch (rule.kind) {
    case "boolean": {
      const values = [rule.yes ?? max, rule.no ?? 0];
      if (question.notApplicable === "SCORED") values.push(rule.na ?? 0);
      return { steps: sorted(values, max), step: null, max };
    }
    case "bands":
      return { steps: sorted([...rule.bands.map((b) => b.points)], max), step: null, max };
    case "choice":
      return { steps: sorted(Object.values(rule.points), max), step: null, max };
    case "deadline":
      return { steps: sorted([rule.onTime, rule.late], max), step: null, max };
    case "per_item":
      return rule.pointsEach > 0 ? { steps: null, step: rule.pointsEach, max } : { steps: [0], step: null, max };
    case "manual":
      return { steps: null, step: MANUAL_STEP, max };
  }
}

const EPSILON = 1e-9;

/** Whether `score` is a multiple of `step` (float-safe: 0.75 of 0.25, 1.2 of 0.4). */
function isMultiple(score: number, step: number): boolean {
  const ratio = score / step;
  return Math.abs(ratio - Math.round(ratio)) < 1e-6;
}

/**
 * Checks a score an appraiser gives to an item: not negative, not above the maximum, on the
 * rule's steps. Returns the refusal, or null when it is a score the item can have.
 */
export function checkScore(question: ScoringQuestion & { code: string }, score: number): AppraisalRefusal | null {
  const code = question.code;
  const steps = scoreSteps(question);
  if (!Number.isFinite(score)) return { reason: "off_step", code, score: 0, ...steps };
  if (score < 0) return { reason: "negative_score", code, score };
  if (score > question.maxPoints + EPSILON) return { reason: "above_max", code, score, max: question.maxPoints };
  const onStep = steps.steps
    ? steps.steps.some((s) => Math.abs(s - score) < EPSILON)
    : Math.abs(score - steps.max) < EPSILON || isMultiple(score, steps.step);
  return onStep ? null : { reason: "off_step", code, score, ...steps };
}

/** Two scores that show the same (rounded to 2 decimals). */
export const sameScore = (a: number | null | undefined, b: number | null | undefined) =>
  a !== null && a !== undefined && b !== null && b !== undefined && roundScore(a) === roundScore(b);

/**
 * The final score of an item: round 2 where set, else round 1, else the self-score. A
 * team-scored item has no self-score: until appraised it has no score at all.
 */
export function finalScore(selfScore: number | null, round1: number | null, round2: number | null): number | null {
  return round2 ?? round1 ?? selfScore;
}

/** The SQL of `finalScore` over joined columns (ranking and totals aggregate in the database). */
export const FINAL_SCORE_SQL = (self: string, round1: string, round2: string) =>
  `COALESCE(${round2}, ${round1}, ${self})`;

// ---------------------------------------------------------------- ranking groups

/** A ranking group: units at or above `min` percent of their maximum (and below the group above). */
export interface RankGroupSpec {
  code: string;
  min: number;
  label?: string;
}

/** The group of a percentage among groups ordered from the highest min down (the last at 0). */
export function groupFor(groups: readonly RankGroupSpec[], percent: number): RankGroupSpec {
  // Compare on rounded values: 89.999999 from float sums is 90.
  const p = Math.round(percent * 1e6) / 1e6;
  return groups.find((g) => p >= g.min) ?? groups[groups.length - 1]!;
}
