/**
 * The Zalo channel: the same bot (createBot, every feature) fed with Zalo events and
 * answering through the bridge (bridge.ts). Events arrive by webhook (a route on the bot's
 * HTTP server) or by long polling; each is kept as pending until handled, handled in order
 * per chat, and recorded once under its key (src/db/exactly-once.ts).
 *
 * Where Zalo's documentation is silent, the choices are conservative and written here:
 * - rate: the notice sender paces all channels together at NOTICE_RATE; Zalo publishes no
 *   limit, so the pacing Telegram needs is kept for Zalo as well;
 * - blocked users: only an error that says so marks a person unreachable (api.ts);
 * - messages weeks after a person's last one: sent as usual; a refusal fails the notice
 *   with Zalo's own error, shown to coordinators in /xacnhan.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { Bot, Transformer } from "grammy";
import type { Update } from "grammy/types";
import { COMMANDS } from "../../bot/commands.ts";
import type { BotContext, BotDeps, Channel } from "../../bot/context.ts";
import { createBot } from "../../bot/index.ts";
import { keywordsIn } from "../../bot/keywords.ts";
import { DownloadFailed } from "../../bot/telegram-files.ts";
import type { Config } from "../../config.ts";
import { type KeptUpdate, wasHandled } from "../../db/exactly-once.ts";
import { claimPendingUpdates, dropPendingUpdate, keepPendingUpdate } from "../../db/pending-updates.ts";
import type { ChannelAccount } from "../../domain/people.ts";
import { fifoGate } from "../../server/http.ts";
import { readBody, secretMatches } from "../../server/webhook.ts";
import { parseZaloEvent, type ZaloApi, type ZaloEvent } from "./api.ts";
import { type Reader, ZALO_BOT_INFO, zaloBridge } from "./bridge.ts";
import { eventKey, readEvent } from "./inbound.ts";
import { splitText } from "./split.ts";

/** Zalo sends the webhook secret back in this header. */
export const ZALO_SECRET_HEADER = "x-bot-api-secret-token";
/** A Zalo event is a few hundred bytes; anything much larger is not one. */
const MAX_EVENT_BYTES = 64 * 1024;
/** How long the bot waits for a photo's bytes (Zalo's addresses expire soon after). */
const PHOTO_TIMEOUT_MS = 60_000;

export interface ZaloChannel {
  bot: Bot<BotContext>;
  /** Handles one event (a webhook body or a polled one): after it returns, it is handled. */
  handle(raw: unknown): Promise<void>;
  /** The webhook route for the HTTP server's `web` chain: true when it took the request. */
  route(path: string): (req: IncomingMessage, res: ServerResponse, requestPath: string) => Promise<boolean>;
  /** Long polling (when no webhook is set); resolves when stopped. */
  poll(): { stop(): Promise<void> };
  /** Handles events a dead process acknowledged but did not finish. */
  replayPending(olderThanMs?: number): Promise<number>;
  /** Waits for the events being handled. */
  idle(): Promise<void>;
  /** Whether an event is being handled right now (the playground waits for it). */
  busy(): boolean;
}

export interface ZaloChannelOptions {
  config: Config;
  deps: BotDeps;
  zalo: ZaloApi;
  /** API transformers before the bridge (tests record the bot's calls here). */
  transformers?: Transformer[];
}

/** Downloads a photo Zalo gave by address, at once (its address expires). */
async function openPhoto(url: string): Promise<Readable> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(PHOTO_TIMEOUT_MS) });
  } catch {
    throw new DownloadFailed("unavailable");
  }
  if (res.status === 404 || res.status === 403 || res.status === 410) throw new DownloadFailed("gone");
  if (!res.ok || !res.body) throw new DownloadFailed("unavailable");
  return Readable.fromWeb(res.body as import("node:stream/web").ReadableStream);
}

export function createZaloChannel(options: ZaloChannelOptions): ZaloChannel {
  const { config, deps, zalo } = options;
  const { db, logger, i18n } = deps;
  // Who wrote each update, its key and its pending record, beside the update grammY
  // carries through the bot.
  const senders = new WeakMap<Update, { key: string; account: ChannelAccount; kept: KeptUpdate | null }>();
  // The reader of each chat whose event is being handled (a chat's events are handled one
  // at a time): the bridge writes its lines in their language without reading it per message.
  const readers = new Map<string, Reader>();
  const channel: Channel = {
    name: "zalo",
    accountOf: (ctx) => senders.get(ctx.update)?.account ?? null,
    keyOf: (ctx) => senders.get(ctx.update)?.key ?? `zalo:unknown:${ctx.update.update_id}`,
    keptOf: (ctx) => senders.get(ctx.update)?.kept ?? null,
    onReader: (ctx) => {
      const sender = senders.get(ctx.update);
      if (sender) readers.set(sender.account.chatId, { personId: ctx.person.id, locale: ctx.locale });
    },
    openFile: (_ctx, url) => openPhoto(url),
    downloadLimit: null,
  };
  const bridge = zaloBridge({
    zalo,
    db,
    store: deps.store,
    i18n,
    config,
    logger,
    keywordsOf: (locale) => keywordsIn(i18n, locale),
    knownReader: (chatId) => readers.get(chatId),
    now: deps.now,
  });
  const bot = createBot(config, deps, {
    channel,
    token: "zalo",
    botInfo: ZALO_BOT_INFO,
    transformers: [...(options.transformers ?? []), bridge],
  });
  const inboundOptions = {
    commands: COMMANDS.map((c) => c.name),
    inviteWords: ["moi", "ma", "invite"],
  };

  /** Says a short text from the locales to a chat (for events the bot has no update for). */
  async function say(chatId: string, key: string, vars?: Record<string, unknown>) {
    const account = await db.personChannel.findFirst({
      where: { channel: "zalo", chatId },
      select: { person: { select: { locale: true } } },
    });
    const text = i18n.t(account?.person.locale ?? config.DEFAULT_LOCALE, key, vars);
    for (const part of splitText(text)) await zalo.sendMessage({ chat_id: chatId, text: part });
  }

  /** Handles one event; `kept` is its pending record, when it was kept before handling. */
  async function handleEvent(event: ZaloEvent, kept: KeptUpdate | null): Promise<void> {
    const inbound = await readEvent(db, event, inboundOptions);
    if (inbound.kind === "ignore") {
      logger.debug({ key: inbound.key, reason: inbound.reason }, "zalo event ignored");
      return;
    }
    if (inbound.kind === "say") {
      if (await wasHandled(db, inbound.key)) return;
      await say(inbound.chatId, inbound.text, inbound.vars);
      return;
    }
    senders.set(inbound.update, { key: inbound.key, account: inbound.account, kept });
    try {
      await bot.handleUpdate(inbound.update);
    } finally {
      readers.delete(inbound.account.chatId);
    }
  }

  // One chain per chat: a person's events are handled in the order they came.
  const chains = new Map<string, Promise<void>>();
  function inOrder(chatId: string, task: () => Promise<void>): Promise<void> {
    const previous = chains.get(chatId) ?? Promise.resolve();
    const next = previous.then(task, task);
    chains.set(chatId, next);
    // The caller gets `next` and its failure; this branch only tidies up (and must not
    // turn that failure into an unhandled rejection).
    const forget = () => {
      if (chains.get(chatId) === next) chains.delete(chatId);
    };
    next.then(forget, forget);
    return next;
  }

  // At most WEBHOOK_MAX_CONNECTIONS events handled at once, the rest in arrival order, as
  // the Telegram webhook does (src/server/http.ts): Zalo's webhook is answered before the
  // event is handled, so without a gate a burst of chats all reach the database together,
  // each finishing late, and under load past the transactions' wait limit.
  const gate = fifoGate(config.WEBHOOK_MAX_CONNECTIONS);

  /** Handles an event in its chat's order; a kept event's pending row goes once it is handled. */
  async function handle(raw: unknown, pendingKey?: string): Promise<void> {
    const parsed = parseZaloEvent(raw);
    if (parsed.kind === "unknown") {
      logger.info({ event: parsed.event_name?.slice(0, 60), reason: parsed.reason }, "zalo event not understood");
      return;
    }
    const { kind: _kind, ...event } = parsed;
    await handleParsed(event, pendingKey);
  }

  async function handleParsed(event: ZaloEvent, pendingKey?: string): Promise<void> {
    await inOrder(String(event.message.chat.id), () =>
      gate(async () => {
        const kept: KeptUpdate | null = pendingKey ? { settled: false } : null;
        await handleEvent(event, kept);
        // Settled: gone with the commit that recorded the event. Otherwise (an event the bot
        // had no update for, or an error the bot answered) it goes now.
        if (pendingKey && !kept?.settled) await dropPendingUpdate(db, pendingKey);
      }),
    );
  }

  /** Keeps the event, answers Zalo, then handles it; the pending row goes once handled. */
  async function accept(raw: unknown): Promise<void> {
    const parsed = parseZaloEvent(raw);
    if (parsed.kind === "unknown") return handle(raw);
    const { kind: _kind, ...event } = parsed;
    const key = eventKey(event);
    await keepPendingUpdate(db, key, "zalo", raw);
    void handleParsed(event, key).catch((err: unknown) =>
      logger.warn({ err, key }, "zalo event failed; it stays pending and is tried again"),
    );
  }

  function route(path: string) {
    return async (req: IncomingMessage, res: ServerResponse, requestPath: string): Promise<boolean> => {
      if (requestPath !== path) return false;
      /** Answers Zalo; true: the route took the request. */
      const reply = (status: number): true => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify({ ok: status === 200 }));
        return true;
      };
      if (req.method !== "POST") return reply(405);
      if (!config.ZALO_WEBHOOK_SECRET || !secretMatches(req.headers[ZALO_SECRET_HEADER], config.ZALO_WEBHOOK_SECRET)) {
        req.resume();
        return reply(401);
      }
      if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
        req.resume();
        return reply(415);
      }
      let body: unknown;
      try {
        body = JSON.parse((await readBody(req, MAX_EVENT_BYTES, 10_000)).toString("utf8"));
      } catch (e) {
        const status = (e as { status?: number }).status;
        return reply(typeof status === "number" ? status : 400);
      }
      try {
        await accept(body);
      } catch (err) {
        // Not kept (the database is down): Zalo is asked to send it again.
        logger.warn({ err }, "zalo event could not be kept");
        return reply(503);
      }
      return reply(200);
    };
  }

  function poll() {
    const stop = new AbortController();
    const done = (async () => {
      let backoff = 1_000;
      while (!stop.signal.aborted) {
        try {
          const event = await zalo.getUpdates({ timeout: 30 }, { signal: stop.signal });
          backoff = 1_000;
          if (event && event.kind === "event") await accept({ event_name: event.event_name, message: event.message });
          else if (event) logger.info({ event: event.event_name?.slice(0, 60) }, "zalo event not understood");
        } catch (err) {
          if (stop.signal.aborted) break;
          logger.warn({ err, retryInMs: backoff }, "zalo polling failed; trying again");
          await new Promise((r) => setTimeout(r, backoff).unref());
          backoff = Math.min(backoff * 2, 60_000);
        }
      }
    })();
    return {
      async stop() {
        stop.abort();
        await done;
        await idle();
      },
    };
  }

  async function replayPending(olderThanMs = 60_000): Promise<number> {
    let handled = 0;
    for (const pending of await claimPendingUpdates(db, "zalo", olderThanMs)) {
      try {
        await handle(JSON.parse(pending.body), pending.key);
        handled++;
      } catch (err) {
        logger.warn({ err, key: pending.key }, "pending zalo event failed again; will retry");
      }
    }
    return handled;
  }

  async function idle(): Promise<void> {
    while (chains.size > 0) await Promise.allSettled([...chains.values()]);
  }

  return { bot, handle, route, poll, replayPending, idle, busy: () => chains.size > 0 };
}
