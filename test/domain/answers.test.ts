import { describe, expect, it } from "vitest";
import {
  ANSWER_ERROR_KEYS,
  type AnswerQuestion,
  type AnswerType,
  describeAnswer,
  formatAnswer,
  formatNumber,
  formatNumberString,
  INPUT_MAX_LENGTH,
  isoToViDate,
  parseAnswer,
  parseLocaleNumber,
  parseManualScore,
  parseYesNo,
  readChoices,
  TEXT_MAX_LENGTH,
  viDateToIso,
} from "../../src/domain/answers.ts";

const TZ = "Asia/Ho_Chi_Minh";
const opts = { timeZone: TZ };

// A question whose item may not arise (3.4.2: no late files, nothing to apologise for).
const yesNo: AnswerQuestion = {
  answerType: "YES_NO",
  maxPoints: 1,
  scoringRule: { kind: "boolean" },
  notApplicable: "EXCLUDED",
};
// One that every unit answers yes or no (4.1.1).
const yesNoOnly: AnswerQuestion = { answerType: "YES_NO", maxPoints: 1, scoringRule: { kind: "boolean" } };
const number: AnswerQuestion = {
  answerType: "NUMBER",
  maxPoints: 1.5,
  scoringRule: { kind: "bands", bands: [{ min: 3, points: 1.5 }] },
};
const count: AnswerQuestion = {
  answerType: "NUMBER",
  maxPoints: 1,
  scoringRule: { kind: "per_item", pointsEach: 0.25 },
};
const percent: AnswerQuestion = { answerType: "PERCENT", maxPoints: 2, scoringRule: { kind: "manual" } };
const date: AnswerQuestion = {
  answerType: "DATE",
  maxPoints: 1,
  scoringRule: { kind: "deadline", deadline: "31/01/2019", onTime: 1, late: 0.5 },
};
// 1.1.1 and 5.4.2 of data/son-la-2019.yaml: a plan may not have been issued, a report not sent.
const issued: AnswerQuestion = { ...date, noDate: "NOT_ISSUED" };
const sent: AnswerQuestion = { ...date, noDate: "NOT_SENT", scoringRule: { kind: "manual" } };
// 1.2: four periodic reports a year at most.
const reports: AnswerQuestion = {
  code: "1.2",
  answerType: "NUMBER",
  maxPoints: 1,
  scoringRule: { kind: "per_item", pointsEach: 0.25 },
  countOf: "báo cáo",
  countMax: 4,
};
// 1.4: forms of communication, no natural maximum.
const forms: AnswerQuestion = { ...number, code: "1.4", countOf: "hình thức" };
// 3.5: a percentage whose item may not arise (no complaints received).
const percentNa: AnswerQuestion = { ...percent, notApplicable: "EXCLUDED" };
const text: AnswerQuestion = { answerType: "TEXT", maxPoints: 0.5, scoringRule: { kind: "manual" } };
// Question 1.3.2 of data/son-la-2019.yaml
const choice: AnswerQuestion = {
  answerType: "CHOICE",
  maxPoints: 1,
  choices: [
    { key: "xu-ly-het", label: "Đã xử lý hoặc kiến nghị xử lý tất cả" },
    { key: "xu-ly-mot-phan", label: "Đã xử lý hoặc kiến nghị xử lý một phần" },
    { key: "chua-xu-ly", label: "Chưa xử lý" },
    { key: "khong-phat-hien", label: "Không phát hiện tồn tại, hạn chế" },
  ],
  scoringRule: {
    kind: "choice",
    points: { "xu-ly-het": 1, "xu-ly-mot-phan": 0.5, "chua-xu-ly": 0, "khong-phat-hien": 1 },
  },
};
// Question 1.5.1: a key ("khong") that is also a typed word
const choiceWithKhong: AnswerQuestion = {
  answerType: "CHOICE",
  maxPoints: 1,
  choices: [
    { key: "cong-nhan-cap-tinh", label: "Có sáng kiến được công nhận cấp tỉnh" },
    { key: "ap-dung-tai-don-vi", label: "Có giải pháp mới được áp dụng tại đơn vị" },
    { key: "khong", label: "Không có" },
  ],
  scoringRule: { kind: "choice", points: { "cong-nhan-cap-tinh": 1, "ap-dung-tai-don-vi": 0.5, khong: 0 } },
};

const ALL: Record<AnswerType, AnswerQuestion> = {
  YES_NO: yesNo,
  NUMBER: number,
  PERCENT: percent,
  CHOICE: choice,
  DATE: date,
  TEXT: text,
};

/** The value of a successful parse, or the error (key and vars) of a failed one. */
function outcome(question: AnswerQuestion, input: string, options = opts) {
  const r = parseAnswer(question, input, options);
  return r.ok ? { value: r.value } : { error: r.error };
}

const T = (key: string, vars?: Record<string, string | number>) =>
  vars ? `T(${key} ${JSON.stringify(vars)})` : `T(${key})`;

describe("parseAnswer: every type", () => {
  it.each(Object.keys(ALL) as AnswerType[])("%s: empty or blank input is answer.errors.empty", (type) => {
    for (const input of ["", "   ", "\n\t ", "\u0000"]) {
      expect(parseAnswer(ALL[type], input, opts)).toEqual({ ok: false, error: { key: "answer.errors.empty" } });
    }
  });

  it.each(["YES_NO", "NUMBER", "PERCENT", "CHOICE", "DATE"] as AnswerType[])(
    "%s: input over 4000 characters is answer.errors.too_long",
    (type) => {
      for (const input of ["1".repeat(INPUT_MAX_LENGTH + 1), " ".repeat(5000), "có ".repeat(3000)]) {
        expect(parseAnswer(ALL[type], input, opts)).toEqual({
          ok: false,
          error: { key: "answer.errors.too_long", vars: { max: 4000, length: input.length } },
        });
      }
    },
  );

  it.each(["YES_NO", "NUMBER", "PERCENT", "CHOICE", "DATE"] as AnswerType[])(
    "%s: long junk up to the limit is a plain error, quickly",
    (type) => {
      const started = Date.now();
      for (const input of [
        "1".repeat(4000),
        "1.".repeat(2000),
        "1,".repeat(2000),
        `${" ".repeat(3998)}x!`,
        "ngày ".repeat(800),
        "a".repeat(4000),
      ]) {
        const r = parseAnswer(ALL[type], input, opts);
        expect(r.ok).toBe(false);
      }
      expect(Date.now() - started).toBeLessThan(1000);
    },
  );

  it("a non-string input (bad caller) is empty, not a crash", () => {
    expect(parseAnswer(yesNo, undefined as unknown as string, opts)).toEqual({
      ok: false,
      error: { key: "answer.errors.empty" },
    });
  });

  it("every error key used is listed in ANSWER_ERROR_KEYS under answer.errors", () => {
    for (const key of ANSWER_ERROR_KEYS) expect(key).toMatch(/^answer\.errors\.[a-z_]+$/);
    expect(new Set(ANSWER_ERROR_KEYS).size).toBe(ANSWER_ERROR_KEYS.length);
  });
});

describe("parseAnswer: YES_NO", () => {
  const yes = [
    "yes",
    "có",
    "Có",
    "CÓ",
    "co",
    "c",
    "C",
    "Yes",
    "y",
    "Y",
    "đã",
    "Đã",
    "da",
    "rồi",
    "roi",
    "đã có",
    "Có rồi",
  ];
  const yesDecorated = ["có.", "Có!", "có ạ", "Có ạ.", "dạ", "  có  ", "co\u0301"]; // last: decomposed "có"
  const no = [
    "no",
    "không",
    "Không",
    "KHÔNG",
    "khong",
    "k",
    "K",
    "ko",
    "Ko",
    "kg",
    "n",
    "N",
    "chưa",
    "chua",
    "không có",
  ];
  const noDecorated = ["chưa có", "không.", "Không ạ", "khong!"];
  const na = [
    "na",
    "không áp dụng",
    "Không áp dụng",
    "khong ap dung",
    "KHONG AP DUNG",
    "kad",
    "KAD",
    "n/a",
    "N/A",
    "NA",
    "n.a.",
    "không phát sinh",
    "khong phat sinh",
    "kps",
    "ko áp dụng",
    "not applicable",
    "Không   áp   dụng.",
  ];

  it.each([...yes, ...yesDecorated])("%j -> yes", (input) => {
    expect(parseAnswer(yesNo, input, opts)).toEqual({ ok: true, value: "yes", display: { key: "answer.values.yes" } });
  });
  it.each([...no, ...noDecorated])("%j -> no", (input) => {
    expect(parseAnswer(yesNo, input, opts)).toEqual({ ok: true, value: "no", display: { key: "answer.values.no" } });
  });
  it.each(na)("%j -> na", (input) => {
    expect(parseAnswer(yesNo, input, opts)).toEqual({ ok: true, value: "na", display: { key: "answer.values.na" } });
  });
  it.each(["có lẽ", "maybe", "1", "0", "x", "khôngg", "đúng", "yes no", "có không", "ok", "không biết", "nan"])(
    "%j -> answer.errors.yes_no",
    (input) => {
      expect(parseAnswer(yesNo, input, opts)).toEqual({ ok: false, error: { key: "answer.errors.yes_no" } });
      // Where N/A is not an answer, the error does not offer it.
      expect(parseAnswer(yesNoOnly, input, opts)).toEqual({ ok: false, error: { key: "answer.errors.yes_no_only" } });
    },
  );
  it.each(na)("%j where the question has no N/A -> answer.errors.na_not_allowed", (input) => {
    expect(parseAnswer(yesNoOnly, input, opts)).toEqual({ ok: false, error: { key: "answer.errors.na_not_allowed" } });
  });
  it("parseYesNo gives null for unknown words", () => {
    expect(parseYesNo("có")).toBe("yes");
    expect(parseYesNo("chưa")).toBe("no");
    expect(parseYesNo("kad")).toBe("na");
    expect(parseYesNo("hmm")).toBeNull();
  });
});

describe("parseAnswer: NUMBER", () => {
  it.each([
    ["0", "0"],
    ["7", "7"],
    ["007", "7"],
    [" 42 ", "42"],
    ["+4", "4"],
    ["-0", "0"],
    ["12,5", "12.5"],
    ["12.5", "12.5"],
    ["1.5", "1.5"],
    ["1234.5", "1234.5"],
    ["1.2345", "1.2345"],
    ["3,14159", "3.14159"],
    // a single dot followed by exactly 3 digits groups thousands
    ["1.234", "1234"],
    ["12.500", "12500"],
    ["123.456", "123456"],
    ["999.999", "999999"],
    // ... unless the integer part is 0 or starts with 0
    ["0.500", "0.5"],
    ["01.234", "1.234"],
    // a comma alone is always the decimal separator
    ["1,234", "1.234"],
    ["0,500", "0.5"],
    [",5", "0.5"],
    [".5", "0.5"],
    // several dots or several commas group thousands
    ["1.000.000", "1000000"],
    ["1,000,000", "1000000"],
    // both: the last one is the decimal separator
    ["1.234,5", "1234.5"],
    ["1,234.5", "1234.5"],
    ["12.345,67", "12345.67"],
    ["123.456,789", "123456.789"],
    // spaces group thousands
    ["1 234", "1234"],
    ["12 345,67", "12345.67"],
    ["1 234.567", "1234.567"],
    ["999\u00a0999", "999999"],
    // full-width digits
    ["１２３", "123"],
    // trailing zeros do not count as decimals
    ["5,0000000", "5"],
    ["0,000001", "0.000001"],
    ["1000000", "1000000"],
    ["1.000.000,0", "1000000"],
  ])("%j -> %j", (input, value) => {
    expect(outcome(number, input)).toEqual({ value });
  });

  it("display of a parsed number is Vietnamese style by default, English on request", () => {
    expect(parseAnswer(number, "1.234,5", opts)).toEqual({ ok: true, value: "1234.5", display: { text: "1.234,5" } });
    expect(parseAnswer(number, "1.234,5", { ...opts, locale: "en" })).toEqual({
      ok: true,
      value: "1234.5",
      display: { text: "1,234.5" },
    });
  });

  it.each([
    "abc",
    "1e3",
    "12a",
    "a12",
    "5.",
    "5,",
    ".",
    ",",
    "-",
    "+",
    "--5",
    "1.234.5",
    "1,23,456",
    "1.23.456",
    "1,5,3",
    "1.234,5.6",
    "1,234,5",
    "12 5",
    "1 23",
    "1.234 567",
    "1.234 567,5",
    "0x10",
    "Infinity",
    "NaN",
    "1/2",
    "½",
    "5 %",
    "5%",
    "mười",
    "5 cái",
    "1_000",
    "1'000",
  ])("%j -> answer.errors.number_invalid", (input) => {
    expect(outcome(number, input)).toEqual({ error: { key: "answer.errors.number_invalid" } });
  });

  it.each([
    "-1",
    "- 5",
    "\u22125",
    "-0,5",
    "1000000,5",
    "1.000.001",
    "2.000.000",
    "1 000 001",
    "1.234.567",
    "99999999999999999999",
  ])("%j -> answer.errors.number_range {0, 1000000}", (input) => {
    expect(outcome(number, input)).toEqual({
      error: { key: "answer.errors.number_range", vars: { min: 0, max: 1_000_000 } },
    });
  });

  it.each(["0,0000001", "1,1234567", "1.2345678"])("%j -> answer.errors.number_decimals {6}", (input) => {
    expect(outcome(number, input)).toEqual({ error: { key: "answer.errors.number_decimals", vars: { decimals: 6 } } });
  });

  it("a per_item question counts items: whole numbers only", () => {
    expect(outcome(count, "4")).toEqual({ value: "4" });
    expect(outcome(count, "2,0")).toEqual({ value: "2" });
    expect(outcome(count, "1.234")).toEqual({ value: "1234" });
    expect(outcome(count, "2,5")).toEqual({ error: { key: "answer.errors.number_whole" } });
    expect(outcome(count, "1,234")).toEqual({ error: { key: "answer.errors.number_whole" } });
    expect(outcome(count, "0.5")).toEqual({ error: { key: "answer.errors.number_whole" } });
    expect(outcome(count, "-2")).toEqual({ error: { key: "answer.errors.number_range", vars: { min: 0, max: 1e6 } } });
    // other rules take decimals
    expect(outcome(number, "2,5")).toEqual({ value: "2.5" });
  });

  it("a count may name what it counts: '3 hình thức', '4 báo cáo'", () => {
    for (const [input, value] of [
      ["3 hình thức", "3"],
      ["3 hinh thuc", "3"],
      ["3 Hình Thức.", "3"],
      ["12 hình thức tuyên truyền", "12"],
      ["0 hình thức", "0"],
    ]) {
      expect(outcome(forms, input!), input).toEqual({ value });
    }
    for (const [input, value] of [
      ["4 báo cáo", "4"],
      ["4 bao cao", "4"],
      ["3 báo cáo ạ", "3"],
    ]) {
      expect(outcome(reports, input!), input).toEqual({ value });
    }
    // Words on a number that is not a count, and words that say how many rather than what.
    expect(outcome(number, "3 hình thức")).toEqual({ error: { key: "answer.errors.number_invalid" } });
    for (const input of ["3 nghìn", "3 triệu hình thức", "3 %", "3 phần trăm", "hình thức 3", "3 hình thức 4"]) {
      expect(outcome(forms, input), input).toEqual({ error: { key: "answer.errors.number_invalid" } });
    }
  });

  it.each([
    "khoảng 3",
    "Khoảng 3 hình thức",
    "khoang 3",
    "tầm 3",
    "gần 3",
    "hơn 3",
    "trên 3",
    "dưới 3",
    "ít nhất 3",
    "tối thiểu 3",
    "~3",
    ">3",
    "3 trở lên",
    "3 hình thức trở lên",
    "3+",
    "3-4",
    "3 - 4",
    "3 đến 4",
    "3 hoặc 4",
    "3 hay 4 hình thức",
  ])("%j is an estimate, not a count -> answer.errors.number_approximate", (input) => {
    expect(outcome(forms, input)).toEqual({ error: { key: "answer.errors.number_approximate" } });
  });

  it("an estimate is asked again on any number question, and on a percentage", () => {
    expect(outcome(number, "khoảng 5")).toEqual({ error: { key: "answer.errors.number_approximate" } });
    expect(outcome(percent, "khoảng 80%")).toEqual({ error: { key: "answer.errors.number_approximate" } });
    expect(outcome(percent, "trên 90")).toEqual({ error: { key: "answer.errors.number_approximate" } });
  });

  it("a count with a maximum refuses more, and a count is a whole number (1.2: at most 4 reports)", () => {
    const tooMany = { error: { key: "answer.errors.count_max", vars: { code: "1.2", max: 4, of: "báo cáo" } } };
    for (const input of ["4", "0", "4 báo cáo", "4,0"]) expect(outcome(reports, input).value, input).toBeDefined();
    for (const input of ["5", "5 báo cáo", "1.234", "12", "1.000"])
      expect(outcome(reports, input), input).toEqual(tooMany);
    for (const input of ["1,234", "2,5", "0,5 báo cáo", "3.5"]) {
      expect(outcome(reports, input), input).toEqual({ error: { key: "answer.errors.number_whole" } });
    }
    // Whole numbers for every count, with or without a maximum.
    expect(outcome(forms, "2,5")).toEqual({ error: { key: "answer.errors.number_whole" } });
    expect(outcome(forms, "250")).toEqual({ value: "250" });
  });

  it("Vietnamese display of any accepted value reads back as the same value", () => {
    for (const value of ["0", "7", "0.5", "1.234", "12.5", "1234", "1234.5", "999999.999999", "1000000", "100.25"]) {
      const shown = formatAnswer(number, value, "vi", T);
      expect(outcome(number, shown)).toEqual({ value });
    }
  });
});

describe("parseAnswer: PERCENT", () => {
  it.each([
    ["85", "85"],
    ["85%", "85"],
    ["85 %", "85"],
    [" 85\u00a0% ", "85"],
    ["85,5 %", "85.5"],
    ["85,5%", "85.5"],
    ["85.5", "85.5"],
    ["85.5%", "85.5"],
    ["0", "0"],
    ["0%", "0"],
    ["0,5%", "0.5"],
    [",5", "0.5"],
    ["100", "100"],
    ["100%", "100"],
    ["100,0", "100"],
    ["100.000", "100"],
    ["99.999", "99.999"], // no thousands separator in a percentage: the dot is decimal
    ["1.000", "1"],
    ["66,666667", "66.666667"],
    ["８５％", "85"],
    ["+50%", "50"],
  ])("%j -> %j", (input, value) => {
    expect(outcome(percent, input)).toEqual({ value });
  });

  it("display is the number with a percent sign", () => {
    expect(parseAnswer(percent, "85.5", opts)).toEqual({ ok: true, value: "85.5", display: { text: "85,5%" } });
    expect(parseAnswer(percent, "85,5", { ...opts, locale: "en" })).toEqual({
      ok: true,
      value: "85.5",
      display: { text: "85.5%" },
    });
  });

  it.each([
    "abc",
    "85%%",
    "%85",
    "%",
    "1.234,5",
    "1.000.000",
    "1 000",
    "85 phần trăm",
    "5.",
    "1e2",
    "8 5",
    "85/100",
    "85‰",
  ])("%j -> answer.errors.percent_invalid", (input) => {
    expect(outcome(percent, input)).toEqual({ error: { key: "answer.errors.percent_invalid" } });
  });

  it.each(["101", "100,01", "100.5%", "-5", "-0,1%", "1000", "12345"])(
    "%j -> answer.errors.percent_range {0, 100}",
    (input) => {
      expect(outcome(percent, input)).toEqual({
        error: { key: "answer.errors.percent_range", vars: { min: 0, max: 100 } },
      });
    },
  );

  it("'không áp dụng' (typed or the button's 'na') where the item allows it, refused elsewhere", () => {
    for (const input of ["không áp dụng", "Không áp dụng", "khong ap dung", "kad", "na", "không phát sinh", "N/A"]) {
      expect(parseAnswer(percentNa, input, opts), input).toEqual({
        ok: true,
        value: "na",
        display: { key: "answer.values.na" },
      });
      expect(outcome(percent, input), input).toEqual({ error: { key: "answer.errors.na_not_allowed" } });
    }
    expect(outcome(percentNa, "85%")).toEqual({ value: "85" });
  });

  it("more than 6 decimals -> answer.errors.number_decimals", () => {
    expect(outcome(percent, "66,6666667%")).toEqual({
      error: { key: "answer.errors.number_decimals", vars: { decimals: 6 } },
    });
  });
});

describe("parseAnswer: CHOICE", () => {
  it.each([
    // button data: the key
    ["xu-ly-het", "xu-ly-het"],
    ["chua-xu-ly", "chua-xu-ly"],
    ["XU-LY-HET", "xu-ly-het"],
    // the label, with or without diacritics and punctuation
    ["Chưa xử lý", "chua-xu-ly"],
    ["chưa xử lý", "chua-xu-ly"],
    ["chua xu ly", "chua-xu-ly"],
    ["CHƯA XỬ LÝ.", "chua-xu-ly"],
    ["Đã xử lý hoặc kiến nghị xử lý tất cả", "xu-ly-het"],
    ["da xu ly hoac kien nghi xu ly mot phan", "xu-ly-mot-phan"],
    ["Không phát hiện tồn tại, hạn chế", "khong-phat-hien"],
    ["khong phat hien ton tai han che", "khong-phat-hien"],
    // its number, 1-based
    ["1", "xu-ly-het"],
    ["2", "xu-ly-mot-phan"],
    ["3", "chua-xu-ly"],
    ["3.", "chua-xu-ly"],
    ["3)", "chua-xu-ly"],
    ["4", "khong-phat-hien"],
    ["04", "khong-phat-hien"],
    // the key written as words
    ["xu ly het", "xu-ly-het"],
    // words found in exactly one label
    ["một phần", "xu-ly-mot-phan"],
    ["tất cả", "xu-ly-het"],
    ["phan", "xu-ly-mot-phan"],
    ["không phát hiện", "khong-phat-hien"],
  ])("%j -> %j", (input, value) => {
    expect(outcome(choice, input)).toEqual({ value });
  });

  it("display is the choice's label", () => {
    expect(parseAnswer(choice, "3", opts)).toEqual({ ok: true, value: "chua-xu-ly", display: { text: "Chưa xử lý" } });
  });

  it.each(["xử lý", "kiến nghị", "da xu ly", "xu ly hoac kien nghi", "xu-ly"])(
    "%j matches several labels -> answer.errors.choice_ambiguous",
    (input) => {
      expect(outcome(choice, input)).toEqual({ error: { key: "answer.errors.choice_ambiguous", vars: { count: 4 } } });
    },
  );

  it.each(["5", "0", "99", "abc", "ly", "xu", "het!", "tồn tại hạn chế nhiều", "có"])(
    "%j -> answer.errors.choice_unknown",
    (input) => {
      expect(outcome(choice, input)).toEqual({ error: { key: "answer.errors.choice_unknown", vars: { count: 4 } } });
    },
  );

  it("a key that is also a word matches that choice", () => {
    expect(outcome(choiceWithKhong, "không")).toEqual({ value: "khong" });
    expect(outcome(choiceWithKhong, "Không có")).toEqual({ value: "khong" });
    expect(outcome(choiceWithKhong, "khong")).toEqual({ value: "khong" });
    expect(outcome(choiceWithKhong, "cấp tỉnh")).toEqual({ value: "cong-nhan-cap-tinh" });
    expect(outcome(choiceWithKhong, "co")).toEqual({
      error: { key: "answer.errors.choice_unknown", vars: { count: 3 } },
    });
  });

  it("a CHOICE question without choices is a bug and throws", () => {
    expect(() => parseAnswer({ answerType: "CHOICE", choices: null }, "1", opts)).toThrow(/no choices/);
  });

  it("readChoices keeps well-formed choices only", () => {
    expect(readChoices(null)).toEqual([]);
    expect(readChoices("x")).toEqual([]);
    expect(readChoices([{ key: "a", label: "A" }, { key: 1, label: "B" }, null, { key: "c" }])).toEqual([
      { key: "a", label: "A" },
    ]);
  });
});

describe("parseAnswer: DATE", () => {
  it.each([
    ["15/03/2019", "2019-03-15"],
    ["15/3/2019", "2019-03-15"],
    ["5/3/2019", "2019-03-05"],
    ["05/03/2019", "2019-03-05"],
    ["15-03-2019", "2019-03-15"],
    ["15.03.2019", "2019-03-15"],
    ["15.3.2019.", "2019-03-15"],
    [" 15 / 03 / 2019 ", "2019-03-15"],
    ["ngày 15/03/2019", "2019-03-15"],
    ["Ngày 15/3/2019.", "2019-03-15"],
    ["NGÀY 15-3-2019", "2019-03-15"],
    ["ngay 15.3.2019", "2019-03-15"],
    ["ngày 15 tháng 3 năm 2019", "2019-03-15"],
    ["Ngày 05 tháng 03 năm 2019", "2019-03-05"],
    ["15 thang 3, nam 2019", "2019-03-15"],
    ["2019-03-15", "2019-03-15"],
    ["2019-3-5", "2019-03-05"],
    ["29/02/2020", "2020-02-29"],
    ["31/01/2019", "2019-01-31"],
    ["31/12/2018", "2018-12-31"],
    ["01/01/2000", "2000-01-01"],
    ["31/12/2100", "2100-12-31"],
    ["１５/０３/２０１９", "2019-03-15"],
    // the ways officers write dates: two-digit years are the campaign's century
    ["15/1/19", "2019-01-15"],
    ["15/01/19", "2019-01-15"],
    ["15/03/19", "2019-03-15"],
    ["15-1-19", "2019-01-15"],
    ["15.1.19", "2019-01-15"],
    ["15/01/2019", "2019-01-15"],
    ["15-1-2019", "2019-01-15"],
    ["15.1.2019", "2019-01-15"],
    ["31/12/18", "2018-12-31"],
    ["ngày 15 tháng 1 năm 19", "2019-01-15"],
  ])("%j -> %j", (input, value) => {
    expect(outcome(date, input, { ...opts, year: 2019 } as typeof opts)).toEqual({ value });
  });

  it("a two-digit year is the year ending so nearest the campaign's; one too far is refused", () => {
    const inYear = (year: number) => ({ ...opts, year }) as typeof opts;
    expect(outcome(date, "15/1/19", inYear(2019))).toEqual({ value: "2019-01-15" });
    expect(outcome(date, "15/1/20", inYear(2019))).toEqual({ value: "2020-01-15" });
    expect(outcome(date, "15/1/99", inYear(2019))).toEqual({
      error: { key: "answer.errors.date_year", vars: { min: 2000, max: 2100 } },
    });
    expect(outcome(date, "31/2/19", inYear(2019))).toEqual({
      error: { key: "answer.errors.date_not_real", vars: { date: "31/02/2019" } },
    });
    // Without the campaign's year, the current year (in the configured zone) decides.
    const now = new Date("2019-06-01T00:00:00Z");
    expect(outcome(date, "15/1/19", { ...opts, now } as typeof opts)).toEqual({ value: "2019-01-15" });
  });

  it("display is dd/MM/yyyy", () => {
    expect(parseAnswer(date, "5-3-2019", opts)).toEqual({
      ok: true,
      value: "2019-03-05",
      display: { text: "05/03/2019" },
    });
  });

  it.each([
    "không",
    "Không",
    "chưa",
    "ko",
    "chưa ban hành",
    "Không ban hành.",
    "chưa gửi",
    "không có",
    "chưa thực hiện",
  ])("%j (never issued or sent) -> none, where the question allows it", (input) => {
    expect(parseAnswer(issued, input, opts)).toEqual({
      ok: true,
      value: "none",
      display: { key: "answer.values.not_issued" },
    });
    expect(parseAnswer(sent, input, opts)).toEqual({
      ok: true,
      value: "none",
      display: { key: "answer.values.not_sent" },
    });
    expect(outcome(date, input)).toEqual({ error: { key: "answer.errors.date_invalid" } });
  });

  it("'không ban hành' with and without diacritics, and the button's value", () => {
    for (const input of [
      "không ban hành",
      "Không ban hành",
      "khong ban hanh",
      "KHÔNG BAN HÀNH",
      "ko ban hanh",
      "none",
    ]) {
      expect(outcome(issued, input), input).toEqual({ value: "none" });
    }
    for (const input of ["không gửi", "khong gui", "chưa gửi", "none"]) {
      expect(outcome(sent, input), input).toEqual({ value: "none" });
    }
  });

  it("hôm nay / today is the date in the configured time zone", () => {
    const now = new Date("2019-03-14T18:30:00Z"); // 01:30 on 15/03 in Hà Nội
    for (const input of ["hôm nay", "Hôm nay", "hom nay", "today"]) {
      expect(outcome(date, input, { timeZone: TZ, now } as typeof opts)).toEqual({ value: "2019-03-15" });
      expect(outcome(date, input, { timeZone: "UTC", now } as typeof opts)).toEqual({ value: "2019-03-14" });
    }
  });

  it.each([
    "15/3/019",
    "15/03-2019",
    "15-03/2019",
    "2019/03/15",
    "15032019",
    "March 15, 2019",
    "15/03",
    "abc",
    "15 03 2019",
    "15//03/2019",
    "15/03/2019 08:00",
    "115/03/2019",
    "ngày mai",
    "có",
  ])("%j -> answer.errors.date_invalid", (input) => {
    expect(outcome(date, input)).toEqual({ error: { key: "answer.errors.date_invalid" } });
  });

  it.each([
    ["31/02/2019", "31/02/2019"],
    ["29/02/2019", "29/02/2019"],
    ["30/2/2020", "30/02/2020"],
    ["31/04/2019", "31/04/2019"],
    ["32/01/2019", "32/01/2019"],
    ["0/1/2019", "00/01/2019"],
    ["00/00/2019", "00/00/2019"],
    ["15/13/2019", "15/13/2019"],
    ["2019-02-30", "30/02/2019"],
    ["ngày 31 tháng 6 năm 2019", "31/06/2019"],
  ])("%j is not on the calendar -> answer.errors.date_not_real {date: %j}", (input, shown) => {
    expect(outcome(date, input)).toEqual({ error: { key: "answer.errors.date_not_real", vars: { date: shown } } });
  });

  it.each(["15/03/1999", "31/12/1999", "01/01/2101", "15/03/0019", "15/03/9999"])(
    "%j -> answer.errors.date_year {2000, 2100}",
    (input) => {
      expect(outcome(date, input)).toEqual({
        error: { key: "answer.errors.date_year", vars: { min: 2000, max: 2100 } },
      });
    },
  );

  it("date helpers", () => {
    expect(viDateToIso("15/03/2019")).toBe("2019-03-15");
    expect(viDateToIso("1/2/2019")).toBe("2019-02-01");
    expect(viDateToIso("31/02/2019")).toBeNull();
    expect(viDateToIso("2019-03-15")).toBeNull();
    expect(isoToViDate("2019-03-15")).toBe("15/03/2019");
    expect(isoToViDate("2019-02-30")).toBeNull();
    expect(isoToViDate("none")).toBeNull();
  });
});

describe("parseAnswer: TEXT", () => {
  it("is trimmed and kept as typed", () => {
    expect(parseAnswer(text, "  Có phần mềm quản lý văn bản  ", opts)).toEqual({
      ok: true,
      value: "Có phần mềm quản lý văn bản",
      display: { text: "Có phần mềm quản lý văn bản" },
    });
    expect(outcome(text, "Dòng 1\nDòng 2\n")).toEqual({ value: "Dòng 1\nDòng 2" });
    expect(outcome(text, "x")).toEqual({ value: "x" });
  });

  it("is NFC-normalised and loses NUL characters (PostgreSQL refuses them)", () => {
    expect(outcome(text, "Co\u0301 phe\u0302\u0300n me\u0302\u0300m")).toEqual({ value: "Có phền mềm" });
    expect(outcome(text, "a\u0000b")).toEqual({ value: "ab" });
  });

  it("takes up to 2000 characters as Telegram counts them in a message (escaped, UTF-16 units)", () => {
    expect(outcome(text, "a".repeat(TEXT_MAX_LENGTH))).toEqual({ value: "a".repeat(2000) });
    expect(outcome(text, `  ${"ệ".repeat(2000)}  `)).toEqual({ value: "ệ".repeat(2000) });
    expect(outcome(text, "😀".repeat(1000))).toEqual({ value: "😀".repeat(1000) });
    expect(outcome(text, "😀".repeat(1001))).toEqual({
      error: { key: "answer.errors.text_too_long", vars: { max: 2000, length: 2002 } },
    });
    expect(outcome(text, "&".repeat(400))).toEqual({ value: "&".repeat(400) });
    expect(outcome(text, "<".repeat(501))).toEqual({
      error: { key: "answer.errors.text_too_long", vars: { max: 2000, length: 2004 } },
    });
  });

  it.each([2001, 4001, 10_000])("%d characters -> answer.errors.text_too_long", (length) => {
    expect(outcome(text, "a".repeat(length))).toEqual({
      error: { key: "answer.errors.text_too_long", vars: { max: 2000, length } },
    });
  });
});

describe("formatAnswer / describeAnswer", () => {
  it("YES_NO values are i18n keys", () => {
    expect(formatAnswer(yesNo, "yes", "vi")).toEqual({ key: "answer.values.yes" });
    expect(formatAnswer(yesNo, "no", "en")).toEqual({ key: "answer.values.no" });
    expect(formatAnswer(yesNo, "na", "vi", T)).toBe("T(answer.values.na)");
    expect(formatAnswer(yesNo, "maybe", "vi", T)).toBe("maybe");
  });

  it.each([
    ["1234.5", "1.234,5", "1,234.5"],
    ["1000000", "1.000.000", "1,000,000"],
    ["0.5", "0,5", "0.5"],
    ["12", "12", "12"],
    ["123", "123", "123"],
    ["1234", "1.234", "1,234"],
    ["999999.999999", "999.999,999999", "999,999.999999"],
    ["not a number", "not a number", "not a number"],
  ])("NUMBER %j -> vi %j, en %j", (value, vi, en) => {
    expect(formatAnswer(number, value, "vi", T)).toBe(vi);
    expect(formatAnswer(number, value, "en", T)).toBe(en);
    expect(formatAnswer(number, value, "vi")).toEqual({ text: vi });
  });

  it.each([
    ["85.5", "85,5%", "85.5%"],
    ["100", "100%", "100%"],
    ["0", "0%", "0%"],
    ["x", "x", "x"],
  ])("PERCENT %j -> vi %j, en %j", (value, vi, en) => {
    expect(formatAnswer(percent, value, "vi", T)).toBe(vi);
    expect(formatAnswer(percent, value, "en", T)).toBe(en);
  });

  it("CHOICE shows the label; an unknown key shows as it is", () => {
    expect(formatAnswer(choice, "chua-xu-ly", "vi", T)).toBe("Chưa xử lý");
    expect(formatAnswer(choice, "chua-xu-ly", "en")).toEqual({ text: "Chưa xử lý" });
    expect(formatAnswer(choice, "gone", "vi", T)).toBe("gone");
  });

  it("DATE shows dd/MM/yyyy in both locales; none is an i18n key", () => {
    expect(formatAnswer(date, "2019-03-15", "vi", T)).toBe("15/03/2019");
    expect(formatAnswer(date, "2019-03-15", "en", T)).toBe("15/03/2019");
    expect(formatAnswer(date, "none", "vi")).toEqual({ key: "answer.values.none" });
    expect(formatAnswer(date, "none", "vi", T)).toBe("T(answer.values.none)");
    expect(formatAnswer(date, "2019-02-30", "vi", T)).toBe("2019-02-30");
    // As the question's button says.
    expect(formatAnswer(issued, "none", "vi", T)).toBe("T(answer.values.not_issued)");
    expect(formatAnswer(sent, "none", "en")).toEqual({ key: "answer.values.not_sent" });
  });

  it("N/A of any type is an i18n key", () => {
    expect(formatAnswer(percentNa, "na", "vi", T)).toBe("T(answer.values.na)");
    expect(formatAnswer(reports, "na", "en")).toEqual({ key: "answer.values.na" });
    expect(formatAnswer(choice, "na", "vi", T)).toBe("T(answer.values.na)");
    expect(formatAnswer(text, "na", "vi", T)).toBe("na");
  });

  it("TEXT shows the text", () => {
    expect(formatAnswer(text, "Mô tả <b>", "vi", T)).toBe("Mô tả <b>");
  });

  it("also takes (question, value, t, locale) and reads unknown locales as vi", () => {
    expect(formatAnswer(number, "1234.5", T, "en")).toBe("1,234.5");
    expect(formatAnswer(number, "1234.5", T)).toBe("1.234,5");
    expect(formatAnswer(number, "1234.5", T, "fr")).toBe("1.234,5");
    expect(formatAnswer(yesNo, "yes", T, "en")).toBe("T(answer.values.yes)");
    expect(describeAnswer(percent, "85.5", "en")).toEqual({ text: "85.5%" });
  });
});

describe("number helpers", () => {
  it.each([
    [1234.5, "1.234,5", "1,234.5"],
    [0.1 + 0.2, "0,3", "0.3"],
    [-0, "0", "0"],
    [1_000_000, "1.000.000", "1,000,000"],
    [1.5, "1,5", "1.5"],
    [-1234, "-1.234", "-1,234"],
    [1e-7, "0", "0"],
    [2.25, "2,25", "2.25"],
    [100, "100", "100"],
  ])("formatNumber(%s) -> vi %j, en %j", (n, vi, en) => {
    expect(formatNumber(n, "vi")).toBe(vi);
    expect(formatNumber(n, "en")).toBe(en);
  });

  it("formatNumberString refuses what is not a canonical number", () => {
    expect(formatNumberString("1234567.25", "vi")).toBe("1.234.567,25");
    expect(formatNumberString("1e5", "vi")).toBeNull();
    expect(formatNumberString("1,5", "vi")).toBeNull();
    expect(formatNumberString("", "vi")).toBeNull();
  });

  it("parseLocaleNumber in plain mode takes one separator, always decimal", () => {
    expect(parseLocaleNumber("1.234", "plain")).toEqual({ ok: true, value: 1.234, decimals: 3 });
    expect(parseLocaleNumber("1,50", "plain")).toEqual({ ok: true, value: 1.5, decimals: 1 });
    expect(parseLocaleNumber("-2", "plain")).toEqual({ ok: true, value: -2, decimals: 0 });
    expect(parseLocaleNumber("1.234,5", "plain")).toEqual({ ok: false });
    expect(parseLocaleNumber("1 234", "plain")).toEqual({ ok: false });
    expect(parseLocaleNumber("1.234,5", "grouped")).toEqual({ ok: true, value: 1234.5, decimals: 1 });
  });
});

describe("parseManualScore", () => {
  it.each([
    ["1,5", 1.5],
    ["1.5", 1.5],
    ["0", 0],
    ["2", 2],
    ["0,75", 0.75],
    ["0,75 điểm", 0.75],
    ["1đ", 1],
    ["1 diem", 1],
    ["1 Điểm.", 1],
    ["0,25.", 0.25],
    ["1,50", 1.5],
    ["1.000", 1],
    ["２", 2],
    [" ,5 ", 0.5],
  ])("%j (max 2) -> %s", (input, value) => {
    expect(parseManualScore(input, 2)).toEqual({ ok: true, value });
  });

  it.each(["2,5", "2.01", "-1", "-0,5", "3 điểm"])("%j (max 2) -> answer.errors.score_range", (input) => {
    expect(parseManualScore(input, 2)).toEqual({
      ok: false,
      error: { key: "answer.errors.score_range", vars: { min: 0, max: 2 } },
    });
  });

  it.each(["abc", "1,2,3", "1.234,5", "một", "1 5", "1e0", "5%", "1/2", "điểm"])(
    "%j -> answer.errors.score_invalid",
    (input) => {
      expect(parseManualScore(input, 1.5)).toEqual({
        ok: false,
        error: { key: "answer.errors.score_invalid", vars: { max: 1.5 } },
      });
    },
  );

  it("more than 2 decimals -> answer.errors.score_decimals", () => {
    expect(parseManualScore("0,125", 1)).toEqual({
      ok: false,
      error: { key: "answer.errors.score_decimals", vars: { decimals: 2 } },
    });
  });

  it("empty and too long", () => {
    expect(parseManualScore("  ", 1)).toEqual({ ok: false, error: { key: "answer.errors.empty" } });
    expect(parseManualScore("1".repeat(4001), 1)).toEqual({
      ok: false,
      error: { key: "answer.errors.too_long", vars: { max: 4000, length: 4001 } },
    });
  });
});
