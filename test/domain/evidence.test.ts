/** The one rule for whether an answer still lacks evidence (src/domain/assessment.ts), without a database. */
import { describe, expect, it } from "vitest";
import { needsEvidence } from "../../src/domain/assessment.ts";

describe("needsEvidence: the one rule", () => {
  const required = { evidenceRequired: true };
  const answer = (value: string, selfScore: number | null, explanation: string | null = null) => ({
    value,
    selfScore,
    explanation,
  });

  it("an answer that earned points needs a file or an explanation", () => {
    expect(needsEvidence(required, answer("yes", 1), 0)).toBe(true);
    expect(needsEvidence(required, answer("yes", 1), 1)).toBe(false);
    expect(needsEvidence(required, answer("yes", 1, "Đang bổ sung"), 0)).toBe(false);
    expect(needsEvidence({ evidenceRequired: false }, answer("yes", 1), 0)).toBe(false);
  });

  it("an answer worth 0 points has nothing to prove", () => {
    expect(needsEvidence(required, answer("no", 0), 0)).toBe(false);
    expect(needsEvidence(required, answer("none", 0), 0)).toBe(false);
    expect(needsEvidence(required, answer("40", 0), 0)).toBe(false);
  });

  it("N/A is excused; a manual score not typed yet may be worth points", () => {
    expect(needsEvidence(required, answer("na", 0), 0)).toBe(false);
    expect(needsEvidence(required, answer("3", null), 0)).toBe(true);
  });
});
