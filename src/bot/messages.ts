/**
 * Sending what features show: long HTML messages split under Telegram's 4,096-character
 * limit at line boundaries, and a pressed button answered once per update, alongside the
 * message rather than before it.
 */
import type { InlineKeyboard } from "grammy";
import type { BotContext } from "./context.ts";

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
      const at = outsideMarkup(line, cut > limit / 2 ? cut : limit);
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
 * `at`, moved back to the start of an HTML entity ("&amp;") or tag it would cut through:
 * half an entity makes Telegram refuse the whole message.
 */
function outsideMarkup(line: string, at: number): number {
  let safe = at;
  const amp = line.lastIndexOf("&", safe - 1);
  if (amp > line.lastIndexOf(";", safe - 1) && safe - amp < 10) safe = amp;
  const lt = line.lastIndexOf("<", safe - 1);
  if (lt > line.lastIndexOf(">", safe - 1)) safe = lt;
  // A line that is one long tag or entity from its start cannot be cut cleanly; cut anyway.
  return safe > 0 ? safe : at;
}

/**
 * Stops the pressed button's spinner without holding up what is sent next. A short text
 * (a refusal, "button too old") is shown on the spinner's place, or as an alert. Only the
 * first answer of a press is sent (src/bot/middlewares/answer-presses.ts).
 */
export function answerButtonOnce(ctx: BotContext, notice?: { text: string; show_alert?: boolean }): Promise<unknown> {
  return ctx.callbackQuery ? ctx.answerCallbackQuery(notice) : Promise.resolve();
}

/** Whether the pressed button's message can still be edited (Telegram sends date 0 when not). */
function pressedMessageEditable(ctx: BotContext): boolean {
  const message = ctx.callbackQuery?.message;
  return message !== undefined && message.date !== 0;
}

/** Sends new message(s), the keyboard under the last; answers a pressed button alongside. */
export async function replyLong(ctx: BotContext, text: string, keyboard?: InlineKeyboard): Promise<void> {
  const ack = answerButtonOnce(ctx);
  const parts = splitMessage(text);
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    await ctx.reply(part, last && keyboard ? { reply_markup: keyboard } : {});
  }
  await ack;
}

/**
 * Sends a message that may be long: in parts, the keyboard under the last one. When a
 * button was pressed and the message fits one part, the pressed message is replaced.
 */
export async function sendLong(ctx: BotContext, text: string, keyboard?: InlineKeyboard): Promise<void> {
  if (pressedMessageEditable(ctx) && text.length <= MESSAGE_LIMIT) {
    const ack = answerButtonOnce(ctx);
    try {
      await ctx.editMessageText(text, keyboard ? { reply_markup: keyboard } : {});
      await ack;
      return;
    } catch (e) {
      // "message is not modified" or a message too old to edit: send a fresh one.
      ctx.logger.debug({ err: e }, "edit failed; sending a new message");
    }
  }
  await replyLong(ctx, text, keyboard);
}
