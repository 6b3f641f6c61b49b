/**
 * An isolated, migrated database per test file: a fresh SQLite file, or a fresh database
 * on the PostgreSQL server named by TEST_DATABASE_URL.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { pgFields, providerOf } from "../../src/db/url.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || "file:";

export interface TestDatabase extends Database {
  /** Closes and removes the database. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cchc_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  if (providerOf(TEST_DATABASE_URL) === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "cchc-test-"));
    const database = await openDatabase(`file:${join(dir, `${name}.db`)}`);
    return {
      ...database,
      async destroy() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const fields = pgFields(TEST_DATABASE_URL);
  const admin = new pg.Client(fields);
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.href, { poolSize: 4 });
  return {
    ...database,
    async destroy() {
      await database.close();
      const c = new pg.Client(fields);
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
