/**
 * The buttons of a visit's answers (see src/bot/callback-data.ts for the codec): on the
 * visit's notices to the unit's officers, on the coordinators' request notices and /doilich.
 * A visit's buttons carry the revision shown, so a press on a changed visit is stale.
 */
import { type Action, actionCodec, ID } from "../../callback-data.ts";

export const visitButtons = actionCodec("vi", {
  /** «✅ Xác nhận lịch»: the unit confirms this revision of the visit. */
  confirm: ["c", { visitId: ID, revision: ID }],
  /** «📅 Đề nghị đổi lịch»: the unit asks to move it; the reason is typed next. */
  request: ["r", { visitId: ID, revision: ID }],
  /** /doilich with several requests: show this one with its answers. */
  show: ["s", { requestId: ID }],
  /** A coordinator accepts a request (and then moves the visit with /lichsua). */
  accept: ["a", { requestId: ID }],
  /** A coordinator declines a request; the reason is typed next. */
  decline: ["d", { requestId: ID }],
  /** Ends the step waiting for a reason or the report's files. */
  stop: ["x", {}],
});

export type VisitAction = Action<typeof visitButtons>;
