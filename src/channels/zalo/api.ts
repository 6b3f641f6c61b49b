/**
 * A small client for the Zalo Bot Platform API (https://bot.zaloplatforms.com/docs), and the
 * shapes of the events Zalo sends to a bot.
 *
 * Why no npm package: none is both maintained and about the *Bot* Platform (see
 * /work/shared/STACK.md). The API is Telegram-like JSON over HTTPS — POST
 * `<apiRoot>/bot<TOKEN>/<method>` with a JSON body, answer `{ ok, result, error_code,
 * description }` — so Node's fetch plus zod is all it takes.
 *
 * Three promises this module keeps:
 * 1. The token never leaves in an error: a failed call throws a {@link ZaloApiError} whose
 *    message, description and properties are built from redacted parts only. The underlying
 *    fetch error is not kept as `cause`, because Node's network errors can carry the request
 *    URL, and the URL contains the token.
 * 2. Every failure says what to do about it (`kind`), with the same four answers the notice
 *    sender uses for Telegram: rate_limited, blocked, transient, permanent.
 * 3. Inbound events never throw while parsing: whatever Zalo sends becomes either a typed
 *    message event or a typed "unknown" result the caller can log and ignore.
 */
import { z } from "zod";
import { networkCodeOf } from "../../logger.ts";
import { redactorFor, secretsOf } from "../../secrets.ts";

// ─── Limits ──────────────────────────────────────────────────────────────────────────────────

/**
 * Longest text Zalo accepts in one message. The documentation says "2,000 characters" without
 * saying which kind; we count UTF-16 code units (JavaScript's `length`), which is never less
 * than the number of code points, so a text we accept is within the limit either way.
 */
export const ZALO_TEXT_LIMIT = 2000;

export const ZALO_DEFAULT_API_ROOT = "https://bot-api.zaloplatforms.com";

// ─── Inbound events ──────────────────────────────────────────────────────────────────────────

export const ZALO_EVENT_NAMES = [
  "message.text.received",
  "message.image.received",
  "message.sticker.received",
  "message.voice.received",
  "message.unsupported.received",
] as const;
export type ZaloEventName = (typeof ZALO_EVENT_NAMES)[number];

/** Zalo's ids are strings; a number would lose digits past 2^53, so numbers are turned into strings. */
const zaloId = z.union([z.string().min(1), z.number().int()]).transform(String);

/** Seconds or milliseconds since the epoch, as sent (Zalo does not document which; it uses milliseconds elsewhere). */
const timestamp = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

/**
 * A message as Zalo sends it. Loose objects: fields Zalo adds later are ignored rather than
 * refused. `display_name` is the documented name field; `name` is accepted too because some
 * third-party clients report it, and a missing name must not make a message unreadable.
 */
export const ZaloMessageSchema = z
  .looseObject({
    from: z.looseObject({ id: zaloId, display_name: z.string().optional(), name: z.string().optional() }),
    chat: z.looseObject({ id: zaloId, chat_type: z.enum(["PRIVATE", "GROUP"]) }),
    message_id: zaloId,
    date: timestamp,
    text: z.string().optional(),
    /** The image's URL; it expires, so download it at once. */
    photo: z.string().optional(),
  })
  .transform(
    (m): ZaloMessage => ({
      from: { id: m.from.id, display_name: m.from.display_name ?? m.from.name ?? "" },
      chat: { id: m.chat.id, chat_type: m.chat.chat_type },
      message_id: m.message_id,
      date: m.date,
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.photo !== undefined ? { photo: m.photo } : {}),
    }),
  );

export interface ZaloMessage {
  from: { id: string; display_name: string };
  chat: { id: string; chat_type: "PRIVATE" | "GROUP" };
  message_id: string;
  date: number;
  text?: string;
  photo?: string;
}

/** One event with a known name and a readable message. */
export const ZaloEventSchema = z.object({ event_name: z.enum(ZALO_EVENT_NAMES), message: ZaloMessageSchema });
export type ZaloEvent = z.output<typeof ZaloEventSchema>;

/**
 * What {@link parseZaloEvent} makes of anything Zalo sends: a typed event, or "unknown" with
 * the reason — a name this code does not know yet (Zalo adds event types), or a known name
 * whose message lacks what the bot needs. `raw` is kept for a log line, not for processing.
 */
export type ZaloInbound =
  | ({ kind: "event" } & ZaloEvent)
  | { kind: "unknown"; reason: "unknown_event" | "malformed"; event_name: string | undefined; raw: unknown };

/** Parses one inbound event (a webhook body or a getUpdates result). Never throws. */
export function parseZaloEvent(raw: unknown): ZaloInbound {
  const name =
    raw && typeof raw === "object" && typeof (raw as { event_name?: unknown }).event_name === "string"
      ? (raw as { event_name: string }).event_name
      : undefined;
  if (name === undefined || !(ZALO_EVENT_NAMES as readonly string[]).includes(name)) {
    return { kind: "unknown", reason: name === undefined ? "malformed" : "unknown_event", event_name: name, raw };
  }
  const parsed = ZaloEventSchema.safeParse(raw);
  if (!parsed.success) return { kind: "unknown", reason: "malformed", event_name: name, raw };
  return { kind: "event", ...parsed.data };
}

// ─── Results of the methods ──────────────────────────────────────────────────────────────────

/**
 * Results are parsed leniently on purpose: when `ok` is true the call *happened* (a message
 * was sent), and throwing because a field we do not need changed shape would make the caller
 * retry and send it twice.
 */
const BotInfoSchema = z.looseObject({
  id: zaloId,
  account_name: z.string().optional(),
  display_name: z.string().optional(),
  name: z.string().optional(),
});
export type ZaloBotInfo = z.output<typeof BotInfoSchema>;

const WebhookInfoSchema = z
  .looseObject({ url: z.string().optional(), updated_at: timestamp.optional() })
  .catch({})
  .transform((w) => ({ url: w.url ?? "", ...(w.updated_at !== undefined ? { updated_at: w.updated_at } : {}) }));
export interface ZaloWebhookInfo {
  /** "" when no webhook is set. */
  url: string;
  updated_at?: number;
}

const SentSchema = z
  .looseObject({ message_id: zaloId.optional(), date: timestamp.optional() })
  .catch({})
  .transform((s) => ({
    ...(s.message_id !== undefined ? { message_id: s.message_id } : {}),
    ...(s.date !== undefined ? { date: s.date } : {}),
  }));
export interface ZaloSentMessage {
  message_id?: string;
  date?: number;
}

const errorCode = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number),
]);

/** The answer to every call. `error_code` is documented as a number; a numeric string is accepted too. */
const EnvelopeSchema = z.looseObject({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: errorCode.optional().catch(undefined),
  description: z.string().optional().catch(undefined),
});

// ─── Errors ──────────────────────────────────────────────────────────────────────────────────

/** What the caller should do about a failure (the same four answers as for Telegram). */
export type ZaloErrorKind = "rate_limited" | "blocked" | "transient" | "permanent";

/**
 * A failed call. Built only from redacted text: `message`, `description` and `String(err)`
 * never contain the token. `error_code` is Zalo's code, or undefined when there was no answer
 * (network failure, timeout) or the call was refused before it was made.
 */
export class ZaloApiError extends Error {
  constructor(
    readonly method: string,
    readonly error_code: number | undefined,
    readonly description: string,
    readonly kind: ZaloErrorKind,
  ) {
    super(`Zalo ${method} failed: ${error_code ?? "no code"}: ${description}`);
    this.name = "ZaloApiError";
  }
}

/**
 * When a failure means "this person cannot be reached" (the notice sender then stops writing
 * to them). Zalo does not document the error for a user who blocked the bot or may no longer
 * be messaged, so the choice is conservative: only a description that plainly says so counts.
 * A bare 403 does not — Zalo could use it for a bad token or a missing permission too, and
 * marking officers unreachable by mistake silently stops their notices, whereas a "permanent"
 * failure ends FAILED with the error shown in /xacnhan, where someone sees it. When the real
 * codes are known, add them here (e.g. `{ code: 403, description: /.../ }` or a code alone).
 */
const BLOCKED_WHEN: ReadonlyArray<{ code?: number; description?: RegExp }> = [
  { description: /\bblock(ed)?\b/i }, // "user blocked the bot", "bot was blocked by the user"
  { description: /\bnot (allowed|permitted) to (send|message)\b/i },
];

/** Zalo's error code and description → what to do. Exported so the sender and tests share it. */
export function classifyZaloError(code: number | undefined, description: string): ZaloErrorKind {
  if (code === 429) return "rate_limited";
  // No answer, a server fault or the server's own timeout (408): worth another try later.
  if (code === undefined || code >= 500 || code === 408) return "transient";
  const blocked = BLOCKED_WHEN.some(
    (rule) =>
      (rule.code === undefined || rule.code === code) &&
      (rule.description === undefined || rule.description.test(description)),
  );
  return blocked ? "blocked" : "permanent";
}

// ─── The client ──────────────────────────────────────────────────────────────────────────────

export interface ZaloApiOptions {
  /** `<bot id>:<secret>` from Zalo's Bot Creator. */
  token: string;
  /** Default {@link ZALO_DEFAULT_API_ROOT}; the fake's URL in tests and the playground. */
  apiRoot?: string;
  /** Default the global fetch; tests inject failures here. */
  fetch?: typeof fetch;
  /** Longest wait for one answer (default 10 s); getUpdates adds its long-poll `timeout` to it. */
  timeoutMs?: number;
}

export interface CallOptions {
  /** Aborts the call (stopping a long poll when the bot shuts down). */
  signal?: AbortSignal;
}

export interface ZaloApi {
  getMe(o?: CallOptions): Promise<ZaloBotInfo>;
  /** Waits up to `timeout` seconds for ONE event; undefined when none came. */
  getUpdates(p?: { timeout?: number }, o?: CallOptions): Promise<ZaloInbound | undefined>;
  setWebhook(p: { url: string; secret_token: string }, o?: CallOptions): Promise<ZaloWebhookInfo>;
  deleteWebhook(o?: CallOptions): Promise<ZaloWebhookInfo>;
  getWebhookInfo(o?: CallOptions): Promise<ZaloWebhookInfo>;
  /** Plain text of 1–2,000 characters; refused before any request otherwise (split first: split.ts). */
  sendMessage(p: { chat_id: string; text: string }, o?: CallOptions): Promise<ZaloSentMessage>;
  /** `photo` is an http(s) URL Zalo fetches; there is no upload. */
  sendPhoto(p: { chat_id: string; photo: string; caption?: string }, o?: CallOptions): Promise<ZaloSentMessage>;
  sendChatAction(p: { chat_id: string; action: "typing" }, o?: CallOptions): Promise<void>;
}

export function createZaloApi(options: ZaloApiOptions): ZaloApi {
  const { token, apiRoot = ZALO_DEFAULT_API_ROOT, timeoutMs = 10_000 } = options;
  const doFetch = options.fetch ?? fetch;
  const base = `${apiRoot.replace(/\/+$/, "")}/bot${token}/`;
  // The whole token and its secret half, raw and URL-encoded (see secrets.ts).
  const redactor = redactorFor(secretsOf({ ZALO_BOT_TOKEN: token }));
  const fail = (method: string, code: number | undefined, description: string, kind?: ZaloErrorKind) => {
    const clean = redactor.redact(description).slice(0, 500);
    return new ZaloApiError(method, code, clean, kind ?? classifyZaloError(code, clean));
  };

  /** One call: the raw `result` on success, a ZaloApiError otherwise. */
  async function call(method: string, body: object, o: CallOptions = {}, extraWaitMs = 0): Promise<unknown> {
    const waitMs = timeoutMs + extraWaitMs;
    const signals = [AbortSignal.timeout(waitMs), ...(o.signal ? [o.signal] : [])];
    let status: number;
    let text: string;
    try {
      const res = await doFetch(base + method, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.any(signals),
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      // Only a code or a fixed phrase: the error's own message may quote the URL.
      if (o.signal?.aborted) throw fail(method, undefined, "aborted by the caller", "transient");
      if ((e as { name?: unknown })?.name === "TimeoutError")
        throw fail(method, undefined, `no answer within ${waitMs} ms`, "transient");
      throw fail(method, undefined, `network error (${networkCodeOf(e)})`, "transient");
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const envelope = EnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      // A proxy's error page, an empty body: judge by the HTTP status alone.
      const code = status >= 200 && status < 300 ? undefined : status;
      throw fail(method, code, `unreadable answer (HTTP ${status})`);
    }
    const env = envelope.data;
    if (!env.ok) {
      const code = env.error_code ?? (status >= 400 ? status : undefined);
      throw fail(method, code, env.description ?? `HTTP ${status}`);
    }
    return env.result;
  }

  function checkText(method: string, field: string, text: string, allowEmpty: boolean): void {
    if (!allowEmpty && text.length === 0)
      throw fail(method, undefined, `refused before sending: empty ${field}`, "permanent");
    if (text.length > ZALO_TEXT_LIMIT)
      throw fail(
        method,
        undefined,
        `refused before sending: ${field} of ${text.length} characters (limit ${ZALO_TEXT_LIMIT}); split it first`,
        "permanent",
      );
  }

  return {
    async getMe(o) {
      const result = await call("getMe", {}, o);
      const info = BotInfoSchema.safeParse(result);
      if (!info.success) throw fail("getMe", undefined, "unexpected result shape", "permanent");
      return info.data;
    },

    async getUpdates(p = {}, o) {
      const timeout = Math.max(0, Math.floor(p.timeout ?? 30));
      let result: unknown;
      try {
        // Sent as a string, as third-party clients that work against the real API do.
        result = await call("getUpdates", { timeout: String(timeout) }, o, timeout * 1000);
      } catch (e) {
        // Third-party clients report that a long poll ending without an event answers
        // 408 "Request timeout" rather than an empty result: that is "none", not a failure.
        if (e instanceof ZaloApiError && e.error_code === 408) return undefined;
        throw e;
      }
      if (result === undefined || result === null) return undefined;
      if (typeof result === "object" && Object.keys(result).length === 0) return undefined;
      return parseZaloEvent(result);
    },

    async setWebhook(p, o) {
      return WebhookInfoSchema.parse(await call("setWebhook", { url: p.url, secret_token: p.secret_token }, o));
    },

    async deleteWebhook(o) {
      return WebhookInfoSchema.parse(await call("deleteWebhook", {}, o));
    },

    async getWebhookInfo(o) {
      return WebhookInfoSchema.parse(await call("getWebhookInfo", {}, o));
    },

    async sendMessage(p, o) {
      checkText("sendMessage", "text", p.text, false);
      return SentSchema.parse(await call("sendMessage", { chat_id: p.chat_id, text: p.text }, o));
    },

    async sendPhoto(p, o) {
      if (!/^https?:\/\/\S+$/i.test(p.photo))
        throw fail("sendPhoto", undefined, "refused before sending: photo must be an http(s) URL", "permanent");
      if (p.caption !== undefined) checkText("sendPhoto", "caption", p.caption, true);
      const body = { chat_id: p.chat_id, photo: p.photo, ...(p.caption ? { caption: p.caption } : {}) };
      return SentSchema.parse(await call("sendPhoto", body, o));
    },

    async sendChatAction(p, o) {
      await call("sendChatAction", { chat_id: p.chat_id, action: p.action }, o);
    },
  };
}
