/**
 * /giaitrinh: after appraisal round 1 closes, a unit's officers explain (giải trình) the
 * items whose score round 1 changed: the list of them, one item at a time with the
 * appraiser's comment, the explanation typed as text and files or photos as its evidence.
 *
 * As the self-assessment, no long conversation: where the officer is lives in the database
 * (AppraisalCursor, mode EXPLAIN), so their next text or file goes to the item they were
 * shown, after a restart or on another instance. Every write goes through the domain
 * (explainItem, addExplanationEvidence), which checks the phase, the deadline against the
 * time the officer sent it, their unit and the item; its refusals are said with refusalText.
 */

import { Composer } from "grammy";
import { receiveExplanationFile } from "../../../app/evidence.ts";
import type { Campaign } from "../../../db/client.ts";
import { EXPLANATION_MIN_LENGTH, freeTextError } from "../../../domain/answers.ts";
import { assertExplanationOpen, explainItem } from "../../../domain/appraisal.ts";
import {
  type AppraisalCursor,
  clearAppraisalCursor,
  getAppraisalCursor,
  setAppraisalCursor,
} from "../../../domain/appraisal-cursor.ts";
import { type AppraisalRefusal, AppraisalRefused, phaseReached } from "../../../domain/appraisal-rules.ts";
import { clearCursor, sentBeforeShown } from "../../../domain/assessment.ts";
import { explanationItem, unitExplanations } from "../../../domain/explanations.ts";
import { maxFileBytes } from "../../../storage/index.ts";
import type { BotContext } from "../../context.ts";
import { appraisalRefusalText } from "../../format.ts";
import { linkFor } from "../../links.ts";
import { replyLong, sendLong } from "../../messages.ts";
import { incomingFileOf, openSentFile, sentFileOf } from "../../sent-files.ts";
import { fileSize } from "../self-assessment/views.ts";
import { EXPLANATION_BUTTONS, type ExplanationAction, parseExplanationAction } from "./callback-data.ts";
import { itemView, listView, type Window } from "./views.ts";

export const explanationFeature = new Composer<BotContext>();

/** The officer's campaign and unit. */
interface Officer {
  campaign: Campaign;
  unitId: number;
  unitName: string;
}

function officerOf(ctx: BotContext): Officer | null {
  const unit = ctx.standing.membership?.unit;
  if (!ctx.campaign || ctx.standing.role !== "OFFICER" || !unit) return null;
  return { campaign: ctx.campaign, unitId: unit.id, unitName: unit.name };
}

/** The officer, or null after telling the person why the explanation is not theirs. */
async function officerOrSay(ctx: BotContext): Promise<Officer | null> {
  const officer = officerOf(ctx);
  if (officer) return officer;
  const role = ctx.standing.role;
  await say(
    ctx,
    role && role !== "OFFICER"
      ? ctx.t("explanation.not_officer", { role: ctx.t(`roles.${role}`) })
      : ctx.t("explanation.no_unit"),
  );
  return null;
}

function say(ctx: BotContext, text: string, lead?: string) {
  return replyLong(ctx, lead ? `${lead}\n\n${text}` : text);
}

function refused(ctx: BotContext, refusal: AppraisalRefusal) {
  return say(ctx, appraisalRefusalText(ctx, refusal));
}

/**
 * Whether the unit may explain at `at`, by the domain's own rule (assertExplanationOpen):
 * open, past the deadline (the explanation phase still), or a later phase (read only).
 * Null before the explanation phase.
 */
function windowAt(campaign: Campaign, at: Date): Window | null {
  if (!phaseReached(campaign.status, "EXPLANATION")) return null;
  try {
    assertExplanationOpen(campaign, at);
    return { kind: "open", deadline: campaign.explanationDeadline };
  } catch (e) {
    if (!(e instanceof AppraisalRefused)) throw e;
    return e.refusal.reason === "explanation_deadline"
      ? { kind: "deadline", deadline: e.refusal.deadline }
      : { kind: "over" };
  }
}

async function notYet(ctx: BotContext, campaign: Campaign) {
  await say(ctx, ctx.t("explanation.not_yet", { phase: ctx.t(`appraisal.phases.${campaign.status}`) }));
}

async function showList(ctx: BotContext, officer: Officer) {
  const window = windowAt(officer.campaign, ctx.now());
  if (!window) return notYet(ctx, officer.campaign);
  // On the list, typed text is no explanation of any item.
  await clearAppraisalCursor(ctx.deps.db, ctx.person.id);
  const entries = await unitExplanations(ctx.deps.db, officer.campaign.id, officer.unitId);
  const view = listView(ctx, officer.unitName, entries, window);
  await sendLong(ctx, view.text, view.keyboard);
}

/**
 * Shows one changed item and, while the unit may explain, points the officer's cursor at
 * it (their next text is its explanation, their next file its evidence). False when round 1
 * did not change this item of the unit: a stale or forged button.
 */
async function showItem(
  ctx: BotContext,
  officer: Officer,
  questionId: number,
  options: { fresh?: boolean; lead?: string } = {},
): Promise<boolean> {
  const db = ctx.deps.db;
  const { campaign, unitId } = officer;
  const window = windowAt(campaign, ctx.now());
  if (!window) {
    await notYet(ctx, campaign);
    return true;
  }
  const shown = await explanationItem(db, campaign.id, unitId, questionId);
  if (!shown) return false;
  const link =
    shown.files.length > 0
      ? await linkFor(ctx, { purpose: "evidence", campaignId: campaign.id, unitId, areaId: shown.item.area.id })
      : null;
  const view = itemView(ctx, shown, window, link);
  await Promise.all([
    window.kind === "open"
      ? setAppraisalCursor(db, ctx.person.id, { campaignId: campaign.id, unitId, questionId, mode: "EXPLAIN" })
      : clearAppraisalCursor(db, ctx.person.id),
    options.fresh || options.lead
      ? replyLong(ctx, options.lead ? `${options.lead}\n\n${view.text}` : view.text, view.keyboard)
      : sendLong(ctx, view.text, view.keyboard),
  ]);
  return true;
}

async function staleButton(ctx: BotContext) {
  await ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button"), show_alert: true });
}

explanationFeature.command("giaitrinh", async (ctx) => {
  const officer = await officerOrSay(ctx);
  if (!officer) return;
  // Text typed from now on is an explanation, never a self-assessment answer.
  await clearCursor(ctx.deps.db, ctx.person.id);
  await showList(ctx, officer);
});

explanationFeature.callbackQuery(EXPLANATION_BUTTONS, async (ctx) => {
  const action = parseExplanationAction(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  const officer = await officerOrSay(ctx);
  if (officer) await handleAction(ctx, officer, action);
});

async function handleAction(ctx: BotContext, officer: Officer, action: ExplanationAction) {
  switch (action.kind) {
    case "list":
      return showList(ctx, officer);
    case "item":
    case "next":
    case "back":
      if (!(await showItem(ctx, officer, action.questionId))) await staleButton(ctx);
      return;
    case "explain": {
      try {
        assertExplanationOpen(officer.campaign, ctx.sentAt);
      } catch (e) {
        if (!(e instanceof AppraisalRefused)) throw e;
        await clearAppraisalCursor(ctx.deps.db, ctx.person.id);
        return refused(ctx, e.refusal);
      }
      const shown = await explanationItem(ctx.deps.db, officer.campaign.id, officer.unitId, action.questionId);
      if (!shown) return staleButton(ctx);
      await setAppraisalCursor(ctx.deps.db, ctx.person.id, {
        campaignId: officer.campaign.id,
        unitId: officer.unitId,
        questionId: action.questionId,
        mode: "EXPLAIN",
      });
      return say(ctx, ctx.t("explanation.ask", { code: shown.item.question.code }));
    }
  }
}

/**
 * The item this officer is explaining, when their text or file is meant for it: an EXPLAIN
 * cursor on their unit, set after the self-assessment's cursor (an officer who went back to
 * /tudanhgia since is answering there). Costs nothing before round 1 closes.
 */
async function explaining(ctx: BotContext): Promise<{ officer: Officer; cursor: AppraisalCursor } | null> {
  const officer = officerOf(ctx);
  if (!officer || !phaseReached(officer.campaign.status, "EXPLANATION")) return null;
  const db = ctx.deps.db;
  const [cursor, assessment] = await Promise.all([
    getAppraisalCursor(db, ctx.person.id, officer.campaign.id),
    db.assessmentCursor.findUnique({ where: { personId: ctx.person.id }, select: { updatedAt: true } }),
  ]);
  if (cursor?.mode !== "EXPLAIN" || cursor.unitId !== officer.unitId) return null;
  if (assessment && assessment.updatedAt > cursor.updatedAt) return null;
  if (officer.campaign.status !== "EXPLANATION") {
    // The phase moved on: the cursor has nothing left to take.
    await clearAppraisalCursor(db, ctx.person.id);
    return null;
  }
  return { officer, cursor };
}

/** What the officer sends, as the domain needs it: who, when they sent it, which item. */
const acting = (ctx: BotContext, officer: Officer, cursor: AppraisalCursor) => ({
  campaignId: officer.campaign.id,
  personId: ctx.person.id,
  coordinatorIds: ctx.config.COORDINATOR_IDS,
  now: ctx.sentAt,
  unitId: officer.unitId,
  questionId: cursor.questionId,
});

/**
 * A refusal of a write. A file before the explanation is asked for in order; any other
 * refusal (the deadline, a role taken away) ends the cursor too, so the officer is told
 * once and their later texts go where they would without it.
 */
async function refusedWrite(ctx: BotContext, e: unknown, code: string) {
  if (!(e instanceof AppraisalRefused)) throw e;
  if (e.refusal.reason === "not_explained") return say(ctx, ctx.t("explanation.explain_first", { code }));
  await clearAppraisalCursor(ctx.deps.db, ctx.person.id);
  return refused(ctx, e.refusal);
}

/** Typed text on an item is its explanation (created, or replacing the one before). */
explanationFeature.on("message:text", async (ctx, next) => {
  if (ctx.message.text.startsWith("/")) return next();
  const at = await explaining(ctx);
  if (!at) return next();
  const { officer, cursor } = at;
  const code = await questionCode(ctx, cursor.questionId);
  if (sentBeforeShown(ctx.sentAt, cursor)) return say(ctx, ctx.t("explanation.sent_before_shown", { code }));
  const text = ctx.message.text.normalize("NFC").trim();
  const invalid = freeTextError(text, EXPLANATION_MIN_LENGTH);
  if (invalid) return say(ctx, ctx.t(invalid.key, invalid.vars));
  try {
    await explainItem(ctx.deps.db, { ...acting(ctx, officer, cursor), text });
  } catch (e) {
    return refusedWrite(ctx, e, code);
  }
  await showItem(ctx, officer, cursor.questionId, { lead: ctx.t("explanation.saved", { code }) });
});

/** A file or photo on an item is evidence of its explanation, kept like self-assessment evidence. */
explanationFeature.on(["message:document", "message:photo"], async (ctx, next) => {
  const at = await explaining(ctx);
  if (!at) return next();
  const { officer, cursor } = at;
  const code = await questionCode(ctx, cursor.questionId);
  const sent = sentFileOf(ctx.message)!;
  const name = sent.fileName ?? ctx.t("assessment.photo");
  try {
    // Refused before anything is downloaded when the window is closed.
    assertExplanationOpen(officer.campaign, ctx.sentAt);
  } catch (e) {
    return refusedWrite(ctx, e, code);
  }
  const opened = await openSentFile(ctx, sent);
  if (!opened.ok) {
    if (opened.reason === "too_large") {
      const [size, max] = [fileSize(ctx, sent.size ?? 0), fileSize(ctx, opened.maxBytes)];
      return say(ctx, ctx.t("assessment.evidence_too_large", { name, size, max }));
    }
    const key = opened.reason === "channel_limit" ? "too_big" : opened.reason;
    return say(ctx, ctx.t(`explanation.file_${key}`, { name }));
  }
  const maxBytes = maxFileBytes(ctx.config);
  let result: Awaited<ReturnType<typeof receiveExplanationFile>>;
  try {
    result = await receiveExplanationFile(
      { db: ctx.deps.db, store: ctx.deps.store, maxBytes },
      acting(ctx, officer, cursor),
      incomingFileOf(ctx, sent, opened.stream),
    );
  } catch (e) {
    return refusedWrite(ctx, e, code);
  }
  if (!result.ok) {
    const key = result.reason === "type" ? "assessment.evidence_wrong_type" : "assessment.evidence_too_large_stored";
    return say(ctx, ctx.t(key, { name, max: fileSize(ctx, maxBytes) }));
  }
  const count = await ctx.deps.db.evidence.count({
    where: { explanationId: result.evidence.explanationId, removedAt: null },
  });
  const lead = ctx.t(result.duplicate ? "explanation.file_duplicate" : "explanation.file_saved", {
    name: result.evidence.fileName ?? name,
    code,
    count,
  });
  await showItem(ctx, officer, cursor.questionId, { lead });
});

async function questionCode(ctx: BotContext, questionId: number): Promise<string> {
  const q = await ctx.deps.db.question.findUnique({ where: { id: questionId }, select: { code: true } });
  return q?.code ?? "";
}
