/**
 * Scoring rules of questionnaire questions, as stored in Question.scoringRule and written
 * in data files. Each rule turns an answer into a self-score between 0 and the question's
 * maximum points.
 */
import { z } from "zod";

const points = z.number().min(0).multipleOf(0.05);

export const ScoringRuleSchema = z.discriminatedUnion("kind", [
  /**
   * yes / no / not applicable. Defaults: yes = max, no = 0. `na` is used only by a question
   * whose not-applicable answer is SCORED (src/domain/campaign-file.ts); it never defaults
   * to the maximum: a unit must not gain points for what it did not do.
   */
  z.object({
    kind: z.literal("boolean"),
    yes: points.optional(),
    no: points.optional(),
    na: points.optional(),
  }),
  /** A number or percentage scored by the highest band whose `min` it reaches. */
  z.object({
    kind: z.literal("bands"),
    bands: z
      .array(z.object({ min: z.number(), points }))
      .min(1)
      .refine((b) => b.every((x, i) => i === 0 || x.min < b[i - 1]!.min), "bands go from the highest min down"),
  }),
  /** Points for each counted item, capped at the question's maximum. */
  z.object({ kind: z.literal("per_item"), pointsEach: points }),
  /** Points per choice key. */
  z.object({ kind: z.literal("choice"), points: z.record(z.string(), points) }),
  /** A date on or before the deadline (dd/MM/yyyy) earns onTime, later earns late. */
  z.object({
    kind: z.literal("deadline"),
    deadline: z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/, "expected dd/MM/yyyy"),
    onTime: points,
    late: points,
  }),
  /** Scored by the officer (self-score typed in) and checked at appraisal. */
  z.object({ kind: z.literal("manual") }),
]);

export type ScoringRule = z.infer<typeof ScoringRuleSchema>;

/** Which rule kinds make sense for which answer type. */
export const RULES_BY_ANSWER_TYPE = {
  YES_NO: ["boolean"],
  NUMBER: ["bands", "per_item", "manual"],
  PERCENT: ["bands", "manual"],
  CHOICE: ["choice"],
  DATE: ["deadline", "manual"],
  TEXT: ["manual"],
} as const satisfies Record<string, readonly ScoringRule["kind"][]>;

/** The largest score a rule can give (for checking it against the question's max). */
export function ruleCeiling(rule: ScoringRule, maxPoints: number): number {
  switch (rule.kind) {
    case "boolean":
      return Math.max(rule.yes ?? maxPoints, rule.no ?? 0, rule.na ?? 0);
    case "bands":
      return Math.max(...rule.bands.map((b) => b.points));
    case "choice":
      return Math.max(...Object.values(rule.points));
    case "deadline":
      return Math.max(rule.onTime, rule.late);
    case "per_item":
    case "manual":
      return maxPoints;
  }
}
