import { Composer } from "grammy";
import { setLocale } from "../../domain/people.ts";
import { isLocale } from "../../i18n.ts";
import { setPersonalMenu } from "../commands.ts";
import type { BotContext } from "../context.ts";
import { LANGUAGE_PREFIX, languageKeyboard } from "../keyboards/language.ts";

/** /ngonngu: each person's language, kept in the database. */
export const languageFeature = new Composer<BotContext>();

languageFeature.command("ngonngu", (ctx) =>
  ctx.reply(ctx.t("language.choose"), { reply_markup: languageKeyboard(ctx) }),
);

languageFeature.callbackQuery(new RegExp(`^${LANGUAGE_PREFIX}`), async (ctx) => {
  const locale = ctx.callbackQuery.data.slice(LANGUAGE_PREFIX.length);
  if (!isLocale(locale)) {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") });
    return;
  }
  await setLocale(ctx.deps.db, ctx.person.id, locale);
  ctx.locale = locale;
  ctx.t = ctx.deps.i18n.forLocale(locale);
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t("language.changed"));
  await setPersonalMenu(ctx.api, ctx.deps.i18n, ctx.from.id, locale, ctx.standing.role);
});
