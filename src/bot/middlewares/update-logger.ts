import type { NextFunction } from "grammy";
import type { BotContext } from "../context.ts";

/** A child logger per update, so every line about one update carries its id. */
export function updateLogger() {
  return async (ctx: BotContext, next: NextFunction) => {
    const started = performance.now();
    ctx.logger = ctx.deps.logger.child({ update_id: ctx.update.update_id });
    ctx.logger.debug({ from: ctx.from?.id, chat: ctx.chat?.id }, "update received");
    try {
      await next();
    } finally {
      ctx.logger.debug({ ms: Math.round((performance.now() - started) * 10) / 10 }, "update handled");
    }
  };
}
