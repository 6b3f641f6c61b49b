/**
 * The minutes and the conclusion of an inspection visit (src/domain/minutes.ts):
 * /bienban [đơn vị] — the team's lead types who attended, the contents checked and the
 * results, then «Lập biên bản»: the visit is DONE and the minutes come back as a DOCX with a
 * signed link; «Đính kèm biên bản đã ký» takes the scan. /ketluan [đơn vị] — a coordinator
 * gets the draft conclusion notice, «Ban hành» and the number typed issue it. What a typed
 * message or file means is the person's VisitCursor (read once per update with the other
 * visit features), never memory.
 */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { receiveFile } from "../../../app/evidence.ts";
import {
  addSignedMinutes,
  beginIssue,
  beginSignedMinutes,
  completeVisit,
  draftConclusion,
  draftOf,
  issueConclusion,
  type MadeDocument,
  type MinutesDraft,
  type MinutesRefused,
  minutesStep,
  startMinutes,
} from "../../../domain/minutes.ts";
import { noticesEnqueued } from "../../../domain/notices.ts";
import { findVisit, type VisitWithUnit } from "../../../domain/schedule.ts";
import { shorten } from "../../../domain/text.ts";
import { formatDate, formatDateTime } from "../../../domain/time.ts";
import { findUnits } from "../../../domain/units.ts";
import type { TeamActor } from "../../../domain/visit-team.ts";
import { teamStanding } from "../../../domain/visit-team.ts";
import { clearCursor } from "../../../domain/visits.ts";
import type { BotContext } from "../../context.ts";
import { linkFor } from "../../links.ts";
import { receiveSentFile } from "../../sent-files.ts";
import { forgetVisitCursor, visitCursorOf } from "../visits/cursor.ts";
import { minutesButtons } from "./callback-data.ts";

export const minutesFeature = new Composer<BotContext>();

const SHOWN = 600;

function actorOf(ctx: BotContext): TeamActor {
  return { personId: ctx.person.id, role: ctx.standing.role ?? null };
}

async function refused(ctx: BotContext, r: MinutesRefused, extra: InlineKeyboard | undefined = undefined) {
  const v = r.visit;
  const vars = {
    unit: v?.unit.name ?? "",
    when: v ? formatDateTime(v.startsAt, ctx.config.TZ) : "",
    number: v?.conclusionNumber ?? "",
  };
  await ctx.reply(ctx.t(`minutes.refused.${r.reason}`, vars), extra ? { reply_markup: extra } : {});
}

const button = (ctx: BotContext, label: string, data: string) => new InlineKeyboard().text(ctx.t(label), data);
const stop = (ctx: BotContext) => button(ctx, "minutes.buttons.stop", minutesButtons.encode({ kind: "stop" }));

// ---------------------------------------------------------------- which visit

/** The visits "#3", "3" or a unit's name mean (every status: refusals name cancelled and future ones). */
async function visitsByRef(ctx: BotContext, campaignId: number, ref: string): Promise<VisitWithUnit[]> {
  const id = /^#?(\d{1,9})$/.exec(ref.trim());
  if (id) {
    const visit = await findVisit(ctx.deps.db, campaignId, Number(id[1]));
    return visit ? [visit] : [];
  }
  const units = await findUnits(ctx.deps.db, campaignId, ref);
  if (units.length === 0) return [];
  const visits = await ctx.deps.db.inspectionVisit.findMany({
    where: { campaignId, unitId: { in: units.map((u) => u.id) } },
    select: { id: true, unitId: true, status: true, startsAt: true },
    orderBy: [{ startsAt: "desc" }, { id: "desc" }],
  });
  // Per unit the visit meant: the latest that has begun and is not cancelled, else the next
  // one ahead, else the latest cancelled (which is then refused as such).
  const now = ctx.now();
  const chosen = units.flatMap((u) => {
    const own = visits.filter((v) => v.unitId === u.id);
    const live = own.filter((v) => v.status !== "CANCELLED");
    const pick = live.find((v) => v.startsAt <= now) ?? live.at(-1) ?? own[0];
    return pick ? [pick.id] : [];
  });
  const found = await Promise.all(chosen.map((vid) => findVisit(ctx.deps.db, campaignId, vid)));
  return found.filter((v): v is VisitWithUnit => v !== null);
}

function pickKeyboard(ctx: BotContext, visits: VisitWithUnit[], kind: "pick" | "conclude"): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const v of visits.slice(0, 20)) {
    kb.text(
      `#${v.id} ${shorten(v.unit.shortName, 24)} · ${formatDate(v.startsAt, ctx.config.TZ)}`,
      minutesButtons.encode({ kind, visitId: v.id }),
    ).row();
  }
  return kb;
}

const argOf = (ctx: BotContext) => (typeof ctx.match === "string" ? ctx.match.trim() : "");

// ---------------------------------------------------------------- /bienban

minutesFeature.command("bienban", async (ctx) => {
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  const campaignId = ctx.campaign.id;
  const query = argOf(ctx);
  const actor = actorOf(ctx);
  if (query) {
    const visits = await visitsByRef(ctx, campaignId, query);
    if (visits.length === 0) {
      return void (await ctx.reply(ctx.t("minutes.refused.no_visit", { query: shorten(query, 60) })));
    }
    if (visits.length > 1)
      return void (await ctx.reply(ctx.t("minutes.pick"), { reply_markup: pickKeyboard(ctx, visits, "pick") }));
    return begin(ctx, visits[0]!.id, false);
  }
  // No unit named: the begun visits without minutes that this person leads.
  const db = ctx.deps.db;
  const open = await db.inspectionVisit.findMany({
    where: { campaignId, status: { in: ["PLANNED", "CONFIRMED"] }, startsAt: { lte: ctx.now() } },
    select: { id: true },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: 200,
  });
  const led: VisitWithUnit[] = [];
  for (const v of open) {
    if ((await teamStanding(db, v.id, actor.personId, actor.role)) === "lead") {
      const visit = await findVisit(db, campaignId, v.id);
      if (visit) led.push(visit);
    }
  }
  if (led.length === 0) return void (await ctx.reply(ctx.t("minutes.none_to_make")));
  if (led.length > 1)
    return void (await ctx.reply(ctx.t("minutes.pick"), { reply_markup: pickKeyboard(ctx, led, "pick") }));
  return begin(ctx, led[0]!.id, false);
});

async function begin(ctx: BotContext, visitId: number, redo: boolean) {
  const result = await startMinutes(ctx.deps.db, ctx.campaign!.id, visitId, actorOf(ctx), ctx.now(), { redo });
  forgetVisitCursor(ctx);
  if (!result.ok) {
    const again =
      result.reason === "done"
        ? button(ctx, "minutes.buttons.redo", minutesButtons.encode({ kind: "redo", visitId }))
        : undefined;
    if (result.reason === "done" && result.visit?.completedAt) {
      return void (await ctx.reply(
        ctx.t("minutes.refused.done", {
          unit: result.visit.unit.name,
          when: formatDateTime(result.visit.completedAt, ctx.config.TZ),
        }),
        { reply_markup: again },
      ));
    }
    return refused(ctx, result, again);
  }
  const v = result.visit;
  await ctx.reply(
    [
      ctx.t("minutes.head", {
        id: v.id,
        unit: v.unit.name,
        when: formatDateTime(v.startsAt, ctx.config.TZ),
        place: v.place,
      }),
      "",
      ctx.t("minutes.ask_attendees"),
    ].join("\n"),
    { reply_markup: stop(ctx) },
  );
}

/** The next question of the minutes after a step, or the summary with «Lập biên bản». */
async function nextStep(ctx: BotContext, visit: VisitWithUnit, draft: MinutesDraft, fallback: string) {
  if (draft.step === "contents") {
    if (!fallback) return void (await ctx.reply(ctx.t("minutes.ask_contents_none"), { reply_markup: stop(ctx) }));
    const kb = button(ctx, "minutes.buttons.keep", minutesButtons.encode({ kind: "keep", visitId: visit.id }))
      .row()
      .text(ctx.t("minutes.buttons.stop"), minutesButtons.encode({ kind: "stop" }));
    return void (await ctx.reply(ctx.t("minutes.ask_contents", { contents: shorten(fallback, SHOWN) }), {
      reply_markup: kb,
    }));
  }
  if (draft.step === "results")
    return void (await ctx.reply(ctx.t("minutes.ask_results"), { reply_markup: stop(ctx) }));
  const findings = await ctx.deps.db.finding.count({ where: { visitId: visit.id, removedAt: null } });
  const kb = button(ctx, "minutes.buttons.make", minutesButtons.encode({ kind: "make", visitId: visit.id }))
    .row()
    .text(ctx.t("minutes.buttons.stop"), minutesButtons.encode({ kind: "stop" }));
  await ctx.reply(
    ctx.t("minutes.summary", {
      id: visit.id,
      unit: visit.unit.name,
      attendees: shorten(draft.attendees ?? "", SHOWN),
      contents: shorten(draft.checkedContents ?? "", SHOWN),
      results: shorten(draft.results ?? "", SHOWN),
      findings,
    }),
    { reply_markup: kb },
  );
}

/** Sends a generated document with its signed link (a PC, or Zalo where documents are links). */
async function sendDocument(ctx: BotContext, made: MadeDocument, caption: string) {
  const link = await linkFor(ctx, {
    purpose: "export",
    fileKey: made.document.storageKey,
    name: made.document.fileName,
    mime: made.document.mimeType,
  });
  await ctx.replyWithDocument(new InputFile(made.bytes, made.document.fileName), { caption });
  return ctx.t("minutes.made_link", { url: link.url, until: formatDateTime(link.expiresAt, ctx.config.TZ) });
}

async function make(ctx: BotContext, visitId: number) {
  const result = await completeVisit(
    { db: ctx.deps.db, store: ctx.deps.store },
    ctx.campaign!.id,
    actorOf(ctx),
    visitId,
    { now: ctx.now(), timeZone: ctx.config.TZ },
  );
  forgetVisitCursor(ctx);
  if (!result.ok) return refused(ctx, result);
  ctx.logger.info({ visit: visitId, version: result.version, bytes: result.bytes.length }, "visit minutes made");
  await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
  const v = result.visit;
  const linkLine = await sendDocument(ctx, result, ctx.t("minutes.caption", { id: v.id, unit: v.unit.name }));
  await ctx.reply(
    [
      ctx.t("minutes.made", {
        id: v.id,
        unit: v.unit.name,
        version: result.version,
      }),
      // Said only when there were some: "0 reminders stopped" tells nobody anything.
      ...(result.cancelledNotices > 0 ? [ctx.t("minutes.reminders_stopped", { count: result.cancelledNotices })] : []),
      linkLine,
      "",
      ctx.t("minutes.made_next"),
    ].join("\n"),
    { reply_markup: button(ctx, "minutes.buttons.signed", minutesButtons.encode({ kind: "signed", visitId })) },
  );
}

// ---------------------------------------------------------------- /ketluan

minutesFeature.command("ketluan", async (ctx) => {
  if (ctx.standing.role !== "COORDINATOR") {
    return void (await ctx.reply(ctx.t("minutes.refused.not_coordinator")));
  }
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  const campaignId = ctx.campaign.id;
  const query = argOf(ctx);
  let visits: VisitWithUnit[];
  if (query) {
    visits = await visitsByRef(ctx, campaignId, query);
    if (visits.length === 0) {
      return void (await ctx.reply(ctx.t("minutes.refused.no_visit", { query: shorten(query, 60) })));
    }
  } else {
    const done = await ctx.deps.db.inspectionVisit.findMany({
      where: { campaignId, status: "DONE", conclusionIssuedAt: null },
      select: { id: true },
      orderBy: [{ completedAt: "asc" }, { id: "asc" }],
      take: 20,
    });
    visits = (await Promise.all(done.map((v) => findVisit(ctx.deps.db, campaignId, v.id)))).filter(
      (v): v is VisitWithUnit => v !== null,
    );
    if (visits.length === 0) return void (await ctx.reply(ctx.t("minutes.none_to_conclude")));
  }
  if (visits.length > 1) {
    return void (await ctx.reply(ctx.t("minutes.pick"), { reply_markup: pickKeyboard(ctx, visits, "conclude") }));
  }
  return conclude(ctx, visits[0]!.id);
});

async function conclude(ctx: BotContext, visitId: number) {
  const result = await draftConclusion(
    { db: ctx.deps.db, store: ctx.deps.store },
    ctx.campaign!.id,
    visitId,
    actorOf(ctx),
    { now: ctx.now(), timeZone: ctx.config.TZ },
  );
  if (!result.ok) return refused(ctx, result);
  const v = result.visit;
  const linkLine = await sendDocument(
    ctx,
    result,
    ctx.t("minutes.conclusion_caption", { id: v.id, unit: v.unit.name }),
  );
  if (v.conclusionNumber) {
    return void (await ctx.reply(
      [
        ctx.t("minutes.conclusion_issued_copy", { id: v.id, unit: v.unit.name, number: v.conclusionNumber }),
        linkLine,
      ].join("\n"),
    ));
  }
  await ctx.reply(
    [ctx.t("minutes.conclusion_made", { id: v.id, unit: v.unit.name, actions: result.actions }), linkLine].join("\n"),
    { reply_markup: button(ctx, "minutes.buttons.issue", minutesButtons.encode({ kind: "issue", visitId })) },
  );
}

// ---------------------------------------------------------------- buttons

minutesFeature.callbackQuery(minutesButtons.filter, async (ctx) => {
  const action = minutesButtons.parse(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  const db = ctx.deps.db;
  if (action.kind === "stop") {
    await clearCursor(db, ctx.person.id);
    forgetVisitCursor(ctx);
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    return void (await ctx.reply(ctx.t("minutes.stopped")));
  }
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  switch (action.kind) {
    case "pick":
      return begin(ctx, action.visitId, false);
    case "redo":
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      return begin(ctx, action.visitId, true);
    case "keep": {
      const result = await minutesStep(db, ctx.campaign.id, actorOf(ctx), { keep: true }, ctx.now());
      forgetVisitCursor(ctx);
      if (!result.ok) return refused(ctx, result);
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      return nextStep(ctx, result.visit, result.draft, result.defaultContents);
    }
    case "make":
      return make(ctx, action.visitId);
    case "signed": {
      const result = await beginSignedMinutes(db, ctx.campaign.id, action.visitId, actorOf(ctx), ctx.now());
      forgetVisitCursor(ctx);
      if (!result.ok) return refused(ctx, result);
      return void (await ctx.reply(ctx.t("minutes.signed_ask", { id: result.visit.id, unit: result.visit.unit.name }), {
        reply_markup: button(ctx, "minutes.buttons.done", minutesButtons.encode({ kind: "stop" })),
      }));
    }
    case "conclude":
      if (ctx.standing.role !== "COORDINATOR") return void (await ctx.reply(ctx.t("minutes.refused.not_coordinator")));
      return conclude(ctx, action.visitId);
    case "issue": {
      const result = await beginIssue(db, ctx.campaign.id, action.visitId, actorOf(ctx), ctx.now());
      forgetVisitCursor(ctx);
      if (!result.ok) return refused(ctx, result);
      return void (await ctx.reply(ctx.t("minutes.ask_number", { id: result.visit.id, unit: result.visit.unit.name }), {
        reply_markup: stop(ctx),
      }));
    }
  }
});

// ---------------------------------------------------------------- typed text and files

/** A typed text while the minutes are made (a step) or a conclusion is issued (its number). */
minutesFeature.on("message:text", async (ctx, next) => {
  const cursor = await visitCursorOf(ctx);
  if (cursor?.mode !== "MINUTES" || !ctx.campaign || ctx.message.text.startsWith("/")) return next();
  const campaignId = ctx.campaign.id;
  const draft = draftOf(cursor);
  if (draft.step === "number") {
    const result = await issueConclusion(
      { db: ctx.deps.db, store: ctx.deps.store },
      campaignId,
      actorOf(ctx),
      ctx.message.text,
      { now: ctx.now(), timeZone: ctx.config.TZ, byName: ctx.person.displayName },
    );
    forgetVisitCursor(ctx);
    if (!result.ok) return refused(ctx, result);
    noticesEnqueued();
    ctx.logger.info({ visit: result.visit.id, dated: result.dated }, "conclusion issued");
    const v = result.visit;
    const linkLine = await sendDocument(
      ctx,
      result,
      ctx.t("minutes.conclusion_caption", { id: v.id, unit: v.unit.name }),
    );
    const said =
      result.dated > 0 && result.earliestDue
        ? ctx.t("minutes.issued", {
            number: result.number,
            unit: v.unit.name,
            dated: result.dated,
            due: formatDate(result.earliestDue, ctx.config.TZ),
            notified: result.notified,
          })
        : ctx.t("minutes.issued_no_actions", { number: result.number, unit: v.unit.name, notified: result.notified });
    return void (await ctx.reply([said, linkLine].join("\n")));
  }
  if (draft.step === "summary") return next();
  const result = await minutesStep(ctx.deps.db, campaignId, actorOf(ctx), { text: ctx.message.text }, ctx.now());
  forgetVisitCursor(ctx);
  if (!result.ok) return refused(ctx, result);
  await nextStep(ctx, result.visit, result.draft, result.defaultContents);
});

const SIGNED_FILE_TEXTS = {
  tooLarge: "minutes.signed_too_large",
  downloadFailed: "minutes.signed_download_failed",
  wrongType: "minutes.signed_type",
  photo: "minutes.signed_photo",
};

/** A PDF or photo after «Đính kèm biên bản đã ký»: the scan of the signed minutes. */
minutesFeature.on(["message:document", "message:photo"], async (ctx, next) => {
  if (!ctx.campaign) return next();
  const cursor = await visitCursorOf(ctx);
  if (cursor?.mode !== "SIGNED_MINUTES") return next();
  const campaignId = ctx.campaign.id;
  const received = await receiveSentFile(ctx, SIGNED_FILE_TEXTS, (file, maxBytes) =>
    receiveFile({ db: ctx.deps.db, store: ctx.deps.store, maxBytes }, file, (fields) =>
      addSignedMinutes(ctx.deps.db, campaignId, actorOf(ctx), fields, ctx.sentAt),
    ),
  );
  if (!received) return;
  const { result } = received;
  if (!result.ok) return refused(ctx, result);
  await ctx.reply(
    ctx.t(result.duplicate ? "minutes.signed_duplicate" : "minutes.signed_saved", {
      name: result.document.fileName,
      id: result.visit.id,
      unit: result.visit.unit.name,
    }),
    { reply_markup: button(ctx, "minutes.buttons.done", minutesButtons.encode({ kind: "stop" })) },
  );
});
