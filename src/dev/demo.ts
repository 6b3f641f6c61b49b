/**
 * npm run demo: the real bot, on an embedded SQLite database seeded with the 2019 Sơn La
 * campaign, against a loopback fake Telegram Bot API and a loopback fake Zalo Bot API in this
 * process (both channels on, as a province runs them; the Zalo channel polls its fake), with
 * a terminal chat in front. No token, no network, no database server.
 *
 * On Telegram (npm run demo) the person plays a unit officer of Sông Mã (with a fresh invite
 * to redeem), a coordinator of Sở Nội vụ (named in COORDINATOR_IDS), or a guest. On Zalo
 * (npm run demo -- --zalo) an officer of Sở Công Thương and a coordinator, both linked on
 * Zalo by the demo data, or a Sông Mã officer who redeems the invite with "MOI <code>".
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
import { DEMO_APPRAISER, seedDemoAppraiser, seedDemoProgress, seedZaloPeople, ZALO_DEMO_PEOPLE } from "./demo-data.ts";
import { startFakeBotApi } from "./fake-bot-api.ts";
import { startFakeZaloApi } from "./fake-zalo-api.ts";
import { runTerminalChat } from "./terminal-chat.ts";
import { runZaloChat } from "./zalo-chat.ts";

const DEMO_TOKEN = "7000000001:DEMO-playground-token-not-for-telegram";
const OFFICER = { id: 1001, first_name: "Lò Văn", last_name: "Minh", language_code: "vi" };
const COORDINATOR = { id: 1002, first_name: "Nguyễn Thị Bích", last_name: "Thủy", language_code: "vi" };
const GUEST = { id: 1003, first_name: "Khách", language_code: "vi" };
const DEMO_ZALO_TOKEN = "7300000000:DEMO-playground-zalo-token";
const BOT_NAME = "CCHC Sơn La";

async function main() {
  const onZalo = process.argv.slice(2).includes("--zalo");
  const env = loadEnvFile();
  const databaseUrl = env.DEMO_DATABASE_URL || "file:./data/demo.db";
  const logFile = env.DEMO_LOG_FILE || "data/demo.log";
  mkdirSync(dirname(logFile), { recursive: true });

  const api = await startFakeBotApi({ botInfo: { username: "cchc_demo_bot", first_name: BOT_NAME } });
  const zaloApi = await startFakeZaloApi({ token: DEMO_ZALO_TOKEN, botInfo: { display_name: BOT_NAME } });
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
    ZALO_BOT_TOKEN: DEMO_ZALO_TOKEN,
    ZALO_API_ROOT: zaloApi.url,
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
  // The playground runs both channels (their tokens are the fakes').
  const bot = app.bot!;
  const zalo = app.zalo!;
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
    await seedZaloPeople(database.db, campaign);
    await seedDemoAppraiser(database.db, campaign);
  }
  // The bot must see the moved window at once, not the campaign it read seconds ago.
  forgetCached(database.db, "campaign:");
  const [songMa] = campaign ? await findUnits(database.db, campaign.id, "song-ma") : [];
  const [invite] =
    campaign && songMa
      ? await createInvites(database.db, { campaignId: campaign.id, role: "OFFICER", unitIds: [songMa.id], days: 7 })
      : [];

  const runner = startPolling(bot, app.logger);
  const zaloPolling = zalo.poll();
  // The notice sender and reminder planner, as in npm start: notices reach the fake API too.
  const jobs = startAppJobs(app);
  // The playground's texts (locales/<lang>/playground.json) go to a terminal: plain text, not HTML.
  const t = createI18n(config.DEFAULT_LOCALE, { plainText: true }).forLocale(config.DEFAULT_LOCALE);
  const code = invite?.code ?? "-";
  const shared = {
    locale: config.DEFAULT_LOCALE,
    saveDir: env.DEMO_FILES_DIR || "data/playground",
    busy: () => runner.busy() || zalo.busy(),
  };
  const introVars = {
    code,
    database: databaseUrl,
    log: logFile,
    web: config.PUBLIC_URL,
    deadline: campaign?.selfAssessmentDeadline ? formatDateTime(campaign.selfAssessmentDeadline, config.TZ) : "-",
  };
  try {
    if (onZalo) {
      const { officer, coordinator, newcomer } = ZALO_DEMO_PEOPLE;
      const unit = await database.db.unit.findUnique({ where: { code: officer.unit } });
      const unitName = unit?.shortName ?? officer.unit;
      await runZaloChat({
        ...shared,
        api: zaloApi,
        botName: BOT_NAME,
        users: [
          {
            label: t("playground.zalo.officer_label", { unit: unitName }),
            user: officer,
            hint: t("playground.zalo.officer_hint", { unit: unitName }),
          },
          { label: t("playground.coordinator_label"), user: coordinator, hint: t("playground.zalo.coordinator_hint") },
          { label: t("playground.officer_label"), user: newcomer, hint: t("playground.zalo.newcomer_hint", { code }) },
        ],
        intro: t("playground.zalo.intro", { ...introVars, unit: unitName }),
      });
    } else {
      await runTerminalChat({
        ...shared,
        api,
        users: [
          { label: t("playground.officer_label"), user: OFFICER, hint: t("playground.officer_hint", { code }) },
          { label: t("playground.coordinator_label"), user: COORDINATOR, hint: t("playground.coordinator_hint") },
          { label: t("playground.appraiser_label"), user: DEMO_APPRAISER, hint: t("playground.appraiser_hint") },
          { label: t("playground.guest_label"), user: GUEST, hint: t("playground.guest_hint") },
        ],
        intro: t("playground.intro", introVars),
      });
    }
  } finally {
    await zaloPolling.stop();
    await runner.stop();
    await jobs.stop();
    await closeServer(server);
    await app.store.close();
    await database.close();
    await api.close();
    await zaloApi.close();
  }
}

await main();
