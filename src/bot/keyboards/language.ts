import { InlineKeyboard } from "grammy";
import { LOCALES } from "../../i18n.ts";
import type { BotContext } from "../context.ts";

export const LANGUAGE_PREFIX = "lang:";

export function languageKeyboard(ctx: BotContext): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const locale of LOCALES) kb.text(ctx.t(`language.${locale}`), `${LANGUAGE_PREFIX}${locale}`);
  return kb;
}
