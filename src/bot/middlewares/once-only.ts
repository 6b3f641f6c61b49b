import type { NextFunction } from "grammy";
import type { BotContext } from "../context.ts";

/**
 * Telegram redelivers an update when a webhook answers slowly or the process dies before
 * confirming it. Each update_id is recorded once in the database; a second delivery is
 * dropped, so an answer is never stored or acknowledged twice, even across restarts.
 */
export function onceOnly() {
  return async (ctx: BotContext, next: NextFunction) => {
    // One raw statement, not create-and-catch: this runs on every update, and a raw
    // statement costs a third of an ORM call here (bench/RESULTS.md). It stores the same
    // values Prisma would (checked for both databases in test/bot.test.ts).
    const claimed = await ctx.deps.db.$executeRaw`
      INSERT INTO "ProcessedUpdate" ("updateId", "createdAt")
      VALUES (${BigInt(ctx.update.update_id)}, ${ctx.now()})
      ON CONFLICT DO NOTHING`;
    if (claimed === 0) {
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
