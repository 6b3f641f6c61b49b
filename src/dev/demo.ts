/**
 * npm run demo: the real bot, on an embedded SQLite database seeded with the 2019 Sơn La
 * campaign, against a loopback fake Bot API in this process, with a terminal chat in
 * front. No Telegram token, no network, no database server.
 *
 * The person plays a unit officer of Sông Mã (with a fresh invite to redeem), a
 * coordinator of Sở Nội vụ (named in COORDINATOR_IDS), or a guest.
 */

import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import pino from "pino";
import { appWebRoutes, bootstrap, startAppJobs } from "../app.ts";
import { setDefaultMenus } from "../bot/commands.ts";
import { startPolling } from "../bot/polling.ts";
import { loadEnvFile, parseConfig } from "../config.ts";
import { forgetCached } from "../db/read-cache.ts";
import { createInvites } from "../domain/invites.ts";
import { activeCampaign } from "../domain/people.ts";
import { formatDateTime } from "../domain/time.ts";
import { findUnits } from "../domain/units.ts";
import { createI18n } from "../i18n.ts";
import { closeServer, createHttpServer, type HttpServerOptions, listen } from "../server/http.ts";
import { seedDemoProgress } from "./demo-data.ts";
import { startFakeBotApi } from "./fake-bot-api.ts";
import { runTerminalChat } from "./terminal-chat.ts";

const DEMO_TOKEN = "7000000001:DEMO-playground-token-not-for-telegram";
const OFFICER = { id: 1001, first_name: "Lò Văn", last_name: "Minh", language_code: "vi" };
const COORDINATOR = { id: 1002, first_name: "Nguyễn Thị Bích", last_name: "Thủy", language_code: "vi" };
const GUEST = { id: 1003, first_name: "Khách", language_code: "vi" };

async function main() {
  const env = loadEnvFile();
  const databaseUrl = env.DEMO_DATABASE_URL || "file:./data/demo.db";
  const logFile = env.DEMO_LOG_FILE || "data/demo.log";
  mkdirSync(dirname(logFile), { recursive: true });

  const api = await startFakeBotApi({ botInfo: { username: "cchc_demo_bot", first_name: "CCHC Sơn La" } });
  // The bot's web pages (evidence, uploads, exports) on a loopback port: the signed links the
  // bot prints open in a browser on this machine. The pages are attached once the bot is up.
  let pages: HttpServerOptions["web"];
  let ping = async () => {};
  const server = createHttpServer({
    ping: () => ping(),
    logger: pino({ level: "silent" }),
    web: (req, res, path) => pages?.(req, res, path) ?? Promise.resolve(false),
  });
  const port = await listen(server, Number(env.DEMO_PORT || 0), "127.0.0.1");
  const config = parseConfig({
    BOT_TOKEN: DEMO_TOKEN,
    TELEGRAM_API_ROOT: api.url,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    FILES_DIR: env.DEMO_FILES_STORE || "data/demo-files",
    DATABASE_URL: databaseUrl,
    COORDINATOR_IDS: String(COORDINATOR.id),
    TZ: env.TZ,
    DEFAULT_LOCALE: env.DEFAULT_LOCALE,
    LOG_LEVEL: env.LOG_LEVEL || "info",
  });
  // Logs go to a file: the terminal belongs to the chat.
  const logger = pino({ level: config.LOG_LEVEL }, createWriteStream(logFile, { flags: "a" }));
  const app = await bootstrap(config, { logger });
  const { database, i18n } = app;
  // The playground always runs Telegram's side (its token is the fake's).
  const bot = app.bot!;
  pages = appWebRoutes(app);
  ping = database.ping;
  await bot.init();
  await setDefaultMenus(bot.api, i18n, config.DEFAULT_LOCALE);

  // The 2019 window is long past; the playground moves it around today so that a person
  // can answer. Only the demo database is touched.
  const active = await activeCampaign(database.db);
  const now = Date.now();
  const campaign =
    active &&
    (await database.db.campaign.update({
      where: { id: active.id },
      data: {
        selfAssessmentOpensAt: new Date(now - 7 * 86_400_000),
        selfAssessmentDeadline: new Date(now + 30 * 86_400_000),
      },
    }));
  // A campaign in motion, on a new demo database: other units part-way, one submitted, visits.
  if (campaign) {
    await seedDemoProgress(database.db, campaign, {
      timeZone: config.TZ,
      reminders: { timeZone: config.TZ, visitDays: config.VISIT_REMINDER_DAYS, reminderTime: config.REMINDER_TIME },
      now: new Date(now),
    });
  }
  // The bot must see the moved window at once, not the campaign it read seconds ago.
  forgetCached(database.db, "campaign:");
  const [songMa] = campaign ? await findUnits(database.db, campaign.id, "song-ma") : [];
  const [invite] =
    campaign && songMa
      ? await createInvites(database.db, { campaignId: campaign.id, role: "OFFICER", unitIds: [songMa.id], days: 7 })
      : [];

  const runner = startPolling(bot, app.logger);
  // The notice sender and reminder planner, as in npm start: notices reach the fake API too.
  const jobs = startAppJobs(app);
  // The playground's texts (locales/<lang>/playground.json) go to a terminal: plain text, not HTML.
  const t = createI18n(config.DEFAULT_LOCALE, { plainText: true }).forLocale(config.DEFAULT_LOCALE);
  const code = invite?.code ?? "-";
  try {
    await runTerminalChat({
      api,
      locale: config.DEFAULT_LOCALE,
      users: [
        { label: t("playground.officer_label"), user: OFFICER, hint: t("playground.officer_hint", { code }) },
        { label: t("playground.coordinator_label"), user: COORDINATOR, hint: t("playground.coordinator_hint") },
        { label: t("playground.guest_label"), user: GUEST, hint: t("playground.guest_hint") },
      ],
      saveDir: env.DEMO_FILES_DIR || "data/playground",
      busy: runner.busy,
      intro: t("playground.intro", {
        code,
        database: databaseUrl,
        log: logFile,
        web: config.PUBLIC_URL,
        deadline: campaign?.selfAssessmentDeadline ? formatDateTime(campaign.selfAssessmentDeadline, config.TZ) : "-",
      }),
    });
  } finally {
    await runner.stop();
    await jobs.stop();
    await closeServer(server);
    await app.store.close();
    await database.close();
    await api.close();
  }
}

await main();
