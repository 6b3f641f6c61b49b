/**
 * Where an update's time goes: one officer, alone, goes through the throughput benchmark's
 * cycle (open a question, answer it) in-process via bot.handleUpdate, on a database client
 * wrapped in a Prisma query extension that times every model operation (compile + run +
 * result mapping) and every raw statement. Prints, per kind of update, the time per update,
 * the Prisma operations it makes and what they cost. Not a target of the issue: the tool behind RESULTS.md's
 * findings.
 */
import { createBot } from "../src/bot/index.ts";
import { parseConfig } from "../src/config.ts";
import type { Db } from "../src/db/client.ts";
import type { Provider } from "../src/db/url.ts";
import { createI18n } from "../src/i18n.ts";
import {
  answerPlans,
  BENCH_TOKEN,
  benchFileStore,
  countingLogger,
  createBenchDatabase,
  createOfficers,
  elapsedMs,
  findButtons,
  importBundledCampaign,
  lastBotMessageId,
  startFake,
} from "./lib.ts";

export interface QueriesOptions {
  cycles: number;
  pgUrl: string;
}

export interface OperationCost {
  operation: string;
  perUpdate: number;
  meanMs: number;
}

export interface UpdateCost {
  kind: string;
  updates: number;
  meanMs: number;
  operationsPerUpdate: number;
  /** Mean time per update spent inside Prisma operations. */
  prismaMsPerUpdate: number;
  operations: OperationCost[];
}

/** "raw INSERT ProcessedUpdate" for a tagged-template $queryRaw / $executeRaw. */
function rawLabel(args: unknown): string {
  const sql = Array.isArray(args)
    ? String(args[0] ?? "")
    : ((args as { strings?: readonly string[] } | undefined)?.strings ?? []).join("?");
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? "statement";
  const table = /(?:INTO|FROM|UPDATE)\s+"(\w+)"/i.exec(sql)?.[1] ?? "";
  return `raw ${verb} ${table}`.trim();
}

export async function runQueries(provider: Provider, options: QueriesOptions): Promise<UpdateCost[]> {
  const database = await createBenchDatabase(provider, options.pgUrl);
  const fake = await startFake();
  try {
    const campaign = await importBundledCampaign(database.db);
    const [officer] = await createOfficers(database.db, campaign.id, 1);
    const plans = await answerPlans(database.db, campaign.questionnaireId!);

    // Every model operation, timed, charged to the kind of update being handled.
    let current = "start";
    const perKind = new Map<string, { updates: number; ms: number; ops: Map<string, { n: number; ms: number }> }>();
    const charge = (operation: string, took: number) => {
      const ops = perKind.get(current)!.ops;
      const o = ops.get(operation) ?? { n: 0, ms: 0 };
      o.n++;
      o.ms += took;
      ops.set(operation, o);
    };
    const traced = database.db.$extends({
      query: {
        // Model operations ("Answer.findUnique") and raw statements ("raw UPDATE Answer").
        async $allOperations({ model, operation, args, query }) {
          const start = process.hrtime.bigint();
          try {
            return await query(args);
          } finally {
            charge(model ? `${model}.${operation}` : rawLabel(args), elapsedMs(start));
          }
        },
      },
    }) as unknown as Db;

    const config = parseConfig({
      BOT_TOKEN: BENCH_TOKEN,
      DATABASE_URL: database.url,
      TELEGRAM_API_ROOT: fake.url,
      LOG_LEVEL: "warn",
    });
    const { logger } = countingLogger();
    const bot = createBot(
      config,
      { db: traced, logger, i18n: createI18n("vi"), store: benchFileStore() },
      { botInfo: fake.botInfo },
    );
    await bot.init();

    const o = officer!;
    const handle = async (kind: string, update: Parameters<typeof bot.handleUpdate>[0]) => {
      current = kind;
      if (!perKind.has(kind)) perKind.set(kind, { updates: 0, ms: 0, ops: new Map() });
      const start = process.hrtime.bigint();
      await bot.handleUpdate(update);
      const k = perKind.get(kind)!;
      k.updates++;
      k.ms += elapsedMs(start);
    };
    await handle("start", fake.sendUserMessage(o.user, "/tudanhgia"));
    for (let i = 0; i < options.cycles; i++) {
      const plan = plans[i % plans.length]!;
      await handle(
        "open",
        fake.pressButton(o.user, o.user.id, lastBotMessageId(fake, o.user.id)!, `sa:q:${plan.questionId}`),
      );
      if (plan.how === "type") await handle("answer-type", fake.sendUserMessage(o.user, plan.input()));
      else {
        const buttons = findButtons(fake, o.user.id, `sa:v:${plan.questionId}:`);
        if (!buttons) throw new Error(`no answer buttons for question ${plan.code}`);
        await handle("answer-tap", fake.pressButton(o.user, o.user.id, buttons.messageId, buttons.data[0]!));
      }
    }
    return [...perKind].map(([kind, k]) => {
      const total = [...k.ops.values()].reduce((a, b) => a + b.ms, 0);
      return {
        kind,
        updates: k.updates,
        meanMs: k.ms / k.updates,
        operationsPerUpdate: [...k.ops.values()].reduce((a, b) => a + b.n, 0) / k.updates,
        prismaMsPerUpdate: total / k.updates,
        operations: [...k.ops]
          .map(([operation, x]) => ({ operation, perUpdate: x.n / k.updates, meanMs: x.ms / x.n }))
          .sort((a, b) => b.perUpdate * b.meanMs - a.perUpdate * a.meanMs),
      };
    });
  } finally {
    await fake.close();
    await database.destroy();
  }
}
