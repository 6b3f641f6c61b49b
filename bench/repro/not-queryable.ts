/**
 * Reproduction (found by the PostgreSQL drill, bench/drills.ts, pg_terminate_backend mode): a
 * connection that dies between two statements of a transaction fails the next statement with
 * pg's "Client has encountered a connection error and is not queryable", a plain Error with no
 * code. isTransientDbError (src/db/errors.ts) does not recognise it, so the error boundary
 * treats it as a bug: the officer gets "errors.internal", handleUpdate resolves, the webhook
 * answers 200 and Telegram never redelivers: the answer is lost (4 of 100 in the drill).
 *
 *   npx tsx bench/repro/not-queryable.ts [postgresql://…/postgres]     exits 1 while the bug is there
 */
import { isTransientDbError } from "../../src/db/errors.ts";
import { transaction } from "../../src/db/exactly-once.ts";
import { connectPg } from "../../src/db/pg-connection.ts";
import { createScratchDatabase } from "../../src/db/scratch.ts";

const server = process.argv[2] ?? process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const database = await createScratchDatabase(server, "cchc_repro");
const admin = await connectPg(server);
try {
  const name = new URL(database.url).pathname.slice(1);
  const error = await transaction(database.db, async (tx) => {
    await tx.$queryRaw`SELECT 1`;
    // What a PostgreSQL restart (or pg_terminate_backend) does to the connection meanwhile.
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [name]);
    await new Promise((r) => setTimeout(r, 200));
    await tx.$queryRaw`SELECT 1`;
  }).then(
    () => null,
    (e: unknown) => e as Error,
  );
  console.log(`second statement: ${error ? `${error.name}: ${error.message}` : "succeeded"}`);
  console.log(`isTransientDbError: ${error ? isTransientDbError(error) : "-"}`);
  if (error && !isTransientDbError(error)) {
    console.log("REPRODUCED: a dead connection is not taken for an unavailable database");
    process.exitCode = 1;
  } else console.log("not reproduced");
} finally {
  await admin.end();
  await database.destroy();
}
