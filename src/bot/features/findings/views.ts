/** What people see of the team's findings and checklist: texts and keyboards. */
import { InlineKeyboard } from "grammy";
import type { CheckResult } from "../../../db/client.ts";
import {
  type ChecklistContent,
  type Coverage,
  contentShortName,
  type FindingTarget,
  type FindingView,
  targetIndex,
} from "../../../domain/findings.ts";
import { buttonLabel, escapeHtml, shorten } from "../../../domain/text.ts";
import { formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { type ChatLink, fileLinks } from "../../links.ts";
import { checklistButtons, findingButtons } from "./callback-data.ts";

const TEXT_SHOWN = 400;
const TITLE_SHOWN = 110;

/** The visit as the screens name it: unit, number, time. */
export interface VisitHead {
  id: number;
  startsAt: Date;
  unit: { name: string; shortName: string };
}

export const RESULT_ICON: Record<CheckResult, string> = { MET: "✅", NOT_MET: "❌", PARTIAL: "◐" };

export function visitHead(ctx: BotContext, key: "findings.head" | "findings.checklist.head", visit: VisitHead) {
  return ctx.t(key, { id: visit.id, unit: visit.unit.name, when: formatDateTime(visit.startsAt, ctx.config.TZ) });
}

/** What a finding concerns, as one line: "Tiêu chí 1.1: …", "Chỉ thị 26/CT-TTg, yêu cầu 26.1: …". */
export function targetLine(
  ctx: BotContext,
  f: Pick<FindingView, "criterion" | "content" | "item">,
  max = TITLE_SHOWN,
): string | null {
  if (f.criterion)
    return ctx.t("findings.target.criterion", { code: f.criterion.code, title: shorten(f.criterion.title, max) });
  if (f.content && f.item) {
    return ctx.t("findings.target.item", {
      content: contentShortName(f.content),
      code: f.item.code,
      title: shorten(f.item.title, max),
    });
  }
  if (f.content) return ctx.t("findings.target.content", { content: contentShortName(f.content) });
  return null;
}

/** The target of a just-recorded finding, in FindingView's shape. */
export function asTied(target: FindingTarget): Pick<FindingView, "criterion" | "content" | "item"> {
  if (target.kind === "criterion") return { criterion: target, content: null, item: null };
  return { criterion: null, content: target.content, item: target.kind === "item" ? target : null };
}

/** Each finding: its text, what it concerns, who recorded it, and its photos' signed links (photo id → link). */
export function findingLines(ctx: BotContext, findings: FindingView[], links: ReadonlyMap<number, ChatLink>): string[] {
  const tz = ctx.config.TZ;
  return findings.flatMap((f) => {
    const lines = [ctx.t("findings.item", { id: f.id, text: shorten(f.text, TEXT_SHOWN) })];
    const tied = targetLine(ctx, f);
    lines.push(`   ${tied ?? ctx.t("findings.target.none")}`);
    // A picture is "ảnh 1", "ảnh 2" (a photo sent in chat has no name of its own); a document keeps its name.
    let pictures = 0;
    const linked = f.photos.flatMap((p) => {
      const link = links.get(p.id);
      const picture = p.mimeType?.startsWith("image/") || !p.fileName;
      const name = picture ? ctx.t("findings.photo_numbered", { n: ++pictures }) : shorten(p.fileName!, 40);
      return link ? [ctx.t("findings.photo_link", { url: link.url, name })] : [];
    });
    lines.push(`   ${ctx.t("findings.by", { who: f.by.name, at: formatDateTime(f.createdAt, tz) })}`);
    if (linked.length) lines.push(`   📷 ${linked.join(" · ")}`);
    return lines;
  });
}

/** /tontai's screen of one visit: its findings with their photos' links, and what the person can do. */
export async function findingsScreen(ctx: BotContext, visit: VisitHead, findings: FindingView[], head?: string) {
  const lines = head ? [head, ""] : [];
  lines.push(visitHead(ctx, "findings.head", visit), "");
  if (findings.length === 0) lines.push(ctx.t("findings.none"));
  else {
    const links = await fileLinks(
      ctx,
      findings.flatMap((f) => f.photos),
    );
    lines.push(...findingLines(ctx, findings, links));
    const until = links.values().next().value?.expiresAt;
    if (until) lines.push("", ctx.t("findings.links_until", { until: formatDateTime(until, ctx.config.TZ) }));
  }
  lines.push("", ctx.t("findings.screen_hint", { unit: visit.unit.shortName }));
  const kb = new InlineKeyboard().text(
    ctx.t("findings.buttons.add"),
    findingButtons.encode({ kind: "add", visitId: visit.id }),
  );
  if (findings.length) {
    kb.text(ctx.t("findings.buttons.withdraw"), findingButtons.encode({ kind: "withdrawList", visitId: visit.id }));
  }
  return { text: lines.join("\n"), keyboard: kb };
}

/** One button per visit: the person's team visits to choose from. */
export function visitPicker(ctx: BotContext, visits: VisitHead[], encode: (visitId: number) => string): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const v of visits.slice(0, 30)) {
    const head = `#${v.id} `;
    const tail = ` · ${formatDateTime(v.startsAt, ctx.config.TZ).slice(0, 10)}`;
    kb.text(`${head}${buttonLabel(v.unit.shortName, 40 - head.length - tail.length)}${tail}`, encode(v.id)).row();
  }
  return kb;
}

/** The ways a finding may name what it concerns, from the campaign's own codes. */
export async function targetForms(ctx: BotContext, campaignId: number): Promise<string> {
  const index = await targetIndex(ctx.deps.db, campaignId);
  const lines: string[] = [];
  if (index.criteria.length) {
    lines.push(
      ctx.t("findings.forms.criteria", {
        first: index.criteria[0]!.code,
        last: index.criteria.at(-1)!.code,
      }),
    );
  }
  for (const c of index.contents) {
    const name = contentShortName(c);
    lines.push(
      c.items.length
        ? ctx.t("findings.forms.content_items", {
            content: name,
            first: c.items[0]!.code,
            last: c.items.at(-1)!.code,
          })
        : ctx.t("findings.forms.content", { content: name }),
    );
  }
  return [ctx.t("findings.forms.title"), ...lines].join("\n");
}

// ---------------------------------------------------------------- checklist

export function markLabel(ctx: BotContext, result: CheckResult | null): string {
  return ctx.t(`findings.marks.${result ?? "NONE"}`);
}

function itemLine(ctx: BotContext, item: ChecklistContent["items"][number], max: number): string[] {
  const check = item.check;
  const lines = [
    ctx.t("findings.checklist.item", {
      icon: check ? RESULT_ICON[check.result] : "▫️",
      code: item.code,
      title: shorten(item.title, max),
      mark: markLabel(ctx, check?.result ?? null),
    }),
  ];
  if (check?.note) lines.push(`   ${ctx.t("findings.checklist.note", { note: shorten(check.note, 200) })}`);
  return lines;
}

/** /kiemtra's screen of a visit: every content with its items' marks; a button per content. */
export function checklistScreen(ctx: BotContext, visit: VisitHead, contents: ChecklistContent[]) {
  const lines = [visitHead(ctx, "findings.checklist.head", visit), ""];
  if (contents.length === 0) lines.push(ctx.t("findings.checklist.empty"));
  const kb = new InlineKeyboard();
  for (const c of contents) {
    const marked = c.items.filter((i) => i.check).length;
    lines.push(ctx.t("findings.checklist.content", { content: contentShortName(c), marked, total: c.items.length }));
    for (const item of c.items) lines.push(...itemLine(ctx, item, 70));
    lines.push("");
    kb.text(
      `${buttonLabel(contentShortName(c), 30)} (${marked}/${c.items.length})`,
      checklistButtons.encode({ kind: "content", visitId: visit.id, contentId: c.id }),
    ).row();
  }
  lines.push(ctx.t("findings.checklist.pick"));
  return { text: lines.join("\n"), keyboard: kb };
}

/** One content of a visit's checklist: its items in full, a row of three marks per item. */
export function contentScreen(ctx: BotContext, visit: VisitHead, content: ChecklistContent, head?: string) {
  const lines = head ? [head, ""] : [];
  lines.push(
    visitHead(ctx, "findings.checklist.head", visit),
    ctx.t("findings.checklist.content_title", { title: content.title }),
    "",
  );
  const kb = new InlineKeyboard();
  for (const item of content.items) {
    lines.push(...itemLine(ctx, item, 400));
    for (const result of ["MET", "NOT_MET", "PARTIAL"] as const) {
      kb.text(
        ctx.t("findings.buttons.mark", { code: item.code, mark: markLabel(ctx, result) }),
        checklistButtons.encode({ kind: "mark", visitId: visit.id, itemId: item.id, result }),
      );
    }
    kb.row();
  }
  kb.text(ctx.t("findings.buttons.contents"), checklistButtons.encode({ kind: "visit", visitId: visit.id }));
  lines.push("", ctx.t("findings.checklist.mark_hint"));
  return { text: lines.join("\n"), keyboard: kb };
}

/** Coordinators' /kiemtra: how far each content is assessed across the units, and per unit. */
export function coverageScreen(ctx: BotContext, cov: Coverage, visits: VisitHead[]) {
  const lines = [ctx.t("findings.coverage.title", { units: cov.units.length }), ""];
  const names = new Map(cov.units.map((u) => [u.unitId, u.shortName]));
  for (const c of cov.contents) {
    const parts = [
      ctx.t("findings.coverage.assessed", { assessed: c.assessed, units: cov.units.length }),
      ctx.t("findings.coverage.not_met", { count: c.notMetUnits }),
    ];
    if (c.begun > c.assessed) parts.push(ctx.t("findings.coverage.begun", { count: c.begun - c.assessed }));
    lines.push(`<b>${escapeHtml(contentShortName(c))}</b>: ${parts.join(" · ")}`);
    for (const item of c.items.filter((i) => i.notMet > 0)) {
      const where = item.byUnit.filter((b) => b.result === "NOT_MET").map((b) => names.get(b.unitId) ?? "");
      lines.push(`   ${ctx.t("findings.coverage.item_not_met", { code: item.code, units: where.join(", ") })}`);
    }
  }
  if (cov.units.length) {
    lines.push("", ctx.t("findings.coverage.by_unit"));
    for (const [i, u] of cov.units.entries()) {
      const sum = { met: 0, notMet: 0, partial: 0, notYet: 0 };
      for (const c of cov.contents) {
        const b = c.byUnit[i]!;
        sum.met += b.met;
        sum.notMet += b.notMet;
        sum.partial += b.partial;
        sum.notYet += b.notYet;
      }
      lines.push(ctx.t("findings.coverage.unit", { unit: u.shortName, ...sum }));
    }
    lines.push("", ctx.t("findings.coverage.pick"));
  }
  return {
    text: lines.join("\n"),
    keyboard: visitPicker(ctx, visits, (visitId) => checklistButtons.encode({ kind: "visit", visitId })),
  };
}
