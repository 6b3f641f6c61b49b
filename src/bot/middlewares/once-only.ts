import type { NextFunction } from "grammy";
import { isUniqueViolation } from "../../db/errors.ts";
import type { BotContext } from "../context.ts";

/**
 * Telegram redelivers an update when a webhook answers slowly or the process dies before
 * confirming it. Each update_id is recorded once in the database; a second delivery is
 * dropped, so an answer is never stored or acknowledged twice, even across restarts.
 */
export function onceOnly() {
  return async (ctx: BotContext, next: NextFunction) => {
    try {
      await ctx.deps.db.processedUpdate.create({ data: { updateId: BigInt(ctx.update.update_id) } });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      ctx.logger.info("duplicate update dropped");
      return;
    }
    await next();
  };
}

/** Forgets update ids older than `days` (Telegram keeps undelivered updates for 24 hours). */
export async function forgetOldUpdates(db: BotContext["deps"]["db"], now: Date, days = 3): Promise<number> {
  const { count } = await db.processedUpdate.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - days * 86_400_000) } },
  });
  return count;
}
