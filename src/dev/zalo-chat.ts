/**
 * Terminal "playground" on Zalo: the people write as Zalo users through the fake Zalo Bot API
 * (fake-zalo-api.ts), and what the bot sends is printed as Zalo shows it: plain text, with the
 * numbered choices and «keyword» lines already in it. Zalo has no buttons, so a typed number or
 * keyword is only text, as it is for a person on Zalo. Photos (`:anh`, `:tep` of a picture) go
 * as Zalo images; documents Zalo cannot carry, and the playground says so. The loop is the one
 * the Telegram playground uses (terminal-loop.ts).
 */
import type { FakeZaloApi, FakeZaloCall, FakeZaloUser } from "./fake-zalo-api.ts";
import {
  formatSize,
  type PlaygroundFile,
  type PlaygroundUser,
  sampleOf,
  TerminalLoop,
  type TerminalOptions,
} from "./terminal-loop.ts";

export interface ZaloChatOptions extends TerminalOptions<FakeZaloUser> {
  api: FakeZaloApi;
  users: PlaygroundUser<FakeZaloUser>[];
  /** The bot's name in the chat (default: "CCHC Bot"). */
  botName?: string;
}

/** Runs until `:thoat`, Ctrl+C/Ctrl+D, or the end of piped input. */
export async function runZaloChat(options: ZaloChatOptions): Promise<void> {
  await new ZaloChat(options).run();
}

/** What the bot sent, as the playground keeps it for `:ds`. */
interface Shown {
  ref: number;
  body: string;
}

class ZaloChat extends TerminalLoop<FakeZaloUser> {
  private readonly api: FakeZaloApi;
  protected readonly botName: string;
  /** What the bot sent each chat, for `:ds`. */
  private readonly shown = new Map<string, Shown[]>();

  constructor(options: ZaloChatOptions) {
    super(options);
    this.api = options.api;
    this.botName = options.botName ?? "CCHC Bot";
  }

  protected watch(): () => void {
    return this.api.onCall((call) => this.onCall(call));
  }

  protected deliverText(text: string): void {
    this.api.userSends(this.user.user, text);
  }

  protected deliverPhoto(caption: string): void {
    this.api.userSendsPhoto(this.user.user, { bytes: sampleOf("anh.jpg"), ...(caption ? { text: caption } : {}) });
  }

  /** A picture goes as a Zalo image; any other file cannot be sent on Zalo at all. */
  protected deliverFile(file: PlaygroundFile): boolean {
    const size = formatSize(this.t, file.bytes.length);
    if (!file.mimeType.startsWith("image/")) {
      this.print(this.paint.yellow(this.t("playground.zalo.no_documents", { name: file.path, size })));
      return false;
    }
    this.api.userSendsPhoto(this.user.user, { bytes: file.bytes, ...(file.caption ? { text: file.caption } : {}) });
    this.print(this.paint.dim(this.t("playground.zalo.sent_image", { name: file.path, size })));
    return true;
  }

  protected waitForIdle(o: { quietMs: number; timeoutMs: number }): Promise<boolean> {
    return this.api.waitForIdle(o);
  }

  protected override helpText(): string {
    return this.t("playground.zalo.help");
  }

  protected listRecent(): void {
    const recent = (this.shown.get(this.user.user.id) ?? []).slice(-10);
    if (recent.length === 0) {
      this.print(this.paint.dim(this.t("playground.no_messages")));
      return;
    }
    for (const m of recent) this.print(this.recentLine(m.ref, m.body));
  }

  /** Zalo has no command menu: the bot lists its commands itself. */
  protected showCommands(): void {
    this.print(this.paint.dim(this.t("playground.zalo.no_menu")));
  }

  private onCall(call: FakeZaloCall): void {
    if (!call.ok) {
      // An ended long poll is how getUpdates says "nothing"; anything else is worth a developer's eye.
      if (call.method !== "getUpdates" && call.error) {
        const { error_code: code, description } = call.error;
        this.print(this.paint.red(this.t("playground.api_error", { method: call.method, code, description })));
      }
      return;
    }
    if (call.method !== "sendMessage" && call.method !== "sendPhoto") return;
    const chatId = String(call.payload.chat_id);
    const messageId = String((call.result as { message_id?: string } | undefined)?.message_id ?? call.seq);
    const ref = this.refFor(chatId, messageId);
    const lines = [this.header(chatId, ref)];
    if (call.method === "sendPhoto") lines.push(`${this.t("playground.photo")} ${String(call.payload.photo)}`);
    const text = call.method === "sendPhoto" ? call.payload.caption : call.payload.text;
    if (typeof text === "string" && text !== "") lines.push(text);
    this.print(lines.join("\n"));
    const list = this.shown.get(chatId) ?? [];
    list.push({ ref, body: typeof text === "string" && text !== "" ? text : this.t("playground.photo") });
    this.shown.set(chatId, list);
  }
}
