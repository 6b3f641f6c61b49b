/**
 * Answer throughput: N simulated officers (200 by default), each the officer of a unit of
 * their own, answer the bundled questionnaire through the webhook server.
 *
 * One cycle of an officer = two updates, as in the chat:
 *   1. "open": a press of `sa:q:<question>` (the stamp-free "go to question" button) on the
 *      bot's last message: the bot shows the question (edits that message) and points the
 *      officer's cursor at it;
 *   2. "answer": a typed number / percentage / date, or a tap on one of the answer buttons
 *      (yes / no / n.a., choices) read from the question's keyboard, stamp included.
 * Officers go round the 64 questions answerable in one step (manual-score and free-text ones
 * need a follow-up), so the first round creates answers and later ones change them (a revision
 * and an audit entry each).
 *
 * Phases, one after the other on the same bot process and database:
 *   - start: every officer sends /tudanhgia (the area list), 20 at a time; not measured;
 *   - paced (`paced` s): each officer thinks before every update (exponential, mean `think` s),
 *     so 200 officers offer about 200 / think updates/s: latency at a steady, human load;
 *   - closed loop (`warmup` s unmeasured, then `seconds` s measured): each officer sends the
 *     next update as soon as the previous one is answered: the bot's capacity, in updates/s.
 *     With N officers always waiting on the bot, mean latency = N / throughput (Little's law).
 *
 * The same load runs against a bare grammY bot that replies "ok" to every update (baseline),
 * then against the real bot on each database. Each run gets a fresh fake Bot API.
 */

import type { Provider } from "../src/db/url.ts";
import type { FakeBotApi } from "../src/dev/fake-bot-api.ts";
import {
  type AnswerPlan,
  answerPlans,
  type BenchDatabase,
  createBenchDatabase,
  createOfficers,
  deliver,
  findButtons,
  importBundledCampaign,
  type LogCounts,
  lastBotMessageId,
  machineBusyMs,
  type Officer,
  Recorder,
  runPool,
  type Summary,
  startBotServer,
  startFake,
  summarize,
  WebhookClient,
} from "./lib.ts";

export interface ThroughputOptions {
  officers: number;
  /** Length of the measured window. */
  seconds: number;
  /** Closed-loop load before the window opens (connections, JIT). */
  warmup: number;
  /** Length of the paced phase before the closed loop (0 = none). */
  paced: number;
  /** Mean think time of an officer before each update in the paced phase, seconds. */
  think: number;
  pgUrl: string;
  /** Profile the bot server processes (see ServerSpec.cpuProfileDir). */
  cpuProfileDir?: string;
}

export interface Latencies {
  all: Summary;
  open: Summary;
  answer: Summary;
  answerTyped: Summary;
  answerTapped: Summary;
}

export interface LoadResult {
  label: string;
  windowSeconds: number;
  updatesPerSecond: number;
  answersPerSecond: number;
  /** Closed loop, measured window. */
  latency: Latencies;
  /** Paced phase (think time before each update): offered rate and latencies; null when skipped. */
  paced: { seconds: number; updatesPerSecond: number; latency: Latencies } | null;
  /** Responses other than 200, over the whole run. */
  non200: number;
  /** Responses that took ≥ 9 s: the webhook gave up waiting for the bot (see WEBHOOK_TIMEOUT_MS). */
  timedOut: number;
  /** Times an officer found no message of the bot to press a button on (sent /tudanhgia again). */
  noMessage: number;
  /** Answer buttons the officer looked for and did not find (real bot only). */
  missingButtons: number;
  /** Warnings and errors the bot logged over the whole run. */
  log: LogCounts;
  /**
   * CPU time used inside the closed-loop window: bot server process, this process (load
   * generator + fake Bot API), and all other processes of the machine (PostgreSQL, others).
   */
  cpuMs: { botServer: number; generatorAndFake: number; otherProcesses: number };
  serverRssAfter: number;
  /** Updates answered 200 by kind, over the whole run. */
  delivered: Record<string, number>;
}

export interface Verification {
  /** Answer updates answered 200, and all updates answered 200. */
  answerUpdates: number;
  updates: number;
  answers: number;
  revisions: number;
  answerAudits: number;
  processedUpdates: number;
  /** Answer updates answered 200 = answers + revisions (each stored exactly one write). */
  answersMatch: boolean;
  /** Every update answered 200 was recorded once (onceOnly). */
  updatesMatch: boolean;
}

export interface ThroughputResult {
  officers: number;
  questionsInRotation: number;
  baseline: LoadResult;
  runs: Array<{ provider: Provider; result: LoadResult; verification: Verification; ratioToBaseline: number }>;
}

const MAX_CYCLES_PER_OFFICER = 100_000;
/** Officers sending /tudanhgia at once before the load. */
const START_CONCURRENCY = 20;

/** Exponentially distributed think time with the given mean, in ms. */
const thinkMs = (meanSeconds: number) => -Math.log(1 - Math.random()) * meanSeconds * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function latencies(recorder: Recorder) {
  const typed = recorder.samples.get("answer-type") ?? [];
  const tapped = recorder.samples.get("answer-tap") ?? [];
  return {
    all: summarize(recorder.all()),
    open: summarize(recorder.samples.get("open") ?? []),
    answer: summarize([...typed, ...tapped]),
    answerTyped: summarize(typed),
    answerTapped: summarize(tapped),
  };
}

async function runLoad(
  label: string,
  mode: "app" | "baseline",
  officers: Officer[],
  plans: AnswerPlan[],
  options: ThroughputOptions,
  databaseUrl?: string,
): Promise<LoadResult> {
  const fake: FakeBotApi = await startFake();
  const server = await startBotServer({
    mode,
    databaseUrl,
    apiRoot: fake.url,
    botInfo: fake.botInfo,
    cpuProfileDir: options.cpuProfileDir,
  });
  const client = new WebhookClient(server.port, officers.length);
  const paced = new Recorder();
  const closed = new Recorder();
  let missingButtons = 0;
  let noMessage = 0;

  const answerUpdate = (o: Officer, plan: AnswerPlan) => {
    if (plan.how === "type") return fake.sendUserMessage(o.user, plan.input());
    const buttons = findButtons(fake, o.user.id, `sa:v:${plan.questionId}:`);
    if (buttons) {
      const data = buttons.data[Math.floor(Math.random() * buttons.data.length)]!;
      return fake.pressButton(o.user, o.user.id, buttons.messageId, data);
    }
    if (mode === "app") {
      missingButtons++;
      return null;
    }
    // The bare bot draws no buttons: press what the real bot would have drawn.
    return fake.pressButton(o.user, o.user.id, lastBotMessageId(fake, o.user.id)!, `sa:v:${plan.questionId}:0:yes`);
  };

  const start = (o: Officer, recorder: Recorder) =>
    deliver(client, recorder, "start", fake.sendUserMessage(o.user, "/tudanhgia"));
  /** Cycles of one officer until the recorder's window is over; with a think time before each update when `think` > 0. */
  const officerLoop = async (o: Officer, recorder: Recorder, think: number) => {
    const pause = async () => {
      if (think > 0) await sleep(Math.min(thinkMs(think), recorder.remainingMs));
      return !recorder.windowOver;
    };
    for (let i = 0; i < MAX_CYCLES_PER_OFFICER && !recorder.windowOver; i++) {
      const plan = plans[(o.index * 7 + i) % plans.length]!;
      const on = lastBotMessageId(fake, o.user.id);
      if (on === undefined) {
        noMessage++;
        await start(o, recorder);
        continue;
      }
      if (!(await pause())) break;
      await deliver(client, recorder, "open", fake.pressButton(o.user, o.user.id, on, `sa:q:${plan.questionId}`));
      if (!(await pause())) break;
      const update = answerUpdate(o, plan);
      if (update) await deliver(client, recorder, `answer-${plan.how}`, update);
    }
  };

  // Every officer opens the area list first (not measured).
  await runPool(officers.length, START_CONCURRENCY, (i) => start(officers[i]!, paced).then(() => {}));

  // Paced: officers think before each update, as people do.
  if (options.paced > 0) {
    paced.startWindow(options.paced);
    await Promise.all(officers.map((o) => officerLoop(o, paced, options.think)));
  }

  // Closed loop: each officer sends the next update as soon as the previous one is answered.
  // The measured window opens after the warm-up; until then samples are not kept.
  let cpuAtStart = { server: 0, self: 0, machine: 0 };
  const windowOpened = new Promise<void>((resolve) =>
    setTimeout(async () => {
      const s = await server.stats();
      const self = process.cpuUsage();
      cpuAtStart = { server: s.cpuMs, self: (self.user + self.system) / 1000, machine: machineBusyMs() };
      closed.startWindow(options.seconds);
      resolve();
    }, options.warmup * 1000),
  );
  const loops = Promise.all(officers.map((o) => officerLoop(o, closed, 0)));
  await windowOpened;
  await loops;
  const windowSeconds = closed.windowSeconds;
  const end = await server.stats();
  const self = process.cpuUsage();
  const machine = machineBusyMs() - cpuAtStart.machine;
  // Updates whose webhook request timed out are still being handled: let them finish.
  await fake.waitForIdle({ quietMs: 1000, timeoutMs: 60_000 });
  client.close();
  await server.stop();
  await fake.close();

  const answers = (closed.samples.get("answer-type")?.length ?? 0) + (closed.samples.get("answer-tap")?.length ?? 0);
  const delivered: Record<string, number> = {};
  for (const r of [paced, closed]) for (const [k, n] of r.delivered) delivered[k] = (delivered[k] ?? 0) + n;
  return {
    label,
    windowSeconds,
    updatesPerSecond: closed.all().length / windowSeconds,
    answersPerSecond: answers / windowSeconds,
    latency: latencies(closed),
    paced:
      options.paced > 0
        ? {
            seconds: paced.windowSeconds,
            updatesPerSecond: paced.all().length / paced.windowSeconds,
            latency: latencies(paced),
          }
        : null,
    non200: paced.non200 + closed.non200,
    timedOut: paced.timedOut + closed.timedOut,
    noMessage,
    missingButtons,
    log: end.log,
    cpuMs: {
      botServer: end.cpuMs - cpuAtStart.server,
      generatorAndFake: (self.user + self.system) / 1000 - cpuAtStart.self,
      otherProcesses: Math.max(
        0,
        machine - (end.cpuMs - cpuAtStart.server) - ((self.user + self.system) / 1000 - cpuAtStart.self),
      ),
    },
    serverRssAfter: end.memory.rss,
    delivered,
  };
}

async function verify(database: BenchDatabase, result: LoadResult): Promise<Verification> {
  const db = database.db;
  const [answers, revisions, answerAudits, processedUpdates] = await Promise.all([
    db.answer.count(),
    db.answerRevision.count(),
    db.auditLog.count({ where: { action: { startsWith: "answer." } } }),
    db.processedUpdate.count(),
  ]);
  const d = result.delivered;
  const answerUpdates = (d["answer-type"] ?? 0) + (d["answer-tap"] ?? 0);
  const allUpdates = Object.values(d).reduce((a, b) => a + b, 0);
  return {
    answerUpdates,
    updates: allUpdates,
    answers,
    revisions,
    answerAudits,
    processedUpdates,
    answersMatch: answers + revisions === answerUpdates && answerAudits === answerUpdates,
    updatesMatch: processedUpdates === allUpdates,
  };
}

/** A database with the bundled campaign and `count` officers, one unit each. */
async function prepare(provider: Provider, options: ThroughputOptions) {
  const database = await createBenchDatabase(provider, options.pgUrl);
  const campaign = await importBundledCampaign(database.db);
  const officers = await createOfficers(database.db, campaign.id, options.officers);
  const plans = await answerPlans(database.db, campaign.questionnaireId!);
  return { database, officers, plans };
}

export async function runThroughput(providers: Provider[], options: ThroughputOptions): Promise<ThroughputResult> {
  let baseline: LoadResult | undefined;
  let questionsInRotation = 0;
  const runs: ThroughputResult["runs"] = [];
  for (const provider of providers) {
    const { database, officers, plans } = await prepare(provider, options);
    questionsInRotation = plans.length;
    try {
      // Same officers, same question rotation, same harness: only the bot differs.
      baseline ??= await runLoad("baseline (bare grammY)", "baseline", officers, plans, options);
      const result = await runLoad(`cchc-bot on ${provider}`, "app", officers, plans, options, database.url);
      const verification = await verify(database, result);
      runs.push({
        provider,
        result,
        verification,
        ratioToBaseline: result.updatesPerSecond / baseline.updatesPerSecond,
      });
    } finally {
      await database.destroy();
    }
  }
  return { officers: options.officers, questionsInRotation, baseline: baseline!, runs };
}
