import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type AnswerQuestion, formatNumber, parseAnswer, readChoices } from "../../src/domain/answers.ts";
import type { QuestionnaireFile } from "../../src/domain/campaign-file.ts";
import { loadDataFile } from "../../src/domain/data-file.ts";
import {
  bestScore,
  needsManualScore,
  readScoringRule,
  roundScore,
  type ScoringQuestion,
  scoreAnswer,
  sumScores,
  validateManualScore,
} from "../../src/domain/scoring.ts";
import { ruleCeiling, type ScoringRule } from "../../src/domain/scoring-rules.ts";

const TZ = "Asia/Ho_Chi_Minh";
const q = (maxPoints: number, scoringRule: unknown): ScoringQuestion => ({ maxPoints, scoringRule });

describe("roundScore and sumScores", () => {
  it.each([
    [0.1 + 0.2, 0.3],
    [1.005, 1.01],
    [2.675, 2.68],
    [0.125, 0.13],
    [1 / 3, 0.33],
    [2 / 3, 0.67],
    [0.7 + 0.1, 0.8],
    [3 * 0.35, 1.05],
    [-0, 0],
    [-0.001, 0],
    [100, 100],
    [12.344999, 12.34],
  ])("roundScore(%s) = %s", (n, expected) => {
    expect(Object.is(roundScore(n), expected)).toBe(true);
  });

  it("sums existing scores without float noise", () => {
    expect(sumScores([0.1, 0.2, null, undefined, 0.7])).toBe(1);
    expect(sumScores([])).toBe(0);
    expect(sumScores([null, null])).toBe(0);
    expect(sumScores(Array.from({ length: 10 }, () => 0.1))).toBe(1);
    expect(sumScores(Array.from({ length: 3 }, () => 0.35))).toBe(1.05);
    expect(sumScores(new Set([1.5, 0.25]))).toBe(1.75);
    expect(sumScores([Number.NaN, 1])).toBe(1);
  });
});

describe("scoreAnswer: boolean", () => {
  // N/A used to default to the maximum: a unit gained points for what did not arise.
  it("defaults: yes = max, no = 0, and N/A earns nothing", () => {
    const question = q(1.5, { kind: "boolean" });
    expect(scoreAnswer(question, "yes")).toBe(1.5);
    expect(scoreAnswer(question, "no")).toBe(0);
    expect(scoreAnswer(question, "na")).toBe(0);
    // Taken out of the unit's maximum instead (src/domain/progress.ts).
    expect(scoreAnswer({ ...question, notApplicable: "EXCLUDED" }, "na")).toBe(0);
  });

  it("a SCORED N/A earns the rule's na points, and nothing where the question does not say so", () => {
    const rule = { kind: "boolean", yes: 1, no: 0, na: 0.5 };
    expect(scoreAnswer({ ...q(1, rule), notApplicable: "SCORED" }, "na")).toBe(0.5);
    expect(scoreAnswer(q(1, rule), "na")).toBe(0);
    expect(scoreAnswer({ ...q(1, rule), notApplicable: "EXCLUDED" }, "na")).toBe(0);
  });

  it("N/A of any other rule earns nothing", () => {
    const bands = { kind: "bands", bands: [{ min: 100, points: 2 }] };
    expect(scoreAnswer({ ...q(2, bands), notApplicable: "EXCLUDED" }, "na")).toBe(0);
    expect(scoreAnswer({ ...q(1, { kind: "choice", points: { a: 1 } }), notApplicable: "EXCLUDED" }, "na")).toBe(0);
  });

  it("the rule's own points", () => {
    const question = q(1, { kind: "boolean", yes: 1, no: 0.25, na: 0 });
    expect(scoreAnswer(question, "yes")).toBe(1);
    expect(scoreAnswer(question, "no")).toBe(0.25);
    expect(scoreAnswer(question, "na")).toBe(0);
  });

  it("a value that is not yes/no/na cannot be scored", () => {
    const question = q(1, { kind: "boolean" });
    for (const value of ["", "có", "YES", "true", "1"]) expect(scoreAnswer(question, value)).toBeNull();
  });

  it("never more than maxPoints, even from a rule that says so", () => {
    expect(scoreAnswer(q(1, { kind: "boolean", yes: 2 }), "yes")).toBe(1);
  });

  it("ignores a manual score", () => {
    expect(scoreAnswer(q(1, { kind: "boolean" }), "no", { manualScore: 1 })).toBe(0);
  });
});

describe("scoreAnswer: bands", () => {
  const question = q(2.5, {
    kind: "bands",
    bands: [
      { min: 100, points: 2.5 },
      { min: 80, points: 1.5 },
      { min: 50, points: 0.5 },
    ],
  });
  it.each([
    ["100", 2.5],
    ["150", 2.5],
    ["99.999999", 1.5],
    ["80", 1.5],
    ["85.5", 1.5],
    ["79.99", 0.5],
    ["50", 0.5],
    ["49.999", 0],
    ["0", 0],
  ])("%s -> %s", (value, score) => {
    expect(scoreAnswer(question, value)).toBe(score);
  });

  it.each(["", "abc", "85,5", "-5", "1e2", " "])("%j cannot be scored", (value) => {
    expect(scoreAnswer(question, value)).toBeNull();
  });

  it("a band with min 0 gives points to zero", () => {
    const floor = q(1, {
      kind: "bands",
      bands: [
        { min: 10, points: 1 },
        { min: 0, points: 0.25 },
      ],
    });
    expect(scoreAnswer(floor, "0")).toBe(0.25);
    expect(scoreAnswer(floor, "9")).toBe(0.25);
    expect(scoreAnswer(floor, "10")).toBe(1);
  });
});

describe("scoreAnswer: per_item", () => {
  const question = q(1, { kind: "per_item", pointsEach: 0.25 });
  it.each([
    ["0", 0],
    ["1", 0.25],
    ["2", 0.5],
    ["3", 0.75],
    ["4", 1],
    ["5", 1],
    ["1000000", 1],
    ["2.9", 0.5], // whole items only
  ])("%s items -> %s", (value, score) => {
    expect(scoreAnswer(question, value)).toBe(score);
  });

  it("no float noise", () => {
    expect(scoreAnswer(q(1, { kind: "per_item", pointsEach: 0.1 }), "3")).toBe(0.3);
    expect(scoreAnswer(q(1, { kind: "per_item", pointsEach: 0.05 }), "7")).toBe(0.35);
    expect(scoreAnswer(q(2, { kind: "per_item", pointsEach: 0.35 }), "3")).toBe(1.05);
  });

  it("a value that is not a number cannot be scored", () => {
    expect(scoreAnswer(question, "bốn")).toBeNull();
  });
});

describe("scoreAnswer: choice", () => {
  const question = q(2, { kind: "choice", points: { a: 2, b: 1, c: 0.5, d: 0 } });
  it.each([
    ["a", 2],
    ["b", 1],
    ["c", 0.5],
    ["d", 0],
    ["gone", 0],
    ["", 0],
    ["__proto__", 0],
    ["toString", 0],
    ["A", 0],
  ])("%j -> %s", (value, score) => {
    expect(scoreAnswer(question, value)).toBe(score);
  });
});

describe("scoreAnswer: deadline", () => {
  const question = q(1, { kind: "deadline", deadline: "31/01/2019", onTime: 1, late: 0.5 });
  it.each([
    ["2018-12-15", 1],
    ["2019-01-01", 1],
    ["2019-01-31", 1],
    ["2019-02-01", 0.5],
    ["2019-12-31", 0.5],
    ["2020-01-01", 0.5],
    ["31/01/2019", 1],
    ["1/2/2019", 0.5],
    ["none", 0],
  ])("%j -> %s", (value, score) => {
    expect(scoreAnswer(question, value)).toBe(score);
  });

  it("an instant is read in the time zone (Asia/Ho_Chi_Minh by default)", () => {
    // 00:30 on 01/02/2019 in Hà Nội, still 31/01 in UTC
    expect(scoreAnswer(question, "2019-01-31T17:30:00Z")).toBe(0.5);
    expect(scoreAnswer(question, "2019-01-31T17:30:00Z", { timeZone: TZ })).toBe(0.5);
    expect(scoreAnswer(question, "2019-01-31T17:30:00Z", { timeZone: "UTC" })).toBe(1);
    expect(scoreAnswer(question, "2019-01-31T16:59:00Z")).toBe(1);
  });

  it.each(["", "2019-02-30", "31/02/2019", "hôm qua", "2019-13-01", "2019-01-31T99:99:99Z"])(
    "%j cannot be scored",
    (value) => {
      expect(scoreAnswer(question, value)).toBeNull();
    },
  );
});

describe("scoreAnswer: manual", () => {
  const question = q(1.5, { kind: "manual" });
  it("takes the officer's score, clamped to 0..max and rounded", () => {
    expect(scoreAnswer(question, "anything", { manualScore: 0.75 })).toBe(0.75);
    expect(scoreAnswer(question, "x", { manualScore: 0 })).toBe(0);
    expect(scoreAnswer(question, "x", { manualScore: 1.5 })).toBe(1.5);
    expect(scoreAnswer(question, "x", { manualScore: 2 })).toBe(1.5);
    expect(scoreAnswer(question, "x", { manualScore: -1 })).toBe(0);
    expect(scoreAnswer(question, "x", { manualScore: 1 / 3 })).toBe(0.33);
    expect(scoreAnswer(question, "x", { manualScore: Number.POSITIVE_INFINITY })).toBe(1.5);
  });

  it("is null without a score", () => {
    expect(scoreAnswer(question, "x")).toBeNull();
    expect(scoreAnswer(question, "x", {})).toBeNull();
    expect(scoreAnswer(question, "x", { manualScore: null })).toBeNull();
    expect(scoreAnswer(question, "x", { manualScore: Number.NaN })).toBeNull();
  });

  it("needsManualScore tells manual rules apart", () => {
    expect(needsManualScore(question)).toBe(true);
    expect(needsManualScore(q(1, { kind: "boolean" }))).toBe(false);
  });
});

describe("scoring rules", () => {
  it.each([
    [null],
    ["boolean"],
    [{}],
    [{ kind: "unknown" }],
    [{ kind: "bands", bands: [] }],
    [{ kind: "per_item" }],
    [{ kind: "deadline", deadline: "2019-01-31", onTime: 1, late: 0 }],
    [{ kind: "boolean", yes: -1 }],
  ])("an invalid rule %j throws", (rule) => {
    expect(() => scoreAnswer(q(1, rule), "yes")).toThrow(/invalid scoring rule/);
  });

  it("a valid rule object is read once", () => {
    const rule = { kind: "boolean", yes: 1 };
    expect(readScoringRule(rule)).toBe(readScoringRule(rule));
  });

  it.each([
    [{ kind: "boolean" }, 1.5],
    [{ kind: "boolean", yes: 1, no: 0, na: 0 }, 1],
    [{ kind: "bands", bands: [{ min: 10, points: 1 }] }, 1],
    [{ kind: "choice", points: { a: 0.5, b: 1.25 } }, 1.25],
    [{ kind: "deadline", deadline: "31/01/2019", onTime: 1.5, late: 0.5 }, 1.5],
    [{ kind: "per_item", pointsEach: 0.25 }, 1.5],
    [{ kind: "manual" }, 1.5],
  ])("bestScore(%j, max 1.5) = %s", (rule, best) => {
    expect(bestScore(q(1.5, rule))).toBe(best);
  });
});

describe("validateManualScore", () => {
  it.each([
    ["1,5", 2, 1.5],
    ["1.5", 2, 1.5],
    ["0", 1, 0],
    ["0,25 điểm", 1, 0.25],
    ["1", 1, 1],
  ])("%j (max %s) -> %s", (input, max, value) => {
    expect(validateManualScore(input, max)).toEqual({ ok: true, value });
  });

  it.each([
    ["1,6", 1.5, { key: "answer.errors.score_range", vars: { min: 0, max: 1.5 } }],
    ["-0,5", 1.5, { key: "answer.errors.score_range", vars: { min: 0, max: 1.5 } }],
    ["một", 1.5, { key: "answer.errors.score_invalid", vars: { max: 1.5 } }],
    ["0,333", 1.5, { key: "answer.errors.score_decimals", vars: { decimals: 2 } }],
    ["", 1.5, { key: "answer.errors.empty" }],
  ])("%j (max %s) -> error", (input, max, error) => {
    expect(validateManualScore(input, max)).toEqual({ ok: false, error });
  });
});

describe("parseAnswer then scoreAnswer", () => {
  const parsedScore = (question: AnswerQuestion & ScoringQuestion, input: string, manualScore?: number) => {
    const parsed = parseAnswer(question, input, { timeZone: TZ });
    if (!parsed.ok) throw new Error(`${input}: ${parsed.error.key}`);
    return scoreAnswer(question, parsed.value, { timeZone: TZ, manualScore });
  };

  it("scores what officers type", () => {
    const plan = {
      answerType: "PERCENT" as const,
      maxPoints: 2.5,
      scoringRule: {
        kind: "bands",
        bands: [
          { min: 100, points: 2.5 },
          { min: 80, points: 1.5 },
        ],
      },
    };
    expect(parsedScore(plan, "100%")).toBe(2.5);
    expect(parsedScore(plan, "85,5 %")).toBe(1.5);
    expect(parsedScore(plan, "79,9")).toBe(0);
    const reports = {
      answerType: "NUMBER" as const,
      maxPoints: 1,
      scoringRule: { kind: "per_item", pointsEach: 0.25 },
    };
    expect(parsedScore(reports, "3")).toBe(0.75);
    expect(parsedScore(reports, "1.234")).toBe(1);
    const issued = {
      answerType: "DATE" as const,
      maxPoints: 1,
      scoringRule: { kind: "deadline", deadline: "31/01/2019", onTime: 1, late: 0.5 },
      noDate: "NOT_ISSUED" as const,
    };
    expect(parsedScore(issued, "ngày 31 tháng 1 năm 2019")).toBe(1);
    expect(parsedScore(issued, "1-2-2019")).toBe(0.5);
    expect(parsedScore(issued, "chưa ban hành")).toBe(0);
    const yesNo = {
      answerType: "YES_NO" as const,
      maxPoints: 1,
      scoringRule: { kind: "boolean", na: 0 },
      notApplicable: "SCORED" as const,
    };
    expect(parsedScore(yesNo, "có ạ")).toBe(1);
    expect(parsedScore(yesNo, "khong ap dung")).toBe(0);
  });
});

// ------------------------------------------------------------------ the real questionnaire

type FileQuestion = QuestionnaireFile["areas"][number]["criteria"][number]["questions"][number];
type Q = FileQuestion & { scoringRule: ScoringRule };

const file = fileURLToPath(new URL("../../data/son-la-2019.yaml", import.meta.url));
let questions: Q[] = [];

beforeAll(async () => {
  const data = await loadDataFile(file);
  questions = data
    .questionnaire!.areas.flatMap((a) => a.criteria)
    .flatMap((c) => c.questions)
    .map((question) => ({ ...question, scoringRule: question.scoring }));
});

const WORDS = { yes: "Có", no: "không", na: "Không áp dụng" } as const;

/** What an officer would type for each possible answer of a question, with the manual score it needs. */
function candidates(question: Q): { input: string; manualScore?: number }[] {
  // Where the item may not arise, "Không áp dụng" too (it scores nothing).
  const na = question.notApplicable ? [{ input: WORDS.na, manualScore: 0 }] : [];
  return [...na, ...byRule(question)];
}

function byRule(question: Q): { input: string; manualScore?: number }[] {
  const rule = question.scoringRule;
  const max = question.maxPoints;
  switch (rule.kind) {
    case "boolean":
      return [{ input: WORDS.yes }, { input: WORDS.no }];
    case "bands": {
      const suffix = question.answerType === "PERCENT" ? "%" : "";
      const values = [...rule.bands.map((b) => b.min), 0];
      return values.map((v) => ({ input: `${formatNumber(v, "vi")}${suffix}` }));
    }
    case "per_item": {
      const enough = Math.ceil(max / rule.pointsEach);
      // As many as there can be, or more than enough.
      return [0, 1, enough, question.countMax ?? enough + 5].map((n) => ({ input: String(n) }));
    }
    case "choice":
      // the typed label, once with and once without diacritics
      return readChoices(question.choices).flatMap((c) => [
        { input: c.label },
        { input: c.label.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d") },
      ]);
    case "deadline": {
      const [d, m, y] = rule.deadline.split("/").map(Number) as [number, number, number];
      const next = new Date(Date.UTC(y, m - 1, d + 1));
      return [
        { input: `${d}/${m}/${y}` },
        { input: `${next.getUTCDate()}-${next.getUTCMonth() + 1}-${next.getUTCFullYear()}` },
        { input: "chưa ban hành" },
      ];
    }
    case "manual": {
      const sample = {
        YES_NO: "có",
        NUMBER: "3",
        PERCENT: "85,5%",
        CHOICE: "1",
        DATE: "15/03/2019",
        TEXT: "Có phần mềm quản lý văn bản và điều hành, sử dụng thường xuyên.",
      }[question.answerType];
      return [
        { input: sample, manualScore: max },
        { input: sample, manualScore: max / 2 },
        { input: sample, manualScore: 0 },
      ];
    }
  }
}

describe("data/son-la-2019.yaml", () => {
  it("has the 70 questions, 100 points", () => {
    expect(questions).toHaveLength(70);
    expect(sumScores(questions.map((x) => x.maxPoints))).toBe(100);
  });

  it("every question: each sensible typed answer parses and scores within 0..max; the best scores maxPoints", () => {
    const problems: string[] = [];
    for (const question of questions) {
      const scores: number[] = [];
      for (const { input, manualScore } of candidates(question)) {
        const parsed = parseAnswer(question, input, { timeZone: TZ });
        if (!parsed.ok) {
          problems.push(`${question.code} ${question.answerType}: ${JSON.stringify(input)} -> ${parsed.error.key}`);
          continue;
        }
        const score = scoreAnswer(question, parsed.value, { timeZone: TZ, manualScore });
        if (score === null || score < 0 || score > question.maxPoints) {
          problems.push(`${question.code}: ${JSON.stringify(input)} scored ${score}`);
          continue;
        }
        scores.push(score);
      }
      const best = Math.max(...scores);
      const worst = Math.min(...scores);
      const ceiling = ruleCeiling(question.scoringRule, question.maxPoints);
      if (best !== question.maxPoints || best !== ceiling || best !== bestScore(question)) {
        problems.push(`${question.code}: best ${best}, max ${question.maxPoints}, ceiling ${ceiling}`);
      }
      if (worst !== 0) problems.push(`${question.code}: worst ${worst}`);
    }
    expect(problems).toEqual([]);
  });

  it("the best answers add up to 100 and the worst to 0", () => {
    const best = questions.map((x) => bestScore(x));
    expect(sumScores(best)).toBe(100);
    const worst = questions.map((x) => {
      const rule = x.scoringRule;
      const value = { boolean: "no", bands: "0", per_item: "0", choice: "", deadline: "none", manual: "" }[rule.kind];
      return scoreAnswer(x, value, { manualScore: 0 });
    });
    expect(sumScores(worst)).toBe(0);
  });

  it.each([
    ["1.1.1", "15/01/2019", "2019-01-15", 1],
    ["1.1.1", "01/02/2019", "2019-02-01", 0.5],
    ["1.1.2", "85,5%", "85.5", 1.5],
    ["1.1.2", "100", "100", 2.5],
    ["1.2", "4", "4", 1],
    ["1.2", "3", "3", 0.75],
    ["1.3.2", "không phát hiện tồn tại, hạn chế", "khong-phat-hien", 1],
    ["1.3.2", "2", "xu-ly-mot-phan", 0.5],
    ["1.4", "2", "2", 1],
    ["1.5.1", "không", "khong", 0],
    ["6.3.2", "1", "1", 0.5],
    ["7.3.2", "23", "23", 0.5],
    ["7.3.2", "24", "24", 1],
    ["7.6.1", "Đang xây dựng hoặc chuyển đổi, chưa công bố", "dang-chuyen-doi", 1],
  ])("question %s: %j -> %j, %s points", (code, input, value, score) => {
    const question = questions.find((x) => x.code === code)!;
    const parsed = parseAnswer(question, input, { timeZone: TZ });
    expect(parsed.ok && parsed.value).toBe(value);
    expect(scoreAnswer(question, value)).toBe(score);
  });

  // N/A used to earn 3.2.1, 3.4.2, 2.1.2 and 5.3.1 their full points: no more.
  it("YES_NO questions: yes scores max, no scores 0, N/A nothing (only where the item may not arise)", () => {
    const yesNo = questions.filter((x) => x.answerType === "YES_NO");
    expect(yesNo.length).toBe(14);
    for (const question of yesNo) {
      expect(scoreAnswer(question, "yes")).toBe(question.maxPoints);
      expect(scoreAnswer(question, "no")).toBe(0);
      expect(scoreAnswer(question, "na")).toBe(0);
    }
    expect(
      yesNo
        .filter((x) => x.notApplicable)
        .map((x) => `${x.code} ${x.notApplicable}`)
        .sort(),
    ).toEqual(["2.1.2 EXCLUDED", "3.2.1 EXCLUDED", "3.4.2 EXCLUDED", "5.3.1 EXCLUDED"]);
  });

  it("N/A, counts, dates without a date and unit kinds are where the items imply them", () => {
    const of = (f: (x: Q) => unknown) =>
      questions
        .filter((x) => f(x) !== undefined)
        .map((x) => `${x.code}:${String(f(x))}`)
        .join(" ");
    expect(of((x) => x.notApplicable)).toBe(
      "2.1.1:EXCLUDED 2.1.2:EXCLUDED 3.2.1:EXCLUDED 3.4.2:EXCLUDED 3.5:EXCLUDED 5.3.1:EXCLUDED 5.3.2:EXCLUDED 6.3.1:EXCLUDED 6.3.2:EXCLUDED 6.5:EXCLUDED",
    );
    // Every NUMBER question counts something; 1.2 and 3.6 count four periodic reports at most.
    expect(questions.filter((x) => x.answerType === "NUMBER" && !x.countOf)).toEqual([]);
    expect(of((x) => x.countMax)).toBe("1.2:4 3.6:4");
    expect(of((x) => x.noDate)).toBe(
      "1.1.1:NOT_ISSUED 2.2.1:NOT_ISSUED 5.4.2:NOT_SENT 5.5.1:NOT_ISSUED 6.2:NOT_ISSUED 7.1.1:NOT_ISSUED",
    );
    expect(of((x) => x.appliesTo)).toBe("3.2.1:DEPARTMENT,BOARD,OFFICE");
    // No rule gives N/A points any more.
    expect(questions.filter((x) => x.scoringRule.kind === "boolean" && x.scoringRule.na !== undefined)).toEqual([]);
  });
});
