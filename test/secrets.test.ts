/**
 * The bot token, the webhook secret and the database password are never rendered, stored or
 * logged: each failure path that used to leak them is provoked, then the log, every table
 * and every message sent are searched for them.
 */
import type { Server } from "node:http";
import { Api, HttpError } from "grammy";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startPolling } from "../src/bot/polling.ts";
import { createInvites } from "../src/domain/invites.ts";
import { enqueueNotices } from "../src/domain/notices.ts";
import { NoticeSender } from "../src/jobs/sender.ts";
import { createLogger } from "../src/logger.ts";
import { closeServer, createHttpServer, listen } from "../src/server/http.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { textUpdate, user } from "./support/updates.ts";

// Recognisable values: any trace of them anywhere is a leak.
const TOKEN = "987654321:LEAKCANARY-token-AAbbCCddEEffGGhh";
const TOKEN_HALF = "LEAKCANARY-token-AAbbCCddEEffGGhh";
const WEBHOOK_SECRET = "LEAKCANARY-webhook-secret-42";
const DB_PASSWORD = "LEAKCANARY-pg-passw0rd";
const CANARIES = [TOKEN_HALF, WEBHOOK_SECRET, DB_PASSWORD];

let h: Harness;
let server: Server;
let base: string;
const coordinator = user(9101, "Nguyễn Thị Bích Thủy");
const officer = user(9102, "Lò Văn Minh");

beforeAll(async () => {
  h = await createHarness({
    token: TOKEN,
    databasePassword: DB_PASSWORD,
    env: { COORDINATOR_IDS: String(coordinator.id), WEBHOOK_SECRET, BOT_MODE: "polling" },
  });
  const [invite] = await createInvites(h.db, {
    campaignId: h.campaign.id,
    role: "OFFICER",
    unitIds: [(await h.unit("so-tu-phap")).id],
  });
  await h.send(officer, `/start ${invite!.code}`);
  server = createHttpServer({
    bot: h.bot,
    db: h.db,
    secretToken: WEBHOOK_SECRET,
    webhookPath: "/telegram/webhook",
    ping: h.database.ping,
    logger: h.logger,
  });
  base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
});
afterAll(async () => {
  await closeServer(server);
  await h.close();
});

/** Every text column of every row of every table, as one string. */
async function wholeDatabase(): Promise<string> {
  const tables =
    h.database.provider === "sqlite"
      ? await h.db.$queryRawUnsafe<{ name: string }[]>(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
        )
      : await h.db.$queryRawUnsafe<{ name: string }[]>(
          `SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public'`,
        );
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await h.db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${name}"`);
    parts.push(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  }
  return parts.join("\n");
}

function expectNoSecretIn(where: string, text: string) {
  for (const canary of CANARIES) expect(text.includes(canary), `${where} contains a secret`).toBe(false);
}

async function expectNoLeak() {
  expectNoSecretIn("the log", JSON.stringify(h.logs));
  expectNoSecretIn("the database", await wholeDatabase());
  expectNoSecretIn("the messages sent", JSON.stringify(h.recorder.calls));
}

/** The error a network failure produces: grammY's HttpError around the fetch error naming the URL. */
function networkError(method: string, code = "ENOTFOUND") {
  const cause = Object.assign(
    new Error(`request to https://api.telegram.org/bot${TOKEN}/${method} failed, reason: getaddrinfo ${code}`),
    { code, type: "system" },
  );
  return new HttpError(`Network request for '${method}' failed!`, cause);
}

describe("a network error while sending a notice", () => {
  it.each([
    ["a DNS failure", "http://telegram.invalid", "ENOTFOUND"],
    ["a refused connection", "http://127.0.0.1:9", "ECONNREFUSED"],
  ])("after %s, stores and shows the error code, never the token", async (_what, apiRoot, code) => {
    const recipient = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(officer.id)) });
    await h.db.notice.deleteMany({});
    await h.db.noticePacer.deleteMany({});
    await enqueueNotices(h.db, [
      {
        recipientId: recipient.id,
        campaignId: h.campaign.id,
        kind: "assessment.reminder",
        payload: { unitName: "Sở Tư pháp", deadline: null, missing: [], sentBy: "Thủy" },
        dueAt: new Date(),
        idempotencyKey: `leak:${code}`,
      },
    ]);
    // The real sender on a real Api whose requests fail on the network, token in the URL.
    const sender = new NoticeSender({
      db: h.db,
      api: new Api(TOKEN, { apiRoot, timeoutSeconds: 5 }),
      i18n: h.i18n,
      logger: h.logger,
      timeZone: h.config.TZ,
      coordinatorIds: h.config.COORDINATOR_IDS,
      ratePerSecond: 200,
      perChatIntervalMs: 0,
      maxAttempts: 1,
    });
    await sender.drain({ timeoutMs: 10_000 });
    const notice = await h.db.notice.findFirstOrThrow({ where: { idempotencyKey: `leak:${code}` } });
    expect([notice.status, notice.lastError]).toEqual(["FAILED", `network: ${code}`]);

    const report = (await h.send(coordinator, "/xacnhan")).join("\n");
    expect(report).toContain(`Lò Văn Minh: không kết nối được tới Telegram (mã ${code})`);
    await expectNoLeak();
  });
});

describe("errors while handling an update", () => {
  it("a database error in the duplicate check (webhook) is logged by its own fields", async () => {
    await h.db.$executeRawUnsafe(`ALTER TABLE "ProcessedUpdate" RENAME TO "ProcessedUpdateGone"`);
    try {
      h.recorder.clear();
      const res = await fetch(`${base}/telegram/webhook`, {
        method: "POST",
        headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET },
        body: JSON.stringify(textUpdate(officer, "/tudanhgia")),
      });
      expect(res.status).toBe(200);
    } finally {
      await h.db.$executeRawUnsafe(`ALTER TABLE "ProcessedUpdateGone" RENAME TO "ProcessedUpdate"`);
    }
    // The officer gets the apology with a reference, the log one short line.
    expect(h.recorder.lastText()).toMatch(/mã lỗi: [0-9A-F]{6}/);
    const line = h.logs.find((l) => l.msg === "update failed")!;
    expect(line.err).toMatchObject({ type: "PrismaClientKnownRequestError" });
    expect(JSON.stringify(line).length).toBeLessThan(4_000);
    expect(JSON.stringify(line)).not.toContain("BOT_TOKEN");
    await expectNoLeak();
  });

  it("a failed reply (network) is logged without the request URL", async () => {
    h.recorder.failWith("sendMessage", networkError("sendMessage"));
    h.recorder.failWith("sendMessage", networkError("sendMessage", "ECONNRESET"));
    await h.send(officer, "/tudanhgia");
    const failed = h.logs.filter((l) => l.msg === "update failed" || String(l.msg).startsWith("could not tell"));
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(failed)).toContain('"code":"ENOTFOUND"');
    await expectNoLeak();
  });

  it("a failed getUpdates in polling mode is logged through the logger, never printed with its URL", async () => {
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const offline = h.newBot({ apiRoot: "http://127.0.0.1:9" });
    const runner = startPolling(offline, h.logger);
    await vi.waitFor(() => expect(h.logs.some((l) => l.msg === "getUpdates failed; trying again")).toBe(true), {
      timeout: 5_000,
    });
    await runner.stop();
    expect(JSON.stringify(printed.mock.calls)).not.toContain(TOKEN_HALF);
    printed.mockRestore();
    await expectNoLeak();
  });
});

describe("the logger", () => {
  const lines: string[] = [];
  const logger = createLogger("info", {
    secrets: [TOKEN, WEBHOOK_SECRET, DB_PASSWORD],
    destination: { write: (l: string) => void lines.push(l) },
  });

  it("blanks fields that hold secrets, and secret values wherever they hide", () => {
    logger.info({ config: { BOT_TOKEN: TOKEN, DATABASE_URL: `postgresql://u:${DB_PASSWORD}@h/db` } }, "config");
    logger.info({ url: `https://api.telegram.org/bot${TOKEN}/getMe` }, `secret ${WEBHOOK_SECRET} in a message`);
    logger.warn({ err: networkError("getMe") }, "failed");
    for (const canary of CANARIES) expect(lines.join("\n")).not.toContain(canary);
    expect(lines[0]).toContain('"BOT_TOKEN":"[redacted]"');
    expect(lines[1]).toContain("bot[redacted]/getMe");
  });

  it("logs an error by its own fields only", () => {
    const err = Object.assign(new Error("boom"), { ctx: { config: { BOT_TOKEN: TOKEN }, big: "x".repeat(100_000) } });
    logger.error({ err }, "failed");
    const line = JSON.parse(lines.at(-1)!);
    expect(Object.keys(line.err).sort()).toEqual(["message", "stack", "type"]);
  });
});
