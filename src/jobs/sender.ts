/**
 * The notice sender: delivers due outbox rows (Notice) to Telegram, once.
 *
 * - Claim before send. A claim is one short transaction that takes the shared pacer row
 *   (NoticePacer, `FOR UPDATE` on PostgreSQL: claims of every process are serialized),
 *   picks due notices (`FOR UPDATE SKIP LOCKED` on PostgreSQL), marks them SENDING with
 *   this sender's id, and reserves their send slots. SQLite has one writer at a time, so the
 *   same statements without row locks are enough there (one process).
 * - Within Telegram's limits: the pacer hands out slots at `ratePerSecond` for all
 *   processes together; a person gets at most one message per `perChatIntervalMs` (a
 *   recipient with a notice in flight, or one sent less than that ago, is not picked);
 *   notices to one person go in order.
 * - 429: the notice waits `retry_after` (nextAttemptAt) and every process's next slots
 *   move back by as much. 5xx and network errors: retried with exponential backoff, up to
 *   `maxAttempts`, then FAILED with the error. 403: FAILED, the person is marked
 *   unreachable and coordinators get a recipient.unreachable notice. Other 4xx: FAILED.
 * - Crashes: a SENDING claim older than `staleAfterMs` (its process died) is reclaimed by
 *   any sender. Only notices whose send had started when the process died can go twice.
 *
 * Two clocks: `now()` is the application's (due times, sentAt; tests move it), while pacing
 * and claim ages use the wall clock, since they are about real seconds between real calls.
 */
import { hostname } from "node:os";
import { type Api, GrammyError, HttpError } from "grammy";
import { noticeKeyboard } from "../bot/notice-keyboard.ts";
import { ZaloApiError } from "../channels/zalo/api.ts";
import type { Db, Prisma } from "../db/client.ts";
import { isTransientDbError } from "../db/errors.ts";
import {
  coordinatorIdsOf,
  enqueueNotices,
  NoticeRenderError,
  noticesEnqueued,
  onNoticesEnqueued,
  renderNotice,
} from "../domain/notices.ts";
import { deliveryAccount } from "../domain/people.ts";
import type { I18n } from "../i18n.ts";
import { type Logger, networkCodeOf } from "../logger.ts";

export interface SenderOptions {
  db: Db;
  /** Telegram's Bot API; none when Telegram is off. */
  api?: Api;
  /**
   * The Zalo channel's bot API (src/channels/zalo/bridge.ts renders the same call for Zalo):
   * with it, notices also go to people whose channel is Zalo.
   */
  zaloApi?: Api;
  i18n: I18n;
  logger: Logger;
  timeZone: string;
  /** COORDINATOR_IDS: told when a person blocked the bot. */
  coordinatorIds: readonly bigint[];
  /** Application clock (due times); default real time. */
  now?: () => Date;
  /** Messages per second, all processes together (default 28; Telegram allows about 30). */
  ratePerSecond?: number;
  /** At most one message per person per this many ms (default 1000). */
  perChatIntervalMs?: number;
  /** Notices per claim (default: a third of a second's worth, at least 1). */
  batchSize?: number;
  /** Attempts on 5xx / network errors before FAILED (default 6). */
  maxAttempts?: number;
  /** First retry delay after a 5xx / network error, doubling each time (default 5 s, at most 10 min). */
  backoffBaseMs?: number;
  /** A SENDING claim older than this belongs to a dead process (default 60 s). */
  staleAfterMs?: number;
  /** How often to look for due notices when idle (default 1 s). */
  pollMs?: number;
  /** Name recorded in claimedBy (default host:pid:random). */
  id?: string;
}

/** What a send needs, read with the claim (no query per message). */
const CLAIMED_FIELDS = {
  id: true,
  kind: true,
  payload: true,
  attempts: true,
  campaignId: true,
  recipientId: true,
  dueAt: true,
  recipient: {
    select: {
      locale: true,
      preferredChannel: true,
      channels: { select: { channel: true, chatId: true, unreachable: true, lastSeenAt: true } },
    },
  },
} as const;

interface Claimed {
  id: number;
  slotAt: number;
  /** Wall-clock time of the claim. */
  claimedAt: number;
  notice: Prisma.NoticeGetPayload<{ select: typeof CLAIMED_FIELDS }>;
}

/**
 * One pacer for every channel: Telegram allows about 30 messages/s; Zalo publishes no limit,
 * so its messages are paced as conservatively (one budget shared by both).
 */
const PACER_KEY = "telegram";
/** Zalo's rate-limit answer carries no retry_after: wait this long before trying again. */
const ZALO_RETRY_AFTER_S = 5;
const BACKOFF_MAX_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** How a failed send is handled. */
type Outcome =
  | { kind: "rate_limited"; retryAfterS: number; error: string }
  | { kind: "blocked"; error: string }
  | { kind: "transient"; error: string }
  | { kind: "permanent"; error: string };

/**
 * How a failed send is recorded: Telegram's own error code and description, or for a
 * network failure only its system code (ENOTFOUND, ECONNRESET, …). Never the underlying
 * message: a fetch error names the request URL, and the URL holds the bot token.
 */
export function classifySendError(e: unknown): Outcome {
  if (e instanceof GrammyError) {
    const error = `${e.error_code}: ${e.description}`.slice(0, 500);
    if (e.error_code === 429) return { kind: "rate_limited", retryAfterS: e.parameters.retry_after ?? 1, error };
    if (e.error_code === 403) return { kind: "blocked", error };
    if (e.error_code >= 500) return { kind: "transient", error };
    return { kind: "permanent", error };
  }
  if (e instanceof HttpError) return { kind: "transient", error: `network: ${networkCodeOf(e.error)}` };
  if (e instanceof ZaloApiError) {
    // Its description is already redacted (src/channels/zalo/api.ts).
    const error = `zalo ${e.error_code ?? "network"}: ${e.description}`.slice(0, 500);
    if (e.kind === "rate_limited") return { kind: "rate_limited", retryAfterS: ZALO_RETRY_AFTER_S, error };
    return { kind: e.kind, error };
  }
  return { kind: "transient", error: `internal: ${e instanceof Error ? e.name : typeof e}` };
}

export class NoticeSender {
  readonly id: string;
  /** The channels this sender delivers on. */
  private readonly sendsOn: readonly string[];
  private readonly db: Db;
  private readonly provider: "sqlite" | "postgresql";
  private readonly now: () => Date;
  private readonly intervalMs: number;
  private readonly perChatMs: number;
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly staleAfterMs: number;
  private readonly pollMs: number;
  private readonly inFlight = new Set<Promise<void>>();
  /** Claimed, waiting for their slot: released on stop. */
  private readonly waiting = new Map<number, { timer: NodeJS.Timeout; resolve: () => void }>();
  private running: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private pacerReady = false;
  private lastReclaim = 0;
  /** Start times of this process's last sends (a ring): a local guard against bursts. */
  private readonly recentSends: number[];
  private recentIdx = 0;
  private guardTail: Promise<void> = Promise.resolve();
  /** Totals since start, for logs and benchmarks. */
  readonly stats = { sent: 0, failed: 0, retried: 0, rateLimited: 0, reclaimed: 0 };

  constructor(private readonly o: SenderOptions) {
    this.sendsOn = [...(o.api ? ["telegram"] : []), ...(o.zaloApi ? ["zalo"] : [])];
    this.db = o.db;
    this.provider =
      (o.db as unknown as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgresql" : "sqlite";
    this.now = o.now ?? (() => new Date());
    this.intervalMs = 1000 / (o.ratePerSecond ?? 28);
    this.perChatMs = o.perChatIntervalMs ?? 1000;
    this.batchSize = o.batchSize ?? Math.max(1, Math.ceil((o.ratePerSecond ?? 28) / 3));
    this.maxAttempts = o.maxAttempts ?? 6;
    this.backoffBaseMs = o.backoffBaseMs ?? 5000;
    this.staleAfterMs = o.staleAfterMs ?? 60_000;
    this.pollMs = o.pollMs ?? 1000;
    // Telegram's window is about 30 per second; a couple above our own rate, at least 1.
    this.recentSends = new Array(Math.max(1, Math.floor(o.ratePerSecond ?? 28) + 2)).fill(0);
    this.id = (o.id ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`).slice(0, 100);
  }

  // ---------------------------------------------------------------- running

  /** Runs the send loop until stop(). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.unsubscribe = onNoticesEnqueued(() => this.wake());
    this.running = this.loop();
  }

  /** Stops claiming, gives back notices not sent yet, waits for sends in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.wake();
    await this.running;
    this.running = null;
    await this.releaseWaiting();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Notices may be due: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.reclaimStaleIfTime();
        if (this.inFlight.size >= this.batchSize * 2) {
          await Promise.race(this.inFlight);
          continue;
        }
        const batch = await this.claim(this.batchSize);
        if (batch.length === 0) {
          await this.idle(this.pollMs);
          continue;
        }
        for (const c of batch) this.track(this.deliverAtSlot(c));
        // Claim the next batch just before this one's last slot: slots stay back to back.
        await this.idle(batch[batch.length - 1]!.slotAt - Date.now() - Math.min(100, this.intervalMs * 2));
      } catch (e) {
        // The database unavailable (a restart, a lock) is expected now and then: the loop goes on.
        if (isTransientDbError(e))
          this.o.logger.warn({ err: e, sender: this.id }, "notice sender: database unavailable");
        else this.o.logger.error({ err: e, sender: this.id }, "notice sender: loop error");
        await this.idle(this.pollMs);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (ms <= 0 || this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      // A wake-up right after an enqueue may come before its transaction is visible: look
      // again shortly after, too.
      this.wakeUp = () => {
        this.wakeUp = null;
        setTimeout(done, 20);
      };
    });
  }

  private track(p: Promise<void>) {
    const tracked = p
      .catch((e) => this.o.logger.error({ err: e, sender: this.id }, "notice sender: delivery error"))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /**
   * Claims and sends due notices until none is left to claim (for tests, the CLI and
   * benchmarks); when nothing can be claimed, waits once for per-person spacing before
   * giving up. Returns how many were attempted.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<number> {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    let attempted = 0;
    let empty = 0;
    while (Date.now() < deadline) {
      await this.reclaimStaleIfTime();
      const batch = await this.claim(this.batchSize);
      if (batch.length > 0) {
        empty = 0;
        attempted += batch.length;
        await Promise.all(batch.map((c) => this.deliverAtSlot(c)));
        continue;
      }
      if (this.perChatMs === 0 || ++empty > 1) break;
      await sleep(this.perChatMs + 25); // maybe due, but held back by per-person spacing
    }
    return attempted;
  }

  // ---------------------------------------------------------------- claiming

  private async ensurePacer(): Promise<void> {
    if (this.pacerReady) return;
    const existing = await this.db.noticePacer.findUnique({ where: { key: PACER_KEY } });
    if (!existing) {
      try {
        await this.db.noticePacer.create({ data: { key: PACER_KEY, nextAt: BigInt(Date.now()) } });
      } catch {
        // Another process created it first.
      }
    }
    this.pacerReady = true;
  }

  /** SENDING claims older than staleAfterMs: their process died; they become PENDING again. */
  async reclaimStale(): Promise<number> {
    const where = { status: "SENDING" as const, claimedAt: { lt: new Date(Date.now() - this.staleAfterMs) } };
    const stale = await this.db.notice.findMany({ where, select: { id: true, claimedBy: true, claimedAt: true } });
    if (stale.length === 0) return 0;
    const result = await this.db.notice.updateMany({
      where: { ...where, id: { in: stale.map((n) => n.id) } },
      data: { status: "PENDING", claimedBy: null },
    });
    if (result.count > 0) {
      this.stats.reclaimed += result.count;
      this.o.logger.warn(
        { count: result.count, claims: stale.slice(0, 20), sender: this.id },
        "notice sender: reclaimed stale claims (their sender died or hung)",
      );
    }
    return result.count;
  }

  private async reclaimStaleIfTime() {
    if (Date.now() - this.lastReclaim < Math.min(10_000, this.staleAfterMs / 2)) return;
    this.lastReclaim = Date.now();
    await this.reclaimStale();
  }

  /** One transaction: up to `max` due notices, one per person, become ours, each with a send slot. */
  async claim(max: number): Promise<Claimed[]> {
    await this.ensurePacer();
    const pg = this.provider === "postgresql";
    const p = (i: number) => (pg ? `$${i}` : "?");
    const now = this.now();
    return this.db.$transaction(
      async (tx) => {
        const [pacer] = await tx.$queryRawUnsafe<{ nextAt: bigint | number }[]>(
          `SELECT "nextAt" FROM "NoticePacer" WHERE "key" = ${p(1)}${pg ? " FOR UPDATE" : ""}`,
          PACER_KEY,
        );
        const wall = Date.now();
        const start = Math.max(Number(pacer?.nextAt ?? wall), wall);
        const recent = new Date(start - this.perChatMs);
        // Among the first due notices (an index range, so a claim costs the same with 50 or
        // 50,000 waiting), the first of each person, in due order; a person's later notices
        // wait for it (also while it backs off), so they arrive in order. Nobody gets two
        // messages closer than perChatMs: people with a notice in flight, or sent
        // (claimedAt = when the send returned) too recently, are skipped.
        const window = Math.max(500, max * 50);
        const rows = await tx.$queryRawUnsafe<{ id: number }[]>(
          `SELECT n.id FROM "Notice" n WHERE n.id IN (
             SELECT x.id FROM (
               SELECT c.id, c."dueAt", c."nextAttemptAt", c."recipientId",
                      ROW_NUMBER() OVER (PARTITION BY c."recipientId" ORDER BY c."dueAt", c.id) AS rn
               FROM (
                 SELECT id, "dueAt", "nextAttemptAt", "recipientId" FROM "Notice"
                 WHERE status = 'PENDING' AND "dueAt" <= ${p(1)}
                 ORDER BY "dueAt", id LIMIT ${window}
               ) c
             ) x
             WHERE x.rn = 1 AND (x."nextAttemptAt" IS NULL OR x."nextAttemptAt" <= ${p(2)})
               AND NOT EXISTS (
                 SELECT 1 FROM "Notice" b WHERE b."recipientId" = x."recipientId"
                   AND (b.status = 'SENDING' OR (b.status = 'SENT' AND b."claimedAt" > ${p(3)})))
             ORDER BY x."dueAt", x.id
             LIMIT ${Math.max(1, Math.floor(max))}
           )${pg ? " FOR UPDATE SKIP LOCKED" : ""}`,
          now,
          now,
          recent,
        );
        if (rows.length === 0) return [];
        const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
        const claimedAt = new Date(wall);
        await tx.notice.updateMany({
          where: { id: { in: ids }, status: "PENDING" },
          data: { status: "SENDING", claimedAt, claimedBy: this.id },
        });
        const mine = await tx.notice.findMany({
          where: { id: { in: ids }, status: "SENDING", claimedBy: this.id, claimedAt },
          select: CLAIMED_FIELDS,
          orderBy: [{ dueAt: "asc" }, { id: "asc" }],
        });
        await tx.noticePacer.update({
          where: { key: PACER_KEY },
          data: { nextAt: BigInt(Math.ceil(start + mine.length * this.intervalMs)) },
        });
        return mine.map((n, i) => ({ id: n.id, slotAt: start + i * this.intervalMs, claimedAt: wall, notice: n }));
      },
      { timeout: 15_000, maxWait: 15_000 },
    );
  }

  /** Gives back claimed notices whose slot has not come yet (on stop). */
  private async releaseWaiting(): Promise<void> {
    const ids = [...this.waiting.keys()];
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.waiting.clear();
    if (ids.length === 0) return;
    await this.db.notice.updateMany({
      where: { id: { in: ids }, status: "SENDING", claimedBy: this.id },
      data: { status: "PENDING", claimedBy: null },
    });
  }

  // ---------------------------------------------------------------- sending

  private async deliverAtSlot(c: Claimed): Promise<void> {
    const notice = c.notice;
    const account = deliveryAccount(notice.recipient.channels, notice.recipient.preferredChannel, this.sendsOn);
    if (!account) {
      await this.finish(c.id, { status: "FAILED", lastError: "no account on a channel this sender serves" });
      this.stats.failed++;
      return;
    }
    // In the words of the channel it goes to ("gõ «đã nhận»" on Zalo, which has no buttons).
    const t = this.o.i18n.forLocale(notice.recipient.locale, account.channel);
    let text: string;
    try {
      text = renderNotice(notice.kind, notice.payload, {
        t,
        locale: notice.recipient.locale,
        timeZone: this.o.timeZone,
        now: this.now(),
      });
    } catch (e) {
      if (!(e instanceof NoticeRenderError)) throw e;
      await this.finish(c.id, { status: "FAILED", lastError: `render: ${e.message}`.slice(0, 500) });
      this.stats.failed++;
      return;
    }
    // Wait for the slot; stop() releases notices still waiting.
    const wait = c.slotAt - Date.now();
    if (wait > 0) {
      let released = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.waiting.set(c.id, {
          timer,
          resolve: () => {
            released = true;
            resolve();
          },
        });
      });
      if (released) return;
      this.waiting.delete(c.id);
    }
    // Slots can bunch up when this process was busy; never more than the window allows.
    await this.burstGuard();
    if (Date.now() - c.claimedAt > this.staleAfterMs / 2) {
      // Held too long (this process was stalled): another sender may reclaim it soon, so
      // give it back rather than risk sending it twice.
      await this.finish(c.id, { status: "PENDING", claimedBy: null });
      this.o.logger.warn({ notice: c.id, sender: this.id }, "notice sender: claim held too long, given back");
      return;
    }
    const keyboard = noticeKeyboard(t, notice);
    try {
      // Telegram chat ids are numbers (kept as text beside other channels' string ids);
      // Zalo's are strings, and its bridge renders the button as the keyword «đã nhận».
      const [api, chatId] =
        account.channel === "zalo"
          ? [this.o.zaloApi!, account.chatId as unknown as number]
          : [this.o.api!, Number(account.chatId)];
      const message = await api.sendMessage(chatId, text, {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        reply_markup: keyboard,
      });
      await this.finish(c.id, {
        status: "SENT",
        sentAt: this.now(),
        messageId: message.message_id,
        // Wall-clock time of the send: the next message to this person waits perChatMs from here.
        claimedAt: new Date(),
        attempts: { increment: 1 },
        nextAttemptAt: null,
      });
      this.stats.sent++;
    } catch (e) {
      await this.handleFailure(notice, classifySendError(e), account.channel);
    }
  }

  /**
   * Slots can bunch up after this process was busy (a timer firing late): keep at least 80%
   * of the slot interval between two sends, and never more than `recentSends.length` sends
   * within 1,040 ms (a margin for the time a request takes to reach the server).
   */
  private burstGuard(): Promise<void> {
    // One queue: sends pass in the order they reach the guard (no waiter starves).
    const turn = this.guardTail.then(async () => {
      for (;;) {
        const now = Date.now();
        const last = this.recentSends[(this.recentIdx + this.recentSends.length - 1) % this.recentSends.length]!;
        const oldest = this.recentSends[this.recentIdx]!;
        const wait = Math.max(oldest + 1040 - now, last + this.intervalMs * 0.8 - now);
        if (wait <= 0) break;
        await sleep(wait);
      }
      this.recentSends[this.recentIdx] = Date.now();
      this.recentIdx = (this.recentIdx + 1) % this.recentSends.length;
    });
    this.guardTail = turn.catch(() => {});
    return turn;
  }

  /** Records the outcome, only if the claim is still ours (a reclaimed notice is someone else's). */
  private async finish(id: number, data: Parameters<Db["notice"]["updateMany"]>[0]["data"]) {
    await this.db.notice.updateMany({ where: { id, status: "SENDING", claimedBy: this.id }, data });
  }

  private async handleFailure(
    notice: { id: number; attempts: number; campaignId: number | null; kind: string; recipientId: number },
    outcome: Outcome,
    channel: string,
  ): Promise<void> {
    const now = this.now();
    const log = { notice: notice.id, kind: notice.kind, error: outcome.error, sender: this.id };
    switch (outcome.kind) {
      case "rate_limited": {
        this.stats.rateLimited++;
        const waitMs = Math.max(1, outcome.retryAfterS) * 1000;
        this.o.logger.warn({ ...log, retryAfter: outcome.retryAfterS }, "notice sender: 429, waiting retry_after");
        await this.finish(notice.id, {
          status: "PENDING",
          claimedBy: null,
          nextAttemptAt: new Date(now.getTime() + waitMs),
          lastError: outcome.error,
        });
        // Every process's next slots start after retry_after.
        await this.db.noticePacer.updateMany({
          where: { key: PACER_KEY, nextAt: { lt: BigInt(Date.now() + waitMs) } },
          data: { nextAt: BigInt(Date.now() + waitMs) },
        });
        return;
      }
      case "transient": {
        const attempts = notice.attempts + 1;
        if (attempts >= this.maxAttempts) {
          this.o.logger.error({ ...log, attempts }, "notice sender: giving up after repeated errors");
          await this.finish(notice.id, { status: "FAILED", attempts, lastError: outcome.error });
          this.stats.failed++;
          return;
        }
        const delay = Math.min(BACKOFF_MAX_MS, this.backoffBaseMs * 2 ** (attempts - 1));
        this.o.logger.warn({ ...log, attempts, retryInMs: delay }, "notice sender: will retry");
        await this.finish(notice.id, {
          status: "PENDING",
          claimedBy: null,
          attempts,
          nextAttemptAt: new Date(now.getTime() + delay),
          lastError: outcome.error,
        });
        this.stats.retried++;
        return;
      }
      case "permanent":
        this.o.logger.error(log, "notice sender: permanent failure");
        await this.finish(notice.id, { status: "FAILED", attempts: { increment: 1 }, lastError: outcome.error });
        this.stats.failed++;
        return;
      case "blocked":
        if (await this.markUnreachable(notice, channel, outcome.error, now)) this.stats.retried++;
        else this.stats.failed++;
        return;
    }
  }

  /**
   * 403: the person blocked the bot on this channel. The notice fails and the account is
   * marked; coordinators hear of it once per person, when no account of theirs is left
   * that can be reached.
   */
  private async markUnreachable(
    notice: { id: number; campaignId: number | null; recipientId: number },
    channel: string,
    error: string,
    now: Date,
  ): Promise<boolean> {
    let requeued = false;
    const told = await this.db.$transaction(async (tx) => {
      const changed = await tx.personChannel.updateMany({
        where: { personId: notice.recipientId, channel, unreachable: false },
        data: { unreachable: true },
      });
      // Another channel of theirs that can be reached (and that this sender serves) takes
      // the notice: it goes back to the outbox and is sent there, still once.
      const elsewhere = await tx.personChannel.count({
        where: { personId: notice.recipientId, unreachable: false, channel: { in: [...this.sendsOn] } },
      });
      requeued = elsewhere > 0;
      await tx.notice.updateMany({
        where: { id: notice.id, status: "SENDING", claimedBy: this.id },
        data:
          elsewhere > 0
            ? { status: "PENDING", claimedBy: null, lastError: error }
            : { status: "FAILED", attempts: { increment: 1 }, lastError: error },
      });
      if (changed.count === 0) return 0; // already known to be unreachable
      const reachable = await tx.personChannel.count({ where: { personId: notice.recipientId, unreachable: false } });
      if (reachable > 0) return 0; // still reachable on another channel
      const person = await tx.person.findUniqueOrThrow({
        where: { id: notice.recipientId },
        select: {
          displayName: true,
          username: true,
          memberships: {
            where: notice.campaignId ? { campaignId: notice.campaignId } : {},
            select: { role: true, unit: { select: { name: true } } },
            take: 1,
          },
        },
      });
      const coordinators = (await coordinatorIdsOf(tx, notice.campaignId, this.o.coordinatorIds)).filter(
        (id) => id !== notice.recipientId,
      );
      const membership = person.memberships[0];
      return enqueueNotices(
        tx,
        coordinators.map((recipientId) => ({
          recipientId,
          campaignId: notice.campaignId,
          kind: "recipient.unreachable",
          payload: {
            personName: person.displayName,
            username: person.username,
            unitName: membership?.unit?.name ?? null,
            role: membership?.role ?? null,
            error,
          },
          dueAt: now,
          idempotencyKey: `unreachable:${notice.recipientId}:${notice.id}:${recipientId}`,
        })),
      );
    });
    this.o.logger.warn(
      { notice: notice.id, person: notice.recipientId, channel, requeued, coordinatorsTold: told, sender: this.id },
      "notice sender: the person blocked the bot on this channel; account marked unreachable",
    );
    if (told > 0 || requeued) noticesEnqueued();
    return requeued;
  }
}
