import type { NextFunction } from "grammy";
import type { BotContext } from "../context.ts";

/**
 * Every pressed button is answered exactly once. Telegram takes one answer per press and
 * refuses a second ("query is too old"), and a press left unanswered keeps its spinner
 * turning for 15 s. So the first answer a feature gives (with a text or without) is the one
 * sent, later calls return it without a request, and a press no feature answered (an error,
 * a button on a message Telegram reports as inaccessible) is answered when handling ends.
 */
export function answerPressesOnce() {
  return async (ctx: BotContext, next: NextFunction) => {
    if (!ctx.callbackQuery) return next();
    let answer: Promise<true> | undefined;
    const send = ctx.answerCallbackQuery.bind(ctx);
    ctx.answerCallbackQuery = ((...args: Parameters<typeof send>) => {
      answer ??= send(...args).catch((err: unknown) => {
        ctx.logger.debug({ err }, "could not answer the pressed button");
        return true as const;
      });
      return answer;
    }) as typeof ctx.answerCallbackQuery;
    try {
      await next();
    } finally {
      if (!answer) await ctx.answerCallbackQuery();
    }
  };
}
