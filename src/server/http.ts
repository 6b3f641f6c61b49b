/**
 * The HTTP server: Telegram's webhook (checked against the secret token), GET /healthz, and
 * the pages signed links open (files, evidence lists, the upload page, exports). In polling
 * mode it serves the last two.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Bot } from "grammy";
import type { BotContext } from "../bot/index.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { webhookHandler } from "./webhook.ts";

export interface HttpServerOptions {
  bot?: Bot<BotContext>;
  /** Required with `bot`: where slow updates are kept until handled. */
  db?: Db;
  /** Required with `bot`: Telegram sends it in X-Telegram-Bot-Api-Secret-Token. */
  secretToken?: string;
  /** Path Telegram posts updates to (the path of WEBHOOK_URL). */
  webhookPath?: string;
  ping: () => Promise<void>;
  logger: Logger;
  /** Updates handled at once; more wait their turn in arrival order (default 40). */
  maxConcurrentUpdates?: number;
  /** The pages signed links open (src/server/web/routes.ts): true when it handled the request. */
  web?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
  /** Webhook limits, see src/server/webhook.ts (tests shorten them). */
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
  answerWithinMs?: number;
}

/**
 * At most `limit` tasks at once, the rest started in arrival order. Without it a burst of
 * N updates is interleaved N ways: every one of them finishes late (some past Telegram's
 * timeout, which then redelivers), instead of the first ones finishing early.
 */
export function fifoGate(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line (running stays the same), or free it.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export function createHttpServer(options: HttpServerOptions): Server {
  const { bot, secretToken, ping, logger, webhookPath = "/telegram/webhook", maxConcurrentUpdates = 40 } = options;
  const gate = fifoGate(maxConcurrentUpdates);
  if (bot && !secretToken) throw new Error("a webhook needs a secret token");
  if (bot && !options.db) throw new Error("a webhook needs the database (pending updates)");
  const webhook =
    bot && secretToken && options.db
      ? webhookHandler({
          bot,
          db: options.db,
          secretToken,
          logger,
          gate,
          maxBodyBytes: options.maxBodyBytes,
          bodyTimeoutMs: options.bodyTimeoutMs,
          answerWithinMs: options.answerWithinMs,
        })
      : null;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    try {
      if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
        try {
          await ping();
          send(res, 200, { ok: true, database: "up" });
        } catch (e) {
          logger.warn({ err: e }, "health check failed");
          send(res, 503, { ok: false, database: "down" });
        }
        return;
      }
      if (webhook && path === webhookPath) return await webhook(req, res);
      if (options.web && (await options.web(req, res, path))) return;
      send(res, 404, { ok: false, error: "not found" });
    } catch (e) {
      logger.error({ err: e }, "http request failed");
      if (!res.headersSent) send(res, 500, { ok: false, error: "internal error" });
      else res.end();
    }
  });
  // Slow clients: headers within 10 s; a whole request within 15 min (a 20 MB upload from a
  // phone on a poor connection). The webhook reads its body within 10 s, and an upload whose
  // bytes stop arriving for a minute is dropped (src/server/web/routes.ts).
  server.headersTimeout = 10_000;
  server.requestTimeout = 15 * 60_000;
  return server;
}

export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

/** Stops accepting, lets in-flight requests (updates being handled) finish. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
