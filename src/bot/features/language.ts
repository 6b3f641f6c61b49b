import { Composer } from "grammy";
import { setLocale } from "../../domain/people.ts";
import { setPersonalMenu } from "../commands.ts";
import type { BotContext } from "../context.ts";
import { languageButtons, languageKeyboard } from "../keyboards/language.ts";

/** /ngonngu: each person's language, kept in the database. */
export const languageFeature = new Composer<BotContext>();

languageFeature.command("ngonngu", (ctx) =>
  ctx.reply(ctx.t("language.choose"), { reply_markup: languageKeyboard(ctx) }),
);

languageFeature.callbackQuery(languageButtons.filter, async (ctx) => {
  const locale = languageButtons.parse(ctx.callbackQuery.data)?.locale;
  if (!locale) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") });
    return;
  }
  if (locale === ctx.locale) {
    // Already in use: editing the message into the same text is refused by Telegram.
    await ctx.answerCallbackQuery({ text: ctx.t("language.unchanged") });
    return;
  }
  await setLocale(ctx.deps.db, ctx.person.id, locale);
  ctx.locale = locale;
  ctx.t = ctx.deps.i18n.forLocale(locale, ctx.channel.name);
  ctx.channel.onReader?.(ctx);
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("language.changed"));
  await setPersonalMenu(ctx.api, ctx.deps.i18n, ctx.from.id, locale, ctx.standing.role);
});
