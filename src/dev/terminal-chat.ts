/**
 * Terminal "playground": a person chats with the real bot through the fake Bot API, as one or
 * several Telegram users, without a token or a phone. Lines typed become the acting user's
 * messages; everything the bot does (messages, edits, files, alerts, command menus) is printed
 * as it happens. Also drives scripted demos and tests when stdin is piped.
 *
 * Everything the person reads comes from locales/<lang>/playground.json, in Vietnamese unless told
 * otherwise, since the people trying the bot are the province's officials. Meta-commands start
 * with ":" so they can never be mistaken for bot commands; their names are Vietnamese words
 * without diacritics in every language, as people type them.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { clearLine, createInterface, cursorTo } from "node:readline";
import type { InlineKeyboardButton, KeyboardButton, Message, MessageEntity, ReplyKeyboardMarkup } from "grammy/types";
import { createI18n, type Locale, type Translate } from "../i18n.ts";
import { type ApiCall, type FakeBotApi, type FakeUser, guessMimeType } from "./fake-bot-api.ts";

export interface PlaygroundUser {
  /** How the person sees this user, e.g. "Cán bộ Sông Mã"; also the prompt. */
  label: string;
  user: FakeUser;
  /** One line telling what this user can try, shown by `:nguoi`. */
  hint?: string;
}

export interface TerminalChatOptions {
  api: FakeBotApi;
  users: PlaygroundUser[];
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Printed first, instead of the default greeting. */
  intro?: string;
  /** Language of the playground's own texts (default "vi"); the bot's replies follow each user. */
  locale?: Locale;
  /** Force colours on or off; by default on only for a TTY without NO_COLOR. */
  color?: boolean;
  /** The bot counts as done once silent this long after an input (default 300 ms)… */
  quietMs?: number;
  /** …or after this long at most (default 5 s). */
  maxWaitMs?: number;
  /** Where files the bot sends (exports, charts, documents) are saved for the person to open. */
  saveDir?: string;
  /**
   * Whether the bot is still handling an update: the chat then waits (up to a minute) even
   * through a silence, e.g. while an export is written after "⏳ Đang tạo tệp…".
   */
  busy?: () => boolean;
}

/**
 * Content for a file the person names without having it: a one-page PDF for .pdf, a tiny
 * picture for .png/.jpg, and for anything else bytes no checker accepts (the bot says so).
 */
function sampleOf(name: string): Buffer {
  const ext = extname(name).toLowerCase();
  if (ext === ".png") {
    return Buffer.from(
      "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
        "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a8170000000049454e44ae426082",
      "hex",
    );
  }
  if (ext === ".jpg" || ext === ".jpeg") {
    return Buffer.concat([
      Buffer.from("ffd8ffe000104a46494600010100000100010000", "hex"),
      Buffer.alloc(64, 1),
      Buffer.from("ffd9", "hex"),
    ]);
  }
  if (ext === ".pdf") {
    const body = [
      "%PDF-1.4",
      "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
      "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
      "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj",
      "trailer << /Root 1 0 R >>",
      "%%EOF",
    ];
    return Buffer.from(`${body.join("\n")}\n`, "latin1");
  }
  return Buffer.from(`made-up content of ${basename(name)}\n`.repeat(64));
}

/** Longest wait for an update the bot is still handling. */
const BUSY_WAIT_MS = 60_000;

/** Runs until `:thoat`, Ctrl+C/Ctrl+D, or the end of piped input. */
export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  if (options.users.length === 0) throw new Error("runTerminalChat: at least one user is needed");
  const chat = new TerminalChat(options);
  await chat.run();
}

// ─── Rendering helpers ───────────────────────────────────────────────────────────────────────

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  cyan(s: string): string;
  yellow(s: string): string;
  red(s: string): string;
  green(s: string): string;
}

function painter(color: boolean): Paint {
  const wrap = (open: string) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[0m` : s);
  return { bold: wrap("1"), dim: wrap("2"), cyan: wrap("36"), yellow: wrap("33"), red: wrap("31"), green: wrap("32") };
}

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

function formatSize(t: Translate, bytes: number): string {
  if (bytes < 1024) return t("playground.size.bytes", { value: bytes });
  if (bytes < 1024 * 1024) return t("playground.size.kb", { value: bytes / 1024 });
  return t("playground.size.mb", { value: bytes / 1024 / 1024 });
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

/** Lower-case without Vietnamese diacritics, so ":giúp" and ":giup" are the same command. */
function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
}

/** Splits a meta-command's arguments, honouring "double quotes" for names with spaces. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? "");
  return out;
}

function buttonText(b: KeyboardButton | InlineKeyboardButton): string {
  return typeof b === "string" ? b : b.text;
}

/** What a button press did: pushed an update to the bot, only printed something, or found no keyboard. */
type PressOutcome = "sent" | "local" | "no-keyboard";

// ─── The REPL ────────────────────────────────────────────────────────────────────────────────

class TerminalChat {
  private readonly api: FakeBotApi;
  private readonly users: PlaygroundUser[];
  private readonly input: NodeJS.ReadableStream;
  private readonly output: NodeJS.WritableStream;
  private readonly interactive: boolean;
  private readonly paint: Paint;
  private readonly color: boolean;
  /** The playground's own texts, plain (not HTML-escaped) for the terminal. */
  private readonly t: Translate;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private acting = 0;
  /** Short per-session numbers (#1, #2…) for bot messages, stable across edits. */
  private readonly refs = new Map<string, number>();
  private readonly byRef = new Map<number, { chatId: number; messageId: number }>();
  /** Reply keyboards the users' clients currently show, per chat. */
  private readonly replyKeyboards = new Map<number, { markup: ReplyKeyboardMarkup; messageId: number }>();
  private prompting = false;
  private rl?: ReturnType<typeof createInterface>;

  constructor(private readonly options: TerminalChatOptions) {
    this.api = options.api;
    this.users = options.users;
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
    const outTty = (this.output as { isTTY?: boolean }).isTTY === true;
    this.interactive = outTty && (this.input as { isTTY?: boolean }).isTTY === true;
    this.color = options.color ?? (outTty && !process.env.NO_COLOR);
    this.paint = painter(this.color);
    this.quietMs = options.quietMs ?? 300;
    this.maxWaitMs = options.maxWaitMs ?? 5000;
    const locale = options.locale ?? "vi";
    this.t = createI18n(locale, { plainText: true }).forLocale(locale);
  }

  private get user(): PlaygroundUser {
    return this.users[this.acting] as PlaygroundUser;
  }

  /** "label — hint", as the user list and the switch messages show a user. */
  private describe(u: PlaygroundUser): string {
    return `${u.label}${u.hint ? ` — ${u.hint}` : ""}`;
  }

  async run(): Promise<void> {
    const unsubscribe = this.api.onCall((call) => this.onCall(call));
    const p = this.paint;
    const t = this.t;
    this.print(
      this.options.intro ??
        t("playground.greeting", {
          title: p.bold(t("playground.greeting_title")),
          help: p.yellow(":giup"),
          quit: p.yellow(":thoat"),
        }),
    );
    this.print(p.dim(t("playground.acting", { user: this.describe(this.user) })));
    const rl = createInterface({
      input: this.input,
      // Without a TTY readline must not echo or draw prompts; we print a transcript instead.
      ...(this.interactive ? { output: this.output, terminal: true } : { terminal: false }),
      historySize: 200,
    });
    this.rl = rl;
    rl.on("SIGINT", () => rl.close());
    try {
      this.showPrompt();
      for await (const line of rl) {
        this.prompting = false;
        const keepGoing = await this.handleLine(line.trim());
        if (!keepGoing) break;
        this.showPrompt();
      }
    } finally {
      this.prompting = false;
      unsubscribe();
      rl.close();
    }
  }

  private promptText(): string {
    return `${this.paint.green(this.user.label)} > `;
  }

  private showPrompt(): void {
    if (!this.interactive || !this.rl) return;
    this.prompting = true;
    this.rl.setPrompt(this.promptText());
    this.rl.prompt();
  }

  /** Prints above the prompt without mangling what the person is typing. */
  private print(text: string): void {
    const redraw = this.interactive && this.prompting && this.rl;
    if (redraw) {
      clearLine(this.output as NodeJS.WriteStream, 0);
      cursorTo(this.output as NodeJS.WriteStream, 0);
    }
    this.output.write(`${text}\n`);
    if (redraw && this.rl) this.rl.prompt(true);
  }

  /** Returns false to quit. */
  private async handleLine(line: string): Promise<boolean> {
    // Piped input is not echoed by anything, so print it: the output then reads as a transcript.
    if (!this.interactive) this.print(`${this.promptText()}${line}`);
    if (line === "") return true;
    if (line.startsWith("\\")) {
      await this.sendText(line.slice(1));
      return true;
    }
    if (/^\d+$/.test(line)) {
      const outcome = this.pressNumber(Number(line));
      if (outcome === "no-keyboard") await this.sendText(line);
      else if (outcome === "sent") await this.settle();
      return true;
    }
    if (line.startsWith(":")) return this.meta(line.slice(1).trim());
    await this.sendText(line);
    return true;
  }

  private async sendText(text: string): Promise<void> {
    this.api.sendUserMessage(this.user.user, text);
    await this.settle();
  }

  /** Waits until the bot has handled everything and gone quiet, so replies print before the next prompt. */
  private async settle(): Promise<void> {
    const busy = this.options.busy;
    const limit = busy ? Math.max(this.maxWaitMs, BUSY_WAIT_MS) : this.maxWaitMs;
    const until = Date.now() + limit;
    for (;;) {
      const idle = await this.api.waitForIdle({ quietMs: this.quietMs, timeoutMs: this.maxWaitMs });
      if (idle && !busy?.()) return;
      if (Date.now() >= until) {
        this.print(this.paint.dim(this.t("playground.not_done", { count: Math.round(limit / 1000) })));
        return;
      }
      if (idle) await new Promise((r) => setTimeout(r, 25));
    }
  }

  private async meta(cmdLine: string): Promise<boolean> {
    const p = this.paint;
    const pressRef = /^(\d+)\s+(\d+)$/.exec(cmdLine);
    if (pressRef) {
      if (this.pressRef(Number(pressRef[1]), Number(pressRef[2])) === "sent") await this.settle();
      return true;
    }
    const [rawCmd = "", ...rest] = cmdLine.split(/\s+/);
    const args = rest.join(" ");
    switch (fold(rawCmd)) {
      case "giup":
      case "help":
      case "?":
        this.print(this.t("playground.help"));
        return true;
      case "thoat":
      case "q":
        this.print(p.dim(this.t("playground.bye")));
        return false;
      case "nguoi":
        this.switchUser(args);
        return true;
      case "tep":
        await this.sendFile(args);
        return true;
      case "anh":
        this.api.sendUserPhoto(this.user.user, args ? { caption: args } : {});
        this.print(p.dim(this.t("playground.sent_photo")));
        await this.settle();
        return true;
      case "ds":
        this.listRecent();
        return true;
      case "lenh":
        this.showCommands();
        return true;
      default:
        this.print(p.yellow(this.t("playground.unknown_command", { command: rawCmd })));
        return true;
    }
  }

  private switchUser(arg: string): void {
    const p = this.paint;
    const t = this.t;
    if (!arg) {
      this.users.forEach((u, i) => {
        const mark = i === this.acting ? p.green("▶") : " ";
        this.print(
          `${mark} ${i + 1}. ${p.bold(u.label)} ${p.dim(t("playground.user_id", { id: u.user.id }))}${u.hint ? ` — ${u.hint}` : ""}`,
        );
      });
      this.print(p.dim(t("playground.users_hint")));
      return;
    }
    const n = Number(arg);
    const index = Number.isInteger(n) ? n - 1 : this.users.findIndex((u) => fold(u.label).includes(fold(arg)));
    if (index < 0 || index >= this.users.length) {
      this.print(p.yellow(t("playground.no_such_user", { name: arg })));
      return;
    }
    this.acting = index;
    this.print(p.dim(t("playground.switched", { user: this.describe(this.user) })));
  }

  private async sendFile(args: string): Promise<void> {
    const [fileName, ...rest] = splitArgs(args);
    if (!fileName) {
      this.print(this.paint.yellow(this.t("playground.file_name_needed")));
      return;
    }
    const mimeType = rest[0]?.includes("/") ? (rest.shift() as string) : guessMimeType(fileName);
    const caption = rest.join(" ");
    // A file on this machine is sent as it is; a name alone gets made-up content of its
    // kind (a small PDF or picture), so the bot's checks see what they would in Telegram.
    const bytes = existsSync(fileName) && statSync(fileName).isFile() ? readFileSync(fileName) : sampleOf(fileName);
    const size = bytes.length;
    this.api.sendUserDocument(this.user.user, {
      fileName: basename(fileName),
      mimeType,
      bytes,
      ...(caption ? { caption } : {}),
    });
    this.print(
      this.paint.dim(
        this.t("playground.sent_file", { name: fileName, type: mimeType, size: formatSize(this.t, size) }),
      ),
    );
    await this.settle();
  }

  private listRecent(): void {
    const chatId = this.user.user.id;
    const msgs = (this.api.chatState(chatId)?.botMessages ?? []).filter((m) => !m.deleted).slice(-10);
    if (msgs.length === 0) {
      this.print(this.paint.dim(this.t("playground.no_messages")));
      return;
    }
    for (const m of msgs) {
      const ref = this.refFor(chatId, m.messageId);
      const body =
        (
          m.message.text ??
          m.message.caption ??
          (m.message.document
            ? `📎 ${m.message.document.file_name ?? this.t("playground.file")}`
            : this.t("playground.no_text"))
        ).split("\n")[0] ?? "";
      const buttons = m.message.reply_markup?.inline_keyboard.flat().length ?? 0;
      this.print(
        `${this.paint.cyan(`#${ref}`)} ${body.length > 60 ? `${body.slice(0, 59)}…` : body}${buttons ? this.paint.dim(` ${this.t("playground.buttons", { count: buttons })}`) : ""}`,
      );
    }
  }

  private showCommands(): void {
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
    if (target.chatId !== this.user.user.id) {
      const owner = this.users.findIndex((u) => u.user.id === target.chatId);
      this.print(
        p.yellow(
          owner >= 0
            ? t("playground.other_chat_switch", { ref, user: owner + 1 })
            : t("playground.other_chat", { ref }),
        ),
      );
      return "local";
    }
    const stored = this.api.getMessage(target.chatId, target.messageId);
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

  private refFor(chatId: number, messageId: number): number {
    const key = `${chatId}:${messageId}`;
    let ref = this.refs.get(key);
    if (ref === undefined) {
      ref = this.refs.size + 1;
      this.refs.set(key, ref);
      this.byRef.set(ref, { chatId, messageId });
    }
    return ref;
  }

  private labelFor(chatId: number): string {
    return (
      this.users.find((u) => u.user.id === chatId)?.label ??
      this.api.chatState(chatId)?.chat.title ??
      this.t("playground.chat", { id: chatId })
    );
  }

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

  /**
   * Saves a file the bot sent under saveDir (a spreadsheet, a chart…) and says where, so the
   * person can open it; nothing when the bytes are not known or there is nowhere to save.
   */
  private saved(fileId: string, name: string): string[] {
    const dir = this.options.saveDir;
    const bytes = dir ? this.api.fileBytes(fileId) : undefined;
    if (!dir || !bytes) return [];
    mkdirSync(dir, { recursive: true });
    // Only the name's last part, without characters a file system may refuse.
    const safe = [...basename(name)].map((c) => (c < " " || '\\/:*?"<>|'.includes(c) ? "_" : c)).join("") || "tep";
    const path = join(dir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}-${safe}`);
    writeFileSync(path, bytes);
    return [this.paint.dim(this.t("playground.saved_to", { path }))];
  }

  private printMessage(m: Message, payload: Record<string, unknown>, edited: boolean): void {
    const p = this.paint;
    const t = this.t;
    const chatId = m.chat.id;
    const ref = this.refFor(chatId, m.message_id);
    const toWhom = this.users.length > 1 || chatId !== this.user.user.id ? ` → ${this.labelFor(chatId)}` : "";
    const lines = [
      `${p.cyan(p.bold(`🤖 ${this.api.botInfo.first_name}`))}${p.cyan(toWhom)} ${p.dim(`#${ref}`)}${edited ? p.yellow(` ${t("playground.edited")}`) : ""}`,
    ];
    if (m.text !== undefined) lines.push(renderEntities(m.text, m.entities, this.color));
    if (m.document) {
      const d = m.document;
      const details = [d.mime_type, d.file_size !== undefined ? formatSize(t, d.file_size) : undefined]
        .filter(Boolean)
        .join(", ");
      lines.push(`📎 ${d.file_name ?? t("playground.file")}${details ? ` (${details})` : ""}`);
      lines.push(...this.saved(d.file_id, d.file_name ?? `tep-${m.message_id}`));
    }
    if (m.photo) {
      lines.push(t("playground.photo"));
      const largest = m.photo[m.photo.length - 1];
      if (largest) lines.push(...this.saved(largest.file_id, `anh-${m.message_id}.png`));
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
