/**
 * Applies pending migrations when the application starts, so a fresh clone needs no manual
 * database step. It keeps Prisma's own bookkeeping table (`_prisma_migrations`, with the
 * same checksums), so `prisma migrate status/deploy/dev` agree with what it did.
 *
 * It uses the plain drivers rather than the Prisma CLI: starting the CLI costs seconds,
 * and its offline schema engine has faults (see prisma-cli-adapters.ts) the app need not meet.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Client, createClient } from "@libsql/client";
import { PROJECT_ROOT } from "../paths.ts";
import { connectPg } from "./pg-connection.ts";
import { type Provider, providerOf, schemaDir, sqlitePath } from "./url.ts";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(provider: Provider): Promise<Migration[]> {
  const dir = join(PROJECT_ROOT, schemaDir(provider), "migrations");
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

const TABLE_SQLITE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`;

const TABLE_PG = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`;

/** Prisma's advisory lock key: a concurrent `prisma migrate` waits for us and we for it. */
const PG_MIGRATION_LOCK = 72707369;

/**
 * Turning a file to WAL needs every other connection off it, and SQLite does not wait for
 * that (the busy timeout is not consulted for this lock): two processes starting on one new
 * file met SQLITE_BUSY here in CI. Once the file is WAL this returns at the first try; until
 * then it tries again for as long as a migration may wait for the write lock.
 */
async function switchToWal(db: Client, patienceMs = 15_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  for (;;) {
    try {
      const mode = String((await db.execute("PRAGMA journal_mode = WAL")).rows[0]?.[0] ?? "");
      // An in-memory database stays "memory"; any other answer than "wal" means not yet.
      if (mode === "wal" || mode === "memory" || Date.now() > deadline) return;
    } catch (e) {
      if ((e as { code?: string }).code !== "SQLITE_BUSY" || Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
  }
}

async function migrateSqlite(url: string, migrations: Migration[]): Promise<string[]> {
  const path = sqlitePath(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = createClient({ url });
  try {
    // First, so that every statement below waits for another process starting beside us.
    await db.execute("PRAGMA busy_timeout = 5000");
    // WAL lets readers go on while one process writes; it is a property of the file.
    await switchToWal(db);
    await db.execute(TABLE_SQLITE);
    const done = new Set(
      (
        await db.execute(
          `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        )
      ).rows.map((r) => String(r.migration_name)),
    );
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      // One transaction per migration: a failed one leaves nothing half-done. Another
      // process starting on the same new file may have applied it while we waited for
      // the write lock: look again once we hold it.
      await db.execute("BEGIN IMMEDIATE");
      const again = await db.execute({
        sql: `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
        args: [m.name],
      });
      if (again.rows.length > 0) {
        await db.execute("ROLLBACK");
        continue;
      }
      await db
        .executeMultiple(
          `${m.sql}\n;INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at) VALUES ('${randomUUID()}', '${m.checksum}', current_timestamp, '${m.name.replaceAll("'", "''")}', 1, current_timestamp);\nCOMMIT;`,
        )
        .catch(async (e) => {
          await db.execute("ROLLBACK").catch(() => {});
          throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
        });
      applied.push(m.name);
    }
    return applied;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  const client = await connectPg(url);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_MIGRATION_LOCK]);
    await client.query(TABLE_PG);
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Set(rows.map((r) => r.migration_name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      try {
        await client.query("BEGIN");
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

/** Applies the migrations the database has not had yet; returns their names. */
export async function migrate(url: string): Promise<string[]> {
  const provider = providerOf(url);
  const migrations = await readMigrations(provider);
  return provider === "sqlite" ? migrateSqlite(url, migrations) : migratePostgres(url, migrations);
}
