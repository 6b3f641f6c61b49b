/** What people see of corrective actions: lines, counts and keyboards. */
import { InlineKeyboard } from "grammy";
import type { ActionCounts, ActionDetail } from "../../../domain/actions.ts";
import { dueText } from "../../../domain/notices.ts";
import { shorten } from "../../../domain/text.ts";
import { formatDate, formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import type { ChatLink } from "../../links.ts";
import { actionButtons } from "./callback-data.ts";

const TEXT_SHOWN = 300;

/** "Kiến nghị: 3 đang mở · 1 quá hạn" (open counts reported ones too: not closed). */
export function countsLine(ctx: BotContext, c: ActionCounts, full = false): string {
  const vars = {
    open: num(ctx, c.open + c.reported),
    overdue: num(ctx, c.overdue),
    reported: num(ctx, c.reported),
    closed: num(ctx, c.closed),
  };
  return ctx.t(full ? "actions.counts_full" : "actions.counts", vars);
}

/** An action as officers and coordinators read it: text, due date, status, finding, reports. */
export function actionLines(
  ctx: BotContext,
  a: ActionDetail,
  options: { links?: ReadonlyMap<number, ChatLink>; finding?: boolean } = {},
): string[] {
  const tz = ctx.config.TZ;
  const now = ctx.now();
  const status = ctx.t(`actions.status.${a.status}`);
  const lines = [ctx.t("actions.line", { id: a.id, text: shorten(a.text, TEXT_SHOWN) })];
  lines.push(
    a.dueAt
      ? ctx.t("actions.line_due", {
          due: formatDate(a.dueAt, tz),
          left: a.status === "CLOSED" ? status : dueText(ctx.t, a.dueAt, now, tz),
          status,
        })
      : ctx.t("actions.line_no_due", { none: ctx.t("actions.due.none"), status }),
  );
  if (options.finding && a.finding && !a.finding.removedAt)
    lines.push(ctx.t("actions.line_finding", { finding: shorten(a.finding.text, 150) }));
  if (a.status === "OPEN" && a.reopenReason)
    lines.push(ctx.t("actions.line_reopened", { reason: shorten(a.reopenReason, TEXT_SHOWN) }));
  const report = a.status === "OPEN" ? undefined : a.reports.at(-1);
  if (report) {
    lines.push(
      ctx.t("actions.line_report", {
        who: report.by.displayName,
        at: formatDateTime(report.createdAt, tz),
        text: shorten(report.text, TEXT_SHOWN),
      }),
    );
    const links = options.links;
    if (links && report.files.some((f) => links.has(f.id))) {
      for (const f of report.files) {
        const link = links.get(f.id);
        if (link)
          lines.push(ctx.t("actions.line_file", { url: link.url, name: f.fileName ?? ctx.t("actions.report.photo") }));
      }
    } else if (report.files.length) lines.push(ctx.t("actions.line_files", { count: report.files.length }));
  }
  if (a.status === "CLOSED" && a.closedAt)
    lines.push(ctx.t("actions.line_closed", { when: formatDate(a.closedAt, tz), who: a.closedBy?.displayName ?? "" }));
  return lines;
}

/** The officer's «Báo cáo #…» under each action not closed. */
export function reportKeyboard(ctx: BotContext, actions: ActionDetail[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const a of actions.filter((x) => x.status !== "CLOSED").slice(0, 30)) {
    kb.text(
      ctx.t("actions.buttons.report", { id: a.id }),
      actionButtons.encode({ kind: "report", actionId: a.id, version: a.version }),
    ).row();
  }
  return kb;
}

export function sendKeyboard(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("actions.buttons.send"), actionButtons.encode({ kind: "send" }))
    .text(ctx.t("actions.buttons.stop"), actionButtons.encode({ kind: "stop" }));
}

export function stopKeyboard(ctx: BotContext): InlineKeyboard {
  return new InlineKeyboard().text(ctx.t("actions.buttons.stop"), actionButtons.encode({ kind: "stop" }));
}

/** A coordinator's buttons on a unit's screen: create from each finding, then each action's. */
export function unitKeyboard(
  ctx: BotContext,
  visitId: number,
  findings: { id: number }[],
  actions: ActionDetail[],
): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const f of findings.slice(0, 20)) {
    kb.text(
      ctx.t("actions.buttons.create", { id: f.id }),
      actionButtons.encode({ kind: "create", visitId, findingId: f.id }),
    ).row();
  }
  kb.text(ctx.t("actions.buttons.create_free"), actionButtons.encode({ kind: "create", visitId, findingId: 0 })).row();
  for (const a of actions.slice(0, 30)) {
    const ref = { actionId: a.id, version: a.version };
    if (a.status !== "CLOSED") {
      kb.text(ctx.t("actions.buttons.close", { id: a.id }), actionButtons.encode({ kind: "close", ...ref }));
      kb.text(ctx.t("actions.buttons.due", { id: a.id }), actionButtons.encode({ kind: "due", ...ref }));
    }
    if (a.status !== "OPEN")
      kb.text(ctx.t("actions.buttons.reopen", { id: a.id }), actionButtons.encode({ kind: "reopen", ...ref }));
    kb.row();
  }
  return kb;
}
