/**
 * The Zalo channel's outbound half. The features are written once, as grammY Composers that
 * answer in the Bot API's shapes (HTML text, inline buttons, edits, documents); the Zalo
 * channel runs the very same bot with this API transformer in place of Telegram, so that
 * no feature knows which channel it speaks on. Each call becomes what Zalo can carry:
 *
 *   sendMessage / editMessageText   plain text, buttons as numbered choices and keywords
 *                                   (render.ts), split under 2,000 characters; Zalo has no
 *                                   edits, so an edit is a new message
 *   answerCallbackQuery with text   a short message (Zalo has no toasts)
 *   sendDocument / sendPhoto        kept in the province's file store and sent as a signed
 *                                   link (a chart as a photo when PUBLIC_URL is https)
 *   menus, reactions, deletions     nothing to do
 *
 * Nothing here reaches Telegram: the transformer never calls the previous one.
 */
import { Readable } from "node:stream";
import type { InputFile, Transformer } from "grammy";
import type { ApiResponse, Message, UserFromGetMe } from "grammy/types";
import { type Config, publicBaseUrl } from "../../config.ts";
import type { Db } from "../../db/client.ts";
import { issueLink } from "../../domain/links.ts";
import type { I18n } from "../../i18n.ts";
import type { Logger } from "../../logger.ts";
import type { FileStore } from "../../storage/file-store.ts";
import { ZALO_TEXT_LIMIT } from "./api.ts";
import { dropMenu, recordSent } from "./menus.ts";
import { type Button, type KeywordsOf, renderMessage } from "./render.ts";
import { splitText } from "./split.ts";

/** The part of the Zalo Bot API the bridge sends with (src/channels/zalo/api.ts). */
export interface ZaloSender {
  sendMessage(params: { chat_id: string; text: string }): Promise<unknown>;
  sendPhoto(params: { chat_id: string; photo: string; caption?: string }): Promise<unknown>;
  sendChatAction(params: { chat_id: string; action: "typing" }): Promise<unknown>;
}

/**
 * "The bot" as grammY wants to know it (createBot's botInfo, and getMe): no feature reads
 * Zalo's own profile, so it is a fixed stand-in.
 */
export const ZALO_BOT_INFO: UserFromGetMe = {
  id: 0,
  is_bot: true,
  first_name: "CCHC Bot",
  username: "cchc_zalo",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export interface BridgeDeps {
  zalo: ZaloSender;
  db: Db;
  store: FileStore;
  i18n: I18n;
  config: Config;
  logger: Logger;
  /** The keyword words of a button's action in a language (src/bot/keywords.ts). */
  keywordsOf: (locale: string) => KeywordsOf;
  /** The reader of a chat whose event is being handled, as the person loader found them. */
  knownReader?: (chatId: string) => Reader | undefined;
  now?: () => Date;
}

type Payload = Record<string, unknown>;
const ok = <T>(result: T) => ({ ok: true as const, result }) as ApiResponse<never>;

/** The person behind a Zalo chat and their language. */
export interface Reader {
  personId: number | null;
  locale: string;
}

/**
 * The person and language behind a Zalo chat (the person loader created them). While the
 * chat's event is handled the channel knows them already; messages sent outside an event
 * (notices) read them with one raw indexed statement (the ORM's findFirst with the person's
 * locale took two statements and three times the CPU).
 */
async function readerOf(deps: BridgeDeps, chatId: string): Promise<Reader> {
  const known = deps.knownReader?.(chatId);
  if (known) return known;
  const [row] = await deps.db.$queryRaw<{ personId: number | bigint; locale: string }[]>`
    SELECT a."personId", p."locale" FROM "PersonChannel" a JOIN "Person" p ON p."id" = a."personId"
    WHERE a."channel" = 'zalo' AND a."chatId" = ${chatId}
    LIMIT 1`;
  return { personId: row ? Number(row.personId) : null, locale: row?.locale ?? deps.config.DEFAULT_LOCALE };
}

export function zaloBridge(deps: BridgeDeps): Transformer {
  const now = deps.now ?? (() => new Date());

  /** Sends a text with its buttons; returns the message as the features expect it. */
  async function sendText(chatId: string, html: string, markup: unknown): Promise<Message.TextMessage> {
    const { locale } = await readerOf(deps, chatId);
    const t = deps.i18n.forLocale(locale);
    const buttons = (markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard;
    const { text, menu } = renderMessage(html, buttons, deps.keywordsOf(locale), {
      chooseByNumber: t("zalo.choose_by_number"),
      keywordLine: (keyword, label) => t("zalo.keyword_line", { keyword, label }),
    });
    for (const part of splitText(text, ZALO_TEXT_LIMIT)) {
      await deps.zalo.sendMessage({ chat_id: chatId, text: part });
    }
    const messageId = await recordSent(deps.db, chatId, { menu: buttons ? menu : null, text });
    return {
      message_id: messageId,
      date: Math.floor(now().getTime() / 1000),
      chat: { id: chatId as unknown as number, type: "private", first_name: "" },
      text,
    };
  }

  /** Keeps a file the bot sends and gives the reader a signed link to it. */
  async function keepFile(chatId: string, file: InputFile, mime: string) {
    const { personId, locale } = await readerOf(deps, chatId);
    if (personId === null) throw new Error("no person behind this Zalo chat");
    const raw = await file.toRaw();
    const stream =
      raw instanceof Uint8Array ? Readable.from([Buffer.from(raw)]) : Readable.from(raw as AsyncIterable<Uint8Array>);
    const stored = await deps.store.put(stream, { maxBytes: Number.MAX_SAFE_INTEGER });
    const name = file.filename ?? "tep";
    const link = await issueLink(
      deps.db,
      personId,
      { purpose: "export", fileKey: stored.key, name, mime },
      { now: now(), hours: deps.config.LINK_TTL_HOURS },
    );
    return { url: `${publicBaseUrl(deps.config)}/x/${link.token}`, name, locale };
  }

  return async (_prev, method, payload) => {
    const p = (payload ?? {}) as Payload;
    const chatId = String(p.chat_id ?? "");
    switch (method) {
      case "sendMessage":
      case "editMessageText":
        return ok(await sendText(chatId, String(p.text ?? ""), p.reply_markup));
      case "editMessageReplyMarkup": {
        const markup = p.reply_markup as { inline_keyboard?: unknown[] } | undefined;
        if (!markup?.inline_keyboard?.length) await dropMenu(deps.db, chatId, Number(p.message_id));
        return ok(true);
      }
      case "answerCallbackQuery": {
        // The press's own chat travels with the update; the bridge is told it by the channel.
        const text = typeof p.text === "string" ? p.text.trim() : "";
        const chat = typeof p.callback_query_id === "string" ? chatOfPress(p.callback_query_id) : null;
        if (text && chat) await deps.zalo.sendMessage({ chat_id: chat, text: text.slice(0, ZALO_TEXT_LIMIT) });
        return ok(true);
      }
      case "sendDocument": {
        const file = await keepFile(chatId, p.document as InputFile, "application/octet-stream");
        const t = deps.i18n.forLocale(file.locale);
        const caption = typeof p.caption === "string" ? `${p.caption}\n` : "";
        return ok(await sendText(chatId, `${caption}${t("zalo.file_link", { name: file.name, url: file.url })}`, null));
      }
      case "sendPhoto": {
        const file = await keepFile(chatId, p.photo as InputFile, "image/png");
        const caption = typeof p.caption === "string" ? p.caption : "";
        if (file.url.startsWith("https://")) {
          await deps.zalo.sendPhoto({ chat_id: chatId, photo: file.url, caption: caption.slice(0, ZALO_TEXT_LIMIT) });
          return ok(await sendText(chatId, caption || file.name, null));
        }
        const t = deps.i18n.forLocale(file.locale);
        return ok(
          await sendText(chatId, `${caption}\n${t("zalo.file_link", { name: file.name, url: file.url })}`, null),
        );
      }
      case "sendChatAction":
        await deps.zalo.sendChatAction({ chat_id: chatId, action: "typing" }).catch(() => {});
        return ok(true);
      case "getMe":
        return ok(ZALO_BOT_INFO);
      default:
        // Command menus, reactions, deletions: Zalo has none of them.
        return ok(true);
    }
  };
}

/**
 * A press on Zalo is a typed number or keyword; its synthetic callback query id names the
 * chat it came from ("zalo:<chat id>:<message id>"), so that its answer can be sent there.
 */
export function pressId(chatId: string, messageId: string): string {
  return `zalo:${chatId}:${messageId}`;
}

function chatOfPress(id: string): string | null {
  const m = /^zalo:(.+):[^:]+$/.exec(id);
  return m ? m[1]! : null;
}
