/** What the officer sees of the explanation (giải trình): texts and keyboards, from locales/. */

import { InlineKeyboard } from "grammy";
import { formatAnswer } from "../../../domain/answers.ts";
import type { ExplanationEntry, ExplanationItem } from "../../../domain/explanations.ts";
import { escapeHtml } from "../../../domain/text.ts";
import { deadlineStatus, formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import type { ChatLink } from "../../links.ts";
import { evidenceLines } from "../self-assessment/views.ts";
import { encodeExplanationAction as encode } from "./callback-data.ts";

/**
 * Where the unit stands: explaining (until the deadline), past the deadline (still the
 * explanation phase: everything is refused with the date), or a later phase (read only).
 */
export type Window = { kind: "open"; deadline: Date | null } | { kind: "deadline"; deadline: Date } | { kind: "over" };

/** "1" or "Đoàn chấm" (a team-scored item has no self-score). */
const selfScoreText = (ctx: BotContext, selfScore: number | null, key: string) =>
  selfScore === null ? ctx.t(key) : num(ctx, selfScore);

function windowLine(ctx: BotContext, window: Window): string | null {
  const tz = ctx.config.TZ;
  switch (window.kind) {
    case "open": {
      if (!window.deadline) return null;
      const when = formatDateTime(window.deadline, tz);
      const { days } = deadlineStatus(window.deadline, ctx.now(), tz);
      return days > 0
        ? ctx.t("explanation.deadline_left", { when, count: days })
        : ctx.t("explanation.deadline_today", { when });
    }
    case "deadline":
      return ctx.t("explanation.deadline_passed", { when: formatDateTime(window.deadline, tz) });
    case "over":
      return ctx.t("explanation.phase_over", { phase: ctx.t(`appraisal.phases.${ctx.campaign?.status}`) });
  }
}

export function listView(ctx: BotContext, unitName: string, entries: ExplanationEntry[], window: Window) {
  const lines = [ctx.t("explanation.list_title", { unit: unitName })];
  const deadline = windowLine(ctx, window);
  if (deadline) lines.push(deadline);
  lines.push("");
  const kb = new InlineKeyboard();
  if (entries.length === 0) {
    lines.push(ctx.t("explanation.none"));
    return { text: lines.join("\n"), keyboard: kb };
  }
  const explained = entries.filter((e) => e.explained).length;
  lines.push(ctx.t("explanation.counts", { count: entries.length, explained }));
  for (const e of entries) {
    const vars = {
      mark: e.explained ? "✅" : "⬜",
      code: e.code,
      self: selfScoreText(ctx, e.selfScore, "explanation.team_scored_short"),
      score: num(ctx, e.score),
      files: e.files,
    };
    lines.push(ctx.t(e.files > 0 ? "explanation.line_files" : "explanation.line", vars));
    kb.text(
      ctx.t("explanation.button", { ...vars, mark: e.explained ? "✅ " : "" }),
      encode({ kind: "item", questionId: e.questionId }),
    ).row();
  }
  lines.push("", ctx.t(window.kind === "open" ? "explanation.list_hint" : "explanation.list_hint_closed"));
  return { text: lines.join("\n"), keyboard: kb };
}

/** One item: the question, the unit's answer, the scores and comment, the explanation and its files. */
export function itemView(ctx: BotContext, shown: ExplanationItem, window: Window, filesLink: ChatLink | null) {
  const { item, files } = shown;
  const q = item.question;
  const lines = [
    ctx.t("explanation.item_title", { code: q.code, area: item.area.code, index: shown.index, total: shown.total }),
    "",
    `<b>${escapeHtml(q.text)}</b>`,
    "",
    item.answer
      ? ctx.t("explanation.answer", { value: formatAnswer(q, item.answer.value, ctx.t, ctx.locale) })
      : ctx.t("explanation.unanswered"),
  ];
  if (item.round1) {
    lines.push(
      ctx.t("explanation.scores", {
        self: selfScoreText(ctx, item.teamScored ? null : (item.answer?.selfScore ?? null), "explanation.team_scored"),
        score: num(ctx, item.round1.score),
        max: num(ctx, q.maxPoints),
      }),
      item.round1.comment
        ? ctx.t("explanation.comment", { comment: item.round1.comment })
        : ctx.t("explanation.no_comment"),
    );
  }
  lines.push("");
  if (item.explanation) {
    const when = formatDateTime(item.explanation.updatedAt, ctx.config.TZ);
    lines.push(ctx.t("explanation.current", { by: item.explanation.by, when, text: item.explanation.text }));
  } else {
    lines.push(ctx.t("explanation.not_explained"));
  }
  if (files.length > 0) {
    lines.push(ctx.t("explanation.files_title"), ...evidenceLines(ctx, files));
    if (filesLink) {
      const until = formatDateTime(filesLink.expiresAt, ctx.config.TZ);
      lines.push(ctx.t("assessment.evidence_open_link", { url: filesLink.url, until }));
    }
  }
  const windowText = window.kind === "open" ? null : windowLine(ctx, window);
  lines.push("", windowText ?? ctx.t(item.explanation ? "explanation.hint_explained" : "explanation.hint_new"));
  const kb = new InlineKeyboard();
  if (window.kind === "open")
    kb.text(ctx.t("explanation.buttons.explain"), encode({ kind: "explain", questionId: q.id })).row();
  if (shown.previous !== null)
    kb.text(ctx.t("explanation.buttons.back"), encode({ kind: "back", questionId: shown.previous }));
  if (shown.next !== null) kb.text(ctx.t("explanation.buttons.next"), encode({ kind: "next", questionId: shown.next }));
  if (shown.previous !== null || shown.next !== null) kb.row();
  kb.text(ctx.t("explanation.buttons.list"), encode({ kind: "list" }));
  return { text: lines.join("\n"), keyboard: kb };
}
