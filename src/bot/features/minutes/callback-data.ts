/** The buttons of the minutes and the conclusion (see src/bot/callback-data.ts for the codec). */
import { type Action, actionCodec, ID } from "../../callback-data.ts";

export const minutesButtons = actionCodec("mn", {
  /** /bienban with several visits: begin this one's minutes. */
  pick: ["p", { visitId: ID }],
  /** A DONE visit: make its minutes again (a new version). */
  redo: ["r", { visitId: ID }],
  /** Step 2: keep the visit's scheduled contents as the contents checked. */
  keep: ["k", { visitId: ID }],
  /** «Lập biên bản»: complete the visit from the draft. */
  make: ["m", { visitId: ID }],
  /** «Đính kèm biên bản đã ký»: the next file is the signed scan. */
  signed: ["s", { visitId: ID }],
  /** /ketluan with several visits: draft this one's conclusion. */
  conclude: ["c", { visitId: ID }],
  /** «Ban hành»: the next typed text is the conclusion's number. */
  issue: ["i", { visitId: ID }],
  /** Ends the step. */
  stop: ["x", {}],
});

export type MinutesAction = Action<typeof minutesButtons>;
