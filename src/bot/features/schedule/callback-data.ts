/**
 * The schedule's buttons (see src/bot/callback-data.ts for the codec). The "Đã nhận"
 * button of notices is `nt:a:<id>` (src/domain/notices.ts), handled by this feature too.
 */
import { type Action, actionCodec, ID, ID0 } from "../../callback-data.ts";

const codec = actionCodec("sc", {
  /** /lichmoi: the unit chosen among several matches of a draft. */
  pickUnit: ["u", { draftId: ID, unitId: ID }],
  /** /lichmoi after warnings (same day as another visit, weekend, holiday): create it anyway. */
  confirmNew: ["n", { draftId: ID }],
  /** /lichmoi without arguments: a ready-made command for this unit. */
  newTemplate: ["t", { unitId: ID }],
  /** /lichsua: a ready-made command for this visit. */
  changeTemplate: ["e", { visitId: ID }],
  /** /lichhuy: ask to confirm cancelling this visit. */
  cancelAsk: ["h", { visitId: ID }],
  /** Confirmed: cancel the visit at this revision (the reason, if any, is in a draft; 0 = none). */
  cancelConfirm: ["hc", { visitId: ID, revision: ID, draftId: ID0 }],
  close: ["x", {}],
});

export type ScheduleAction = Action<typeof codec>;
export const PREFIX = `${codec.prefix}:`;
export const parseScheduleAction = codec.parse;
export const encodeScheduleAction = codec.encode;

/** The "Đã nhận" button under every notice (sent by src/jobs/sender.ts). */
export const noticeButtons = actionCodec("nt", { ack: ["a", { noticeId: ID }] });
