/**
 * Helpers shared by the self-assessment benchmarks (bench/run.ts dispatches to them):
 * fresh databases, seeding officers directly in the database, what a simulated officer
 * types or taps, the loopback fake Bot API, the bot server child process, an HTTP client
 * playing Telegram's webhook delivery, and latency statistics.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update, UserFromGetMe } from "grammy/types";
import pino from "pino";
import { BUNDLED_CAMPAIGN_FILE } from "../src/app.ts";
import type { Db, Question } from "../src/db/client.ts";
import { connectPg } from "../src/db/pg-connection.ts";
import { createScratchDatabase, type ScratchDatabase } from "../src/db/scratch.ts";
import type { Provider } from "../src/db/url.ts";
import { type FakeBotApi, type FakeUser, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { readChoices } from "../src/domain/answers.ts";
import { loadDataFile } from "../src/domain/data-file.ts";
import { importData } from "../src/domain/importer.ts";
import { readScoringRule, scoreAnswer } from "../src/domain/scoring.ts";
import { fold } from "../src/domain/text.ts";
import { PROJECT_ROOT } from "../src/paths.ts";
import { LocalFileStore } from "../src/storage/index.ts";

export const BENCH_TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz";
export const WEBHOOK_SECRET = "bench-webhook-secret-0123456789";
export const WEBHOOK_PATH = "/telegram/webhook";
export const TIME_ZONE = "Asia/Ho_Chi_Minh";
const DAY = 86_400_000;

// ─── Statistics ──────────────────────────────────────────────────────────────────────────────

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in milliseconds. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const s = Float64Array.from(samples).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return { count: s.length, mean, p50: at(50), p90: at(90), p99: at(99), max: s[s.length - 1]! };
}

export const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export function formatSummary(s: Summary): string {
  return `n=${s.count} p50 ${ms(s.p50)} · p90 ${ms(s.p90)} · p99 ${ms(s.p99)} · max ${ms(s.max)} · mean ${ms(s.mean)}`;
}

export const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * CPU time the whole machine has used so far (every process, every core), ms, from /proc/stat;
 * 0 where there is none. Minus the benchmark's own processes, it shows what else ran meanwhile
 * (the PostgreSQL server, and anything else sharing the machine).
 */
export function machineBusyMs(): number {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) * 10; // in USER_HZ (1/100 s) ticks
  } catch {
    return 0;
  }
}

// ─── Databases ───────────────────────────────────────────────────────────────────────────────

export type BenchDatabase = ScratchDatabase;

/** A fresh, migrated database on `provider` (PostgreSQL on the server of `pgUrl`), removed by destroy(). */
export function createBenchDatabase(provider: Provider, pgUrl: string): Promise<BenchDatabase> {
  return createScratchDatabase(provider === "sqlite" ? "file:" : pgUrl, "cchc_bench");
}

/** Rows in chunks, so no statement exceeds the drivers' bound-parameter limits. */
export async function createManyChunked<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>, size = 1000) {
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

// ─── Seeding ─────────────────────────────────────────────────────────────────────────────────

/** The bundled 2019 Sơn La campaign, its self-assessment window open around now. */
export async function importBundledCampaign(db: Db) {
  await importData(db, await loadDataFile(BUNDLED_CAMPAIGN_FILE), TIME_ZONE);
  const campaign = await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });
  return openWindow(db, campaign.id);
}

export function openWindow(db: Db, campaignId: number) {
  const now = Date.now();
  return db.campaign.update({
    where: { id: campaignId },
    data: {
      status: "SELF_ASSESSMENT",
      selfAssessmentOpensAt: new Date(now - 7 * DAY),
      selfAssessmentDeadline: new Date(now + 30 * DAY),
    },
  });
}

/** A simulated unit officer: a Telegram user (private chat id = user id) linked to one unit. */
export interface Officer {
  index: number;
  user: FakeUser;
  personId: number;
  unitId: number;
}

/**
 * `count` units of the campaign (named "Đơn vị thử nghiệm N"), written directly in the
 * database; their ids in order.
 */
export async function createUnits(db: Db, campaignId: number, count: number, first = 1): Promise<number[]> {
  const tag = randomBytes(3).toString("hex");
  const units = Array.from({ length: count }, (_, i) => {
    const name = `Đơn vị thử nghiệm ${first + i}`;
    return {
      code: `bench-${tag}-${first + i}`,
      name,
      shortName: `ĐV ${first + i}`,
      kind: "DEPARTMENT" as const,
      aliases: [],
      searchText: fold(name),
    };
  });
  await createManyChunked(units, (data) => db.unit.createMany({ data }));
  const rows = await db.unit.findMany({
    where: { code: { startsWith: `bench-${tag}-` } },
    select: { id: true, code: true },
  });
  const idOf = new Map(rows.map((u) => [u.code, u.id]));
  const unitIds = units.map((u) => idOf.get(u.code)!);
  await createManyChunked(unitIds, (ids) =>
    db.campaignUnit.createMany({ data: ids.map((unitId) => ({ campaignId, unitId })) }),
  );
  return unitIds;
}

/**
 * `count` officers, each the officer of a unit of their own (created when `unitIds` is not
 * given), written directly in the database: units, campaign units, persons, memberships.
 * The person's name is the one their Telegram user sends, so the bot never rewrites it.
 */
export async function createOfficers(
  db: Db,
  campaignId: number,
  count: number,
  options: { unitIds?: number[]; firstTelegramId?: number } = {},
): Promise<Officer[]> {
  const firstId = options.firstTelegramId ?? 5_000_000;
  const unitIds = options.unitIds ?? (await createUnits(db, campaignId, count));
  const users: FakeUser[] = Array.from({ length: count }, (_, i) => ({
    id: firstId + i,
    first_name: `Cán bộ ${i + 1}`,
    language_code: "vi",
  }));
  // Names are unique here: people are created in bulk, then found by name for their accounts.
  await createManyChunked(users, (chunk) =>
    db.person.createMany({ data: chunk.map((u) => ({ displayName: `${u.first_name} · ${u.id}`, locale: "vi" })) }),
  );
  const persons = await db.person.findMany({
    where: { displayName: { in: users.map((u) => `${u.first_name} · ${u.id}`) } },
    select: { id: true, displayName: true },
  });
  const personOf = new Map(persons.map((p) => [Number(p.displayName.split(" · ")[1]), p.id]));
  await createManyChunked(users, (chunk) =>
    db.personChannel.createMany({
      data: chunk.map((u) => ({
        personId: personOf.get(u.id)!,
        channel: "telegram",
        externalId: String(u.id),
        chatId: String(u.id),
      })),
    }),
  );
  const officers = users.map((user, i) => ({
    index: i,
    user,
    personId: personOf.get(user.id)!,
    unitId: unitIds[i % unitIds.length]!,
  }));
  await createManyChunked(officers, (chunk) =>
    db.membership.createMany({
      data: chunk.map((o) => ({ campaignId, personId: o.personId, role: "OFFICER" as const, unitId: o.unitId })),
    }),
  );
  return officers;
}

// ─── What officers answer ────────────────────────────────────────────────────────────────────

/**
 * How a simulated officer answers one question: by typing (numbers, percentages, dates) or by
 * tapping one of the answer buttons under the question (yes/no, choices). Questions scored by
 * hand or answered with free text are left out: they need a follow-up (a typed self-score).
 */
export interface AnswerPlan {
  questionId: number;
  code: string;
  order: number;
  how: "type" | "tap";
  /** A new valid input for typed answers, different most times. */
  input(): string;
}

const randomInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

export function answerPlanOf(q: Question): AnswerPlan | null {
  const rule = readScoringRule(q.scoringRule);
  if (rule.kind === "manual" || q.answerType === "TEXT") return null;
  const base = { questionId: q.id, code: q.code, order: q.order };
  switch (q.answerType) {
    case "PERCENT":
      // "85" or, Vietnamese style, "85,5 %".
      return {
        ...base,
        how: "type",
        input: () => (Math.random() < 0.5 ? `${randomInt(0, 100)}` : `${randomInt(0, 99)},5 %`),
      };
    case "NUMBER":
      // Within the item's maximum where it has one ("at most 4 reports"): an answer over it is refused.
      return { ...base, how: "type", input: () => `${randomInt(0, q.countMax ?? 12)}` };
    case "DATE":
      return { ...base, how: "type", input: () => `${String(randomInt(1, 28)).padStart(2, "0")}/01/2019` };
    case "YES_NO":
    case "CHOICE":
      return { ...base, how: "tap", input: () => "" };
  }
}

/** Plans for every question of a questionnaire an officer can answer in one step, in order. */
export async function answerPlans(db: Db, questionnaireId: number): Promise<AnswerPlan[]> {
  const questions = await db.question.findMany({ where: { questionnaireId }, orderBy: { order: "asc" } });
  return questions.map(answerPlanOf).filter((p): p is AnswerPlan => p !== null);
}

/** A valid stored (canonical) answer for a question, with its self-score: for pre-answering. */
export function storedAnswer(q: Question): { value: string; selfScore: number } {
  const value = {
    YES_NO: "yes",
    NUMBER: "3",
    PERCENT: "90",
    DATE: "2019-01-20",
    CHOICE: readChoices(q.choices)[0]?.key ?? "",
    TEXT: "Đơn vị đã thực hiện đầy đủ.",
  }[q.answerType];
  return { value, selfScore: scoreAnswer(q, value, { timeZone: TIME_ZONE }) ?? 0 };
}

// ─── Logging ─────────────────────────────────────────────────────────────────────────────────

export interface LogCounts {
  warn: number;
  error: number;
  /** The first few warn/error lines, for the report. */
  samples: string[];
}

/** A pino logger that prints nothing and counts warnings and errors (bot errors are logged at error). */
export function countingLogger(): { logger: pino.Logger; counts: LogCounts } {
  const counts: LogCounts = { warn: 0, error: 0, samples: [] };
  const logger = pino(
    { level: "warn", base: undefined },
    {
      write(line: string) {
        const level = (JSON.parse(line) as { level: number }).level;
        if (level >= 50) counts.error++;
        else counts.warn++;
        if (counts.samples.length < 5) counts.samples.push(line.slice(0, 600));
      },
    },
  );
  return { logger, counts };
}

// ─── The fake Bot API and simulated users ────────────────────────────────────────────────────

/**
 * The loopback fake Bot API. Updates are made with its user helpers (sendUserMessage,
 * pressButton), so the user's messages exist in the chat and callback queries can be answered
 * as on Telegram; but the benchmark delivers them itself (to measure each one), so the fake is
 * told, as Telegram is, that the bot subscribes to no update type of those: it keeps nothing
 * queued for getUpdates.
 */
export async function startFake(): Promise<FakeBotApi> {
  const fake = await startFakeBotApi({ recordCalls: false, maxMessagesPerChat: 30 });
  const res = await fetch(`${fake.url}/bot${BENCH_TOKEN}/getUpdates`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timeout: 0, allowed_updates: ["poll"] }),
  });
  if (!res.ok) throw new Error(`fake Bot API: getUpdates answered ${res.status}`);
  return fake;
}

/** The newest message the bot sent in a chat. */
export function lastBotMessageId(fake: FakeBotApi, chatId: number): number | undefined {
  return fake.chatState(chatId)?.botMessages.at(-1)?.messageId;
}

/** The newest bot message carrying buttons whose data starts with `prefix`, and those buttons' data. */
export function findButtons(fake: FakeBotApi, chatId: number, prefix: string) {
  const messages = fake.chatState(chatId)?.botMessages ?? [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    const markup = m.message.reply_markup;
    if (m.deleted || !markup) continue;
    const data = markup.inline_keyboard
      .flat()
      .map((b) => ("callback_data" in b ? b.callback_data : undefined))
      .filter((d): d is string => d?.startsWith(prefix) === true);
    if (data.length) return { messageId: m.messageId, data };
  }
  return undefined;
}

// ─── The bot server child process ────────────────────────────────────────────────────────────

/** What bench/server.ts runs: the real bot (bootstrap, as npm start) or a bare grammY bot. */
export interface ServerSpec {
  mode: "app" | "baseline";
  databaseUrl?: string;
  apiRoot: string;
  botInfo: UserFromGetMe;
  /** Write a V8 CPU profile of the bot process into this folder (node --cpu-prof). */
  cpuProfileDir?: string;
  /** "app": where evidence files go (FILE_STORAGE, FILES_DIR; default local beside the database). */
  fileStorage?: "local" | "database";
  filesDir?: string;
  /** "app": MAX_FILE_MB (default 20). */
  maxFileMb?: number;
}

export interface ServerStats {
  memory: NodeJS.MemoryUsage;
  /** Peak resident set size of the process so far, bytes. */
  maxRss: number;
  /** CPU time of the process so far (user + system), ms. */
  cpuMs: number;
  log: LogCounts;
}

/** What the bot process's RSS did between watch() and its stop(). */
export interface RssWatch {
  /** RSS at the start (after two full GCs). */
  before: number;
  /** Peak RSS meanwhile: the kernel's high-water mark (reset at the start) where readable, else sampled every 2 ms. */
  peak: number;
  /** How the peak was found: "VmHWM" or "sampled". */
  how: string;
  /** The most that Buffer memory (arrayBuffers) and the JavaScript heap rose meanwhile (sampled every 2 ms): where the RSS went. */
  buffersGrowth: number;
  heapGrowth: number;
  /** Buffer memory and heap still in use after the transfer and two full GCs, above the start: what stayed held. */
  kept: number;
}

export interface BotServer {
  port: number;
  /** Memory (after two full GCs when `gc`), CPU time and log counts of the child. */
  stats(gc?: boolean): Promise<ServerStats>;
  /** Starts watching the bot process's peak RSS; the returned stop() reports it. */
  watchRss(): Promise<{ stop(): Promise<RssWatch> }>;
  stop(): Promise<void>;
}

/** The node flags of `npm start` ("node <flags> dist/src/main.js" in package.json). */
function startNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const flags = /\bnode((?:\s+--\S+)*)\s+dist\/src\/main\.js/.exec(pkg.scripts.start)?.[1];
  if (flags === undefined) throw new Error(`cannot read the node command in npm start: ${pkg.scripts.start}`);
  return flags.trim().split(/\s+/).filter(Boolean);
}

/**
 * Forks bench/server.ts (compiled into dist/ by npm run build) with --expose-gc and waits until it listens on 127.0.0.1. The bot
 * runs alone in its process; the load generator and the fake Bot API stay in this one.
 */
export async function startBotServer(spec: ServerSpec): Promise<BotServer> {
  // The compiled bot, as npm start runs it (tsx alone costs ~35 MB of RSS and start-up CPU).
  const entry = join(PROJECT_ROOT, "dist", "bench", "server.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: npm run build (npm run bench does it first)`);
  const child: ChildProcess = fork(entry, [], {
    execArgv: [
      "--expose-gc",
      ...startNodeFlags(),
      ...(spec.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${spec.cpuProfileDir}`] : []),
    ],
    env: { ...process.env, BENCH_SERVER: JSON.stringify(spec) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // Never leave the bot behind (it holds the database and our stdout) if this process dies.
  const killChild = () => child.kill("SIGKILL");
  process.once("exit", killChild);
  child.once("exit", () => process.off("exit", killChild));
  let seq = 0;
  const waiting = new Map<number, (m: { result: unknown }) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bot server did not start within 60 s")), 60_000);
    child.once("exit", (code) => reject(new Error(`bot server exited with ${code}`)));
    child.on("message", (m: { type: string; port?: number; id?: number; result?: unknown }) => {
      if (m.type === "ready") {
        clearTimeout(timer);
        resolve(m.port!);
      } else if (m.type === "reply") waiting.get(m.id!)?.(m as { result: unknown });
    });
  });
  const ask = <T>(type: string, extra: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      const timer = setTimeout(() => reject(new Error(`bot server: no answer to ${type}`)), 30_000);
      waiting.set(id, (m) => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve(m.result as T);
      });
      child.send({ type, id, ...extra });
    });
  return {
    port,
    stats: (gc = false) => ask<ServerStats>("stats", { gc }),
    async watchRss() {
      await ask("watch-start");
      return { stop: () => ask<RssWatch>("watch-stop") };
    },
    async stop() {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await ask("stop").catch(() => child.kill("SIGKILL"));
      await exited;
    },
  };
}

// ─── Telegram's side of the webhook ──────────────────────────────────────────────────────────

/** Posts updates to the bot's webhook as Telegram does, over kept-alive connections. */
export class WebhookClient {
  private readonly agent: http.Agent;

  constructor(
    private readonly port: number,
    maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Resolves with the HTTP status once the bot has handled the update and answered. */
  post(update: Update): Promise<number> {
    const body = JSON.stringify(update);
    return new Promise((resolve) => {
      const req = http.request(
        {
          agent: this.agent,
          host: "127.0.0.1",
          port: this.port,
          path: WEBHOOK_PATH,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "x-telegram-bot-api-secret-token": WEBHOOK_SECRET,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", () => resolve(0));
        },
      );
      // Telegram gives a webhook request 60 s (the server answers after 9 s at the latest).
      req.setTimeout(60_000, () => req.destroy(new Error("webhook request timed out")));
      req.on("error", () => resolve(0));
      req.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * src/server/http.ts answers the webhook after 9 s even if the bot is still at work (so that
 * Telegram does not redeliver); a response that slow means the update was not handled in time.
 */
export const WEBHOOK_TIMEOUT_MS = 9_000;

/** Latencies by kind of update, counted when they complete inside the measured window. */
export class Recorder {
  readonly samples = new Map<string, number[]>();
  non200 = 0;
  /** Responses that took the webhook's timeout (or longer), over the whole run. */
  timedOut = 0;
  /** Updates answered 200, by kind, over the whole run (warm-up included). */
  readonly delivered = new Map<string, number>();
  private windowStart = Number.POSITIVE_INFINITY;
  private windowEnd = Number.POSITIVE_INFINITY;

  /** Starts the measured window now, for `seconds`. */
  startWindow(seconds: number) {
    this.windowStart = performance.now();
    this.windowEnd = this.windowStart + seconds * 1000;
  }

  get windowOver() {
    return performance.now() >= this.windowEnd;
  }

  get remainingMs() {
    return Math.max(0, this.windowEnd - performance.now());
  }

  get windowSeconds() {
    return (Math.min(performance.now(), this.windowEnd) - this.windowStart) / 1000;
  }

  record(kind: string, status: number, latencyMs: number) {
    if (latencyMs >= WEBHOOK_TIMEOUT_MS) this.timedOut++;
    if (status !== 200) this.non200++;
    else this.delivered.set(kind, (this.delivered.get(kind) ?? 0) + 1);
    const end = performance.now();
    if (end < this.windowStart || end > this.windowEnd) return;
    const list = this.samples.get(kind);
    if (list) list.push(latencyMs);
    else this.samples.set(kind, [latencyMs]);
  }

  all(): number[] {
    return [...this.samples.values()].flat();
  }
}

/** Sends one update and records its latency under `kind`; resolves with the HTTP status. */
export async function deliver(client: WebhookClient, recorder: Recorder, kind: string, update: Update) {
  const start = process.hrtime.bigint();
  const status = await client.post(update);
  recorder.record(kind, status, elapsedMs(start));
  return status;
}

/** Runs `worker(i)` for i = 0..count-1 with at most `concurrency` at a time. */
export async function runPool(count: number, concurrency: number, worker: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(count, concurrency) }, async () => {
      while (next < count) await worker(next++);
    }),
  );
}

// ─── The bot as `npm start` runs it, with Telegram delivering (fault drills) ─────────────────

/** A TCP port free on 127.0.0.1 right now (for a server that must keep its port across restarts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = http.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The loopback fake Bot API delivering updates itself through the webhook the bot registers,
 * as Telegram does: one update at a time per chat, and an update the webhook did not answer
 * 2xx (an error status, a refused or reset connection) is delivered again after a growing
 * delay — here `attempts` times, waiting `backoffMs` doubling in between (12 from 250 ms: 8.5 min).
 * A restarted bot sets its webhook again at the same address; the fake, like Telegram, goes on
 * retrying the updates in delivery there.
 */
export async function startDeliveringFake(options: { attempts?: number; backoffMs?: number } = {}) {
  return startFakeBotApi({
    recordCalls: false,
    maxMessagesPerChat: 30,
    webhookAttempts: options.attempts ?? 12,
    webhookBackoffMs: options.backoffMs ?? 250,
  });
}

/** What the relay saw of one update: every delivery attempt and where it went. */
export interface DeliveryRecord {
  updateId: number;
  /** The chat (private: the user) and which of its updates this is (0, 1, 2…, in delivery order). */
  chatId: number;
  nth: number;
  /** HTTP status of each attempt (502: the bot could not be reached). */
  statuses: number[];
  /** Index of the bot process each attempt went to. */
  targets: number[];
  /** When the webhook first answered 2xx (performance.now()), if it did. */
  acceptedAt?: number;
}

/**
 * Sits between Telegram (the fake) and the bot processes, as a load balancer would: forwards
 * each webhook request to one of `targets` (ports on 127.0.0.1) and answers with the bot's
 * status, 502 when the bot cannot be reached (killed, restarting). It records every attempt
 * per update id, so a drill knows which updates the webhook accepted (2xx) and after how many
 * deliveries, and it picks the target: by default the first; `route` alternates, for example.
 */
export class WebhookRelay {
  readonly deliveries = new Map<number, DeliveryRecord>();
  private readonly waiters = new Map<number, Array<() => void>>();
  private readonly perChat = new Map<number, number>();
  private server?: http.Server;
  port = 0;

  constructor(
    /** Ports of the bot processes; may change while running. */
    readonly targets: number[],
    /** Which target gets the `nth` distinct update of a chat, at its `attempt`-th delivery (0-based). */
    private readonly route: (chatId: number, nth: number, attempt: number) => number = () => 0,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}${WEBHOOK_PATH}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.port = await new Promise<number>((resolve) =>
      this.server!.listen(0, "127.0.0.1", () => resolve((this.server!.address() as { port: number }).port)),
    );
  }

  /** Resolves true once the webhook has answered 2xx for the update, false after `timeoutMs`. */
  accepted(updateId: number, timeoutMs: number): Promise<boolean> {
    if (this.deliveries.get(updateId)?.acceptedAt !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.waiters.get(updateId) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.waiters.set(updateId, list);
    });
  }

  /** Requests answered, by status (2xx, 5xx from the bot, 502 for an unreachable bot). */
  statusCounts(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const d of this.deliveries.values()) for (const s of d.statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
    return counts;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const update = JSON.parse(body.toString("utf8")) as Update;
      let r = this.deliveries.get(update.update_id);
      if (!r) {
        const chatId = update.message?.chat.id ?? update.callback_query?.from.id ?? 0;
        const nth = (this.perChat.get(chatId) ?? -1) + 1;
        this.perChat.set(chatId, nth);
        r = { updateId: update.update_id, chatId, nth, statuses: [], targets: [] };
        this.deliveries.set(update.update_id, r);
      }
      const record = r;
      const target = this.route(r.chatId, r.nth, r.statuses.length) % this.targets.length;
      record.targets.push(target);
      let answered = false;
      const done = (status: number, text = "") => {
        if (answered) return;
        answered = true;
        record.statuses.push(status);
        if (status >= 200 && status < 300 && record.acceptedAt === undefined) {
          record.acceptedAt = performance.now();
          for (const w of this.waiters.get(record.updateId) ?? []) w();
          this.waiters.delete(record.updateId);
        }
        if (!res.headersSent) res.writeHead(status, { "content-type": "application/json" });
        res.end(text);
      };
      // A new connection per request: a kept-alive socket of a killed process would only add resets.
      const out = http.request(
        {
          host: "127.0.0.1",
          port: this.targets[target],
          path: req.url,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": body.length,
            "x-telegram-bot-api-secret-token": String(req.headers["x-telegram-bot-api-secret-token"] ?? ""),
          },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => done(answer.statusCode ?? 502, Buffer.concat(parts).toString("utf8")));
          answer.on("error", () => done(502));
        },
      );
      out.on("error", () => done(502));
      out.end(body);
    });
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((r) => this.server!.close(() => r()));
    this.server.closeAllConnections();
    await closed;
  }
}

/** Log lines of the bot processes by level, and by message for warnings and above (pino JSON). */
export interface ProcessLog {
  file: string;
  byLevel: Record<"info" | "warn" | "error" | "fatal", number>;
  /** Messages ("duplicate update dropped", "update failed", …) and how often, every level. */
  messages: Map<string, number>;
  /** Update ids named by lines of each message. */
  updateIds: Map<string, number[]>;
  /** Lines that are not pino's JSON (what Node prints for a crash outside the logger), the first few kept. */
  unstructured: { lines: number; first: string[] };
}

export function newProcessLog(file: string): ProcessLog {
  return {
    file,
    byLevel: { info: 0, warn: 0, error: 0, fatal: 0 },
    messages: new Map(),
    updateIds: new Map(),
    unstructured: { lines: 0, first: [] },
  };
}

export interface BotProcessSpec {
  databaseUrl: string;
  /** The fake Bot API's URL (TELEGRAM_API_ROOT). */
  apiRoot: string;
  /** Port the bot listens on; the same across restarts, so Telegram's address stays valid. */
  port: number;
  /** The URL the bot registers with setWebhook (a relay in front of it); its path is what the bot serves. */
  webhookUrl: string;
  /** Every process's stdout and stderr are appended here; lines are counted in `log`. */
  log: ProcessLog;
  /** Name in the log file. */
  name: string;
  env?: Record<string, string>;
  /** Node flags after npm start's own (--cpu-prof …). */
  nodeFlags?: string[];
}

/**
 * The bot exactly as `npm start` runs it in production (dist/src/main.js with npm start's node
 * flags) in webhook mode, configured by its environment only: migrations, seeding, setWebhook,
 * replay of pending updates, the notice sender and planner all run. Resolves once it logged
 * that it listens (after setWebhook).
 */
export class BotProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitedWith?: { code: number | null; signal: NodeJS.Signals | null };
  /** It exited without being told to (kill() or stop()): it crashed. */
  exitedUnasked = false;
  private told = false;

  private constructor(
    readonly child: ChildProcess,
    readonly startedAt: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.once("exit", (code, signal) => {
        this.exitedWith = { code, signal };
        this.exitedUnasked = !this.told;
        resolve({ code, signal });
      }),
    );
  }

  get pid() {
    return this.child.pid!;
  }

  static async start(spec: BotProcessSpec, readyTimeoutMs = 120_000): Promise<BotProcess> {
    const entry = join(PROJECT_ROOT, "dist", "src", "main.js");
    if (!existsSync(entry)) throw new Error(`${entry} is missing: npm run build (npm run bench does it first)`);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      BOT_TOKEN: BENCH_TOKEN,
      BOT_MODE: "webhook",
      WEBHOOK_URL: spec.webhookUrl,
      WEBHOOK_SECRET,
      DATABASE_URL: spec.databaseUrl,
      TELEGRAM_API_ROOT: spec.apiRoot,
      HOST: "127.0.0.1",
      PORT: String(spec.port),
      LOG_LEVEL: "info",
      TZ: TIME_ZONE,
      ...spec.env,
    };
    // The working directory holds no .env: the environment above is the whole configuration.
    const child = spawn(process.execPath, [...startNodeFlags(), ...(spec.nodeFlags ?? []), entry], {
      cwd: tmpdir(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const proc = new BotProcess(child, performance.now());
    const killChild = () => child.kill("SIGKILL");
    process.once("exit", killChild);
    void proc.exited.then(() => process.off("exit", killChild));
    const out = createWriteStream(spec.log.file, { flags: "a" });
    out.write(`# ${spec.name}: pid ${child.pid}, started ${new Date().toISOString()}\n`);
    let ready: () => void = () => {};
    const listening = new Promise<void>((r) => {
      ready = r;
    });
    const onLine = (line: string) => {
      out.write(`${line}\n`);
      let entry: { level?: number; msg?: string; update_id?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        spec.log.unstructured.lines++;
        if (spec.log.unstructured.first.length < 12 && line.trim())
          spec.log.unstructured.first.push(line.slice(0, 160));
        return;
      }
      const level = entry.level ?? 30;
      const name = level >= 60 ? "fatal" : level >= 50 ? "error" : level >= 40 ? "warn" : "info";
      if (level >= 30) spec.log.byLevel[name]++;
      const msg = `${name}: ${entry.msg ?? ""}`;
      spec.log.messages.set(msg, (spec.log.messages.get(msg) ?? 0) + 1);
      if (entry.update_id !== undefined) {
        const ids = spec.log.updateIds.get(msg) ?? [];
        ids.push(entry.update_id);
        spec.log.updateIds.set(msg, ids);
      }
      if (entry.msg === "webhook mode: listening") ready();
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = lines.pop() ?? "";
        for (const l of lines) if (l) onLine(l);
      });
    }
    void proc.exited.then(({ code, signal }) => {
      out.end(`# ${spec.name}: pid ${child.pid} exited (${signal ?? `code ${code}`}) ${new Date().toISOString()}\n`);
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      listening.then(() => "ready" as const),
      proc.exited.then(() => "exited" as const),
      new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), readyTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== "ready") {
      child.kill("SIGKILL");
      throw new Error(
        `bot process ${spec.name} ${outcome === "exited" ? "exited" : "did not start"} (log: ${spec.log.file})`,
      );
    }
    return proc;
  }

  /** kill -9, and waits until it is gone. */
  async kill(): Promise<void> {
    this.told = true;
    if (!this.exitedWith) this.child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM (finishes what it is doing), and waits until it is gone (kill -9 after 30 s). */
  async stop(): Promise<void> {
    if (this.exitedWith) return;
    this.told = true;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A file store in a throw-away folder, for bots the benchmarks build in their own process. */
export function benchFileStore(): LocalFileStore {
  return new LocalFileStore(mkdtempSync(join(tmpdir(), "cchc-bench-files-")));
}

/** A whole-number option of a benchmark's command line, or exit 2 saying what it takes. */
export function wholeOption(values: Record<string, unknown>, name: string, min: number, max: number): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} ${values[name]}: a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
}

/**
 * The databases of `--db sqlite|postgresql|both` (exit 2 on anything else), PostgreSQL
 * checked to answer at `pgUrl` when it is one of them (exit 1 saying so otherwise).
 */
export async function benchProviders(db: unknown, pgUrl: string): Promise<Provider[]> {
  const providers: Provider[] =
    db === "both" ? ["sqlite", "postgresql"] : db === "sqlite" || db === "postgresql" ? [db] : [];
  if (providers.length === 0) {
    console.error(`--db ${db}: sqlite | postgresql | both`);
    process.exit(2);
  }
  if (providers.includes("postgresql")) {
    try {
      await (await connectPg(pgUrl, { connectionTimeoutMillis: 5000 })).end();
    } catch (e) {
      console.error(`PostgreSQL at ${pgUrl} does not answer (${(e as Error).message}); use --db sqlite or --pg-url`);
      process.exit(1);
    }
  }
  return providers;
}
