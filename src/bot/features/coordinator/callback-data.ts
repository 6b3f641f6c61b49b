/** The coordinator's buttons (see src/bot/callback-data.ts for the codec). */
import { type Action, actionCodec, ID, ID0, PAGE } from "../../callback-data.ts";

const codec = actionCodec("co", {
  /** /tiendo, page n */
  progress: ["tp", { page: PAGE }],
  /** /chuanop [area], page n (areaId 0: every area) */
  late: ["cn", { areaId: ID0, page: PAGE }],
  /** /diem [area], page n (areaId 0: the total) */
  ranking: ["dm", { areaId: ID0, page: PAGE }],
  /** /donvi: one of several matching units */
  unit: ["dv", { unitId: ID }],
  /** /nhacnho: one of several matching units */
  remind: ["nn", { unitId: ID }],
  /** /nhacnho tatca, offered when asked in plain words */
  remindAll: ["na", {}],
  /** /molai: one of several matching units, with the area asked for and the draft holding the reason */
  reopen: ["ml", { unitId: ID, areaId: ID, draftId: ID }],
});

export type CoordinatorAction = Action<typeof codec>;
export const PREFIX = `${codec.prefix}:`;
export const parseAction = codec.parse;
export const encodeAction = codec.encode;
