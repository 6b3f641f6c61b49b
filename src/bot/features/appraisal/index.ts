/**
 * Appraisal in chat. /giaidoan: coordinators see the campaign's phases and move it to the
 * next one (closing round 1 with the explanation deadline). /thamdinh: appraisers (and
 * coordinators, who may appraise everything) judge the units' self-scores one item at a
 * time: keep the self-score with one tap, or set a score the item's rule allows, with a
 * comment whenever it differs.
 *
 * As in the self-assessment, no long conversation: the item a person is on and a score
 * waiting for its comment are in the AppraisalCursor table, so what they type next goes to
 * the right item after a restart too. Every rule (phase, assignment, steps, comment,
 * version) is the domain's (src/domain/appraisal.ts); this file only shows and asks.
 */
import { Composer } from "grammy";
import { parseManualScore } from "../../../domain/answers.ts";
import {
  type Acting,
  type AppraisalItem,
  appraisalItem,
  appraisalProgress,
  appraise,
  nextItemToAppraise,
  type Round,
} from "../../../domain/appraisal.ts";
import { clearAppraisalCursor, getAppraisalCursor, setAppraisalCursor } from "../../../domain/appraisal-cursor.ts";
import { moveCampaignPhase } from "../../../domain/appraisal-phases.ts";
import { AppraisalRefused, nextPhase, roundOfPhase, sameScore } from "../../../domain/appraisal-rules.ts";
import { type AppraisalActor, appraisalActor, mayAppraise, scopesOf } from "../../../domain/appraisers.ts";
import { campaignShape } from "../../../domain/status.ts";
import { parseViDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { appraisalRefusalText } from "../../format.ts";
import { linkFor } from "../../links.ts";
import { replyLong, sendLong } from "../../messages.ts";
import { appraiseButtons, phaseButtons } from "./callback-data.ts";
import {
  askCommentView,
  confirmMoveView,
  itemView,
  phaseName,
  phaseView,
  savedText,
  type UnitChoice,
  unitsView,
} from "./views.ts";

export const appraisalFeature = new Composer<BotContext>();

/** A comment says why a score differs: a few words at least. */
const COMMENT_MIN = 5;
/** Units listed as buttons; the rest are reached by "Làm tiếp". */
const UNIT_BUTTONS_MAX = 30;
/** A typed closing time without one: the end of the working day. */
const DEADLINE_DEFAULT_TIME: [number, number] = [17, 0];

const acting = (ctx: BotContext): Acting => ({
  campaignId: ctx.campaign!.id,
  personId: ctx.person.id,
  coordinatorIds: ctx.config.COORDINATOR_IDS,
  now: ctx.sentAt,
});

const refusal = (ctx: BotContext, e: AppraisalRefused) => appraisalRefusalText(ctx, e.refusal);

/** Runs a write; a refusal is told in the person's words (nothing was changed). */
async function refusedAs<T>(ctx: BotContext, write: () => Promise<T>): Promise<T | null> {
  try {
    return await write();
  } catch (e) {
    if (!(e instanceof AppraisalRefused)) throw e;
    await replyLong(ctx, refusal(ctx, e));
    return null;
  }
}

// ---------------------------------------------------------------- /giaidoan

async function showPhases(ctx: BotContext, lead?: string) {
  const campaign = await ctx.deps.db.campaign.findUniqueOrThrow({ where: { id: ctx.campaign!.id } });
  const round = roundOfPhase(campaign.status);
  const progress = round ? await appraisalProgress(ctx.deps.db, await campaignShape(ctx.deps.db, campaign)) : null;
  const { text, keyboard } = phaseView(ctx, campaign, progress);
  await replyLong(ctx, lead ? `${lead}\n\n${text}` : text, keyboard);
}

/** Coordinators with a campaign pass; others are told why not. */
async function coordinatorHere(ctx: BotContext): Promise<boolean> {
  if (!ctx.campaign) {
    await replyLong(ctx, ctx.t("coordinator.no_campaign"));
    return false;
  }
  if (ctx.standing.role !== "COORDINATOR") {
    await replyLong(ctx, ctx.t("appraisal.refused.not_coordinator"));
    return false;
  }
  return true;
}

appraisalFeature.command("giaidoan", async (ctx) => {
  if (!(await coordinatorHere(ctx))) return;
  const typed = ctx.match.trim();
  if (!typed) return showPhases(ctx);
  // A deadline: only closing round 1 takes one.
  const campaign = await ctx.deps.db.campaign.findUniqueOrThrow({ where: { id: ctx.campaign!.id } });
  const next = nextPhase(campaign.status);
  if (next !== "EXPLANATION") return void (await replyLong(ctx, ctx.t("phase.deadline_not_now")));
  const deadline = parseViDateTime(typed, ctx.config.TZ, DEADLINE_DEFAULT_TIME);
  if (!deadline) return void (await replyLong(ctx, ctx.t("phase.bad_deadline", { text: typed.slice(0, 40) })));
  const { text, keyboard } = confirmMoveView(ctx, campaign.status, next, deadline);
  await replyLong(ctx, text, keyboard);
});

appraisalFeature.callbackQuery(phaseButtons.filter, async (ctx) => {
  const action = phaseButtons.parse(ctx.callbackQuery.data);
  if (!action || !(await coordinatorHere(ctx))) return;
  const campaign = await ctx.deps.db.campaign.findUniqueOrThrow({ where: { id: ctx.campaign!.id } });
  if (campaign.status !== action.from) {
    // A colleague moved it meanwhile: show where it is now rather than move it again.
    return showPhases(ctx, ctx.t("phase.stale"));
  }
  if (action.kind === "ask") {
    const { text, keyboard } = confirmMoveView(ctx, action.from, action.to, null);
    return void (await sendLong(ctx, text, keyboard));
  }
  const moved = await refusedAs(ctx, () =>
    moveCampaignPhase(ctx.deps.db, {
      ...acting(ctx),
      to: action.to,
      explanationDeadline: action.deadline ? new Date(action.deadline * 60_000) : undefined,
    }),
  );
  if (!moved) return;
  await showPhases(ctx, ctx.t("phase.moved", { to: phaseName(ctx, moved.to), count: moved.notices }));
});

// ---------------------------------------------------------------- /thamdinh

/** The person as appraiser in the campaign's open round, or null after telling them why not. */
async function appraiserHere(ctx: BotContext): Promise<{ actor: AppraisalActor; round: Round } | null> {
  if (!ctx.campaign) {
    await replyLong(ctx, ctx.t("appraise.not_appraiser"));
    return null;
  }
  const actor = await appraisalActor(ctx.deps.db, ctx.campaign.id, ctx.person.id, ctx.config.COORDINATOR_IDS);
  if (!actor) {
    await replyLong(ctx, ctx.t("appraise.not_appraiser"));
    return null;
  }
  const campaign = await ctx.deps.db.campaign.findUniqueOrThrow({ where: { id: ctx.campaign.id } });
  const round = roundOfPhase(campaign.status);
  if (!round) {
    await replyLong(ctx, ctx.t("appraise.no_round", { phase: phaseName(ctx, campaign.status) }));
    return null;
  }
  return { actor, round };
}

async function showUnits(ctx: BotContext, actor: AppraisalActor, round: Round, lead?: string) {
  const db = ctx.deps.db;
  const campaign = await db.campaign.findUniqueOrThrow({ where: { id: ctx.campaign!.id } });
  const [progress, scopes] = await Promise.all([
    appraisalProgress(db, await campaignShape(db, campaign), round),
    scopesOf(db, campaign.id, actor),
  ]);
  const everyUnit = scopes.some((s) => s.unitId === null);
  const inScope = new Set(scopes.map((s) => s.unitId));
  const units: UnitChoice[] = progress.units
    // A unit that answered nothing has nothing to appraise.
    .filter((u) => (everyUnit || inScope.has(u.unitId)) && u.assigned > 0)
    // Units with work left first.
    .sort((a, b) => Number(a.done >= a.assigned) - Number(b.done >= b.assigned))
    .slice(0, UNIT_BUTTONS_MAX)
    .map((u) => ({ unitId: u.unitId, name: u.name, done: u.done, assigned: u.assigned }));
  const mine = actor.coordinator ? [] : progress.appraisers.filter((a) => a.personId === actor.personId);
  const summary =
    mine.length > 0
      ? {
          done: mine.reduce((s, a) => s + a.done, 0),
          assigned: mine.reduce((s, a) => s + a.assigned, 0),
          byThem: mine.reduce((s, a) => s + a.byThem, 0),
        }
      : null;
  await clearAppraisalCursor(db, ctx.person.id);
  const { text, keyboard } = unitsView(ctx, round, units, summary);
  await sendLong(ctx, lead ? `${lead}\n\n${text}` : text, keyboard);
}

/** Shows an item and puts the person's cursor on it (a typed number is then its score). */
async function showItem(
  ctx: BotContext,
  actor: AppraisalActor,
  unitId: number,
  questionId: number,
  options: { lead?: string; fresh?: boolean } = {},
) {
  const db = ctx.deps.db;
  const campaignId = ctx.campaign!.id;
  const item = await refusedAs(ctx, () => appraisalItem(db, campaignId, unitId, questionId));
  if (!item) return;
  if (!(await mayAppraise(db, campaignId, actor, unitId, item.area.id))) {
    return void (await replyLong(
      ctx,
      ctx.t("appraisal.refused.not_assigned", { unit: item.unit.shortName, area: item.area.code }),
    ));
  }
  const evidenceUrl =
    item.evidence.length > 0
      ? (await linkFor(ctx, { purpose: "evidence", campaignId, unitId, areaId: item.area.id })).url
      : null;
  await setAppraisalCursor(db, ctx.person.id, {
    campaignId,
    unitId,
    questionId,
    mode: "APPRAISE",
    round: item.round,
    version: item.version,
  });
  const { text, keyboard } = itemView(ctx, item, evidenceUrl);
  const full = options.lead ? `${options.lead}\n\n${text}` : text;
  if (options.fresh) await replyLong(ctx, full, keyboard);
  else await sendLong(ctx, full, keyboard);
}

/**
 * The item after `item` in the person's queue: the same unit first (after it, then from the
 * unit's start for items left for later), then any unit. Shown under `lead`; when nothing is
 * left, the units list says so.
 */
async function showNext(ctx: BotContext, actor: AppraisalActor, round: Round, item: AppraisalItem, lead: string) {
  const db = ctx.deps.db;
  const who = acting(ctx);
  const unitId = item.unit.id;
  const next =
    (await nextItemToAppraise(db, who, { unitId, after: { unitId, order: item.question.order } })) ??
    (await nextItemToAppraise(db, who, { unitId })) ??
    (await nextItemToAppraise(db, who));
  const isSame = next && next.unitId === unitId && next.questionId === item.question.id;
  if (!next || isSame) {
    return showUnits(ctx, actor, round, `${lead}\n${ctx.t("appraise.nothing_left", { round })}`);
  }
  await showItem(ctx, actor, next.unitId, next.questionId, { lead, fresh: true });
}

/** Writes a score (or the self-score kept) and goes on to the next item. */
async function score(
  ctx: BotContext,
  actor: AppraisalActor,
  round: Round,
  item: AppraisalItem,
  input: { score: number | "accept"; comment: string | null; version: number },
) {
  let result: Awaited<ReturnType<typeof appraise>>;
  try {
    result = await appraise(ctx.deps.db, {
      ...acting(ctx),
      unitId: item.unit.id,
      questionId: item.question.id,
      score: input.score,
      comment: input.comment,
      expectedVersion: input.version,
    });
  } catch (e) {
    if (!(e instanceof AppraisalRefused)) throw e;
    // A colleague's change: the item as it is now under the refusal. Otherwise the refusal
    // says what to type, and the item is still on the screen above.
    if (e.refusal.reason === "stale") {
      return showItem(ctx, actor, item.unit.id, item.question.id, { lead: refusal(ctx, e), fresh: true });
    }
    return void (await replyLong(ctx, refusal(ctx, e)));
  }
  const saved = { round: result.round, score: result.appraisal.score, comment: result.appraisal.comment };
  await showNext(ctx, actor, round, item, savedText(ctx, item, saved));
}

/** A chosen or typed score: one that differs from the self-score waits for its comment. */
async function scoreOrAskComment(
  ctx: BotContext,
  actor: AppraisalActor,
  round: Round,
  item: AppraisalItem,
  value: number,
  comment: string | null,
  version: number,
) {
  const self = item.teamScored ? null : (item.answer?.selfScore ?? 0);
  if (comment || self === null || sameScore(value, self)) {
    return score(ctx, actor, round, item, { score: value, comment, version });
  }
  await setAppraisalCursor(ctx.deps.db, ctx.person.id, {
    campaignId: ctx.campaign!.id,
    unitId: item.unit.id,
    questionId: item.question.id,
    mode: "COMMENT",
    round,
    pendingScore: value,
    version,
  });
  const { text, keyboard } = askCommentView(ctx, item, value);
  await replyLong(ctx, text, keyboard);
}

appraisalFeature.command("thamdinh", async (ctx) => {
  const here = await appraiserHere(ctx);
  if (!here) return;
  await showUnits(ctx, here.actor, here.round);
});

appraisalFeature.callbackQuery(appraiseButtons.filter, async (ctx) => {
  const action = appraiseButtons.parse(ctx.callbackQuery.data);
  if (!action) return;
  const here = await appraiserHere(ctx);
  if (!here) return;
  const { actor, round } = here;
  const db = ctx.deps.db;
  switch (action.kind) {
    case "list":
      return showUnits(ctx, actor, round);
    case "unit": {
      const next = await nextItemToAppraise(db, acting(ctx), action.unitId ? { unitId: action.unitId } : {});
      if (!next) return showUnits(ctx, actor, round, ctx.t("appraise.nothing_left", { round }));
      return showItem(ctx, actor, next.unitId, next.questionId);
    }
    case "item":
      return showItem(ctx, actor, action.unitId, action.questionId);
    case "skip": {
      const item = await refusedAs(ctx, () => appraisalItem(db, ctx.campaign!.id, action.unitId, action.questionId));
      if (!item) return;
      const next =
        (await nextItemToAppraise(db, acting(ctx), {
          unitId: item.unit.id,
          after: { unitId: item.unit.id, order: item.question.order },
        })) ??
        (await nextItemToAppraise(db, acting(ctx), {
          after: { unitId: item.unit.id, order: Number.MAX_SAFE_INTEGER },
        }));
      if (!next) return showUnits(ctx, actor, round, ctx.t("appraise.nothing_left", { round }));
      return showItem(ctx, actor, next.unitId, next.questionId);
    }
    case "accept":
    case "score": {
      const item = await refusedAs(ctx, () => appraisalItem(db, ctx.campaign!.id, action.unitId, action.questionId));
      if (!item) return;
      if (item.version !== action.version) {
        // Scored by a colleague since this screen was shown: show it as it is now.
        return showItem(ctx, actor, item.unit.id, item.question.id, {
          lead: ctx.t("appraise.changed_meanwhile", { code: item.question.code }),
          fresh: true,
        });
      }
      if (action.kind === "accept")
        return score(ctx, actor, round, item, { score: "accept", comment: null, version: action.version });
      return scoreOrAskComment(ctx, actor, round, item, action.hundredths / 100, null, action.version);
    }
  }
});

/** Typed text: the score of the item the person is on, or the comment a score waits for. */
appraisalFeature.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  const role = ctx.standing.role;
  if (text.startsWith("/") || !ctx.campaign || (role !== "APPRAISER" && role !== "COORDINATOR")) return next();
  const db = ctx.deps.db;
  const cursor = await getAppraisalCursor(db, ctx.person.id, ctx.campaign.id);
  if (!cursor || cursor.mode === "EXPLAIN") return next();
  const here = await appraiserHere(ctx);
  if (!here) return;
  const item = await refusedAs(ctx, () => appraisalItem(db, cursor.campaignId, cursor.unitId, cursor.questionId));
  if (!item) return;
  if (cursor.mode === "COMMENT" && cursor.pendingScore !== null) {
    const comment = text.normalize("NFC").trim();
    if (comment.length < COMMENT_MIN) {
      return void (await replyLong(ctx, ctx.t("appraise.comment_too_short", { min: COMMENT_MIN })));
    }
    return score(ctx, here.actor, here.round, item, {
      score: cursor.pendingScore,
      comment,
      version: cursor.version ?? 0,
    });
  }
  // "0,5" or "0,5 thiếu quyết định ban hành": the score, then its comment if any.
  const [, first = "", rest = ""] = /^\s*(\S+)\s*([\s\S]*)$/.exec(text) ?? [];
  if (!/^\d/.test(first)) {
    // Not a score: a coordinator may be asking a plain question.
    if (role === "COORDINATOR") return next();
    return void (await replyLong(ctx, ctx.t("appraise.type_score", { code: item.question.code })));
  }
  const parsed = parseManualScore(first, item.question.maxPoints);
  if (!parsed.ok) return void (await replyLong(ctx, ctx.t(parsed.error.key, parsed.error.vars)));
  const comment = rest.normalize("NFC").trim();
  if (comment && comment.length < COMMENT_MIN) {
    return void (await replyLong(ctx, ctx.t("appraise.comment_too_short", { min: COMMENT_MIN })));
  }
  await scoreOrAskComment(ctx, here.actor, here.round, item, parsed.value, comment || null, cursor.version ?? 0);
});
