/**
 * Records every Bot API call the bot makes and answers it the way Telegram would, without
 * any network: an API transformer, as in MoC-OSS/ua-anti-spam-bot's tests.
 */
import type { Transformer } from "grammy";
import type { Message } from "grammy/types";
import { DEFAULT_BOT_INFO } from "../../src/dev/fake-bot-api.ts";

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
}

export const TEST_BOT = { ...DEFAULT_BOT_INFO, username: "cchc_test_bot" };

export class ApiRecorder {
  readonly calls: RecordedCall[] = [];
  private messageId = 1000;
  /** Methods that should fail next, with the error Telegram would give. */
  private failures = new Map<
    string,
    { error_code: number; description: string; parameters?: { retry_after?: number } }
  >();

  /** Errors thrown by the next calls of a method (a network failure), in order. */
  private thrown = new Map<string, Error[]>();

  failNext(method: string, error_code: number, description: string, parameters?: { retry_after?: number }) {
    this.failures.set(method, { error_code, description, ...(parameters ? { parameters } : {}) });
  }

  /** Calls of these methods go to the real Bot API address (a loopback fake), recorded too. */
  readonly passThrough = new Set<string>();

  /** Calls of these methods never answer (a process that dies while waiting on Telegram). */
  readonly hanging = new Set<string>();

  /** The next call of `method` throws `error` instead of answering (queued per method). */
  failWith(method: string, error: Error) {
    this.thrown.set(method, [...(this.thrown.get(method) ?? []), error]);
  }

  readonly transformer: Transformer = async (prev, method, payload, signal) => {
    const p = (payload ?? {}) as Record<string, unknown>;
    this.calls.push({ method, payload: p });
    if (this.passThrough.has(method)) return prev(method, payload, signal);
    const error = this.thrown.get(method)?.shift();
    if (error) throw error;
    if (this.hanging.has(method)) return new Promise<never>(() => {});
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      return { ok: false, ...failure } as never;
    }
    return { ok: true, result: this.resultFor(method, p) } as never;
  };

  private resultFor(method: string, p: Record<string, unknown>): unknown {
    const chat = { id: Number(p.chat_id), type: "private" as const, first_name: "User" };
    const base = { message_id: ++this.messageId, date: Math.floor(Date.now() / 1000), chat, from: TEST_BOT };
    switch (method) {
      case "sendMessage":
      case "editMessageText":
        return {
          ...base,
          message_id: (p.message_id as number) ?? base.message_id,
          text: String(p.text),
        } satisfies Partial<Message>;
      case "sendDocument":
        return { ...base, document: { file_id: `doc${base.message_id}`, file_unique_id: `u${base.message_id}` } };
      case "sendPhoto":
        return {
          ...base,
          photo: [{ file_id: `ph${base.message_id}`, file_unique_id: `u${base.message_id}`, width: 1, height: 1 }],
        };
      case "getMe":
        return TEST_BOT;
      default:
        return true;
    }
  }

  /** Calls of one method since the last `clear()`. */
  of(method: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.payload);
  }

  /** Texts of messages sent or edited, in order. */
  texts(): string[] {
    return this.calls
      .filter((c) => c.method === "sendMessage" || c.method === "editMessageText")
      .map((c) => String(c.payload.text));
  }

  lastText(): string {
    const t = this.texts();
    return t[t.length - 1] ?? "";
  }

  clear() {
    this.calls.length = 0;
  }

  /** The inline keyboard of the last message sent or edited, row by row. */
  lastKeyboard(): { text: string; callback_data: string }[][] {
    const withMarkup = this.calls.filter(
      (c) => (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.reply_markup,
    );
    const markup = withMarkup.at(-1)?.payload.reply_markup as
      | { inline_keyboard: { text: string; callback_data: string }[][] }
      | undefined;
    return markup?.inline_keyboard ?? [];
  }

  /** The callback data of the last keyboard's button whose label contains `label` (or matches it). */
  button(label: string | RegExp): string {
    const all = this.lastKeyboard().flat();
    const found = all.find((b) => (typeof label === "string" ? b.text.includes(label) : label.test(b.text)));
    if (!found) throw new Error(`no button "${label}" among ${all.map((b) => b.text).join(" | ")}`);
    return found.callback_data;
  }
}
