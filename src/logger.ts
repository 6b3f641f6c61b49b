/**
 * pino, set up so that a log line can never carry a secret or a whole object graph.
 *
 * Why: an error thrown while handling an update used to be logged with everything reachable
 * from it — grammY's BotError carries the context (config with BOT_TOKEN, WEBHOOK_SECRET and
 * DATABASE_URL, the update, Prisma internals), about 60 KB a line, and a network error's
 * cause carries the request URL with the bot token. Three lines of defence:
 * 1. errors are logged by their own fields only (`serializeError`);
 * 2. `redact` blanks fields that hold secrets by name, wherever an object puts them;
 * 3. every line is scrubbed of the secret values themselves before it is written
 *    (`hooks.streamWrite`), whatever field or string they hide in.
 */
import { BotError, GrammyError, HttpError } from "grammy";
import pino from "pino";
import { type Redactor, redactorFor } from "./secrets.ts";

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** Values that must never appear in a line (the bot token, the webhook secret, passwords). */
  secrets?: readonly (string | undefined)[];
  /** Readable lines when a person watches a terminal (default), JSON otherwise. */
  pretty?: boolean;
  /** Where lines go (default stdout); tests keep them. */
  destination?: pino.DestinationStream;
}

/** Field names that hold secrets, blanked wherever they appear (two levels deep). */
const REDACTED_PATHS = [
  "BOT_TOKEN",
  "WEBHOOK_SECRET",
  "DATABASE_URL",
  "ZALO_BOT_TOKEN",
  "token",
  "secret_token",
  "password",
  "authorization",
  "*.BOT_TOKEN",
  "*.WEBHOOK_SECRET",
  "*.DATABASE_URL",
  "*.token",
  "*.secret_token",
  "*.password",
  "*.authorization",
  'headers["x-telegram-bot-api-secret-token"]',
  'headers["x-bot-api-secret-token"]',
];

/** Lines of a stack kept: where it happened, not the whole framework below. */
const STACK_LINES = 8;
const MESSAGE_MAX = 500;

interface SerializedError {
  type: string;
  message: string;
  code?: string | number;
  stack?: string;
  cause?: SerializedError;
  update_id?: number;
}

/**
 * An error as its own fields: type, message, code, a short stack and its cause (two levels),
 * never its other properties (grammY's BotError.ctx, Prisma's engine state, a fetch error's
 * request). A network error's message is left out: it names the request URL, token included.
 */
export function serializeError(e: unknown, depth = 0): SerializedError {
  if (!(e instanceof Error)) return { type: typeof e, message: String(e).slice(0, MESSAGE_MAX) };
  if (e instanceof BotError) {
    return {
      ...serializeError(e.error, depth),
      update_id: (e.ctx as { update?: { update_id?: number } })?.update?.update_id,
    };
  }
  const out: SerializedError = { type: e.name, message: e.message.slice(0, MESSAGE_MAX) };
  const code = (e as { code?: unknown }).code ?? (e instanceof GrammyError ? e.error_code : undefined);
  if (typeof code === "string" || typeof code === "number") out.code = code;
  if (e.stack) out.stack = e.stack.split("\n").slice(0, STACK_LINES).join("\n");
  const cause = e instanceof HttpError ? e.error : e.cause;
  if (cause !== undefined && depth < 2) {
    out.cause = serializeError(cause, depth + 1);
    // The fetch library's message is "request to https://…/bot<token>/method failed".
    if (e instanceof HttpError) out.cause = { type: out.cause.type, message: "", code: out.cause.code };
  }
  return out;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { pretty = process.stdout.isTTY && !process.env.CI, destination } = options;
  const redactor = redactorFor(options.secrets ?? []);
  const settings: pino.LoggerOptions = {
    level,
    base: undefined,
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    hooks: { streamWrite: (line) => redactor.redact(line) },
    transport:
      pretty && !destination
        ? { target: "pino-pretty", options: { translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" } }
        : undefined,
  };
  return destination ? pino(settings, destination) : pino(settings);
}

export type { Redactor };

/**
 * The system error code of a failed request (ECONNREFUSED, ENOTFOUND…, its cause's for
 * wrapped errors), or "unknown": what is kept of a network error, whose message may name
 * the address and with it a token.
 */
export function networkCodeOf(e: unknown): string {
  for (let cause = e, depth = 0; cause && depth < 3; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return "unknown";
}
