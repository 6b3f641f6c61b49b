import type { NextFunction } from "grammy";
import { handleOnce } from "../../db/exactly-once.ts";
import type { BotContext } from "../context.ts";

/**
 * Each update is handled once, even when Telegram delivers it again (a slow webhook, a
 * crash, a 503) or two bot instances receive it: see src/db/exactly-once.ts for how the
 * update id is recorded with the update's effect.
 */
export function onceOnly() {
  return async (ctx: BotContext, next: NextFunction) => {
    const handled = await handleOnce(ctx.deps.db, BigInt(ctx.update.update_id), next);
    if (!handled) ctx.logger.info("duplicate update dropped");
  };
}
