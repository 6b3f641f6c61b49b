/** What people see of a visit's answers (confirmation, requests to move, report): texts and keyboards. */
import { InlineKeyboard } from "grammy";
import type { VisitWithUnit } from "../../../domain/schedule.ts";
import { buttonLabel, shorten } from "../../../domain/text.ts";
import { formatDate, formatDateTime } from "../../../domain/time.ts";
import type { VisitAnswer } from "../../../domain/visits.ts";
import type { BotContext } from "../../context.ts";
import type { ChatLink } from "../../links.ts";
import { fileSize } from "../self-assessment/views.ts";
import { visitButtons } from "./callback-data.ts";

const REASON_SHOWN = 200;

/** The report's files, each with its signed link when the reader may open it. */
export function reportFileLines(
  ctx: BotContext,
  reports: VisitAnswer["reports"],
  links: ReadonlyMap<number, ChatLink>,
): string[] {
  const tz = ctx.config.TZ;
  return reports.map((r) => {
    const vars = {
      name: r.fileName ?? ctx.t("visits.report.photo"),
      size: fileSize(ctx, r.size ?? 0),
      who: r.uploadedBy.displayName,
      at: formatDateTime(r.createdAt, tz),
    };
    const link = links.get(r.id);
    return link ? ctx.t("visits.report.file", { ...vars, url: link.url }) : ctx.t("visits.report.file_plain", vars);
  });
}

/**
 * Under a visit in /lich: whether the unit confirmed it, asked to move it, sent its report
 * (with the report's files when `links` is given). Nothing for a cancelled or past visit.
 */
export function answerLines(
  ctx: BotContext,
  visit: VisitWithUnit,
  answer: VisitAnswer | undefined,
  links: ReadonlyMap<number, ChatLink> | null,
): string[] {
  if (!answer || visit.status === "CANCELLED" || visit.status === "DONE") return [];
  const tz = ctx.config.TZ;
  const lines: string[] = [];
  if (answer.confirmedAt) {
    lines.push(
      ctx.t("visits.answer.confirmed", { who: answer.confirmedBy ?? "", when: formatDateTime(answer.confirmedAt, tz) }),
    );
  } else lines.push(ctx.t("visits.answer.waiting"));
  const r = answer.request;
  if (r) {
    lines.push(
      ctx.t(`visits.answer.request_${r.status}`, {
        who: r.by,
        when: formatDateTime(r.createdAt, tz),
        reason: shorten(r.reason, REASON_SHOWN),
        note: shorten(r.note ?? "", REASON_SHOWN),
      }),
    );
  }
  if (answer.reports.length === 0) lines.push(ctx.t("visits.answer.report_none"));
  else {
    lines.push(ctx.t("visits.answer.report", { n: answer.reports.length }));
    if (links) lines.push(...reportFileLines(ctx, answer.reports, links));
  }
  return lines;
}

/** "#3 Sông Mã, 15/03/2019 08:00" as a visit is named in lists. */
export function visitLine(ctx: BotContext, key: "visits.ack.visit" | "visits.requests.item", visit: VisitWithUnit) {
  return ctx.t(key, { id: visit.id, unit: visit.unit.shortName, when: formatDateTime(visit.startsAt, ctx.config.TZ) });
}

/** A request as coordinators read it: the visit, who asked when and why, the time proposed. */
export function requestText(
  ctx: BotContext,
  request: { reason: string; createdAt: Date; proposedAt: Date | null; by: { displayName: string } },
  visit: VisitWithUnit,
): string {
  const tz = ctx.config.TZ;
  const lines = [
    visitLine(ctx, "visits.requests.item", visit),
    ctx.t("visits.requests.by", {
      who: request.by.displayName,
      at: formatDateTime(request.createdAt, tz),
      reason: shorten(request.reason, REASON_SHOWN),
    }),
  ];
  if (request.proposedAt)
    lines.push(ctx.t("visits.requests.proposed", { when: formatDateTime(request.proposedAt, tz) }));
  return lines.join("\n");
}

export function answerKeyboard(ctx: BotContext, requestId: number): InlineKeyboard {
  return new InlineKeyboard()
    .text(ctx.t("visits.buttons.accept"), visitButtons.encode({ kind: "accept", requestId }))
    .text(ctx.t("visits.buttons.decline"), visitButtons.encode({ kind: "decline", requestId }));
}

/** One button per request of /doilich, when there are several to choose from. */
export function pickKeyboard(ctx: BotContext, requests: { id: number; visit: VisitWithUnit }[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const r of requests.slice(0, 30)) {
    const head = `#${r.visit.id} `;
    const tail = ` · ${formatDate(r.visit.startsAt, ctx.config.TZ)}`;
    kb.text(
      `${head}${buttonLabel(r.visit.unit.shortName, 40 - head.length - tail.length)}${tail}`,
      visitButtons.encode({
        kind: "show",
        requestId: r.id,
      }),
    ).row();
  }
  return kb;
}

/** The step's way out: «Thôi» while a reason is awaited, «Xong» after the report's files. */
export function stopKeyboard(ctx: BotContext, label: "visits.buttons.stop" | "visits.buttons.done"): InlineKeyboard {
  return new InlineKeyboard().text(ctx.t(label), visitButtons.encode({ kind: "stop" }));
}
