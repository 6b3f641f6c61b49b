import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createClient } from "@libsql/client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BUNDLED_CAMPAIGN_FILE } from "../src/app.ts";
import { openDatabase } from "../src/db/client.ts";
import { connectPg } from "../src/db/pg-connection.ts";
import { providerOf } from "../src/db/url.ts";
import { type FakeBotApi, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { IMPORT_LOCK_KEY } from "../src/domain/importer.ts";
import { runCli } from "./support/cli.ts";
import { TEST_DATABASE_URL } from "./support/database.ts";
import { tempDir } from "./support/temp.ts";

/**
 * Imports and the bot's first start on one database at the same time, as separate
 * processes (SQLite's write lock and PostgreSQL's locks are per connection, and a process
 * of its own is what an operator or a second instance is): they wait for each other.
 */
const tmp = tempDir("concurrent");
const pg = providerOf(TEST_DATABASE_URL) === "postgresql";
const dropped: string[] = [];

/** A database nobody has created or migrated yet. */
async function emptyDatabase(): Promise<string> {
  const name = `cchc_race_${process.pid}_${randomBytes(4).toString("hex")}`;
  if (!pg) return `file:${join(tmp, `${name}.db`)}`;
  const admin = await connectPg(TEST_DATABASE_URL);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  dropped.push(name);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.href;
}
afterAll(async () => {
  if (!dropped.length) return;
  const admin = await connectPg(TEST_DATABASE_URL);
  for (const name of dropped) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

async function counts(url: string) {
  const database = await openDatabase(url, { migrate: false, poolSize: 1 });
  try {
    const db = database.db;
    return {
      campaigns: await db.campaign.count(),
      units: await db.unit.count(),
      questions: await db.question.count(),
      visits: await db.inspectionVisit.count(),
      imports: await db.auditLog.count({ where: { action: "campaign.import" } }),
    };
  } finally {
    await database.close();
  }
}

const SEEDED = { campaigns: 1, units: 12, questions: 70, visits: 3 };

describe("two imports at once", () => {
  it("on an empty database, both finish: one creates, the other finds everything there", async () => {
    const url = await emptyDatabase();
    const [a, b] = await Promise.all([
      runCli(["import", BUNDLED_CAMPAIGN_FILE], { DATABASE_URL: url }),
      runCli(["import", BUNDLED_CAMPAIGN_FILE], { DATABASE_URL: url }),
    ]);
    expect([a.stderr, b.stderr]).toEqual(["", ""]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([a.stdout, b.stdout].filter((o) => o.includes("units: 12 created"))).toHaveLength(1);
    expect([a.stdout, b.stdout].filter((o) => o.includes("units: 0 created, 0 updated, 12 unchanged"))).toHaveLength(1);
    expect(await counts(url)).toMatchObject(SEEDED);
  }, 120_000);

  it("an import waits while another holds the import lock longer than SQLite's busy timeout", async () => {
    const url = await emptyDatabase();
    expect((await runCli(["import", BUNDLED_CAMPAIGN_FILE], { DATABASE_URL: url })).code).toBe(0);
    // Another import's transaction, held for 12 s from this process (longer than a CLI takes to start plus SQLite's 5 s busy timeout).
    const HOLD_MS = 12_000;
    let release: () => Promise<void>;
    if (pg) {
      const client = await connectPg(url);
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1)", [IMPORT_LOCK_KEY]);
      release = async () => {
        await client.query("COMMIT");
        await client.end();
      };
    } else {
      const client = createClient({ url });
      await client.execute("BEGIN IMMEDIATE");
      release = async () => {
        await client.execute("COMMIT");
        client.close();
      };
    }
    const importing = runCli(["import", BUNDLED_CAMPAIGN_FILE], { DATABASE_URL: url }).then((r) => ({
      ...r,
      finishedAt: Date.now(),
    }));
    await new Promise((r) => setTimeout(r, HOLD_MS));
    const releasedAt = Date.now();
    await release();
    const result = await importing;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("units: 0 created, 0 updated, 12 unchanged");
    // It waited for the lock, and did not finish before it was released.
    expect(result.finishedAt).toBeGreaterThanOrEqual(releasedAt);
  }, 120_000);
});

describe("two bot instances started together on an empty database", () => {
  let api: FakeBotApi | undefined;
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children) c.kill("SIGKILL");
    await api?.close();
  });

  it("both start; the campaign is imported once", async () => {
    api = await startFakeBotApi();
    const url = await emptyDatabase();
    const start = (n: number) => {
      // One process (tsx as a loader, not its wrapper CLI), so that killing it leaves nothing behind.
      const loader = pathToFileURL(resolve("node_modules/tsx/dist/loader.mjs")).href;
      const child = spawn(process.execPath, ["--import", loader, resolve("src/main.ts")], {
        cwd: tmp,
        env: {
          PATH: process.env.PATH,
          BOT_TOKEN: "123456:RACE-test-token-abcdefghijklmnop",
          TELEGRAM_API_ROOT: api!.url,
          DATABASE_URL: url,
          BOT_MODE: "webhook",
          WEBHOOK_URL: `https://cchc.example.vn/hook/${n}`,
          WEBHOOK_SECRET: "secret-token-for-tests-123",
          PORT: "0",
          HOST: "127.0.0.1",
          LOG_LEVEL: "info",
        },
      });
      children.push(child);
      let log = "";
      child.stdout!.on("data", (d) => (log += d));
      child.stderr!.on("data", (d) => (log += d));
      const listening = (async () => {
        for (let i = 0; i < 600 && !log.includes("webhook mode: listening"); i++) {
          if (child.exitCode !== null) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        return log;
      })();
      return { child, listening };
    };
    const bots = [start(1), start(2)];
    const logs = await Promise.all(bots.map((b) => b.listening));
    for (const log of logs) expect(log).toContain("webhook mode: listening");
    expect(logs.filter((l) => l.includes("empty database: imported the bundled campaign"))).toHaveLength(1);
    expect(await counts(url)).toMatchObject({ ...SEEDED, imports: 1 });
    // Both keep running (a clean stop on SIGTERM is test/main.test.ts's business).
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bots.map((b) => b.child.exitCode)).toEqual([null, null]);
  }, 120_000);
});
