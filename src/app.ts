/**
 * Wiring shared by every way of running the bot (npm start, npm run demo, benchmarks):
 * database (migrated), translations, logger and the bot itself.
 */
import { join } from "node:path";
import type { Bot } from "grammy";
import { type BotContext, type CreateBotOptions, createBot } from "./bot/index.ts";
import { createZaloApi } from "./channels/zalo/api.ts";
import { createZaloChannel, type ZaloChannel } from "./channels/zalo/index.ts";
import type { Config } from "./config.ts";
import { type Database, openDatabase } from "./db/client.ts";
import { forgetOldUpdates } from "./db/exactly-once.ts";
import { loadDataFile } from "./domain/data-file.ts";
import { importData } from "./domain/importer.ts";
import { accountsOf, deliveryAccount } from "./domain/people.ts";
import { createI18n, type I18n } from "./i18n.ts";
import { type Jobs, type JobsOptions, startJobs } from "./jobs/index.ts";
import { createLogger, type Logger } from "./logger.ts";
import { DATA_DIR } from "./paths.ts";
import { secretsOf } from "./secrets.ts";
import { webRoutes } from "./server/web/routes.ts";
import { createFileStore, type FileStore } from "./storage/index.ts";

export const BUNDLED_CAMPAIGN_FILE = join(DATA_DIR, "son-la-2019.yaml");

export interface App {
  config: Config;
  database: Database;
  /** The province's copies of evidence and exports; close it before the database. */
  store: FileStore;
  i18n: I18n;
  logger: Logger;
  /** The Telegram bot; null when Telegram is off (no BOT_TOKEN, a bot on Zalo only). */
  bot: Bot<BotContext> | null;
  /** The Zalo channel (the same bot on Zalo), when ZALO_BOT_TOKEN is set. */
  zalo: ZaloChannel | null;
}

export interface BootstrapOptions extends CreateBotOptions {
  logger?: Logger;
  now?: () => Date;
}

/**
 * On an empty database, loads the campaign this product starts from (Decision 53/QĐ-UBND).
 * Two instances starting together on an empty database both get here: the import takes
 * the import lock and checks for a campaign again under it, so one seeds and the other
 * finds the campaign there.
 */
export async function seedIfEmpty(database: Database, config: Config, logger: Logger): Promise<void> {
  if ((await database.db.campaign.count()) > 0) return;
  const report = await importData(database.db, await loadDataFile(BUNDLED_CAMPAIGN_FILE), config.TZ, {
    onlyIfEmpty: true,
    source: { file: BUNDLED_CAMPAIGN_FILE, by: "bot start (empty database)" },
  });
  if (report.skipped) logger.info("empty database: another instance imported the campaign meanwhile");
  else logger.info({ file: BUNDLED_CAMPAIGN_FILE, report }, "empty database: imported the bundled campaign");
}

export async function bootstrap(config: Config, options: BootstrapOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, { secrets: secretsOf(config) });
  const database = await openDatabase(config.DATABASE_URL, {
    onConnectionError: (err) => logger.warn({ err }, "database connection lost; reconnecting on next use"),
  });
  await seedIfEmpty(database, config, logger);
  await forgetOldUpdates(database.db, new Date());
  const i18n = createI18n(config.DEFAULT_LOCALE);
  const store = createFileStore(config, database);
  const deps = { db: database.db, logger, i18n, store, now: options.now };
  const bot = config.BOT_TOKEN ? createBot(config, deps, options) : null;
  const zalo = config.ZALO_BOT_TOKEN
    ? createZaloChannel({
        config,
        deps,
        zalo: createZaloApi({ token: config.ZALO_BOT_TOKEN, apiRoot: config.ZALO_API_ROOT }),
      })
    : null;
  return { config, database, store, i18n, logger, bot, zalo };
}

/**
 * Starts the background jobs of a bootstrapped app: the notice sender and the reminder
 * planner (see src/jobs/). Stop them with `jobs.stop()` before closing the database.
 */
export function startAppJobs(app: App, options: Partial<JobsOptions> = {}): Jobs {
  return startJobs({
    config: app.config,
    db: app.database.db,
    i18n: app.i18n,
    logger: app.logger,
    store: app.store,
    ...(app.bot ? { api: app.bot.api } : {}),
    zaloApi: app.zalo?.bot.api,
    ...options,
  });
}

/**
 * The pages signed links open (src/server/web/routes.ts), for the HTTP server of a
 * bootstrapped app; a confirmation goes to the person's chat through the bot.
 */
export function appWebRoutes(app: App) {
  const { database, i18n, logger, config, store, bot, zalo } = app;
  const apis = { telegram: bot?.api, zalo: zalo?.bot.api };
  const channels = Object.entries(apis)
    .filter(([, api]) => api)
    .map(([name]) => name);
  return webRoutes({
    db: database.db,
    store,
    i18n,
    logger,
    config,
    notify: async (personId, text) => {
      const person = await accountsOf(database.db, personId);
      const account = person && deliveryAccount(person.channels, person.preferredChannel, channels);
      if (!person || !account) return;
      const api = apis[account.channel as keyof typeof apis]!;
      // Telegram chat ids are numbers; Zalo's stay strings (its bridge renders the text).
      const chatId = account.channel === "telegram" ? Number(account.chatId) : (account.chatId as unknown as number);
      await api.sendMessage(chatId, text(i18n.forLocale(person.locale)));
    },
  });
}
