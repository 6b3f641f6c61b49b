/**
 * What an officer types or taps as the answer to a question, turned into the canonical
 * value stored in Answer.value, and stored values shown back to people. No Telegram, no
 * database, and no words a person reads: errors and yes/no values are i18n keys
 * ("answer.errors.*", "answer.values.*") with variables.
 *
 * Canonical values by answer type:
 * - YES_NO:  "yes" | "no" | "na" (not applicable)
 * - NUMBER:  a plain JS number string, 0..1 000 000, at most 6 decimals: "1234", "12.5"
 * - PERCENT: the same, 0..100: "85.5"
 * - CHOICE:  the choice key: "xu-ly-het"
 * - DATE:    an ISO calendar date "2019-03-15", or "none" (never issued / never sent) where
 *            the question allows it (Question.noDate)
 * - TEXT:    the text, trimmed, NFC-normalised
 * Any type but TEXT may also be "na" where the question allows it (Question.notApplicable).
 *
 * How numbers are read (NUMBER), Vietnamese style first:
 * - A comma alone is the decimal separator: "12,5" = 12.5, "1,234" = 1.234.
 * - Several dots or several commas group thousands: "1.234.567" = "1,234,567" = 1234567.
 * - A single dot groups thousands only when it reads like it: 1–3 digits (not starting
 *   with 0) then exactly 3 digits: "1.234" = 1234, "12.500" = 12500. Otherwise it is a
 *   decimal point: "12.5", "1.2345", "0.500", "1234.5".
 * - Both dot and comma: the last one is the decimal separator, the other groups
 *   thousands: "1.234,5" = 1234.5 = "1,234.5".
 * - Spaces may group thousands: "1 234 567". Groups after the first have exactly 3 digits.
 * - A leading "+" is ignored; anything else (letters, units, "1e3") is refused, except that
 *   a count may be followed by what it counts: "3 hình thức", "4 báo cáo" (Question.countOf).
 * - An estimate or a range is not a number and is asked again: "khoảng 3", "hơn 5",
 *   "3 trở lên", "3-4", "3 hoặc 4".
 * PERCENT (and typed self-scores) never need a thousands separator, so there a single dot
 * or comma is always the decimal separator: "85,5" = "85.5" = 85.5, "99.999" = 99.999.
 */
import type { z } from "zod";
import type { AnswerTypeSchema, NoDateSchema, NotApplicableSchema } from "./campaign-file.ts";
import { fold, renderedLength } from "./text.ts";
import { formatDate } from "./time.ts";

export type AnswerType = z.infer<typeof AnswerTypeSchema>;
export type NoDateKind = z.infer<typeof NoDateSchema>;
export type NotApplicableMode = z.infer<typeof NotApplicableSchema>;
export type AnswerLocale = "vi" | "en";
export type MessageVars = Record<string, string | number>;
/** Same shape as src/i18n.ts `Translate`, which can be passed as is. */
export type Translate = (key: string, vars?: MessageVars) => string;

export interface Choice {
  key: string;
  label: string;
}

/** The parts of a question (Prisma Question or data-file question) parsing needs. */
export interface AnswerQuestion {
  /** "1.2": named in refusals. */
  code?: string;
  answerType: AnswerType;
  /** CHOICE questions: [{ key, label }] (Prisma Json). */
  choices?: unknown;
  maxPoints?: number;
  /** A per_item rule makes a NUMBER answer a count: whole numbers only. */
  scoringRule?: unknown;
  /** NUMBER: what it counts ("báo cáo"): whole numbers, which may be followed by words. */
  countOf?: string | null;
  /** NUMBER: the most there can be. */
  countMax?: number | null;
  /** DATE: "never issued / never sent" is an answer, and how it reads. */
  noDate?: NoDateKind | null;
  /** "Not applicable" is an answer (what it scores is scoring.ts's and progress.ts's business). */
  notApplicable?: NotApplicableMode | null;
}

export const INPUT_MAX_LENGTH = 4000;
export const TEXT_MAX_LENGTH = 2000;
/** An explanation (why evidence is missing, why a changed score should stand) says something: a few words at least. */
export const EXPLANATION_MIN_LENGTH = 10;
export const NUMBER_MIN = 0;
export const NUMBER_MAX = 1_000_000;
export const PERCENT_MAX = 100;
export const MAX_DECIMALS = 6;
export const YEAR_MIN = 2000;
export const YEAR_MAX = 2100;
/** The DATE value of "never issued / never sent". */
export const NO_DATE = "none";
/** The value of a "not applicable" answer, whatever the type. */
export const NOT_APPLICABLE = "na";

export const ANSWER_ERROR_KEYS = [
  "answer.errors.empty",
  "answer.errors.too_long",
  "answer.errors.yes_no",
  "answer.errors.yes_no_only",
  "answer.errors.na_not_allowed",
  "answer.errors.number_invalid",
  "answer.errors.number_range",
  "answer.errors.number_decimals",
  "answer.errors.number_whole",
  "answer.errors.number_approximate",
  "answer.errors.count_max",
  "answer.errors.percent_invalid",
  "answer.errors.percent_range",
  "answer.errors.choice_unknown",
  "answer.errors.choice_ambiguous",
  "answer.errors.date_invalid",
  "answer.errors.date_not_real",
  "answer.errors.date_year",
  "answer.errors.text_too_long",
  "answer.errors.text_too_short",
  "answer.errors.score_invalid",
  "answer.errors.score_range",
  "answer.errors.score_decimals",
] as const;
export type AnswerErrorKey = (typeof ANSWER_ERROR_KEYS)[number];

export const ANSWER_VALUE_KEYS = [
  "answer.values.yes",
  "answer.values.no",
  "answer.values.na",
  "answer.values.none",
  "answer.values.not_issued",
  "answer.values.not_sent",
];

export interface AnswerError {
  key: AnswerErrorKey;
  vars?: MessageVars;
}

/** A value as people read it: an i18n key (yes/no/na/none) or ready text. */
export type AnswerDisplay = { key: string; vars?: MessageVars } | { text: string };

export type ParseResult = { ok: true; value: string; display: AnswerDisplay } | { ok: false; error: AnswerError };

export interface ParseOptions {
  /** For "hôm nay" (today) in DATE answers. */
  timeZone: string;
  /**
   * The campaign's year: a two-digit year is the year ending in those digits nearest to it
   * ("15/1/19" in the 2019 campaign is 2019). Without it, the current year.
   */
  year?: number;
  /** Locale of the returned display; Vietnamese by default. */
  locale?: AnswerLocale;
  /** The current instant (tests). */
  now?: Date;
}

const fail = (key: AnswerErrorKey, vars?: MessageVars): { ok: false; error: AnswerError } =>
  vars ? { ok: false, error: { key, vars } } : { ok: false, error: { key } };

// ------------------------------------------------------------------ numbers

export type NumberMode = "grouped" | "plain";

export type LocaleNumber = { ok: true; value: number; decimals: number } | { ok: false };

/**
 * Reads a non-negative or negative number written Vietnamese or English style (see the
 * module comment). `grouped` allows thousands separators (NUMBER); `plain` takes a single
 * dot or comma as the decimal separator (PERCENT, scores). `decimals` counts significant
 * decimals (trailing zeros dropped). Never throws.
 */
export function parseLocaleNumber(text: string, mode: NumberMode): LocaleNumber {
  let s = text
    .normalize("NFKC")
    .replace(/[\u00a0\u2007\u2009\u202f]/g, " ")
    .replace(/\u2212/g, "-")
    .trim();
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1).trimStart();
  }
  if (!/^[\d., ]+$/.test(s) || !/\d/.test(s)) return { ok: false };
  const dots = s.split(".").length - 1;
  const commas = s.split(",").length - 1;
  let int: string;
  let frac: string | null = null;
  if (mode === "plain") {
    if (s.includes(" ") || dots + commas > 1) return { ok: false };
    const sep = dots === 1 ? "." : commas === 1 ? "," : null;
    [int, frac] = sep ? (s.split(sep) as [string, string]) : [s, null];
  } else {
    let dec: "." | "," | null = null;
    let group: "." | "," | null = null;
    if (dots > 0 && commas > 0) {
      dec = s.lastIndexOf(".") > s.lastIndexOf(",") ? "." : ",";
      group = dec === "." ? "," : ".";
      if ((dec === "." ? dots : commas) > 1) return { ok: false };
    } else if (commas > 0) {
      if (commas === 1) dec = ",";
      else group = ",";
    } else if (dots > 0) {
      if (dots > 1 || /^[1-9]\d{0,2}\.\d{3}$/.test(s)) group = ".";
      else dec = ".";
    }
    [int, frac] = dec ? (s.split(dec) as [string, string]) : [s, null];
    if (!/^\d*$/.test(int)) {
      const sep = group ?? (int.includes(" ") ? " " : null);
      if (!sep || (group && int.includes(" "))) return { ok: false };
      const grouped =
        sep === "."
          ? /^[1-9]\d{0,2}(?:\.\d{3})+$/
          : sep === ","
            ? /^[1-9]\d{0,2}(?:,\d{3})+$/
            : /^[1-9]\d{0,2}(?: \d{3})+$/;
      if (!grouped.test(int)) return { ok: false };
      int = int.replaceAll(sep, "");
    }
  }
  if (frac !== null && !/^\d+$/.test(frac)) return { ok: false };
  if (!/^\d*$/.test(int) || (int === "" && frac === null)) return { ok: false };
  const value = Number(`${int || "0"}.${frac ?? "0"}`);
  if (!Number.isFinite(value)) return { ok: false };
  const decimals = (frac ?? "").replace(/0+$/, "").length;
  return { ok: true, value: negative && value !== 0 ? -value : value, decimals };
}

/** 1234.5 -> "1234.5"; never exponent notation for values this module accepts. */
function canonicalNumber(value: number): string {
  return String(value === 0 ? 0 : value);
}

const SEPARATORS: Record<AnswerLocale, { group: string; decimal: string }> = {
  vi: { group: ".", decimal: "," },
  en: { group: ",", decimal: "." },
};

/** A canonical number string ("1234.5") as written in `locale` ("1.234,5"); null if it is not one. */
export function formatNumberString(value: string, locale: AnswerLocale): string | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return null;
  const { group, decimal } = SEPARATORS[locale];
  const int = m[2]!.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${m[1]}${int}${m[3] ? decimal + m[3] : ""}`;
}

/** A number as written in `locale`, at most 6 decimals: 1234.5 -> "1.234,5" (vi). */
export function formatNumber(value: number, locale: AnswerLocale): string {
  if (!Number.isFinite(value)) return String(value);
  const fixed = value.toFixed(MAX_DECIMALS).replace(/\.?0+$/, "");
  return formatNumberString(fixed === "-0" ? "0" : fixed, locale) ?? fixed;
}

// ------------------------------------------------------------------ choices

/** The choices of a question from its Prisma Json or data-file value; [] when missing or malformed. */
export function readChoices(choices: unknown): Choice[] {
  if (!Array.isArray(choices)) return [];
  return choices.filter(
    (c): c is Choice => typeof c === "object" && c !== null && typeof c.key === "string" && typeof c.label === "string",
  );
}

/** Lower-case ASCII words: "Đã xử lý (hoặc…)" -> "da xu ly hoac". */
const words = (text: string) =>
  fold(text)
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

function parseChoice(choices: Choice[], input: string): { ok: true; key: string } | { ok: false; error: AnswerError } {
  if (choices.length === 0) throw new Error("a CHOICE question has no choices");
  const count = choices.length;
  const byKey = choices.find((c) => c.key === input || c.key.toLowerCase() === input.toLowerCase());
  if (byKey) return { ok: true, key: byKey.key };
  const typed = words(input);
  const exact =
    choices.find((c) => words(c.label) === typed) ?? choices.find((c) => words(c.key) === typed && typed !== "");
  if (exact) return { ok: true, key: exact.key };
  const number = /^(\d{1,3})\s*[.)]?$/.exec(input.normalize("NFKC"));
  if (number) {
    const choice = choices[Number(number[1]) - 1];
    return choice ? { ok: true, key: choice.key } : fail("answer.errors.choice_unknown", { count });
  }
  if (typed.length >= 3) {
    const found = choices.filter((c) => ` ${words(c.label)} `.includes(` ${typed} `));
    if (found.length === 1) return { ok: true, key: found[0]!.key };
    if (found.length > 1) return fail("answer.errors.choice_ambiguous", { count });
  }
  return fail("answer.errors.choice_unknown", { count });
}

// ------------------------------------------------------------------ yes / no

const YES = new Set(["yes", "y", "co", "c", "da", "roi", "da co", "co roi", "da roi"]);
const NO = new Set(["no", "n", "khong", "k", "ko", "kg", "khg", "chua", "khong co", "chua co", "ko co", "k co"]);
const NA = new Set([
  "na",
  "n/a",
  "n.a",
  "kad",
  "kps",
  "khong ap dung",
  "ko ap dung",
  "k ap dung",
  "khong phat sinh",
  "ko phat sinh",
  "k phat sinh",
  "not applicable",
]);

/** Folded typed words without closing punctuation or the polite particle "ạ". */
function typedWords(input: string): string {
  return fold(input)
    .replace(/[\s.!?,;:]+$/, "")
    .replace(/\s+a$/, "")
    .trim();
}

export function parseYesNo(input: string): "yes" | "no" | "na" | null {
  const w = typedWords(input);
  if (NA.has(w)) return "na";
  if (YES.has(w)) return "yes";
  if (NO.has(w)) return "no";
  return null;
}

// ------------------------------------------------------------------ dates

const pad2 = (n: number) => String(n).padStart(2, "0");

/** y-m-d -> "2019-03-15" when it is a real calendar date (no 31/02), else null. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (month < 1 || month > 12 || day < 1) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, "0")}-${pad2(month)}-${pad2(day)}`;
}

/** "15/03/2019" (also d/M/yyyy) -> "2019-03-15"; null when not such a real date. */
export function viDateToIso(text: string): string | null {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  return m ? isoDate(Number(m[3]), Number(m[2]), Number(m[1])) : null;
}

/** "2019-03-15" -> "15/03/2019"; null when not a real ISO date. */
export function isoToViDate(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m || !isoDate(Number(m[1]), Number(m[2]), Number(m[3]))) return null;
  return `${m[3]}/${m[2]}/${m[1]}`;
}

/**
 * "19" -> the year ending in 19 nearest to the campaign's year (2019), so "15/1/19" is read
 * as an officer means it; one far from it ("99" -> 1999) is then refused by the year range.
 */
function nearestYear(twoDigits: number, options: ParseOptions): number {
  const reference = options.year ?? Number(formatDate(options.now ?? new Date(), options.timeZone).slice(-4));
  const year = Math.floor(reference / 100) * 100 + twoDigits;
  if (year - reference > 50) return year - 100;
  if (reference - year > 50) return year + 100;
  return year;
}

const NO_DATE_WORDS = /^(khong|ko|k|kg|chua|no|none|not)( co| ban hanh| gui| thuc hien| issued| sent)?$/;
const TODAY_WORDS = new Set(["hom nay", "today"]);

function parseDate(
  question: AnswerQuestion,
  input: string,
  options: ParseOptions,
): { ok: true; value: string } | { ok: false; error: AnswerError } {
  // Folded: "Ngày 15 tháng 3 năm 2019." -> "ngay 15 thang 3 nam 2019"
  const w = typedWords(input.normalize("NFKC"));
  if (NO_DATE_WORDS.test(w)) return question.noDate ? { ok: true, value: NO_DATE } : fail("answer.errors.date_invalid");
  if (TODAY_WORDS.has(w)) {
    return { ok: true, value: viDateToIso(formatDate(options.now ?? new Date(), options.timeZone))! };
  }
  const s = w.replace(/^ngay\s*/, "");
  let year: number;
  let month: number;
  let day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const vi = /^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})$/.exec(s);
  const long = /^(\d{1,2}) thang (\d{1,2}),? nam (\d{4}|\d{2})$/.exec(s);
  const yearOf = (digits: string) => (digits.length === 2 ? nearestYear(Number(digits), options) : Number(digits));
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (vi) [year, month, day] = [yearOf(vi[4]!), Number(vi[3]), Number(vi[1])];
  else if (long) [year, month, day] = [yearOf(long[3]!), Number(long[2]), Number(long[1])];
  else return fail("answer.errors.date_invalid");
  if (year < YEAR_MIN || year > YEAR_MAX) return fail("answer.errors.date_year", { min: YEAR_MIN, max: YEAR_MAX });
  const value = isoDate(year, month, day);
  if (!value) return fail("answer.errors.date_not_real", { date: `${pad2(day)}/${pad2(month)}/${year}` });
  return { ok: true, value };
}

// ------------------------------------------------------------------ parse

function isPerItem(rule: unknown): boolean {
  return typeof rule === "object" && rule !== null && (rule as { kind?: unknown }).kind === "per_item";
}

/**
 * Words that make a number an estimate or a range rather than an exact figure: before it
 * ("khoảng 3", "hơn 5", "tối thiểu 2"), after it ("3 trở lên", "5+") or between two
 * ("3-4", "3 đến 4", "3 hoặc 4"). Such an answer is asked again, never guessed.
 */
const APPROXIMATE = [
  /^(khoang|tam|chung|gan|hon|tren|duoi|xap xi|uoc tinh|uoc chung|uoc|it nhat|toi thieu|toi da|co le|du kien|~|≈|>=?|<=?)\s*[+]?\d/,
  /\d\s*[+~…]/,
  /\d( [a-z ]*)? (tro len|tro xuong|tro lai|hon|tren|khoang)$/,
  /\d\s*(-|–|—|~|den|toi|hoac|hay)\s*\d/,
];

/** Words after a count that say how many, not what: "3 nghìn", "5 triệu", "80 phần trăm". */
const MULTIPLIERS = /^(nghin|ngan|trieu|ty|ti|tram|chuc|muoi|k|m|phan tram|%)( |$)/;

function isApproximate(input: string): boolean {
  const w = typedWords(input.normalize("NFKC"));
  return APPROXIMATE.some((re) => re.test(w));
}

/** "3 hình thức", "4 báo cáo" -> "3", "4": a count followed by what it counts; else null. */
function countWithWords(input: string): string | null {
  const m = /^\+?(\d[\d.,]*) ([a-z][a-z ]*)$/.exec(typedWords(input.normalize("NFKC")));
  return m && !MULTIPLIERS.test(m[2]!) ? m[1]! : null;
}

function parseNumberAnswer(
  question: AnswerQuestion,
  input: string,
): { ok: true; value: string } | ReturnType<typeof fail> {
  const counts = Boolean(question.countOf) || isPerItem(question.scoringRule);
  let n = parseLocaleNumber(input, "grouped");
  if (!n.ok && question.countOf && !isApproximate(input)) {
    const digits = countWithWords(input);
    if (digits !== null) n = parseLocaleNumber(digits, "grouped");
  }
  if (!n.ok) return fail(isApproximate(input) ? "answer.errors.number_approximate" : "answer.errors.number_invalid");
  if (n.value < NUMBER_MIN || n.value > NUMBER_MAX) {
    return fail("answer.errors.number_range", { min: NUMBER_MIN, max: NUMBER_MAX });
  }
  if (counts && n.decimals > 0) return fail("answer.errors.number_whole");
  if (question.countMax != null && n.value > question.countMax) {
    return fail("answer.errors.count_max", {
      code: question.code ?? "",
      max: question.countMax,
      of: question.countOf ?? "",
    });
  }
  if (n.decimals > MAX_DECIMALS) return fail("answer.errors.number_decimals", { decimals: MAX_DECIMALS });
  return { ok: true, value: canonicalNumber(n.value) };
}

function parsePercentAnswer(input: string): { ok: true; value: string } | ReturnType<typeof fail> {
  const n = parseLocaleNumber(input.normalize("NFKC").replace(/\s*[%٪]\s*$/, ""), "plain");
  if (!n.ok) return fail(isApproximate(input) ? "answer.errors.number_approximate" : "answer.errors.percent_invalid");
  if (n.value < 0 || n.value > PERCENT_MAX) return fail("answer.errors.percent_range", { min: 0, max: PERCENT_MAX });
  if (n.decimals > MAX_DECIMALS) return fail("answer.errors.number_decimals", { decimals: MAX_DECIMALS });
  return { ok: true, value: canonicalNumber(n.value) };
}

/**
 * Why a typed text (an answer of a TEXT question, an explanation) cannot be kept, or null.
 * Its length is measured as shown: after escaping, in the UTF-16 units Telegram counts
 * (src/domain/text.ts renderedLength).
 */
export function freeTextError(text: string, min = 1): AnswerError | null {
  const length = renderedLength(text);
  if (length > TEXT_MAX_LENGTH) return { key: "answer.errors.text_too_long", vars: { max: TEXT_MAX_LENGTH, length } };
  if ([...text].length < min) return { key: "answer.errors.text_too_short", vars: { min } };
  return null;
}

/**
 * What the officer typed or tapped (button data is the canonical value or choice key)
 * -> the canonical value and how to show it, or an error as an i18n key with variables.
 * Never throws on any input; throws only for a CHOICE question without choices.
 */
export function parseAnswer(question: AnswerQuestion, input: string, options: ParseOptions): ParseResult {
  const raw = typeof input === "string" ? input.replaceAll("\u0000", "") : "";
  const locale = options.locale ?? "vi";
  if (question.answerType === "TEXT") {
    const text = raw.normalize("NFC").trim();
    if (text === "") return fail("answer.errors.empty");
    const error = freeTextError(text);
    if (error) return { ok: false, error };
    return { ok: true, value: text, display: { text } };
  }
  if (raw.length > INPUT_MAX_LENGTH) {
    return fail("answer.errors.too_long", { max: INPUT_MAX_LENGTH, length: raw.length });
  }
  const s = raw.trim();
  if (s === "") return fail("answer.errors.empty");
  let result: { ok: true; value: string } | { ok: false; error: AnswerError };
  // "Không áp dụng" (typed, or the button's "na"): an answer only where the question says so.
  const notApplicable = parseYesNo(s) === NOT_APPLICABLE;
  switch (question.answerType) {
    case "YES_NO": {
      const value = parseYesNo(s);
      result = value
        ? { ok: true, value }
        : fail(question.notApplicable ? "answer.errors.yes_no" : "answer.errors.yes_no_only");
      break;
    }
    case "NUMBER":
      result = parseNumberAnswer(question, s);
      break;
    case "PERCENT":
      result = parsePercentAnswer(s);
      break;
    case "CHOICE": {
      const choice = parseChoice(readChoices(question.choices), s);
      // A choice's own label wins over the words for N/A.
      result = choice.ok
        ? { ok: true, value: choice.key }
        : notApplicable
          ? { ok: true, value: NOT_APPLICABLE }
          : choice;
      break;
    }
    case "DATE":
      result = parseDate(question, s, options);
      break;
    default:
      throw new Error(`unknown answer type ${String(question.answerType)}`);
  }
  if (notApplicable && (!result.ok || result.value === NOT_APPLICABLE)) {
    result = question.notApplicable ? { ok: true, value: NOT_APPLICABLE } : fail("answer.errors.na_not_allowed");
  }
  if (!result.ok) return result;
  return { ok: true, value: result.value, display: describeAnswer(question, result.value, locale) };
}

// ------------------------------------------------------------------ display

/** How "never issued / never sent" reads: as the question's button says. */
const NO_DATE_KEYS: Record<NoDateKind | "NONE", string> = {
  NOT_ISSUED: "answer.values.not_issued",
  NOT_SENT: "answer.values.not_sent",
  NONE: "answer.values.none",
};

/** How a stored value reads: an i18n key for yes/no/na/none, text otherwise. Unknown values show as they are. */
export function describeAnswer(question: AnswerQuestion, value: string, locale: AnswerLocale): AnswerDisplay {
  if (value === NOT_APPLICABLE && question.answerType !== "TEXT") return { key: "answer.values.na" };
  switch (question.answerType) {
    case "YES_NO":
      return value === "yes" || value === "no" || value === "na" ? { key: `answer.values.${value}` } : { text: value };
    case "NUMBER":
      return { text: formatNumberString(value, locale) ?? value };
    case "PERCENT": {
      const n = formatNumberString(value, locale);
      return { text: n === null ? value : `${n}%` };
    }
    case "CHOICE":
      return { text: readChoices(question.choices).find((c) => c.key === value)?.label ?? value };
    case "DATE":
      if (value === NO_DATE) return { key: NO_DATE_KEYS[question.noDate ?? "NONE"] };
      return { text: isoToViDate(value) ?? value };
    default:
      return { text: value };
  }
}

/** A display as a string: the key translated with `t`, or the text. */
export function renderDisplay(display: AnswerDisplay, t: Translate): string {
  return "text" in display ? display.text : t(display.key, display.vars);
}

const asLocale = (locale: string): AnswerLocale => (locale === "en" ? "en" : "vi");

/**
 * A stored value as people read it: "Có" (via answer.values.yes), "1.234,5", "85,5%",
 * "15/03/2019", a choice label, the text. Without `t`, the display (key or text) itself.
 * Also callable as formatAnswer(question, value, t, locale?). Unknown locales read as "vi".
 */
export function formatAnswer(question: AnswerQuestion, value: string, locale: AnswerLocale | string): AnswerDisplay;
export function formatAnswer(
  question: AnswerQuestion,
  value: string,
  locale: AnswerLocale | string,
  t: Translate,
): string;
export function formatAnswer(
  question: AnswerQuestion,
  value: string,
  t: Translate,
  locale?: AnswerLocale | string,
): string;
export function formatAnswer(
  question: AnswerQuestion,
  value: string,
  a: AnswerLocale | string | Translate,
  b?: AnswerLocale | string | Translate,
): AnswerDisplay | string {
  const t = typeof a === "function" ? a : typeof b === "function" ? b : undefined;
  const locale = asLocale(typeof a === "string" ? a : typeof b === "string" ? b : "vi");
  const display = describeAnswer(question, value, locale);
  return t ? renderDisplay(display, t) : display;
}

// ------------------------------------------------------------------ self-scores

export const SCORE_DECIMALS = 2;

export type ManualScoreResult = { ok: true; value: number } | { ok: false; error: AnswerError };

/**
 * A self-score typed by the officer: "1,5", "1.5", "0,75 điểm", "1đ"; 0..max, at most
 * 2 decimals (a single dot or comma is the decimal separator). Errors are i18n keys:
 * answer.errors.empty, too_long, score_invalid {max}, score_range {min, max},
 * score_decimals {decimals}. Also exported by scoring.ts as validateManualScore.
 */
export function parseManualScore(input: string, max: number): ManualScoreResult {
  const raw = typeof input === "string" ? input : "";
  if (raw.length > INPUT_MAX_LENGTH)
    return fail("answer.errors.too_long", { max: INPUT_MAX_LENGTH, length: raw.length });
  if (raw.trim() === "") return fail("answer.errors.empty");
  const withoutUnit = typedWords(raw.normalize("NFKC")).replace(/\s*(diem|d)$/, "");
  const n = parseLocaleNumber(withoutUnit, "plain");
  if (!n.ok) return fail("answer.errors.score_invalid", { max });
  if (n.value < 0 || n.value > max) return fail("answer.errors.score_range", { min: 0, max });
  if (n.decimals > SCORE_DECIMALS) return fail("answer.errors.score_decimals", { decimals: SCORE_DECIMALS });
  return { ok: true, value: Number(n.value.toFixed(SCORE_DECIMALS)) };
}
