/**
 * Reproduction (found by the pair drill, bench/drills.ts): two bot instances started together
 * on an empty PostgreSQL database; one of them crashes at start.
 *
 *   npx tsx bench/repro/seed-race.ts [postgresql://…/postgres]     exits 1 while the bug is there
 *
 * Both find no campaign (seedIfEmpty in src/app.ts counts campaigns first) and both import the
 * bundled one; the second import's unit insert hits Unit_code_key (P2002) and bootstrap()
 * rejects, so `npm start` exits 1 (with the raw Prisma error on stderr, outside the logger).
 * Issue 9: "Two instances started together on an empty database: one crashed every time.
 * Seeding must be race-free."
 */
import pino from "pino";
import { seedIfEmpty } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/client.ts";
import { createScratchDatabase } from "../../src/db/scratch.ts";
import { BENCH_TOKEN } from "../lib.ts";

const server = process.argv[2] ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const logger = pino({ level: "silent" });
let crashed = 0;
const tries = 5;
for (let i = 0; i < tries; i++) {
  // Migrated and empty, as a new installation's database is when its instances first start.
  const first = await createScratchDatabase(server, "cchc_repro");
  const second = await openDatabase(first.url, { poolSize: 4 });
  const config = parseConfig({ BOT_TOKEN: BENCH_TOKEN, DATABASE_URL: first.url });
  try {
    const outcomes = await Promise.allSettled([
      seedIfEmpty(first, config, logger),
      seedIfEmpty(second, config, logger),
    ]);
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed.length) crashed++;
    console.log(
      `try ${i + 1}: ${
        failed.length
          ? `one start failed: ${(failed[0]!.reason as { code?: string }).code ?? ""} ${String(
              (failed[0]!.reason as Error).message,
            )
              .trim()
              .split("\n")
              .at(-1)}`
          : "both seeded fine"
      }; campaigns: ${await first.db.campaign.count()}`,
    );
  } finally {
    await second.close();
    await first.destroy();
  }
}
if (crashed) {
  console.log(`REPRODUCED: ${crashed} of ${tries} concurrent starts failed`);
  process.exitCode = 1;
} else console.log("not reproduced");
