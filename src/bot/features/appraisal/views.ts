/** What appraisers and coordinators see of phases and appraisal: texts from locales/, keyboards. */

import { InlineKeyboard } from "grammy";
import type { Campaign, CampaignStatus } from "../../../db/client.ts";
import { formatAnswer } from "../../../domain/answers.ts";
import type { AppraisalItem, AppraisalProgress, AppraisalState, Round } from "../../../domain/appraisal.ts";
import { PHASES } from "../../../domain/appraisal-rules.ts";
import { buttonLabel, escapeHtml } from "../../../domain/text.ts";
import { formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import { appraiseButtons, phaseButtons } from "./callback-data.ts";

/** Score buttons are shown when the rule allows at most this many scores (else: typed). */
const STEP_BUTTONS_MAX = 6;
const UNIT_NAME_MAX = 22;

export const phaseName = (ctx: BotContext, phase: CampaignStatus) => ctx.t(`appraisal.phases.${phase}`);
const when = (ctx: BotContext, d: Date) => formatDateTime(d, ctx.config.TZ);

/** When each phase began, as the campaign dates it. */
function startOf(campaign: Campaign, phase: CampaignStatus): Date | null {
  switch (phase) {
    case "SELF_ASSESSMENT":
      return campaign.selfAssessmentOpensAt;
    case "APPRAISAL":
      return campaign.appraisalOpenedAt;
    case "EXPLANATION":
      return campaign.appraisalClosedAt;
    case "FINAL_APPRAISAL":
      return campaign.finalAppraisalOpenedAt;
    case "PUBLISHED":
      return campaign.publishedAt;
    default:
      return null;
  }
}

// ---------------------------------------------------------------- /giaidoan

export function phaseView(ctx: BotContext, campaign: Campaign, progress: AppraisalProgress | null) {
  const current = PHASES.indexOf(campaign.status);
  const lines = [ctx.t("phase.title", { campaign: escapeHtml(campaign.title) }), ""];
  for (const [i, phase] of PHASES.entries()) {
    const start = startOf(campaign, phase);
    const since = start && i <= current ? ctx.t("phase.since", { when: when(ctx, start) }) : "";
    const key = i < current ? "phase.step_done" : i === current ? "phase.step_current" : "phase.step_next";
    lines.push(ctx.t(key, { phase: phaseName(ctx, phase), since }));
  }
  if (campaign.explanationDeadline) {
    lines.push("", ctx.t("phase.deadline", { deadline: when(ctx, campaign.explanationDeadline) }));
  }
  if (progress) {
    const done = progress.units.reduce((s, u) => s + u.done, 0);
    const assigned = progress.units.reduce((s, u) => s + u.assigned, 0);
    lines.push(ctx.t("phase.progress", { round: progress.round, done, assigned }));
  }
  const next = PHASES[current + 1];
  const keyboard = new InlineKeyboard();
  if (!next) lines.push("", ctx.t("phase.last"));
  else if (next === "EXPLANATION") lines.push("", ctx.t("phase.needs_deadline"));
  else {
    const ask = phaseButtons.encode({ kind: "ask", from: campaign.status, to: next });
    keyboard.text(ctx.t("phase.move_button", { phase: phaseName(ctx, next) }), ask);
  }
  return { text: lines.join("\n"), keyboard: next && next !== "EXPLANATION" ? keyboard : undefined };
}

const moveData = (from: CampaignStatus, to: CampaignStatus, deadline: Date | null) =>
  phaseButtons.encode({
    kind: "move",
    from,
    to,
    deadline: deadline ? Math.round(deadline.getTime() / 60_000) : 0,
  });

/** Asks to confirm a move, saying what it does. */
export function confirmMoveView(ctx: BotContext, from: CampaignStatus, to: CampaignStatus, deadline: Date | null) {
  const lines = [ctx.t("phase.confirm", { from: phaseName(ctx, from), to: phaseName(ctx, to) })];
  if (deadline) lines.push(ctx.t("phase.confirm_deadline", { deadline: when(ctx, deadline) }));
  lines.push(ctx.t(`phase.effects.${to}`));
  const keyboard = new InlineKeyboard().text(ctx.t("phase.confirm_button"), moveData(from, to, deadline));
  return { text: lines.join("\n"), keyboard };
}

// ---------------------------------------------------------------- /thamdinh: units

export interface UnitChoice {
  unitId: number;
  name: string;
  done: number;
  assigned: number;
}

export function unitsView(
  ctx: BotContext,
  round: Round,
  units: UnitChoice[],
  mine: { done: number; assigned: number; byThem: number } | null,
) {
  const lines = [ctx.t("appraise.units_title", { round })];
  if (mine) lines.push(ctx.t("appraise.mine", mine));
  else lines.push(ctx.t("appraise.scope_all"));
  const keyboard = new InlineKeyboard();
  keyboard.text(ctx.t("appraise.next_any_button"), appraiseButtons.encode({ kind: "unit", unitId: 0 })).row();
  for (const u of units) {
    // The name is shortened, never the counts.
    const unit = buttonLabel(u.name, UNIT_NAME_MAX);
    const label = ctx.t("appraise.unit_button", { unit, done: u.done, assigned: u.assigned });
    keyboard.text(label, appraiseButtons.encode({ kind: "unit", unitId: u.unitId })).row();
  }
  return { text: lines.join("\n"), keyboard };
}

// ---------------------------------------------------------------- /thamdinh: one item

function stateLine(ctx: BotContext, key: string, s: AppraisalState): string {
  const comment = s.comment ? ctx.t("appraise.comment", { comment: escapeHtml(s.comment) }) : "";
  return ctx.t(key, { score: num(ctx, s.score), by: escapeHtml(s.appraiser), comment });
}

/** The item as the appraiser judges it, with its buttons. */
export function itemView(ctx: BotContext, item: AppraisalItem, evidenceUrl: string | null) {
  const q = item.question;
  const round = item.round ?? 1;
  const lines = [
    ctx.t("appraise.item_head", { round, unit: escapeHtml(item.unit.name) }),
    ctx.t("appraise.item_where", { area: item.area.code, code: q.code, max: num(ctx, q.maxPoints) }),
    "",
    `<b>${escapeHtml(q.text)}</b>`,
    "",
  ];
  const answer = item.answer;
  if (answer) {
    const value = formatAnswer(q, answer.value, ctx.t, ctx.locale);
    lines.push(ctx.t("appraise.answer", { value: escapeHtml(value) }));
  }
  if (item.teamScored) lines.push(ctx.t("appraise.team_scored"));
  else if (answer?.selfScore != null) lines.push(ctx.t("appraise.self_score", { score: num(ctx, answer.selfScore) }));
  else lines.push(ctx.t("appraise.self_unscored"));
  lines.push(ctx.t("appraise.rule", { rule: escapeHtml(q.scoringText) }));
  const files = item.evidence.length;
  if (files > 0 && evidenceUrl) lines.push(ctx.t("appraise.evidence", { count: files, url: evidenceUrl }));
  else lines.push(ctx.t("appraise.no_evidence"));
  if (item.missingEvidence) lines.push(ctx.t("appraise.missing_evidence"));
  if (answer?.explanation) lines.push(ctx.t("appraise.unit_note", { text: escapeHtml(answer.explanation) }));
  if (item.round1) lines.push(stateLine(ctx, "appraise.round1", item.round1));
  if (item.explanation) {
    lines.push(
      ctx.t("appraise.explanation", {
        text: escapeHtml(item.explanation.text),
        by: escapeHtml(item.explanation.by),
        when: when(ctx, item.explanation.updatedAt),
      }),
    );
  }
  if (item.round2) lines.push(stateLine(ctx, "appraise.round2", item.round2));
  const steps = item.steps;
  lines.push(
    "",
    steps.steps
      ? ctx.t("appraise.steps_list", { steps: steps.steps.map((s) => num(ctx, s)).join("; ") })
      : ctx.t("appraise.steps_multiple", { step: num(ctx, steps.step), max: num(ctx, steps.max) }),
    ctx.t(item.teamScored || answer?.selfScore == null ? "appraise.prompt_team" : "appraise.prompt"),
  );
  return { text: lines.join("\n"), keyboard: itemKeyboard(ctx, item) };
}

function itemKeyboard(ctx: BotContext, item: AppraisalItem): InlineKeyboard {
  const ids = { unitId: item.unit.id, questionId: item.question.id };
  const keyboard = new InlineKeyboard();
  const self = item.answer?.selfScore;
  if (!item.teamScored && self != null) {
    keyboard
      .text(
        ctx.t("appraise.accept_button", { score: num(ctx, self) }),
        appraiseButtons.encode({ kind: "accept", ...ids, version: item.version }),
      )
      .row();
  }
  const steps = item.steps.steps;
  if (steps && steps.length <= STEP_BUTTONS_MAX) {
    for (const s of steps) {
      keyboard.text(
        ctx.t("appraise.score_button", { score: num(ctx, s) }),
        appraiseButtons.encode({ kind: "score", ...ids, version: item.version, hundredths: Math.round(s * 100) }),
      );
    }
    keyboard.row();
  }
  keyboard
    .text(ctx.t("appraise.skip_button"), appraiseButtons.encode({ kind: "skip", ...ids }))
    .text(ctx.t("appraise.list_button"), appraiseButtons.encode({ kind: "list" }));
  return keyboard;
}

/** A score that differs from the self-score waits for its comment. */
export function askCommentView(ctx: BotContext, item: AppraisalItem, score: number) {
  const text = ctx.t("appraise.ask_comment", {
    code: item.question.code,
    score: num(ctx, score),
    selfScore: num(ctx, item.answer?.selfScore ?? 0),
  });
  const keyboard = new InlineKeyboard().text(
    ctx.t("appraise.back_button", { code: item.question.code }),
    appraiseButtons.encode({ kind: "item", unitId: item.unit.id, questionId: item.question.id }),
  );
  return { text, keyboard };
}

export function savedText(
  ctx: BotContext,
  item: AppraisalItem,
  saved: { round: Round; score: number; comment: string | null },
): string {
  const comment = saved.comment ? ctx.t("appraise.comment", { comment: escapeHtml(saved.comment) }) : "";
  return ctx.t("appraise.saved", {
    round: saved.round,
    code: item.question.code,
    unit: escapeHtml(item.unit.shortName),
    score: num(ctx, saved.score),
    comment,
  });
}
