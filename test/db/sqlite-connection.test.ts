/**
 * The SQLite connection under Prisma (src/db/sqlite-connection.ts): it keeps prepared
 * statements (libsql keeps native memory for every prepare it is asked for), returns
 * results as @libsql/client does, and never reuses a statement that failed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LibsqlError } from "@libsql/client";
import Database from "libsql";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SqliteConnection } from "../../src/db/sqlite-connection.ts";

let dir: string;
let connection: SqliteConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sqlite-connection-"));
  connection = new SqliteConnection(join(dir, "t.db"));
  await connection.executeMultiple(
    'CREATE TABLE "Person" ("id" INTEGER PRIMARY KEY, "telegramId" BIGINT NOT NULL UNIQUE, "name" TEXT, "photo" BLOB, "at" DATETIME)',
  );
});
afterAll(() => {
  connection.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SqliteConnection", () => {
  it("returns rows, declared column types, changes and the new row id", async () => {
    const insert = await connection.execute({
      sql: 'INSERT INTO "Person" ("telegramId", "name", "photo") VALUES (?, ?, ?)',
      args: [9_007_199_254_740_991n, "Lò Văn Minh", new Uint8Array([1, 2, 3]).buffer],
    });
    expect(insert.rowsAffected).toBe(1);
    expect(insert.lastInsertRowid).toBe(1n);
    const read = await connection.execute({
      sql: 'SELECT "id", "telegramId", "name", "photo", "at" FROM "Person" WHERE "name" = ?',
      args: ["Lò Văn Minh"],
    });
    expect(read.columns).toEqual(["id", "telegramId", "name", "photo", "at"]);
    expect(read.columnTypes).toEqual(["INTEGER", "BIGINT", "TEXT", "BLOB", "DATETIME"]);
    const [row] = read.rows;
    expect(row![0]).toBe(1);
    expect(row![1]).toBe(Number.MAX_SAFE_INTEGER);
    expect(row![2]).toBe("Lò Văn Minh");
    expect([...new Uint8Array(row![3] as ArrayBuffer)]).toEqual([1, 2, 3]);
    expect(row![4]).toBeNull();
  });

  it("prepares a statement once however often it runs", async () => {
    const prepare = vi.spyOn(Database.prototype, "prepare");
    try {
      for (let i = 0; i < 50; i++) {
        await connection.execute({ sql: 'SELECT count(*) AS n FROM "Person" WHERE "id" > ?', args: [i] });
      }
      expect(prepare).toHaveBeenCalledTimes(1);
    } finally {
      prepare.mockRestore();
    }
  });

  it("reports a failed statement as a LibsqlError with SQLite's code, and runs it again afterwards", async () => {
    const sql = 'INSERT INTO "Person" ("telegramId", "name") VALUES (?, ?) RETURNING "id"';
    await connection.execute({ sql, args: [42, "Hoa"] });
    const failure = await connection.execute({ sql, args: [42, "Hoa again"] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LibsqlError);
    expect(failure).toMatchObject({ code: "SQLITE_CONSTRAINT_UNIQUE" });
    const again = await connection.execute({ sql, args: [43, "Lan"] });
    expect(again.rows).toHaveLength(1);
    const names = await connection.execute('SELECT "name" FROM "Person" WHERE "telegramId" IN (42, 43) ORDER BY 1');
    expect(names.rows.map((r) => r[0])).toEqual(["Hoa", "Lan"]);
  });

  it("keeps serving beyond the size of its statement cache", async () => {
    for (let i = 0; i < 600; i++) {
      const { rows } = await connection.execute({ sql: `SELECT ? + ${i} AS v`, args: [1] });
      expect(rows[0]![0]).toBe(i + 1);
    }
  });

  it("refuses to run once closed", async () => {
    const other = new SqliteConnection(join(dir, "other.db"));
    other.close();
    await expect(other.execute("SELECT 1")).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
  });
});

describe("SqliteConnection under load", () => {
  it("lets the event loop poll between slices of statements, so waiting requests are read", async () => {
    // A timer due now must fire while a long chain of statements runs, not after it.
    let timerFiredAfter = -1;
    let statements = 0;
    setTimeout(() => {
      timerFiredAfter = statements;
    }, 0);
    const started = performance.now();
    while (performance.now() - started < 100) {
      await connection.execute({ sql: 'SELECT count(*) FROM "Person" WHERE "id" > ?', args: [statements] });
      statements++;
    }
    expect(timerFiredAfter).toBeGreaterThanOrEqual(0);
    expect(timerFiredAfter).toBeLessThan(statements);
  });
});
