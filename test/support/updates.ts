/** Real Telegram Update objects, as Telegram sends them, for feeding through the bot. */
import type { Update, User } from "grammy/types";

let nextUpdateId = 100_000;
let nextMessageId = 1;

/**
 * The time messages say they were sent (Telegram's `date`): real time unless a test's
 * clock is set, so that "sent before the deadline" follows the clock the bot reads.
 */
export const sendClock = { now: () => new Date() };
const sentDate = () => Math.floor(sendClock.now().getTime() / 1000);

export function user(id: number, first_name: string, extra: Partial<User> = {}): User {
  return { id, is_bot: false, first_name, language_code: "vi", ...extra };
}

export function textUpdate(from: User, text: string, chatType: "private" | "group" = "private"): Update {
  const command = /^\/\w+(@\w+)?/.exec(text);
  const chat =
    chatType === "private"
      ? { id: from.id, type: "private" as const, first_name: from.first_name }
      : { id: -1001234, type: "group" as const, title: "Nhóm CCHC" };
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: sentDate(),
      chat,
      from,
      text,
      ...(command ? { entities: [{ type: "bot_command" as const, offset: 0, length: command[0].length }] } : {}),
    },
  };
}

export function callbackUpdate(from: User, data: string, messageId = 1): Update {
  return {
    update_id: nextUpdateId++,
    callback_query: {
      id: String(nextUpdateId),
      from,
      chat_instance: "ci",
      data,
      message: {
        message_id: messageId,
        date: sentDate(),
        chat: { id: from.id, type: "private", first_name: from.first_name },
        text: "…",
      },
    },
  };
}

export function stickerUpdate(from: User): Update {
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: sentDate(),
      chat: { id: from.id, type: "private", first_name: from.first_name },
      from,
      sticker: {
        file_id: "st1",
        file_unique_id: "stu1",
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    },
  };
}

/** A document sent as a message (evidence), as Telegram sends it. */
export function documentUpdate(from: User, fileName: string, mimeType: string, size: number, unique: string): Update {
  const u = textUpdate(from, "x");
  const { text: _t, entities: _e, ...message } = u.message!;
  return {
    update_id: u.update_id,
    message: {
      ...message,
      document: {
        file_id: `file-${unique}`,
        file_unique_id: unique,
        file_name: fileName,
        mime_type: mimeType,
        file_size: size,
      },
    },
  } as Update;
}
