/**
 * Long polling through @grammyjs/runner, with two things the runner does not do:
 * - an update handed back as not handled (the database was unavailable, see
 *   src/bot/middlewares/error-boundary.ts) is tried again with growing pauses instead of
 *   being dropped: getUpdates has already confirmed it to Telegram, nothing else would;
 * - a failed getUpdates is logged through our logger (the runner prints the error object,
 *   whose cause names the request URL with the bot token).
 */
import { type RunnerHandle, run } from "@grammyjs/runner";
import type { Bot, BotError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.ts";
import type { BotContext } from "./context.ts";
import { UpdateNotHandled } from "./middlewares/error-boundary.ts";

/** Pauses between tries: 1 s doubling to 1 min, for up to about 15 minutes in all. */
const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 60_000;
const GIVE_UP_AFTER_MS = 15 * 60_000;

export interface PollingOptions {
  firstPauseMs?: number;
  giveUpAfterMs?: number;
}

/** Handles an update, trying again while the database is unavailable. */
export async function handleWithRetry(
  bot: Bot<BotContext>,
  update: Update,
  logger: Logger,
  options: PollingOptions = {},
): Promise<void> {
  const started = Date.now();
  for (let pause = options.firstPauseMs ?? FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    try {
      return await bot.handleUpdate(update);
    } catch (e) {
      const notHandled = (e as { error?: unknown }).error instanceof UpdateNotHandled;
      if (!notHandled || Date.now() - started + pause > (options.giveUpAfterMs ?? GIVE_UP_AFTER_MS)) throw e;
      logger.info(
        { update_id: update.update_id, retryInMs: pause },
        "database unavailable: will handle the update again",
      );
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}

export interface Polling extends RunnerHandle {
  /** Whether an update is being handled right now (the playground waits for it). */
  busy(): boolean;
}

export function startPolling(bot: Bot<BotContext>, logger: Logger, options: PollingOptions = {}): Polling {
  bot.api.config.use(async (prev, method, payload, signal) => {
    try {
      return await prev(method, payload, signal);
    } catch (e) {
      if (method === "getUpdates" && !signal?.aborted) logger.warn({ err: e }, "getUpdates failed; trying again");
      throw e;
    }
  });
  let inFlight = 0;
  const runner = run(
    {
      init: () => bot.init(),
      api: bot.api,
      errorHandler: (e: BotError<BotContext>) => bot.errorHandler(e),
      handleUpdate: async (update: Update) => {
        inFlight++;
        try {
          await handleWithRetry(bot, update, logger, options);
        } finally {
          inFlight--;
        }
      },
    },
    { runner: { silent: true } },
  );
  return Object.assign(runner, { busy: () => inFlight > 0 });
}
