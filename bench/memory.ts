/**
 * Memory: 10,000 officers, each of a unit of their own and mid-questionnaire (the questions
 * before their cursor answered, up to 10; the cursor on a question they answer by typing),
 * are written directly in the database. The real bot runs in its own process behind the
 * webhook server (as for throughput); every officer sends it one typed answer, over 40
 * connections at a time — Telegram's default max_connections for a webhook, so the bot is
 * never handed more than Telegram would hand it. The bot process reports its resident memory
 * after two full GCs before the load, after every fifth of it, and at the end, and its peak.
 */
import type { Provider } from "../src/db/url.ts";
import {
  type AnswerPlan,
  answerPlanOf,
  createBenchDatabase,
  createManyChunked,
  createOfficers,
  deliver,
  importBundledCampaign,
  type LogCounts,
  Recorder,
  runPool,
  type ServerStats,
  type Summary,
  startBotServer,
  startFake,
  storedAnswer,
  summarize,
  WebhookClient,
} from "./lib.ts";

export interface MemoryOptions {
  officers: number;
  /** Webhook requests in flight at once. */
  concurrency: number;
  pgUrl: string;
  cpuProfileDir?: string;
}

export interface MemoryResult {
  provider: Provider;
  officers: number;
  preAnswered: number;
  seedSeconds: number;
  /** Bot process after start-up, before any update (after GC). */
  before: ServerStats["memory"];
  /** After every officer's answer (after GC). */
  after: ServerStats["memory"];
  /** RSS after GC as the answers come in: [answers handled, bytes]. */
  checkpoints: Array<[number, number]>;
  peakRss: number;
  loadSeconds: number;
  latency: Summary;
  non200: number;
  timedOut: number;
  answersStored: number;
  processedUpdates: number;
  log: LogCounts;
}

const MAX_PRE_ANSWERED = 10;
const CHECKPOINTS = 5;

export async function runMemory(provider: Provider, options: MemoryOptions): Promise<MemoryResult> {
  const seedStart = performance.now();
  const database = await createBenchDatabase(provider, options.pgUrl);
  try {
    const db = database.db;
    const campaign = await importBundledCampaign(db);
    const questions = await db.question.findMany({
      where: { questionnaireId: campaign.questionnaireId! },
      orderBy: { order: "asc" },
    });
    const typed = questions
      .map((q) => ({ q, plan: answerPlanOf(q) }))
      .filter((x): x is { q: (typeof questions)[number]; plan: AnswerPlan } => x.plan?.how === "type");
    const officers = await createOfficers(db, campaign.id, options.officers, { firstTelegramId: 7_000_000 });
    const stand = officers.map((o) => typed[o.index % typed.length]!);

    const answers = officers.flatMap((o) => {
      const at = stand[o.index]!.q.order;
      return questions
        .filter((q) => q.order < at)
        .slice(-MAX_PRE_ANSWERED)
        .map((q) => ({
          campaignId: campaign.id,
          unitId: o.unitId,
          questionId: q.id,
          answeredById: o.personId,
          ...storedAnswer(q),
        }));
    });
    await createManyChunked(answers, (data) => db.answer.createMany({ data }), 2000);
    await createManyChunked(officers, (chunk) =>
      db.assessmentCursor.createMany({
        data: chunk.map((o) => ({
          personId: o.personId,
          campaignId: campaign.id,
          unitId: o.unitId,
          questionId: stand[o.index]!.q.id,
          mode: "ANSWER" as const,
        })),
      }),
    );
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const fake = await startFake();
    const server = await startBotServer({
      mode: "app",
      databaseUrl: database.url,
      apiRoot: fake.url,
      botInfo: fake.botInfo,
      cpuProfileDir: options.cpuProfileDir,
    });
    const before = await server.stats(true);
    const client = new WebhookClient(server.port, options.concurrency);
    const recorder = new Recorder();
    recorder.startWindow(3600);
    const checkpoints: Array<[number, number]> = [[0, before.memory.rss]];
    const loadStart = performance.now();
    const per = Math.ceil(officers.length / CHECKPOINTS);
    for (let from = 0; from < officers.length; from += per) {
      const batch = officers.slice(from, from + per);
      await runPool(batch.length, options.concurrency, async (i) => {
        const o = batch[i]!;
        await deliver(client, recorder, "answer", fake.sendUserMessage(o.user, stand[o.index]!.plan.input()));
      });
      if (from + per < officers.length) checkpoints.push([from + batch.length, (await server.stats(true)).memory.rss]);
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    await fake.waitForIdle({ quietMs: 1000, timeoutMs: 60_000 });
    const after = await server.stats(true);
    checkpoints.push([officers.length, after.memory.rss]);
    client.close();
    await server.stop();
    await fake.close();

    const [stored, processedUpdates] = await Promise.all([db.answer.count(), db.processedUpdate.count()]);
    return {
      provider,
      officers: officers.length,
      preAnswered: answers.length,
      seedSeconds,
      before: before.memory,
      after: after.memory,
      checkpoints,
      peakRss: after.maxRss,
      loadSeconds,
      latency: summarize(recorder.all()),
      non200: recorder.non200,
      timedOut: recorder.timedOut,
      answersStored: stored - answers.length,
      processedUpdates,
      log: after.log,
    };
  } finally {
    await database.destroy();
  }
}
