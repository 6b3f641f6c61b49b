/**
 * A fresh, migrated, throw-away database for tests and benchmarks: a SQLite file in a new
 * temporary folder, or a new database on the PostgreSQL server of `baseUrl`; destroy()
 * closes and removes it.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "./client.ts";
import { connectPg } from "./pg-connection.ts";
import { providerOf } from "./url.ts";

export interface ScratchDatabase extends Database {
  destroy(): Promise<void>;
}

async function onServer(baseUrl: string, sql: string): Promise<void> {
  const client = await connectPg(baseUrl);
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `baseUrl`: any file: URL for SQLite, or a postgresql:// URL naming the server to use. */
export async function createScratchDatabase(baseUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  if (providerOf(baseUrl) === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), `${prefix.replaceAll("_", "-")}-`));
    const database = await openDatabase(`file:${join(dir, `${name}.db`)}`);
    return {
      ...database,
      async destroy() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  await onServer(baseUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.href, { poolSize: 4 });
  return {
    ...database,
    async destroy() {
      await database.close();
      await onServer(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
