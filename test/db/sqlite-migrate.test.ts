/**
 * Migrations on a new SQLite file while another process has it open. Turning the file to
 * WAL needs every other connection off it and SQLite does not wait for that: two bots
 * started together on an empty file once failed in CI with SQLITE_BUSY from
 * `PRAGMA journal_mode = WAL`. The migration waits for the reader instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../../src/db/migrate.ts";

const dir = mkdtempSync(join(tmpdir(), "sqlite-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("migrate on SQLite", () => {
  it("waits for a reader that holds the new file open, then switches it to WAL and applies everything", async () => {
    const url = `file:${join(dir, "busy.db")}`;
    const reader = createClient({ url });
    await reader.execute("CREATE TABLE early (x INTEGER)");
    // A read transaction holds a shared lock: no exclusive lock (hence no WAL switch) until it ends.
    const tx = await reader.transaction("read");
    await tx.execute("SELECT count(*) FROM early");
    let finished = false;
    const migrating = migrate(url).then((names) => {
      finished = true;
      return names;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(finished).toBe(false);
    await tx.commit();
    const applied = await migrating;
    expect(applied).toEqual((await readMigrations("sqlite")).map((m) => m.name));
    const mode = await reader.execute("PRAGMA journal_mode");
    expect(String(mode.rows[0]?.[0])).toBe("wal");
    reader.close();
  }, 30_000);

  it("a second run on the migrated file applies nothing", async () => {
    const url = `file:${join(dir, "twice.db")}`;
    expect((await migrate(url)).length).toBeGreaterThan(0);
    expect(await migrate(url)).toEqual([]);
  }, 30_000);
});
