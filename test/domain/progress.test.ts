/** The one tally of a unit (src/domain/progress.ts), without a database. */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { QuestionFileSchema } from "../../src/domain/campaign-file.ts";
import { loadDataFile } from "../../src/domain/data-file.ts";
import {
  type AnswerRow,
  appliesToKind,
  gatherAnswers,
  makePlan,
  type Plan,
  type PlanQuestion,
  tallyUnit,
} from "../../src/domain/progress.ts";

// Two areas: area 1 (ids 1-3, 6 points), area 2 (ids 4-6, 4 points).
const questions: PlanQuestion[] = [
  { id: 1, areaId: 1, maxPoints: 2 },
  { id: 2, areaId: 1, maxPoints: 3, notApplicable: "EXCLUDED" },
  { id: 3, areaId: 1, maxPoints: 1, appliesTo: ["DEPARTMENT", "BOARD", "OFFICE"] },
  { id: 4, areaId: 2, maxPoints: 1.5 },
  { id: 5, areaId: 2, maxPoints: 1.5, notApplicable: "SCORED" },
  { id: 6, areaId: 2, maxPoints: 1 },
];
const plan = () => makePlan([1, 2], questions);
const row = (questionId: number, value: string, selfScore: number | null): AnswerRow => ({
  questionId,
  value,
  selfScore,
});
const tally = (p: Plan, kind: Parameters<typeof tallyUnit>[1], rows: AnswerRow[]) =>
  tallyUnit(p, kind, gatherAnswers(p, rows));

describe("the tally of a unit", () => {
  it("counts the questions a unit is asked, its score, its maximum and the percentage", () => {
    const t = tally(plan(), "DEPARTMENT", [row(1, "yes", 2), row(4, "50", 0.75)]);
    expect(t).toMatchObject({ answered: 2, total: 6, score: 2.75, max: 10, percent: 27.5, excluded: 0 });
    expect(t.areas.get(1)).toMatchObject({ answered: 1, total: 3, score: 2, max: 6 });
    expect(t.areas.get(2)).toMatchObject({ answered: 1, total: 3, score: 0.75, max: 4, percent: 18.75 });
  });

  it("leaves a department-only question out of a district's questions and maximum, and ignores its answer", () => {
    const p = plan();
    const district = tally(p, "DISTRICT", [row(1, "yes", 2), row(3, "yes", 1)]);
    expect(district).toMatchObject({ answered: 1, total: 5, score: 2, max: 9 });
    expect(district.areas.get(1)).toMatchObject({ answered: 1, total: 2, score: 2, max: 5, percent: 40 });
    const city = tally(p, "CITY", []);
    expect(city).toMatchObject({ total: 5, max: 9 });
    const department = tally(p, "DEPARTMENT", [row(1, "yes", 2), row(3, "yes", 1)]);
    expect(department).toMatchObject({ answered: 2, total: 6, score: 3, max: 10 });
  });

  it("an EXCLUDED N/A scores nothing and takes its points out of the maximum", () => {
    const t = tally(plan(), "DISTRICT", [row(1, "yes", 2), row(2, "na", 0)]);
    expect(t.areas.get(1)).toMatchObject({
      answered: 2,
      total: 2,
      score: 2,
      max: 2,
      percent: 100,
      excluded: 1,
      excludedPoints: 3,
    });
    expect(t).toMatchObject({ answered: 2, total: 5, score: 2, max: 6, excluded: 1, excludedPoints: 3 });
    // A stored score on it (from before) does not count either.
    expect(tally(plan(), "DISTRICT", [row(2, "na", 3)]).areas.get(1)).toMatchObject({ score: 0, max: 2 });
  });

  it("N/A gains a unit nothing: the same work is the same percentage", () => {
    const p = plan();
    // Both did everything asked of them; one had nothing for question 2 to cover.
    const all = tally(p, "DEPARTMENT", [row(1, "yes", 2), row(2, "yes", 3), row(3, "yes", 1)]);
    const na = tally(p, "DEPARTMENT", [row(1, "yes", 2), row(2, "na", 0), row(3, "yes", 1)]);
    expect(all.areas.get(1)!.percent).toBe(100);
    expect(na.areas.get(1)!.percent).toBe(100);
    // And one that did half of the rest is at half, not lifted by the question it skipped.
    const half = tally(p, "DEPARTMENT", [row(1, "no", 0), row(2, "na", 0), row(3, "yes", 1)]);
    expect(half.areas.get(1)).toMatchObject({ score: 1, max: 3 });
    expect(half.areas.get(1)!.percent).toBeCloseTo(33.33, 2);
  });

  it("a SCORED N/A stays in the maximum with the score it was given", () => {
    const t = tally(plan(), "DISTRICT", [row(5, "na", 0.5)]);
    expect(t.areas.get(2)).toMatchObject({ answered: 1, score: 0.5, max: 4, excluded: 0 });
  });

  it("rounds without float noise, and is 0% of nothing", () => {
    const p = makePlan(
      [1],
      [
        { id: 1, areaId: 1, maxPoints: 0.1 },
        { id: 2, areaId: 1, maxPoints: 0.2 },
        { id: 3, areaId: 1, maxPoints: 1, notApplicable: "EXCLUDED" },
      ],
    );
    const t = tally(p, "OFFICE", [row(1, "yes", 0.1), row(2, "yes", 0.2), row(3, "na", 0)]);
    expect(t).toMatchObject({ score: 0.3, max: 0.3, percent: 100 });
    const nothing = tally(makePlan([1], [{ id: 1, areaId: 1, maxPoints: 1, notApplicable: "EXCLUDED" }]), "OFFICE", [
      row(1, "na", 0),
    ]);
    expect(nothing).toMatchObject({ max: 0, percent: 0 });
  });

  it("sums taken in the database meet rows read one by one", () => {
    const p = plan();
    const rows = [row(1, "yes", 2), row(2, "na", 0), row(4, "80", 1), row(5, "na", 0.5)];
    // What status.ts reads: ordinary questions summed per area, the others one by one.
    const summed = tallyUnit(p, "DISTRICT", {
      sums: new Map([
        [1, { answered: 1, score: 2 }],
        [2, { answered: 2, score: 1.5 }],
      ]),
      special: new Map([[2, { value: "na", selfScore: 0 }]]),
    });
    expect(summed).toEqual(tally(p, "DISTRICT", rows));
    expect(p.specialIds).toEqual([2, 3]);
    expect(p.ordinaryIds).toEqual(
      new Map([
        [1, [1]],
        [2, [4, 5, 6]],
      ]),
    );
  });

  it("answers to questions not in the questionnaire are left out", () => {
    expect(tally(plan(), "DEPARTMENT", [row(99, "yes", 5)])).toMatchObject({ answered: 0, score: 0 });
  });

  it("appliesToKind: no list means every kind", () => {
    expect(appliesToKind({ appliesTo: null }, "DISTRICT")).toBe(true);
    expect(appliesToKind({}, "OFFICE")).toBe(true);
    expect(appliesToKind({ appliesTo: ["DEPARTMENT"] }, "DISTRICT")).toBe(false);
    expect(appliesToKind({ appliesTo: ["DEPARTMENT"] }, "DEPARTMENT")).toBe(true);
  });
});

describe("data/son-la-2019.yaml through the tally", () => {
  let p: Plan;
  beforeAll(async () => {
    const file = await loadDataFile(fileURLToPath(new URL("../../data/son-la-2019.yaml", import.meta.url)));
    const areas = file.questionnaire!.areas;
    let id = 0;
    const all = areas.flatMap((a, ai) =>
      a.criteria.flatMap((c) => c.questions.map((q) => ({ ...q, id: ++id, areaId: ai + 1 }))),
    );
    p = makePlan(
      areas.map((_a, i) => i + 1),
      all,
    );
  });

  it("a district is asked 69 questions worth 99 points, a department 70 worth 100", () => {
    expect(tallyUnit(p, "DISTRICT", gatherAnswers(p, []))).toMatchObject({ total: 69, max: 99 });
    expect(tallyUnit(p, "CITY", gatherAnswers(p, []))).toMatchObject({ total: 69, max: 99 });
    for (const kind of ["DEPARTMENT", "BOARD", "OFFICE"] as const) {
      expect(tallyUnit(p, kind, gatherAnswers(p, []))).toMatchObject({ total: 70, max: 100 });
    }
    // Area 3 is where 3.2.1 is.
    expect(tallyUnit(p, "DISTRICT", gatherAnswers(p, [])).areas.get(3)).toMatchObject({ total: 10, max: 17 });
  });
});

describe("the data file's new fields are checked", () => {
  const base = {
    code: "1.2",
    text: "Số báo cáo",
    maxPoints: 1,
    answerType: "NUMBER",
    scoring: { kind: "per_item", pointsEach: 0.25 },
    scoringText: "0,25 điểm mỗi báo cáo",
  };
  const problems = (q: Record<string, unknown>) =>
    QuestionFileSchema.safeParse({ ...base, ...q }).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];

  it("accepts what the questionnaire uses", () => {
    expect(problems({ countOf: "báo cáo", countMax: 4 })).toEqual([]);
    expect(problems({ notApplicable: "EXCLUDED", appliesTo: ["DEPARTMENT", "BOARD"] })).toEqual([]);
  });

  it("refuses what cannot work", () => {
    expect(problems({ countMax: 4 })).toEqual(["countMax: say what is counted (countOf)"]);
    expect(problems({ countOf: "báo cáo", countMax: 3 })).toEqual(["countMax: 3 items never reach maxPoints (1)"]);
    expect(problems({ countOf: "báo cáo", countMax: 2.5 })).toHaveLength(1);
    expect(problems({ noDate: "NOT_ISSUED" })).toEqual(["noDate: only a DATE question has no date"]);
    expect(problems({ appliesTo: ["DISTRICT", "DISTRICT"] })).toEqual(["appliesTo: a unit kind twice"]);
    expect(problems({ appliesTo: ["VILLAGE"] })).toHaveLength(1);
    const yesNo = { answerType: "YES_NO", scoring: { kind: "boolean", yes: 1, no: 0, na: 1 } };
    expect(problems(yesNo)).toEqual(["scoring: na points need notApplicable: SCORED (EXCLUDED scores nothing)"]);
    expect(problems({ ...yesNo, notApplicable: "EXCLUDED" })).toEqual([
      "scoring: na points need notApplicable: SCORED (EXCLUDED scores nothing)",
    ]);
    expect(problems({ ...yesNo, notApplicable: "SCORED" })).toEqual([]);
    expect(problems({ answerType: "YES_NO", scoring: { kind: "boolean" }, notApplicable: "SCORED" })).toEqual([
      "notApplicable: SCORED needs a boolean rule with its na points",
    ]);
    expect(problems({ answerType: "TEXT", scoring: { kind: "manual" }, notApplicable: "EXCLUDED" })).toEqual([
      "notApplicable: a TEXT answer can say so",
    ]);
  });
});
