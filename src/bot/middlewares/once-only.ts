import type { NextFunction } from "grammy";
import { handleOnce } from "../../db/exactly-once.ts";
import { personOfAccount } from "../../domain/people.ts";
import { formatDateTime } from "../../domain/time.ts";
import type { BotContext } from "../context.ts";

/**
 * Each update is handled once, even when Telegram delivers it again (a slow webhook, a
 * crash, a 503) or two bot instances receive it: see src/db/exactly-once.ts for how the
 * update id is recorded with the update's effect.
 *
 * A delivery of an update already handled means the first one's reply may never have gone
 * out (the process died after the commit, or the person was told "not saved yet" by a step
 * that failed after it): a message is answered with what is true — it was saved — and a
 * pressed button's spinner is stopped.
 */
export function onceOnly() {
  return async (ctx: BotContext, next: NextFunction) => {
    const handled = await handleOnce(ctx.deps.db, ctx.channel.keyOf(ctx), next, ctx.channel.keptOf?.(ctx) ?? null);
    if (handled) return;
    ctx.logger.info("duplicate update dropped");
    if (ctx.chat?.type !== "private") {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
      return;
    }
    const t = ctx.deps.i18n.forLocale(await localeOf(ctx), ctx.channel.name);
    if (ctx.callbackQuery) {
      // A press carries no time of its own; its first reply may never have gone out.
      await ctx.answerCallbackQuery().catch(() => {});
      await ctx.reply(t("errors.saved_press_after_restart")).catch(() => {});
    } else if (ctx.message) {
      const when = formatDateTime(new Date(ctx.message.date * 1000), ctx.config.TZ);
      await ctx.reply(t("errors.saved_after_restart", { when })).catch(() => {});
    }
  };
}

/** The person's language (the person loader has not run for a dropped update). */
async function localeOf(ctx: BotContext): Promise<string> {
  const account = ctx.channel.accountOf(ctx);
  const person = account ? await personOfAccount(ctx.deps.db, account.channel, account.externalId) : null;
  return person?.locale ?? ctx.config.DEFAULT_LOCALE;
}
