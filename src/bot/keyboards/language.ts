import { InlineKeyboard } from "grammy";
import { LOCALES, type Locale } from "../../i18n.ts";
import { actionCodec, oneOf } from "../callback-data.ts";
import type { BotContext } from "../context.ts";

/** "lang:vi", "lang:en" (see src/bot/callback-data.ts). */
export const languageButtons = actionCodec("lang", {
  choose: ["", { locale: oneOf(Object.fromEntries(LOCALES.map((l) => [l, l])) as Record<Locale, string>) }],
});

export function languageKeyboard(ctx: BotContext): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const locale of LOCALES)
    kb.text(ctx.t(`language.${locale}`), languageButtons.encode({ kind: "choose", locale }));
  return kb;
}
