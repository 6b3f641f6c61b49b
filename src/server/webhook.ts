/**
 * Telegram's webhook: checks the secret, reads a bounded body in bounded time, hands the
 * update to the bot and answers Telegram so that no update is lost.
 *
 * - 200: handled (or handled before: a duplicate), or still running after `answerWithinMs`
 *   and kept in the pending table first (src/db/pending-updates.ts), so a crash after the
 *   answer does not lose it.
 * - 503: the database was unavailable and nothing was kept; Telegram delivers it again.
 * - 401 wrong secret, 405 not POST, 408 body too slow, 413 body too large, 400 not an update.
 *
 * Why not grammY's webhookCallback: it reads the whole body before any limit, answers 200 at
 * its timeout without keeping the update, and answers 500 for every error, including the
 * ones a redelivery cannot fix.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../bot/index.ts";
import { UpdateNotHandled } from "../bot/middlewares/error-boundary.ts";
import type { Db } from "../db/client.ts";
import { telegramKey, wasHandled } from "../db/exactly-once.ts";
import { claimPendingUpdates, dropPendingUpdate, keepPendingUpdate } from "../db/pending-updates.ts";
import { personOfAccount } from "../domain/people.ts";
import { formatDateTime } from "../domain/time.ts";
import type { I18n } from "../i18n.ts";
import type { Logger } from "../logger.ts";

export interface WebhookOptions {
  bot: Bot<BotContext>;
  db: Db;
  /** Telegram sends it in X-Telegram-Bot-Api-Secret-Token. */
  secretToken: string;
  logger: Logger;
  /** Runs a task when a handling slot is free (the server's FIFO gate). */
  gate: <T>(task: () => Promise<T>) => Promise<T>;
  /** Largest body read (Telegram's updates are a few KB; default 1 MB). */
  maxBodyBytes?: number;
  /** Time allowed for the whole body to arrive (default 10 s). */
  bodyTimeoutMs?: number;
  /** Answer Telegram by then even if the update is still being handled (default 9 s). */
  answerWithinMs?: number;
}

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** Compares in constant time (for equal lengths; a length differs only for a wrong secret). */
export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

class BodyError extends Error {
  constructor(readonly status: 400 | 408 | 413) {
    super(`request body refused (${status})`);
  }
}

/**
 * Reads the body, refusing it as soon as it passes `maxBytes` (before any parsing) or has
 * not arrived within `timeoutMs`: a slow or endless body cannot hold a slot or the memory.
 */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) return reject(new BodyError(413));
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: BodyError) => {
      clearTimeout(timer);
      req.removeAllListeners("data");
      req.resume(); // drain, so the connection can carry the answer
      reject(e);
    };
    const timer = setTimeout(() => fail(new BodyError(408)), timeoutMs);
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(new BodyError(413));
      chunks.push(chunk);
    });
    req.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on("error", () => fail(new BodyError(400)));
  });
}

function parseUpdate(body: Buffer): Update | null {
  try {
    const value: unknown = JSON.parse(body.toString("utf8"));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
    const id = (value as { update_id?: unknown }).update_id;
    return Number.isSafeInteger(id) && (id as number) >= 0 ? (value as Update) : null;
  } catch {
    return null;
  }
}

function answer(res: ServerResponse, status: number, body: unknown = { ok: status === 200 }): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...(status === 503 ? { "retry-after": "5" } : {}),
  });
  res.end(text);
}

const sleep = (ms: number) => new Promise<"late">((r) => setTimeout(() => r("late"), ms).unref());

export function webhookHandler(options: WebhookOptions) {
  const { bot, db, secretToken, logger, gate } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  const answerWithinMs = options.answerWithinMs ?? 9_000;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "POST") return answer(res, 405);
    if (!secretMatches(req.headers[SECRET_HEADER], secretToken)) {
      req.resume();
      return answer(res, 401);
    }
    let update: Update | null;
    try {
      // Read before taking a slot: a slow sender waits alone.
      update = parseUpdate(await readBody(req, maxBodyBytes, bodyTimeoutMs));
    } catch (e) {
      return answer(res, e instanceof BodyError ? e.status : 400);
    }
    if (!update) return answer(res, 400);
    const u = update;

    await gate(async () => {
      const handling = bot.handleUpdate(u).then(
        () => "done" as const,
        (e: unknown) => e,
      );
      const first = await Promise.race([handling, sleep(answerWithinMs)]);
      if (first === "done") return answer(res, 200);
      if (first !== "late") return answer(res, notHandled(first) ? 503 : 500);
      // Still running: keep it before promising Telegram it is ours.
      let kept = false;
      try {
        await keepPendingUpdate(db, telegramKey(u.update_id), "telegram", u);
        kept = true;
        answer(res, 200);
      } catch (e) {
        logger.warn({ err: e, update_id: u.update_id }, "slow update could not be kept; Telegram will redeliver it");
        answer(res, 503);
      }
      // The slot is held until the handling ends: the gate bounds work, not requests.
      const outcome = await handling;
      if (!kept) return;
      if (outcome === "done") await dropPendingUpdate(db, telegramKey(u.update_id)).catch(() => {});
      else logger.warn({ update_id: u.update_id }, "slow update failed; it stays pending and is tried again");
    });
  };
}

function notHandled(e: unknown): boolean {
  return (e as { error?: unknown })?.error instanceof UpdateNotHandled || e instanceof UpdateNotHandled;
}

/**
 * Handles the updates that a dead process acknowledged but did not finish (see
 * src/db/pending-updates.ts). Run at start and every minute by the webhook server.
 *
 * An update whose effect was committed before the crash is not handled again (its answer is
 * stored), but its reply may never have gone out: the person is told it was saved, so the
 * silence is not mistaken for a loss.
 */
export async function replayPendingUpdates(
  bot: Bot<BotContext>,
  deps: { db: Db; i18n: I18n; logger: Logger; defaultLocale: string; timeZone: string },
  olderThanMs = 60_000,
): Promise<number> {
  const { db, logger } = deps;
  let handled = 0;
  for (const pending of await claimPendingUpdates(db, "telegram", olderThanMs)) {
    try {
      const update = JSON.parse(pending.body) as Update;
      if (await wasHandled(db, pending.key)) await tellSavedAfterCrash(bot, update, deps);
      else await bot.handleUpdate(update);
      await dropPendingUpdate(db, pending.key);
      handled++;
    } catch (e) {
      logger.warn({ err: e, key: pending.key }, "pending update failed again; will retry");
    }
  }
  if (handled > 0) logger.info({ handled }, "pending updates handled after a restart");
  return handled;
}

async function tellSavedAfterCrash(
  bot: Bot<BotContext>,
  update: Update,
  deps: { db: Db; i18n: I18n; defaultLocale: string; timeZone: string },
): Promise<void> {
  const message = update.message;
  const chatId = message?.chat.type === "private" ? message.chat.id : undefined;
  if (!message || chatId === undefined) return;
  const person = await personOfAccount(deps.db, "telegram", String(chatId));
  const text = deps.i18n.t(person?.locale ?? deps.defaultLocale, "errors.saved_after_restart", {
    when: formatDateTime(new Date(message.date * 1000), deps.timeZone),
  });
  await bot.api.sendMessage(chatId, text, {
    reply_parameters: { message_id: message.message_id, allow_sending_without_reply: true },
  });
}
