/** The results buttons of coordinators: bonus and penalty, commend and criticise (see src/bot/callback-data.ts). */
import { type Action, actionCodec, ID, ID0 } from "../../callback-data.ts";

const codec = actionCodec("kq", {
  /** /thuongphat: one of several matching units, the draft holding points and reason */
  adjustUnit: ["tu", { unitId: ID, draftId: ID }],
  /** /thuongphat: save the proposed bonus or penalty */
  adjustSave: ["tl", { unitId: ID, draftId: ID }],
  /** /thuongphat: ask before removing an adjustment */
  adjustRemove: ["tx", { adjustmentId: ID }],
  /** /thuongphat: remove it */
  adjustRemoveYes: ["ty", { adjustmentId: ID }],
  /** /bieuduong, /phebinh: one of several matching units, the draft holding kind and reason */
  recognitionUnit: ["bu", { unitId: ID, draftId: ID }],
  /** /bieuduong, /phebinh: save the decision */
  recognitionSave: ["bl", { unitId: ID, draftId: ID }],
  /** /suadiem: one of several matching units, the draft holding question, score and reason */
  reopenUnit: ["su", { unitId: ID, draftId: ID }],
  /** /suadiem: save the changed score, on the item's round-2 version shown */
  reopenSave: ["sl", { unitId: ID, draftId: ID, version: ID0 }],
  /** Drop a proposal without saving (draftId 0: nothing kept) */
  cancel: ["hy", { draftId: ID0 }],
});

export type ResultsAction = Action<typeof codec>;
export const parseResultsAction = codec.parse;
export const encodeResultsAction = codec.encode;
export const RESULTS_FILTER = codec.filter;
