/**
 * Terminal "playground" on Telegram: a person chats with the real bot through the fake Bot API,
 * as one or several Telegram users, without a token or a phone. Lines typed become the acting
 * user's messages; everything the bot does (messages, edits, files, alerts, command menus) is
 * printed as it happens, and a typed number presses a button. Also drives scripted demos and
 * tests when stdin is piped. The loop itself (users, meta-commands, waiting for the bot) is
 * shared with the Zalo playground: terminal-loop.ts.
 */
import type { InlineKeyboardButton, KeyboardButton, Message, MessageEntity, ReplyKeyboardMarkup } from "grammy/types";
import type { ApiCall, FakeBotApi, FakeUser } from "./fake-bot-api.ts";
import {
  formatSize,
  type PlaygroundFile,
  type PlaygroundUser,
  sampleOf,
  TerminalLoop,
  type TerminalOptions,
} from "./terminal-loop.ts";

export type { PlaygroundUser } from "./terminal-loop.ts";

export interface TerminalChatOptions extends TerminalOptions<FakeUser> {
  api: FakeBotApi;
  users: PlaygroundUser<FakeUser>[];
}

/** Runs until `:thoat`, Ctrl+C/Ctrl+D, or the end of piped input. */
export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  await new TelegramChat(options).run();
}

// ─── Rendering helpers ───────────────────────────────────────────────────────────────────────

/** SGR codes per entity type; links, mentions etc. are rendered as text only. */
const ENTITY_SGR: Partial<Record<MessageEntity["type"], string>> = {
  bold: "1",
  italic: "3",
  underline: "4",
  strikethrough: "9",
  spoiler: "2",
  code: "36",
  pre: "36",
  blockquote: "2",
  expandable_blockquote: "2",
  text_link: "4",
};

/**
 * Renders Telegram text + entities for a terminal. The fake already turned `parse_mode: "HTML"`
 * into entities exactly like Telegram, so rendering entities covers HTML, explicit entities and
 * plain text alike. Links print as "text (url)" because terminals cannot hide a URL.
 */
export function renderEntities(text: string, entities: readonly MessageEntity[] | undefined, color: boolean): string {
  if (!entities?.length) return text;
  const cuts = new Set<number>([0, text.length]);
  for (const e of entities) {
    cuts.add(e.offset);
    cuts.add(Math.min(text.length, e.offset + e.length));
  }
  const points = [...cuts].sort((a, b) => a - b);
  let out = "";
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k] as number;
    const b = points[k + 1] as number;
    // Each segment gets exactly the styles of the entities covering it: simple and nest-safe.
    const codes = entities
      .filter((e) => e.offset <= a && e.offset + e.length >= b)
      .map((e) => ENTITY_SGR[e.type])
      .filter(Boolean);
    const piece = text.slice(a, b);
    out += color && codes.length ? `\x1b[${codes.join(";")}m${piece}\x1b[0m` : piece;
    for (const e of entities) {
      if (e.type === "text_link" && e.offset + e.length === b && e.url !== text.slice(e.offset, b))
        out += ` (${e.url})`;
    }
  }
  return out;
}

/** Telegram's command scopes the playground can name; any other is shown as its API type. */
const SCOPES = new Set([
  "all_private_chats",
  "all_group_chats",
  "all_chat_administrators",
  "chat",
  "chat_administrators",
  "chat_member",
]);

/** Media kinds printed as a placeholder, since a terminal cannot show them. */
const MEDIA = ["video", "audio", "voice", "animation", "sticker", "video_note"] as const;

function buttonText(b: KeyboardButton | InlineKeyboardButton): string {
  return typeof b === "string" ? b : b.text;
}

/** What a button press did: pushed an update to the bot, only printed something, or found no keyboard. */
type PressOutcome = "sent" | "local" | "no-keyboard";

// ─── The Telegram side of the playground ─────────────────────────────────────────────────────

class TelegramChat extends TerminalLoop<FakeUser> {
  private readonly api: FakeBotApi;
  protected readonly botName: string;
  /** Reply keyboards the users' clients currently show, per chat. */
  private readonly replyKeyboards = new Map<number, { markup: ReplyKeyboardMarkup; messageId: number }>();

  constructor(options: TerminalChatOptions) {
    super(options);
    this.api = options.api;
    this.botName = this.api.botInfo.first_name;
  }

  protected watch(): () => void {
    return this.api.onCall((call) => this.onCall(call));
  }

  protected deliverText(text: string): void {
    this.api.sendUserMessage(this.user.user, text);
  }

  protected deliverPhoto(caption: string): void {
    // A real (tiny) picture, as on Zalo: the bot reads a file's type from its bytes.
    const bytes = sampleOf("anh.jpg");
    this.api.sendUserPhoto(this.user.user, { bytes, size: bytes.length, ...(caption ? { caption } : {}) });
  }

  protected deliverFile(file: PlaygroundFile): boolean {
    const { fileName, mimeType, bytes, caption } = file;
    this.api.sendUserDocument(this.user.user, { fileName, mimeType, bytes, ...(caption ? { caption } : {}) });
    this.print(
      this.paint.dim(
        this.t("playground.sent_file", { name: file.path, type: mimeType, size: formatSize(this.t, bytes.length) }),
      ),
    );
    return true;
  }

  protected waitForIdle(o: { quietMs: number; timeoutMs: number }): Promise<boolean> {
    return this.api.waitForIdle(o);
  }

  protected override chatTitle(chatId: string): string | undefined {
    return this.api.chatState(Number(chatId))?.chat.title;
  }

  /**
   * A bare number presses a button of the newest keyboard (see pressNumber); with no keyboard
   * at all it is just text.
   */
  protected override async typedNumber(line: string): Promise<void> {
    const outcome = this.pressNumber(Number(line));
    if (outcome === "no-keyboard") await this.sendText(line);
    else if (outcome === "sent") await this.settle();
  }

  /** ":<message> <button>" presses a button of a given message. */
  protected override async channelMeta(cmdLine: string): Promise<boolean> {
    const pressRef = /^(\d+)\s+(\d+)$/.exec(cmdLine);
    if (!pressRef) return false;
    if (this.pressRef(Number(pressRef[1]), Number(pressRef[2])) === "sent") await this.settle();
    return true;
  }

  protected listRecent(): void {
    const chatId = this.user.user.id;
    const msgs = (this.api.chatState(chatId)?.botMessages ?? []).filter((m) => !m.deleted).slice(-10);
    if (msgs.length === 0) {
      this.print(this.paint.dim(this.t("playground.no_messages")));
      return;
    }
    for (const m of msgs) {
      const ref = this.refFor(chatId, m.messageId);
      const body =
        m.message.text ??
        m.message.caption ??
        (m.message.document
          ? `📎 ${m.message.document.file_name ?? this.t("playground.file")}`
          : this.t("playground.no_text"));
      const buttons = m.message.reply_markup?.inline_keyboard.flat().length ?? 0;
      this.print(
        this.recentLine(
          ref,
          body,
          buttons ? this.paint.dim(` ${this.t("playground.buttons", { count: buttons })}`) : "",
        ),
      );
    }
  }

  protected showCommands(): void {
    const u = this.user.user;
    // Telegram shows the most specific scope that has commands, in the user's language first.
    const scopes = [{ type: "chat", chat_id: u.id }, { type: "all_private_chats" }, { type: "default" }];
    for (const scope of scopes) {
      for (const lang of [u.language_code ?? "", ""]) {
        const list = this.api.commandsFor(scope, lang);
        if (list.length) {
          for (const c of list) this.print(`  ${this.paint.yellow(`/${c.command}`)} — ${c.description}`);
          return;
        }
      }
    }
    this.print(this.paint.dim(this.t("playground.no_commands")));
  }

  // ── Buttons ────────────────────────────────────────────────────────────────────────────────

  /**
   * A bare number presses a button of the newest keyboard in the acting user's chat: the latest
   * inline keyboard, or the reply keyboard if that was shown more recently. With no keyboard at
   * all the number is just text, which the caller then sends.
   */
  private pressNumber(n: number): PressOutcome {
    const chatId = this.user.user.id;
    const inline = this.latestInline(chatId);
    const reply = this.replyKeyboards.get(chatId);
    if (reply && (!inline || reply.messageId > inline.message_id)) return this.pressReply(chatId, reply, n);
    if (inline) return this.pressInline(inline, n);
    return "no-keyboard";
  }

  private latestInline(chatId: number): Message | undefined {
    const msgs = this.api.chatState(chatId)?.botMessages ?? [];
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i];
      if (m && !m.deleted && m.message.reply_markup?.inline_keyboard.some((row) => row.length > 0)) return m.message;
    }
    return undefined;
  }

  private pressRef(ref: number, n: number): PressOutcome {
    const target = this.byRef.get(ref);
    const p = this.paint;
    const t = this.t;
    if (!target) {
      this.print(p.yellow(t("playground.no_message", { ref })));
      return "local";
    }
    if (target.chatId !== String(this.user.user.id)) {
      const owner = this.users.findIndex((u) => String(u.user.id) === target.chatId);
      this.print(
        p.yellow(
          owner >= 0
            ? t("playground.other_chat_switch", { ref, user: owner + 1 })
            : t("playground.other_chat", { ref }),
        ),
      );
      return "local";
    }
    const stored = this.api.getMessage(Number(target.chatId), Number(target.messageId));
    if (!stored || stored.deleted || !stored.message.reply_markup) {
      this.print(p.yellow(t("playground.no_buttons_left", { ref })));
      return "local";
    }
    return this.pressInline(stored.message, n);
  }

  private pressInline(message: Message, n: number): PressOutcome {
    const p = this.paint;
    const t = this.t;
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    const b = buttons[n - 1];
    const ref = this.refFor(message.chat.id, message.message_id);
    if (!b) {
      this.print(p.yellow(t("playground.inline_too_few", { ref, count: buttons.length, number: n })));
      return "local";
    }
    if ("callback_data" in b && b.callback_data !== undefined) {
      this.print(p.dim(t("playground.pressed_inline", { text: b.text, ref })));
      this.api.pressButton(this.user.user, message.chat.id, message.message_id, b.callback_data);
      return "sent";
    }
    if ("url" in b && b.url) this.print(t("playground.url_button", { text: b.text, url: b.url }));
    else if ("copy_text" in b && b.copy_text) this.print(t("playground.copied", { text: b.copy_text.text }));
    else this.print(p.yellow(t("playground.unsupported_button", { text: b.text })));
    return "local";
  }

  private pressReply(chatId: number, kb: { markup: ReplyKeyboardMarkup }, n: number): PressOutcome {
    const buttons = kb.markup.keyboard.flat();
    const b = buttons[n - 1];
    if (b === undefined) {
      this.print(this.paint.yellow(this.t("playground.reply_too_few", { count: buttons.length, number: n })));
      return "local";
    }
    const u = this.user.user;
    // The client hides a one-time keyboard as soon as it is used.
    if (kb.markup.one_time_keyboard) this.replyKeyboards.delete(chatId);
    if (typeof b !== "string" && "request_contact" in b && b.request_contact) {
      this.print(this.paint.dim(this.t("playground.shared_contact")));
      this.api.sendUserContent(u, {
        contact: {
          phone_number: `+8491${String(u.id).slice(-7).padStart(7, "0")}`,
          first_name: u.first_name,
          user_id: u.id,
        },
      });
    } else if (typeof b !== "string" && "request_location" in b && b.request_location) {
      this.print(this.paint.dim(this.t("playground.shared_location")));
      this.api.sendUserContent(u, { location: { latitude: 21.3256, longitude: 103.9188 } });
    } else {
      this.print(this.paint.dim(this.t("playground.pressed_reply", { text: buttonText(b) })));
      this.api.sendUserMessage(u, buttonText(b));
    }
    return "sent";
  }

  // ── Showing what the bot does ──────────────────────────────────────────────────────────────

  private onCall(call: ApiCall): void {
    const p = this.paint;
    const t = this.t;
    if (!call.ok) {
      // Polling errors (e.g. after close) are noise; anything else is worth a developer's eye.
      if (call.method !== "getUpdates" && call.error) {
        const { error_code: code, description } = call.error;
        this.print(p.red(t("playground.api_error", { method: call.method, code, description })));
      }
      return;
    }
    const { method, payload, result } = call;
    if (method === "answerCallbackQuery") {
      const text = typeof payload.text === "string" ? payload.text : "";
      if (text && payload.show_alert === true) this.print(`${p.yellow(t("playground.alert"))} ${text}`);
      else if (text) this.print(p.dim(`💬 ${text}`));
      if (typeof payload.url === "string") this.print(p.dim(t("playground.opens_url", { url: payload.url })));
      return;
    }
    if (method === "setMyCommands") {
      const list = Array.isArray(payload.commands) ? (payload.commands as Array<{ command: string }>) : [];
      const scope = (payload.scope as { type?: string } | undefined)?.type ?? "default";
      const commands = list.map((c) => `/${c.command}`).join(", ") || t("playground.commands_empty");
      this.print(
        p.dim(
          scope === "default"
            ? t("playground.commands_set", { commands })
            : t("playground.commands_set_scope", {
                commands,
                scope: SCOPES.has(scope) ? t(`playground.scope.${scope}`) : scope,
              }),
        ),
      );
      return;
    }
    if (method === "deleteMessage" || method === "deleteMessages") {
      const chatId = Number(payload.chat_id);
      const ids =
        method === "deleteMessage"
          ? [Number(payload.message_id)]
          : ((payload.message_ids as number[] | undefined) ?? []);
      for (const id of ids) this.print(p.dim(t("playground.deleted", { ref: this.refFor(chatId, id) })));
      return;
    }
    if (method === "copyMessage" && result && typeof result === "object") {
      const stored = this.api.getMessage(Number(payload.chat_id), (result as { message_id: number }).message_id);
      if (stored) this.printMessage(stored.message, payload, false);
      return;
    }
    const messages = Array.isArray(result) ? result : [result];
    for (const m of messages) {
      if (m && typeof m === "object" && "message_id" in m && "chat" in m && "date" in m) {
        this.printMessage(m as Message, payload, method.startsWith("edit"));
      }
    }
  }

  /** A file the bot sent, saved for the person to open (see TerminalLoop.saved). */
  private savedFile(fileId: string, name: string): string[] {
    return this.options.saveDir ? this.saved(this.api.fileBytes(fileId), name) : [];
  }

  private printMessage(m: Message, payload: Record<string, unknown>, edited: boolean): void {
    const p = this.paint;
    const t = this.t;
    const chatId = m.chat.id;
    const ref = this.refFor(chatId, m.message_id);
    const lines = [this.header(chatId, ref, edited)];
    if (m.text !== undefined) lines.push(renderEntities(m.text, m.entities, this.color));
    if (m.document) {
      const d = m.document;
      const details = [d.mime_type, d.file_size !== undefined ? formatSize(t, d.file_size) : undefined]
        .filter(Boolean)
        .join(", ");
      lines.push(`📎 ${d.file_name ?? t("playground.file")}${details ? ` (${details})` : ""}`);
      lines.push(...this.savedFile(d.file_id, d.file_name ?? `tep-${m.message_id}`));
    }
    if (m.photo) {
      lines.push(t("playground.photo"));
      const largest = m.photo[m.photo.length - 1];
      if (largest) lines.push(...this.savedFile(largest.file_id, `anh-${m.message_id}.png`));
    }
    if (m.location)
      lines.push(t("playground.location", { latitude: m.location.latitude, longitude: m.location.longitude }));
    if (m.contact) lines.push(`👤 ${m.contact.first_name} ${m.contact.phone_number}`);
    for (const kind of MEDIA) if (m[kind]) lines.push(`🎞 (${t(`playground.media.${kind}`)})`);
    if (m.caption !== undefined) lines.push(renderEntities(m.caption, m.caption_entities, this.color));
    let n = 0;
    for (const row of m.reply_markup?.inline_keyboard ?? []) {
      if (row.length)
        lines.push(
          `  ${row.map((b) => `${p.yellow(`[${++n}]`)} ${b.text}${"url" in b && b.url ? " ↗" : ""}`).join("  ")}`,
        );
    }
    // Reply keyboards are not echoed in the message; they are in what the bot sent.
    const markup = payload.reply_markup as { keyboard?: KeyboardButton[][]; remove_keyboard?: boolean } | undefined;
    if (!edited && markup?.keyboard) {
      this.replyKeyboards.set(chatId, { markup: markup as ReplyKeyboardMarkup, messageId: m.message_id });
      let k = 0;
      for (const row of markup.keyboard) {
        if (row.length) lines.push(`  ⌨ ${row.map((b) => `${p.yellow(`[${++k}]`)} ${buttonText(b)}`).join("  ")}`);
      }
    } else if (!edited && markup?.remove_keyboard) {
      this.replyKeyboards.delete(chatId);
      lines.push(p.dim(`  ${t("playground.keyboard_hidden")}`));
    }
    this.print(lines.join("\n"));
  }
}
