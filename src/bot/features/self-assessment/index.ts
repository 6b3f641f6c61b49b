/**
 * /tudanhgia: unit officers answer the self-assessment question by question, per reform
 * area, with evidence files, review and submission.
 *
 * No long conversation: every step reads its state from the database (answers, evidence,
 * the officer's cursor) and writes it back, so an answer costs the same at question 5 and
 * question 300, and nothing is lost when the bot restarts.
 */

import { Composer, type InlineKeyboard } from "grammy";
import { receiveEvidenceFile } from "../../../app/evidence.ts";
import type { Answer, ReformArea } from "../../../db/client.ts";
import { EXPLANATION_MIN_LENGTH, freeTextError, parseAnswer, parseManualScore } from "../../../domain/answers.ts";
import {
  AssessmentRefused,
  addLinkEvidence,
  answerState,
  areaProgress,
  clearCursor,
  countEvidence,
  findQuestion,
  getCursor,
  isAreaSubmitted,
  listEvidence,
  type NextStep,
  neighbour,
  nextUnanswered,
  positionOf,
  type QuestionWithContext,
  type Refusal,
  removeEvidence,
  reviewArea,
  type Scope,
  saveAnswer,
  scoreJustLeft,
  sentBeforeShown,
  setCursor,
  submitArea,
} from "../../../domain/assessment.ts";
import { scoreAnswer } from "../../../domain/scoring.ts";
import { formatDateTime } from "../../../domain/time.ts";
import { maxFileBytes } from "../../../storage/index.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import { linkFor } from "../../links.ts";
import { replyLong, sendLong } from "../../messages.ts";
import { incomingFileOf, openSentFile, sentFileOf } from "../../sent-files.ts";
import { type AssessmentAction, parseAction } from "./callback-data.ts";
import {
  areaListView,
  confirmSubmitView,
  evidenceListView,
  evidenceRequestKeyboard,
  fileSize,
  missingText,
  questionView,
  reviewView,
  savedText,
  scoreCorrectedText,
  submittedText,
  whichQuestionView,
} from "./views.ts";

export const selfAssessmentFeature = new Composer<BotContext>();

/** The unit this officer assesses, or null after telling them why they cannot. */
async function scopeOf(ctx: BotContext): Promise<(Scope & { unitName: string }) | null> {
  const unit = ctx.standing.membership?.unit;
  if (!ctx.campaign || ctx.standing.role !== "OFFICER" || !unit) {
    await say(ctx, ctx.t(ctx.standing.role ? "assessment.not_officer" : "assessment.no_unit"));
    return null;
  }
  if (!ctx.campaign.questionnaireId) {
    await say(ctx, ctx.t("assessment.no_questionnaire"));
    return null;
  }
  return { campaign: ctx.campaign, unitId: unit.id, unitKind: unit.kind, unitName: unit.name };
}

/** Sends a message (several if long) under `lead` when there is one; answers a pressed button. */
function say(ctx: BotContext, text: string, keyboard?: InlineKeyboard, lead?: string) {
  return replyLong(ctx, lead ? `${lead}\n\n${text}` : text, keyboard);
}

function refusalText(ctx: BotContext, refusal: Refusal): string {
  const tz = ctx.config.TZ;
  switch (refusal.reason) {
    case "deadline":
      return ctx.t("assessment.refused.deadline", { when: formatDateTime(refusal.deadline, tz) });
    case "not_open":
      return ctx.t("assessment.refused.not_open", { when: formatDateTime(refusal.opensAt, tz) });
    case "submitted":
      return ctx.t("assessment.refused.submitted", {
        area: `${refusal.area.code}. ${refusal.area.title}`,
        when: formatDateTime(refusal.submittedAt, tz),
      });
    case "stale":
      return ctx.t("assessment.refused.stale");
    case "gone":
      return ctx.t("assessment.refused.gone");
  }
}

async function showAreas(ctx: BotContext, scope: Scope & { unitName: string }) {
  await clearCursor(ctx.deps.db, ctx.person.id);
  const { text, keyboard } = areaListView(ctx, scope.unitName, await areaProgress(ctx.deps.db, scope));
  await sendLong(ctx, text, keyboard);
}

interface ShowOptions {
  /** Send a new message instead of replacing the pressed one. */
  fresh?: boolean;
  /** A line to put above it in the same message (what was just saved). */
  lead?: string;
  /**
   * The caller has just found the question unanswered, in an area it knows is open
   * (it just wrote to it, or just checked): only the evidence count is left to read.
   */
  unansweredInOpenArea?: boolean;
  /** The cursor was stored with the write that led here. */
  cursorSet?: boolean;
}

/** Shows a question and points the officer's cursor at it. */
async function showQuestion(ctx: BotContext, scope: Scope, question: QuestionWithContext, options: ShowOptions = {}) {
  const db = ctx.deps.db;
  const [state, position] = await Promise.all([
    options.unansweredInOpenArea
      ? countEvidence(db, scope, question.id).then((evidenceCount) => ({
          answer: null,
          evidenceCount,
          submittedAt: null,
        }))
      : answerState(db, scope, question),
    positionOf(db, scope, question),
  ]);
  const { answer, evidenceCount } = state;
  const locked = state.submittedAt !== null;
  const view = questionView(ctx, { question, answer, evidenceCount, position, locked });
  // Both at once: the officer's next message waits for this update anyway (sequentialize).
  await Promise.all([
    options.cursorSet ? undefined : setCursor(db, ctx.person.id, scope, question.id, "ANSWER"),
    options.fresh ? say(ctx, view.text, view.keyboard, options.lead) : sendLong(ctx, view.text, view.keyboard),
  ]);
}

/**
 * After a write that moved the officer on (the cursor was stored with it): ask for what the
 * question still needs, or show the next question or the area's review, in one message
 * under `lead` (what was just saved): one message per answer, not two.
 */
async function showNext(ctx: BotContext, scope: Scope, question: QuestionWithContext, next: NextStep, lead: string) {
  switch (next.kind) {
    case "score":
      return say(ctx, `${lead}\n\n${ctx.t("assessment.ask_score", { max: num(ctx, question.maxPoints) })}`);
    case "evidence": {
      const hint = question.evidenceHint ?? ctx.t("assessment.evidence_default_hint");
      return say(
        ctx,
        `${lead}\n\n${ctx.t("assessment.ask_evidence", { hint })}`,
        evidenceRequestKeyboard(ctx, question),
      );
    }
    case "question":
      // Just found unanswered, in an area just written to (so open), cursor already on it.
      return showQuestion(ctx, scope, next.question, {
        fresh: true,
        unansweredInOpenArea: true,
        cursorSet: true,
        lead,
      });
    case "review":
      return showReview(ctx, scope, question.criterion.area, { fresh: true, lead });
  }
}

async function showReview(ctx: BotContext, scope: Scope, area: ReformArea, options: ShowOptions = {}) {
  await clearCursor(ctx.deps.db, ctx.person.id);
  const { items, missing, submission, total } = await reviewArea(ctx.deps.db, scope, area.id);
  const view = reviewView(ctx, area, items, missing, submission?.submittedAt ?? null, total);
  if (options.fresh) await say(ctx, view.text, view.keyboard, options.lead);
  else await sendLong(ctx, view.text, view.keyboard);
}

async function findArea(ctx: BotContext, scope: Scope, areaId: number) {
  const area = await ctx.deps.db.reformArea.findUnique({ where: { id: areaId } });
  return area && area.questionnaireId === scope.campaign.questionnaireId ? area : null;
}

/** Runs a write; a refusal becomes a clear message instead of an error. */
async function guarded(ctx: BotContext, write: () => Promise<void>) {
  try {
    await write();
  } catch (e) {
    if (!(e instanceof AssessmentRefused)) throw e;
    await say(ctx, refusalText(ctx, e.refusal));
  }
}

/** Stores a typed or tapped answer for `question` and moves on. */
async function answerWith(ctx: BotContext, scope: Scope, question: QuestionWithContext, input: string, stamp?: string) {
  const parsed = parseAnswer(question, input, { timeZone: ctx.config.TZ, year: scope.campaign.year });
  if (!parsed.ok) {
    await say(ctx, ctx.t(parsed.error.key, parsed.error.vars));
    return;
  }
  const selfScore = scoreAnswer(question, parsed.value, { timeZone: ctx.config.TZ });
  await guarded(ctx, async () => {
    let saved: { answer: Answer; next: NextStep | null };
    try {
      saved = await saveAnswer(ctx.deps.db, scope, question, { value: parsed.value, selfScore }, ctx.person.id, {
        now: ctx.sentAt,
        expectedStamp: stamp,
        advance: "needs",
      });
    } catch (e) {
      if (e instanceof AssessmentRefused && e.refusal.reason === "stale") {
        // Someone (maybe a colleague) changed this answer since the buttons were drawn.
        await say(ctx, refusalText(ctx, e.refusal));
        await showQuestion(ctx, scope, question, { fresh: true });
        return;
      }
      throw e;
    }
    await showNext(ctx, scope, question, saved.next!, savedText(ctx, question, saved.answer));
  });
}

selfAssessmentFeature.command(["tudanhgia", "tdg"], async (ctx) => {
  const scope = await scopeOf(ctx);
  if (scope) await showAreas(ctx, scope);
});

selfAssessmentFeature.callbackQuery(/^sa:/, async (ctx) => {
  const action = parseAction(ctx.callbackQuery.data);
  if (!action) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") });
    return;
  }
  const scope = await scopeOf(ctx);
  if (!scope) return;
  await handleAction(ctx, scope, action);
});

async function handleAction(ctx: BotContext, scope: Scope & { unitName: string }, action: AssessmentAction) {
  const db = ctx.deps.db;
  const now = ctx.sentAt;
  switch (action.kind) {
    case "list":
    case "leave":
      if (action.kind === "leave") await say(ctx, ctx.t("assessment.left"));
      return showAreas(ctx, scope);
    case "area": {
      const area = await findArea(ctx, scope, action.areaId);
      if (!area) return staleButton(ctx);
      const next = await nextUnanswered(db, scope, area.id);
      return next && !(await isAreaSubmitted(ctx.deps.db, scope, area.id))
        ? showQuestion(ctx, scope, next, { unansweredInOpenArea: true })
        : showReview(ctx, scope, area);
    }
    case "review":
    case "submit":
    case "confirmSubmit": {
      const area = await findArea(ctx, scope, action.areaId);
      if (!area) return staleButton(ctx);
      if (action.kind === "review") return showReview(ctx, scope, area);
      if (action.kind === "submit") {
        const { missing, submission, total } = await reviewArea(db, scope, area.id);
        if (submission) return showReview(ctx, scope, area);
        if (missing.length > 0) return say(ctx, missingText(ctx, missing));
        const view = confirmSubmitView(ctx, area, total);
        return sendLong(ctx, view.text, view.keyboard);
      }
      return guarded(ctx, async () => {
        const result = await submitArea(db, scope, area, ctx.person.id, now);
        if (!result.ok) {
          await say(ctx, missingText(ctx, result.missing));
          return;
        }
        ctx.logger.info({ unit: scope.unitId, area: area.code, score: result.total.score }, "area submitted");
        await say(ctx, submittedText(ctx, area, result.total));
        await showAreas(ctx, scope);
      });
    }
    case "typed":
      return resolveTyped(ctx, scope, action.draftId, action.target);
    case "removeEvidence":
      return guarded(ctx, async () => {
        const removed = await removeEvidence(db, scope, action.evidenceId, ctx.person.id, now);
        if (!removed) return staleButton(ctx);
        const question = (await findQuestion(db, scope, removed.question.id))!;
        const name = removed.evidence.fileName ?? removed.evidence.url ?? ctx.t("assessment.photo");
        await showEvidence(ctx, scope, question, { head: ctx.t("assessment.evidence_removed", { name }), edit: true });
      });
    default: {
      const question = await findQuestion(db, scope, action.questionId);
      if (!question) return staleButton(ctx);
      switch (action.kind) {
        case "question":
          return showQuestion(ctx, scope, question);
        case "answer":
          return answerWith(ctx, scope, question, action.value, action.stamp);
        case "skip":
        case "back": {
          const other = await neighbour(db, scope, question, action.kind === "skip" ? "next" : "previous");
          if (other) return showQuestion(ctx, scope, other);
          if (action.kind === "skip") return showReview(ctx, scope, question.criterion.area);
          await ctx.answerCallbackQuery({ text: ctx.t("assessment.first_question") });
          return;
        }
        case "evidence": {
          if (!(await isAreaSubmitted(ctx.deps.db, scope, question.criterion.area.id))) {
            await setCursor(db, ctx.person.id, scope, question.id, "EVIDENCE");
          }
          return showEvidence(ctx, scope, question, { edit: true });
        }
        case "explain":
          if (await isAreaSubmitted(ctx.deps.db, scope, question.criterion.area.id)) {
            return say(ctx, refusalText(ctx, { reason: "submitted", area: question.criterion.area, submittedAt: now }));
          }
          await setCursor(db, ctx.person.id, scope, question.id, "EXPLANATION");
          return say(ctx, ctx.t("assessment.ask_explanation", { code: question.code }));
      }
    }
  }
}

/**
 * A number typed right after the bot moved on from a self-score: it fits that score as well
 * as the question now shown. Filing it under the new question would be a guess (a corrected
 * score once became the answer to 1.6), so the officer chooses; the text waits in a draft.
 */
async function askWhichQuestion(ctx: BotContext, shown: QuestionWithContext, left: QuestionWithContext, text: string) {
  const draft = await ctx.deps.db.scheduleDraft.create({
    data: { personId: ctx.person.id, payload: { kind: "typed", text, shownId: shown.id, leftId: left.id } },
  });
  const view = whichQuestionView(ctx, shown, left, text, draft.id);
  await say(ctx, view.text, view.keyboard);
}

/** The officer's choice for a number typed just after a self-score (see askWhichQuestion). */
async function resolveTyped(ctx: BotContext, scope: Scope, draftId: number, target: "shown" | "left") {
  const db = ctx.deps.db;
  const draft = await db.scheduleDraft.findUnique({ where: { id: draftId } });
  const payload = draft?.payload as { kind?: string; text?: string; shownId?: number; leftId?: number } | undefined;
  if (!draft || draft.personId !== ctx.person.id || payload?.kind !== "typed" || !payload.text) return staleButton(ctx);
  const [shown, left] = await Promise.all([
    findQuestion(db, scope, payload.shownId ?? 0),
    findQuestion(db, scope, payload.leftId ?? 0),
  ]);
  if (!shown || !left) return staleButton(ctx);
  // One use: a second press finds no draft.
  if ((await db.scheduleDraft.deleteMany({ where: { id: draft.id } })).count === 0) return staleButton(ctx);
  if (target === "shown") {
    // Answered: the score just left can no longer be what the next number means.
    await setCursor(db, ctx.person.id, scope, shown.id, "ANSWER");
    return answerWith(ctx, scope, shown, payload.text);
  }
  const parsed = parseManualScore(payload.text, left.maxPoints);
  if (!parsed.ok) return say(ctx, ctx.t(parsed.error.key, parsed.error.vars));
  await guarded(ctx, async () => {
    const saved = await saveAnswer(db, scope, left, { selfScore: parsed.value }, ctx.person.id, { now: ctx.sentAt });
    await showQuestion(ctx, scope, shown, { fresh: true, lead: scoreCorrectedText(ctx, left, saved.answer) });
  });
}

async function staleButton(ctx: BotContext) {
  await ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button"), show_alert: true });
}

/** Typed text: answers the question under the officer's cursor, if there is one. */
selfAssessmentFeature.on("message:text", async (ctx, next) => {
  if (ctx.message.text.startsWith("/") || ctx.standing.role !== "OFFICER") return next();
  const scope = await scopeOf(ctx);
  if (!scope) return;
  const cursor = await getCursor(ctx.deps.db, ctx.person.id, scope);
  if (!cursor) return next();
  const question = await findQuestion(ctx.deps.db, scope, cursor.questionId);
  if (!question) {
    await clearCursor(ctx.deps.db, ctx.person.id);
    return next();
  }
  const text = ctx.message.text;
  if (sentBeforeShown(ctx.sentAt, cursor)) {
    // Sent before this question appeared: meant for another one. Never file it here.
    return void (await say(ctx, ctx.t("assessment.sent_before_shown", { code: question.code })));
  }
  switch (cursor.mode) {
    case "ANSWER": {
      const left = scoreJustLeft(cursor, ctx.sentAt);
      const leftQuestion = left === null ? null : await findQuestion(ctx.deps.db, scope, left);
      if (leftQuestion && parseManualScore(text, leftQuestion.maxPoints).ok) {
        return askWhichQuestion(ctx, question, leftQuestion, text);
      }
      return answerWith(ctx, scope, question, text);
    }
    case "SCORE": {
      const parsed = parseManualScore(text, question.maxPoints);
      if (!parsed.ok) return void (await say(ctx, ctx.t(parsed.error.key, parsed.error.vars)));
      return guarded(ctx, async () => {
        const saved = await saveAnswer(ctx.deps.db, scope, question, { selfScore: parsed.value }, ctx.person.id, {
          now: ctx.sentAt,
          advance: "needs",
          via: "SCORE",
        });
        await showNext(ctx, scope, question, saved.next!, savedText(ctx, question, saved.answer));
      });
    }
    case "EXPLANATION": {
      const explanation = text.normalize("NFC").trim();
      const invalid = freeTextError(explanation, EXPLANATION_MIN_LENGTH);
      if (invalid) return void (await say(ctx, ctx.t(invalid.key, invalid.vars)));
      return guarded(ctx, async () => {
        const { answer } = await answerState(ctx.deps.db, scope, question);
        if (!answer) {
          await say(ctx, ctx.t("assessment.answer_first"));
          await showQuestion(ctx, scope, question, { fresh: true });
          return;
        }
        const saved = await saveAnswer(ctx.deps.db, scope, question, { explanation }, ctx.person.id, {
          now: ctx.sentAt,
          advance: "next",
        });
        await showNext(
          ctx,
          scope,
          question,
          saved.next!,
          ctx.t("assessment.explanation_saved", { code: question.code }),
        );
      });
    }
    case "EVIDENCE": {
      // A link typed as evidence (a news page, a portal page); the words around it its note.
      const url = /https?:\/\/[^\s<>"]{3,2000}/i.exec(text)?.[0];
      if (!url) return void (await say(ctx, ctx.t("assessment.evidence_expected", { code: question.code })));
      const note = text.replace(url, "").replace(/\s+/g, " ").trim() || null;
      return guarded(ctx, async () => {
        const { duplicate } = await addLinkEvidence(
          ctx.deps.db,
          scope,
          question,
          { url, note, source: "telegram" },
          ctx.person.id,
          ctx.sentAt,
        );
        const head = ctx.t(duplicate ? "assessment.evidence_link_duplicate" : "assessment.evidence_link_saved", {
          code: question.code,
        });
        await showEvidence(ctx, scope, question, { head });
      });
    }
  }
});

/** A link to the upload page of `question`, for files Telegram cannot pass to the bot. */
async function uploadLink(ctx: BotContext, scope: Scope, question: QuestionWithContext) {
  return linkFor(ctx, {
    purpose: "upload",
    campaignId: scope.campaign.id,
    unitId: scope.unitId,
    questionId: question.id,
  });
}

/**
 * A document or photo while a question is open: the bot downloads it from Telegram and keeps
 * its own copy (src/app/evidence.ts), checking its type from the content. Files over
 * Telegram's 20 MB download limit, or over the province's limit, are refused with the way
 * that works (the upload page, or a smaller file).
 */
selfAssessmentFeature.on(["message:document", "message:photo"], async (ctx, next) => {
  if (ctx.standing.role !== "OFFICER") return next();
  const scope = await scopeOf(ctx);
  if (!scope) return;
  const cursor = await getCursor(ctx.deps.db, ctx.person.id, scope);
  const question = cursor && (await findQuestion(ctx.deps.db, scope, cursor.questionId));
  if (!question) return void (await say(ctx, ctx.t("assessment.evidence_no_question")));
  const sent = sentFileOf(ctx.message)!;
  const name = sent.fileName ?? ctx.t("assessment.photo");
  await guarded(ctx, async () => {
    const opened = await openSentFile(ctx, sent);
    if (!opened.ok) {
      if (opened.reason === "too_large") {
        const [size, max] = [fileSize(ctx, sent.size ?? 0), fileSize(ctx, opened.maxBytes)];
        await say(ctx, ctx.t("assessment.evidence_too_large", { name, size, max }));
        return;
      }
      const link = await uploadLink(ctx, scope, question);
      const key =
        opened.reason === "channel_limit"
          ? "assessment.evidence_use_upload_page"
          : `assessment.evidence_download_${opened.reason}`;
      await say(ctx, ctx.t(key, { name, code: question.code, url: link.url }));
      return;
    }
    const maxBytes = maxFileBytes(ctx.config);
    const result = await receiveEvidenceFile(
      { db: ctx.deps.db, store: ctx.deps.store, maxBytes },
      scope,
      question,
      incomingFileOf(ctx, sent, opened.stream),
      ctx.person.id,
      ctx.sentAt,
    );
    if (!result.ok) {
      const max = fileSize(ctx, maxBytes);
      const key = result.reason === "type" ? "assessment.evidence_wrong_type" : "assessment.evidence_too_large_stored";
      await say(ctx, ctx.t(key, { name, max }));
      return;
    }
    const head = ctx.t(result.duplicate ? "assessment.evidence_duplicate" : "assessment.evidence_saved", {
      name: result.evidence.fileName ?? name,
      code: question.code,
      count: await countEvidence(ctx.deps.db, scope, question.id),
    });
    await showEvidence(ctx, scope, question, { head });
  });
});

/**
 * A question's evidence, with a link to open the files and one to upload more; under `head`
 * (what just happened) in a new message, or in place of the pressed one with `edit`.
 */
async function showEvidence(
  ctx: BotContext,
  scope: Scope,
  question: QuestionWithContext,
  options: { head?: string; edit?: boolean } = {},
) {
  const [files, locked] = await Promise.all([
    listEvidence(ctx.deps.db, scope, question.id),
    isAreaSubmitted(ctx.deps.db, scope, question.criterion.area.id),
  ]);
  const links = {
    view: await linkFor(ctx, {
      purpose: "evidence",
      campaignId: scope.campaign.id,
      unitId: scope.unitId,
      areaId: question.criterion.area.id,
    }),
    upload: locked ? null : await uploadLink(ctx, scope, question),
  };
  const view = evidenceListView(ctx, question, files, locked, links);
  const text = options.head ? `${options.head}\n\n${view.text}` : view.text;
  await (options.edit ? sendLong(ctx, text, view.keyboard) : say(ctx, text, view.keyboard));
}
