/**
 * The Telegram channel: a person is their Telegram user, an update is named by its
 * update_id, and files are downloaded through the Bot API (at most 20 MB).
 */
import { telegramToken } from "../config.ts";
import { telegramKey } from "../db/exactly-once.ts";
import { telegramAccount } from "../domain/people.ts";
import type { Channel } from "./context.ts";
import { openTelegramFile, TELEGRAM_DOWNLOAD_LIMIT } from "./telegram-files.ts";

export const telegramChannel: Channel = {
  name: "telegram",
  accountOf: (ctx) => (ctx.from && !ctx.from.is_bot ? telegramAccount(ctx.from) : null),
  keyOf: (ctx) => telegramKey(ctx.update.update_id),
  openFile: (ctx, fileId) =>
    openTelegramFile(ctx.api, { token: telegramToken(ctx.config), apiRoot: ctx.config.TELEGRAM_API_ROOT }, fileId),
  downloadLimit: TELEGRAM_DOWNLOAD_LIMIT,
};
