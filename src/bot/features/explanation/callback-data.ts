/** The explanation's buttons (see src/bot/callback-data.ts for the codec). */
import { type Action, actionCodec, ID } from "../../callback-data.ts";

const codec = actionCodec("gt", {
  list: ["l", {}],
  item: ["i", { questionId: ID }],
  /** «Giải trình» on an item: the officer is asked for the text. */
  explain: ["g", { questionId: ID }],
  /** Moving to a neighbour: the id is the item moved to (its own kind so Zalo gives it a keyword). */
  next: ["n", { questionId: ID }],
  back: ["b", { questionId: ID }],
});

export type ExplanationAction = Action<typeof codec>;
export const parseExplanationAction = codec.parse;
export const encodeExplanationAction = codec.encode;
export const EXPLANATION_BUTTONS = codec.filter;
