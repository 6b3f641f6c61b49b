/** What coordinators see of bonus, penalty, commend and criticise: texts and buttons, from locales/. */
import { InlineKeyboard } from "grammy";
import type { RecognitionKind, Unit, UnitAdjustment, UnitRecognition } from "../../../db/client.ts";
import type { RecognitionProposal } from "../../../domain/ranking.ts";
import { MAX_ADJUSTMENT_POINTS } from "../../../domain/ranking.ts";
import type { CampaignShape } from "../../../domain/status.ts";
import { formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import { encodeResultsAction as encode } from "./callback-data.ts";

/** Remove buttons under the list: the first ones (a long list is paged by the text alone). */
const MAX_REMOVE_BUTTONS = 20;

type AdjustmentRow = UnitAdjustment & { unit: { shortName: string }; by: { displayName: string } };

/** /thuongphat: the adjustments in force, per unit with its sums, each with a remove button. */
export function adjustmentsView(ctx: BotContext, shape: CampaignShape, rows: AdjustmentRow[]) {
  const t = ctx.t;
  const lines = [t("results.adjust.title", { campaign: shape.campaign.title })];
  if (rows.length === 0) lines.push(t("results.adjust.none"));
  const byUnit = new Map<number, AdjustmentRow[]>();
  for (const r of rows) byUnit.set(r.unitId, [...(byUnit.get(r.unitId) ?? []), r]);
  for (const list of byUnit.values()) {
    const sum = (kind: string) => list.filter((r) => r.kind === kind).reduce((s, r) => s + r.points, 0);
    lines.push(
      "",
      t("results.adjust.unit", {
        unit: list[0]!.unit.shortName,
        bonus: num(ctx, sum("BONUS")),
        penalty: num(ctx, sum("PENALTY")),
      }),
      ...list.map((r) =>
        t(r.kind === "BONUS" ? "results.adjust.line_bonus" : "results.adjust.line_penalty", {
          id: r.id,
          points: num(ctx, r.points),
          reason: r.reason,
          by: r.by.displayName,
          when: formatDateTime(r.createdAt, ctx.config.TZ),
        }),
      ),
    );
  }
  lines.push("", t("results.adjust.usage", { max: num(ctx, MAX_ADJUSTMENT_POINTS) }));
  let keyboard: InlineKeyboard | undefined;
  if (rows.length > 0) {
    keyboard = new InlineKeyboard();
    for (const r of rows.slice(0, MAX_REMOVE_BUTTONS))
      keyboard
        .text(
          t("results.adjust.remove_button", { id: r.id, unit: r.unit.shortName }),
          encode({ kind: "adjustRemove", adjustmentId: r.id }),
        )
        .row();
  }
  return { text: lines.join("\n"), keyboard };
}

/** The confirm screen of a proposed bonus or penalty. */
export function adjustmentProposalView(
  ctx: BotContext,
  unit: Unit,
  draft: { adjustment: "BONUS" | "PENALTY"; points: number; reason: string },
  draftId: number,
) {
  const t = ctx.t;
  const text = t(draft.adjustment === "BONUS" ? "results.adjust.confirm_bonus" : "results.adjust.confirm_penalty", {
    unit: unit.name,
    points: num(ctx, draft.points),
    reason: draft.reason,
  });
  const keyboard = new InlineKeyboard()
    .text(t("results.buttons.save"), encode({ kind: "adjustSave", unitId: unit.id, draftId }))
    .text(t("results.buttons.cancel"), encode({ kind: "cancel", draftId }));
  return { text, keyboard };
}

/** The confirm screen of removing an adjustment. */
export function removeAdjustmentView(ctx: BotContext, row: UnitAdjustment & { unit: { name: string } }) {
  const t = ctx.t;
  const text = t("results.adjust.confirm_remove", {
    id: row.id,
    unit: row.unit.name,
    kind: t(`results.adjust.kind.${row.kind}`),
    points: num(ctx, row.points),
    reason: row.reason,
  });
  const keyboard = new InlineKeyboard()
    .text(t("results.buttons.remove"), encode({ kind: "adjustRemoveYes", adjustmentId: row.id }))
    .text(t("results.buttons.cancel"), encode({ kind: "cancel", draftId: 0 }));
  return { text, keyboard };
}

type RecognitionRow = UnitRecognition & { unit: { shortName: string }; by: { displayName: string } };

/**
 * /bieuduong: the proposals the ranking makes (once round 1 is closed; null before) and the
 * decisions taken, commend first.
 */
export function recognitionsView(ctx: BotContext, proposals: RecognitionProposal[] | null, decided: RecognitionRow[]) {
  const t = ctx.t;
  const lines = [t("results.recognition.title")];
  if (proposals === null) lines.push(t("results.recognition.not_yet"));
  else {
    for (const kind of ["COMMEND", "CRITICISE"] as const) {
      const list = proposals.filter((p) => p.kind === kind);
      lines.push("", t(`results.recognition.proposed.${kind}`, { count: list.length }));
      for (const p of list) {
        const basis = p.basis.complete
          ? t("results.recognition.basis", {
              group: p.basis.group ?? "",
              rank: p.basis.rank ?? "",
              percent: num(ctx, Math.round(p.basis.percent * 10) / 10),
            })
          : t("results.recognition.basis_unranked");
        lines.push(t("results.recognition.proposal_line", { unit: p.name, basis }));
      }
    }
  }
  lines.push("", t("results.recognition.decided", { count: decided.length }));
  for (const d of decided)
    lines.push(
      t(`results.recognition.decided_line.${d.kind}`, {
        unit: d.unit.shortName,
        reason: d.reason,
        by: d.by.displayName,
      }),
    );
  lines.push("", t("results.recognition.hint"));
  return lines.join("\n");
}

/** The confirm screen of a commend / criticise decision (naming one it replaces). */
export function recognitionProposalView(
  ctx: BotContext,
  unit: Unit,
  draft: { recognition: RecognitionKind; reason: string },
  draftId: number,
  before: UnitRecognition | null,
) {
  const t = ctx.t;
  const lines = [
    t(`results.recognition.confirm.${draft.recognition}`, { unit: unit.name, reason: draft.reason }),
    ...(before ? [t(`results.recognition.replaces.${before.kind}`, { reason: before.reason })] : []),
  ];
  const keyboard = new InlineKeyboard()
    .text(t("results.buttons.save"), encode({ kind: "recognitionSave", unitId: unit.id, draftId }))
    .text(t("results.buttons.cancel"), encode({ kind: "cancel", draftId }));
  return { text: lines.join("\n"), keyboard };
}

/** The confirm screen of a score changed after publication (/suadiem). */
export function reopenProposalView(
  ctx: BotContext,
  unit: Unit,
  item: { code: string; before: number | null; score: number; reason: string; version: number },
  draftId: number,
) {
  const t = ctx.t;
  const text = t("results.reopen.confirm", {
    unit: unit.name,
    code: item.code,
    before: item.before === null ? t("results.reopen.no_score") : num(ctx, item.before),
    score: num(ctx, item.score),
    reason: item.reason,
  });
  const keyboard = new InlineKeyboard()
    .text(t("results.buttons.save"), encode({ kind: "reopenSave", unitId: unit.id, draftId, version: item.version }))
    .text(t("results.buttons.cancel"), encode({ kind: "cancel", draftId }));
  return { text, keyboard };
}
