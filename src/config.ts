/**
 * Settings, all from the environment (and .env), checked with zod at start. A wrong or
 * missing value stops the process with one line naming the variable and what it expects.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { checkPgUrl, DatabaseUrlError } from "./db/pg-connection.ts";
import { DEFAULT_DATABASE_URL, providerOf, sqlitePath } from "./db/url.ts";

const telegramIdList = z
  .string()
  .default("")
  .transform((s, ctx) => {
    const ids = s.split(/[\s,;]+/).filter(Boolean);
    const bad = ids.find((id) => !/^-?\d{1,20}$/.test(id));
    if (bad) {
      ctx.addIssue({
        code: "custom",
        message: `a comma-separated list of Telegram user ids ("${bad}" is not one)`,
      });
      return z.NEVER;
    }
    return ids.map((id) => BigInt(id));
  });

/** "7,3,1" -> [7, 3, 1]: whole days from 1 to 60, largest first. */
function dayList(fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const parts = s.split(/[\s,;]+/).filter(Boolean);
      const days = parts.map(Number);
      if (parts.length === 0 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 60)) {
        ctx.addIssue({ code: "custom", message: 'comma-separated whole days from 1 to 60, such as "7,1"' });
        return z.NEVER;
      }
      return [...new Set(days)].sort((a, b) => b - a);
    });
}

/** A whole number from `min` to `max`, with one message however it is wrong. */
function wholeNumber(min: number, max: number, message: string) {
  return z.coerce.number({ error: message }).int({ error: message }).min(min, message).max(max, message);
}

const fields = {
  /** Telegram's bot token; empty: Telegram off (then ZALO_BOT_TOKEN is required). */
  BOT_TOKEN: z
    .string()
    .regex(/^\d+:[\w-]{20,}$/, "a bot token from @BotFather, like 123456:ABC-DEF…")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  DATABASE_URL: z
    .string()
    .default(DEFAULT_DATABASE_URL)
    .superRefine((u, ctx) => {
      let provider: string;
      try {
        provider = providerOf(u);
      } catch {
        return ctx.addIssue({ code: "custom", message: "file:<path> (SQLite) or postgresql://user@host:port/db" });
      }
      try {
        if (provider === "postgresql") checkPgUrl(u);
      } catch (e) {
        if (!(e instanceof DatabaseUrlError)) throw e;
        ctx.addIssue({ code: "custom", message: e.problem });
      }
    }),
  BOT_MODE: z.enum(["polling", "webhook"], { error: '"polling" or "webhook"' }).default("polling"),
  WEBHOOK_URL: z.url({ protocol: /^https?$/, error: "an http(s) URL Telegram can reach" }).optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, "16 to 256 characters of A-Z, a-z, 0-9, _ and -")
    .optional(),
  /**
   * Telegram opens at most this many connections to the webhook at once (its setWebhook
   * max_connections, 1–100); the server also handles no more updates than this at once and
   * queues the rest in arrival order, so a burst is answered in order instead of all late.
   */
  WEBHOOK_MAX_CONNECTIONS: wholeNumber(1, 100, "a whole number from 1 to 100").default(40),
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: z.coerce.number({ error: "a port number" }).int().min(0).max(65535).default(8080),
  /**
   * Where people open the bot's pages (files, evidence lists, the upload page): the base of
   * every signed link. Default: the origin of WEBHOOK_URL, else http://localhost:PORT.
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "an http(s) URL such as https://cchc.sonla.gov.vn" }).optional(),
  /** How long a signed link works, in hours (1 to 720). */
  LINK_TTL_HOURS: z.coerce
    .number({ error: "hours, 1 to 720" })
    .int({ error: "hours, 1 to 720" })
    .min(1, "hours, 1 to 720")
    .max(720, "hours, 1 to 720")
    .default(24),
  TELEGRAM_API_ROOT: z.url({ error: "a URL such as https://api.telegram.org" }).default("https://api.telegram.org"),
  /** The Zalo bot's token from Zalo's Bot Creator (<id>:<secret>); empty: Zalo off. */
  ZALO_BOT_TOKEN: z
    .string()
    .regex(/^[\w-]+:[\w-]{8,}$/, "the Zalo bot token from Bot Creator, like 1234567890:AbCd…")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  ZALO_MODE: z.enum(["polling", "webhook"], { error: '"polling" or "webhook"' }).default("polling"),
  /** The HTTPS address Zalo posts events to (a path on this bot's server). */
  ZALO_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: "an https URL Zalo can reach" }).optional(),
  /** Zalo sends it back in X-Bot-Api-Secret-Token with each event (8 to 256 characters). */
  ZALO_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,256}$/, "8 to 256 characters of A-Z, a-z, 0-9, _ and -")
    .optional(),
  ZALO_API_ROOT: z
    .url({ error: "a URL such as https://bot-api.zaloplatforms.com" })
    .default("https://bot-api.zaloplatforms.com"),
  COORDINATOR_IDS: telegramIdList,
  TZ: z
    .string()
    .default("Asia/Ho_Chi_Minh")
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "an IANA time zone such as Asia/Ho_Chi_Minh"),
  DEFAULT_LOCALE: z.enum(["vi", "en"], { error: '"vi" or "en"' }).default("vi"),
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  BOT_USERNAME: z
    .string()
    .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, "the bot's @username, for invite links")
    .transform((s) => s.replace(/^@/, ""))
    .optional(),
  /** Days before a visit when its unit and team are reminded. */
  VISIT_REMINDER_DAYS: dayList("7,1"),
  /** Days before the self-assessment deadline when units that have not submitted are reminded. */
  DEADLINE_REMINDER_DAYS: dayList("7,3,1"),
  /** Local time (TZ) at which reminders go out. */
  REMINDER_TIME: z
    .string()
    .default("08:00")
    .refine((s) => /^([01]?\d|2[0-3]):[0-5]\d$/.test(s), "a time of day as HH:mm, such as 08:00"),
  /** Notice sender: on (default) or off (e.g. a process that only answers updates). */
  NOTICE_SENDER: z.enum(["on", "off"], { error: '"on" or "off"' }).default("on"),
  /** Messages per second for all sender processes together (Telegram allows about 30). */
  NOTICE_RATE: z.coerce.number({ error: "messages per second, 1 to 30" }).min(1).max(30).default(28),
  /** Attempts of a notice on 5xx / network errors before it is marked failed. */
  NOTICE_MAX_ATTEMPTS: z.coerce.number({ error: "a whole number from 1 to 20" }).int().min(1).max(20).default(6),
  /**
   * Where evidence files are kept (src/storage): "local", a folder (FILES_DIR); or
   * "database", chunks in the database itself, for several instances on one PostgreSQL
   * server (allowed on SQLite too, where it makes the .db file grow by every file).
   */
  FILE_STORAGE: z.enum(["local", "database"], { error: '"local" or "database"' }).default("local"),
  /** The local store's folder; default data/files, i.e. "files" beside a SQLite database. */
  FILES_DIR: z.string().min(1).optional(),
  /**
   * Largest file accepted, in MB (MiB, as Telegram counts its 20 MB); at most 2000, which
   * the size columns (32-bit) hold.
   */
  MAX_FILE_MB: wholeNumber(1, 2000, "a whole number of megabytes from 1 to 2000").default(20),
};

/**
 * The local store's folder: FILES_DIR, or "files" beside the SQLite database (data/files
 * for the default database), or data/files with PostgreSQL.
 */
function withFilesDir<C extends { DATABASE_URL: string; FILES_DIR?: string | undefined }>(c: C) {
  const besideDatabase =
    providerOf(c.DATABASE_URL) === "sqlite" && sqlitePath(c.DATABASE_URL) !== ":memory:"
      ? join(dirname(sqlitePath(c.DATABASE_URL)), "files")
      : join("data", "files");
  return { ...c, FILES_DIR: c.FILES_DIR ?? besideDatabase };
}

const BotSettings = z.object(fields).superRefine((c, ctx) => {
  if (!c.BOT_TOKEN && !c.ZALO_BOT_TOKEN) {
    ctx.addIssue({
      code: "custom",
      path: ["BOT_TOKEN"],
      message: "required: the bot token from @BotFather (or ZALO_BOT_TOKEN for a bot on Zalo only)",
    });
  }
  if (c.ZALO_BOT_TOKEN && c.ZALO_MODE === "webhook") {
    for (const [key, what] of [
      ["ZALO_WEBHOOK_URL", "required when ZALO_MODE=webhook"],
      ["ZALO_WEBHOOK_SECRET", "required when ZALO_MODE=webhook (8+ characters)"],
    ] as const) {
      if (!c[key]) ctx.addIssue({ code: "custom", path: [key], message: what });
    }
  }
  if (c.BOT_MODE !== "webhook") return;
  if (!c.WEBHOOK_URL)
    ctx.addIssue({
      code: "custom",
      path: ["WEBHOOK_URL"],
      message: "required when BOT_MODE=webhook",
    });
  if (!c.WEBHOOK_SECRET)
    ctx.addIssue({
      code: "custom",
      path: ["WEBHOOK_SECRET"],
      message: "required when BOT_MODE=webhook (16+ characters)",
    });
});

const ConfigSchema = BotSettings.transform(withFilesDir);

export type Config = z.infer<typeof ConfigSchema>;

/** Telegram's token, for the parts that only run with Telegram on. */
export function telegramToken(config: Pick<Config, "BOT_TOKEN">): string {
  if (!config.BOT_TOKEN) throw new Error("Telegram is off (no BOT_TOKEN)");
  return config.BOT_TOKEN;
}

/** The base of signed links (no trailing slash): PUBLIC_URL, WEBHOOK_URL's origin, or localhost. */
export function publicBaseUrl(config: Pick<Config, "PUBLIC_URL" | "WEBHOOK_URL" | "PORT">): string {
  // Parsed and written back: what goes into a message's link is a normalised, encoded URL.
  if (config.PUBLIC_URL) return new URL(config.PUBLIC_URL).href.replace(/\/+$/, "");
  if (config.WEBHOOK_URL) return new URL(config.WEBHOOK_URL).origin;
  return `http://localhost:${config.PORT}`;
}

/** The command-line tools work on the database alone: no token needed. */
const CliSettings = z.object({
  BOT_TOKEN: fields.BOT_TOKEN,
  BOT_USERNAME: fields.BOT_USERNAME,
  DATABASE_URL: fields.DATABASE_URL,
  TELEGRAM_API_ROOT: fields.TELEGRAM_API_ROOT,
  TZ: fields.TZ,
  LOG_LEVEL: fields.LOG_LEVEL,
  // The language of backup and restore messages, and of appraisal refusals.
  DEFAULT_LOCALE: fields.DEFAULT_LOCALE,
  // Coordinators named here may move phases and set bonus/penalty from the CLI (--as).
  COORDINATOR_IDS: fields.COORDINATOR_IDS,
  // Backups copy the files too.
  FILE_STORAGE: fields.FILE_STORAGE,
  FILES_DIR: fields.FILES_DIR,
  MAX_FILE_MB: fields.MAX_FILE_MB,
});
const CliConfigSchema = CliSettings.transform(withFilesDir);
export type CliConfig = z.infer<typeof CliConfigSchema>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`Invalid configuration: ${variable}: ${expected}`);
    this.name = "ConfigError";
  }
}

/** Empty strings count as unset, so `PORT=` in .env takes the default. */
function withoutEmpty(env: Record<string, string | undefined>) {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
}

function parseWith<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(withoutEmpty(env));
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(String(issue.path[0] ?? "config"), issue.message);
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  return parseWith(ConfigSchema, env);
}

export function parseCliConfig(env: Record<string, string | undefined>): CliConfig {
  return parseWith(CliConfigSchema, env);
}

/** Reads .env (if present; real environment variables win) into the environment. */
export function loadEnvFile(envFile = ".env"): Record<string, string | undefined> {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}

export function loadConfig(envFile = ".env"): Config {
  return parseConfig(loadEnvFile(envFile));
}
