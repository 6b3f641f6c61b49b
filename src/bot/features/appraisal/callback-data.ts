/** The buttons of /giaidoan and /thamdinh (see src/bot/callback-data.ts for the codec). */
import type { CampaignStatus } from "../../../db/client.ts";
import { type Action, actionCodec, ID, ID0, oneOf } from "../../callback-data.ts";

/** A campaign phase on the wire. */
const PHASE = oneOf<CampaignStatus>({
  DRAFT: "d",
  SELF_ASSESSMENT: "s",
  APPRAISAL: "a",
  EXPLANATION: "e",
  FINAL_APPRAISAL: "f",
  PUBLISHED: "p",
  CLOSED: "c",
});

const phaseCodec = actionCodec("ph", {
  /** Asks to confirm the move from `from` (as shown) to `to`. */
  ask: ["q", { from: PHASE, to: PHASE }],
  /**
   * Confirmed: move from `from` (as shown) to `to`; `deadline` in minutes since the epoch
   * (0: none) is the explanation deadline typed with /giaidoan when closing round 1.
   */
  move: ["m", { from: PHASE, to: PHASE, deadline: ID0 }],
});

const appraiseCodec = actionCodec("ap", {
  /** The list of units to appraise. */
  list: ["l", {}],
  /** The next item of a unit (0: of any unit in the person's assignment). */
  unit: ["u", { unitId: ID0 }],
  /** Keep the unit's self-score, on the version of the item shown. */
  accept: ["a", { unitId: ID, questionId: ID, version: ID0 }],
  /** A score (in hundredths of a point) chosen among the rule's steps, on the version shown. */
  score: ["s", { unitId: ID, questionId: ID, version: ID0, hundredths: ID0 }],
  /** Leave this item for later: the next one after it. */
  skip: ["k", { unitId: ID, questionId: ID }],
  /** Back to the item (a comment was asked for and the appraiser changes their mind). */
  item: ["i", { unitId: ID, questionId: ID }],
});

export type PhaseAction = Action<typeof phaseCodec>;
export type AppraiseAction = Action<typeof appraiseCodec>;
export const phaseButtons = phaseCodec;
export const appraiseButtons = appraiseCodec;
