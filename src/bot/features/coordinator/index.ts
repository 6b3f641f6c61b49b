/**
 * Coordinators (Sở Nội vụ): progress at a glance, late units, one unit in detail, the
 * ranking, reminders through the notice outbox, reopening a submitted area, and the
 * results as Excel or CSV. Everyone else is refused the commands. Plain Vietnamese
 * questions are understood too (src/domain/intents.ts), from anyone, and answered with the
 * screen of the command that answers them when the person's role has that command (the
 * schedule's come from src/bot/features/schedule/); the rest goes on to the next feature.
 */

import { PassThrough, Readable } from "node:stream";
import { Composer, InlineKeyboard, InputFile } from "grammy";
import type { Unit } from "../../../db/client.ts";
import { actionCounts, actionTotals } from "../../../domain/actions.ts";
import { appraisalProgress } from "../../../domain/appraisal.ts";
import { phaseReached } from "../../../domain/appraisal-rules.ts";
import { audit } from "../../../domain/audit.ts";
import { commandFor, commandNameOf, type Intent, nameAlone, parseIntent } from "../../../domain/intents.ts";
import { FINAL_SCORES, finalRanking, unitResult } from "../../../domain/ranking.ts";
import {
  type AreaInfo,
  areaLabel,
  type CampaignShape,
  campaignShape,
  findArea,
  lateUnitIds,
  lateUnits,
  notSubmittedByArea,
  overview,
  PAGE_SIZE,
  pageOf,
  ranking,
  remindUnits,
  reopenArea,
  unitPage,
  unitStatuses,
} from "../../../domain/status.ts";
import { escapeHtml } from "../../../domain/text.ts";
import { formatDateTime } from "../../../domain/time.ts";
import { matchUnits, type UnitMatch } from "../../../domain/units.ts";
// The chart and spreadsheet libraries cost about 90 MB when loaded: load them on first use.
import type { barChartPng } from "../../../reports/chart.ts";
import { commandsFor } from "../../commands.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import { fileLinks, linkFor, linksFor } from "../../links.ts";
import { sendLong } from "../../messages.ts";
import { showActions } from "../actions/index.ts";
import { countsLine } from "../actions/views.ts";
import { showFindingsOf } from "../findings/index.ts";
import { showAcknowledgements, showSchedule } from "../schedule/index.ts";
import { type CoordinatorAction, encodeAction, parseAction } from "./callback-data.ts";
import {
  type ActionLines,
  appraisalProgressView,
  chooseUnitView,
  deadlineLine,
  finalRankingChart,
  finalRankingView,
  lateView,
  notFoundView,
  progressChart,
  progressView,
  rankingChart,
  rankingView,
  unitView,
} from "./views.ts";

export const coordinatorFeature = new Composer<BotContext>();

export const COORDINATOR_COMMANDS = ["tiendo", "chuanop", "donvi", "diem", "nhacnho", "molai", "xuat"] as const;

const isCoordinator = (ctx: BotContext) => ctx.standing.role === "COORDINATOR";

/** The campaign's shape for a coordinator, or null after saying why not. */
export async function shapeFor(ctx: BotContext): Promise<CampaignShape | null> {
  if (!ctx.campaign) {
    await sendLong(ctx, ctx.t("coordinator.no_campaign"));
    return null;
  }
  if (!ctx.campaign.questionnaireId) {
    await sendLong(ctx, ctx.t("coordinator.no_questionnaire"));
    return null;
  }
  return campaignShape(ctx.deps.db, ctx.campaign);
}

export async function sendChart(
  ctx: BotContext,
  chart: { items: Parameters<typeof barChartPng>[0]; options: Parameters<typeof barChartPng>[1] },
  name: string,
) {
  if (chart.items.length === 0) return;
  try {
    const { barChartPng: render } = await import("../../../reports/chart.ts");
    const png = render(chart.items, chart.options);
    await ctx.replyWithPhoto(new InputFile(png, name));
  } catch (e) {
    // A chart is a bonus: the numbers were already sent.
    ctx.logger.warn({ err: e }, "chart failed");
  }
}

/** The area a coordinator typed ("3", "lv3"), or null after listing the areas. */
async function areaArg(ctx: BotContext, shape: CampaignShape, typed: string): Promise<AreaInfo | null | undefined> {
  const code = typed.trim().replace(/^(lv|lĩnh vực|linh vuc)\s*/i, "");
  if (!code) return undefined;
  const area = findArea(shape, code);
  if (!area) {
    await sendLong(
      ctx,
      ctx.t("coordinator.ranking.area_unknown", {
        code,
        list: shape.areas.map((a) => escapeHtml(areaLabel(a))).join("; "),
      }),
    );
    return null;
  }
  return area;
}

// ---------------------------------------------------------------- screens

async function showProgress(ctx: BotContext, shape: CampaignShape, page: number, chart: boolean) {
  const db = ctx.deps.db;
  // From round 1 on, progress is the appraisal's: the self-assessment is locked and done.
  if (phaseReached(shape.campaign.status, "APPRAISAL")) {
    const progress = await appraisalProgress(db, shape);
    const paging = pageOf(page, progress.units.length);
    const shown = progress.units.slice(paging.skip, paging.skip + PAGE_SIZE).map((u) => u.unitId);
    const view = appraisalProgressView(ctx, shape, progress, page, await actionLinesOf(ctx, shape, shown));
    return sendLong(ctx, view.text, view.keyboard);
  }
  const [o, [units, actions]] = await Promise.all([
    overview(db, shape),
    unitPage(db, shape, page).then(
      async (units) =>
        [
          units,
          await actionLinesOf(
            ctx,
            shape,
            units.items.map((s) => s.unit.id),
          ),
        ] as const,
    ),
  ]);
  const view = progressView(ctx, shape, o, units, actions);
  await sendLong(ctx, view.text, view.keyboard);
  if (chart) await sendChart(ctx, progressChart(ctx, shape, units), "tien-do.png");
}

async function showLate(ctx: BotContext, shape: CampaignShape, area: AreaInfo | null, page: number) {
  const db = ctx.deps.db;
  const [units, counts] = await Promise.all([
    lateUnits(db, shape, { areaId: area?.id, page }),
    notSubmittedByArea(db, shape),
  ]);
  const view = lateView(ctx, shape, units, counts.unitCount, counts.byArea, area);
  await sendLong(ctx, view.text, view.keyboard);
}

/**
 * /diem: by self-score until round 1 closes; then by final score (bonus and penalty
 * included, the self-score beside it, the campaign's groups), or one area's final scores.
 */
async function showRanking(ctx: BotContext, shape: CampaignShape, area: AreaInfo | null, page: number, chart: boolean) {
  const db = ctx.deps.db;
  const appraised = phaseReached(shape.campaign.status, "EXPLANATION");
  if (appraised && !area) {
    const r = await finalRanking(db, shape);
    const view = finalRankingView(ctx, r, page);
    await sendLong(ctx, view.text, view.keyboard);
    if (chart) await sendChart(ctx, finalRankingChart(ctx, shape, r, view.entries), "diem.png");
    return;
  }
  const r = await ranking(db, shape, area?.id, appraised ? FINAL_SCORES : undefined);
  const view = rankingView(ctx, r, page, appraised);
  await sendLong(ctx, view.text, view.keyboard);
  if (chart) await sendChart(ctx, rankingChart(ctx, shape, r, view.entries, appraised), "diem.png");
}

/**
 * /tiendo's corrective-action lines (src/domain/actions.ts): the campaign's totals (grouped
 * by status, whatever the number of units) and the counts of the units on the page shown.
 */
async function actionLinesOf(
  ctx: BotContext,
  shape: CampaignShape,
  unitIds: number[],
): Promise<ActionLines | undefined> {
  const [total, counts] = await Promise.all([
    actionTotals(ctx.deps.db, shape.campaign.id, ctx.now()),
    actionCounts(ctx.deps.db, shape.campaign.id, ctx.now(), unitIds),
  ]);
  if (total.open + total.reported + total.closed === 0) return undefined;
  return {
    total: ctx.t("actions.counts_total", {
      open: num(ctx, total.open + total.reported),
      overdue: num(ctx, total.overdue),
      reported: num(ctx, total.reported),
      closed: num(ctx, total.closed),
    }),
    unit: (unitId) => {
      const c = counts.get(unitId);
      return c ? countsLine(ctx, c) : null;
    },
  };
}

async function showUnit(ctx: BotContext, shape: CampaignShape, unit: Unit) {
  const [[status], result, actions] = await Promise.all([
    unitStatuses(ctx.deps.db, shape, [unit.id]),
    // From round 1 on: the unit's scores round by round, bonus, penalty and group.
    phaseReached(shape.campaign.status, "APPRAISAL") ? unitResult(ctx.deps.db, shape, unit) : null,
    actionCounts(ctx.deps.db, shape.campaign.id, ctx.now(), [unit.id]),
  ]);
  const counts = actions.get(unit.id);
  if (!status) return;
  // A link to the unit's evidence for each area that has some: one signed link per area.
  const links = new Map<number, string>();
  for (const a of status.areas.filter((x) => x.evidence > 0)) {
    const scope = { purpose: "evidence" as const, campaignId: shape.campaign.id, unitId: unit.id, areaId: a.area.id };
    links.set(a.area.id, (await linkFor(ctx, scope)).url);
  }
  await sendLong(ctx, unitView(ctx, status, links, result, counts ? countsLine(ctx, counts, true) : null));
}

/**
 * The unit a coordinator named: when exactly one matches, `then` runs with it; several
 * get buttons to pick one; none get the closest names. `found`: the match, if already made.
 */
export async function withUnit(
  ctx: BotContext,
  shape: CampaignShape,
  query: string,
  /** What a button picking the unit does: a coordinator action, or another feature's encoded data. */
  action: (unit: Unit) => CoordinatorAction | string,
  then: (unit: Unit) => Promise<void>,
  found?: UnitMatch,
  /** Before buttons are drawn: keep what they cannot carry. */
  beforeButtons?: () => Promise<void>,
) {
  const { matches, suggestions } = found ?? (await matchUnits(ctx.deps.db, shape.campaign.id, query));
  if (matches.length === 1) return then(matches[0]!);
  if (matches.length > 1 || suggestions.length > 0) await beforeButtons?.();
  const view =
    matches.length > 1 ? chooseUnitView(ctx, query, matches, action) : notFoundView(ctx, query, suggestions, action);
  await sendLong(ctx, view.text, view.keyboard);
}

/** /donvi <query>: the unit named, or the choice among several, or the closest names. */
const showUnitNamed = (ctx: BotContext, shape: CampaignShape, query: string, found?: UnitMatch) =>
  withUnit(
    ctx,
    shape,
    query,
    (u) => ({ kind: "unit", unitId: u.id }),
    (u) => showUnit(ctx, shape, u),
    found,
  );

async function remind(ctx: BotContext, shape: CampaignShape, target: Unit[] | "all") {
  const result = await remindUnits(
    ctx.deps.db,
    shape,
    target === "all" ? "all" : target.map((u) => u.id),
    { personId: ctx.person.id, name: ctx.person.displayName },
    ctx.now(),
  );
  ctx.logger.info({ ...result, withoutOfficer: result.withoutOfficer.length }, "units reminded");
  const lines: string[] = [];
  if (result.reminded > 0) {
    lines.push(
      ctx.t("coordinator.remind.done", { units: num(ctx, result.reminded), notices: num(ctx, result.notices) }),
    );
  }
  if (result.already > 0) lines.push(ctx.t("coordinator.remind.already", { count: result.already }));
  if (result.finished > 0) {
    lines.push(
      target !== "all" && target.length === 1
        ? ctx.t("coordinator.remind.finished", { name: target[0]!.name })
        : ctx.t("coordinator.remind.finished_count", { count: result.finished }),
    );
  }
  if (result.withoutOfficer.length > 0) {
    const names = result.withoutOfficer.slice(0, 50).map((u) => escapeHtml(u.shortName));
    if (result.withoutOfficer.length > 50) names.push("…");
    lines.push(ctx.t("coordinator.remind.no_officer", { list: names.join(", ") }));
  }
  if (lines.length === 0) lines.push(ctx.t("coordinator.remind.nothing"));
  await sendLong(ctx, lines.join("\n"));
}

async function reopen(ctx: BotContext, shape: CampaignShape, unit: Unit, area: AreaInfo, reason: string) {
  const by = { personId: ctx.person.id, name: ctx.person.displayName };
  const result = await reopenArea(ctx.deps.db, shape, unit, area, by, reason, ctx.now());
  const vars = { code: area.code, title: area.title, unit: unit.name };
  if (!result.ok) return sendLong(ctx, ctx.t("coordinator.reopen.not_submitted", vars));
  ctx.logger.info({ unit: unit.code, area: area.code, told: result.officersTold }, "area reopened");
  const told = result.officersTold
    ? ctx.t("coordinator.reopen.told", { count: result.officersTold })
    : ctx.t("coordinator.reopen.nobody_told");
  const done = ctx.t("coordinator.reopen.done", {
    ...vars,
    when: formatDateTime(result.submittedAt, ctx.config.TZ),
    score: num(ctx, result.selfScore),
  });
  await sendLong(ctx, `${done}\n${ctx.t("coordinator.reopen.reason", { reason })}\n${told}`);
}

/**
 * What a button cannot hold (a reason, points), kept while the coordinator picks a unit or
 * confirms: a draft row of theirs, its payload tagged with `kind`.
 */
export async function keepDraft(
  ctx: BotContext,
  payload: { kind: string } & Record<string, string | number | null>,
): Promise<number> {
  const draft = await ctx.deps.db.scheduleDraft.create({ data: { personId: ctx.person.id, payload } });
  return draft.id;
}

/** The coordinator's own draft of this kind, or null (another person's, another kind, gone). */
export async function keptDraft<T extends Record<string, unknown>>(
  ctx: BotContext,
  draftId: number,
  kind: string,
): Promise<T | null> {
  const draft = await ctx.deps.db.scheduleDraft.findUnique({ where: { id: draftId } });
  const payload = draft?.payload as ({ kind?: string } & T) | undefined;
  return draft?.personId === ctx.person.id && payload?.kind === kind ? payload : null;
}

const keepReason = (ctx: BotContext, reason: string) => keepDraft(ctx, { kind: "reopen", reason });

async function keptReason(ctx: BotContext, draftId: number): Promise<string | null> {
  const draft = await keptDraft<{ reason?: string }>(ctx, draftId, "reopen");
  return draft?.reason ?? null;
}

/** The reason of a reopening: a few words at least, sent to the unit's officers. */
const REASON_MIN = 5;

/** Collects a stream into one buffer: the finished file goes to Telegram in one upload. */
async function collect(write: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    out.on("end", resolve);
    out.on("error", reject);
  });
  await write(out);
  await ended;
  return Buffer.concat(chunks);
}

async function exportResults(ctx: BotContext, shape: CampaignShape, format: "xlsx" | "csv") {
  await ctx.replyWithChatAction("upload_document").catch(() => {});
  const options = {
    t: ctx.t,
    locale: ctx.locale,
    timeZone: ctx.config.TZ,
    now: ctx.now(),
    // Each evidence file's name opens it (a signed link for this coordinator).
    fileLinks: async (ids: number[]) =>
      new Map(
        [
          ...(
            await fileLinks(
              ctx,
              ids.map((id) => ({ id })),
            )
          ).entries(),
        ].map(([id, link]) => [id, link.url]),
      ),
    // Each visit's minutes or conclusion notice opens from its row (the document's own copy).
    documentLinks: async (ids: number[]) => {
      const docs = await ctx.deps.db.visitDocument.findMany({ where: { id: { in: ids } } });
      const links = await linksFor(
        ctx,
        docs.map((d) => ({ purpose: "export" as const, fileKey: d.storageKey, name: d.fileName, mime: d.mimeType })),
      );
      return new Map(docs.map((d, i) => [d.id, links[i]!.url]));
    },
  };
  const db = ctx.deps.db;
  let counts = { units: 0, answers: 0 };
  const file = await collect(async (out) => {
    const { writeCsv, writeXlsx } = await import("../../../reports/export.ts");
    counts = format === "csv" ? await writeCsv(db, shape, out, options) : await writeXlsx(db, shape, out, options);
  });
  const name = `${ctx.t("coordinator.export.file", { year: shape.campaign.year })}.${format}`;
  const caption =
    format === "csv"
      ? ctx.t("coordinator.export.caption_csv", { units: num(ctx, counts.units) })
      : ctx.t("coordinator.export.caption", { units: num(ctx, counts.units), answers: num(ctx, counts.answers) });
  ctx.logger.info({ format, bytes: file.length, ...counts }, "results exported");
  // Who took the whole campaign's results away, and when: before it leaves for Telegram.
  await audit(db, {
    actorId: ctx.person.id,
    action: "results.export",
    entity: "Campaign",
    entityId: shape.campaign.id,
    after: { format, file: name, bytes: file.length, ...counts },
  });
  // Kept in the file store too, behind a link: it opens on a PC or where no document can be
  // sent in chat (Zalo).
  const stored = await ctx.deps.store.put(Readable.from([file]), { maxBytes: file.length + 1 });
  const mime = format === "csv" ? "text/csv; charset=utf-8" : XLSX_MIME;
  const link = await linkFor(ctx, { purpose: "export", fileKey: stored.key, name, mime });
  const linkLine = ctx.t("coordinator.export.link", {
    url: link.url,
    until: formatDateTime(link.expiresAt, ctx.config.TZ),
  });
  await ctx.replyWithDocument(new InputFile(file, name), { caption: `${caption}\n${linkLine}`, parse_mode: "HTML" });
}

const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// ---------------------------------------------------------------- commands

/** Only coordinators pass; everyone else is told so. */
const coordinators = coordinatorFeature.filter(isCoordinator);
coordinatorFeature.command([...COORDINATOR_COMMANDS], async (ctx, next) => {
  if (isCoordinator(ctx)) return next();
  await ctx.reply(ctx.t("coordinator.refused"));
});

coordinators.command("tiendo", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (shape) await showProgress(ctx, shape, 0, true);
});

coordinators.command("chuanop", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const area = await areaArg(ctx, shape, ctx.match);
  if (area !== null) await showLate(ctx, shape, area ?? null, 0);
});

coordinators.command("diem", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const area = await areaArg(ctx, shape, ctx.match);
  if (area !== null) await showRanking(ctx, shape, area ?? null, 0, true);
});

coordinators.command("donvi", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const query = ctx.match.trim();
  if (!query) return sendLong(ctx, ctx.t("coordinator.unit.usage"));
  await showUnitNamed(ctx, shape, query);
});

const ALL_WORDS = new Set(["tatca", "tat ca", "tất cả", "all", "*"]);

coordinators.command("nhacnho", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const query = ctx.match.trim();
  if (!query) {
    const late = await lateUnitIds(ctx.deps.db, shape);
    return sendLong(ctx, ctx.t("coordinator.remind.usage", { n: num(ctx, late.length) }));
  }
  if (ALL_WORDS.has(query.toLowerCase())) return remind(ctx, shape, "all");
  await withUnit(
    ctx,
    shape,
    query,
    (u) => ({ kind: "remind", unitId: u.id }),
    (u) => remind(ctx, shape, [u]),
  );
});

coordinators.command("molai", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  // "/molai Sông Mã 3 Bổ sung tài liệu cho câu 3.2.2": unit, area, then the reason.
  const m = /^(.+?)\s+(?:lv\s*|lĩnh vực\s+|linh vuc\s+)?(\d{1,2})\.?(?:\s+(.+))?$/isu.exec(ctx.match.trim());
  if (!m) return sendLong(ctx, ctx.t("coordinator.reopen.usage"));
  const reason = (m[3] ?? "").replace(/\s+/g, " ").trim();
  if (reason.length < REASON_MIN) return sendLong(ctx, ctx.t("coordinator.reopen.reason_missing"));
  const area = await areaArg(ctx, shape, m[2]!);
  if (!area) return;
  let draftId = 0;
  await withUnit(
    ctx,
    shape,
    m[1]!,
    (u) => ({ kind: "reopen", unitId: u.id, areaId: area.id, draftId }),
    (u) => reopen(ctx, shape, u, area, reason),
    undefined,
    async () => {
      draftId = await keepReason(ctx, reason);
    },
  );
});

coordinators.command("xuat", async (ctx) => {
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const format = /^csv$/i.test(ctx.match.trim()) ? "csv" : "xlsx";
  await exportResults(ctx, shape, format);
});

// ---------------------------------------------------------------- buttons

coordinatorFeature.callbackQuery(/^co:/, async (ctx) => {
  if (!isCoordinator(ctx)) {
    await ctx.answerCallbackQuery({ text: ctx.t("coordinator.refused"), show_alert: true });
    return;
  }
  const action = parseAction(ctx.callbackQuery.data);
  if (!action) {
    await ctx.answerCallbackQuery({ text: ctx.t("coordinator.bad_button") });
    return;
  }
  const shape = await shapeFor(ctx);
  if (!shape) return;
  const db = ctx.deps.db;
  const areaById = (id: number) => shape.areas.find((a) => a.id === id) ?? null;
  const unitById = async (id: number) => {
    const unit = await db.unit.findFirst({ where: { id, campaigns: { some: { campaignId: shape.campaign.id } } } });
    if (!unit) await ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button"), show_alert: true });
    return unit;
  };
  switch (action.kind) {
    case "progress":
      return showProgress(ctx, shape, action.page, false);
    case "late":
    case "ranking": {
      const area = action.areaId ? areaById(action.areaId) : null;
      if (action.areaId && !area) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") }));
      return action.kind === "late"
        ? showLate(ctx, shape, area, action.page)
        : showRanking(ctx, shape, area, action.page, false);
    }
    case "unit": {
      const unit = await unitById(action.unitId);
      if (!unit) return;
      await ctx.answerCallbackQuery().catch(() => {});
      return showUnit(ctx, shape, unit);
    }
    case "remind": {
      const unit = await unitById(action.unitId);
      if (!unit) return;
      await ctx.answerCallbackQuery().catch(() => {});
      return remind(ctx, shape, [unit]);
    }
    case "remindAll":
      return remind(ctx, shape, "all");
    case "reopen": {
      const unit = await unitById(action.unitId);
      const area = areaById(action.areaId);
      const reason = await keptReason(ctx, action.draftId);
      if (!unit) return;
      if (!area || !reason) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") }));
      await ctx.deps.db.scheduleDraft.deleteMany({ where: { id: action.draftId } });
      return reopen(ctx, shape, unit, area, reason);
    }
  }
});

// ---------------------------------------------------------------- plain questions

/**
 * How a coordinator types this unit in a command so that it finds this unit and no other:
 * its short name ("Sông Mã"), else its code.
 */
async function typedName(ctx: BotContext, shape: CampaignShape, unit: Unit): Promise<string> {
  const { matches } = await matchUnits(ctx.deps.db, shape.campaign.id, unit.shortName);
  return matches.length === 1 && matches[0]!.id === unit.id ? unit.shortName : unit.code;
}

/** One button under a suggestion: pressing it does what the suggested command does. */
const oneButton = (label: string, action: CoordinatorAction) => new InlineKeyboard().text(label, encodeAction(action));

/**
 * "Nhắc Sở Tư pháp nộp đi": never done from plain words. The unit is looked up as
 * /nhacnho would: one found gets the exact command and a button that sends the reminder;
 * several or none get /nhacnho's own choice (buttons that remind the unit picked).
 */
async function suggestRemind(ctx: BotContext, shape: CampaignShape, intent: Intent & { kind: "remind" }) {
  if (!intent.unit) {
    return sendLong(
      ctx,
      ctx.t("coordinator.intent.suggest_remind", {
        target: ctx.t("coordinator.intent.all_units"),
        command: commandFor(intent),
      }),
      oneButton(ctx.t("coordinator.intent.remind_all_button"), { kind: "remindAll" }),
    );
  }
  const found = await matchUnits(ctx.deps.db, shape.campaign.id, intent.unit);
  const action = (u: Unit): CoordinatorAction => ({ kind: "remind", unitId: u.id });
  await withUnit(
    ctx,
    shape,
    intent.unit,
    action,
    async (unit) => {
      const command = commandFor({ ...intent, unit: await typedName(ctx, shape, unit) });
      await sendLong(
        ctx,
        ctx.t("coordinator.intent.suggest_remind", { target: unit.name, command }),
        oneButton(ctx.t("coordinator.intent.remind_button", { unit: unit.shortName }), action(unit)),
      );
    },
    found,
  );
}

/**
 * "Mở lại lĩnh vực 3 cho Sông Mã": suggested as /molai would do it. No button: a reopening
 * needs the reason the unit's officers will read, which only the coordinator can type.
 */
async function suggestReopen(ctx: BotContext, shape: CampaignShape, intent: Intent & { kind: "reopen" }) {
  if (!intent.unit || !intent.area) {
    return sendLong(ctx, ctx.t("coordinator.intent.suggest_reopen", { command: commandFor(intent) }));
  }
  const area = await areaArg(ctx, shape, intent.area);
  if (!area) return;
  const action = (u: Unit): CoordinatorAction => ({ kind: "unit", unitId: u.id });
  await withUnit(ctx, shape, intent.unit, action, async (unit) => {
    const command = commandFor({ ...intent, unit: await typedName(ctx, shape, unit), area: area.code });
    await sendLong(ctx, ctx.t("coordinator.intent.suggest_reopen", { command }));
  });
}

/** The screen of the command that answers `intent`: the very code of that command. */
async function answerIntent(ctx: BotContext, intent: Intent) {
  if (intent.kind === "schedule") return showSchedule(ctx, intent);
  if (intent.kind === "acknowledgements") return showAcknowledgements(ctx);
  if (intent.kind === "actions") return showActions(ctx, intent.unit ?? "", { overdue: intent.overdue });
  if (intent.kind === "findings") return showFindingsOf(ctx, intent.unit ?? "");
  const shape = await shapeFor(ctx);
  if (!shape) return;
  switch (intent.kind) {
    case "progress":
      return showProgress(ctx, shape, 0, true);
    case "deadline":
      return sendLong(ctx, deadlineLine(ctx));
    case "late":
    case "ranking":
    case "count": {
      const area = intent.area ? await areaArg(ctx, shape, intent.area) : undefined;
      if (area === null) return;
      if (intent.kind === "ranking") return showRanking(ctx, shape, area ?? null, 0, true);
      // A count is the headline of /chuanop (not submitted) or of /tiendo (the rest): no chart.
      if (intent.kind === "count" && intent.what !== "late") return showProgress(ctx, shape, 0, false);
      return showLate(ctx, shape, area ?? null, 0);
    }
    case "unit":
      return showUnitNamed(ctx, shape, intent.unit);
    case "export":
      return exportResults(ctx, shape, intent.format);
    case "remind":
      return suggestRemind(ctx, shape, intent);
    case "reopen":
      return suggestReopen(ctx, shape, intent);
  }
}

/**
 * A unit's name alone ("Sông Mã", "kh&đt"): that unit's /donvi, when it names units of the
 * campaign. Otherwise it is no question, unless it reads like a unit's name ("sở tư pháb"):
 * then the closest names are offered, as /donvi does.
 */
async function answerName(ctx: BotContext, alone: { name: string; unitLike: boolean }): Promise<boolean> {
  const campaign = ctx.campaign;
  if (!campaign?.questionnaireId) return false;
  const found = await matchUnits(ctx.deps.db, campaign.id, alone.name);
  if (found.matches.length === 0 && !(alone.unitLike && found.suggestions.length > 0)) return false;
  const shape = await campaignShape(ctx.deps.db, campaign);
  await showUnitNamed(ctx, shape, alone.name, found);
  return true;
}

/**
 * Plain questions, from anyone: answered when the person's role has the command that
 * answers them (an officer's "lịch kiểm tra" is their /lich; their "đơn vị nào chưa nộp?"
 * is no question of theirs), else left to the next feature.
 */
coordinatorFeature.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/")) return next();
  const intent = parseIntent(text);
  if (intent && commandsFor(ctx.standing.role).includes(commandNameOf(intent))) {
    ctx.logger.debug({ intent }, "plain question understood");
    return answerIntent(ctx, intent);
  }
  const alone = intent ? null : nameAlone(text);
  if (alone && isCoordinator(ctx) && (await answerName(ctx, alone))) {
    ctx.logger.debug({ name: alone.name }, "a unit's name alone understood");
    return;
  }
  return next();
});
