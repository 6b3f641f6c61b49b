/**
 * The coordinators' results in chat: bonus and penalty points (/thuongphat), and the
 * commend / criticise decisions (/bieuduong, /phebinh) with the proposals the ranking makes.
 * Every change is proposed first and saved only on a confirm button; the domain
 * (src/domain/ranking.ts) checks everything again in its transaction, and a refusal is
 * answered in the coordinator's words (refusalText). The ranking, progress and unit screens
 * are the coordinator feature's (/diem, /tiendo, /donvi).
 */
import { Composer } from "grammy";
import type { RecognitionKind, Unit } from "../../../db/client.ts";
import { parseLocaleNumber } from "../../../domain/answers.ts";
import { appraisalItem, reopenScore } from "../../../domain/appraisal.ts";
import { AppraisalRefused, phaseReached } from "../../../domain/appraisal-rules.ts";
import {
  addAdjustment,
  adjustmentRefusal,
  adjustmentsOf,
  assertAdjustable,
  assertRecognisable,
  decideRecognition,
  finalRanking,
  proposeRecognitions,
  recognitionsOf,
  removeAdjustment,
} from "../../../domain/ranking.ts";
import type { CampaignShape } from "../../../domain/status.ts";
import { matchUnits } from "../../../domain/units.ts";
import type { BotContext } from "../../context.ts";
import { appraisalRefusalText, num } from "../../format.ts";
import { sendLong } from "../../messages.ts";
import { keepDraft, keptDraft, shapeFor, withUnit } from "../coordinator/index.ts";
import { encodeResultsAction as encode, parseResultsAction, RESULTS_FILTER } from "./callback-data.ts";
import {
  adjustmentProposalView,
  adjustmentsView,
  recognitionProposalView,
  recognitionsView,
  removeAdjustmentView,
  reopenProposalView,
} from "./views.ts";

export const resultsFeature = new Composer<BotContext>();

export const RESULTS_COMMANDS = ["thuongphat", "bieuduong", "phebinh", "suadiem"] as const;

const isCoordinator = (ctx: BotContext) => ctx.standing.role === "COORDINATOR";

/** A refusal in the coordinator's words. */
const refusedText = appraisalRefusalText;

/** Runs `work`; a refusal of the domain is told (in chat, or on the pressed button) instead of thrown. */
async function orRefusal(ctx: BotContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (!(e instanceof AppraisalRefused)) throw e;
    ctx.logger.info({ reason: e.reason }, "results change refused");
    await sendLong(ctx, refusedText(ctx, e.refusal));
  }
}

const acting = (ctx: BotContext, shape: CampaignShape) => ({
  campaignId: shape.campaign.id,
  personId: ctx.person.id,
  coordinatorIds: ctx.config.COORDINATOR_IDS,
  now: ctx.now(),
});

// ---------------------------------------------------------------- bonus and penalty

interface AdjustmentDraft extends Record<string, unknown> {
  adjustment: "BONUS" | "PENALTY";
  points: number;
  reason: string;
}

/**
 * "/thuongphat Sở Tư pháp +2 Sáng kiến được Bộ ghi nhận": the unit, a signed number of
 * points (+ bonus, - or − penalty; "điểm" after it may be typed), then the reason.
 */
const ADJUSTMENT = /^(.+?)\s+([+\-\u2212])\s*(\d+(?:[.,]\d+)?)(?:\s*(?:điểm|diem|đ)(?=\s|$))?(?:\s+(.*))?$/isu;

async function showAdjustments(ctx: BotContext, shape: CampaignShape) {
  const rows = await adjustmentsOf(ctx.deps.db, shape.campaign.id);
  const view = adjustmentsView(ctx, shape, rows);
  await sendLong(ctx, view.text, view.keyboard);
}

async function proposeAdjustment(ctx: BotContext, shape: CampaignShape, text: string) {
  const m = ADJUSTMENT.exec(text);
  if (!m) return sendLong(ctx, ctx.t("results.adjust.usage"));
  const parsed = parseLocaleNumber(m[3]!, "plain");
  if (!parsed.ok) return sendLong(ctx, ctx.t("results.adjust.usage"));
  const draft: AdjustmentDraft = {
    adjustment: m[2] === "+" ? "BONUS" : "PENALTY",
    points: parsed.value,
    reason: (m[4] ?? "").replace(/\s+/g, " ").trim(),
  };
  // Said now, before a confirm button is offered; the save checks again.
  const invalid = adjustmentRefusal(draft.points, draft.reason);
  if (invalid) return sendLong(ctx, refusedText(ctx, invalid));
  assertAdjustable(shape.campaign);
  const draftId = await keepDraft(ctx, { kind: "adjustment", ...draft });
  await withUnit(
    ctx,
    shape,
    m[1]!,
    (u) => encode({ kind: "adjustUnit", unitId: u.id, draftId }),
    (u) => showAdjustmentProposal(ctx, u, draft, draftId),
  );
}

async function showAdjustmentProposal(ctx: BotContext, unit: Unit, draft: AdjustmentDraft, draftId: number) {
  const view = adjustmentProposalView(ctx, unit, draft, draftId);
  await sendLong(ctx, view.text, view.keyboard);
}

/**
 * Saves what the coordinator's draft holds with `save`, then drops the draft, so a second
 * press of the same button finds nothing to save twice (presses of one chat run one at a
 * time). A draft that is gone is a stale button.
 */
async function fromDraft<T extends Record<string, unknown>>(
  ctx: BotContext,
  draftId: number,
  kind: string,
  save: (draft: T) => Promise<string>,
) {
  const draft = await keptDraft<T>(ctx, draftId, kind);
  if (!draft) return staleButton(ctx);
  const done = await save(draft);
  await ctx.deps.db.scheduleDraft.deleteMany({ where: { id: draftId } });
  await sendLong(ctx, done);
}

const saveAdjustment = (ctx: BotContext, shape: CampaignShape, unit: Unit, draftId: number) =>
  fromDraft<AdjustmentDraft>(ctx, draftId, "adjustment", async (draft) => {
    const row = await addAdjustment(ctx.deps.db, {
      ...acting(ctx, shape),
      unitId: unit.id,
      kind: draft.adjustment,
      points: draft.points,
      reason: draft.reason,
    });
    ctx.logger.info({ unit: unit.code, kind: row.kind, points: row.points }, "adjustment added");
    return ctx.t(row.kind === "BONUS" ? "results.adjust.saved_bonus" : "results.adjust.saved_penalty", {
      id: row.id,
      unit: unit.name,
      points: num(ctx, row.points),
      reason: row.reason,
    });
  });

// ---------------------------------------------------------------- commend and criticise

interface RecognitionDraft extends Record<string, unknown> {
  recognition: RecognitionKind;
  reason: string;
}

/**
 * The unit and the reason of "/bieuduong Sở Tư pháp Đạt 100% điểm tối đa": the longest
 * run of first words that names a unit of the campaign, the rest being the reason ("Sở"
 * alone names eight units, "Sở Tư pháp" one). A colon may separate them too.
 */
async function unitAndReason(ctx: BotContext, shape: CampaignShape, text: string) {
  const colon = /^([^:]+):(.*)$/su.exec(text);
  if (colon) return { query: colon[1]!.trim(), reason: colon[2]!.trim() };
  const words = text.split(/\s+/).filter(Boolean);
  for (let k = words.length; k >= 1; k--) {
    const query = words.slice(0, k).join(" ");
    const found = await matchUnits(ctx.deps.db, shape.campaign.id, query);
    if (found.matches.length > 0) return { query, reason: words.slice(k).join(" "), found };
  }
  return { query: text, reason: "" };
}

async function showRecognitions(ctx: BotContext, shape: CampaignShape) {
  const db = ctx.deps.db;
  const appraised = phaseReached(shape.campaign.status, "EXPLANATION");
  const [decided, ranking] = await Promise.all([
    recognitionsOf(db, shape.campaign.id),
    appraised ? finalRanking(db, shape) : null,
  ]);
  await sendLong(ctx, recognitionsView(ctx, ranking ? proposeRecognitions(ranking) : null, decided));
}

async function proposeRecognition(ctx: BotContext, shape: CampaignShape, kind: RecognitionKind, text: string) {
  assertRecognisable(shape.campaign);
  const { query, reason, found } = await unitAndReason(ctx, shape, text);
  if (!reason) {
    await sendLong(ctx, refusedText(ctx, { reason: "reason_required" }));
    return sendLong(
      ctx,
      ctx.t(kind === "COMMEND" ? "results.recognition.usage_commend" : "results.recognition.usage_criticise"),
    );
  }
  const draft: RecognitionDraft = { recognition: kind, reason };
  const draftId = await keepDraft(ctx, { kind: "recognition", ...draft });
  await withUnit(
    ctx,
    shape,
    query,
    (u) => encode({ kind: "recognitionUnit", unitId: u.id, draftId }),
    (u) => showRecognitionProposal(ctx, shape, u, draft, draftId),
    found,
  );
}

async function showRecognitionProposal(
  ctx: BotContext,
  shape: CampaignShape,
  unit: Unit,
  draft: RecognitionDraft,
  draftId: number,
) {
  // A decision already taken for the unit is named: the new one replaces it.
  const before = await ctx.deps.db.unitRecognition.findUnique({
    where: { campaignId_unitId: { campaignId: shape.campaign.id, unitId: unit.id } },
  });
  const view = recognitionProposalView(ctx, unit, draft, draftId, before);
  await sendLong(ctx, view.text, view.keyboard);
}

const saveRecognition = (ctx: BotContext, shape: CampaignShape, unit: Unit, draftId: number) =>
  fromDraft<RecognitionDraft>(ctx, draftId, "recognition", async (draft) => {
    await decideRecognition(ctx.deps.db, {
      ...acting(ctx, shape),
      unitId: unit.id,
      kind: draft.recognition,
      reason: draft.reason,
    });
    ctx.logger.info({ unit: unit.code, kind: draft.recognition }, "recognition decided");
    const key = draft.recognition === "COMMEND" ? "saved_commend" : "saved_criticise";
    return ctx.t(`results.recognition.${key}`, { unit: unit.name, reason: draft.reason });
  });

// ---------------------------------------------------------------- a score after publication

interface ReopenDraft extends Record<string, unknown> {
  code: string;
  score: number;
  reason: string;
}

/** "/suadiem Sông Mã câu 3.2.1 0,5 Bổ sung quyết định": unit, question ("câu" may be typed), score, reason. */
const REOPEN =
  /^(.+?)\s+(?:câu\s+|cau\s+)?(\d+(?:\.\d+)+)\s+(\d+(?:[.,]\d+)?)(?:\s*(?:điểm|diem|đ)(?=\s|$))?(?:\s+(.*))?$/isu;

async function proposeReopen(ctx: BotContext, shape: CampaignShape, text: string) {
  const m = REOPEN.exec(text);
  const parsed = m ? parseLocaleNumber(m[3]!, "plain") : null;
  if (!m || !parsed?.ok) return sendLong(ctx, ctx.t("results.reopen.usage"));
  const reason = (m[4] ?? "").replace(/\s+/g, " ").trim();
  if (!reason) return sendLong(ctx, refusedText(ctx, { reason: "reason_required" }));
  if (shape.campaign.status !== "PUBLISHED") {
    return sendLong(
      ctx,
      refusedText(ctx, { reason: "wrong_phase", phase: shape.campaign.status, needed: ["PUBLISHED"] }),
    );
  }
  const draft: ReopenDraft = { code: m[2]!, score: parsed.value, reason };
  const draftId = await keepDraft(ctx, { kind: "reopen-score", ...draft });
  await withUnit(
    ctx,
    shape,
    m[1]!,
    (u) => encode({ kind: "reopenUnit", unitId: u.id, draftId }),
    (u) => showReopenProposal(ctx, shape, u, draft, draftId),
  );
}

async function showReopenProposal(
  ctx: BotContext,
  shape: CampaignShape,
  unit: Unit,
  draft: ReopenDraft,
  draftId: number,
) {
  const question = await ctx.deps.db.question.findFirst({
    where: { questionnaireId: shape.campaign.questionnaireId ?? -1, code: draft.code },
  });
  if (!question) return sendLong(ctx, refusedText(ctx, { reason: "unknown_question" }));
  const item = await appraisalItem(ctx.deps.db, shape.campaign.id, unit.id, question.id);
  const view = reopenProposalView(
    ctx,
    unit,
    { ...draft, before: item.finalScore, version: item.round2?.version ?? 0 },
    draftId,
  );
  await sendLong(ctx, view.text, view.keyboard);
}

const saveReopen = (ctx: BotContext, shape: CampaignShape, unit: Unit, draftId: number, version: number) =>
  fromDraft<ReopenDraft>(ctx, draftId, "reopen-score", async (draft) => {
    const question = await ctx.deps.db.question.findFirstOrThrow({
      where: { questionnaireId: shape.campaign.questionnaireId ?? -1, code: draft.code },
    });
    const row = await reopenScore(ctx.deps.db, {
      ...acting(ctx, shape),
      unitId: unit.id,
      questionId: question.id,
      score: draft.score,
      reason: draft.reason,
      expectedVersion: version,
    });
    ctx.logger.info({ unit: unit.code, question: draft.code, score: row.score }, "score reopened");
    return ctx.t("results.reopen.saved", { unit: unit.name, code: draft.code, score: num(ctx, row.score) });
  });

// ---------------------------------------------------------------- commands

async function staleButton(ctx: BotContext) {
  await ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button"), show_alert: true });
}

resultsFeature.command([...RESULTS_COMMANDS], async (ctx, next) => {
  if (isCoordinator(ctx)) return next();
  await ctx.reply(ctx.t("coordinator.refused"));
});

const coordinators = resultsFeature.filter(isCoordinator);

coordinators.command("thuongphat", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const text = ctx.match.trim();
  await orRefusal(ctx, () => (text ? proposeAdjustment(ctx, shape, text) : showAdjustments(ctx, shape)));
});

coordinators.command("bieuduong", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const text = ctx.match.trim();
  await orRefusal(ctx, () => (text ? proposeRecognition(ctx, shape, "COMMEND", text) : showRecognitions(ctx, shape)));
});

coordinators.command("phebinh", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const text = ctx.match.trim();
  await orRefusal(ctx, () =>
    text
      ? proposeRecognition(ctx, shape, "CRITICISE", text)
      : sendLong(ctx, ctx.t("results.recognition.usage_criticise")).then(() => {}),
  );
});

coordinators.command("suadiem", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const text = ctx.match.trim();
  await orRefusal(ctx, () => (text ? proposeReopen(ctx, shape, text) : sendLong(ctx, ctx.t("results.reopen.usage"))));
});

// ---------------------------------------------------------------- buttons

resultsFeature.callbackQuery(RESULTS_FILTER, async (ctx) => {
  if (!isCoordinator(ctx)) {
    await ctx.answerCallbackQuery({ text: ctx.t("coordinator.refused"), show_alert: true });
    return;
  }
  const action = parseResultsAction(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("coordinator.bad_button") }));
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const db = ctx.deps.db;
  const unitById = async (id: number) => {
    const unit = await db.unit.findFirst({ where: { id, campaigns: { some: { campaignId: shape.campaign.id } } } });
    if (!unit) await staleButton(ctx);
    return unit;
  };
  await ctx.answerCallbackQuery().catch(() => {});
  await orRefusal(ctx, async () => {
    switch (action.kind) {
      case "adjustUnit":
      case "adjustSave": {
        const unit = await unitById(action.unitId);
        if (!unit) return;
        if (action.kind === "adjustSave") return saveAdjustment(ctx, shape, unit, action.draftId);
        const draft = await keptDraft<AdjustmentDraft>(ctx, action.draftId, "adjustment");
        return draft ? showAdjustmentProposal(ctx, unit, draft, action.draftId) : staleButton(ctx);
      }
      case "adjustRemove": {
        const row = await db.unitAdjustment.findFirst({
          where: { id: action.adjustmentId, campaignId: shape.campaign.id, removedAt: null },
          include: { unit: { select: { name: true } } },
        });
        if (!row) return sendLong(ctx, refusedText(ctx, { reason: "adjustment_gone" }));
        assertAdjustable(shape.campaign);
        const view = removeAdjustmentView(ctx, row);
        return sendLong(ctx, view.text, view.keyboard);
      }
      case "adjustRemoveYes": {
        const row = await removeAdjustment(db, { ...acting(ctx, shape), adjustmentId: action.adjustmentId });
        const unit = await db.unit.findUniqueOrThrow({ where: { id: row.unitId } });
        ctx.logger.info({ unit: unit.code, id: row.id }, "adjustment removed");
        return sendLong(
          ctx,
          ctx.t("results.adjust.removed", {
            id: row.id,
            unit: unit.name,
            kind: ctx.t(`results.adjust.kind.${row.kind}`),
            points: num(ctx, row.points),
          }),
        );
      }
      case "reopenUnit":
      case "reopenSave": {
        const unit = await unitById(action.unitId);
        if (!unit) return;
        if (action.kind === "reopenSave") return saveReopen(ctx, shape, unit, action.draftId, action.version);
        const draft = await keptDraft<ReopenDraft>(ctx, action.draftId, "reopen-score");
        return draft ? showReopenProposal(ctx, shape, unit, draft, action.draftId) : staleButton(ctx);
      }
      case "recognitionUnit":
      case "recognitionSave": {
        const unit = await unitById(action.unitId);
        if (!unit) return;
        if (action.kind === "recognitionSave") return saveRecognition(ctx, shape, unit, action.draftId);
        const draft = await keptDraft<RecognitionDraft>(ctx, action.draftId, "recognition");
        return draft ? showRecognitionProposal(ctx, shape, unit, draft, action.draftId) : staleButton(ctx);
      }
      case "cancel":
        if (action.draftId)
          await db.scheduleDraft.deleteMany({ where: { id: action.draftId, personId: ctx.person.id } });
        return sendLong(ctx, ctx.t("results.cancelled"));
    }
  });
});
