/**
 * The buttons of corrective actions (see src/bot/callback-data.ts for the codec). A button
 * on an action carries the version shown, so a press on an action changed since is stale.
 */
import { type Action, actionCodec, ID, ID0 } from "../../callback-data.ts";

export const actionButtons = actionCodec("kn", {
  /** An officer's «Báo cáo #…»: the report's text is typed next, then its files. */
  report: ["r", { actionId: ID, version: ID }],
  /** «Gửi báo cáo»: the report written in the step is sent. */
  send: ["s", {}],
  /** A coordinator's «Kiến nghị từ T…» (findingId 0: «Kiến nghị khác», free text for the visit). */
  create: ["c", { visitId: ID, findingId: ID0 }],
  close: ["x", { actionId: ID, version: ID }],
  reopen: ["o", { actionId: ID, version: ID }],
  due: ["d", { actionId: ID, version: ID }],
  /** /kiennghi with several units matching: this one. */
  unit: ["u", { unitId: ID }],
  /** Ends the step waiting for a text (nothing is sent). */
  stop: ["q", {}],
});

export type ActionButton = Action<typeof actionButtons>;
