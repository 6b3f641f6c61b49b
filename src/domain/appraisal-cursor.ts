/**
 * Where a person is in appraisal work (the AppraisalCursor table): the item an appraiser
 * is on, a score waiting for its comment, or the item an officer explains. What they type
 * next goes there, after a restart too. No Telegram in here.
 */
import type { AppraisalCursor, AppraisalCursorMode, Db } from "../db/client.ts";

export type { AppraisalCursor };

export interface CursorTarget {
  campaignId: number;
  unitId: number;
  questionId: number;
  mode: AppraisalCursorMode;
  round?: number | null;
  /** COMMENT: the score waiting for its comment and the item's version it was set on. */
  pendingScore?: number | null;
  version?: number | null;
}

export async function getAppraisalCursor(
  db: Db,
  personId: number,
  campaignId: number,
): Promise<AppraisalCursor | null> {
  const cursor = await db.appraisalCursor.findUnique({ where: { personId } });
  return cursor && cursor.campaignId === campaignId ? cursor : null;
}

export async function setAppraisalCursor(db: Db, personId: number, target: CursorTarget): Promise<void> {
  const data = {
    campaignId: target.campaignId,
    unitId: target.unitId,
    questionId: target.questionId,
    mode: target.mode,
    round: target.round ?? null,
    pendingScore: target.pendingScore ?? null,
    version: target.version ?? null,
  };
  await db.appraisalCursor.upsert({ where: { personId }, create: { personId, ...data }, update: data });
}

export async function clearAppraisalCursor(db: Db, personId: number): Promise<void> {
  await db.appraisalCursor.deleteMany({ where: { personId } });
}
