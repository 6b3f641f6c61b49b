/**
 * Flat cost: does an answer cost the same deep into a long questionnaire as near its start?
 *
 * A questionnaire of 310 PERCENT questions (1 area, 31 criteria × 10 questions) is generated
 * here as a data file and imported into a fresh database. Officer A (unit A) has answered
 * questions 1–9 and stands on question 10; officer B (unit B) has answered 1–299 and stands
 * on question 300. Each timed step is one typed answer ("75") fed through bot.handleUpdate —
 * the bot stores it (answer + audit, in a transaction), confirms, finds the next unanswered
 * question and shows it — with the bot's Bot API calls going to the loopback fake.
 * Before each step (not timed) the answer is removed again and the officer's cursor put back,
 * so every step is the same first answer at the same position. A and B alternate (ABBA…).
 */
import { createBot } from "../src/bot/index.ts";
import { parseConfig } from "../src/config.ts";
import type { Provider } from "../src/db/url.ts";
import { longQuestionnaireFile } from "../src/dev/long-questionnaire.ts";
import { importData } from "../src/domain/importer.ts";
import { createI18n } from "../src/i18n.ts";
import {
  BENCH_TOKEN,
  benchFileStore,
  countingLogger,
  createBenchDatabase,
  createManyChunked,
  createOfficers,
  elapsedMs,
  type LogCounts,
  type Officer,
  openWindow,
  type Summary,
  startFake,
  storedAnswer,
  summarize,
  TIME_ZONE,
} from "./lib.ts";

export interface FlatCostOptions {
  reps: number;
  warmupReps: number;
  pgUrl: string;
}

export interface FlatCostResult {
  provider: Provider;
  questions: number;
  reps: number;
  early: { position: number; latency: Summary };
  late: { position: number; latency: Summary };
  /** late / early, of the medians and of the means. */
  ratioP50: number;
  ratioMean: number;
  /** Steps whose answer was not found stored afterwards. */
  notStored: number;
  log: LogCounts;
}

const EARLY = 10;
const LATE = 300;

export async function runFlatCost(provider: Provider, options: FlatCostOptions): Promise<FlatCostResult> {
  const database = await createBenchDatabase(provider, options.pgUrl);
  const fake = await startFake();
  try {
    const db = database.db;
    await importData(db, longQuestionnaireFile(31, 10), TIME_ZONE);
    const campaign = await openWindow(db, (await db.campaign.findUniqueOrThrow({ where: { code: "bench-long" } })).id);
    const questions = await db.question.findMany({
      where: { questionnaireId: campaign.questionnaireId! },
      orderBy: { order: "asc" },
    });
    const units = await db.unit.findMany({ where: { code: { startsWith: "bench-long-" } }, orderBy: { code: "asc" } });
    const [a, b] = await createOfficers(db, campaign.id, 2, { unitIds: units.map((u) => u.id) });

    // A has answered 1..9, B 1..299 (directly in the database).
    const preAnswer = (o: Officer, upTo: number) =>
      questions.slice(0, upTo - 1).map((q) => ({
        campaignId: campaign.id,
        unitId: o.unitId,
        questionId: q.id,
        answeredById: o.personId,
        ...storedAnswer(q),
      }));
    await createManyChunked([...preAnswer(a!, EARLY), ...preAnswer(b!, LATE)], (data) =>
      db.answer.createMany({ data }),
    );

    const config = parseConfig({
      BOT_TOKEN: BENCH_TOKEN,
      DATABASE_URL: database.url,
      TELEGRAM_API_ROOT: fake.url,
      LOG_LEVEL: "warn",
    });
    const { logger, counts } = countingLogger();
    const bot = createBot(
      config,
      { db, logger, i18n: createI18n("vi"), store: benchFileStore() },
      { botInfo: fake.botInfo },
    );
    await bot.init();

    const cases = [
      { officer: a!, question: questions[EARLY - 1]!, samples: [] as number[], answered: false },
      { officer: b!, question: questions[LATE - 1]!, samples: [] as number[], answered: false },
    ];
    let notStored = 0;
    const step = async (c: (typeof cases)[number], keep: boolean) => {
      const { officer, question } = c;
      const key = { campaignId: campaign.id, unitId: officer.unitId, questionId: question.id };
      // Not timed: take the answer back (checking the previous step stored it), cursor on the question.
      const { count } = await db.answer.deleteMany({ where: key });
      if (c.answered && count !== 1) notStored++;
      const cursor = {
        campaignId: campaign.id,
        unitId: officer.unitId,
        questionId: question.id,
        mode: "ANSWER" as const,
      };
      await db.assessmentCursor.upsert({
        where: { personId: officer.personId },
        create: { personId: officer.personId, ...cursor },
        update: cursor,
      });
      const update = fake.sendUserMessage(officer.user, "75");
      const start = process.hrtime.bigint();
      await bot.handleUpdate(update);
      if (keep) c.samples.push(elapsedMs(start));
      c.answered = true;
    };
    for (let i = 0; i < options.warmupReps; i++) for (const c of cases) await step(c, false);
    for (let i = 0; i < options.reps; i++) {
      // ABBA order, so drift over time (WAL growth, autovacuum) weighs on both alike.
      const order = i % 2 === 0 ? cases : [...cases].reverse();
      for (const c of order) await step(c, true);
    }
    for (const c of cases) {
      const stored = await db.answer.count({
        where: { campaignId: campaign.id, unitId: c.officer.unitId, questionId: c.question.id },
      });
      if (stored !== 1) notStored++;
    }
    const [early, late] = cases.map((c) => summarize(c.samples)) as [Summary, Summary];
    return {
      provider,
      questions: questions.length,
      reps: options.reps,
      early: { position: EARLY, latency: early },
      late: { position: LATE, latency: late },
      ratioP50: late.p50 / early.p50,
      ratioMean: late.mean / early.mean,
      notStored,
      log: counts,
    };
  } finally {
    await fake.close();
    await database.destroy();
  }
}
