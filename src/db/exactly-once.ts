/**
 * Exactly-once handling of inbound updates, across crashes and several bot instances. An
 * update is named by its channel's key: "tg:<update_id>" for Telegram, "zalo:<event>:<message
 * id>" for Zalo (whose platform redelivers too).
 *
 * Telegram redelivers an update it does not know to be handled (a crash, a 5xx, a timeout).
 * Recording the id *before* handling, in a statement of its own, lost the update whenever the
 * process died in between: the redelivery was dropped as a duplicate (measured: 13–25 silent
 * losses per 1,000 answers with three kill -9). Recording it *after* handling would handle an
 * answer twice when the process died between the answer's commit and the record (the second
 * run would find the cursor already moved and file the text under the next question).
 *
 * So the id is recorded in the same transaction as the update's effect: the first transaction
 * opened while handling it (through `transaction()`) inserts the id before its own writes; if
 * another delivery of the same update committed first, the insert finds the id and the whole
 * transaction is rolled back (`DuplicateDelivery`). Updates that change nothing in a
 * transaction (reading a status, opening a question) are recorded when their handling has
 * finished, so one that crashed half-way is simply handled again.
 *
 * Which update is being handled travels in an AsyncLocalStorage: the domain's transactions
 * need not know about Telegram, and every feature's writes get the guarantee by opening
 * their transactions here.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db, Prisma } from "./client.ts";

export type Tx = Prisma.TransactionClient;

interface Delivery {
  key: string;
  /** The update was kept as pending before handling (src/db/pending-updates.ts). */
  kept: KeptUpdate | null;
  /** A transaction that records the id has been started (and not rolled back). */
  claimed: boolean;
  /** The id is stored: by a committed transaction, or after handling. */
  recorded: boolean;
}

const deliveries = new AsyncLocalStorage<Delivery>();

/** Another delivery of this update was handled first; nothing of this one is kept. */
export class DuplicateDelivery extends Error {
  constructor(readonly key: string) {
    super(`update ${key} was already handled`);
    this.name = "DuplicateDelivery";
  }
}

/**
 * An update kept as pending before it was handled (a Zalo event, answered at once): its
 * pending row is deleted in the same commit that records the update, instead of a commit of
 * its own afterwards. `settled` tells the caller the row is gone.
 */
export interface KeptUpdate {
  settled: boolean;
}

/** The key of a Telegram update. */
export const telegramKey = (updateId: number | bigint) => `tg:${updateId}`;

/**
 * The update's effect was committed, then its handling failed (a database error while
 * showing the next step): it is handled (a redelivery would be dropped), and the person
 * must hear that it was saved, not that it was not.
 */
export class FailedAfterSaving extends Error {
  constructor(readonly failure: unknown) {
    super("the update's effect was saved, then its handling failed");
    this.name = "FailedAfterSaving";
  }
}

/** Whether an update has been handled (its effects committed, or its handling finished). */
export async function wasHandled(db: Db, key: string): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`SELECT 1 FROM "ProcessedUpdate" WHERE "key" = ${key}`;
  return rows.length > 0;
}

/** The statement that records the id (a no-op when it is there already). */
const recordId = (db: Pick<Db, "$executeRaw">, key: string) => db.$executeRaw`
  INSERT INTO "ProcessedUpdate" ("key", "createdAt") VALUES (${key}, ${new Date()})
  ON CONFLICT DO NOTHING`;

/** Inserts the id; false when it was there already. */
async function insertId(db: Pick<Db, "$executeRaw">, key: string): Promise<boolean> {
  return (await recordId(db, key)) > 0;
}

const deletePending = (db: Pick<Db, "$executeRaw">, key: string) =>
  db.$executeRaw`DELETE FROM "PendingUpdate" WHERE "key" = ${key}`;

/**
 * Handles one update exactly once: `handle` runs unless the id was handled already, its
 * first transaction records the id, and an update whose handling wrote nothing is recorded
 * once `handle` has finished. Returns false when the update was a duplicate.
 */
export async function handleOnce(
  db: Db,
  key: string,
  handle: () => Promise<void>,
  kept: KeptUpdate | null = null,
): Promise<boolean> {
  /** A duplicate's pending row has nothing left to wait for. */
  const dropKept = async () => {
    if (!kept) return;
    await deletePending(db, key);
    kept.settled = true;
  };
  if (await wasHandled(db, key)) {
    await dropKept();
    return false;
  }
  const delivery: Delivery = { key, kept, claimed: false, recorded: false };
  try {
    await deliveries.run(delivery, handle);
  } catch (e) {
    if (e instanceof DuplicateDelivery && e.key === key) {
      await dropKept();
      return false;
    }
    if (delivery.recorded) throw new FailedAfterSaving(e);
    throw e;
  }
  if (!delivery.recorded) {
    if (kept) {
      // One commit for both (a batch is one transaction).
      await db.$transaction([recordId(db, key), deletePending(db, key)]);
      kept.settled = true;
    } else await insertId(db, key);
  }
  return true;
}

/**
 * An interactive transaction. While an update is being handled, its first transaction also
 * records the update's id (see above); elsewhere (jobs, the CLI) it is a plain transaction.
 */
export async function transaction<T>(
  db: Db,
  fn: (tx: Tx) => Promise<T>,
  options?: { maxWait?: number; timeout?: number },
): Promise<T> {
  const delivery = deliveries.getStore();
  // Only the first transaction of an update records it; later ones (and ones running
  // alongside it) would only find the id there.
  const records = delivery !== undefined && !delivery.claimed;
  if (!records) return db.$transaction(fn, options);
  delivery.claimed = true;
  try {
    const result = await db.$transaction(async (tx) => {
      if (!(await insertId(tx, delivery.key))) throw new DuplicateDelivery(delivery.key);
      if (delivery.kept) await deletePending(tx, delivery.key);
      return fn(tx);
    }, options);
    delivery.recorded = true;
    if (delivery.kept) delivery.kept.settled = true;
    return result;
  } catch (e) {
    // Rolled back: the next transaction of this update records it instead.
    delivery.claimed = false;
    throw e;
  }
}

/** Forgets update ids older than `days` (Telegram keeps undelivered updates for 24 hours). */
export async function forgetOldUpdates(db: Db, now: Date, days = 3): Promise<number> {
  const { count } = await db.processedUpdate.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - days * 86_400_000) } },
  });
  return count;
}
