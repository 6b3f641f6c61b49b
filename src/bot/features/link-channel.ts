/**
 * /lienket: one person on Telegram and Zalo. Without a code, the person gets a one-time
 * code to type on the other channel; with one, this channel's account joins the person
 * who asked for it (src/domain/channel-links.ts).
 */
import { Composer } from "grammy";
import { createLinkCode, LINK_CODE_MINUTES, redeemLinkCode } from "../../domain/channel-links.ts";
import type { BotContext } from "../context.ts";

export const linkChannelFeature = new Composer<BotContext>();

linkChannelFeature.command("lienket", async (ctx) => {
  const typed = ctx.match.trim();
  const here = ctx.channel.name;
  if (!typed) {
    if (!ctx.standing.role) return void (await ctx.reply(ctx.t("link_channel.guest")));
    const { code } = await createLinkCode(ctx.deps.db, ctx.person.id, here, ctx.now());
    const key = here === "zalo" ? "link_channel.code_for_telegram" : "link_channel.code_for_zalo";
    return void (await ctx.reply(ctx.t(key, { code, minutes: LINK_CODE_MINUTES })));
  }
  const result = await redeemLinkCode(ctx.deps.db, {
    typed: typed.slice(0, 40),
    accountId: ctx.person.accountId,
    channel: here,
    now: ctx.now(),
  });
  if (!result.ok) return void (await ctx.reply(ctx.t(`link_channel.refused.${result.reason}`)));
  await ctx.reply(ctx.t("link_channel.done", { name: result.displayName, channel: ctx.t(`channels.${here}`) }));
});
