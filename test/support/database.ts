/**
 * An isolated, migrated database per test file: a fresh SQLite file, or a fresh database
 * on the PostgreSQL server named by TEST_DATABASE_URL.
 */
import { createScratchDatabase, type ScratchDatabase } from "../../src/db/scratch.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || "file:";

export type TestDatabase = ScratchDatabase;

export function createTestDatabase(): Promise<TestDatabase> {
  return createScratchDatabase(TEST_DATABASE_URL, "cchc_test");
}
