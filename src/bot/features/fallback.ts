import { Composer } from "grammy";
import type { BotContext } from "../context.ts";

/** Whatever no feature handled: guidance, never silence or a crash. */
export const fallbackFeature = new Composer<BotContext>();

fallbackFeature.on("message:text", async (ctx) => {
  const command = /^\/([A-Za-z0-9_]{1,32})(@\w+)?(\s|$)/.exec(ctx.message.text)?.[1];
  if (command) await ctx.reply(ctx.t("fallback.unknown_command", { command }));
  else await ctx.reply(ctx.t("fallback.text"));
});

fallbackFeature.on("message", (ctx) => ctx.reply(ctx.t("fallback.non_text")));

fallbackFeature.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") }));
