/**
 * The buttons under a notice the sender delivers (src/jobs/sender.ts): «Đã nhận» on every
 * one; on a visit's notice to an officer of the unit, «Xác nhận lịch» and «Đề nghị đổi lịch»
 * for the revision it tells of; on a unit's request to move, «Chấp nhận» and «Không chấp
 * nhận» for the coordinators. On Zalo each of these is a keyword (src/bot/keywords.ts).
 */
import { InlineKeyboard } from "grammy";
import type { Translate } from "../i18n.ts";
import { noticeButtons } from "./features/schedule/callback-data.ts";
import { visitButtons } from "./features/visits/callback-data.ts";

const ANSWERED = new Set(["visit.created", "visit.changed", "visit.reminder"]);

export function noticeKeyboard(t: Translate, notice: { id: number; kind: string; payload: unknown }): InlineKeyboard {
  const keyboard = new InlineKeyboard().text(
    t("notices.ack_button"),
    noticeButtons.encode({ kind: "ack", noticeId: notice.id }),
  );
  const p = (notice.payload ?? {}) as { visitId?: unknown; revision?: unknown; respond?: unknown; requestId?: unknown };
  const id = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : null);
  const [visitId, revision, requestId] = [id(p.visitId), id(p.revision), id(p.requestId)];
  if (ANSWERED.has(notice.kind) && p.respond === true && visitId && revision) {
    keyboard
      .row()
      .text(t("visits.buttons.confirm"), visitButtons.encode({ kind: "confirm", visitId, revision }))
      .text(t("visits.buttons.request"), visitButtons.encode({ kind: "request", visitId, revision }));
  }
  if (notice.kind === "visit.request" && requestId) {
    keyboard
      .row()
      .text(t("visits.buttons.accept"), visitButtons.encode({ kind: "accept", requestId }))
      .text(t("visits.buttons.decline"), visitButtons.encode({ kind: "decline", requestId }));
  }
  return keyboard;
}
