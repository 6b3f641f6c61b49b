/**
 * Inspection schedule: /lich (the schedule per role, for a period or units: "/lich tuần
 * sau", "/lich Sông Mã"), and for coordinators /lichmoi, /lichsua, /lichhuy (one line each,
 * or a button to pick from) and /xacnhan (who has not acknowledged a notice). The "Đã nhận"
 * button of every notice is answered here.
 *
 * No long conversations: a command is one line; a choice it needs (which of several units)
 * is a short-lived draft row whose id the buttons carry; everything else is in callback data.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { Db } from "../../../db/client.ts";
import { holidayOn, weekdayOf } from "../../../domain/holidays.ts";
import { type Period, parseScheduleQuery, type ScheduleQuery } from "../../../domain/intents.ts";
import { acknowledgementReport, acknowledgeNotice, noticesEnqueued } from "../../../domain/notices.ts";
import {
  activeVisitsOf,
  type ChangeResult,
  cancelVisit,
  changeVisit,
  createVisit,
  findVisit,
  listVisits,
  parseChangeLine,
  parseScheduleLine,
  periodWindow,
  type ReminderSettings,
  type ScheduleLineError,
  type VisitWarning,
  type VisitWithUnit,
  visitWarnings,
  type Window,
} from "../../../domain/schedule.ts";
import { buttonLabel, escapeHtml } from "../../../domain/text.ts";
import { formatDate, formatDateTime, localDay } from "../../../domain/time.ts";
import { findUnits, matchUnits } from "../../../domain/units.ts";
import type { BotContext } from "../../context.ts";
import { replyLong } from "../../messages.ts";
import { answerExtras, answersReport } from "../visits/index.ts";
import { encodeScheduleAction, noticeButtons, parseScheduleAction, type ScheduleAction } from "./callback-data.ts";
import { ackReportText, scheduleText, shorten, visitBlock, visitButtons, when } from "./views.ts";

export const scheduleFeature = new Composer<BotContext>();

const DRAFT_TTL_MS = 24 * 3_600_000;

function settingsOf(ctx: BotContext): ReminderSettings {
  return {
    timeZone: ctx.config.TZ,
    visitDays: ctx.config.VISIT_REMINDER_DAYS,
    reminderTime: ctx.config.REMINDER_TIME,
  };
}

async function say(ctx: BotContext, text: string, keyboard?: InlineKeyboard) {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
  return ctx.reply(text, keyboard ? { reply_markup: keyboard } : {});
}

/** The campaign, for a coordinator; null after telling anyone else why not. */
async function coordinatorCampaign(ctx: BotContext) {
  if (ctx.standing.role !== "COORDINATOR") {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("schedule.not_coordinator"), show_alert: true });
    else await ctx.reply(ctx.t("schedule.not_coordinator"));
    return null;
  }
  if (!ctx.campaign) {
    await say(ctx, ctx.t("schedule.no_campaign"));
    return null;
  }
  return ctx.campaign;
}

// ---------------------------------------------------------------- /lich

/** "🗓 Tuần sau: 18/03/2019 – 24/03/2019" */
function periodLine(ctx: BotContext, period: Period, window: Window): string {
  const tz = ctx.config.TZ;
  const last = window.to ? formatDate(new Date(window.to.getTime() - 1), tz) : "";
  return ctx.t(`schedule.period.${period}`, { from: formatDate(window.from, tz), to: last });
}

/**
 * The schedule as the person's role may see it (/lich, and plain questions about it): an
 * officer their own unit's visits, whatever unit they name; inspectors and coordinators
 * every visit, or those of the units named. A period narrows it to visits starting then.
 */
export async function showSchedule(ctx: BotContext, query: ScheduleQuery): Promise<void> {
  const campaign = ctx.campaign;
  if (!campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  const { role, membership } = ctx.standing;
  const db = ctx.deps.db;
  const window = query.period ? periodWindow(query.period, ctx.now(), ctx.config.TZ) : undefined;
  const narrowed = query.period && window ? [periodLine(ctx, query.period, window)] : [];
  const emptyNarrowed = window ? ctx.t("schedule.list_empty_period") : undefined;
  if (role === "OFFICER" && membership?.unit) {
    const visits = await listVisits(db, campaign.id, { unitId: membership.unit.id, window });
    const title = ctx.t("schedule.list_title_unit", { unit: membership.unit.name });
    await ctx.reply(
      scheduleText(
        ctx,
        [title, ...narrowed].join("\n"),
        emptyNarrowed ?? ctx.t("schedule.list_empty_unit"),
        visits,
        undefined,
        await answerExtras(ctx, visits),
      ),
    );
    return;
  }
  if (role === "INSPECTOR" || role === "COORDINATOR") {
    let unitIds: number[] | undefined;
    let empty = emptyNarrowed ?? ctx.t("schedule.list_empty_all");
    if (query.unit) {
      const { matches, suggestions } = await matchUnits(db, campaign.id, query.unit);
      if (matches.length === 0) {
        const lines = [ctx.t("schedule.errors.unit_not_found", { query: shorten(query.unit, 60) })];
        if (suggestions.length) {
          const list = suggestions.map((u) => `<b>${escapeHtml(u.shortName)}</b>`).join(", ");
          lines.push(ctx.t("schedule.unit_suggest", { list }));
        }
        return void (await ctx.reply(lines.join("\n")));
      }
      unitIds = matches.map((u) => u.id);
      const units = shorten(matches.map((u) => u.shortName).join(", "), 300);
      narrowed.push(ctx.t("schedule.units_line", { units }));
      if (!window) empty = ctx.t("schedule.list_empty_units", { units });
    }
    const visits = await listVisits(db, campaign.id, { unitIds, window });
    const title = ctx.t("schedule.list_title_all", { campaign: campaign.title });
    await ctx.reply(
      scheduleText(
        ctx,
        [title, ...narrowed].join("\n"),
        empty,
        visits,
        role === "COORDINATOR" ? ctx.t("schedule.list_hint_coordinator") : undefined,
        await answerExtras(ctx, visits),
      ),
    );
    return;
  }
  await ctx.reply(ctx.t("schedule.no_access"));
}

scheduleFeature.command(["lich", "lichkiemtra"], (ctx) => showSchedule(ctx, parseScheduleQuery(ctx.match)));

// ---------------------------------------------------------------- /lichmoi

/**
 * The first weekday after `now` that is not a public holiday, "18/03/2019": the date a
 * ready-made /lichmoi line suggests, for the coordinator to correct.
 */
function nextWorkingDay(now: Date, timeZone: string): string {
  const today = localDay(now, timeZone);
  for (let i = 1; ; i++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    const weekday = weekdayOf(y, m, day);
    if (weekday !== 0 && weekday !== 6 && !holidayOn(y, m, day)) {
      return `${String(day).padStart(2, "0")}/${String(m).padStart(2, "0")}/${y}`;
    }
  }
}

/** What is wrong with a typed line; "Không có ngày 31/02/2027." names the impossible date. */
function lineErrorText(ctx: BotContext, e: ScheduleLineError): string {
  if (e.error === "date") return ctx.t("schedule.errors.date", { date: e.date });
  if (e.error === "time") return ctx.t("schedule.errors.time", { time: e.time });
  return ctx.t(`schedule.errors.${e.error}`);
}

function unitButtons(
  ctx: BotContext,
  units: { id: number; shortName: string }[],
  action: (id: number) => ScheduleAction,
) {
  const kb = new InlineKeyboard();
  units.slice(0, 40).forEach((u, i) => {
    kb.text(buttonLabel(u.shortName, 30), encodeScheduleAction(action(u.id)));
    if (i % 2 === 1) kb.row();
  });
  kb.row().text(ctx.t("schedule.buttons.close"), encodeScheduleAction({ kind: "close" }));
  return kb;
}

/** Tells the coordinator what was done and who was told; wakes the sender. */
async function reportChange(ctx: BotContext, head: string, result: ChangeResult) {
  const lines = [head, "", visitBlock(ctx, result.visit), ""];
  lines.push(
    result.notified > 0 ? ctx.t("schedule.notified", { count: result.notified }) : ctx.t("schedule.notified_none"),
  );
  lines.push(
    ctx.t("schedule.reminders_planned", {
      days: ctx.config.VISIT_REMINDER_DAYS.join(", "),
      time: ctx.config.REMINDER_TIME,
    }),
  );
  noticesEnqueued();
  await say(ctx, lines.join("\n"));
}

async function scheduleVisit(ctx: BotContext, unitId: number, startsAt: Date, place: string) {
  const campaign = ctx.campaign!;
  const result = await createVisit(
    ctx.deps.db,
    { campaign, unitId, startsAt, place },
    ctx.person.id,
    settingsOf(ctx),
    ctx.now(),
  );
  ctx.logger.info({ visit: result.visit.id, unit: unitId, notified: result.notified }, "visit scheduled");
  await reportChange(ctx, ctx.t("schedule.created", { id: result.visit.id }), result);
}

/**
 * Schedules a visit, or first says why the coordinator might not want it (another visit of
 * the unit that day, a weekend, a public holiday) and waits for «Vẫn tạo lịch».
 */
async function proposeVisit(ctx: BotContext, unitId: number, startsAt: Date, place: string) {
  const campaign = ctx.campaign!;
  const warnings = await visitWarnings(ctx.deps.db, campaign.id, unitId, startsAt, ctx.config.TZ);
  if (warnings.length === 0) return scheduleVisit(ctx, unitId, startsAt, place);
  const draft = await ctx.deps.db.scheduleDraft.create({
    data: { personId: ctx.person.id, payload: { kind: "confirmNew", unitId, startsAt: startsAt.toISOString(), place } },
  });
  const unit = await ctx.deps.db.unit.findUniqueOrThrow({ where: { id: unitId } });
  const lines = [
    ctx.t("schedule.warn.head", { unit: unit.name, when: when(ctx, startsAt), place }),
    ...warnings.map((w) => warningLine(ctx, w)),
    "",
    ctx.t("schedule.warn.ask"),
  ];
  const kb = new InlineKeyboard()
    .text(ctx.t("schedule.buttons.create_anyway"), encodeScheduleAction({ kind: "confirmNew", draftId: draft.id }))
    .text(ctx.t("schedule.buttons.close"), encodeScheduleAction({ kind: "close" }));
  await say(ctx, lines.join("\n"), kb);
}

function warningLine(ctx: BotContext, w: VisitWarning): string {
  switch (w.kind) {
    case "overlap":
      return ctx.t("schedule.warn.overlap", {
        id: w.visit.id,
        when: when(ctx, w.visit.startsAt),
        place: w.visit.place,
      });
    case "weekend":
      return ctx.t(w.weekday === 6 ? "schedule.warn.saturday" : "schedule.warn.sunday");
    case "holiday":
      return ctx.t("schedule.warn.holiday", { name: ctx.t(`schedule.holidays.${w.holiday}`) });
  }
}

async function unitsOfCampaign(db: Db, campaignId: number) {
  return db.unit.findMany({
    where: { campaigns: { some: { campaignId } } },
    select: { id: true, shortName: true, name: true },
    orderBy: { id: "asc" },
  });
}

scheduleFeature.command("lichmoi", async (ctx) => {
  const campaign = await coordinatorCampaign(ctx);
  if (!campaign) return;
  const text = ctx.match.trim();
  const db = ctx.deps.db;
  if (!text) {
    const units = await unitsOfCampaign(db, campaign.id);
    await ctx.reply(ctx.t("schedule.usage_new"), {
      reply_markup: unitButtons(ctx, units, (unitId) => ({ kind: "newTemplate", unitId })),
    });
    return;
  }
  const parsed = parseScheduleLine(text, ctx.config.TZ);
  if (!parsed.ok) {
    await ctx.reply(`${lineErrorText(ctx, parsed)}\n\n${ctx.t("schedule.usage_new")}`);
    return;
  }
  if (parsed.startsAt <= ctx.now()) {
    await ctx.reply(ctx.t("schedule.errors.past", { when: formatDateTime(parsed.startsAt, ctx.config.TZ) }));
    return;
  }
  const units = await findUnits(db, campaign.id, parsed.unitQuery);
  if (units.length === 0) {
    await ctx.reply(
      `${ctx.t("schedule.errors.unit_not_found", { query: shorten(parsed.unitQuery, 60) })}\n\n${ctx.t("schedule.usage_new")}`,
    );
    return;
  }
  if (units.length > 1) {
    // Which one? The choice is a draft row; the buttons carry its id and the unit's.
    await db.scheduleDraft.deleteMany({
      where: { personId: ctx.person.id, createdAt: { lt: new Date(Date.now() - DRAFT_TTL_MS) } },
    });
    const draft = await db.scheduleDraft.create({
      data: {
        personId: ctx.person.id,
        payload: {
          kind: "new",
          startsAt: parsed.startsAt.toISOString(),
          place: parsed.place,
          unitIds: units.map((u) => u.id),
        },
      },
    });
    await ctx.reply(
      ctx.t("schedule.pick_unit", {
        query: shorten(parsed.unitQuery, 60),
        when: formatDateTime(parsed.startsAt, ctx.config.TZ),
        place: parsed.place,
      }),
      { reply_markup: unitButtons(ctx, units, (unitId) => ({ kind: "pickUnit", draftId: draft.id, unitId })) },
    );
    return;
  }
  await proposeVisit(ctx, units[0]!.id, parsed.startsAt, parsed.place);
});

// ---------------------------------------------------------------- /lichsua, /lichhuy

/** The active visits a coordinator means by "#3", "3" or a unit's name. */
async function visitsByRef(ctx: BotContext, campaignId: number, ref: string): Promise<VisitWithUnit[]> {
  const id = /^#?(\d{1,9})$/.exec(ref.trim());
  if (id) {
    const visit = await findVisit(ctx.deps.db, campaignId, Number(id[1]));
    return visit && (visit.status === "PLANNED" || visit.status === "CONFIRMED") ? [visit] : [];
  }
  const units = await findUnits(ctx.deps.db, campaignId, ref);
  return units.length
    ? activeVisitsOf(
        ctx.deps.db,
        campaignId,
        units.map((u) => u.id),
      )
    : [];
}

scheduleFeature.command("lichsua", async (ctx) => {
  const campaign = await coordinatorCampaign(ctx);
  if (!campaign) return;
  const text = ctx.match.trim();
  const db = ctx.deps.db;
  if (!text) {
    const visits = await listVisits(db, campaign.id);
    const active = visits.filter((v) => v.status === "PLANNED" || v.status === "CONFIRMED");
    await ctx.reply(
      active.length
        ? ctx.t("schedule.usage_change")
        : `${ctx.t("schedule.usage_change")}\n\n${ctx.t("schedule.list_empty_all")}`,
      { reply_markup: visitButtons(ctx, active, (visitId) => ({ kind: "changeTemplate", visitId })) },
    );
    return;
  }
  const parsed = parseChangeLine(text, ctx.config.TZ);
  if (!parsed.ok) {
    await ctx.reply(`${lineErrorText(ctx, parsed)}\n\n${ctx.t("schedule.usage_change")}`);
    return;
  }
  if (parsed.startsAt && parsed.startsAt <= ctx.now()) {
    await ctx.reply(ctx.t("schedule.errors.past", { when: formatDateTime(parsed.startsAt, ctx.config.TZ) }));
    return;
  }
  const visits = await visitsByRef(ctx, campaign.id, parsed.ref);
  if (visits.length === 0) {
    await ctx.reply(ctx.t("schedule.errors.visit_not_found", { query: shorten(parsed.ref, 60) }));
    return;
  }
  if (visits.length > 1) {
    await ctx.reply(ctx.t("schedule.pick_visit", { query: shorten(parsed.ref, 60) }), {
      reply_markup: visitButtons(ctx, visits, (visitId) => ({ kind: "changeTemplate", visitId })),
    });
    return;
  }
  const visit = visits[0]!;
  const result = await changeVisit(
    db,
    campaign.id,
    visit.id,
    { startsAt: parsed.startsAt, place: parsed.place },
    ctx.person.id,
    settingsOf(ctx),
    ctx.now(),
  );
  if (!result) return void (await ctx.reply(ctx.t("schedule.errors.gone")));
  if (result.notified === 0 && result.visit.revision === visit.revision) {
    await ctx.reply(ctx.t("schedule.unchanged", { id: visit.id }));
    return;
  }
  ctx.logger.info({ visit: visit.id, notified: result.notified }, "visit changed");
  await reportChange(ctx, ctx.t("schedule.changed", { id: visit.id }), result);
});

async function askCancel(ctx: BotContext, visit: VisitWithUnit, reason: string | null) {
  let draftId = 0;
  if (reason) {
    const draft = await ctx.deps.db.scheduleDraft.create({
      data: { personId: ctx.person.id, payload: { kind: "cancel", visitId: visit.id, reason } },
    });
    draftId = draft.id;
  }
  const lines = [
    ctx.t("schedule.confirm_cancel", { id: visit.id, unit: visit.unit.name, when: when(ctx, visit.startsAt) }),
  ];
  if (reason) lines.push(ctx.t("schedule.confirm_cancel_reason", { reason }));
  const kb = new InlineKeyboard()
    .text(
      ctx.t("schedule.buttons.confirm_cancel"),
      encodeScheduleAction({ kind: "cancelConfirm", visitId: visit.id, revision: visit.revision, draftId }),
    )
    .text(ctx.t("schedule.buttons.keep"), encodeScheduleAction({ kind: "close" }));
  await say(ctx, lines.join("\n"), kb);
}

scheduleFeature.command("lichhuy", async (ctx) => {
  const campaign = await coordinatorCampaign(ctx);
  if (!campaign) return;
  const text = ctx.match.trim();
  const db = ctx.deps.db;
  if (!text) {
    const visits = (await listVisits(db, campaign.id)).filter(
      (v) => v.status === "PLANNED" || v.status === "CONFIRMED",
    );
    await ctx.reply(
      visits.length
        ? ctx.t("schedule.usage_cancel")
        : `${ctx.t("schedule.usage_cancel")}\n\n${ctx.t("schedule.list_empty_all")}`,
      { reply_markup: visitButtons(ctx, visits, (visitId) => ({ kind: "cancelAsk", visitId })) },
    );
    return;
  }
  // "#3 lý do…" or a unit's name.
  const byId = /^#?(\d{1,9})(?:\s+(.+))?$/s.exec(text);
  const ref = byId ? byId[1]! : text;
  const reason = byId?.[2]?.trim().slice(0, 300) || null;
  const visits = await visitsByRef(ctx, campaign.id, ref);
  if (visits.length === 0) {
    await ctx.reply(ctx.t("schedule.errors.visit_not_found", { query: shorten(ref, 60) }));
    return;
  }
  if (visits.length > 1) {
    await ctx.reply(ctx.t("schedule.pick_visit", { query: shorten(ref, 60) }), {
      reply_markup: visitButtons(ctx, visits, (visitId) => ({ kind: "cancelAsk", visitId })),
    });
    return;
  }
  await askCancel(ctx, visits[0]!, reason);
});

// ---------------------------------------------------------------- buttons

scheduleFeature.callbackQuery(/^sc:/, async (ctx) => {
  const action = parseScheduleAction(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  if (action.kind === "close") {
    await ctx.answerCallbackQuery({ text: ctx.t("schedule.dismissed") });
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    return;
  }
  const campaign = await coordinatorCampaign(ctx);
  if (!campaign) return;
  const db = ctx.deps.db;
  const stale = () => ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button"), show_alert: true });
  switch (action.kind) {
    case "newTemplate": {
      const unit = (await unitsOfCampaign(db, campaign.id)).find((u) => u.id === action.unitId);
      if (!unit) return void (await stale());
      const date = nextWorkingDay(ctx.now(), ctx.config.TZ);
      return void (await say(ctx, ctx.t("schedule.template_new", { unit: unit.shortName, date })));
    }
    case "pickUnit": {
      const draft = await db.scheduleDraft.findUnique({ where: { id: action.draftId } });
      const payload = draft?.payload as { kind?: string; startsAt?: string; place?: string; unitIds?: number[] } | null;
      if (
        !draft ||
        draft.personId !== ctx.person.id ||
        payload?.kind !== "new" ||
        !payload.unitIds?.includes(action.unitId) ||
        !payload.startsAt ||
        !payload.place
      ) {
        return void (await stale());
      }
      // One use: a second press (or a colleague's) finds no draft.
      const taken = await db.scheduleDraft.deleteMany({ where: { id: draft.id } });
      if (taken.count === 0) return void (await stale());
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      const startsAt = new Date(payload.startsAt);
      if (startsAt <= ctx.now()) {
        return void (await say(ctx, ctx.t("schedule.errors.past", { when: formatDateTime(startsAt, ctx.config.TZ) })));
      }
      return proposeVisit(ctx, action.unitId, startsAt, payload.place);
    }
    case "confirmNew": {
      const draft = await db.scheduleDraft.findUnique({ where: { id: action.draftId } });
      const payload = draft?.payload as { kind?: string; unitId?: number; startsAt?: string; place?: string } | null;
      if (!draft || draft.personId !== ctx.person.id || payload?.kind !== "confirmNew") return void (await stale());
      if (!payload.unitId || !payload.startsAt || !payload.place) return void (await stale());
      // One use: a second press finds no draft, so the visit is created once.
      const taken = await db.scheduleDraft.deleteMany({ where: { id: draft.id } });
      if (taken.count === 0) return void (await stale());
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      const startsAt = new Date(payload.startsAt);
      if (startsAt <= ctx.now()) {
        return void (await say(ctx, ctx.t("schedule.errors.past", { when: formatDateTime(startsAt, ctx.config.TZ) })));
      }
      return scheduleVisit(ctx, payload.unitId, startsAt, payload.place);
    }
    case "changeTemplate": {
      const visit = await findVisit(db, campaign.id, action.visitId);
      if (!visit || visit.status === "CANCELLED" || visit.status === "DONE") return void (await stale());
      return void (await say(
        ctx,
        ctx.t("schedule.template_change", {
          id: visit.id,
          unit: visit.unit.shortName,
          when: formatDateTime(visit.startsAt, ctx.config.TZ),
          // The visit's own date and time as the example to correct: a real date, never "dd/MM/yyyy".
          date: formatDate(visit.startsAt, ctx.config.TZ),
          time: formatDateTime(visit.startsAt, ctx.config.TZ).slice(-5),
          place: visit.place,
        }),
      ));
    }
    case "cancelAsk": {
      const visit = await findVisit(db, campaign.id, action.visitId);
      if (!visit || visit.status === "CANCELLED" || visit.status === "DONE") return void (await stale());
      return askCancel(ctx, visit, null);
    }
    case "cancelConfirm": {
      let reason: string | null = null;
      if (action.draftId) {
        const draft = await db.scheduleDraft.findUnique({ where: { id: action.draftId } });
        const payload = draft?.payload as { kind?: string; visitId?: number; reason?: string } | null;
        if (
          !draft ||
          draft.personId !== ctx.person.id ||
          payload?.kind !== "cancel" ||
          payload.visitId !== action.visitId
        ) {
          return void (await stale());
        }
        reason = payload.reason ?? null;
      }
      const result = await cancelVisit(
        db,
        campaign.id,
        action.visitId,
        reason,
        ctx.person.id,
        ctx.now(),
        action.revision,
      );
      if (!result) return void (await say(ctx, ctx.t("schedule.errors.gone")));
      if (action.draftId) await db.scheduleDraft.deleteMany({ where: { id: action.draftId } });
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      ctx.logger.info({ visit: action.visitId, notified: result.notified }, "visit cancelled");
      noticesEnqueued();
      return void (await say(
        ctx,
        ctx.t("schedule.cancelled", {
          id: result.visit.id,
          unit: result.visit.unit.name,
          when: formatDateTime(result.visit.startsAt, ctx.config.TZ),
          count: result.notified,
          dropped: result.cancelledNotices,
        }),
      ));
    }
  }
});

// ---------------------------------------------------------------- "Đã nhận" and /xacnhan

scheduleFeature.callbackQuery(noticeButtons.filter, async (ctx) => {
  const noticeId = noticeButtons.parse(ctx.callbackQuery.data)?.noticeId ?? null;
  if (noticeId === null) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  const result = await acknowledgeNotice(ctx.deps.db, noticeId, ctx.person.id, ctx.now());
  if (!result.ok) {
    const text =
      result.reason === "not_yours"
        ? ctx.t("schedule.ack.not_yours")
        : result.reason === "not_sent"
          ? ctx.t("schedule.ack.not_sent")
          : ctx.t("errors.bad_button");
    if (result.reason !== "unknown") ctx.logger.warn({ noticeId, reason: result.reason }, "acknowledgement refused");
    return void (await ctx.answerCallbackQuery({ text, show_alert: result.reason === "not_yours" }));
  }
  const at = formatDateTime(result.acknowledgedAt, ctx.config.TZ);
  if (!result.first) return void (await ctx.answerCallbackQuery({ text: ctx.t("schedule.ack.already", { when: at }) }));
  await ctx.answerCallbackQuery({ text: ctx.t("schedule.ack.done") });
  // The button now says when; pressing it again only repeats that.
  const kb = new InlineKeyboard().text(
    ctx.t("schedule.ack.button_done", { when: at }),
    noticeButtons.encode({ kind: "ack", noticeId }),
  );
  await ctx.editMessageReplyMarkup({ reply_markup: kb }).catch((e) => {
    ctx.logger.debug({ err: e }, "could not mark the notice's button");
  });
});

/** Who has not acknowledged which notice (/xacnhan, and plain questions about it): coordinators only. */
export async function showAcknowledgements(ctx: BotContext): Promise<void> {
  const campaign = await coordinatorCampaign(ctx);
  if (!campaign) return;
  const report = await acknowledgementReport(ctx.deps.db, campaign.id);
  await ctx.reply(ackReportText(ctx, campaign.title, report));
  // Then what each unit answered for its upcoming visit (confirmed, asked to move, report).
  await replyLong(ctx, await answersReport(ctx, campaign.id));
}

scheduleFeature.command("xacnhan", showAcknowledgements);
