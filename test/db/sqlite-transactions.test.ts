/**
 * Interactive transactions on SQLite (src/db/sqlite-adapter.ts): they run on a connection
 * of their own, reused while transactions end cleanly, and the main connection keeps its
 * PRAGMAs. Without that, @libsql/client leaks a connection per transaction and the next
 * statement runs on a fresh connection without busy_timeout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "../../src/db/client.ts";
import { createScratchDatabase, type ScratchDatabase } from "../../src/db/scratch.ts";
import { providerOf, sqlitePath } from "../../src/db/url.ts";
import { TEST_DATABASE_URL } from "../support/database.ts";
import { telegramUser, telegramUsers, withTelegram } from "../support/people.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** File descriptors of this process open on the database file or its WAL/SHM files. */
function fdsOn(path: string): number {
  const names = new Set([path, `${path}-wal`, `${path}-shm`]);
  let n = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (names.has(readlinkSync(`/proc/self/fd/${fd}`))) n++;
    } catch {
      // The fd readdir itself used is gone by now.
    }
  }
  return n;
}

/**
 * Another process (as a CLI import would be) takes the write lock with BEGIN IMMEDIATE,
 * inserts a person, holds the lock for `ms`, then commits. It must be another process:
 * libsql runs statements synchronously, so a waiting statement blocks this event loop.
 */
const HOLDER = `
import { createClient } from "@libsql/client";
const [url, ms, telegramId] = process.argv.slice(1);
const db = createClient({ url });
await db.execute("PRAGMA busy_timeout = 5000");
await db.execute("BEGIN IMMEDIATE");
const person = await db.execute({ sql: 'INSERT INTO "Person" ("displayName") VALUES (?) RETURNING "id"', args: ["holder"] });
await db.execute({
  sql: 'INSERT INTO "PersonChannel" ("personId", "channel", "externalId", "chatId") VALUES (?, ?, ?, ?)',
  args: [person.rows[0].id, "telegram", telegramId, telegramId],
});
process.stdout.write("locked\\n");
await new Promise((r) => setTimeout(r, Number(ms)));
await db.execute("COMMIT");
db.close();
`;

function holdWriteLock(url: string, ms: number, telegramId: bigint): { locked: Promise<void>; done: Promise<void> } {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--input-type=module", "-e", HOLDER, url, String(ms), String(telegramId)],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  let err = "";
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      if (out.includes("locked")) resolve();
    });
    child.on("exit", () => reject(new Error(`lock holder ended before locking: ${err}`)));
  });
  const done = new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (chunk) => {
      err += chunk;
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`lock holder failed (${code}): ${err}`))));
  });
  // Awaited by the test; these keep an early failure from being reported as unhandled.
  locked.catch(() => {});
  done.catch(() => {});
  return { locked, done };
}

describe.skipIf(providerOf(TEST_DATABASE_URL) !== "sqlite")(
  "SQLite interactive transactions (on a connection of their own)",
  () => {
    let database: ScratchDatabase;
    let path: string;
    let next = 1_000_000n;
    const newId = () => next++;
    const stored = async (telegramId: bigint) =>
      (await database.db.person.findFirst({ where: telegramUser(telegramId) })) !== null;
    /**
     * After a failure: a new transaction (with `more` inside it) and a plain write on the
     * main connection both commit.
     */
    const expectWritesCommit = async (more?: (tx: Prisma.TransactionClient) => Promise<unknown>) => {
      const [kept, plain] = [newId(), newId()];
      await database.db.$transaction(async (tx) => {
        await tx.person.create({ data: withTelegram(kept, "kept") });
        await more?.(tx);
      });
      await database.db.person.create({ data: withTelegram(plain, "plain") });
      expect(await stored(kept)).toBe(true);
      expect(await stored(plain)).toBe(true);
    };

    beforeAll(async () => {
      database = await createScratchDatabase("file:", "cchc_sqlite_tx");
      path = sqlitePath(database.url);
    });
    afterAll(() => database?.destroy());

    it.skipIf(!existsSync("/proc/self/fd"))(
      "does not leave a connection behind per transaction: file descriptors do not pile up",
      async () => {
        const { db } = database;
        await db.person.create({ data: withTelegram(newId(), "warm-up") });
        await db.$transaction(async (tx) => {
          await tx.person.create({ data: withTelegram(newId(), "warm-up") });
        });
        // The main connection and the transactions' one (database file and WAL each, and the
        // SHM), maybe with migrate.ts's closed connection if it awaits garbage collection.
        const before = fdsOn(path);
        expect(before).toBeGreaterThan(0);
        expect(before).toBeLessThanOrEqual(7);
        const ids: bigint[] = [];
        for (let i = 0; i < 200; i++) {
          const telegramId = newId();
          ids.push(telegramId);
          await db.$transaction(async (tx) => {
            await tx.person.create({ data: withTelegram(telegramId, `tx ${i}`) });
            expect(await tx.person.count({ where: telegramUser(telegramId) })).toBe(1);
          });
        }
        // Nor does a transaction the application abandons.
        for (let i = 0; i < 20; i++) {
          await expect(
            db.$transaction(async (tx) => {
              await tx.person.create({ data: withTelegram(newId(), "rolled back") });
              throw new Error("no");
            }),
          ).rejects.toThrow("no");
        }
        expect(fdsOn(path)).toBeLessThanOrEqual(before);
        expect(await db.person.count({ where: telegramUsers(ids) })).toBe(200);
        expect(await db.person.count({ where: { displayName: "rolled back" } })).toBe(0);
      },
    );

    it("keeps busy_timeout after transactions: writes wait for another process's write lock", async () => {
      const { db } = database;
      for (let i = 0; i < 3; i++) {
        await db.$transaction(async (tx) => {
          await tx.person.create({ data: withTelegram(newId(), "before the lock") });
        });
      }

      /** Runs `write` while another process holds the write lock: it must wait, then succeed. */
      const duringLock = async (write: () => Promise<unknown>) => {
        const holder = newId();
        const lock = holdWriteLock(database.url, 300, holder);
        await lock.locked;
        const started = performance.now();
        await write();
        expect(performance.now() - started).toBeGreaterThan(200);
        await lock.done;
        return holder;
      };
      const [inTx, plain, readFirst] = [newId(), newId(), newId()];
      const holders = [
        // An interactive transaction waits for the lock…
        await duringLock(() =>
          db.$transaction(async (tx) => {
            await tx.person.create({ data: withTelegram(inTx, "in a transaction") });
          }),
        ),
        // …and so does a plain write on the main connection, after those transactions…
        await duringLock(() => db.person.create({ data: withTelegram(plain, "plain") })),
        // …and a transaction that reads before it writes (as saving an answer does).
        await duringLock(() =>
          db.$transaction(async (tx) => {
            await tx.person.count();
            await tx.person.create({ data: withTelegram(readFirst, "read, then write") });
          }),
        ),
      ];

      for (const telegramId of [...holders, inTx, plain, readFirst]) expect(await stored(telegramId)).toBe(true);
    });

    it("rolls back a transaction that throws, and later writes still commit", async () => {
      const { db } = database;
      const lost = newId();
      await expect(
        db.$transaction(async (tx) => {
          await tx.person.create({ data: withTelegram(lost, "lost") });
          throw new Error("changed my mind");
        }),
      ).rejects.toThrow("changed my mind");
      expect(await stored(lost)).toBe(false);

      await expectWritesCommit();
    });

    it("rolls back a transaction whose statement breaks a unique constraint, and later writes still commit", async () => {
      const { db } = database;
      const existing = newId();
      await db.person.create({ data: withTelegram(existing, "existing") });
      for (let round = 0; round < 3; round++) {
        const first = newId();
        await expect(
          db.$transaction(async (tx) => {
            await tx.person.create({ data: withTelegram(first, "first") });
            await tx.person.create({ data: withTelegram(existing, "duplicate") });
          }),
        ).rejects.toMatchObject({ code: "P2002" });
        expect(await stored(first)).toBe(false);

        await expectWritesCommit((tx) =>
          tx.person.updateMany({ where: telegramUser(existing), data: { displayName: `existing ${round}` } }),
        );
        expect((await db.person.findFirstOrThrow({ where: telegramUser(existing) })).displayName).toBe(
          `existing ${round}`,
        );
      }
      expect(await db.person.count({ where: { displayName: "duplicate" } })).toBe(0);

      // The failed transactions' connections hold no lock: another process writes at once.
      const other = newId();
      const started = performance.now();
      const lock = holdWriteLock(database.url, 0, other);
      await lock.locked;
      await lock.done;
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(await stored(other)).toBe(true);
    });

    it("recovers from SQLITE_BUSY inside a transaction (prisma/orm#30028): later transactions commit", async () => {
      const { db } = database;
      // Longer than busy_timeout (5 s): the statement in the transaction gives up.
      const holder = newId();
      const lock = holdWriteLock(database.url, 6_500, holder);
      await lock.locked;
      const lost = newId();
      await expect(
        db.$transaction(
          async (tx) => {
            await tx.person.create({ data: withTelegram(lost, "busy") });
          },
          { timeout: 20_000 },
        ),
      ).rejects.toThrow();
      await lock.done;
      expect(await stored(lost)).toBe(false);
      expect(await stored(holder)).toBe(true);

      for (let i = 0; i < 3; i++) await expectWritesCommit();
    });
  },
);
