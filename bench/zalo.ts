/**
 * Zalo beside Telegram (issue 12, "Benchmark"): the compiled bot (dist/src/main.js, as
 * `npm start` runs it) in webhook mode for BOTH channels on one HTTP server — the Telegram
 * webhook fed by the loopback fake Bot API, the Zalo webhook fed by the loopback fake Zalo
 * API — with `officers` officers linked on each channel by invite ("/start <code>" on
 * Telegram, "MOI <code>" on Zalo), all answering the same questionnaire the same way:
 *
 *   /tudanhgia → an area (a button / its number) → each question shown: a typed number,
 *   percentage or date, or one of the answer choices (a button / its number); questions that
 *   need a follow-up (manual score, free text) are skipped («tiếp» / the skip button); an
 *   evidence request is passed with «tiếp» / "Câu sau"; an area's review leads back to the
 *   list («lĩnh vực» / the list button) and the next area.
 *
 * The officers read what the bot last sent them (the text, and on Telegram the buttons) to
 * decide, as a person does. Each update waits for the bot's reply: latency runs from the
 * moment the fake makes the event (sendUserMessage / pressButton; userSends) to the moment
 * the bot's message (sendMessage / editMessageText; sendMessage on Zalo) arrives at the fake.
 * Every update is answered with exactly one message on both channels; the bench counts the
 * exceptions.
 *
 * Phases, one channel at a time on the same process and database, alternating
 * (Telegram, Zalo, Telegram, Zalo … for `rounds` rounds): `warmup` s unmeasured, then
 * `seconds` s measured. Each officer thinks before each update (exponential, mean `think`
 * s; 0: none, a closed loop that measures capacity). On a shared machine a closed loop of
 * 200 officers saturates the bot: updates wait seconds, pass the webhook's 9 s and the
 * database's wait limits, and the failure paths, not the work, set the CPU per update. CPU per update = the bot process's user + system time over the
 * window (/proc/<pid>/stat) / replies received in the window. The other channel is idle
 * meanwhile; the bot's own background jobs (notice sender, planner, replays) run as in
 * production and are counted on both sides alike.
 *
 * At the end every answer is checked against the database (answers + revisions per
 * channel's units = answer updates = "✅ Đã lưu" replies) and every update's de-duplication
 * key against ProcessedUpdate (`tg:` and `zalo:` keys), so the numbers measure real work.
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message } from "grammy/types";
import type { Question } from "../src/db/client.ts";
import type { Provider } from "../src/db/url.ts";
import { type ApiCall, type FakeBotApi, type FakeUser, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { type FakeZaloApi, type FakeZaloUser, startFakeZaloApi } from "../src/dev/fake-zalo-api.ts";
import { NO_DATE, NOT_APPLICABLE, readChoices } from "../src/domain/answers.ts";
import { createInvites } from "../src/domain/invites.ts";
import {
  type AnswerPlan,
  answerPlanOf,
  BotProcess,
  createBenchDatabase,
  createUnits,
  freePort,
  importBundledCampaign,
  machineBusyMs,
  newProcessLog,
  type ProcessLog,
  runPool,
  type Summary,
  summarize,
  WEBHOOK_PATH,
} from "./lib.ts";

export type ChannelName = "telegram" | "zalo";

export interface ZaloBenchOptions {
  officers: number;
  seconds: number;
  warmup: number;
  /** Telegram + Zalo phase pairs. */
  rounds: number;
  /** Mean think time of an officer before each update, seconds (exponential); 0 = closed loop. */
  think: number;
  pgUrl: string;
  /** Write a V8 CPU profile of the bot process into this folder (node --cpu-prof). */
  cpuProfileDir?: string;
  /** Only these channels get a measured phase (both are linked either way). */
  channels: ChannelName[];
}

export interface PhaseResult {
  channel: ChannelName;
  round: number;
  windowSeconds: number;
  updates: number;
  updatesPerSecond: number;
  latency: Summary;
  /** The bot process's CPU time in the window (user + system), ms, and per update. */
  botCpuMs: number;
  cpuPerUpdateMs: number;
  /** CPU of every other process of the machine in the window (PostgreSQL, the bench, other users), ms. */
  otherCpuMs: number;
  loadAverage: string;
}

export interface ChannelTotals {
  channel: ChannelName;
  updates: number;
  updatesPerSecond: number;
  latency: Summary;
  cpuPerUpdateMs: number;
  windowSeconds: number;
}

export interface Verification {
  channel: ChannelName;
  /** Events sent over the whole run (linking included) and replies received. */
  events: number;
  replies: number;
  /** Updates that drew no reply or more than one (the bench waits for one). */
  noReply: number;
  extraReplies: number;
  answerUpdates: number;
  savedReplies: number;
  answers: number;
  revisions: number;
  processedKeys: number;
  /** answers + revisions = answer updates = "saved" replies. */
  answersMatch: boolean;
  /** One ProcessedUpdate row per event. */
  keysMatch: boolean;
  /** Replies the officer could not act on (it started over with /tudanhgia). */
  lost: number;
}

export interface ZaloBenchResult {
  provider: Provider;
  officers: number;
  phases: PhaseResult[];
  totals: ChannelTotals[];
  /** Zalo's CPU per update / Telegram's. */
  cpuRatio: number;
  verification: Verification[];
  log: { file: string; warn: number; error: number; fatal: number; top: string[] };
  /** Messages to Zalo that its API refused (markup, over 2,000 characters…). */
  zaloViolations: number;
}

const ZALO_TOKEN = "2000000000000000001:zalo-bench-secret-0123456789";
const ZALO_SECRET = "zalo-bench-webhook-secret";
const ZALO_PATH = "/zalo/webhook";
/** An update not answered within this is given up on (counted), and the officer starts over. */
const REPLY_TIMEOUT_MS = 15_000;
const LINK_CONCURRENCY = 20;
const CONTENT_METHODS = new Set(["sendMessage", "editMessageText", "sendPhoto", "sendDocument"]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The bot process's CPU time so far (user + system, all threads), ms, from /proc/<pid>/stat. */
function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of proc(5) (utime, stime), in clock ticks of 1/100 s.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

// ─── What an officer sees and does ───────────────────────────────────────────────────────────

/** "Lĩnh vực 1 · Câu 1.1.2 (2/11)": a question on screen (plain text on both channels). */
const QUESTION_HEAD = /Lĩnh vực \S+ · Câu (\S+) \(\d+\/\d+\)/;
const AREA_LIST = "Tự đánh giá, chấm điểm CCHC —";
const SAVED = "✅ Đã lưu câu";

/** What the officer does next, whichever channel: the intent, made into an update per channel. */
type Intent =
  | { kind: "start" }
  | { kind: "area"; index: number }
  | { kind: "answer"; plan: AnswerPlan; choice: number }
  | { kind: "next" }
  | { kind: "areas" };

interface Officer {
  channel: ChannelName;
  index: number;
  chat: string;
  tgUser?: FakeUser;
  zaloUser?: FakeZaloUser;
  invite: string;
  /** Messages received from the bot (content messages), and what the officer expects. */
  replies: number;
  expected: number;
  waiter?: { resolve: () => void; at: number };
  lastText: string;
  /** Telegram: the message last sent or edited, and its buttons' data. */
  lastMessageId: number;
  lastData: string[];
  nextArea: number;
  events: number;
  answerUpdates: number;
  saved: number;
  noReply: number;
  lost: number;
}

interface Scene {
  tg: FakeBotApi;
  zalo: FakeZaloApi;
  plans: Map<string, AnswerPlan>;
  choices: Map<number, number>;
  areaCount: number;
}

/** Reads the bot's last message and decides. */
function decide(o: Officer, scene: Scene): Intent {
  const text = o.lastText;
  const head = QUESTION_HEAD.exec(text);
  if (head) {
    const plan = scene.plans.get(head[1]!);
    if (!plan) return { kind: "next" };
    const n = scene.choices.get(plan.questionId) ?? 0;
    return { kind: "answer", plan, choice: Math.floor(Math.random() * Math.max(1, n)) };
  }
  if (text.includes(AREA_LIST)) return { kind: "area", index: o.nextArea++ % scene.areaCount };
  // Saved, and evidence asked for: move on.
  if (text.includes(SAVED)) return { kind: "next" };
  // An area's review: back to the list.
  if (o.channel === "zalo" ? text.includes("Gõ «lĩnh vực»") : o.lastData.includes("sa:l")) return { kind: "areas" };
  return { kind: "start" };
}

/** The update for an intent on Telegram; null when the officer cannot find what to press. */
function telegramEvent(o: Officer, scene: Scene, intent: Intent): (() => void) | null {
  const fake = scene.tg;
  const user = o.tgUser!;
  const chatId = user.id;
  const messageId = o.lastMessageId;
  const press = (pick: (d: string) => boolean, nth = 0) => {
    const data = o.lastData.filter(pick)[nth];
    return messageId && data ? () => void fake.pressButton(user, chatId, messageId, data) : null;
  };
  switch (intent.kind) {
    case "start":
      return () => void fake.sendUserMessage(user, "/tudanhgia");
    case "area":
      return press((d) => d.startsWith("sa:a:"), intent.index);
    case "answer": {
      if (intent.plan.how === "type") {
        const input = intent.plan.input();
        return () => void fake.sendUserMessage(user, input);
      }
      const prefix = `sa:v:${intent.plan.questionId}:`;
      const extra = [`:${NOT_APPLICABLE}`, `:${NO_DATE}`];
      return press((d) => d.startsWith(prefix) && !extra.some((e) => d.endsWith(e)), intent.choice);
    }
    case "next":
      return press((d) => d.startsWith("sa:k:")) ?? press((d) => d === "sa:l");
    case "areas":
      return press((d) => d === "sa:l");
  }
}

/** The text for an intent on Zalo. */
function zaloText(intent: Intent): string {
  switch (intent.kind) {
    case "start":
      return "tudanhgia";
    case "area":
      return String(intent.index + 1);
    case "answer":
      return intent.plan.how === "type" ? intent.plan.input() : String(intent.choice + 1);
    case "next":
      return "tiếp";
    case "areas":
      return "lĩnh vực";
  }
}

// ─── The run ─────────────────────────────────────────────────────────────────────────────────

class Phase {
  samples: number[] = [];
  start = Number.POSITIVE_INFINITY;
  end = Number.POSITIVE_INFINITY;
  stop = false;
  record(latencyMs: number, at: number): boolean {
    if (at < this.start || at > this.end) return false;
    this.samples.push(latencyMs);
    return true;
  }
}

export async function runZaloBench(provider: Provider, options: ZaloBenchOptions): Promise<ZaloBenchResult> {
  const database = await createBenchDatabase(provider, options.pgUrl);
  const db = database.db;
  const tg = await startFakeBotApi({ recordCalls: false, maxMessagesPerChat: 30 });
  const zalo = await startFakeZaloApi({ token: ZALO_TOKEN, recordCalls: false });
  let bot: BotProcess | undefined;
  const log: ProcessLog = newProcessLog(join(tmpdir(), `cchc-bench-zalo-${provider}-${Date.now()}.log`));
  try {
    // The campaign, 2 × officers units, an invite for each.
    const campaign = await importBundledCampaign(db);
    const questions: Question[] = await db.question.findMany({
      where: { questionnaireId: campaign.questionnaireId! },
      orderBy: { order: "asc" },
    });
    const plans = new Map<string, AnswerPlan>();
    const choices = new Map<number, number>();
    for (const q of questions) {
      const plan = answerPlanOf(q);
      if (plan) plans.set(q.code, plan);
      if (q.answerType === "YES_NO") choices.set(q.id, 2);
      if (q.answerType === "CHOICE") choices.set(q.id, readChoices(q.choices).length);
    }
    const areaCount = await db.reformArea.count({ where: { questionnaireId: campaign.questionnaireId! } });
    const unitIds = await createUnits(db, campaign.id, options.officers * 2);
    const invites = await createInvites(db, { campaignId: campaign.id, role: "OFFICER", unitIds });
    const codeOf = new Map(invites.map((i) => [i.unit!.id, i.code]));
    const tgUnits = new Set(unitIds.slice(0, options.officers));
    const zaloUnits = new Set(unitIds.slice(options.officers));

    const officers: Officer[] = unitIds.map((unitId, i) => {
      const channel: ChannelName = i < options.officers ? "telegram" : "zalo";
      const index = i % options.officers;
      const base = {
        channel,
        index,
        invite: codeOf.get(unitId)!,
        replies: 0,
        expected: 0,
        lastText: "",
        lastMessageId: 0,
        lastData: [] as string[],
        nextArea: index,
        events: 0,
        answerUpdates: 0,
        saved: 0,
        noReply: 0,
        lost: 0,
      };
      if (channel === "telegram") {
        const id = 7_000_000 + index;
        return { ...base, chat: String(id), tgUser: { id, first_name: `Cán bộ TG ${index + 1}`, language_code: "vi" } };
      }
      const id = `8003${String(index).padStart(15, "0")}`;
      return { ...base, chat: id, zaloUser: { id, display_name: `Cán bộ Zalo ${index + 1}` } };
    });
    const byChat = new Map(officers.map((o) => [`${o.channel}:${o.chat}`, o]));
    const scene: Scene = { tg, zalo, plans, choices, areaCount };

    let phase: Phase | null = null;
    /** Latencies in the measured windows, by channel. */
    const samples = new Map<ChannelName, number[]>([
      ["telegram", []],
      ["zalo", []],
    ]);
    const onReply = (o: Officer | undefined, text: string) => {
      if (!o) return;
      const at = performance.now();
      o.replies++;
      o.lastText = text;
      if (text.includes(SAVED)) o.saved++;
      const w = o.waiter;
      if (w && o.replies >= o.expected) {
        o.waiter = undefined;
        if (phase?.record(at - w.at, at)) samples.get(o.channel)!.push(at - w.at);
        w.resolve();
      }
    };
    tg.onCall((call: ApiCall) => {
      if (!call.ok || !CONTENT_METHODS.has(call.method)) return;
      const o = byChat.get(`telegram:${String(call.payload.chat_id)}`);
      const m = call.result as Message | undefined;
      if (!o || !m || typeof m !== "object") return;
      o.lastMessageId = m.message_id;
      o.lastData = (m.reply_markup?.inline_keyboard ?? [])
        .flat()
        .map((b) => ("callback_data" in b ? b.callback_data : undefined))
        .filter((d): d is string => d !== undefined);
      onReply(o, m.text ?? m.caption ?? "");
    });
    zalo.onSent((m) => onReply(byChat.get(`zalo:${m.chat_id}`), m.text ?? m.caption ?? ""));

    /** Sends one update and waits for its reply; false when none came. */
    const send = async (o: Officer, make: () => void): Promise<boolean> => {
      o.events++;
      o.expected = o.replies + 1;
      const replied = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          o.waiter = undefined;
          resolve(false);
        }, REPLY_TIMEOUT_MS);
        o.waiter = {
          at: performance.now(),
          resolve: () => {
            clearTimeout(timer);
            resolve(true);
          },
        };
      });
      make();
      const ok = await replied;
      if (!ok) o.noReply++;
      return ok;
    };
    const sendText = (o: Officer, text: string) =>
      send(o, () =>
        o.channel === "telegram" ? void tg.sendUserMessage(o.tgUser!, text) : void zalo.userSends(o.zaloUser!, text),
      );

    // The bot, both channels on one server.
    const port = await freePort();
    bot = await BotProcess.start({
      databaseUrl: database.url,
      apiRoot: tg.url,
      port,
      webhookUrl: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
      log,
      name: `zalo-bench-${provider}`,
      env: {
        ZALO_BOT_TOKEN: ZALO_TOKEN,
        ZALO_MODE: "webhook",
        ZALO_WEBHOOK_URL: `http://127.0.0.1:${port}${ZALO_PATH}`,
        ZALO_WEBHOOK_SECRET: ZALO_SECRET,
        ZALO_API_ROOT: zalo.url,
      },
      nodeFlags: options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    });
    const pid = bot.pid;

    /** Waits until nothing is in flight on either fake, then lines every officer's count up. */
    const settle = async () => {
      await Promise.all([
        tg.waitForIdle({ quietMs: 500, timeoutMs: 60_000 }),
        zalo.waitForIdle({ quietMs: 500, timeoutMs: 60_000 }),
      ]);
      await sleep(300);
      for (const o of officers) o.expected = o.replies;
    };

    // Linking: every officer types the invite, then opens the self-assessment.
    await runPool(officers.length, LINK_CONCURRENCY, async (i) => {
      const o = officers[i]!;
      await sendText(o, o.channel === "telegram" ? `/start ${o.invite}` : `MOI ${o.invite}`);
    });
    await settle();
    await runPool(officers.length, LINK_CONCURRENCY, async (i) => {
      await sendText(officers[i]!, officers[i]!.channel === "telegram" ? "/tudanhgia" : "tudanhgia");
    });
    await settle();

    const officerLoop = async (o: Officer, p: Phase) => {
      while (!p.stop) {
        if (options.think > 0) {
          await sleep(-Math.log(1 - Math.random()) * options.think * 1000);
          if (p.stop) break;
        }
        const intent = decide(o, scene);
        if (o.channel === "telegram") {
          const make = telegramEvent(o, scene, intent);
          if (make && intent.kind === "answer") o.answerUpdates++;
          if (!make || intent.kind === "start") o.lost++;
          await send(o, make ?? telegramEvent(o, scene, { kind: "start" })!);
        } else {
          if (intent.kind === "start") o.lost++;
          if (intent.kind === "answer") o.answerUpdates++;
          await sendText(o, zaloText(intent));
        }
      }
    };

    const phases: PhaseResult[] = [];
    const order: ChannelName[] = [];
    for (let r = 0; r < options.rounds; r++) order.push(...options.channels);
    for (const [i, channel] of order.entries()) {
      const p = new Phase();
      phase = p;
      const group = officers.filter((o) => o.channel === channel);
      const loops = Promise.all(group.map((o) => officerLoop(o, p)));
      await sleep(options.warmup * 1000);
      const cpu0 = processCpuMs(pid);
      const machine0 = machineBusyMs();
      p.start = performance.now();
      p.end = p.start + options.seconds * 1000;
      await sleep(options.seconds * 1000);
      const cpu1 = processCpuMs(pid);
      const machine1 = machineBusyMs();
      const windowSeconds = (performance.now() - p.start) / 1000;
      p.stop = true;
      await loops;
      await settle();
      const updates = p.samples.length;
      const botCpuMs = cpu1 - cpu0;
      phases.push({
        channel,
        round: Math.floor(i / options.channels.length) + 1,
        windowSeconds,
        updates,
        updatesPerSecond: updates / windowSeconds,
        latency: summarize(p.samples),
        botCpuMs,
        cpuPerUpdateMs: updates ? botCpuMs / updates : 0,
        otherCpuMs: Math.max(0, machine1 - machine0 - botCpuMs),
        loadAverage: loadAverage(),
      });
      console.log(
        `   ${provider} round ${phases.at(-1)!.round} ${channel.padEnd(8)}: ${updates} updates in ${windowSeconds.toFixed(1)} s, ${(updates / windowSeconds).toFixed(1)}/s, p50 ${summarize(p.samples).p50.toFixed(1)} ms, p99 ${summarize(p.samples).p99.toFixed(1)} ms, bot CPU ${(botCpuMs / Math.max(1, updates)).toFixed(2)} ms/update (load ${loadAverage()})`,
      );
    }
    phase = null;

    // Every answer stored, every update recorded once.
    const verification: Verification[] = [];
    for (const channel of ["telegram", "zalo"] as const) {
      const group = officers.filter((o) => o.channel === channel);
      const units = [...(channel === "telegram" ? tgUnits : zaloUnits)];
      const [answers, revisions, processedKeys] = await Promise.all([
        db.answer.count({ where: { unitId: { in: units } } }),
        db.answerRevision.count({ where: { answer: { unitId: { in: units } } } }),
        db.processedUpdate.count({ where: { key: { startsWith: channel === "telegram" ? "tg:" : "zalo:" } } }),
      ]);
      const sum = (f: (o: Officer) => number) => group.reduce((a, o) => a + f(o), 0);
      const events = sum((o) => o.events);
      const replies = sum((o) => o.replies);
      const answerUpdates = sum((o) => o.answerUpdates);
      const savedReplies = sum((o) => o.saved);
      verification.push({
        channel,
        events,
        replies,
        noReply: sum((o) => o.noReply),
        extraReplies: Math.max(0, replies - events),
        answerUpdates,
        savedReplies,
        answers,
        revisions,
        processedKeys,
        answersMatch: answers + revisions === answerUpdates && savedReplies === answerUpdates,
        keysMatch: processedKeys === events,
        lost: sum((o) => o.lost),
      });
    }

    const totals: ChannelTotals[] = options.channels.map((channel) => {
      const ps = phases.filter((p) => p.channel === channel);
      const updates = ps.reduce((a, p) => a + p.updates, 0);
      const windowSeconds = ps.reduce((a, p) => a + p.windowSeconds, 0);
      const cpu = ps.reduce((a, p) => a + p.botCpuMs, 0);
      return {
        channel,
        updates,
        windowSeconds,
        updatesPerSecond: updates / windowSeconds,
        latency: summarize(samples.get(channel)!),
        cpuPerUpdateMs: updates ? cpu / updates : 0,
      };
    });
    const cpuOf = (c: ChannelName) => totals.find((t) => t.channel === c)?.cpuPerUpdateMs ?? 0;
    await bot.stop();
    const top = [...log.messages.entries()]
      .filter(([m]) => !m.startsWith("info:"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([m, n]) => `${n} × ${m}`);
    return {
      provider,
      officers: options.officers,
      phases,
      totals,
      cpuRatio: cpuOf("telegram") ? cpuOf("zalo") / cpuOf("telegram") : 0,
      verification,
      log: { file: log.file, warn: log.byLevel.warn, error: log.byLevel.error, fatal: log.byLevel.fatal, top },
      zaloViolations: zalo.violations.length,
    };
  } finally {
    await bot?.stop().catch(() => {});
    await tg.close();
    await zalo.close();
    await database.destroy();
  }
}
