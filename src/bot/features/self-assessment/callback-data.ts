/** The self-assessment's buttons (see src/bot/callback-data.ts for the codec). */
import { type Action, actionCodec, ID, oneOf, word } from "../../callback-data.ts";

const codec = actionCodec("sa", {
  list: ["l", {}],
  leave: ["x", {}],
  area: ["a", { areaId: ID }],
  question: ["q", { questionId: ID }],
  /** A tapped answer, with the stamp of the answer it replaces (a stale press is noticed). */
  answer: ["v", { questionId: ID, stamp: word(12), value: word(30) }],
  skip: ["k", { questionId: ID }],
  back: ["b", { questionId: ID }],
  evidence: ["e", { questionId: ID }],
  removeEvidence: ["ex", { evidenceId: ID }],
  explain: ["g", { questionId: ID }],
  review: ["r", { areaId: ID }],
  submit: ["s", { areaId: ID }],
  confirmSubmit: ["sc", { areaId: ID }],
  /** A number typed just after a self-score: for the question shown, or correcting that score. */
  typed: ["t", { draftId: ID, target: oneOf({ shown: "s", left: "l" }) }],
});

export type AssessmentAction = Action<typeof codec>;
export const PREFIX = `${codec.prefix}:`;
export const parseAction = codec.parse;
export const encodeAction = codec.encode;
