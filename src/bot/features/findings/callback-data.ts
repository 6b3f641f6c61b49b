/**
 * The buttons of the team's findings and checklist (see src/bot/callback-data.ts for the
 * codec): /tontai's «➕ Ghi tồn tại», «Xong», «Rút»; /kiemtra's contents and marks.
 */
import { type Action, actionCodec, ID, oneOf } from "../../callback-data.ts";

export const findingButtons = actionCodec("fd", {
  /** A visit picked from the person's team visits: its findings. */
  show: ["s", { visitId: ID }],
  /** «➕ Ghi tồn tại»: the next typed text is a finding of the visit. */
  add: ["a", { visitId: ID }],
  /** «✅ Xong»: no more photos; the visit's findings again. */
  done: ["x", { visitId: ID }],
  /** «↩️ Rút một tồn tại»: the findings the person may withdraw. */
  withdrawList: ["l", { visitId: ID }],
  /** Withdraw this finding. */
  withdraw: ["w", { findingId: ID }],
});

export const checklistButtons = actionCodec("kt", {
  /** A visit's checklist: its contents and marks. */
  visit: ["v", { visitId: ID }],
  /** One content of the visit's checklist, with a row of marks per item. */
  content: ["c", { visitId: ID, contentId: ID }],
  /** An item marked; the next typed text is its note. */
  mark: ["m", { visitId: ID, itemId: ID, result: oneOf({ MET: "m", NOT_MET: "n", PARTIAL: "p" }) }],
});

export type FindingAction = Action<typeof findingButtons>;
export type ChecklistAction = Action<typeof checklistButtons>;
