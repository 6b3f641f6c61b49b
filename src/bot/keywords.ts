/**
 * The words that press a button where there are no buttons (Zalo, src/channels/zalo/):
 * actions that move around — next, back, evidence, explanation, review, acknowledge — and
 * the answers a question allows beyond its type ("không áp dụng", "không ban hành") answer
 * to a keyword; every other button is a numbered choice.
 *
 * That split is what lets a question expecting a typed number take "3" as the answer: its
 * screen has keyword actions only, so no number is taken for a menu choice. The words are
 * in locales/<lang>/translation.json under `keywords` ("tiếp|tiep|câu sau"); the first one
 * is shown, every one works, with or without diacritics.
 */
import { NO_DATE, NOT_APPLICABLE } from "../domain/answers.ts";
import type { I18n } from "../i18n.ts";
import { parseAction as parseAccess } from "./features/access/callback-data.ts";
import { parseExplanationAction } from "./features/explanation/callback-data.ts";
import { noticeButtons, parseScheduleAction } from "./features/schedule/callback-data.ts";
import { parseAction as parseAssessment } from "./features/self-assessment/callback-data.ts";

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
  | "close";

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
  const explanation = parseExplanationAction(data);
  if (explanation) {
    // The items of the list are numbered choices; moving around answers to words.
    switch (explanation.kind) {
      case "next":
        return "next";
      case "back":
        return "back";
      case "explain":
        return "explain";
      case "list":
        return "list";
      default:
        return null;
    }
  }
  if (noticeButtons.parse(data)) return "acknowledge";
  if (parseScheduleAction(data)?.kind === "close") return "close";
  if (parseAccess(data)?.kind === "close") return "close";
  return null;
}

/** The words of each keyword in a language: `(data) => words | null` for the renderer. */
export function keywordsIn(i18n: I18n, locale: string): (data: string) => string[] | null {
  const t = i18n.forLocale(locale);
  return (data) => {
    const key = keywordOfAction(data);
    if (!key) return null;
    return t(`keywords.${key}`)
      .split("|")
      .map((w) => w.trim())
      .filter(Boolean);
  };
}
