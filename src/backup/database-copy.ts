/**
 * The database half of a backup: a consistent copy taken while the bot runs, what that copy
 * holds (read from the copy itself, not from the live database), and putting a copy back.
 *
 *   SQLite      `VACUUM INTO` through the same libsql driver the bot uses: one read
 *               transaction, so the copy is one moment of the database, and writers are not
 *               held up (WAL). Then `PRAGMA integrity_check` on the copy.
 *   PostgreSQL  `pg_dump --format=custom`. It reads in one snapshot; that snapshot is exported
 *               from a transaction of ours (`pg_export_snapshot`) and handed to pg_dump with
 *               `--snapshot`, so the evidence keys and counts we read are those of the dump.
 *               Restored with `pg_restore --clean --if-exists --no-owner --single-transaction`
 *               (a failed restore leaves the database as it was).
 * The tools get the connection through libpq's environment (PGPASSWORD…), never arguments.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants, existsSync } from "node:fs";
import { access, copyFile, mkdir, open, rename, rm } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import type pg from "pg";
import { connectPg, libpqEnv } from "../db/pg-connection.ts";
import { CONNECTION_PRAGMAS } from "../db/sqlite-adapter.ts";
import { SqliteConnection } from "../db/sqlite-connection.ts";
import { sqlitePath } from "../db/url.ts";
import { BackupError } from "./errors.ts";

/** Rows of a query as arrays, on either database. */
export interface Reader {
  rows(sql: string): Promise<unknown[][]>;
}

/** What a database (copy) holds that a backup reports and checks. */
export interface Contents {
  evidence: number;
  /** Every Evidence.storageKey: each must be in the backup's files. */
  referencedKeys: Set<string>;
  /** Completed FileObject rows (FILE_STORAGE=database): their keys and bytes. */
  objectKeys: Set<string>;
  objectBytes: number;
  /** The last migration applied (null for a database never migrated). */
  schema: string | null;
}

export async function contentsOf(reader: Reader): Promise<Contents> {
  const [[evidence]] = (await reader.rows(`SELECT COUNT(*) FROM "Evidence"`)) as [[unknown]];
  const keys = await reader.rows(`SELECT DISTINCT "storageKey" FROM "Evidence" WHERE "storageKey" IS NOT NULL`);
  const objects = await reader.rows(`SELECT "key", "size" FROM "FileObject" WHERE "completedAt" IS NOT NULL`);
  const schema = await reader.rows(
    `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL ORDER BY "migration_name" DESC LIMIT 1`,
  );
  return {
    evidence: Number(evidence),
    referencedKeys: new Set(keys.map((r) => String(r[0]))),
    objectKeys: new Set(objects.map((r) => String(r[0]))),
    objectBytes: objects.reduce((sum, r) => sum + Number(r[1]), 0),
    schema: schema[0] ? String(schema[0][0]) : null,
  };
}

/** What a restore would overwrite: rows people made, in the tables that matter to them. */
export interface TargetSummary {
  campaigns: number;
  people: number;
  answers: number;
  evidence: number;
  /** Completed FileObject rows (files kept in the database). */
  objects: number;
}

const EMPTY: TargetSummary = { campaigns: 0, people: 0, answers: 0, evidence: 0, objects: 0 };

async function summaryOf(reader: Reader, hasTables: boolean): Promise<TargetSummary> {
  if (!hasTables) return EMPTY;
  const [row] = await reader.rows(
    `SELECT (SELECT COUNT(*) FROM "Campaign"), (SELECT COUNT(*) FROM "Person"), (SELECT COUNT(*) FROM "Answer"),
            (SELECT COUNT(*) FROM "Evidence"), (SELECT COUNT(*) FROM "FileObject" WHERE "completedAt" IS NOT NULL)`,
  );
  const [campaigns, people, answers, evidence, objects] = row!.map(Number) as [number, number, number, number, number];
  return { campaigns, people, answers, evidence, objects };
}

// ---------------------------------------------------------------- SQLite

function openSqlite(path: string): SqliteConnection & Reader {
  const connection = new SqliteConnection(path, { yieldToEventLoop: false });
  return Object.assign(connection, {
    async rows(sql: string) {
      return (await connection.execute(sql)).rows.map((r) => Array.from(r as ArrayLike<unknown>));
    },
  });
}

async function withSqlite<T>(path: string, use: (c: SqliteConnection & Reader) => Promise<T>): Promise<T> {
  const connection = openSqlite(path);
  try {
    for (const pragma of CONNECTION_PRAGMAS) await connection.execute(pragma);
    return await use(connection);
  } finally {
    connection.close();
  }
}

async function checkIntegrity(path: string): Promise<void> {
  const rows = await withSqlite(path, (c) => c.rows("PRAGMA integrity_check"));
  const problems = rows.map((r) => String(r[0]));
  if (problems.join() !== "ok") {
    throw new BackupError("cli.backup.integrity_failed", { message: problems.slice(0, 5).join("; ") });
  }
}

/** fsync of a file we wrote (VACUUM INTO and pg_dump leave that to the caller). */
export async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A consistent copy of the SQLite database of `url` at `to`, checked; and what it holds. */
export async function copySqlite(url: string, to: string): Promise<Contents> {
  const path = sqlitePath(url);
  if (path === ":memory:" || !existsSync(path)) throw new BackupError("cli.backup.no_database", { path });
  await withSqlite(path, (c) => c.execute({ sql: "VACUUM INTO ?", args: [to] }));
  await syncFile(to);
  await checkIntegrity(to);
  return withSqlite(to, contentsOf);
}

export async function sqliteTarget(url: string): Promise<TargetSummary> {
  const path = sqlitePath(url);
  // A database that is not there yet is empty; looking must not create it.
  if (!existsSync(path)) return EMPTY;
  return withSqlite(path, async (c) => {
    const tables = await c.rows(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Campaign'`);
    return summaryOf(c, tables.length > 0);
  });
}

/**
 * Puts the copy `from` in place of the SQLite database of `url`: copied beside it (same file
 * system), checked, then renamed over it. The old database's WAL and shared-memory files go
 * first: left beside the new file, SQLite would replay the old WAL into it.
 */
export async function restoreSqlite(url: string, from: string): Promise<void> {
  const path = sqlitePath(url);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.restore-${randomBytes(4).toString("hex")}`;
  try {
    await copyFile(from, temp);
    await syncFile(temp);
    await checkIntegrity(temp);
    for (const suffix of ["-wal", "-shm", "-journal"]) await rm(`${path}${suffix}`, { force: true });
    await rename(temp, path);
    await syncFile(dirname(path));
  } finally {
    await rm(temp, { force: true });
  }
}

// ---------------------------------------------------------------- PostgreSQL

function pgReader(client: pg.Client): Reader {
  return {
    async rows(sql) {
      return (await client.query({ text: sql, rowMode: "array" })).rows as unknown[][];
    },
  };
}

/** The full path of `tool` on PATH, or null (as `which`). */
export async function findTool(tool: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const path = join(dir, tool);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Runs a PostgreSQL tool against `url`'s database; its last lines of stderr on failure. */
async function runPgTool(tool: "pg_dump" | "pg_restore", url: string, args: string[]): Promise<void> {
  const path = await findTool(tool);
  if (!path) throw new BackupError("cli.backup.tool_missing", { tool });
  // libpq reads the same sslmode itself; no PG* variable of the caller's may override the URL.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PG")));
  const child = spawn(path, args, { env: { ...env, ...libpqEnv(url) }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const code = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", done);
  });
  if (code !== 0) {
    const message = stderr.trim().split("\n").slice(-3).join(" / ") || "?";
    throw new BackupError("cli.backup.tool_failed", { tool, code: String(code), message });
  }
}

/** pg_dump of `url`'s database into `to`, and what that dump holds (read in its snapshot). */
export async function dumpPostgres(url: string, to: string): Promise<Contents> {
  if (!(await findTool("pg_dump"))) throw new BackupError("cli.backup.tool_missing", { tool: "pg_dump" });
  const client = await connectPg(url);
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    const { rows } = await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id");
    const dump = runPgTool("pg_dump", url, ["--format=custom", `--snapshot=${rows[0]!.id}`, `--file=${to}`]);
    // Read while pg_dump runs, in the snapshot it uses; a failed read must not leave it running.
    const contents = await contentsOf(pgReader(client)).catch(async (e) => {
      await dump.catch(() => {});
      throw e;
    });
    await dump;
    await syncFile(to);
    return contents;
  } finally {
    await client.query("COMMIT").catch(() => {});
    await client.end();
  }
}

export async function postgresTarget(url: string): Promise<TargetSummary> {
  const client = await connectPg(url);
  try {
    const { rows } = await client.query(`SELECT to_regclass('"Campaign"') IS NOT NULL AS present`);
    return await summaryOf(pgReader(client), rows[0].present === true);
  } finally {
    await client.end();
  }
}

export async function restorePostgres(url: string, from: string): Promise<void> {
  if (!(await findTool("pg_restore"))) throw new BackupError("cli.backup.tool_missing", { tool: "pg_restore" });
  const database = libpqEnv(url).PGDATABASE ?? "postgres";
  await runPgTool("pg_restore", url, [
    "--clean",
    "--if-exists",
    "--no-owner",
    "--single-transaction",
    "--exit-on-error",
    `--dbname=${database}`,
    from,
  ]);
}
