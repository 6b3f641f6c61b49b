/** Long HTML messages: split under Telegram's 4,096-character limit, at line boundaries. */
import type { InlineKeyboard } from "grammy";
import type { BotContext } from "../../context.ts";

export const MESSAGE_LIMIT = 4096;

/**
 * Splits a message into parts of at most `limit` characters, cutting only between lines
 * (each line of our messages is balanced HTML, so every part is valid HTML). A single
 * line longer than the limit is cut at its last space before the limit.
 */
export function splitMessage(text: string, limit = MESSAGE_LIMIT): string[] {
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    const trimmed = current.replace(/\n+$/, "");
    if (trimmed.trim()) parts.push(trimmed);
    current = "";
  };
  for (let line of text.split("\n")) {
    while (line.length > limit) {
      flush();
      const cut = line.lastIndexOf(" ", limit);
      const at = cut > limit / 2 ? cut : limit;
      parts.push(line.slice(0, at));
      line = line.slice(at).trimStart();
    }
    const next = current ? `${current}\n${line}` : line;
    if (next.length > limit) {
      flush();
      current = line;
    } else current = next;
  }
  flush();
  return parts.length ? parts : [""];
}

/**
 * Sends a message that may be long: in parts, the keyboard under the last one. When a
 * button was pressed and the message fits one part, the pressed message is replaced.
 */
export async function sendLong(ctx: BotContext, text: string, keyboard?: InlineKeyboard): Promise<void> {
  const parts = splitMessage(text);
  if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => {});
  if (ctx.callbackQuery?.message && parts.length === 1) {
    try {
      await ctx.editMessageText(parts[0]!, keyboard ? { reply_markup: keyboard } : {});
      return;
    } catch (e) {
      ctx.logger.debug({ err: e }, "edit failed; sending a new message");
    }
  }
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    await ctx.reply(part, last && keyboard ? { reply_markup: keyboard } : {});
  }
}
