/**
 * A loopback fake of the Telegram Bot API, for `npm run demo` (chat with the real bot without a
 * token), end-to-end tests and benchmarks.
 *
 * It speaks the same HTTP protocol as api.telegram.org (`/bot<token>/<method>`, GET query, JSON,
 * urlencoded and multipart bodies, `{ ok, result }` envelopes, HTTP status = error_code), so the
 * bot runs unchanged with grammY's `client.apiRoot` pointed here. It mimics the behaviour bots
 * actually trip over in production — "message is not modified", HTML entity parse errors,
 * BUTTON_DATA_INVALID, one getUpdates consumer at a time, editMessageText dropping the inline
 * keyboard when reply_markup is omitted, 429 with retry_after — because a fake that accepts
 * everything hides exactly the bugs it should reveal.
 *
 * Deliberately permissive where strictness would only get in the way of tests and benchmarks:
 * sends to chat ids it has never seen create the chat on the fly, any token is accepted unless
 * `token` is given, and unknown methods answer `true`.
 */
import { Buffer } from "node:buffer";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  BotCommand,
  Chat,
  InlineKeyboardMarkup,
  Message,
  MessageEntity,
  PhotoSize,
  ReplyKeyboardMarkup,
  ResponseParameters,
  File as TgFile,
  Update,
  User,
  UserFromGetMe,
  WebhookInfo,
} from "grammy/types";

// ─── Public types ────────────────────────────────────────────────────────────────────────────

/** A human on the other side of the chat, as the test or playground describes them. */
export interface FakeUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface FakeBotApiOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; loopback by default so nothing outside the machine can reach it. */
  host?: string;
  /** When set, requests with any other token get 401 Unauthorized, as Telegram does. */
  token?: string;
  /** Overrides for the bot user returned by getMe and used as `from` of the bot's messages. */
  botInfo?: Partial<UserFromGetMe>;
  /**
   * Flood control for message-sending methods (send*, copy*, forward*). Beyond the limit the
   * call gets HTTP 429 with `parameters.retry_after`, like Telegram's flood wait.
   */
  rateLimit?: { perSecond: number; perChatPerSecond?: number };
  /** Chats whose user "blocked the bot": sends to them get 403. The set is live (see `blockedChats`). */
  blockedChats?: Set<number>;
  /** Fixed delay added before every API call is processed, to simulate network round trips. */
  latencyMs?: number;
  /** Keep every call in `calls` (default true). Turn off for long benchmarks to bound memory. */
  recordCalls?: boolean;
  /** Oldest messages of a chat are forgotten beyond this many (default 5000), to bound memory. */
  maxMessagesPerChat?: number;
  /** Webhook delivery: attempts per update before it is dropped (default 5) and first backoff (default 100 ms, doubling). */
  webhookAttempts?: number;
  webhookBackoffMs?: number;
  /** Timeout of one webhook POST (default 60 s, like Telegram's). */
  webhookTimeoutMs?: number;
}

/** One API call as the server saw it, in arrival-completion order. */
export interface ApiCall {
  /** 1, 2, 3… in the order calls completed. */
  seq: number;
  method: string;
  /** Parameters with form/query strings coerced (numbers, booleans, JSON) and uploads resolved to {@link UploadedFile}. */
  payload: Payload;
  ok: boolean;
  result?: unknown;
  error?: { error_code: number; description: string; parameters?: ResponseParameters };
  /** `http` for requests from the bot; `webhook-reply` for a method returned in a webhook response body. */
  source: "http" | "webhook-reply";
  startedAt: number;
  durationMs: number;
}

export type Payload = Record<string, unknown>;

/** A file that arrived in a multipart request. */
export interface UploadedFile {
  kind: "upload";
  fileName: string;
  /** What the client declared; grammY always says application/octet-stream. */
  contentType: string;
  bytes: Buffer;
}

/** A message in a chat as it currently stands (edits applied in place). */
export interface StoredMessage {
  readonly chatId: number;
  readonly messageId: number;
  /** True for messages the bot sent, false for the users' messages. */
  readonly fromBot: boolean;
  /** The Telegram view of the message after the last edit (plain text + entities, inline keyboard only). */
  message: Message;
  /** Text or caption exactly as the bot sent it (still with HTML tags when parseMode is HTML). */
  rawText?: string;
  parseMode?: string;
  /** The reply_markup as the bot sent it — also reply keyboards, which Telegram leaves out of `message`. */
  replyMarkup?: ReplyMarkup;
  editCount: number;
  deleted: boolean;
}

export interface FakeChatState {
  chat: Chat;
  /** Messages the bot sent, oldest first; deleted ones are flagged, not removed. */
  botMessages: StoredMessage[];
  /** The reply keyboard the user's client would currently show, if any. */
  replyKeyboard?: { markup: ReplyKeyboardMarkup; messageId: number };
}

export interface InjectedFailure {
  error_code: number;
  description?: string;
  parameters?: ResponseParameters;
  /** How many consecutive calls fail (default 1). */
  times?: number;
}

export type ReplyMarkup =
  | InlineKeyboardMarkup
  | ReplyKeyboardMarkup
  | { remove_keyboard: true; selective?: boolean }
  | { force_reply: true; input_field_placeholder?: string; selective?: boolean };

export interface UserDocument {
  fileName: string;
  /** Guessed from the extension when absent. */
  mimeType?: string;
  /** Made up (from the bytes, or a few KB) when absent. */
  size?: number;
  bytes?: Buffer;
  caption?: string;
}

export interface UserPhoto {
  width?: number;
  height?: number;
  size?: number;
  bytes?: Buffer;
  caption?: string;
}

/** Options for messages a user sends: a group chat instead of the private one, a reply. */
export interface UserMessageOptions {
  chat?: { id: number; type: "group" | "supergroup"; title: string };
  replyToMessageId?: number;
}

/** Thrown by handlers; becomes `{ ok: false, error_code, description }` with that HTTP status. */
export class BotApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }
}

// ─── Telegram HTML ───────────────────────────────────────────────────────────────────────────

/**
 * Parses Telegram's HTML dialect the way the Bot API does: returns the plain text and the
 * entities (offsets in UTF-16 code units), or throws a BotApiError with Telegram's wording for
 * input Telegram would reject. Exported so the terminal playground can reuse it.
 */
export function parseTelegramHtml(html: string): { text: string; entities: MessageEntity[] } {
  let out = "";
  const entities: Array<MessageEntity & { length: number }> = [];
  const stack: Array<{ tag: string; entity?: MessageEntity & { length: number } }> = [];
  const fail = (msg: string): never => {
    throw new BotApiError(400, `Bad Request: can't parse entities: ${msg}`);
  };
  // Telegram reports byte offsets into the UTF-8 input; only computed on the error path.
  const byteOffset = (i: number) => Buffer.byteLength(html.slice(0, i));
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    const amp = html.indexOf("&", i);
    const next = Math.min(lt < 0 ? html.length : lt, amp < 0 ? html.length : amp);
    if (next > i) {
      out += html.slice(i, next);
      i = next;
      continue;
    }
    if (html[i] === "&") {
      const m = /^&(#\d{1,7}|#x[0-9a-f]{1,6}|lt|gt|amp|quot);/i.exec(html.slice(i, i + 12));
      if (m?.[1]) {
        const name = m[1].toLowerCase();
        if (name.startsWith("#x")) out += String.fromCodePoint(Number.parseInt(name.slice(2), 16));
        else if (name.startsWith("#")) out += String.fromCodePoint(Number.parseInt(name.slice(1), 10));
        else out += { lt: "<", gt: ">", amp: "&", quot: '"' }[name as "lt"];
        i += m[0].length;
      } else {
        // A lone "&" (or an unsupported named entity) is kept literally, as Telegram does.
        out += "&";
        i += 1;
      }
      continue;
    }
    // html[i] === "<"
    if (html[i + 1] === "/") {
      const end = html.indexOf(">", i + 2);
      if (end < 0) fail(`Unclosed end tag at byte offset ${byteOffset(i)}`);
      const name = html
        .slice(i + 2, end)
        .trim()
        .toLowerCase();
      const open = stack.pop();
      if (!open) fail(`Unexpected end tag at byte offset ${byteOffset(i)}`);
      else if (open.tag !== name) {
        fail(`Unmatched end tag at byte offset ${byteOffset(i)}, expected "</${open.tag}>", found "</${name}>"`);
      } else if (open.entity) open.entity.length = out.length - open.entity.offset;
      i = end + 1;
      continue;
    }
    let j = i + 1;
    while (j < html.length && /[a-zA-Z0-9-]/.test(html[j] as string)) j++;
    const tag = html.slice(i + 1, j).toLowerCase();
    if (!SUPPORTED_TAGS.has(tag)) fail(`Unsupported start tag "${tag}" at byte offset ${byteOffset(i)}`);
    const attrs = new Map<string, string>();
    for (;;) {
      while (j < html.length && /\s/.test(html[j] as string)) j++;
      if (j >= html.length) fail(`Unclosed start tag at byte offset ${byteOffset(i)}`);
      if (html[j] === ">") break;
      const nameStart = j;
      while (j < html.length && /[a-zA-Z0-9_-]/.test(html[j] as string)) j++;
      const attr = html.slice(nameStart, j).toLowerCase();
      if (!attr) fail(`Empty attribute name in the tag "${tag}" at byte offset ${byteOffset(i)}`);
      let value = "";
      if (html[j] === "=") {
        j++;
        const quote = html[j];
        if (quote === '"' || quote === "'") {
          const close = html.indexOf(quote, j + 1);
          if (close < 0) fail(`Unclosed start tag at byte offset ${byteOffset(i)}`);
          value = decodeHtmlEntities(html.slice(j + 1, close));
          j = close + 1;
        } else {
          const vStart = j;
          while (j < html.length && !/[\s>]/.test(html[j] as string)) j++;
          value = decodeHtmlEntities(html.slice(vStart, j));
        }
      }
      attrs.set(attr, value);
    }
    i = j + 1;
    const offset = out.length;
    let entity: (MessageEntity & { length: number }) | undefined;
    const simple = SIMPLE_TAGS[tag];
    if (simple) entity = { type: simple, offset, length: 0 } as MessageEntity & { length: number };
    else if (tag === "span") {
      if (attrs.get("class") !== "tg-spoiler")
        fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(offset)}`);
      entity = { type: "spoiler", offset, length: 0 };
    } else if (tag === "a") {
      const href = attrs.get("href");
      const mention = href ? /^tg:\/\/user\?id=(\d+)$/.exec(href) : null;
      if (mention?.[1]) {
        entity = {
          type: "text_mention",
          offset,
          length: 0,
          user: { id: Number(mention[1]), is_bot: false, first_name: "" },
        };
      } else if (href) entity = { type: "text_link", offset, length: 0, url: href };
    } else if (tag === "code") {
      // <pre><code class="language-x"> is one pre entity with a language, not pre + code.
      const parent = stack[stack.length - 1];
      const lang = /^language-(.+)$/.exec(attrs.get("class") ?? "")?.[1];
      if (parent?.tag === "pre" && parent.entity && lang) (parent.entity as { language?: string }).language = lang;
      else entity = { type: "code", offset, length: 0 };
    } else if (tag === "blockquote") {
      entity = { type: attrs.has("expandable") ? "expandable_blockquote" : "blockquote", offset, length: 0 };
    } else if (tag === "tg-emoji") {
      entity = { type: "custom_emoji", offset, length: 0, custom_emoji_id: attrs.get("emoji-id") ?? "" };
    }
    // Pushed at open time: keeps entities sorted by offset with outer ones first, as Telegram does.
    if (entity) entities.push(entity);
    stack.push({ tag, entity });
  }
  const unclosed = stack.pop();
  if (unclosed) fail(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
  return { text: out, entities: entities.filter((e) => e.length > 0) };
}

const SIMPLE_TAGS: Record<string, MessageEntity["type"] | undefined> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  pre: "pre",
};
const SUPPORTED_TAGS = new Set([...Object.keys(SIMPLE_TAGS), "span", "a", "code", "blockquote", "tg-emoji", "tg-time"]);

function decodeHtmlEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|lt|gt|amp|quot);/gi, (_, n: string) => {
    const name = n.toLowerCase();
    if (name.startsWith("#x")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return { lt: "<", gt: ">", amp: "&", quot: '"' }[name as "lt"];
  });
}

// ─── MIME types ──────────────────────────────────────────────────────────────────────────────

const MIME_BY_EXT: Record<string, string> = {
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
  html: "text/html",
  md: "text/markdown",
  zip: "application/zip",
  rar: "application/vnd.rar",
  "7z": "application/x-7z-compressed",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  mp4: "video/mp4",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
};

/** MIME type from a file name's extension, as Telegram infers it (grammY never sends one). */
export function guessMimeType(fileName: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return (ext && MIME_BY_EXT[ext]) || "application/octet-stream";
}

// ─── Request parsing ─────────────────────────────────────────────────────────────────────────

/** Fields that are free text: never coerced to numbers, booleans or JSON even if they look like it. */
const TEXT_FIELDS = new Set([
  "text",
  "caption",
  "description",
  "short_description",
  "name",
  "title",
  "question",
  "explanation",
  "address",
  "first_name",
  "last_name",
  "vcard",
  "query",
  "secret_token",
  "url",
  "emoji",
  "phone_number",
  "payload",
  "start_parameter",
  "currency",
  "custom_title",
  "ip_address",
  "language_code",
  "parse_mode",
  "callback_query_id",
  "inline_message_id",
  "file_id",
  "custom_emoji_id",
  "business_connection_id",
]);

/** Form and query values are all strings; give them the types a JSON body would have had. */
function coerceField(key: string, value: string): unknown {
  if (TEXT_FIELDS.has(key)) return value;
  if (value === "true") return true;
  if (value === "false") return false;
  if ((key.endsWith("_id") || NUMERIC_FIELDS.has(key)) && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  const c = value[0];
  if (c === "{" || c === "[") {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
const NUMERIC_FIELDS = new Set([
  "offset",
  "limit",
  "timeout",
  "max_connections",
  "cache_time",
  "until_date",
  "duration",
  "width",
  "height",
  "latitude",
  "longitude",
  "message_ids",
]);

function parseMultipart(
  body: Buffer,
  boundary: string,
): { fields: Map<string, string>; files: Map<string, UploadedFile> } {
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  const partEnd = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new BotApiError(400, "Bad Request: invalid multipart/form-data body");
  pos += delimiter.length;
  for (;;) {
    // "--" right after a delimiter closes the body; otherwise a CRLF starts the next part.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const headerEnd = body.indexOf("\r\n\r\n", pos);
    if (headerEnd < 0) throw new BotApiError(400, "Bad Request: invalid multipart/form-data body");
    const contentEnd = body.indexOf(partEnd, headerEnd + 4);
    if (contentEnd < 0) throw new BotApiError(400, "Bad Request: invalid multipart/form-data body");
    let name: string | undefined;
    let fileName: string | undefined;
    let contentType = "application/octet-stream";
    // grammY writes "content-disposition:form-data;name=..." without spaces and with an
    // unquoted filename, so the header parsing must not insist on the usual formatting.
    for (const line of body.toString("utf8", pos, headerEnd).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const header = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (header === "content-type") contentType = value;
      if (header !== "content-disposition") continue;
      for (const m of value.matchAll(/;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
        const key = (m[1] ?? "").toLowerCase();
        const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "").trim();
        if (key === "name") name = v;
        else if (key === "filename") fileName ??= v;
        else if (key === "filename*") fileName = decodeURIComponent(v.replace(/^[^']*'[^']*'/, ""));
      }
    }
    const content = body.subarray(headerEnd + 4, contentEnd);
    if (name !== undefined) {
      // Copy uploads so they don't pin the whole request buffer in memory.
      if (fileName !== undefined)
        files.set(name, { kind: "upload", fileName, contentType, bytes: Buffer.from(content) });
      else fields.set(name, content.toString("utf8"));
    }
    pos = contentEnd + partEnd.length;
  }
  return { fields, files };
}

/** Replaces "attach://<name>" strings anywhere in the payload with the uploaded file. */
function resolveAttachments(value: unknown, files: Map<string, UploadedFile>, used: Set<string>): unknown {
  if (typeof value === "string") {
    if (!value.startsWith("attach://")) return value;
    const name = value.slice(9);
    const file = files.get(name);
    if (!file) return value;
    used.add(name);
    return file;
  }
  if (Array.isArray(value)) return value.map((v) => resolveAttachments(v, files, used));
  if (value && typeof value === "object" && !Buffer.isBuffer(value)) {
    const out: Payload = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveAttachments(v, files, used);
    return out;
  }
  return value;
}

function isUpload(v: unknown): v is UploadedFile {
  return typeof v === "object" && v !== null && (v as UploadedFile).kind === "upload";
}

// ─── Small helpers ───────────────────────────────────────────────────────────────────────────

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
const badRequest = (what: string) => new BotApiError(400, `Bad Request: ${what}`);

/**
 * Sliding-window limiter in O(1): a ring of the last `size` accepted timestamps. If the oldest
 * of them is still inside the window, one more would exceed the rate.
 */
class RateWindow {
  private readonly ring: Float64Array;
  private idx = 0;
  private readonly windowMs: number;
  constructor(perSecond: number) {
    // Fractional rates (e.g. 0.5/s) become "1 per 2 s" rather than rounding to nothing.
    const size = Math.max(1, Math.floor(perSecond));
    this.ring = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
    this.windowMs = (size / perSecond) * 1000;
  }
  /** Milliseconds until one more call is allowed; 0 if allowed now. */
  waitMs(now: number): number {
    const oldest = this.ring[this.idx] as number;
    return now - oldest < this.windowMs ? oldest + this.windowMs - now : 0;
  }
  take(now: number): void {
    this.ring[this.idx] = now;
    this.idx = (this.idx + 1) % this.ring.length;
  }
}

/** Methods that post a message: subject to flood control and to 403 from blocked chats. */
function isSendMethod(method: string): boolean {
  return (
    (method.startsWith("send") && method !== "sendChatAction") ||
    method.startsWith("copyMessage") ||
    method.startsWith("forwardMessage")
  );
}

/** Update types Telegram delivers when allowed_updates is empty or was never set. */
const EXCLUDED_BY_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

interface StoredFile {
  file_id: string;
  file_unique_id: string;
  kind: string;
  file_size: number;
  file_name?: string;
  mime_type?: string;
  width?: number;
  height?: number;
  bytes?: Buffer;
  file_path?: string;
}

interface ChatRecord {
  chat: Chat;
  messages: Map<number, StoredMessage>;
  nextMessageId: number;
  replyKeyboard?: { markup: ReplyKeyboardMarkup; messageId: number };
}

interface PollWaiter {
  limit: number;
  finish: (result: Update[] | BotApiError) => void;
}

type Handler = (p: Payload, signal: AbortSignal | undefined) => unknown;

interface WebhookConfig {
  url: string;
  secret?: string;
  maxConnections: number;
  allowedUpdates?: string[];
}

// ─── The server ──────────────────────────────────────────────────────────────────────────────

/** The bot user getMe returns unless told otherwise (tests reuse it as their botInfo). */
export const DEFAULT_BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: "CCHC Bot",
  username: "cchc_demo_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export class FakeBotApi {
  /** Base URL for grammY's `client.apiRoot`, e.g. "http://127.0.0.1:41234". */
  readonly url: string;
  readonly port: number;
  /** The bot user that getMe returns. */
  readonly botInfo: UserFromGetMe;
  /** Every call, in completion order (empty when `recordCalls: false`). */
  readonly calls: ApiCall[] = [];
  /** Chats whose user blocked the bot; mutate freely. */
  readonly blockedChats: Set<number>;

  private readonly server: Server;
  private readonly opts: FakeBotApiOptions;
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Set<(call: ApiCall) => void>();
  private readonly chats = new Map<number, ChatRecord>();
  private readonly usernames = new Map<string, number>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private readonly pendingCallbacks = new Set<string>();
  private readonly commands = new Map<string, BotCommand[]>();
  private readonly botSettings = new Map<string, unknown>();
  private readonly failures = new Map<string, Array<InjectedFailure & { remaining: number }>>();
  private readonly globalRate?: RateWindow;
  private readonly chatRates = new Map<number, RateWindow>();

  // Polling: updates stay in the queue until a getUpdates offset confirms them, as in Telegram.
  private queue: Update[] = [];
  private queueHead = 0;
  private pollWaiter?: PollWaiter;
  private flushScheduled = false;
  private allowedUpdates?: Set<string>;

  // Webhook: per-chat FIFO queues so one chat's updates arrive in order while chats run in parallel.
  private webhook?: WebhookConfig;
  private webhookInfo: { lastErrorDate?: number; lastErrorMessage?: string } = {};
  private readonly whQueues = new Map<string, Update[]>();
  private whReady: string[] = [];
  private readonly whBusy = new Set<string>();
  private whInFlight = 0;
  private whPending = 0;
  private readonly whAbort = new AbortController();

  // Telegram's update ids grow across the bot's life; a bot that remembers handled ids (ours
  // does, to drop redeliveries) must not see 1, 2, 3 again when the playground restarts on
  // the same database. Start from the clock: 100 ids per second of headroom between runs.
  private nextUpdateId = Math.floor(Date.now() / 1000) * 100;
  private callSeq = 0;
  private fileSeq = 0;
  private callbackSeq = 0;
  private inFlight = 0;
  private lastActivity = 0;
  private closed = false;

  private constructor(server: Server, opts: FakeBotApiOptions) {
    this.server = server;
    this.opts = opts;
    const addr = server.address() as AddressInfo;
    this.port = addr.port;
    this.url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
    this.blockedChats = opts.blockedChats ?? new Set();
    this.botInfo = { ...DEFAULT_BOT_INFO, ...opts.botInfo };
    if (opts.rateLimit) this.globalRate = new RateWindow(opts.rateLimit.perSecond);
    this.registerHandlers();
    server.on("request", (req, res) => this.onRequest(req, res));
  }

  /** @internal use {@link startFakeBotApi} */
  static async listen(opts: FakeBotApiOptions): Promise<FakeBotApi> {
    const server = createServer();
    // The bot's HTTP agent keeps connections alive; a shorter server timeout would race with it
    // and produce sporadic ECONNRESET. Long polls can last up to 50 s, so no request timeout.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return new FakeBotApi(server, opts);
  }

  /** Stops the server: pending long polls answer [], webhook deliveries stop, sockets close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pollWaiter?.finish([]);
    this.whAbort.abort();
    const done = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await done;
  }

  // ── Observing ──────────────────────────────────────────────────────────────────────────────

  /** Calls `listener` after each API call completes; returns the unsubscribe function. */
  onCall(listener: (call: ApiCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  /** Current state of a chat, or undefined if nothing happened in it yet. */
  chatState(chatId: number): FakeChatState | undefined {
    const rec = this.chats.get(chatId);
    if (!rec) return undefined;
    const botMessages: StoredMessage[] = [];
    for (const m of rec.messages.values()) if (m.fromBot) botMessages.push(m);
    return { chat: rec.chat, botMessages, replyKeyboard: rec.replyKeyboard };
  }

  /** Any message (the bot's or a user's) by chat and id. */
  getMessage(chatId: number, messageId: number): StoredMessage | undefined {
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  /** Ids of all chats seen so far. */
  chatIds(): number[] {
    return [...this.chats.keys()];
  }

  /** Commands set with setMyCommands for a scope (default scope when omitted) and language. */
  commandsFor(
    scope: { type: string; chat_id?: number; user_id?: number } = { type: "default" },
    languageCode = "",
  ): BotCommand[] {
    return this.commands.get(commandKey(scope, languageCode)) ?? [];
  }

  /** Bytes of a stored file (uploaded by the bot, or made up for a user's file). */
  fileBytes(fileId: string): Buffer | undefined {
    const f = this.files.get(fileId);
    return f ? this.bytesOf(f) : undefined;
  }

  /** Updates queued or in delivery that the bot has not confirmed yet. */
  pendingUpdateCount(): number {
    return this.webhook ? this.whPending : this.queue.length - this.queueHead;
  }

  /**
   * Resolves true once the bot has confirmed every update (next getUpdates offset, or webhook
   * response), no request is being processed, and nothing happened for `quietMs`; false if that
   * does not happen within `timeoutMs`. How the playground and tests know the bot is done.
   */
  async waitForIdle({
    quietMs = 300,
    timeoutMs = 5000,
  }: {
    quietMs?: number;
    timeoutMs?: number;
  } = {}): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = Date.now();
      const quietFor = now - this.lastActivity;
      if (this.pendingUpdateCount() === 0 && this.inFlight === 0 && quietFor >= quietMs) return true;
      if (now >= deadline || this.closed) return false;
      await sleep(Math.max(5, Math.min(deadline - now, quietMs - quietFor, 25)));
    }
  }

  // ── Fault injection ────────────────────────────────────────────────────────────────────────

  /**
   * The next call(s) of `method` ("*" = any method) fail with this error instead of running.
   * Descriptions default to Telegram's wording for the code.
   */
  failNext(method: string, failure: InjectedFailure): void {
    const list = this.failures.get(method) ?? [];
    list.push({ ...failure, remaining: failure.times ?? 1 });
    this.failures.set(method, list);
  }

  // ── Simulating users ───────────────────────────────────────────────────────────────────────

  /** Queues an update for the bot (assigns update_id when missing) and returns it. */
  pushUpdate(update: Omit<Update, "update_id"> & { update_id?: number }): Update {
    const full = { ...update, update_id: update.update_id ?? this.nextUpdateId } as Update;
    this.nextUpdateId = Math.max(this.nextUpdateId, full.update_id + 1);
    this.lastActivity = Date.now();
    this.ingest(full);
    const type = Object.keys(full).find((k) => k !== "update_id") ?? "";
    // Telegram does not even store updates of types the bot did not subscribe to.
    const allowed = this.webhook?.allowedUpdates ? new Set(this.webhook.allowedUpdates) : this.allowedUpdates;
    if (allowed ? !allowed.has(type) : EXCLUDED_BY_DEFAULT.has(type)) return full;
    if (this.webhook) this.enqueueWebhook(full);
    else {
      this.queue.push(full);
      this.schedulePollFlush();
    }
    return full;
  }

  /**
   * Makes hand-built updates behave like the helpers' ones: their messages exist in the chat
   * (so the bot can reply to them, and ids don't collide) and their callback queries can be
   * answered. Done before allowed_updates filtering, since the message exists either way.
   */
  private ingest(update: Update): void {
    const m = update.message;
    if (m) {
      const rec = this.chatRecord(m.chat.id, () => m.chat);
      if (!rec.messages.has(m.message_id)) {
        this.storeMessage(rec, {
          chatId: m.chat.id,
          messageId: m.message_id,
          fromBot: false,
          message: m,
          editCount: 0,
          deleted: false,
        });
      }
      rec.nextMessageId = Math.max(rec.nextMessageId, m.message_id + 1);
      if (m.from?.username) this.usernames.set(m.from.username.toLowerCase(), m.from.id);
    }
    const q = update.callback_query;
    if (q) {
      this.pendingCallbacks.add(q.id);
      // Bound the set for benchmarks that never answer: the oldest ids expire first, as in Telegram.
      if (this.pendingCallbacks.size > 100_000) {
        const oldest = this.pendingCallbacks.values().next().value;
        if (oldest !== undefined) this.pendingCallbacks.delete(oldest);
      }
    }
  }

  /** The user types `text` in their private chat (or `options.chat`). */
  sendUserMessage(user: FakeUser, text: string, options: UserMessageOptions = {}): Update {
    const entities: MessageEntity[] = [];
    // Telegram marks every "/command" at a word start, not only a leading one.
    for (const m of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)/g)) {
      entities.push({ type: "bot_command", offset: (m.index ?? 0) + (m[1] ?? "").length, length: (m[2] ?? "").length });
    }
    return this.sendUserContent(user, { text, ...(entities.length ? { entities } : {}) }, options);
  }

  /** The user sends a file; bytes are made up from `size` when not given. */
  sendUserDocument(user: FakeUser, doc: UserDocument, options: UserMessageOptions = {}): Update {
    const size = doc.size ?? doc.bytes?.length ?? 24_576;
    const file = this.storeFile("document", {
      file_size: size,
      file_name: doc.fileName,
      mime_type: doc.mimeType ?? guessMimeType(doc.fileName),
      bytes: doc.bytes,
    });
    return this.sendUserContent(
      user,
      { document: documentOf(file), ...(doc.caption ? { caption: doc.caption } : {}) },
      options,
    );
  }

  /** The user sends a photo (Telegram delivers several sizes; the last is the largest). */
  sendUserPhoto(user: FakeUser, photo: UserPhoto = {}, options: UserMessageOptions = {}): Update {
    const sizes = this.storePhotoSizes(
      photo.width ?? 1280,
      photo.height ?? 960,
      photo.size ?? photo.bytes?.length ?? 183_204,
      photo.bytes,
    );
    return this.sendUserContent(user, { photo: sizes, ...(photo.caption ? { caption: photo.caption } : {}) }, options);
  }

  /** The user sends any other message content, e.g. `{ contact: … }` or `{ location: … }`. */
  sendUserContent(user: FakeUser, content: Partial<Message>, options: UserMessageOptions = {}): Update {
    const rec = this.chatForUser(user, options.chat);
    const messageId = rec.nextMessageId++;
    const message = {
      message_id: messageId,
      from: toTgUser(user),
      chat: rec.chat,
      date: nowSeconds(),
      ...content,
    } as Message;
    if (options.replyToMessageId !== undefined) {
      const target = rec.messages.get(options.replyToMessageId);
      if (target) (message as { reply_to_message?: unknown }).reply_to_message = target.message;
    }
    // pushUpdate stores the message in the chat (see ingest).
    return this.pushUpdate({ message } as Omit<Update, "update_id">);
  }

  /**
   * The user presses an inline button carrying `callbackData` under the bot's message. Throws
   * if the message is unknown, since that is a mistake in the test, not something to simulate.
   */
  pressButton(user: FakeUser, chatId: number, messageId: number, callbackData: string): Update {
    const stored = this.chats.get(chatId)?.messages.get(messageId);
    if (!stored) throw new Error(`pressButton: no message ${messageId} in chat ${chatId}`);
    const id = (4_611_686_018_427_387_904n + BigInt(++this.callbackSeq) * 1_000_003n).toString();
    const message = stored.deleted ? { chat: stored.message.chat, message_id: messageId, date: 0 } : stored.message;
    return this.pushUpdate({
      callback_query: { id, from: toTgUser(user), message, chat_instance: chatInstance(chatId), data: callbackData },
    } as Omit<Update, "update_id">);
  }

  /** The user blocks (or unblocks) the bot: sends start failing with 403 and the bot gets my_chat_member. */
  setBotBlocked(user: FakeUser, blocked: boolean): Update {
    const rec = this.chatForUser(user);
    if (blocked) this.blockedChats.add(user.id);
    else this.blockedChats.delete(user.id);
    const bot = this.botUser();
    return this.pushUpdate({
      my_chat_member: {
        chat: rec.chat,
        from: toTgUser(user),
        date: nowSeconds(),
        old_chat_member: blocked ? { status: "member", user: bot } : { status: "kicked", user: bot, until_date: 0 },
        new_chat_member: blocked ? { status: "kicked", user: bot, until_date: 0 } : { status: "member", user: bot },
      },
    } as Omit<Update, "update_id">);
  }

  // ── HTTP layer ─────────────────────────────────────────────────────────────────────────────

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const rawUrl = req.url ?? "/";
    if (rawUrl.startsWith("/file/bot")) {
      this.serveFile(rawUrl, res);
      return;
    }
    if (!rawUrl.startsWith("/bot")) {
      writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const slash = rawUrl.indexOf("/", 4);
    const token = slash < 0 ? "" : rawUrl.slice(4, slash);
    const q = rawUrl.indexOf("?");
    let method = slash < 0 ? "" : rawUrl.slice(slash + 1, q < 0 ? undefined : q);
    if (method.startsWith("test/")) method = method.slice(5);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      void this.handleHttp(req, res, token, method, q < 0 ? "" : rawUrl.slice(q + 1), chunks);
    });
  }

  private async handleHttp(
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
    method: string,
    query: string,
    chunks: Buffer[],
  ): Promise<void> {
    const isPoll = method === "getUpdates";
    if (!isPoll) {
      this.inFlight++;
      this.lastActivity = Date.now();
    }
    try {
      if (this.opts.token !== undefined && token !== this.opts.token) {
        writeJson(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
        return;
      }
      if (!method) {
        writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
        return;
      }
      let payload: Payload;
      try {
        payload = parseBody(req.headers["content-type"] ?? "", query, chunks);
      } catch (e) {
        const err = e instanceof BotApiError ? e : badRequest("can't parse request body");
        writeJson(res, err.error_code, { ok: false, error_code: err.error_code, description: err.description });
        return;
      }
      // The bot aborting a long poll (bot.stop) closes the socket; the waiter must let go then.
      let signal: AbortSignal | undefined;
      if (isPoll) {
        const ac = new AbortController();
        res.on("close", () => {
          if (!res.writableFinished) ac.abort();
        });
        signal = ac.signal;
      }
      const reply = await this.execute(method, payload, "http", signal);
      writeJson(res, reply.ok ? 200 : reply.error_code, reply);
    } finally {
      if (!isPoll) {
        this.inFlight--;
        this.lastActivity = Date.now();
      }
    }
  }

  private serveFile(rawUrl: string, res: ServerResponse): void {
    // /file/bot<token>/<file_path>
    const slash = rawUrl.indexOf("/", 9);
    const path = slash < 0 ? "" : decodeURIComponent(rawUrl.slice(slash + 1).split("?")[0] ?? "");
    const file = this.filesByPath.get(path);
    if (!file) {
      writeJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const bytes = this.bytesOf(file);
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
    res.end(bytes);
  }

  /** Runs one API method with fault injection, flood control and recording. Never throws. */
  private async execute(
    method: string,
    payload: Payload,
    source: ApiCall["source"],
    signal?: AbortSignal,
  ): Promise<Reply> {
    const startedAt = Date.now();
    if (this.opts.latencyMs) await sleep(this.opts.latencyMs);
    let reply: Reply;
    try {
      this.injectedFailure(method);
      if (isSendMethod(method)) this.checkSendAllowed(payload);
      const handler = this.handlers.get(method) ?? this.handlers.get(method.toLowerCase());
      const result = handler ? await handler(payload, signal) : true;
      reply = { ok: true, result };
    } catch (e) {
      reply =
        e instanceof BotApiError
          ? {
              ok: false,
              error_code: e.error_code,
              description: e.description,
              ...(e.parameters ? { parameters: e.parameters } : {}),
            }
          : {
              ok: false,
              error_code: 500,
              description: `Internal Server Error: ${e instanceof Error ? e.message : String(e)}`,
            };
    }
    if (this.opts.recordCalls !== false || this.listeners.size > 0) {
      const call: ApiCall = {
        seq: ++this.callSeq,
        method,
        payload,
        ok: reply.ok,
        ...(reply.ok
          ? { result: reply.result }
          : {
              error: {
                error_code: reply.error_code,
                description: reply.description,
                ...(reply.parameters ? { parameters: reply.parameters } : {}),
              },
            }),
        source,
        startedAt,
        durationMs: Date.now() - startedAt,
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
    return reply;
  }

  private injectedFailure(method: string): void {
    if (this.failures.size === 0) return;
    for (const key of [method, "*"]) {
      const list = this.failures.get(key);
      const f = list?.[0];
      if (!list || !f) continue;
      if (--f.remaining <= 0) list.shift();
      if (list.length === 0) this.failures.delete(key);
      const retryAfter = f.parameters?.retry_after ?? 1;
      throw new BotApiError(
        f.error_code,
        f.description ?? defaultDescription(f.error_code, retryAfter),
        f.parameters ?? (f.error_code === 429 ? { retry_after: retryAfter } : undefined),
      );
    }
  }

  private checkSendAllowed(p: Payload): void {
    const chatId = typeof p.chat_id === "number" ? p.chat_id : undefined;
    if (chatId !== undefined && this.blockedChats.has(chatId))
      throw new BotApiError(403, "Forbidden: bot was blocked by the user");
    const limits = this.opts.rateLimit;
    if (!limits || !this.globalRate) return;
    const now = Date.now();
    let chatRate: RateWindow | undefined;
    if (chatId !== undefined && limits.perChatPerSecond) {
      chatRate = this.chatRates.get(chatId);
      if (!chatRate) {
        chatRate = new RateWindow(limits.perChatPerSecond);
        this.chatRates.set(chatId, chatRate);
      }
    }
    const wait = Math.max(this.globalRate.waitMs(now), chatRate?.waitMs(now) ?? 0);
    if (wait > 0) {
      // Telegram only ever says whole seconds, at least 1.
      const retryAfter = Math.max(1, Math.ceil(wait / 1000));
      throw new BotApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    // Only accepted calls count against the window, as with Telegram's flood control.
    this.globalRate.take(now);
    chatRate?.take(now);
  }

  // ── Method handlers ────────────────────────────────────────────────────────────────────────

  private registerHandlers(): void {
    const h = (name: string, fn: Handler) => {
      this.handlers.set(name, fn);
      // Telegram matches method names case-insensitively.
      this.handlers.set(name.toLowerCase(), fn);
    };
    h("getMe", () => this.botInfo);
    h("logOut", () => true);
    h("close", () => true);
    h("getUpdates", (p, signal) => this.getUpdates(p, signal));
    h("setWebhook", (p) => this.setWebhook(p));
    h("deleteWebhook", (p) => this.deleteWebhook(p));
    h("getWebhookInfo", () => this.getWebhookInfo());

    h("sendMessage", (p) => this.sendMessage(p));
    h("sendDocument", (p) => this.sendMedia(p, "document"));
    h("sendPhoto", (p) => this.sendMedia(p, "photo"));
    for (const kind of ["video", "audio", "voice", "animation", "sticker", "video_note"] as const) {
      h(`send${kind.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, (p) => this.sendMedia(p, kind));
    }
    h("sendMediaGroup", (p) => this.sendMediaGroup(p));
    h("copyMessage", (p) => ({ message_id: this.copyMessage(p, false).message_id }));
    h("forwardMessage", (p) => this.copyMessage(p, true));
    h("sendLocation", (p) =>
      this.sendContent(p, { location: { latitude: Number(p.latitude), longitude: Number(p.longitude) } }),
    );
    h("sendContact", (p) =>
      this.sendContent(p, {
        contact: {
          phone_number: String(p.phone_number ?? ""),
          first_name: String(p.first_name ?? ""),
          ...(p.last_name ? { last_name: String(p.last_name) } : {}),
        },
      }),
    );
    h("sendDice", (p) =>
      this.sendContent(p, { dice: { emoji: String(p.emoji ?? "🎲"), value: 1 + Math.floor(Math.random() * 6) } }),
    );
    h("sendChatAction", (p) => {
      this.chatFor(p);
      return true;
    });

    h("editMessageText", (p) => this.editMessage(p, "text"));
    h("editMessageCaption", (p) => this.editMessage(p, "caption"));
    h("editMessageReplyMarkup", (p) => this.editMessage(p, "markup"));
    h("deleteMessage", (p) => {
      this.deleteOne(this.chatFor(p), requireNumber(p, "message_id", "message identifier is not specified"));
      return true;
    });
    h("deleteMessages", (p) => {
      const rec = this.chatFor(p);
      const ids = Array.isArray(p.message_ids) ? p.message_ids : [];
      // Unlike deleteMessage, missing ids are skipped silently.
      for (const id of ids)
        if (typeof id === "number" && rec.messages.get(id)?.deleted === false) this.deleteOne(rec, id);
      return true;
    });
    h("answerCallbackQuery", (p) => {
      const id = String(p.callback_query_id ?? "");
      if (!this.pendingCallbacks.delete(id))
        throw badRequest("query is too old and response timeout expired or query ID is invalid");
      return true;
    });

    h("getFile", (p) => this.getFile(p));
    h("setMyCommands", (p) => {
      const commands = Array.isArray(p.commands) ? (p.commands as BotCommand[]) : [];
      for (const c of commands) {
        if (!c || typeof c.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command))
          throw badRequest("BOT_COMMAND_INVALID");
        if (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 256)
          throw badRequest("command description is empty");
      }
      this.commands.set(
        commandKey(p.scope, p.language_code),
        commands.map((c) => ({ command: c.command, description: c.description })),
      );
      return true;
    });
    h("getMyCommands", (p) => this.commands.get(commandKey(p.scope, p.language_code)) ?? []);
    h("deleteMyCommands", (p) => {
      this.commands.delete(commandKey(p.scope, p.language_code));
      return true;
    });
    h("setChatMenuButton", (p) => {
      this.botSettings.set(`menu:${p.chat_id ?? ""}`, p.menu_button ?? { type: "default" });
      return true;
    });
    h(
      "getChatMenuButton",
      (p) => this.botSettings.get(`menu:${p.chat_id ?? ""}`) ?? this.botSettings.get("menu:") ?? { type: "commands" },
    );
    for (const [setter, getter, field] of [
      ["setMyName", "getMyName", "name"],
      ["setMyDescription", "getMyDescription", "description"],
      ["setMyShortDescription", "getMyShortDescription", "short_description"],
    ] as const) {
      h(setter, (p) => {
        this.botSettings.set(`${field}:${p.language_code ?? ""}`, p[field] ?? "");
        return true;
      });
      h(getter, (p) => ({
        [field]:
          this.botSettings.get(`${field}:${p.language_code ?? ""}`) ??
          (field === "name" ? this.botInfo.first_name : ""),
      }));
    }
    h("getChat", (p) => {
      const chat = this.chatFor(p).chat;
      return {
        ...chat,
        accent_color_id: 0,
        max_reaction_count: 11,
        accepted_gift_types: {
          unlimited_gifts: false,
          limited_gifts: false,
          unique_gifts: false,
          premium_subscription: false,
          gifts_from_channels: false,
        },
      };
    });
    h("getChatMember", (p) => {
      const userId = requireNumber(p, "user_id", "user not found");
      if (userId === this.botInfo.id) return { status: "member", user: this.botUser() };
      const chat = this.chatFor(p).chat;
      const user =
        chat.type === "private" && chat.id === userId
          ? {
              id: userId,
              is_bot: false,
              first_name: chat.first_name,
              ...(chat.username ? { username: chat.username } : {}),
            }
          : { id: userId, is_bot: false, first_name: `User ${userId}` };
      return { status: "member", user };
    });
  }

  private getUpdates(p: Payload, signal: AbortSignal | undefined): Update[] | Promise<Update[]> {
    if (this.webhook)
      throw new BotApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    const limit = Math.min(100, Math.max(1, typeof p.limit === "number" ? p.limit : 100));
    const timeout = Math.max(0, typeof p.timeout === "number" ? p.timeout : 0);
    if (Array.isArray(p.allowed_updates)) {
      this.allowedUpdates = p.allowed_updates.length ? new Set(p.allowed_updates.map(String)) : undefined;
    }
    if (typeof p.offset === "number") this.confirm(p.offset);
    // Only one consumer at a time: a newer getUpdates terminates the waiting one, as Telegram does.
    this.pollWaiter?.finish(
      new BotApiError(
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      ),
    );
    const ready = this.queue.slice(this.queueHead, this.queueHead + limit);
    if (ready.length > 0 || timeout === 0 || this.closed) {
      if (ready.length) this.lastActivity = Date.now();
      return ready;
    }
    return new Promise<Update[]>((resolve, reject) => {
      const waiter: PollWaiter = {
        limit,
        finish: (result) => {
          if (this.pollWaiter !== waiter) return;
          this.pollWaiter = undefined;
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          if (result instanceof BotApiError) reject(result);
          else resolve(result);
        },
      };
      const timer = setTimeout(() => waiter.finish([]), timeout * 1000);
      const onAbort = () => waiter.finish([]);
      signal?.addEventListener("abort", onAbort);
      this.pollWaiter = waiter;
    });
  }

  /** An offset confirms (forgets) every update with a lower id; a negative one keeps the last -offset. */
  private confirm(offset: number): void {
    if (offset < 0) this.queueHead = Math.max(this.queueHead, this.queue.length + offset);
    else
      while (this.queueHead < this.queue.length && (this.queue[this.queueHead] as Update).update_id < offset)
        this.queueHead++;
    // Compact now and then instead of shifting on every confirmation.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Answers a waiting long poll, batching updates pushed in the same tick into one response. */
  private schedulePollFlush(): void {
    if (!this.pollWaiter || this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const w = this.pollWaiter;
      if (!w || this.queueHead >= this.queue.length) return;
      this.lastActivity = Date.now();
      w.finish(this.queue.slice(this.queueHead, this.queueHead + w.limit));
    });
  }

  private setWebhook(p: Payload): true {
    const url = typeof p.url === "string" ? p.url : "";
    if (!url) return this.deleteWebhook(p);
    if (!/^https?:\/\/[^/]+/i.test(url)) throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token))) {
      throw badRequest("secret token contains unallowed characters");
    }
    if (p.drop_pending_updates === true) this.dropPending();
    const allowed =
      Array.isArray(p.allowed_updates) && p.allowed_updates.length ? p.allowed_updates.map(String) : undefined;
    this.webhook = {
      url,
      ...(p.secret_token !== undefined ? { secret: String(p.secret_token) } : {}),
      maxConnections: Math.min(100, Math.max(1, typeof p.max_connections === "number" ? p.max_connections : 40)),
      ...(allowed ? { allowedUpdates: allowed } : {}),
    };
    this.pollWaiter?.finish([]);
    // Whatever getUpdates had not confirmed yet now goes to the webhook.
    const moved = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    for (const u of moved) this.enqueueWebhook(u);
    return true;
  }

  private deleteWebhook(p: Payload): true {
    if (p.drop_pending_updates === true) this.dropPending();
    if (!this.webhook) return true;
    this.webhook = undefined;
    // Updates not yet on their way go back to getUpdates; ones in flight finish or come back later.
    const back: Update[] = [];
    for (const [key, q] of this.whQueues) {
      back.push(...q.splice(this.whBusy.has(key) ? 1 : 0));
      if (q.length === 0) this.whQueues.delete(key);
    }
    this.whReady = [];
    this.whPending -= back.length;
    this.requeueForPolling(back);
    return true;
  }

  private dropPending(): void {
    this.queue = [];
    this.queueHead = 0;
    for (const [key, q] of this.whQueues) {
      const dropped = q.splice(this.whBusy.has(key) ? 1 : 0);
      this.whPending -= dropped.length;
      if (q.length === 0) this.whQueues.delete(key);
    }
    this.whReady = [];
  }

  private requeueForPolling(updates: Update[]): void {
    if (updates.length === 0) return;
    this.queue.push(...updates);
    this.queue = this.queue.slice(this.queueHead).sort((a, b) => a.update_id - b.update_id);
    this.queueHead = 0;
    this.schedulePollFlush();
  }

  private getWebhookInfo(): WebhookInfo {
    const w = this.webhook;
    return {
      url: w?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: this.pendingUpdateCount(),
      ...(w ? { max_connections: w.maxConnections, ip_address: "127.0.0.1" } : {}),
      ...(w?.allowedUpdates ? { allowed_updates: w.allowedUpdates as WebhookInfo["allowed_updates"] } : {}),
      ...(this.webhookInfo.lastErrorDate
        ? {
            last_error_date: this.webhookInfo.lastErrorDate,
            last_error_message: this.webhookInfo.lastErrorMessage ?? "",
          }
        : {}),
    };
  }

  // ── Webhook delivery ───────────────────────────────────────────────────────────────────────

  private enqueueWebhook(update: Update): void {
    const key = orderingKey(update);
    let q = this.whQueues.get(key);
    if (!q) {
      q = [];
      this.whQueues.set(key, q);
    }
    q.push(update);
    this.whPending++;
    if (q.length === 1 && !this.whBusy.has(key)) this.whReady.push(key);
    this.pumpWebhook();
  }

  private pumpWebhook(): void {
    while (this.webhook && !this.closed && this.whInFlight < this.webhook.maxConnections && this.whReady.length) {
      const key = this.whReady.shift() as string;
      const update = this.whQueues.get(key)?.[0];
      if (!update) continue;
      this.whBusy.add(key);
      this.whInFlight++;
      void this.deliver(key, update, this.webhook);
    }
  }

  private async deliver(key: string, update: Update, first: WebhookConfig): Promise<void> {
    let hook = first;
    const attempts = Math.max(1, this.opts.webhookAttempts ?? 5);
    let delivered = false;
    for (let attempt = 0; attempt < attempts && !this.closed; attempt++) {
      if (attempt > 0) {
        await sleep((this.opts.webhookBackoffMs ?? 100) * 2 ** (attempt - 1));
        // The webhook was removed or moved meanwhile: stop retrying the old address. Set again
        // at the same address (a restarted bot does that), Telegram goes on with its settings.
        if (!this.webhook || this.webhook.url !== hook.url || this.closed) break;
        hook = this.webhook;
      }
      try {
        const res = await fetch(hook.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(hook.secret !== undefined ? { "X-Telegram-Bot-Api-Secret-Token": hook.secret } : {}),
          },
          body: JSON.stringify(update),
          signal: AbortSignal.any([this.whAbort.signal, AbortSignal.timeout(this.opts.webhookTimeoutMs ?? 60_000)]),
        });
        const body = await res.text();
        if (res.ok) {
          delivered = true;
          this.lastActivity = Date.now();
          await this.runWebhookReply(res.headers.get("content-type") ?? "", body);
          break;
        }
        this.webhookInfo = {
          lastErrorDate: nowSeconds(),
          lastErrorMessage: `Wrong response from the webhook: ${res.status} ${res.statusText}`,
        };
      } catch (e) {
        const reason = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
        this.webhookInfo = { lastErrorDate: nowSeconds(), lastErrorMessage: `Connection failed: ${reason}` };
      }
    }
    this.whInFlight--;
    this.whBusy.delete(key);
    const q = this.whQueues.get(key);
    if (q?.[0] === update) {
      q.shift();
      this.whPending--;
    }
    // Undelivered because polling took over: give it to getUpdates rather than lose it.
    if (!delivered && !this.closed && !this.webhook) this.requeueForPolling([update]);
    if (q && q.length > 0) this.whReady.push(key);
    else if (q) this.whQueues.delete(key);
    this.pumpWebhook();
  }

  /** A webhook response may itself be one API call (grammY's "webhook reply"); Telegram runs it. */
  private async runWebhookReply(contentType: string, body: string): Promise<void> {
    if (!body || !contentType.includes("json")) return;
    try {
      const parsed = JSON.parse(body) as Payload;
      if (parsed && typeof parsed.method === "string") {
        const { method, ...payload } = parsed;
        await this.execute(method as string, payload, "webhook-reply");
      }
    } catch {
      // Not JSON: Telegram ignores the body too.
    }
  }

  // ── Messages ───────────────────────────────────────────────────────────────────────────────

  private botUser(): User {
    return { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name, username: this.botInfo.username };
  }

  private chatForUser(user: FakeUser, group?: UserMessageOptions["chat"]): ChatRecord {
    if (user.username) this.usernames.set(user.username.toLowerCase(), user.id);
    if (group) return this.chatRecord(group.id, () => ({ id: group.id, type: group.type, title: group.title }) as Chat);
    const rec = this.chatRecord(user.id, () => privateChat(user));
    // Keep the chat's name in step with the user's current profile.
    rec.chat = privateChat(user);
    return rec;
  }

  private chatRecord(id: number, make: () => Chat): ChatRecord {
    let rec = this.chats.get(id);
    if (!rec) {
      rec = { chat: make(), messages: new Map(), nextMessageId: 1 };
      this.chats.set(id, rec);
    }
    return rec;
  }

  /** Resolves chat_id (number or "@username"); unknown numeric ids get a made-up chat. */
  private chatFor(p: Payload, key = "chat_id"): ChatRecord {
    const raw = p[key];
    let id: number | undefined;
    if (typeof raw === "number") id = raw;
    else if (typeof raw === "string" && /^-?\d+$/.test(raw)) id = Number(raw);
    else if (typeof raw === "string" && raw.startsWith("@")) id = this.usernames.get(raw.slice(1).toLowerCase());
    if (id === undefined) throw badRequest(raw === undefined || raw === "" ? "chat_id is empty" : "chat not found");
    const chatId = id;
    return this.chatRecord(chatId, () =>
      chatId > 0
        ? ({ id: chatId, type: "private", first_name: `User ${chatId}` } as Chat)
        : ({
            id: chatId,
            type: String(chatId).startsWith("-100") ? "supergroup" : "group",
            title: `Group ${chatId}`,
          } as Chat),
    );
  }

  private storeMessage(rec: ChatRecord, m: StoredMessage): void {
    rec.messages.set(m.messageId, m);
    const max = this.opts.maxMessagesPerChat ?? 5000;
    if (rec.messages.size > max) {
      const oldest = rec.messages.keys().next().value;
      if (oldest !== undefined) rec.messages.delete(oldest);
    }
  }

  /** Text (or caption) and entities as Telegram would store them, validating like Telegram. */
  private formatted(
    p: Payload,
    field: "text" | "caption",
    required: boolean,
  ): { text?: string; entities?: MessageEntity[]; raw?: string; parseMode?: string } {
    const raw = p[field];
    if (raw === undefined || raw === null || raw === "") {
      if (required) throw badRequest("message text is empty");
      return {};
    }
    const source = String(raw);
    const parseMode = typeof p.parse_mode === "string" && p.parse_mode ? p.parse_mode : undefined;
    let text = source;
    let entities: MessageEntity[] | undefined;
    if (parseMode?.toLowerCase() === "html") ({ text, entities } = parseTelegramHtml(source));
    else if (parseMode === undefined) {
      const given = p[field === "text" ? "entities" : "caption_entities"];
      if (Array.isArray(given)) entities = given as MessageEntity[];
    }
    // Markdown/MarkdownV2 are stored unparsed: this fake only understands HTML.
    if (text.trim() === "") throw badRequest(required ? "message text is empty" : "message caption is empty");
    if (field === "text" && text.length > 4096) throw badRequest("message is too long");
    if (field === "caption" && text.length > 1024) throw badRequest("message caption is too long");
    return { text, ...(entities?.length ? { entities } : {}), raw: source, ...(parseMode ? { parseMode } : {}) };
  }

  /** Common part of every message the bot sends: id, from, chat, date, reply, keyboard. */
  private newBotMessage(p: Payload, content: Payload, raw: { raw?: string; parseMode?: string } = {}): Message {
    const rec = this.chatFor(p);
    const markup = validateReplyMarkup(p.reply_markup);
    const replyTo = replyTarget(p);
    const target = replyTo === undefined ? undefined : rec.messages.get(replyTo);
    if (replyTo !== undefined && (!target || target.deleted) && !allowsMissingReply(p))
      throw badRequest("message to be replied not found");
    const messageId = rec.nextMessageId++;
    const message = {
      message_id: messageId,
      from: this.botUser(),
      chat: rec.chat,
      date: nowSeconds(),
      ...(target && !target.deleted ? { reply_to_message: stripReply(target.message) } : {}),
      ...(p.protect_content === true ? { has_protected_content: true } : {}),
      ...content,
      // Telegram echoes only inline keyboards back in the message.
      ...(markup && "inline_keyboard" in markup ? { reply_markup: markup } : {}),
    } as Message;
    this.storeMessage(rec, {
      chatId: rec.chat.id,
      messageId,
      fromBot: true,
      message,
      ...(raw.raw !== undefined ? { rawText: raw.raw } : {}),
      ...(raw.parseMode ? { parseMode: raw.parseMode } : {}),
      ...(markup ? { replyMarkup: markup } : {}),
      editCount: 0,
      deleted: false,
    });
    if (markup && "keyboard" in markup) rec.replyKeyboard = { markup, messageId };
    else if (markup && "remove_keyboard" in markup) rec.replyKeyboard = undefined;
    return message;
  }

  private sendMessage(p: Payload): Message {
    const f = this.formatted(p, "text", true);
    return this.newBotMessage(p, { text: f.text, ...(f.entities ? { entities: f.entities } : {}) }, f);
  }

  private sendContent(p: Payload, content: Payload): Message {
    return this.newBotMessage(p, content);
  }

  private sendMedia(
    p: Payload,
    kind: "document" | "photo" | "video" | "audio" | "voice" | "animation" | "sticker" | "video_note",
  ): Message {
    this.chatFor(p); // validate chat_id before doing any work on the file
    const cap = this.formatted(p, "caption", false);
    const caption =
      cap.text !== undefined ? { caption: cap.text, ...(cap.entities ? { caption_entities: cap.entities } : {}) } : {};
    return this.newBotMessage(p, { [kind]: this.mediaObject(p[kind], kind), ...caption }, cap);
  }

  /** Turns an upload, a known file_id or a URL into the Telegram object for that media kind. */
  private mediaObject(input: unknown, kind: string): unknown {
    let file: StoredFile;
    if (isUpload(input)) {
      if (input.bytes.length === 0) throw badRequest("file must be non-empty");
      const limit = kind === "photo" ? 10 * 1024 * 1024 : 50 * 1024 * 1024;
      if (input.bytes.length > limit) throw new BotApiError(413, "Request Entity Too Large");
      if (kind === "photo") return this.storePhotoSizes(1280, 960, input.bytes.length, input.bytes);
      file = this.storeFile(kind, {
        file_size: input.bytes.length,
        file_name: input.fileName,
        mime_type: guessMimeType(input.fileName),
        bytes: input.bytes,
      });
    } else if (typeof input === "string" && /^https?:\/\//i.test(input)) {
      // Telegram would download it; we cannot, so make up a plausible file.
      const name = decodeURIComponent(new URL(input).pathname.split("/").pop() || `${kind}.dat`);
      if (kind === "photo") return this.storePhotoSizes(1280, 960, 120_000);
      file = this.storeFile(kind, { file_size: 65_536, file_name: name, mime_type: guessMimeType(name) });
    } else if (typeof input === "string" && input) {
      const known = this.files.get(input);
      if (!known) throw badRequest("wrong file identifier/HTTP URL specified");
      if ((known.kind === "photo") !== (kind === "photo")) throw badRequest(`type of file mismatch`);
      if (kind === "photo") return [photoSizeOf(known)];
      file = known;
    } else {
      throw badRequest(`there is no ${kind} in the request`);
    }
    if (kind === "document") return documentOf(file);
    const base = { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size };
    switch (kind) {
      case "video":
      case "animation":
        return {
          ...base,
          width: 640,
          height: 360,
          duration: 1,
          ...(file.file_name ? { file_name: file.file_name } : {}),
          ...(file.mime_type ? { mime_type: file.mime_type } : {}),
        };
      case "video_note":
        return { ...base, length: 240, duration: 1 };
      case "sticker":
        return { ...base, type: "regular", width: 512, height: 512, is_animated: false, is_video: false };
      default:
        return { ...base, duration: 1, ...(file.mime_type ? { mime_type: file.mime_type } : {}) };
    }
  }

  private sendMediaGroup(p: Payload): Message[] {
    const media = Array.isArray(p.media) ? (p.media as Payload[]) : [];
    if (media.length < 2 || media.length > 10) throw badRequest("wrong number of media in the album");
    const groupId = String(13_000_000_000_000_000n + BigInt(++this.fileSeq));
    return media.map((item) => {
      const kind = String(item.type ?? "photo") as "photo" | "document" | "video" | "audio";
      const cap = this.formatted(item, "caption", false);
      return this.newBotMessage(
        p,
        {
          media_group_id: groupId,
          [kind]: this.mediaObject(item.media, kind),
          ...(cap.text !== undefined
            ? { caption: cap.text, ...(cap.entities ? { caption_entities: cap.entities } : {}) }
            : {}),
        },
        cap,
      );
    });
  }

  private copyMessage(p: Payload, forward: boolean): Message {
    const from = this.chatFor(p, "from_chat_id");
    const src = from.messages.get(requireNumber(p, "message_id", "message identifier is not specified"));
    if (!src || src.deleted) throw badRequest(forward ? "message to forward not found" : "message to copy not found");
    const {
      message_id: _id,
      from: _from,
      chat: _chat,
      date,
      reply_to_message: _r,
      reply_markup: _m,
      edit_date: _e,
      ...content
    } = src.message;
    const origin = forward
      ? {
          forward_origin: src.message.from
            ? { type: "user", sender_user: src.message.from, date }
            : { type: "hidden_user", sender_user_name: "Unknown", date },
        }
      : {};
    const caption = p.caption !== undefined ? this.formatted(p, "caption", false) : undefined;
    return this.newBotMessage(
      p,
      { ...content, ...origin, ...(caption?.text !== undefined ? { caption: caption.text } : {}) },
      caption,
    );
  }

  private editMessage(p: Payload, what: "text" | "caption" | "markup"): Message | true {
    // Inline-mode messages live outside any chat this fake tracks; accept edits blindly.
    if (p.inline_message_id !== undefined) return true;
    const rec = this.chatFor(p);
    const id = requireNumber(p, "message_id", "message identifier is not specified");
    const stored = rec.messages.get(id);
    if (!stored || stored.deleted) throw badRequest("message to edit not found");
    if (!stored.fromBot) throw badRequest("message can't be edited");
    const old = stored.message as Message & Payload;
    const markup = validateReplyMarkup(p.reply_markup);
    if (markup && !("inline_keyboard" in markup)) throw badRequest("inline keyboard expected");
    const next: Payload = { ...old };
    // Omitting reply_markup in any edit removes the inline keyboard — a classic surprise.
    delete next.reply_markup;
    if (markup && (markup as InlineKeyboardMarkup).inline_keyboard.length > 0) next.reply_markup = markup;
    let raw: { raw?: string; parseMode?: string } = {};
    if (what === "text") {
      if (old.text === undefined) throw badRequest("there is no text in the message to edit");
      const f = this.formatted(p, "text", true);
      next.text = f.text;
      delete next.entities;
      if (f.entities) next.entities = f.entities;
      raw = f;
    } else if (what === "caption") {
      if (old.text !== undefined) throw badRequest("there is no caption in the message to edit");
      const f = this.formatted(p, "caption", false);
      delete next.caption;
      delete next.caption_entities;
      if (f.text !== undefined) next.caption = f.text;
      if (f.entities) next.caption_entities = f.entities;
      raw = f;
    }
    if (
      next.text === old.text &&
      next.caption === old.caption &&
      JSON.stringify(next.entities ?? next.caption_entities ?? []) ===
        JSON.stringify(old.entities ?? old.caption_entities ?? []) &&
      JSON.stringify(next.reply_markup ?? null) === JSON.stringify(old.reply_markup ?? null)
    ) {
      throw badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
      );
    }
    next.edit_date = nowSeconds();
    // Replace rather than mutate, so results already handed out (and recorded calls) stay as they were.
    stored.message = next as unknown as Message;
    stored.editCount++;
    if (what !== "markup") {
      stored.rawText = raw.raw;
      stored.parseMode = raw.parseMode;
    }
    if (markup) stored.replyMarkup = markup;
    else delete stored.replyMarkup;
    return stored.message;
  }

  private deleteOne(rec: ChatRecord, messageId: number): void {
    const m = rec.messages.get(messageId);
    if (!m || m.deleted) throw badRequest("message to delete not found");
    m.deleted = true;
    if (rec.replyKeyboard?.messageId === messageId) rec.replyKeyboard = undefined;
  }

  // ── Files ──────────────────────────────────────────────────────────────────────────────────

  private storeFile(kind: string, info: Omit<StoredFile, "file_id" | "file_unique_id" | "kind">): StoredFile {
    const n = ++this.fileSeq;
    // Shaped like real ids (documents start "BQACAgIAAxkBAA", photos "AgACAgIAAxkBAA") but deterministic.
    const prefix = kind === "photo" ? "AgACAgIAAxkBAA" : "BQACAgIAAxkBAA";
    const file: StoredFile = {
      ...info,
      kind,
      file_id: `${prefix}${n.toString(36).padStart(8, "0")}Fake`,
      file_unique_id: `AgAD${n.toString(36).padStart(6, "0")}`,
    };
    this.files.set(file.file_id, file);
    return file;
  }

  private storePhotoSizes(width: number, height: number, size: number, bytes?: Buffer): PhotoSize[] {
    // Telegram returns the thumbnails too; the bot usually takes the last (largest) one.
    const scales = [90, 320, Math.max(width, height)];
    return scales.map((edge, i) => {
      const k = Math.min(1, edge / Math.max(width, height));
      const last = i === scales.length - 1;
      const f = this.storeFile("photo", {
        file_size: last ? size : Math.max(1, Math.round(size * k * k)),
        width: Math.round(width * k),
        height: Math.round(height * k),
        ...(last && bytes ? { bytes } : {}),
      });
      return photoSizeOf(f);
    });
  }

  private getFile(p: Payload): TgFile {
    const f = this.files.get(String(p.file_id ?? ""));
    if (!f) throw badRequest("invalid file_id");
    // Bots may only download files up to 20 MB.
    if (f.file_size > 20 * 1024 * 1024) throw badRequest("file is too big");
    if (!f.file_path) {
      const ext = f.kind === "photo" ? "jpg" : (/\.([A-Za-z0-9]+)$/.exec(f.file_name ?? "")?.[1] ?? "dat");
      f.file_path = `${f.kind === "photo" ? "photos" : `${f.kind}s`}/file_${this.filesByPath.size}.${ext}`;
      this.filesByPath.set(f.file_path, f);
    }
    return { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, file_path: f.file_path };
  }

  private bytesOf(f: StoredFile): Buffer {
    // Made-up files get made-up content of the right size, generated on demand.
    return f.bytes ?? Buffer.alloc(f.file_size, "fake file content\n");
  }
}

// ─── Entry point ─────────────────────────────────────────────────────────────────────────────

/** Starts the fake on 127.0.0.1 (random port unless `port` is given). Close it with `api.close()`. */
export function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  return FakeBotApi.listen(options);
}

// ─── Internals ───────────────────────────────────────────────────────────────────────────────

type Reply =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body, (_k, v: unknown) =>
    isUpload(v) ? { file_name: v.fileName, size: v.bytes.length } : v,
  );
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function parseBody(contentType: string, query: string, chunks: Buffer[]): Payload {
  const payload: Payload = {};
  if (query) for (const [k, v] of new URLSearchParams(query)) payload[k] = coerceField(k, v);
  if (chunks.length === 0) return payload;
  const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  if (body.length === 0) return payload;
  const ct = contentType.toLowerCase();
  if (ct.startsWith("application/json") || (!ct && (body[0] === 0x7b || body[0] === 0x5b))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON encoded request");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
      throw badRequest("can't parse JSON encoded request");
    return Object.assign(payload, parsed);
  }
  if (ct.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(body.toString("utf8"))) payload[k] = coerceField(k, v);
    return payload;
  }
  if (ct.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    const b = boundary?.[1] ?? boundary?.[2];
    if (!b) throw badRequest("multipart boundary is missing");
    const { fields, files } = parseMultipart(body, b);
    const used = new Set<string>();
    for (const [k, v] of fields) payload[k] = resolveAttachments(coerceField(k, v), files, used);
    // `curl -F document=@file` style: the part itself is named after the parameter.
    for (const [name, file] of files) if (!used.has(name) && !(name in payload)) payload[name] = file;
    return payload;
  }
  throw badRequest("unsupported content type");
}

function requireNumber(p: Payload, key: string, missing: string): number {
  const v = p[key];
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v);
  throw badRequest(missing);
}

function replyTarget(p: Payload): number | undefined {
  const params = p.reply_parameters as { message_id?: unknown } | undefined;
  const id = params?.message_id ?? p.reply_to_message_id;
  return typeof id === "number" ? id : undefined;
}

function allowsMissingReply(p: Payload): boolean {
  const params = p.reply_parameters as { allow_sending_without_reply?: unknown } | undefined;
  return params?.allow_sending_without_reply === true || p.allow_sending_without_reply === true;
}

/** reply_to_message never nests a further reply_to_message. */
function stripReply(m: Message): Message {
  if (!("reply_to_message" in m)) return m;
  const { reply_to_message: _omit, ...rest } = m;
  return rest as Message;
}

/** Checks reply_markup the way Telegram does and returns it typed, or undefined when absent. */
function validateReplyMarkup(markup: unknown): ReplyMarkup | undefined {
  if (markup === undefined || markup === null || markup === "") return undefined;
  if (typeof markup !== "object" || Array.isArray(markup))
    throw badRequest("can't parse reply keyboard markup JSON object");
  const m = markup as Payload;
  if ("inline_keyboard" in m) {
    const rows = m.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray))
      throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
    for (const row of rows as unknown[][]) {
      for (const b of row) {
        const btn = b as Payload;
        if (!btn || typeof btn.text !== "string" || btn.text === "")
          throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        const actions = Object.keys(btn).filter((k) => k !== "text" && k !== "style" && k !== "icon_custom_emoji_id");
        if (actions.length === 0)
          throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        if ("callback_data" in btn) {
          const data = btn.callback_data;
          // 1–64 bytes of UTF-8: Vietnamese labels copied into callback_data overflow easily.
          if (typeof data !== "string" || data === "" || Buffer.byteLength(data) > 64)
            throw badRequest("BUTTON_DATA_INVALID");
        }
        if ("url" in btn && (typeof btn.url !== "string" || !/^(https?|tg):\/\/\S+$/i.test(btn.url)))
          throw badRequest("BUTTON_URL_INVALID");
      }
    }
    return m as unknown as InlineKeyboardMarkup;
  }
  if ("keyboard" in m) {
    const rows = m.keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray))
      throw badRequest("can't parse keyboard button: KeyboardButton must be a String or an Object");
    return m as unknown as ReplyKeyboardMarkup;
  }
  if ("remove_keyboard" in m || "force_reply" in m) return m as unknown as ReplyMarkup;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

function toTgUser(u: FakeUser): User {
  return {
    id: u.id,
    is_bot: false,
    first_name: u.first_name,
    ...(u.last_name ? { last_name: u.last_name } : {}),
    ...(u.username ? { username: u.username } : {}),
    ...(u.language_code ? { language_code: u.language_code } : {}),
  };
}

function privateChat(u: FakeUser): Chat {
  return {
    id: u.id,
    type: "private",
    first_name: u.first_name,
    ...(u.last_name ? { last_name: u.last_name } : {}),
    ...(u.username ? { username: u.username } : {}),
  } as Chat;
}

function documentOf(f: StoredFile): Message["document"] {
  return {
    file_id: f.file_id,
    file_unique_id: f.file_unique_id,
    file_size: f.file_size,
    ...(f.file_name ? { file_name: f.file_name } : {}),
    ...(f.mime_type ? { mime_type: f.mime_type } : {}),
  };
}

function photoSizeOf(f: StoredFile): PhotoSize {
  return {
    file_id: f.file_id,
    file_unique_id: f.file_unique_id,
    width: f.width ?? 1280,
    height: f.height ?? 960,
    file_size: f.file_size,
  };
}

/** Telegram's chat_instance is an opaque, stable, signed 64-bit number per chat. */
function chatInstance(chatId: number): string {
  return (-((BigInt(chatId) * 2_654_435_761n) % 9_223_372_036_854_775_807n) - 1n).toString();
}

function commandKey(scope: unknown, languageCode: unknown): string {
  const s = (scope && typeof scope === "object" ? scope : { type: "default" }) as {
    type?: unknown;
    chat_id?: unknown;
    user_id?: unknown;
  };
  return `${String(s.type ?? "default")}:${String(s.chat_id ?? "")}:${String(s.user_id ?? "")}|${typeof languageCode === "string" ? languageCode : ""}`;
}

/** Updates of one chat are delivered one after another; different chats may overlap. */
function orderingKey(u: Update): string {
  const any = u as unknown as Record<
    string,
    { chat?: { id: number }; message?: { chat?: { id: number } }; from?: { id: number } } | undefined
  >;
  for (const [k, v] of Object.entries(any)) {
    if (k === "update_id" || !v || typeof v !== "object") continue;
    const chatId = v.chat?.id ?? v.message?.chat?.id;
    if (chatId !== undefined) return `c${chatId}`;
    if (v.from?.id !== undefined) return `u${v.from.id}`;
  }
  return "global";
}

function defaultDescription(code: number, retryAfter: number): string {
  switch (code) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden: bot was blocked by the user";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
    case 429:
      return `Too Many Requests: retry after ${retryAfter}`;
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    default:
      return `Error ${code}`;
  }
}
