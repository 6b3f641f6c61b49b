/**
 * Where a person is in appraisal work (AppraisalCursor): the item their next typed text or
 * file goes to — an appraiser's score or comment, an officer's explanation. One row per
 * person, read from the database on every message (as the self-assessment's cursor is), so
 * a restart or another bot instance files the text under the same item. No Telegram in here.
 */
import type { AppraisalCursorMode, Db, Prisma } from "../db/client.ts";

type Writer = Db | Prisma.TransactionClient;

export interface AppraisalCursorAt {
  campaignId: number;
  unitId: number;
  questionId: number;
  mode: AppraisalCursorMode;
  /** APPRAISE, COMMENT: the round being appraised. */
  round?: number | null;
  /** COMMENT: the score waiting for its comment, and the item's version it was set on. */
  pendingScore?: number | null;
  version?: number | null;
}

export interface AppraisalCursor extends Required<AppraisalCursorAt> {
  personId: number;
  /** When the item was shown: text sent before it was meant for another (sentBeforeShown). */
  updatedAt: Date;
}

/** Points the person's cursor at an item (replacing where it was). */
export async function setAppraisalCursor(db: Writer, personId: number, at: AppraisalCursorAt): Promise<void> {
  const data = {
    campaignId: at.campaignId,
    unitId: at.unitId,
    questionId: at.questionId,
    mode: at.mode,
    round: at.round ?? null,
    pendingScore: at.pendingScore ?? null,
    version: at.version ?? null,
  };
  await db.appraisalCursor.upsert({ where: { personId }, create: { personId, ...data }, update: data });
}

/** The person's cursor in `campaignId`, or null (none, or one left in another campaign). */
export async function getAppraisalCursor(
  db: Db,
  personId: number,
  campaignId: number,
): Promise<AppraisalCursor | null> {
  const cursor = await db.appraisalCursor.findUnique({ where: { personId } });
  return cursor && cursor.campaignId === campaignId ? cursor : null;
}

export async function clearAppraisalCursor(db: Writer, personId: number): Promise<void> {
  await db.appraisalCursor.deleteMany({ where: { personId } });
}
