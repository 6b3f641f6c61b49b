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

/** Keeps an update (a Telegram update, a Zalo event) under its key until it is handled. */
export async function keepPendingUpdate(db: Db, key: string, channel: string, body: unknown): Promise<void> {
  await db.$executeRaw`
    INSERT INTO "PendingUpdate" ("key", "channel", "body", "receivedAt")
    VALUES (${key}, ${channel}, ${JSON.stringify(body)}, ${new Date()})
    ON CONFLICT DO NOTHING`;
}

export async function dropPendingUpdate(db: Db, key: string): Promise<void> {
  await db.$executeRaw`DELETE FROM "PendingUpdate" WHERE "key" = ${key}`;
}

export interface PendingUpdate {
  key: string;
  body: string;
}

/**
 * Claims pending updates received more than `olderThanMs` ago whose handler is presumed dead
 * (never claimed, or claimed more than `olderThanMs` ago), oldest first. A claim is a
 * conditional update, so two instances never take the same row at once.
 */
export async function claimPendingUpdates(
  db: Db,
  channel: string,
  olderThanMs: number,
  limit = 50,
): Promise<PendingUpdate[]> {
  const before = new Date(Date.now() - olderThanMs);
  const rows = await db.$queryRaw<{ key: string; body: string }[]>`
    SELECT "key", "body" FROM "PendingUpdate"
    WHERE "channel" = ${channel} AND "receivedAt" < ${before} AND ("claimedAt" IS NULL OR "claimedAt" < ${before})
    ORDER BY "receivedAt", "key" LIMIT ${limit}`;
  const claimed: PendingUpdate[] = [];
  for (const row of rows) {
    const n = await db.$executeRaw`
      UPDATE "PendingUpdate" SET "claimedAt" = ${new Date()}
      WHERE "key" = ${row.key} AND ("claimedAt" IS NULL OR "claimedAt" < ${before})`;
    if (n === 1) claimed.push({ key: row.key, body: row.body });
  }
  return claimed;
}
