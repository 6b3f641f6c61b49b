/** What the officer sees: texts and keyboards of the self-assessment, from locales/. */

import { InlineKeyboard } from "grammy";
import type { Answer, Evidence, ReformArea } from "../../../db/client.ts";
import { formatAnswer, NO_DATE, NOT_APPLICABLE } from "../../../domain/answers.ts";
import {
  answerStamp,
  type Missing,
  type QuestionWithContext,
  type ReviewItem,
  type UnitProgress,
} from "../../../domain/assessment.ts";
import type { Tally } from "../../../domain/progress.ts";
import { buttonLabel, escapeHtml, formatFileSize } from "../../../domain/text.ts";
import { deadlineStatus, formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import { encodeAction } from "./callback-data.ts";

const STATE_ICON = { NOT_STARTED: "⬜", IN_PROGRESS: "✏️", COMPLETE: "☑️", SUBMITTED: "✅" } as const;
const BUTTON_TITLE_MAX = 28;
/** Question buttons under a review (12 rows of 4); the rest are reached by next / back. */
const REVIEW_BUTTONS_MAX = 48;

/** 45,7: a percentage with one decimal. */
const pct = (ctx: BotContext, n: number) => num(ctx, Math.round(n * 10) / 10);
/** A tally's numbers as the texts take them: "12,5", "99". */
const tallyVars = (ctx: BotContext, t: Tally) => ({
  answered: t.answered,
  total: t.total,
  score: num(ctx, t.score),
  max: num(ctx, t.max),
});
/** "… 12,5/99 điểm (12,6%)": a score line and its percentage of the unit's maximum. */
const withPercent = (ctx: BotContext, text: string, t: Tally) =>
  ctx.t("assessment.with_percent", { text, percent: pct(ctx, t.percent) });

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** An area on its button: its short title from the data file, or its title cut at a word. */
const areaLabel = (area: ReformArea) => area.shortTitle ?? buttonLabel(area.title, BUTTON_TITLE_MAX);

/** "còn 12 ngày" / "đã hết hạn" next to the deadline. */
function deadlineLine(ctx: BotContext): string | null {
  const deadline = ctx.campaign?.selfAssessmentDeadline;
  if (!deadline) return null;
  const when = formatDateTime(deadline, ctx.config.TZ);
  const { passed, days } = deadlineStatus(deadline, ctx.now(), ctx.config.TZ);
  return passed
    ? ctx.t("assessment.deadline_passed", { when })
    : ctx.t("assessment.deadline_left", { when, count: days });
}

/** "ℹ️ 2 câu không áp dụng …": why a maximum is below the questionnaire's. */
function excludedLine(ctx: BotContext, t: Tally): string[] {
  if (t.excluded === 0) return [];
  return [
    ctx.t("assessment.max_reduced", {
      count: t.excluded,
      points: num(ctx, t.excludedPoints),
      max: num(ctx, t.max),
    }),
  ];
}

export function areaListView(ctx: BotContext, unitName: string, progress: UnitProgress) {
  const lines = [ctx.t("assessment.list_title", { unit: unitName })];
  const deadline = deadlineLine(ctx);
  if (deadline) lines.push(deadline);
  lines.push(
    withPercent(ctx, ctx.t("assessment.list_total", tallyVars(ctx, progress.total)), progress.total),
    ...excludedLine(ctx, progress.total),
    "",
  );
  const kb = new InlineKeyboard();
  for (const [i, p] of progress.areas.entries()) {
    if (i > 0) kb.row();
    lines.push(
      `<b>${p.area.code}. ${escapeHtml(p.area.title)}</b>`,
      `   ${STATE_ICON[p.state]} ${ctx.t(`assessment.state.${p.state}`)} · ${withPercent(
        ctx,
        ctx.t("assessment.area_counts", tallyVars(ctx, p)),
        p,
      )}`,
    );
    kb.text(
      `${STATE_ICON[p.state]} ${p.area.code}. ${areaLabel(p.area)}`,
      encodeAction({ kind: "area", areaId: p.area.id }),
    );
  }
  lines.push("", ctx.t("assessment.list_hint"));
  return { text: lines.join("\n"), keyboard: kb };
}

export interface QuestionViewInput {
  question: QuestionWithContext;
  answer: Answer | null;
  answeredByName?: string | null;
  evidenceCount: number;
  position: { index: number; total: number };
  locked: boolean;
}

/** The prompt under a question: what to tap or type, and the answers it allows beyond its type. */
function promptFor(ctx: BotContext, q: QuestionWithContext): string {
  const lines = [
    q.answerType === "YES_NO" && !q.notApplicable
      ? ctx.t("assessment.prompt_yes_no_only")
      : q.answerType === "NUMBER" && q.countOf
        ? q.countMax != null
          ? ctx.t("assessment.prompt_count_max", { of: q.countOf, max: q.countMax })
          : ctx.t("assessment.prompt_count", { of: q.countOf })
        : ctx.t(`assessment.prompt.${q.answerType}`),
  ];
  if (q.answerType === "DATE" && q.noDate) lines.push(ctx.t(`assessment.prompt_no_date.${q.noDate}`));
  if (q.notApplicable) lines.push(ctx.t(`assessment.prompt_na.${q.notApplicable}`));
  return lines.join("\n");
}

/** Whether an answer took its question out of the unit's maximum (it shows no points). */
const excluded = (q: QuestionWithContext | ReviewItem["question"], answer: Answer) =>
  answer.value === NOT_APPLICABLE && q.notApplicable === "EXCLUDED";

/**
 * An answer with its points ("Có — 1/1 điểm"), not self-scored yet ("chưa tự chấm (tối đa
 * 0,5 điểm)"), or outside the maximum, in the text under `key`.
 */
function answerText(ctx: BotContext, key: string, q: QuestionWithContext, answer: Answer): string {
  const vars = { code: q.code, value: formatAnswer(q, answer.value, ctx.t, ctx.locale), max: num(ctx, q.maxPoints) };
  if (excluded(q, answer)) return ctx.t(`${key}_outside_max`, vars);
  // The team scores it in appraisal: "not self-scored yet" would ask for a score never wanted.
  if (answer.selfScore === null && q.teamScored) return ctx.t(`${key}_team`, vars);
  if (answer.selfScore === null) return ctx.t(`${key}_unscored`, vars);
  return ctx.t(key, { ...vars, score: num(ctx, answer.selfScore) });
}

export function questionView(ctx: BotContext, input: QuestionViewInput) {
  const { question: q, answer, evidenceCount, position, locked } = input;
  const area = q.criterion.area;
  const lines = [
    ctx.t("assessment.question_head", {
      area: area.code,
      code: q.code,
      index: position.index,
      total: position.total,
      max: num(ctx, q.maxPoints),
    }),
    `<i>${ctx.t("assessment.criterion", { code: q.criterion.code, title: q.criterion.title })}</i>`,
    "",
    `<b>${escapeHtml(q.text)}</b>`,
    "",
    ctx.t("assessment.scoring", { rule: q.scoringText }),
  ];
  if (q.teamScored) lines.push(ctx.t("assessment.team_scored"));
  if (q.evidenceRequired) {
    lines.push(
      ctx.t("assessment.evidence_required", {
        hint: q.evidenceHint ?? ctx.t("assessment.evidence_default_hint"),
        count: evidenceCount,
      }),
    );
  } else if (evidenceCount > 0) {
    lines.push(ctx.t("assessment.evidence_count", { count: evidenceCount }));
  }
  if (!q.required) lines.push(ctx.t("assessment.optional"));
  if (answer) {
    lines.push("", answerText(ctx, "assessment.current_answer", q, answer));
    if (answer.explanation) lines.push(ctx.t("assessment.current_explanation", { text: answer.explanation }));
  }
  lines.push("", locked ? ctx.t("assessment.locked_hint") : promptFor(ctx, q));
  return { text: lines.join("\n"), keyboard: questionKeyboard(ctx, input) };
}

export function questionKeyboard(ctx: BotContext, input: QuestionViewInput): InlineKeyboard {
  const { question: q, answer, evidenceCount, locked } = input;
  const kb = new InlineKeyboard();
  const stamp = answerStamp(answer);
  const mark = (value: string) => (answer?.value === value ? "● " : "");
  if (!locked) {
    const answerButton = (label: string, value: string) =>
      kb.text(`${mark(value)}${label}`, encodeAction({ kind: "answer", questionId: q.id, stamp, value }));
    if (q.answerType === "YES_NO") {
      for (const value of ["yes", "no"]) answerButton(ctx.t(`answer.values.${value}`), value);
    } else if (q.answerType === "CHOICE") {
      for (const choice of (q.choices as { key: string; label: string }[] | null) ?? []) {
        answerButton(choice.label, choice.key).row();
      }
    }
    // The answers a question allows beyond its type, as buttons: typed words work too.
    if (q.answerType === "DATE" && q.noDate) {
      answerButton(ctx.t(q.noDate === "NOT_SENT" ? "answer.values.not_sent" : "answer.values.not_issued"), NO_DATE);
    }
    if (q.notApplicable && q.answerType !== "TEXT") answerButton(ctx.t("answer.values.na"), NOT_APPLICABLE);
    // The answers end their row (Telegram takes no empty one).
    if (kb.inline_keyboard.at(-1)?.length) kb.row();
  }
  kb.text(ctx.t("assessment.buttons.back"), encodeAction({ kind: "back", questionId: q.id }));
  // "Câu sau" moves on and leaves nothing behind; "Bỏ qua" leaves this question unanswered.
  const onward = answer || locked ? "assessment.buttons.next" : "assessment.buttons.skip";
  kb.text(ctx.t(onward), encodeAction({ kind: "skip", questionId: q.id })).row();
  if (q.evidenceRequired || evidenceCount > 0) {
    kb.text(
      ctx.t("assessment.buttons.evidence", { count: evidenceCount }),
      encodeAction({ kind: "evidence", questionId: q.id }),
    );
    if (!locked && q.evidenceRequired)
      kb.text(ctx.t("assessment.buttons.explain"), encodeAction({ kind: "explain", questionId: q.id }));
    kb.row();
  }
  kb.text(ctx.t("assessment.buttons.review"), encodeAction({ kind: "review", areaId: q.criterion.area.id }));
  kb.text(ctx.t("assessment.buttons.leave"), encodeAction({ kind: "leave" }));
  return kb;
}

/** Under "this question needs evidence": explain instead, or do it later. */
export function evidenceRequestKeyboard(ctx: BotContext, q: QuestionWithContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("assessment.buttons.explain"), encodeAction({ kind: "explain", questionId: q.id }))
    .text(ctx.t("assessment.buttons.next"), encodeAction({ kind: "skip", questionId: q.id }))
    .row()
    .text(ctx.t("assessment.buttons.edit"), encodeAction({ kind: "question", questionId: q.id }));
}

/** A number that fits both the question shown and the score just typed: which one? */
export function whichQuestionView(
  ctx: BotContext,
  shown: QuestionWithContext,
  left: QuestionWithContext,
  text: string,
  draftId: number,
) {
  const value = buttonLabel(text, 20);
  const keyboard = new InlineKeyboard()
    .text(
      ctx.t("assessment.which.shown", { code: shown.code, value }),
      encodeAction({ kind: "typed", draftId, target: "shown" }),
    )
    .row()
    .text(
      ctx.t("assessment.which.left", { code: left.code, value }),
      encodeAction({ kind: "typed", draftId, target: "left" }),
    );
  return { text: ctx.t("assessment.which.ask", { value, shown: shown.code, left: left.code }), keyboard };
}

export function scoreCorrectedText(ctx: BotContext, q: QuestionWithContext, answer: Answer): string {
  return ctx.t("assessment.score_corrected", {
    code: q.code,
    score: num(ctx, answer.selfScore ?? 0),
    max: num(ctx, q.maxPoints),
  });
}

export function savedText(ctx: BotContext, q: QuestionWithContext, answer: Answer): string {
  return answerText(ctx, "assessment.saved", q, answer);
}

/** 48 KB, 1,4 MB, 2,8 GB */
export function fileSize(ctx: BotContext, bytes: number): string {
  return formatFileSize(bytes, (n) => num(ctx, n));
}

/** Where the officer opens the question's files, and uploads more (signed links, src/bot/links.ts). */
export interface EvidenceLinks {
  view: { url: string; expiresAt: Date };
  upload: { url: string; expiresAt: Date } | null;
}

/**
 * The files and links of a list, numbered from 1: name, size and when (or the address), a
 * note under each; the same lines for a question's evidence and an explanation's.
 */
export function evidenceLines(ctx: BotContext, files: Evidence[]): string[] {
  return files.flatMap((f, i) => {
    const when = formatDateTime(f.createdAt, ctx.config.TZ);
    const lines: string[] = [];
    if (f.kind === "LINK") {
      lines.push(ctx.t("assessment.evidence_link_line", { n: i + 1, url: f.url ?? "", when }));
    } else {
      const name = f.fileName ?? ctx.t("assessment.photo");
      const size = f.size ? fileSize(ctx, f.size) : "—";
      const key = f.unavailableAt ? "assessment.evidence_line_unavailable" : "assessment.evidence_line";
      lines.push(ctx.t(key, { n: i + 1, name, size, when }));
    }
    if (f.note) lines.push(ctx.t("assessment.evidence_note", { note: f.note }));
    return lines;
  });
}

export function evidenceListView(
  ctx: BotContext,
  q: QuestionWithContext,
  files: Evidence[],
  locked: boolean,
  links?: EvidenceLinks,
) {
  const lines = [ctx.t("assessment.evidence_title", { code: q.code })];
  const kb = new InlineKeyboard();
  if (files.length === 0) lines.push(ctx.t("assessment.evidence_none"));
  lines.push(...evidenceLines(ctx, files));
  files.forEach((f, i) => {
    if (!locked)
      kb.text(
        ctx.t("assessment.buttons.remove", { n: i + 1 }),
        encodeAction({ kind: "removeEvidence", evidenceId: f.id }),
      ).row();
  });
  if (links) {
    const until = formatDateTime(links.view.expiresAt, ctx.config.TZ);
    lines.push("", ctx.t("assessment.evidence_open_link", { url: links.view.url, until }));
    if (links.upload) lines.push(ctx.t("assessment.evidence_upload_link", { url: links.upload.url }));
  }
  if (!locked) lines.push("", ctx.t("assessment.evidence_send_hint"));
  kb.text(ctx.t("assessment.buttons.to_question"), encodeAction({ kind: "question", questionId: q.id }));
  kb.text(ctx.t("assessment.buttons.next"), encodeAction({ kind: "skip", questionId: q.id }));
  return { text: lines.join("\n"), keyboard: kb };
}

export function reviewView(
  ctx: BotContext,
  area: ReformArea,
  items: ReviewItem[],
  missing: Missing[],
  submittedAt: Date | null,
  total: Tally,
) {
  const lines = [
    ctx.t("assessment.review_title", { code: area.code, title: area.title }),
    withPercent(ctx, ctx.t("assessment.review_total", tallyVars(ctx, total)), total),
    ...excludedLine(ctx, total),
    "",
  ];
  const kb = new InlineKeyboard();
  for (const { question, answer, evidenceCount } of items) {
    const value = answer ? formatAnswer(question, answer.value, ctx.t, ctx.locale) : ctx.t("assessment.unanswered");
    const max = num(ctx, question.maxPoints);
    const scoreText = !answer
      ? ctx.t(question.teamScored ? "assessment.review_team" : "assessment.review_max", { max })
      : excluded(question, answer)
        ? ctx.t("assessment.outside_max_short")
        : answer.selfScore === null
          ? ctx.t(question.teamScored ? "assessment.review_team" : "assessment.review_unscored", { max })
          : `${num(ctx, answer.selfScore)}/${max}`;
    const clip = evidenceCount > 0 ? ` · 📎${evidenceCount}` : answer?.explanation ? ` · 📝` : "";
    lines.push(`<b>${question.code}</b> ${escapeHtml(shorten(value, 60))} — ${scoreText}${clip}`);
  }
  if (submittedAt) {
    lines.push("", ctx.t("assessment.submitted_at", { when: formatDateTime(submittedAt, ctx.config.TZ) }));
  } else if (missing.length > 0) {
    lines.push("", missingText(ctx, missing));
  } else {
    lines.push("", ctx.t("assessment.ready_to_submit"));
  }
  // A button per question to change it (until submitted), four to a row; in a long area
  // (Telegram takes about 100 buttons) the ones still missing something come first.
  if (!submittedAt) {
    const needsWork = new Set(missing.map((m) => m.code));
    const buttons =
      items.length <= REVIEW_BUTTONS_MAX
        ? items
        : [
            ...items.filter((i) => needsWork.has(i.question.code)),
            ...items.filter((i) => !needsWork.has(i.question.code)),
          ].slice(0, REVIEW_BUTTONS_MAX);
    buttons.forEach(({ question }, i) => {
      kb.text(question.code, encodeAction({ kind: "question", questionId: question.id }));
      if (i % 4 === 3) kb.row();
    });
    kb.row();
    if (missing.length === 0)
      kb.text(ctx.t("assessment.buttons.submit"), encodeAction({ kind: "submit", areaId: area.id })).row();
  }
  kb.text(ctx.t("assessment.buttons.areas"), encodeAction({ kind: "list" }));
  return { text: lines.join("\n"), keyboard: kb };
}

export function missingText(ctx: BotContext, missing: Missing[]): string {
  const group = (what: Missing["what"]) => missing.filter((m) => m.what === what).map((m) => m.code);
  const lines = [ctx.t("assessment.missing_title")];
  for (const what of ["answer", "evidence", "score"] as const) {
    const codes = group(what);
    if (codes.length) lines.push(ctx.t(`assessment.missing.${what}`, { codes: codes.join(", ") }));
  }
  return lines.join("\n");
}

export function confirmSubmitView(ctx: BotContext, area: ReformArea, total: Tally) {
  const kb = new InlineKeyboard()
    .text(ctx.t("assessment.buttons.confirm_submit"), encodeAction({ kind: "confirmSubmit", areaId: area.id }))
    .row()
    .text(ctx.t("assessment.buttons.cancel"), encodeAction({ kind: "review", areaId: area.id }));
  return {
    text: ctx.t("assessment.confirm_submit", { code: area.code, title: area.title, ...tallyVars(ctx, total) }),
    keyboard: kb,
  };
}

export function submittedText(ctx: BotContext, area: ReformArea, total: Tally): string {
  return ctx.t("assessment.submitted_percent", {
    code: area.code,
    title: area.title,
    ...tallyVars(ctx, total),
    percent: pct(ctx, total.percent),
  });
}
