/**
 * npm start: runs the bot against Telegram (or TELEGRAM_API_ROOT), by long polling or
 * webhook, until SIGINT/SIGTERM; in-flight updates finish before the process exits.
 */

import type { Server } from "node:http";
import { run } from "@grammyjs/runner";
import { bootstrap, startAppJobs } from "./app.ts";
import { setDefaultMenus } from "./bot/commands.ts";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { warmAnswerTotals } from "./domain/status.ts";
import { closeServer, createHttpServer, listen } from "./server/http.ts";

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
  const app = await bootstrap(config);
  const { bot, database, logger, i18n } = app;
  await bot.init();
  await setDefaultMenus(bot.api, i18n, config.DEFAULT_LOCALE);

  let stopPolling: (() => Promise<void>) | null = null;
  let server: Server;
  if (config.BOT_MODE === "webhook") {
    const webhookUrl = new URL(config.WEBHOOK_URL!);
    server = createHttpServer({
      bot,
      secretToken: config.WEBHOOK_SECRET,
      webhookPath: webhookUrl.pathname,
      ping: database.ping,
      logger,
      maxConcurrentUpdates: config.WEBHOOK_MAX_CONNECTIONS,
    });
    const port = await listen(server, config.PORT, config.HOST);
    await bot.api.setWebhook(webhookUrl.href, {
      secret_token: config.WEBHOOK_SECRET,
      max_connections: config.WEBHOOK_MAX_CONNECTIONS,
      drop_pending_updates: false,
    });
    logger.info({ port, webhook: webhookUrl.href, bot: bot.botInfo.username }, "webhook mode: listening");
  } else {
    server = createHttpServer({ ping: database.ping, logger });
    const port = await listen(server, config.PORT, config.HOST);
    await bot.api.deleteWebhook();
    const runner = run(bot);
    stopPolling = () => runner.stop();
    logger.info({ port, bot: bot.botInfo.username }, "polling mode: started (health check on /healthz)");
  }

  // Notices (sender) and reminders (planner) run in this process, with the bot.
  const jobs = startAppJobs(app);
  // In the background: coordinators' first look should not wait for a full scan.
  warmAnswerTotals(database.db).catch((err) => logger.warn({ err }, "could not pre-read answer totals"));

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
    await closeServer(server);
    // Sends in flight finish; claimed notices not sent yet go back to the outbox.
    await jobs.stop();
    await database.close();
    clearTimeout(force);
    logger.info("stopped");
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

await main();
