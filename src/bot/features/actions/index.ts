/**
 * Corrective actions (kiến nghị khắc phục, src/domain/actions.ts) in chat. Officers: /khacphuc
 * lists their unit's actions; «Báo cáo #…» starts a report (typed text, then photos or files,
 * then «Gửi báo cáo»). Coordinators: /kiennghi lists units by their actions (overdue first);
 * /kiennghi <đơn vị> shows the unit's findings with «Kiến nghị từ T…» (the next typed text
 * is the action, "hạn dd/MM/yyyy" at its end optional) and its actions with «Đóng»,
 * «Mở lại» (the reason is typed next) and «Đổi hạn». What a typed text or file means is the
 * person's VisitCursor (modes ACTION, ACTION_REPORT, ACTION_REOPEN), never memory.
 */
import { Composer, InlineKeyboard } from "grammy";
import { receiveActionFile } from "../../../app/action-files.ts";
import type { Unit } from "../../../db/client.ts";
import {
  type ActionActor,
  type ActionRefused,
  actionCounts,
  actionFromText,
  actionsOf,
  beginActionReport,
  beginCreate,
  beginReopen,
  beginSetDue,
  closeAction,
  reopenAction,
  reportAction,
  writeActionReport,
} from "../../../domain/actions.ts";
import { noticesEnqueued } from "../../../domain/notices.ts";
import { shorten } from "../../../domain/text.ts";
import { formatDate } from "../../../domain/time.ts";
import { matchUnits } from "../../../domain/units.ts";
import { clearCursor } from "../../../domain/visits.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import { fileLinks, linksFor } from "../../links.ts";
import { sendLong } from "../../messages.ts";
import { receiveSentFile } from "../../sent-files.ts";
import { forgetVisitCursor, visitCursorOf } from "../visits/cursor.ts";
import { actionButtons } from "./callback-data.ts";
import { actionLines, countsLine, reportKeyboard, sendKeyboard, stopKeyboard, unitKeyboard } from "./views.ts";

export const actionsFeature = new Composer<BotContext>();

/** Units listed by /kiennghi without a unit. */
const UNITS_LISTED = 30;

function actorOf(ctx: BotContext): ActionActor {
  const { role, membership } = ctx.standing;
  return {
    personId: ctx.person.id,
    coordinator: role === "COORDINATOR",
    officerUnitId: role === "OFFICER" ? (membership?.unitId ?? null) : null,
    name: ctx.person.displayName,
  };
}

function refusalText(ctx: BotContext, r: ActionRefused): string {
  if (r.reason === "closed") return ctx.t("actions.refused.closed", { when: formatDate(r.closedAt, ctx.config.TZ) });
  if (r.reason === "due_date") return ctx.t("actions.refused.due_date", { date: r.date });
  return ctx.t(`actions.refused.${r.reason}`);
}
const refused = (ctx: BotContext, r: ActionRefused) => ctx.reply(refusalText(ctx, r));

const options = (ctx: BotContext) => ({
  now: ctx.now(),
  timeZone: ctx.config.TZ,
  coordinatorIds: ctx.config.COORDINATOR_IDS,
});

// ---------------------------------------------------------------- officers

/** /khacphuc: the unit's actions not closed, each with «Báo cáo #…». */
actionsFeature.command("khacphuc", async (ctx) => {
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  const unitId = actorOf(ctx).officerUnitId;
  if (unitId === null) return void (await ctx.reply(ctx.t("actions.officer.not_officer")));
  await officerScreen(ctx, ctx.campaign.id, unitId);
});

async function officerScreen(ctx: BotContext, campaignId: number, unitId: number) {
  const all = await actionsOf(ctx.deps.db, campaignId, { unitId });
  const live = all.filter((a) => a.status !== "CLOSED");
  const unit = await ctx.deps.db.unit.findUniqueOrThrow({ where: { id: unitId }, select: { name: true } });
  const lines = [ctx.t("actions.officer.title", { unit: unit.name }), ""];
  lines.push(...(await conclusionLines(ctx, campaignId, unitId)));
  if (live.length === 0) lines.push(ctx.t("actions.officer.none"));
  for (const a of live) lines.push(...actionLines(ctx, a), "");
  const closed = all.length - live.length;
  if (closed) lines.push(ctx.t("actions.officer.closed_count", { count: closed }));
  if (live.length) lines.push(ctx.t("actions.officer.ask"));
  await sendLong(ctx, lines.join("\n"), live.length ? reportKeyboard(ctx, live) : undefined);
}

/**
 * The conclusion notices issued to the unit, each with a signed link that opens the issued
 * copy (the latest CONCLUSION document of the visit), so the unit reads what it must do.
 */
async function conclusionLines(ctx: BotContext, campaignId: number, unitId: number): Promise<string[]> {
  const visits = await ctx.deps.db.inspectionVisit.findMany({
    where: { campaignId, unitId, conclusionIssuedAt: { not: null } },
    select: {
      conclusionNumber: true,
      conclusionIssuedAt: true,
      documents: { where: { kind: "CONCLUSION" }, orderBy: { id: "desc" }, take: 1 },
    },
    orderBy: { conclusionIssuedAt: "asc" },
  });
  const issued = visits.filter((v) => v.documents.length > 0);
  if (issued.length === 0) return [];
  const links = await linksFor(
    ctx,
    issued.map((v) => {
      const d = v.documents[0]!;
      return { purpose: "export" as const, fileKey: d.storageKey, name: d.fileName, mime: d.mimeType };
    }),
  );
  return [
    ...issued.map((v, i) =>
      ctx.t("actions.officer.conclusion", {
        number: v.conclusionNumber ?? "",
        date: formatDate(v.conclusionIssuedAt!, ctx.config.TZ),
        url: links[i]!.url,
      }),
    ),
    "",
  ];
}

// ---------------------------------------------------------------- coordinators

actionsFeature.command("kiennghi", (ctx) => showActions(ctx, ctx.match.trim()));

/**
 * /kiennghi [đơn vị], and the plain questions that ask it ("đơn vị nào còn kiến nghị quá
 * hạn?", "Sông Mã đã khắc phục chưa?"): every unit's counts, overdue first, or one unit's.
 */
export async function showActions(ctx: BotContext, query: string, options: { overdue?: boolean } = {}) {
  if (ctx.standing.role !== "COORDINATOR") return void (await ctx.reply(ctx.t("actions.refused.not_coordinator")));
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  if (!query) return unitsScreen(ctx, ctx.campaign.id, options.overdue ?? false);
  const { matches, suggestions } = await matchUnits(ctx.deps.db, ctx.campaign.id, query);
  if (matches.length === 1) return unitScreen(ctx, ctx.campaign.id, matches[0]!);
  const list = matches.length ? matches : suggestions;
  const head = matches.length
    ? ctx.t("actions.coordinator.choose", { query })
    : ctx.t("actions.coordinator.not_found", { query });
  await sendLong(ctx, head, list.length ? unitChoices(list) : undefined);
}

function unitChoices(units: Unit[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const u of units.slice(0, 20)) kb.text(u.shortName, actionButtons.encode({ kind: "unit", unitId: u.id })).row();
  return kb;
}

/**
 * /kiennghi: every unit with actions, overdue first, then most open. Asked which units are
 * overdue ("đơn vị nào còn kiến nghị quá hạn?"), only those, or a plain "none" first.
 */
async function unitsScreen(ctx: BotContext, campaignId: number, overdueOnly: boolean) {
  const db = ctx.deps.db;
  const all = await actionCounts(db, campaignId, ctx.now());
  const late = new Map([...all].filter(([, c]) => c.overdue > 0));
  // Asked for the overdue and there are some: only they. None: say so, then every unit's.
  const onlyLate = overdueOnly && late.size > 0;
  const counts = onlyLate ? late : all;
  const lines = [ctx.t(onlyLate ? "actions.coordinator.title_overdue" : "actions.coordinator.title"), ""];
  if (overdueOnly && !onlyLate && all.size > 0) lines.push(ctx.t("actions.coordinator.none_overdue"), "");
  if (counts.size === 0) lines.push(ctx.t("actions.coordinator.none"));
  else {
    const ranked = [...counts.entries()].sort(
      ([ua, a], [ub, b]) => b.overdue - a.overdue || b.open + b.reported - (a.open + a.reported) || ua - ub,
    );
    const shown = ranked.slice(0, UNITS_LISTED);
    const names = new Map(
      (
        await db.unit.findMany({
          where: { id: { in: shown.map(([id]) => id) } },
          select: { id: true, shortName: true },
        })
      ).map((u) => [u.id, u.shortName]),
    );
    for (const [unitId, c] of shown) {
      lines.push(
        ctx.t("actions.coordinator.unit_line", { unit: names.get(unitId) ?? "", counts: countsLine(ctx, c, true) }),
      );
    }
    if (ranked.length > shown.length)
      lines.push(ctx.t("actions.coordinator.more", { count: ranked.length - shown.length }));
  }
  lines.push("", ctx.t("actions.coordinator.usage"));
  await sendLong(ctx, lines.join("\n"));
}

/** /kiennghi <đơn vị>: the unit's findings and actions with their buttons. */
async function unitScreen(ctx: BotContext, campaignId: number, unit: Pick<Unit, "id" | "name" | "shortName">) {
  const db = ctx.deps.db;
  const visit = await db.inspectionVisit.findFirst({
    where: { campaignId, unitId: unit.id, status: { not: "CANCELLED" } },
    orderBy: [{ startsAt: "desc" }, { id: "desc" }],
    select: { id: true, conclusionIssuedAt: true },
  });
  if (!visit) return void (await ctx.reply(ctx.t("actions.coordinator.no_visit", { unit: unit.name })));
  const [findings, actions, campaign] = await Promise.all([
    db.finding.findMany({ where: { visitId: visit.id, removedAt: null }, orderBy: { id: "asc" } }),
    actionsOf(db, campaignId, { unitId: unit.id }),
    db.campaign.findUniqueOrThrow({ where: { id: campaignId }, select: { actionDueDays: true } }),
  ]);
  const links = await fileLinks(
    ctx,
    actions.flatMap((a) => a.reports.at(-1)?.files ?? []),
  );
  const lines = [
    ctx.t("actions.coordinator.unit_title", { unit: unit.name, visit: visit.id }),
    visit.conclusionIssuedAt
      ? ctx.t("actions.coordinator.concluded", { when: formatDate(visit.conclusionIssuedAt, ctx.config.TZ) })
      : ctx.t("actions.coordinator.not_concluded", { days: campaign.actionDueDays }),
    "",
    ctx.t("actions.coordinator.findings"),
  ];
  if (findings.length === 0) lines.push(ctx.t("actions.coordinator.no_findings"));
  for (const f of findings)
    lines.push(ctx.t("actions.coordinator.finding_line", { id: f.id, text: shorten(f.text, 300) }));
  lines.push("", ctx.t("actions.coordinator.actions"));
  if (actions.length === 0) lines.push(ctx.t("actions.coordinator.no_actions"));
  for (const a of actions) lines.push(...actionLines(ctx, a, { links, finding: true }));
  await sendLong(ctx, lines.join("\n"), unitKeyboard(ctx, visit.id, findings, actions));
}

// ---------------------------------------------------------------- buttons

actionsFeature.callbackQuery(actionButtons.filter, async (ctx) => {
  const action = actionButtons.parse(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  const db = ctx.deps.db;
  const now = ctx.now();
  if (action.kind === "stop") {
    const cursor = await visitCursorOf(ctx);
    await clearCursor(db, ctx.person.id);
    forgetVisitCursor(ctx);
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
    const key = cursor?.mode === "ACTION_REPORT" ? "actions.report.stopped" : "actions.coordinator.stopped";
    return void (await ctx.reply(ctx.t(key)));
  }
  if (!ctx.campaign) return void (await ctx.reply(ctx.t("schedule.no_campaign")));
  const campaignId = ctx.campaign.id;
  const actor = actorOf(ctx);
  switch (action.kind) {
    case "report": {
      const result = await beginActionReport(db, campaignId, actor, action.actionId, action.version, now);
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result));
      const a = result.action;
      const lines = [ctx.t("actions.report.begin", { id: a.id, text: shorten(a.text, 300) })];
      if (a.status === "OPEN" && a.reopenReason)
        lines.push(ctx.t("actions.line_reopened", { reason: a.reopenReason }).trim());
      lines.push("", ctx.t("actions.report.ask"));
      return void (await ctx.reply(lines.join("\n"), { reply_markup: stopKeyboard(ctx) }));
    }
    case "send": {
      const result = await reportAction(db, { campaignId, actor, ...options(ctx) });
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result));
      noticesEnqueued();
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      ctx.logger.info({ action: result.action.id, files: result.files }, "action reported");
      return void (await ctx.reply(ctx.t("actions.report.sent", { id: result.action.id, count: result.files })));
    }
    case "unit": {
      if (!actor.coordinator) return void (await ctx.reply(ctx.t("actions.refused.not_coordinator")));
      const unit = await db.unit.findUnique({ where: { id: action.unitId } });
      if (!unit) return void (await ctx.reply(ctx.t("actions.refused.not_found")));
      return unitScreen(ctx, campaignId, unit);
    }
    case "create": {
      const result = await beginCreate(
        db,
        campaignId,
        actor,
        { visitId: action.visitId, findingId: action.findingId || null },
        now,
      );
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result));
      const campaign = await db.campaign.findUniqueOrThrow({
        where: { id: campaignId },
        select: { actionDueDays: true },
      });
      const from = result.finding
        ? ctx.t("actions.coordinator.from_finding", { id: result.finding.id, text: shorten(result.finding.text, 200) })
        : "";
      return void (await ctx.reply(
        ctx.t("actions.coordinator.ask_create", { unit: result.visit.unitName, from, days: campaign.actionDueDays }),
        { reply_markup: stopKeyboard(ctx) },
      ));
    }
    case "close": {
      const result = await closeAction(db, {
        campaignId,
        actor,
        actionId: action.actionId,
        version: action.version,
        ...options(ctx),
      });
      if (!result.ok) return void (await refused(ctx, result));
      noticesEnqueued();
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      return void (await ctx.reply(
        ctx.t("actions.coordinator.closed", { id: result.action.id, unit: result.unitName }),
      ));
    }
    case "reopen": {
      const result = await beginReopen(db, campaignId, actor, action.actionId, action.version, now);
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result));
      return void (await ctx.reply(ctx.t("actions.coordinator.ask_reopen", { id: result.action.id }), {
        reply_markup: stopKeyboard(ctx),
      }));
    }
    case "due": {
      const result = await beginSetDue(db, campaignId, actor, action.actionId, action.version, now);
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result));
      return void (await ctx.reply(ctx.t("actions.coordinator.ask_due", { id: result.action.id }), {
        reply_markup: stopKeyboard(ctx),
      }));
    }
  }
});

// ---------------------------------------------------------------- typed text and files

const ACTION_MODES = new Set(["ACTION", "ACTION_REPORT", "ACTION_REOPEN"]);

/** A typed text in an action step: the action, a due date, a reason, or the report's text. */
actionsFeature.on("message:text", async (ctx, next) => {
  const cursor = await visitCursorOf(ctx);
  if (!cursor || !ACTION_MODES.has(cursor.mode) || !ctx.campaign || ctx.message.text.startsWith("/")) return next();
  const db = ctx.deps.db;
  const campaignId = ctx.campaign.id;
  const actor = actorOf(ctx);
  const text = ctx.message.text;
  forgetVisitCursor(ctx);
  if (cursor.mode === "ACTION_REPORT") {
    const result = await writeActionReport(db, { campaignId, actor, text, now: ctx.now() });
    if (!result.ok) return void (await refused(ctx, result));
    const key = result.replaced ? "actions.report.text_replaced" : "actions.report.text_saved";
    return void (await ctx.reply(ctx.t(key, { id: result.action.id }), { reply_markup: sendKeyboard(ctx) }));
  }
  if (cursor.mode === "ACTION_REOPEN") {
    const result = await reopenAction(db, { campaignId, actor, reason: text, ...options(ctx) });
    if (!result.ok) return void (await refused(ctx, result));
    noticesEnqueued();
    return void (await ctx.reply(
      ctx.t("actions.coordinator.reopened", { id: result.action.id, unit: result.unitName }),
    ));
  }
  const result = await actionFromText(db, { campaignId, actor, text, ...options(ctx) });
  if (!result.ok) return void (await refused(ctx, result));
  noticesEnqueued();
  const tz = ctx.config.TZ;
  const a = result.action;
  if (result.made === "due") {
    return void (await ctx.reply(ctx.t("actions.coordinator.due_set", { id: a.id, due: formatDate(a.dueAt!, tz) })));
  }
  const lines = [ctx.t("actions.coordinator.created", { id: a.id, unit: result.unitName, text: a.text })];
  lines.push(
    a.dueAt
      ? ctx.t("actions.coordinator.created_due", { due: formatDate(a.dueAt, tz), n: num(ctx, result.notified) })
      : ctx.t("actions.coordinator.created_no_due"),
  );
  await ctx.reply(lines.join("\n"));
});

const REPORT_FILE_TEXTS = {
  tooLarge: "actions.report.too_large",
  downloadFailed: "actions.report.download_failed",
  wrongType: "actions.report.wrong_type",
  photo: "actions.report.photo",
};

/** A photo or document in the report step: a file of the report, kept as evidence is. */
actionsFeature.on(["message:document", "message:photo"], async (ctx, next) => {
  const cursor = await visitCursorOf(ctx);
  if (cursor?.mode !== "ACTION_REPORT" || !ctx.campaign) return next();
  const campaignId = ctx.campaign.id;
  const received = await receiveSentFile(ctx, REPORT_FILE_TEXTS, (file, maxBytes) =>
    receiveActionFile({ db: ctx.deps.db, store: ctx.deps.store, maxBytes }, campaignId, actorOf(ctx), file, ctx.sentAt),
  );
  if (!received) return;
  const { result, name } = received;
  if (!result.ok) return void (await refused(ctx, result));
  const shown = result.evidence.fileName ?? name;
  const text = result.duplicate
    ? ctx.t("actions.report.file_duplicate", { name: shown })
    : ctx.t("actions.report.file_saved", { name: shown, id: result.action.id, count: result.files });
  await ctx.reply(text, { reply_markup: sendKeyboard(ctx) });
});
