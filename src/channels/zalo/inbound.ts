/**
 * The Zalo channel's inbound half: a Zalo event becomes the update the features already
 * understand, so the same Composers serve both channels.
 *
 *   text                 a typed number or keyword of the chat's current menu (render.ts)
 *                        becomes a pressed button; a command typed without "/" (or
 *                        "MOI <mã>") gets it; anything else is a message
 *   image                a message with a photo whose file id is the image's address (the
 *                        evidence feature downloads it at once: Zalo's addresses expire)
 *   sticker, voice, …    a short reply that only text and photos are understood
 *   a group chat         the bot works in private chats; it says so when addressed
 *
 * Each event has its own de-duplication key (`zalo:<event>:<message id>`), recorded with
 * its effect like Telegram's update ids (src/db/exactly-once.ts).
 */
import { createHash } from "node:crypto";
import type { Update } from "grammy/types";
import type { Db } from "../../db/client.ts";
import type { ChannelAccount } from "../../domain/people.ts";
import type { ZaloEvent } from "./api.ts";
import { pressId } from "./bridge.ts";
import { currentMenu, localNumber } from "./menus.ts";
import { foldKeyword, readTyped } from "./render.ts";

export type Inbound =
  /** Handle this update with the bot. */
  | { kind: "update"; key: string; update: Update; account: ChannelAccount }
  /** Answer with this text key (no update for the bot). */
  | { kind: "say"; key: string; chatId: string; text: string; vars?: Record<string, unknown> }
  | { kind: "ignore"; key: string; reason: string };

export interface InboundOptions {
  /** The bot's command names (without "/"): typed without it, they still work. */
  commands: readonly string[];
  /** The word that goes before an invite code on Zalo ("MOI ABC123"), folded. */
  inviteWords: readonly string[];
}

/** grammY wants a number per update; it is used for logs only (the key de-duplicates). */
const nextUpdateId = localNumber;

export function eventKey(event: ZaloEvent): string {
  return `zalo:${event.event_name}:${event.message.message_id}`;
}

/** "tiendo song ma" → "/tiendo song ma"; "MOI ABC123" → "/start ABC123"; others unchanged. */
export function asCommand(text: string, options: InboundOptions): string {
  const trimmed = text.trim();
  if (trimmed.startsWith("/")) return trimmed;
  const [first = "", ...rest] = trimmed.split(/\s+/);
  const word = foldKeyword(first);
  if (options.inviteWords.includes(word) && rest.length === 1) return `/start ${rest[0]}`;
  if (options.commands.includes(word)) return [`/${word}`, ...rest].join(" ");
  return trimmed;
}

export async function readEvent(db: Db, event: ZaloEvent, options: InboundOptions): Promise<Inbound> {
  const key = eventKey(event);
  const m = event.message;
  const chatId = String(m.chat.id);
  const account: ChannelAccount = {
    channel: "zalo",
    externalId: String(m.from.id),
    chatId,
    displayName: (m.from.display_name ?? "").trim().slice(0, 128) || "Zalo",
    username: null,
  };
  // grammY's update shapes, with Zalo's string ids where Telegram has numbers: nothing
  // does arithmetic on them, and the person is found by their account, not by these.
  const from = { id: account.externalId as unknown as number, is_bot: false, first_name: account.displayName };
  const chat = { id: chatId as unknown as number, type: "private" as const, first_name: account.displayName };
  const date = Number.isFinite(m.date) ? Math.floor(m.date > 1e12 ? m.date / 1000 : m.date) : 0;
  const base = { message_id: nextUpdateId(), date, from, chat };

  if (m.chat.chat_type && m.chat.chat_type !== "PRIVATE") {
    const text = foldKeyword(m.text ?? "");
    return /^\/?(start|help)\b/.test(text)
      ? { kind: "say", key, chatId, text: "fallback.group" }
      : { kind: "ignore", key, reason: "group chat" };
  }
  switch (event.event_name) {
    case "message.text.received": {
      const text = m.text ?? "";
      const menu = await currentMenu(db, chatId);
      const typed = readTyped(text, menu?.items ?? []);
      if (typed.kind === "press" && menu) {
        const update: Update = {
          update_id: nextUpdateId(),
          callback_query: {
            id: pressId(chatId, m.message_id),
            from,
            chat_instance: chatId,
            data: typed.item.data,
            message: {
              message_id: menu.messageId,
              date: Math.floor(menu.shownAt.getTime() / 1000),
              chat,
              text: menu.text,
            },
          },
        };
        return { kind: "update", key, update, account };
      }
      if (typed.kind === "no_such_choice") {
        return {
          kind: "say",
          key,
          chatId,
          text: "zalo.no_such_choice",
          vars: { number: typed.number, count: typed.count, menu: menu?.text ?? "" },
        };
      }
      const update: Update = { update_id: nextUpdateId(), message: { ...base, text: asCommand(text, options) } };
      const command = update.message!.text!.match(/^\/\w+/)?.[0];
      if (command) update.message!.entities = [{ type: "bot_command", offset: 0, length: command.length }];
      return { kind: "update", key, update, account };
    }
    case "message.image.received": {
      if (!m.photo) return { kind: "ignore", key, reason: "image without an address" };
      const unique = createHash("sha256").update(m.photo).digest("base64url").slice(0, 16);
      // Zalo carries an image's words, if any, in its text.
      const caption = (m.text ?? "").trim();
      const update: Update = {
        update_id: nextUpdateId(),
        message: {
          ...base,
          photo: [{ file_id: m.photo, file_unique_id: unique, width: 0, height: 0 }],
          ...(caption ? { caption } : {}),
        },
      };
      return { kind: "update", key, update, account };
    }
    case "message.sticker.received":
    case "message.voice.received":
    case "message.unsupported.received":
      return { kind: "say", key, chatId, text: "zalo.unsupported" };
    default:
      // Names the client does not know never get here (parseZaloEvent reports them).
      return { kind: "ignore", key, reason: "unknown event" };
  }
}
