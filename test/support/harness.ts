/**
 * The real bot on a real database, with the 2019 Sơn La campaign imported, fed real
 * Update objects; outgoing API calls are recorded instead of sent.
 */
import type { Update, User } from "grammy/types";
import { type App, BUNDLED_CAMPAIGN_FILE } from "../../src/app.ts";
import { createBot } from "../../src/bot/index.ts";
import { parseConfig } from "../../src/config.ts";
import { forgetCached } from "../../src/db/read-cache.ts";
import { startFakeBotApi } from "../../src/dev/fake-bot-api.ts";
import { loadDataFile } from "../../src/domain/data-file.ts";
import { importData } from "../../src/domain/importer.ts";
import { createInvites } from "../../src/domain/invites.ts";
import { createI18n } from "../../src/i18n.ts";
import { createLogger } from "../../src/logger.ts";
import { secretsOf } from "../../src/secrets.ts";
import { createFileStore } from "../../src/storage/index.ts";
import { ApiRecorder, TEST_BOT } from "./api-recorder.ts";
import { createTestDatabase } from "./database.ts";
import { telegramUser } from "./people.ts";
import { tempDir } from "./temp.ts";
import { callbackUpdate, sendClock, textUpdate } from "./updates.ts";

const DAY = 86_400_000;

export const TEST_TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz";

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Where evidence copies go (default: a local folder of the test's own). */
  fileStorage?: "local" | "database";
  /**
   * A loopback Bot API that serves files people "send" (getFile and the download): for tests
   * of evidence copies. Other calls stay recorded, not sent.
   */
  telegramFiles?: boolean;
  /** The bot token (default TEST_TOKEN). */
  token?: string;
  /**
   * A password in DATABASE_URL on PostgreSQL (the local server trusts every connection, so
   * it is carried but not checked): for tests that look for it where it must not be.
   */
  databasePassword?: string;
}

/** The URL with `password` in it (PostgreSQL URLs only). */
function withPassword(url: string, password: string | undefined): string {
  if (!password || !url.startsWith("postgres")) return url;
  const u = new URL(url);
  u.password = password;
  return u.href;
}

export async function createHarness(options: HarnessOptions = {}) {
  const database = await createTestDatabase();
  const files = options.telegramFiles ? await startFakeBotApi() : null;
  const config = parseConfig({
    BOT_TOKEN: options.token ?? TEST_TOKEN,
    DATABASE_URL: withPassword(database.url, options.databasePassword),
    FILE_STORAGE: options.fileStorage ?? "local",
    FILES_DIR: tempDir("files"),
    ...(files ? { TELEGRAM_API_ROOT: files.url } : {}),
    ...options.env,
  });
  const store = createFileStore(config, database);
  await importData(database.db, await loadDataFile(BUNDLED_CAMPAIGN_FILE), config.TZ);
  const recorder = new ApiRecorder();
  if (files) recorder.passThrough.add("getFile");
  // Log lines are kept for assertions (and printed with TEST_LOG=1).
  const logs: Record<string, unknown>[] = [];
  // The production logger (serializers, redaction), writing here.
  const logger = createLogger("debug", {
    secrets: secretsOf(config),
    destination: {
      write(line: string) {
        logs.push(JSON.parse(line));
        if (process.env.TEST_LOG) process.stderr.write(line);
      },
    },
  });
  const i18n = createI18n(config.DEFAULT_LOCALE);
  // A clock tests can move; it follows real time until set.
  const clock = { fixed: null as Date | null, now: () => clock.fixed ?? new Date() };
  sendClock.now = clock.now;
  /**
   * A bot on this database: recorded by default, or talking to a real Bot API address
   * (`apiRoot`) with nothing recorded.
   */
  const newBot = (options: { apiRoot?: string } = {}) =>
    createBot(
      options.apiRoot ? { ...config, TELEGRAM_API_ROOT: options.apiRoot } : config,
      { db: database.db, logger, i18n, store, now: clock.now },
      { botInfo: TEST_BOT, transformers: options.apiRoot ? [] : [recorder.transformer] },
    );
  let bot = newBot();
  const db = database.db;
  const campaign = await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });

  return {
    get bot() {
      return bot;
    },
    /** A new bot instance on the same database, as after a restart (memory starts empty). */
    restart() {
      forgetCached(database.db);
      bot = newBot();
    },
    newBot,
    store,
    /** The loopback Bot API holding the files people send (with telegramFiles). */
    files,
    clock,
    config,
    logger,
    database,
    db,
    i18n,
    recorder,
    logs,
    campaign,
    /** Feeds one update through the bot, as Telegram would deliver it. */
    async handle(update: Update) {
      await bot.handleUpdate(update);
    },
    async send(from: User, text: string) {
      recorder.clear();
      await bot.handleUpdate(textUpdate(from, text));
      return recorder.texts();
    },
    async press(from: User, data: string, messageId?: number) {
      recorder.clear();
      await bot.handleUpdate(callbackUpdate(from, data, messageId));
      return recorder.calls;
    },
    /** Presses the button of the last keyboard whose label contains `label`. */
    async tap(from: User, label: string | RegExp) {
      return this.press(from, recorder.button(label), 777);
    },
    /** This harness as the app the HTTP pages serve (appWebRoutes), with its bot; `zalo` when given. */
    app(zalo: App["zalo"] = null): App {
      return { config, database, store, i18n, logger, bot, zalo };
    },
    /** Opens a campaign's self-assessment window around now: a week ago to 30 days ahead. */
    openSelfAssessment(code = "son-la-2019") {
      const now = Date.now();
      return db.campaign.update({
        where: { code },
        data: {
          status: "SELF_ASSESSMENT",
          selfAssessmentOpensAt: new Date(now - 7 * DAY),
          selfAssessmentDeadline: new Date(now + 30 * DAY),
        },
      });
    },
    async unit(code: string) {
      return db.unit.findUniqueOrThrow({ where: { code } });
    },
    /** Links a Telegram user as an officer of a unit, through an invite and /start; returns their person id. */
    async linkOfficer(from: User, unitCode: string): Promise<number> {
      const unit = await db.unit.findUniqueOrThrow({ where: { code: unitCode } });
      const [invite] = await createInvites(db, { campaignId: campaign.id, role: "OFFICER", unitIds: [unit.id] });
      await this.send(from, `/start ${invite!.code}`);
      return (await db.person.findFirstOrThrow({ where: telegramUser(from.id) })).id;
    },
    async close() {
      await store.close();
      await files?.close();
      await database.destroy();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
