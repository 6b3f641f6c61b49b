/** What people see of the schedule: texts and keyboards, from locales/. */
import { InlineKeyboard } from "grammy";
import { type AckReport, deliveryErrorText as deliveryError, NOTICE_KINDS } from "../../../domain/notices.ts";
import type { VisitWithUnit } from "../../../domain/schedule.ts";
import { buttonLabel, escapeHtml, shorten } from "../../../domain/text.ts";
import { formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { encodeScheduleAction } from "./callback-data.ts";

/** Telegram's limit is 4096 characters; keep a margin for the last line. */
const MESSAGE_MAX = 3800;
const BUTTON_TITLE_MAX = 40;

export { shorten };

/** 15/03/2019 08:00 (Thứ Sáu) */
export function when(ctx: BotContext, date: Date): string {
  const tz = ctx.config.TZ;
  const day = new Intl.DateTimeFormat(ctx.locale === "en" ? "en-GB" : "vi-VN", {
    weekday: "long",
    timeZone: tz,
  }).format(date);
  return `${formatDateTime(date, tz)} (${day.charAt(0).toUpperCase()}${day.slice(1)})`;
}

export function teamText(visit: VisitWithUnit): string {
  return visit.members.map((m) => (m.title ? `${m.name} (${m.title})` : m.name)).join(", ");
}

/** `extra`: lines under the visit (the unit's answers, src/bot/features/visits/). */
export function visitBlock(ctx: BotContext, visit: VisitWithUnit, extra: string[] = []): string {
  const lines = [
    ctx.t("schedule.visit_head", { id: visit.id, unit: visit.unit.name }),
    ctx.t("schedule.visit_when", { when: when(ctx, visit.startsAt) }),
    ctx.t("schedule.visit_place", { place: visit.place }),
  ];
  const team = teamText(visit);
  lines.push(team ? ctx.t("schedule.visit_team", { team }) : ctx.t("schedule.visit_team_none"));
  if (visit.contents) lines.push(ctx.t("schedule.visit_contents", { contents: visit.contents }));
  lines.push(ctx.t("schedule.visit_status", { status: ctx.t(`schedule.status.${visit.status}`) }), ...extra);
  return lines.join("\n");
}

/** The schedule, in date order, cut before Telegram's length limit. */
export function scheduleText(
  ctx: BotContext,
  title: string,
  empty: string,
  visits: VisitWithUnit[],
  hint?: string,
  extra: (visit: VisitWithUnit) => string[] = () => [],
) {
  const parts = [title, ""];
  if (visits.length === 0) parts.push(empty);
  let length = title.length;
  for (const [i, visit] of visits.entries()) {
    const block = visitBlock(ctx, visit, extra(visit));
    if (length + block.length > MESSAGE_MAX) {
      parts.push(ctx.t("schedule.list_more", { count: visits.length - i }));
      break;
    }
    parts.push(block, "");
    length += block.length + 2;
  }
  if (hint) parts.push("", hint);
  return parts.join("\n").replace(/\n{3,}/g, "\n\n");
}

/** One button per visit, for /lichsua and /lichhuy without arguments. */
export function visitButtons(
  ctx: BotContext,
  visits: VisitWithUnit[],
  action: (visitId: number) => Parameters<typeof encodeScheduleAction>[0],
) {
  const kb = new InlineKeyboard();
  for (const v of visits.slice(0, 30)) {
    // The number and the date always show; the unit's name gives way, at a word.
    const head = `#${v.id} `;
    const tail = ` · ${formatDateTime(v.startsAt, ctx.config.TZ)}`;
    const name = buttonLabel(v.unit.shortName, BUTTON_TITLE_MAX - head.length - tail.length);
    kb.text(`${head}${name}${tail}`, encodeScheduleAction(action(v.id))).row();
  }
  kb.text(ctx.t("schedule.buttons.close"), encodeScheduleAction({ kind: "close" }));
  return kb;
}

const NAMES_MAX = 25;

function names(ctx: BotContext, list: string[]): string {
  const shown = list.slice(0, NAMES_MAX).map(escapeHtml).join(", ");
  return list.length > NAMES_MAX
    ? `${shown} ${escapeHtml(ctx.t("schedule.report.more", { count: list.length - NAMES_MAX }))}`
    : shown;
}

/** A failed notice's stored error in the reader's words (src/domain/notices.ts). */
export function deliveryErrorText(ctx: BotContext, stored: string): string {
  return deliveryError(ctx.t, stored);
}

/** /xacnhan: per notice kind and visit, who has not acknowledged; failures with their error; unreachable people. */
export function ackReportText(ctx: BotContext, campaign: string, report: AckReport): string {
  const lines = [ctx.t("schedule.report.title", { campaign }), ""];
  if (report.groups.length === 0 && report.unreachable.length === 0) lines.push(ctx.t("schedule.report.empty"));
  for (const g of report.groups) {
    const label = g.label
      ? ctx.t("schedule.report.label", { label: g.visitId ? `#${g.visitId} ${g.label}` : g.label })
      : "";
    lines.push(
      ctx.t("schedule.report.group", {
        kind: (NOTICE_KINDS as readonly string[]).includes(g.kind) ? ctx.t(`schedule.report.kinds.${g.kind}`) : g.kind,
        label,
        sent: g.sent,
        acknowledged: g.acknowledged,
        pending: g.pending,
        failed: g.failed.length,
      }),
    );
    if (g.unacknowledged.length) {
      lines.push(
        ctx.t("schedule.report.unacknowledged", {
          names: names(
            ctx,
            g.unacknowledged.map((u) => u.name),
          ),
        }),
      );
    }
    for (const f of g.failed.slice(0, NAMES_MAX)) {
      lines.push(ctx.t("schedule.report.failed", { name: f.name, error: deliveryErrorText(ctx, f.error) }));
    }
  }
  if (report.unreachable.length) {
    lines.push("", ctx.t("schedule.report.unreachable_title"));
    for (const p of report.unreachable) {
      const who = p.username ? `${p.name} (@${p.username})` : p.name;
      lines.push(ctx.t("schedule.report.unreachable_line", { name: who, unit: p.unit ? ` — ${p.unit}` : "" }));
    }
  }
  let text = lines.join("\n");
  if (text.length > MESSAGE_MAX) {
    text = `${text.slice(0, MESSAGE_MAX).replace(/\n[^\n]*$/, "")}\n${ctx.t("schedule.report.truncated")}`;
  }
  return text;
}
