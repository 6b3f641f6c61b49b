/**
 * A PostgreSQL restart, as the bot sees it: its connections terminated (57P01) while idle,
 * between two statements of a transaction, and in the middle of one. The process must
 * survive (an unhandled "error" event would fail this file), the next queries must work, and
 * no connection may stay checked out (the pool would run dry and close() would hang).
 * PostgreSQL only.
 */
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTransientDbError } from "../../src/db/errors.ts";
import { connectPg } from "../../src/db/pg-connection.ts";
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "../support/database.ts";

const onPostgres = TEST_DATABASE_URL.startsWith("postgres");
let database: TestDatabase;
let admin: pg.Client;
const lost: unknown[] = [];

async function terminateAll(filter = "") {
  const { rowCount } = await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE datname = $1 AND pid <> pg_backend_pid() ${filter}`,
    [decodeURIComponent(new URL(database.url).pathname.slice(1))],
  );
  return rowCount ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!onPostgres)("a PostgreSQL restart", () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    admin = await connectPg(TEST_DATABASE_URL);
  });
  afterAll(async () => {
    await admin?.end();
    // Resolves only if every connection went back to the pool.
    await database?.destroy();
  });

  it("ends idle connections: the next query opens a new one", async () => {
    await database.db.$queryRawUnsafe("SELECT 1");
    expect(await terminateAll()).toBeGreaterThan(0);
    await sleep(100);
    expect(await database.db.$queryRawUnsafe<{ n: number }[]>("SELECT 2 AS n")).toEqual([{ n: 2 }]);
  });

  it("ends a transaction between its statements: it fails, the process and the pool go on", async () => {
    const tx = database.db
      .$transaction(async (t) => {
        await t.$queryRawUnsafe("SELECT 1");
        await sleep(400);
        await t.$queryRawUnsafe("SELECT 2");
      })
      .catch((e: unknown) => lost.push(e));
    await sleep(150);
    expect(await terminateAll()).toBeGreaterThan(0);
    await tx;
    expect(lost).toHaveLength(1);
    // Known as "the database is unavailable": the update goes back to Telegram for redelivery.
    expect(isTransientDbError(lost[0])).toBe(true);
    expect(await database.db.person.count()).toBe(0);
  });

  it("ends a transaction during a statement: it fails, the process and the pool go on", async () => {
    const tx = database.db
      .$transaction(async (t) => {
        await t.$queryRawUnsafe("SELECT pg_sleep(3)");
      })
      .catch((e: unknown) => lost.push(e));
    await sleep(300);
    expect(await terminateAll("AND query LIKE '%pg_sleep%'")).toBe(1);
    await tx;
    expect(lost).toHaveLength(2);
    expect(isTransientDbError(lost[1])).toBe(true);
    expect(await database.db.person.count()).toBe(0);
  });
});
