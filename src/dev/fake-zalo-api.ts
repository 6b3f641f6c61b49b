/**
 * A loopback fake of the Zalo Bot Platform API, for tests, the playground and benchmarks: the
 * Zalo counterpart of fake-bot-api.ts, and much smaller, because Zalo's API is.
 *
 * It speaks the real protocol (POST `/bot<token>/<method>` with a JSON body, `{ ok, result,
 * error_code, description }` answers) and ENFORCES the documented contract, because a fake that
 * accepts everything hides exactly the bugs it should reveal:
 * - texts (and captions) of 1–2,000 characters, plain: no `reply_markup`, no `parse_mode`, no
 *   HTML tags or entities (Zalo would show them literally), no field the method does not have;
 * - photos by http(s) URL only (there is no upload);
 * - getUpdates answers ONE event per call, long-polls up to `timeout` seconds, and is refused
 *   while a webhook is set;
 * - a webhook gets each event POSTed with the header `X-Bot-Api-Secret-Token`, retried a few
 *   times on failure.
 * Every refusal of that kind is also recorded in `violations`, so a test can assert that the
 * bot never broke the contract, whatever it did with the error.
 *
 * Where Zalo's documentation is silent the fake picks Telegram-like behaviour and says so:
 * HTTP status = error_code, 409 for getUpdates during a webhook, 408 "Request timeout" for a
 * long poll that ends without an event, 403 with a plain "blocked" description for a user who
 * blocked the bot. The descriptions are made up; only their meaning matters.
 */
import { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ZALO_TEXT_LIMIT } from "../channels/zalo/api.ts";

// ─── Public types ────────────────────────────────────────────────────────────────────────────

/** A person writing to the bot. Zalo ids are strings. */
export interface FakeZaloUser {
  id: string;
  display_name: string;
}

export interface FakeZaloApiOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; loopback by default so nothing outside the machine can reach it. */
  host?: string;
  /** When set, requests with any other token get 401. */
  token?: string;
  /** What getMe answers. */
  botInfo?: Record<string, unknown>;
  /** Webhook delivery: attempts per event (default 3), first backoff (default 50 ms, doubling), timeout of one POST (default 10 s). */
  webhookAttempts?: number;
  webhookBackoffMs?: number;
  webhookTimeoutMs?: number;
  /** Keep `calls` and `deliveries` (default true); turn off for long benchmarks to bound memory. */
  recordCalls?: boolean;
  /** The answer to a send to a blocked user (see `blockedUsers`). Zalo's real one is undocumented. */
  blockedError?: { error_code: number; description: string };
}

/** An inbound event exactly as the fake sends it to the bot. */
export interface FakeZaloEvent {
  event_name: string;
  message: {
    from: { id: string; display_name: string; is_bot: false };
    chat: { id: string; chat_type: "PRIVATE" | "GROUP" };
    message_id: string;
    date: number;
    text?: string;
    photo?: string;
  };
}

/** One API call as the server saw it. */
export interface FakeZaloCall {
  seq: number;
  method: string;
  payload: Record<string, unknown>;
  ok: boolean;
  result?: unknown;
  error?: { error_code: number; description: string };
}

/** A call the real API would refuse, or one that breaks the documented contract. */
export interface ContractViolation {
  method: string;
  reason: string;
  payload: Record<string, unknown>;
}

/** A message the bot sent. */
export interface FakeZaloSent {
  chat_id: string;
  message_id: string;
  date: number;
  text?: string;
  photo?: string;
  caption?: string;
}

/** What happened to one event sent to the webhook. */
export interface WebhookDelivery {
  event: FakeZaloEvent;
  /** HTTP status of each attempt, or "network" when the POST failed. */
  attempts: Array<number | "network">;
  delivered: boolean;
}

/** Options for a user's message: a group chat instead of the private one. */
export interface UserMessageOptions {
  chat?: { id: string; chat_type: "GROUP" };
}

export const DEFAULT_ZALO_BOT_INFO = {
  id: "2000000000000000001",
  account_name: "bot.cchc_demo",
  display_name: "CCHC Bot",
};

// ─── The fake ────────────────────────────────────────────────────────────────────────────────

export class FakeZaloApi {
  /** Base URL for the client's `apiRoot`, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  /** Every call, in completion order. */
  readonly calls: FakeZaloCall[] = [];
  /** Contract breaches; a well-behaved bot leaves this empty. */
  readonly violations: ContractViolation[] = [];
  /** Ids of users who blocked the bot: sends to them fail. Mutate freely. */
  readonly blockedUsers = new Set<string>();
  /** Webhook deliveries, oldest first (finished ones and the ones in progress). */
  readonly deliveries: WebhookDelivery[] = [];

  private readonly opts: FakeZaloApiOptions;
  private readonly listeners = new Set<(call: FakeZaloCall) => void>();
  private readonly sent = new Map<string, FakeZaloSent[]>();
  private readonly sentListeners = new Set<(m: FakeZaloSent) => void>();
  private readonly photos = new Map<string, Buffer>();
  private readonly failures = new Map<string, Array<{ error_code: number; description: string; times: number }>>();
  private hook?: { url: string; secret_token: string; updated_at: number };

  // Polling: events wait here; each getUpdates takes one. Waiting long polls are served first come, first served.
  private queue: FakeZaloEvent[] = [];
  private readonly waiters: Array<(e: FakeZaloEvent | undefined) => void> = [];

  // Webhook: one FIFO per chat, so a chat's events arrive in order while chats run in parallel.
  private readonly chatQueues = new Map<string, FakeZaloEvent[]>();
  private readonly abort = new AbortController();

  private seq = 0;
  private inFlight = 0;
  private lastActivity = 0;
  private closed = false;

  private constructor(
    private readonly server: Server,
    opts: FakeZaloApiOptions,
  ) {
    this.opts = opts;
    const addr = server.address() as AddressInfo;
    this.url = `http://${addr.address}:${addr.port}`;
    server.on("request", (req, res) => void this.onRequest(req, res));
  }

  /** @internal use {@link startFakeZaloApi} */
  static async listen(opts: FakeZaloApiOptions): Promise<FakeZaloApi> {
    const server = createServer();
    // Long polls last up to a minute: no request timeout; keep-alive longer than the client's.
    server.requestTimeout = 0;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new FakeZaloApi(server, opts);
  }

  /** Stops the server: waiting long polls end without an event, webhook deliveries stop. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
    this.abort.abort();
    const done = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await done;
  }

  // ── Observing ──────────────────────────────────────────────────────────────────────────────

  /** Calls `listener` with every call as it completes (the playground prints them); returns the way to stop. */
  onCall(listener: (call: FakeZaloCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with each message the bot sends (text or photo), as it is stored; returns the unsubscribe function. */
  onSent(listener: (m: FakeZaloSent) => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  /** Messages the bot sent to a chat, oldest first. */
  messagesTo(chatId: string): FakeZaloSent[] {
    return [...(this.sent.get(chatId) ?? [])];
  }

  /** The webhook as set (secret included: the test set it), or undefined in polling mode. */
  get webhook(): { url: string; secret_token: string } | undefined {
    return this.hook ? { url: this.hook.url, secret_token: this.hook.secret_token } : undefined;
  }

  /** Events not yet taken by getUpdates or not yet delivered to the webhook. */
  pendingEvents(): number {
    let n = this.queue.length;
    for (const q of this.chatQueues.values()) n += q.length;
    return n;
  }

  /**
   * Resolves once `chatId` has received at least `count` messages in all (from the start), with
   * them; rejects after `timeoutMs`. The way to wait for the bot's answers: Zalo has no
   * acknowledgement the fake could wait for (a webhook is answered before the event is
   * processed, and a polled event is gone once taken).
   */
  async waitForMessages(chatId: string, count: number, timeoutMs = 5000): Promise<FakeZaloSent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.messagesTo(chatId);
      if (messages.length >= count) return messages;
      if (Date.now() >= deadline || this.closed)
        throw new Error(`chat ${chatId} received ${messages.length} of ${count} messages within ${timeoutMs} ms`);
      await sleep(10);
    }
  }

  /**
   * Resolves true once every event was taken or delivered, no request is being handled and
   * nothing happened for `quietMs`; false if that does not happen within `timeoutMs`. A bot
   * still working on an event it took without calling the API looks idle: for its answers,
   * use {@link waitForMessages}.
   */
  async waitForIdle({ quietMs = 100, timeoutMs = 5000 } = {}): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = Date.now();
      if (this.pendingEvents() === 0 && this.inFlight === 0 && now - this.lastActivity >= quietMs) return true;
      if (now >= deadline || this.closed) return false;
      await sleep(10);
    }
  }

  // ── Fault injection ────────────────────────────────────────────────────────────────────────

  /** The next `times` calls of `method` ("*" = any) fail with this error instead of running. */
  failNext(method: string, error_code: number, description = `Error ${error_code}`, times = 1): void {
    const list = this.failures.get(method) ?? [];
    list.push({ error_code, description, times });
    this.failures.set(method, list);
  }

  /** Photo URLs handed out so far stop working (404), as Zalo's expiring URLs do. */
  expirePhotos(): void {
    this.photos.clear();
  }

  // ── Simulating users ───────────────────────────────────────────────────────────────────────

  userSends(user: FakeZaloUser, text: string, o: UserMessageOptions = {}): FakeZaloEvent {
    return this.push("message.text.received", user, o, { text });
  }

  /**
   * The user sends an image. With `bytes`, the fake serves them at `<url>/photos/<id>.jpg` (the
   * URL in the event) until {@link expirePhotos}; with `url`, that URL is sent as is.
   */
  userSendsPhoto(
    user: FakeZaloUser,
    photo: { bytes: Buffer; text?: string } | { url: string; text?: string },
    o: UserMessageOptions = {},
  ): FakeZaloEvent {
    let url: string;
    if ("bytes" in photo) {
      const id = randomUUID().replaceAll("-", "");
      this.photos.set(id, photo.bytes);
      url = `${this.url}/photos/${id}.jpg`;
    } else url = photo.url;
    return this.push("message.image.received", user, o, {
      photo: url,
      ...(photo.text !== undefined ? { text: photo.text } : {}),
    });
  }

  userSendsSticker(user: FakeZaloUser, o: UserMessageOptions = {}): FakeZaloEvent {
    return this.push("message.sticker.received", user, o, {});
  }

  userSendsVoice(user: FakeZaloUser, o: UserMessageOptions = {}): FakeZaloEvent {
    return this.push("message.voice.received", user, o, {});
  }

  userSendsUnsupported(user: FakeZaloUser, o: UserMessageOptions = {}): FakeZaloEvent {
    return this.push("message.unsupported.received", user, o, {});
  }

  /** Queues any event as given (unknown names, malformed messages, duplicates of an earlier one). */
  pushEvent(event: FakeZaloEvent | Record<string, unknown>): void {
    this.lastActivity = Date.now();
    this.dispatch(event as FakeZaloEvent);
  }

  private push(
    event_name: string,
    user: FakeZaloUser,
    o: UserMessageOptions,
    content: { text?: string; photo?: string },
  ): FakeZaloEvent {
    const event: FakeZaloEvent = {
      event_name,
      message: {
        from: { id: user.id, display_name: user.display_name, is_bot: false },
        // A private chat's id is the user's id, as in Telegram.
        chat: o.chat ?? { id: user.id, chat_type: "PRIVATE" },
        // Unique across runs: a bot that remembers handled ids must not see old ones again.
        message_id: randomUUID().replaceAll("-", ""),
        // Milliseconds: what Zalo's other APIs use (undocumented for the Bot API).
        date: Date.now(),
        ...content,
      },
    };
    this.pushEvent(event);
    return event;
  }

  /** To the webhook when one is set, to getUpdates otherwise. */
  private dispatch(event: FakeZaloEvent): void {
    if (this.hook) {
      this.enqueueDelivery(event);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(event);
    else this.queue.push(event);
  }

  // ── HTTP layer ─────────────────────────────────────────────────────────────────────────────

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const photo = /^\/photos\/([0-9a-f]+)\.jpg$/.exec(path);
    if (photo) {
      const bytes = this.photos.get(photo[1] as string);
      if (!bytes) res.writeHead(404).end();
      else res.writeHead(200, { "content-type": "image/jpeg", "content-length": bytes.length }).end(bytes);
      return;
    }
    const m = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(path);
    if (!m) return reply(res, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, method] = m as unknown as [string, string, string];
    const isPoll = method === "getUpdates";
    if (!isPoll) this.inFlight++;
    this.lastActivity = Date.now();
    try {
      const body = await readBody(req);
      if (this.opts.token !== undefined && token !== this.opts.token) {
        return reply(res, { ok: false, error_code: 401, description: "Unauthorized" });
      }
      let payload: Record<string, unknown> = {};
      if (body.length > 0) {
        const parsed = parseJsonObject(body, req.headers["content-type"]);
        if (!parsed) {
          const error = { error_code: 400, description: "Bad Request: the body must be a JSON object" };
          this.violations.push({ method, reason: error.description, payload: {} });
          this.record(method, {}, { ok: false, ...error });
          return reply(res, { ok: false, ...error });
        }
        payload = parsed;
      }
      // The client going away (bot stopping) ends a waiting long poll.
      const gone = new AbortController();
      res.on("close", () => gone.abort());
      const answer = await this.execute(method, payload, gone.signal);
      this.record(method, payload, answer);
      reply(res, answer);
    } catch {
      res.destroy();
    } finally {
      if (!isPoll) this.inFlight--;
      this.lastActivity = Date.now();
    }
  }

  private record(method: string, payload: Record<string, unknown>, answer: Answer): void {
    if (this.opts.recordCalls === false && this.listeners.size === 0) return;
    const call: FakeZaloCall = {
      seq: ++this.seq,
      method,
      payload,
      ok: answer.ok,
      ...(answer.ok
        ? { result: answer.result }
        : { error: { error_code: answer.error_code, description: answer.description } }),
    };
    if (this.opts.recordCalls !== false) this.calls.push(call);
    for (const l of this.listeners) {
      try {
        l(call);
      } catch {
        // A broken observer must not break the API the bot sees.
      }
    }
  }

  /** Runs one method: injected failure, contract checks, then the method itself. */
  private async execute(method: string, p: Record<string, unknown>, signal: AbortSignal): Promise<Answer> {
    const failure = this.takeFailure(method);
    if (failure) return { ok: false, error_code: failure.error_code, description: failure.description };
    const handler = this.handlers[method];
    if (!handler) return { ok: false, error_code: 404, description: `Not Found: unknown method ${method}` };
    try {
      return { ok: true, result: await handler(p, signal) };
    } catch (e) {
      if (!(e instanceof Refusal)) throw e;
      if (e.violation) this.violations.push({ method, reason: e.description, payload: p });
      return { ok: false, error_code: e.error_code, description: e.description };
    }
  }

  private takeFailure(method: string) {
    for (const key of [method, "*"]) {
      const list = this.failures.get(key);
      const first = list?.[0];
      if (!list || !first) continue;
      if (--first.times <= 0) list.shift();
      return first;
    }
    return undefined;
  }

  // ── Methods ────────────────────────────────────────────────────────────────────────────────

  private readonly handlers: Record<string, (p: Record<string, unknown>, signal: AbortSignal) => unknown> = {
    getMe: () => ({ ...DEFAULT_ZALO_BOT_INFO, ...this.opts.botInfo }),

    getUpdates: (p, signal) => {
      allowOnly(p, ["timeout"]);
      if (this.hook) throw violation(409, "Conflict: getUpdates is not allowed while a webhook is set");
      const timeout = Math.min(60, Math.max(0, Number(p.timeout ?? 0) || 0));
      const ready = this.queue.shift();
      if (ready) return ready;
      if (timeout === 0 || this.closed) throw noEvent();
      return new Promise((resolve, reject) => {
        const done = (event: FakeZaloEvent | undefined) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onGone);
          if (event) resolve(event);
          else reject(noEvent());
        };
        const leave = () => {
          const i = this.waiters.indexOf(done);
          if (i >= 0) this.waiters.splice(i, 1);
        };
        const timer = setTimeout(() => {
          leave();
          done(undefined);
        }, timeout * 1000);
        const onGone = () => {
          leave();
          done(undefined);
        };
        signal.addEventListener("abort", onGone);
        this.waiters.push(done);
      });
    },

    setWebhook: (p) => {
      allowOnly(p, ["url", "secret_token"]);
      const url = typeof p.url === "string" ? p.url : "";
      // Zalo requires HTTPS; plain http is allowed on loopback only, so tests need no TLS.
      if (!/^https:\/\/\S+$/i.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//i.test(url))
        throw violation(400, "Bad Request: the webhook URL must be HTTPS");
      const secret = p.secret_token;
      // 8–256 characters per the documentation; visible ASCII because it travels in a header.
      if (typeof secret !== "string" || secret.length < 8 || secret.length > 256 || !/^[\x21-\x7e]+$/.test(secret))
        throw violation(400, "Bad Request: secret_token must be 8-256 characters");
      this.hook = { url, secret_token: secret, updated_at: Date.now() };
      // Events not yet polled now go to the webhook; waiting long polls end empty.
      for (const w of this.waiters.splice(0)) w(undefined);
      for (const e of this.queue.splice(0)) this.enqueueDelivery(e);
      return { url, updated_at: this.hook.updated_at };
    },

    deleteWebhook: (p) => {
      allowOnly(p, []);
      this.hook = undefined;
      // Events still waiting for delivery go back to getUpdates (the one in flight finishes).
      for (const q of this.chatQueues.values()) this.queue.push(...q.splice(1));
      return { url: "", updated_at: Date.now() };
    },

    getWebhookInfo: (p) => {
      allowOnly(p, []);
      return this.hook ? { url: this.hook.url, updated_at: this.hook.updated_at } : { url: "" };
    },

    sendMessage: (p) => {
      allowOnly(p, ["chat_id", "text"]);
      const chatId = this.checkChat(p);
      const text = checkText(p.text, "text", false);
      return this.store({ chat_id: chatId, text });
    },

    sendPhoto: (p) => {
      allowOnly(p, ["chat_id", "photo", "caption"]);
      const chatId = this.checkChat(p);
      if (typeof p.photo !== "string" || !/^https?:\/\/\S+$/i.test(p.photo))
        throw violation(400, "Bad Request: photo must be an http(s) URL");
      const caption = p.caption === undefined ? undefined : checkText(p.caption, "caption", true);
      return this.store({ chat_id: chatId, photo: p.photo, ...(caption ? { caption } : {}) });
    },

    sendChatAction: (p) => {
      allowOnly(p, ["chat_id", "action"]);
      this.checkChat(p);
      if (p.action !== "typing") throw violation(400, 'Bad Request: action must be "typing"');
      return true;
    },
  };

  /** The chat id must be a string (a number would have lost digits); blocked users refuse. */
  private checkChat(p: Record<string, unknown>): string {
    if (typeof p.chat_id !== "string" || p.chat_id === "")
      throw violation(400, "Bad Request: chat_id must be a non-empty string");
    if (this.blockedUsers.has(p.chat_id)) {
      const e = this.opts.blockedError ?? { error_code: 403, description: "Forbidden: the user blocked the bot" };
      throw new Refusal(e.error_code, e.description, false);
    }
    return p.chat_id;
  }

  private store(m: Omit<FakeZaloSent, "message_id" | "date">): { message_id: string; date: number } {
    const sent: FakeZaloSent = { ...m, message_id: randomUUID().replaceAll("-", ""), date: Date.now() };
    const list = this.sent.get(m.chat_id) ?? [];
    list.push(sent);
    this.sent.set(m.chat_id, list);
    for (const l of this.sentListeners) l(sent);
    return { message_id: sent.message_id, date: sent.date };
  }

  // ── Webhook delivery ───────────────────────────────────────────────────────────────────────

  private enqueueDelivery(event: FakeZaloEvent): void {
    const key = String(event.message?.chat?.id ?? "");
    const q = this.chatQueues.get(key);
    if (q) q.push(event);
    else {
      this.chatQueues.set(key, [event]);
      void this.drain(key);
    }
  }

  /** Delivers one chat's events in order, each retried with a doubling backoff. */
  private async drain(key: string): Promise<void> {
    const q = this.chatQueues.get(key) as FakeZaloEvent[];
    while (q.length > 0 && this.hook && !this.closed) {
      const event = q[0] as FakeZaloEvent;
      const record: WebhookDelivery = { event, attempts: [], delivered: false };
      if (this.opts.recordCalls !== false) this.deliveries.push(record);
      const attempts = Math.max(1, this.opts.webhookAttempts ?? 3);
      for (let i = 0; i < attempts && this.hook && !this.closed && !record.delivered; i++) {
        if (i > 0) await sleep((this.opts.webhookBackoffMs ?? 50) * 2 ** (i - 1));
        const hook = this.hook;
        if (!hook) break;
        try {
          const res = await fetch(hook.url, {
            method: "POST",
            headers: { "content-type": "application/json", "X-Bot-Api-Secret-Token": hook.secret_token },
            body: JSON.stringify(event),
            signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.webhookTimeoutMs ?? 10_000)]),
          });
          await res.arrayBuffer();
          record.attempts.push(res.status);
          record.delivered = res.ok;
        } catch {
          record.attempts.push("network");
        }
      }
      this.lastActivity = Date.now();
      // Delivered, or given up after the last attempt (Zalo's own retry policy is undocumented).
      // If the webhook was deleted meanwhile, an undelivered event goes back to getUpdates,
      // ahead of its chat's later events, which deleteWebhook moved there already.
      q.shift();
      if (!record.delivered && !this.hook && !this.closed) this.queue.unshift(event);
    }
    this.chatQueues.delete(key);
    // Polling took over while we delivered: what is left waits for getUpdates.
    if (q.length > 0 && !this.closed) this.queue.push(...q.splice(0));
  }
}

/** Starts the fake on 127.0.0.1 (random port unless `port` is given). Close it with `api.close()`. */
export function startFakeZaloApi(options: FakeZaloApiOptions = {}): Promise<FakeZaloApi> {
  return FakeZaloApi.listen(options);
}

// ─── Internals ───────────────────────────────────────────────────────────────────────────────

type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string };

/** A refused call; `violation` marks the ones that break the contract (recorded for tests). */
class Refusal extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly violation: boolean,
  ) {
    super(description);
  }
}

const violation = (code: number, description: string) => new Refusal(code, description, true);
const noEvent = () => new Refusal(408, "Request timeout", false);

/** Fields a method does not have. Telegram's two get a pointed message: they are the likely slip. */
function allowOnly(p: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(p)) {
    if (allowed.includes(key)) continue;
    if (key === "reply_markup") throw violation(400, "Bad Request: Zalo has no buttons (reply_markup)");
    if (key === "parse_mode") throw violation(400, "Bad Request: Zalo texts are plain (parse_mode)");
    throw violation(400, `Bad Request: unknown field ${key}`);
  }
}

/** A tag such as <b>, </i>, <a href="…">, <br/>; or an entity such as &amp; or &#39;. */
const HTML_TAG = /<\/?[a-z][a-z0-9-]*(\s[^<>]*)?\/?>/i;
const HTML_ENTITY = /&(#\d{1,7}|#x[0-9a-f]{1,6}|lt|gt|amp|quot|apos|nbsp);/i;

function checkText(value: unknown, field: string, allowEmpty: boolean): string {
  if (typeof value !== "string") throw violation(400, `Bad Request: ${field} must be a string`);
  if (!allowEmpty && value.length === 0) throw violation(400, `Bad Request: ${field} is empty`);
  if (value.length > ZALO_TEXT_LIMIT)
    throw violation(400, `Bad Request: ${field} is longer than ${ZALO_TEXT_LIMIT} characters (${value.length})`);
  // Zalo would show these literally: a sign the Telegram HTML rendering leaked into Zalo.
  if (HTML_TAG.test(value)) throw violation(400, `Bad Request: ${field} contains an HTML tag`);
  if (HTML_ENTITY.test(value)) throw violation(400, `Bad Request: ${field} contains an HTML entity`);
  return value;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error("body too large"));
      else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseJsonObject(body: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  if (!contentType?.includes("json")) return undefined;
  try {
    const v: unknown = JSON.parse(body.toString("utf8"));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** HTTP status = error_code, as in Telegram (Zalo does not document its statuses). */
function reply(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(answer);
  res.writeHead(answer.ok ? 200 : answer.error_code, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
