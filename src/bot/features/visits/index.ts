/**
 * The unit's answers to a visit (src/domain/visits.ts): «Xác nhận lịch» and «Đề nghị đổi
 * lịch» on the visit's notices (the reason is the officer's next typed message), /baocao
 * (the officer's next files are the self-inspection report), and for coordinators the
 * requests with «Chấp nhận» / «Không chấp nhận» (the reason of a decline is their next
 * typed message) and /doilich. What a typed message or file means is a VisitCursor row,
 * never memory; this feature runs before the self-assessment, so a reason is not taken for
 * an answer, and steps back for everything else.
 */
import { Composer, type InlineKeyboard } from "grammy";
import { receiveReportFile } from "../../../app/evidence.ts";
import { noticesEnqueued } from "../../../domain/notices.ts";
import type { VisitWithUnit } from "../../../domain/schedule.ts";
import { formatDate, formatDateTime } from "../../../domain/time.ts";
import { standingAmong } from "../../../domain/visit-team.ts";
import {
  type Actor,
  answerRequest,
  beginDecline,
  beginReport,
  beginRequest,
  clearCursor,
  confirmVisit,
  openRequests,
  REPORT_CHECK_DAYS,
  reportsOf,
  requestReschedule,
  type VisitRefusal,
  visitAnswers,
  visitsWithoutReport,
} from "../../../domain/visits.ts";
import type { BotContext } from "../../context.ts";
import { fileLinks } from "../../links.ts";
import { replyLong } from "../../messages.ts";
import { receiveSentFile } from "../../sent-files.ts";
import { visitButtons } from "./callback-data.ts";
import { forgetVisitCursor, visitCursorOf } from "./cursor.ts";
import {
  answerKeyboard,
  answerLines,
  pickKeyboard,
  reportFileLines,
  requestText,
  stopKeyboard,
  visitLine,
} from "./views.ts";

export const visitsFeature = new Composer<BotContext>();

function actorOf(ctx: BotContext): Actor {
  const { role, membership } = ctx.standing;
  return { personId: ctx.person.id, officerUnitId: role === "OFFICER" ? (membership?.unitId ?? null) : null };
}

const refused = (ctx: BotContext, reason: VisitRefusal) => ctx.reply(ctx.t(`visits.refused.${reason}`));

/** The campaign for a coordinator; null after telling anyone else why not. */
async function coordinatorCampaign(ctx: BotContext) {
  if (ctx.standing.role !== "COORDINATOR") return void (await ctx.reply(ctx.t("schedule.not_coordinator")));
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  return ctx.campaign;
}

// ---------------------------------------------------------------- what /lich and /xacnhan show

/**
 * The lines under each visit of /lich: the unit's answer and report; officers of the unit,
 * coordinators and the visit's own team get a signed link per report file (the team reads
 * the report before it goes; an inspector of another team's link would not open).
 */
export async function answerExtras(ctx: BotContext, visits: VisitWithUnit[]): Promise<(v: VisitWithUnit) => string[]> {
  const answers = await visitAnswers(ctx.deps.db, visits);
  const role = ctx.standing.role;
  const opens = (v: VisitWithUnit) =>
    role === "OFFICER" ||
    role === "COORDINATOR" ||
    (role === "INSPECTOR" && standingAmong(v.members, ctx.person.id, role) !== null);
  const links = await fileLinks(
    ctx,
    visits.filter(opens).flatMap((v) => answers.get(v.id)?.reports ?? []),
  );
  return (visit) => answerLines(ctx, visit, answers.get(visit.id), opens(visit) ? links : null);
}

/** /xacnhan's second part: each upcoming visit's answer, and the visits soon without a report. */
export async function answersReport(ctx: BotContext, campaignId: number): Promise<string> {
  const db = ctx.deps.db;
  const now = ctx.now();
  const visits = await db.inspectionVisit.findMany({
    where: { campaignId, status: { in: ["PLANNED", "CONFIRMED"] }, startsAt: { gt: now } },
    include: { unit: { select: { id: true, name: true, shortName: true } }, members: { orderBy: { id: "asc" } } },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
  const answers = await visitAnswers(db, visits);
  const lines = [ctx.t("visits.ack.title"), ""];
  if (visits.length === 0) lines.push(ctx.t("schedule.list_empty_all"));
  for (const v of visits) {
    lines.push(
      visitLine(ctx, "visits.ack.visit", v),
      ...answerLines(ctx, v, answers.get(v.id), null).map((l) => `   ${l}`),
    );
  }
  const missing = await visitsWithoutReport(db, campaignId, now, ctx.config.TZ);
  if (missing.length) {
    lines.push("", ctx.t("visits.ack.missing_title", { days: REPORT_CHECK_DAYS }));
    for (const v of missing) {
      lines.push(
        ctx.t("visits.ack.missing_line", {
          id: v.id,
          unit: v.unit.shortName,
          when: formatDateTime(v.startsAt, ctx.config.TZ),
        }),
      );
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------- buttons

visitsFeature.callbackQuery(visitButtons.filter, async (ctx) => {
  const action = visitButtons.parse(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  const db = ctx.deps.db;
  const now = ctx.now();
  if (action.kind === "stop") {
    // «✅ Xong» after the report's files says what the team now has, not just "stopped".
    const cursor = await visitCursorOf(ctx);
    await clearCursor(db, ctx.person.id);
    forgetVisitCursor(ctx);
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    const files = cursor?.mode === "REPORT" ? (await reportsOf(db, [cursor.visitId])).length : 0;
    return void (await ctx.reply(
      files > 0 ? ctx.t("visits.report.done", { id: cursor!.visitId, count: files }) : ctx.t("visits.stopped"),
    ));
  }
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  const campaignId = ctx.campaign.id;
  switch (action.kind) {
    case "confirm": {
      const result = await confirmVisit(db, campaignId, action.visitId, action.revision, actorOf(ctx), now);
      if (!result.ok) return void (await refused(ctx, result.reason));
      const when = formatDateTime(result.confirmedAt, ctx.config.TZ);
      if (!result.first)
        return void (await ctx.reply(ctx.t("visits.already_confirmed", { id: result.visit.id, when })));
      ctx.logger.info({ visit: result.visit.id }, "visit confirmed");
      return void (await ctx.reply(
        [
          ctx.t("visits.confirmed", {
            unit: result.visit.unit.name,
            id: result.visit.id,
            when: formatDateTime(result.visit.startsAt, ctx.config.TZ),
          }),
          ctx.t("visits.confirmed_next"),
        ].join("\n"),
      ));
    }
    case "request": {
      const result = await beginRequest(db, campaignId, action.visitId, action.revision, actorOf(ctx), now);
      if (!result.ok) return void (await refused(ctx, result.reason));
      const v = result.visit;
      return void (await ctx.reply(
        ctx.t("visits.ask_reason", { id: v.id, unit: v.unit.name, when: formatDateTime(v.startsAt, ctx.config.TZ) }),
        { reply_markup: stopKeyboard(ctx, "visits.buttons.stop") },
      ));
    }
    case "show":
    case "accept":
    case "decline":
      if (!(await coordinatorCampaign(ctx))) return;
      if (action.kind === "show") return showRequest(ctx, action.requestId);
      if (action.kind === "decline") {
        const result = await beginDecline(db, campaignId, action.requestId, ctx.person.id, now);
        if (!result.ok) return void (await refused(ctx, result.reason));
        return void (await ctx.reply(
          ctx.t("visits.ask_decline", { id: result.visit.id, unit: result.visit.unit.name }),
          {
            reply_markup: stopKeyboard(ctx, "visits.buttons.stop"),
          },
        ));
      }
      return accept(ctx, action.requestId);
  }
});

async function accept(ctx: BotContext, requestId: number) {
  const result = await answerRequest(
    ctx.deps.db,
    ctx.campaign!.id,
    ctx.person.id,
    { accept: true, requestId },
    { now: ctx.now(), byName: ctx.person.displayName },
  );
  if (!result.ok) return void (await refused(ctx, result.reason));
  noticesEnqueued();
  await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
  const v = result.visit;
  // The ready /lichsua line proposes the unit's time when it gave one, else the visit's own.
  const at = result.request.proposedAt ?? v.startsAt;
  const tz = ctx.config.TZ;
  await ctx.reply(
    ctx.t("visits.accepted", {
      id: v.id,
      unit: v.unit.name,
      date: formatDate(at, tz),
      time: formatDateTime(at, tz).slice(-5),
    }),
  );
}

async function showRequest(ctx: BotContext, requestId: number) {
  const request = (await openRequests(ctx.deps.db, ctx.campaign!.id)).find((r) => r.id === requestId);
  if (!request) return void (await refused(ctx, "answered"));
  await ctx.reply(`${requestText(ctx, request, asVisit(request.visit))}\n\n${ctx.t("visits.requests.answer")}`, {
    reply_markup: answerKeyboard(ctx, request.id),
  });
}

/** A request's visit read with its unit (members are not needed to name it). */
const asVisit = (visit: Omit<VisitWithUnit, "members">): VisitWithUnit => ({ ...visit, members: [] });

// ---------------------------------------------------------------- commands

/** /doilich: the requests waiting for an answer; one is shown with its buttons, several to pick from. */
visitsFeature.command("doilich", async (ctx) => {
  const campaign = await coordinatorCampaign(ctx);
  if (!campaign) return;
  const requests = await openRequests(ctx.deps.db, campaign.id);
  if (requests.length === 0)
    return void (await ctx.reply(`${ctx.t("visits.requests.title")}\n\n${ctx.t("visits.requests.none")}`));
  if (requests.length === 1) return showRequest(ctx, requests[0]!.id);
  const text = [
    ctx.t("visits.requests.title"),
    "",
    ...requests.map((r) => requestText(ctx, r, asVisit(r.visit))),
    "",
    ctx.t("visits.requests.pick"),
  ].join("\n");
  await replyLong(
    ctx,
    text,
    pickKeyboard(
      ctx,
      requests.map((r) => ({ id: r.id, visit: asVisit(r.visit) })),
    ),
  );
});

/** /baocao: the unit's next visit and its report so far; the officer's next files are the report. */
visitsFeature.command("baocao", async (ctx) => {
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  const result = await beginReport(ctx.deps.db, ctx.campaign.id, actorOf(ctx), ctx.now());
  if (!result.ok) return void (await refused(ctx, result.reason));
  await ctx.reply(await reportScreen(ctx, result.visit), { reply_markup: stopKeyboard(ctx, "visits.buttons.done") });
});

async function reportScreen(ctx: BotContext, visit: VisitWithUnit, head?: string): Promise<string> {
  const reports = await reportsOf(ctx.deps.db, [visit.id]);
  const links = await fileLinks(ctx, reports);
  const tz = ctx.config.TZ;
  const lines = head ? [head, ""] : [];
  lines.push(
    ctx.t("visits.report.head", { id: visit.id, unit: visit.unit.name, when: formatDateTime(visit.startsAt, tz) }),
    "",
  );
  if (reports.length === 0) lines.push(ctx.t("visits.report.none"));
  else {
    lines.push(ctx.t("visits.report.files"), ...reportFileLines(ctx, reports, links));
    lines.push(ctx.t("visits.report.links_until", { until: formatDateTime(links.get(reports[0]!.id)!.expiresAt, tz) }));
  }
  lines.push("", ctx.t("visits.report.ask"));
  return lines.join("\n");
}

// ---------------------------------------------------------------- typed text and files

/**
 * A typed message while a reason is awaited is that reason. A command ends any step (the
 * person moved on: their next file is not the report, their next text not a reason).
 */
visitsFeature.on("message:text", async (ctx, next) => {
  const db = ctx.deps.db;
  const cursor = await visitCursorOf(ctx);
  if (!cursor) return next();
  if (ctx.message.text.startsWith("/")) {
    await clearCursor(db, ctx.person.id);
    forgetVisitCursor(ctx);
    return next();
  }
  // Other steps of the visit (findings, minutes, actions) are their features' to take.
  if ((cursor.mode !== "REQUEST_REASON" && cursor.mode !== "DECLINE_REASON") || !ctx.campaign) return next();
  const role = ctx.standing.role;
  if (role !== "OFFICER" && role !== "COORDINATOR") return next();
  const campaignId = ctx.campaign.id;
  const text = ctx.message.text;
  if (cursor.mode === "REQUEST_REASON") {
    const result = await requestReschedule(db, campaignId, actorOf(ctx), text, {
      now: ctx.now(),
      timeZone: ctx.config.TZ,
      coordinatorIds: ctx.config.COORDINATOR_IDS,
      byName: ctx.person.displayName,
    });
    if (!result.ok) return void (await refused(ctx, result.reason));
    noticesEnqueued();
    ctx.logger.info({ visit: result.visit.id, request: result.request.id }, "visit reschedule requested");
    const lines = [
      ctx.t("visits.requested", { id: result.visit.id }),
      ctx.t("visits.requested_reason", { reason: result.request.reason }),
    ];
    if (result.request.proposedAt) {
      lines.push(
        ctx.t("visits.requested_proposed", { when: formatDateTime(result.request.proposedAt, ctx.config.TZ) }),
      );
    }
    return void (await ctx.reply(lines.join("\n")));
  }
  const result = await answerRequest(
    db,
    campaignId,
    ctx.person.id,
    { accept: false, text },
    { now: ctx.now(), byName: ctx.person.displayName },
  );
  if (!result.ok) return void (await refused(ctx, result.reason));
  noticesEnqueued();
  await ctx.reply(ctx.t("visits.declined", { id: result.visit.id, unit: result.visit.unit.name }));
});

const REPORT_FILE_TEXTS = {
  tooLarge: "visits.report.too_large",
  downloadFailed: "visits.report.download_failed",
  wrongType: "visits.report.wrong_type",
  photo: "visits.report.photo",
};

/** A document or photo after /baocao: a file of the report, kept as evidence is. */
visitsFeature.on(["message:document", "message:photo"], async (ctx, next) => {
  if (ctx.standing.role !== "OFFICER" || !ctx.campaign) return next();
  const cursor = await visitCursorOf(ctx);
  if (cursor?.mode !== "REPORT") return next();
  const campaignId = ctx.campaign.id;
  const received = await receiveSentFile(ctx, REPORT_FILE_TEXTS, (file, maxBytes) =>
    receiveReportFile({ db: ctx.deps.db, store: ctx.deps.store, maxBytes }, campaignId, actorOf(ctx), file, ctx.sentAt),
  );
  if (!received) return;
  const { result, name } = received;
  if (!result.ok) return void (await refused(ctx, result.reason));
  const head = ctx.t(result.duplicate ? "visits.report.duplicate" : "visits.report.saved", {
    name: result.evidence.fileName ?? name,
    id: result.visit.id,
  });
  const keyboard: InlineKeyboard = stopKeyboard(ctx, "visits.buttons.done");
  await ctx.reply(await reportScreen(ctx, result.visit, head), { reply_markup: keyboard });
});
