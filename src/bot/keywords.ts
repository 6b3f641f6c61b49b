/**
 * The words that press a button where there are no buttons (Zalo, src/channels/zalo/):
 * actions that move around — next, back, evidence, explanation, review, acknowledge, keeping
 * a self-score in appraisal — and the answers a question allows beyond its type ("không áp
 * dụng", "không ban hành") answer to a keyword; an appraisal score is typed as itself; every
 * other button is a numbered choice.
 *
 * That split is what lets a question expecting a typed number take "3" as the answer: its
 * screen has keyword actions only, so no number is taken for a menu choice. The words are
 * in locales/<lang>/translation.json under `keywords` ("tiếp|tiep|câu sau"); the first one
 * is shown, every one works, with or without diacritics.
 */
import { formatNumber, NO_DATE, NOT_APPLICABLE } from "../domain/answers.ts";
import type { I18n } from "../i18n.ts";
import { parseAction as parseAccess } from "./features/access/callback-data.ts";
import { type AppraiseAction, appraiseButtons } from "./features/appraisal/callback-data.ts";
import { type ExplanationAction, parseExplanationAction } from "./features/explanation/callback-data.ts";
import { findingButtons } from "./features/findings/callback-data.ts";
import { minutesButtons } from "./features/minutes/callback-data.ts";
import { noticeButtons, parseScheduleAction } from "./features/schedule/callback-data.ts";
import { parseAction as parseAssessment } from "./features/self-assessment/callback-data.ts";
import { visitButtons } from "./features/visits/callback-data.ts";

/** Keys of `keywords.*` in the locales. */
export type KeywordKey =
  | "next"
  | "back"
  | "evidence"
  | "explain"
  | "review"
  | "leave"
  | "areas"
  | "list"
  | "not_applicable"
  | "no_date"
  | "acknowledge"
  | "close"
  | "done"
  | "keep"
  | "units"
  | "confirm_visit"
  | "request_move"
  | "accept_request"
  | "decline_request";

const APPRAISAL_WORDS: Partial<Record<AppraiseAction["kind"], KeywordKey>> = {
  accept: "keep",
  skip: "next",
  item: "back",
  list: "units",
};

const EXPLANATION_WORDS: Partial<Record<ExplanationAction["kind"], KeywordKey>> = {
  next: "next",
  back: "back",
  explain: "explain",
  list: "list",
};

/** The keyword of a button's action, or null for a numbered choice. */
export function keywordOfAction(data: string): KeywordKey | null {
  const assessment = parseAssessment(data);
  if (assessment) {
    switch (assessment.kind) {
      case "skip":
        return "next";
      case "back":
        return "back";
      case "evidence":
        return "evidence";
      case "explain":
        return "explain";
      case "review":
        return "review";
      case "leave":
        return "leave";
      case "list":
        return "areas";
      case "answer":
        if (assessment.value === NOT_APPLICABLE) return "not_applicable";
        if (assessment.value === NO_DATE) return "no_date";
        return null;
      default:
        return null;
    }
  }
  const appraisal = appraiseButtons.parse(data);
  // The item screen expects a typed score: its moves are words (scores: literalKeyword).
  if (appraisal) return APPRAISAL_WORDS[appraisal.kind] ?? null;
  const explanation = parseExplanationAction(data);
  // The items of the list are numbered choices; moving around answers to words.
  if (explanation) return EXPLANATION_WORDS[explanation.kind] ?? null;
  if (noticeButtons.parse(data)) return "acknowledge";
  // A visit's notice may come while a question waits for a typed number: its answers are
  // words, so a typed "3" stays the question's answer.
  const visit = visitButtons.parse(data);
  if (visit) {
    const words = {
      confirm: "confirm_visit",
      request: "request_move",
      // One request of several in /doilich: a numbered choice.
      show: null,
      accept: "accept_request",
      decline: "decline_request",
      // «✅ Xong» after the report's files, «✖️ Thôi» while a reason is awaited.
      stop: "done",
    } as const;
    return words[visit.kind];
  }
  // A step of the visit that takes text and files ends with a word people type anyway
  // ("xong"): a numbered «1» would be the only way out, and "xong" would be taken as text.
  if (findingButtons.parse(data)?.kind === "done") return "done";
  if (minutesButtons.parse(data)?.kind === "stop") return "done";
  if (parseScheduleAction(data)?.kind === "close") return "close";
  if (parseAccess(data)?.kind === "close") return "close";
  return null;
}

/**
 * A score button of the appraisal is typed as its score ("0,5"): the item screen expects a
 * typed score, so its choices cannot be numbered (a typed "1" is the score 1, not choice 1).
 */
function literalKeyword(data: string, locale: string): string[] | null {
  const action = appraiseButtons.parse(data);
  if (action?.kind !== "score") return null;
  return [formatNumber(action.hundredths / 100, locale === "en" ? "en" : "vi")];
}

/** The words of each keyword in a language: `(data) => words | null` for the renderer. */
export function keywordsIn(i18n: I18n, locale: string): (data: string) => string[] | null {
  const t = i18n.forLocale(locale);
  return (data) => {
    const literal = literalKeyword(data, locale);
    if (literal) return literal;
    const key = keywordOfAction(data);
    if (!key) return null;
    return t(`keywords.${key}`)
      .split("|")
      .map((w) => w.trim())
      .filter(Boolean);
  };
}
