/**
 * Updates the webhook has acknowledged to Telegram before their handling finished.
 *
 * Telegram redelivers an update unless the webhook answers within about 10 s, so a slow update
 * is answered 200 at 9 s and goes on in the background; from then on Telegram will not send it
 * again, and a crash would lose it. It is written here first and deleted once handled; rows
 * left behind by a dead process are handled again by any instance (`claimPendingUpdates`), and
 * the exactly-once record (src/db/exactly-once.ts) drops those whose effect was committed.
 */
import type { Db } from "./client.ts";

export async function keepPendingUpdate(db: Db, update: { update_id: number }): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "PendingUpdate" ("updateId", "body", "receivedAt")
    VALUES (${BigInt(update.update_id)}, ${JSON.stringify(update)}, ${new Date()})
    ON CONFLICT DO NOTHING`;
}

export async function dropPendingUpdate(db: Db, updateId: number | bigint): Promise<void> {
  await db.$executeRaw`DELETE FROM "PendingUpdate" WHERE "updateId" = ${BigInt(updateId)}`;
}

export interface PendingUpdate {
  updateId: bigint;
  body: string;
}

/**
 * Claims pending updates received more than `olderThanMs` ago whose handler is presumed dead
 * (never claimed, or claimed more than `olderThanMs` ago), oldest first. A claim is a
 * conditional update, so two instances never take the same row at once.
 */
export async function claimPendingUpdates(db: Db, olderThanMs: number, limit = 50): Promise<PendingUpdate[]> {
  const before = new Date(Date.now() - olderThanMs);
  const rows = await db.$queryRaw<{ updateId: bigint | number; body: string }[]>`
    SELECT "updateId", "body" FROM "PendingUpdate"
    WHERE "receivedAt" < ${before} AND ("claimedAt" IS NULL OR "claimedAt" < ${before})
    ORDER BY "updateId" LIMIT ${limit}`;
  const claimed: PendingUpdate[] = [];
  for (const row of rows) {
    const updateId = BigInt(row.updateId);
    const n = await db.$executeRaw`
      UPDATE "PendingUpdate" SET "claimedAt" = ${new Date()}
      WHERE "updateId" = ${updateId} AND ("claimedAt" IS NULL OR "claimedAt" < ${before})`;
    if (n === 1) claimed.push({ updateId, body: row.body });
  }
  return claimed;
}
