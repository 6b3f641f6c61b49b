/**
 * npm start: runs the bot against Telegram (or TELEGRAM_API_ROOT), by long polling or
 * webhook, until SIGINT/SIGTERM; in-flight updates finish before the process exits.
 */

import type { Server } from "node:http";
import { type App, appWebRoutes, bootstrap, startAppJobs } from "./app.ts";
import { setDefaultMenus } from "./bot/commands.ts";
import { startPolling } from "./bot/polling.ts";
import { createZaloApi } from "./channels/zalo/api.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { DatabaseConnectError } from "./db/pg-connection.ts";
import { warmTotals } from "./domain/ranking.ts";
import { closeServer, createHttpServer, listen } from "./server/http.ts";
import { replayPendingUpdates } from "./server/webhook.ts";

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  let app: App;
  try {
    app = await bootstrap(config);
  } catch (e) {
    // The database refused us (no TLS where the URL asks for it, a wrong password): one line.
    if (e instanceof DatabaseConnectError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const { bot, database, logger, i18n, zalo } = app;
  if (bot) {
    await bot.init();
    await setDefaultMenus(bot.api, i18n, config.DEFAULT_LOCALE);
  }
  // The pages signed links open, and Zalo's webhook when Zalo posts to this server.
  const zaloPath = zalo && config.ZALO_MODE === "webhook" ? new URL(config.ZALO_WEBHOOK_URL!).pathname : null;
  const pages = appWebRoutes(app);
  const zaloRoute = zalo && zaloPath ? zalo.route(zaloPath) : null;
  const web: typeof pages = async (req, res, path) =>
    (zaloRoute !== null && (await zaloRoute(req, res, path))) || pages(req, res, path);

  let stopPolling: (() => Promise<void>) | null = null;
  let stopReplay: (() => void) | null = null;
  let server: Server;
  // Said once everything runs and SIGINT/SIGTERM are handled: a supervisor (or a test)
  // that stops the bot as soon as it reads this gets a clean shutdown.
  let ready: () => void;
  if (!bot) {
    // Zalo only: the server carries the pages (and Zalo's webhook).
    server = createHttpServer({ ping: database.ping, logger, web });
    const port = await listen(server, config.PORT, config.HOST);
    ready = () => logger.info({ port }, "telegram off (no BOT_TOKEN): serving Zalo only");
  } else if (config.BOT_MODE === "webhook") {
    const webhookUrl = new URL(config.WEBHOOK_URL!);
    server = createHttpServer({
      bot,
      db: database.db,
      secretToken: config.WEBHOOK_SECRET,
      webhookPath: webhookUrl.pathname,
      ping: database.ping,
      logger,
      maxConcurrentUpdates: config.WEBHOOK_MAX_CONNECTIONS,
      web,
    });
    const port = await listen(server, config.PORT, config.HOST);
    await bot.api.setWebhook(webhookUrl.href, {
      secret_token: config.WEBHOOK_SECRET,
      max_connections: config.WEBHOOK_MAX_CONNECTIONS,
      drop_pending_updates: false,
    });
    ready = () => logger.info({ port, webhook: webhookUrl.href, bot: bot.botInfo.username }, "webhook mode: listening");
    // Updates a previous process acknowledged but did not finish, now and every minute
    // (another instance's crash is noticed here too).
    const replay = () =>
      replayPendingUpdates(bot, {
        db: database.db,
        i18n,
        logger,
        defaultLocale: config.DEFAULT_LOCALE,
        timeZone: config.TZ,
      }).catch((err) => logger.warn({ err }, "could not read pending updates"));
    void replay();
    const timer = setInterval(replay, 60_000);
    timer.unref();
    stopReplay = () => clearInterval(timer);
  } else {
    server = createHttpServer({ ping: database.ping, logger, web });
    const port = await listen(server, config.PORT, config.HOST);
    await bot.api.deleteWebhook();
    const runner = startPolling(bot, logger);
    stopPolling = () => runner.stop();
    ready = () => logger.info({ port, bot: bot.botInfo.username }, "polling mode: started (health check on /healthz)");
  }

  // Zalo: events by webhook (the route above) or by long polling, and those a dead
  // process kept but did not finish, now and every minute.
  let stopZalo: (() => Promise<void>) | null = null;
  if (zalo) {
    const zaloApi = createZaloApi({ token: config.ZALO_BOT_TOKEN!, apiRoot: config.ZALO_API_ROOT });
    if (zaloPath) {
      await zaloApi.setWebhook({ url: config.ZALO_WEBHOOK_URL!, secret_token: config.ZALO_WEBHOOK_SECRET! });
    } else {
      await zaloApi.deleteWebhook();
    }
    const poller = zaloPath ? null : zalo.poll();
    const replayZalo = () =>
      zalo.replayPending().catch((err) => logger.warn({ err }, "could not read pending Zalo events"));
    void replayZalo();
    const zaloTimer = setInterval(replayZalo, 60_000);
    zaloTimer.unref();
    stopZalo = async () => {
      clearInterval(zaloTimer);
      await poller?.stop();
      await zalo.idle();
    };
    logger.info({ mode: zaloPath ? "webhook" : "polling" }, "zalo channel started");
  }

  // Notices (sender) and reminders (planner) run in this process, with the bot.
  const jobs = startAppJobs(app);
  // In the background: coordinators' first look should not wait for a full scan.
  warmTotals(database.db).catch((err) => logger.warn({ err }, "could not pre-read answer totals"));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: finishing in-flight updates");
    const force = setTimeout(() => {
      logger.error("shutdown took longer than 20 s; exiting");
      process.exit(1);
    }, 20_000).unref();
    await stopPolling?.();
    await stopZalo?.();
    stopReplay?.();
    await closeServer(server);
    // Sends in flight finish; claimed notices not sent yet go back to the outbox.
    await jobs.stop();
    await app.store.close();
    await database.close();
    clearTimeout(force);
    logger.info("stopped");
    process.exit(0);
  };
  // Last resort: logged by their own fields (never the token), then a clean exit for a
  // supervisor to restart (README, "Running in production"). A rejection nobody awaited is
  // logged and the bot goes on.
  process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));
  process.on("uncaughtException", (err) => {
    logger.fatal({ err }, "uncaught exception; exiting");
    process.exit(1);
  });
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  ready();
}

await main();
