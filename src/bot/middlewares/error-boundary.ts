import { randomBytes } from "node:crypto";
import type { BotError } from "grammy";
import type { BotContext } from "../context.ts";

/**
 * Last line of defence: log the error with the update id and a short reference, and tell
 * the person politely, in their language, with the reference they can quote.
 */
export async function handleBotError(err: BotError<BotContext>): Promise<void> {
  const ctx = err.ctx;
  const ref = randomBytes(3).toString("hex").toUpperCase();
  const logger = ctx.logger ?? ctx.deps.logger;
  logger.error({ err: err.error, update_id: ctx.update.update_id, ref }, "update failed");
  const t = ctx.t ?? ctx.deps.i18n.forLocale(ctx.config.DEFAULT_LOCALE);
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
    if (ctx.chat) await ctx.reply(t("errors.internal", { ref }));
  } catch (replyError) {
    logger.warn({ err: replyError, ref }, "could not tell the person about the error");
  }
}
