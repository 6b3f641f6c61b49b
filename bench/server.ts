/**
 * The process under test in the HTTP benchmarks, forked by startBotServer() (bench/lib.ts)
 * with --expose-gc, compiled to JavaScript as npm start runs the bot. It serves a webhook on 127.0.0.1 with src/server/http.ts and either
 *   - "app": the real bot, wired by bootstrap() exactly as `npm start` does (database
 *     opened and migrated, default pool size), logging only warnings and errors (counted,
 *     not printed); or
 *   - "baseline": a bare grammY bot that replies "ok" to every message and button press.
 * Both call the loopback fake Bot API of the parent process. The parent talks over IPC:
 * { type: "stats", gc } → memory, CPU and log counts; { type: "stop" } → close and exit.
 */
import type { Server } from "node:http";
import { Bot } from "grammy";
import { bootstrap } from "../src/app.ts";
import type { BotContext } from "../src/bot/index.ts";
import { parseConfig } from "../src/config.ts";
import type { Db } from "../src/db/client.ts";
import { closeServer, createHttpServer, listen } from "../src/server/http.ts";
import { BENCH_TOKEN, countingLogger, type ServerSpec, type ServerStats, WEBHOOK_PATH, WEBHOOK_SECRET } from "./lib.ts";

const spec = JSON.parse(process.env.BENCH_SERVER ?? "{}") as ServerSpec;
const { logger, counts } = countingLogger();

let server: Server;
let closeDatabase = async () => {};
if (spec.mode === "app") {
  const config = parseConfig({
    BOT_TOKEN: BENCH_TOKEN,
    DATABASE_URL: spec.databaseUrl,
    TELEGRAM_API_ROOT: spec.apiRoot,
    LOG_LEVEL: "warn",
  });
  const app = await bootstrap(config, { logger, botInfo: spec.botInfo });
  server = createHttpServer({
    bot: app.bot,
    db: app.database.db,
    secretToken: WEBHOOK_SECRET,
    webhookPath: WEBHOOK_PATH,
    ping: app.database.ping,
    logger,
    maxConcurrentUpdates: config.WEBHOOK_MAX_CONNECTIONS,
  });
  closeDatabase = () => app.database.close();
} else {
  const bare = new Bot(BENCH_TOKEN, { botInfo: spec.botInfo, client: { apiRoot: spec.apiRoot } });
  bare.on(["message", "callback_query"], (ctx) => ctx.reply("ok"));
  server = createHttpServer({
    bot: bare as unknown as Bot<BotContext>,
    // No database: the webhook only writes to it for an update still running at 9 s, which
    // the bare bot never has (such an update would be answered 503 here).
    db: {
      $executeRaw: () => Promise.reject(new Error("the baseline has no database")),
    } as unknown as Db,
    secretToken: WEBHOOK_SECRET,
    webhookPath: WEBHOOK_PATH,
    ping: async () => {},
    logger,
  });
}
const port = await listen(server, 0, "127.0.0.1");

function stats(gc: boolean): ServerStats {
  if (gc && global.gc) {
    // Two passes: the first may only schedule finalizers whose memory the second frees.
    global.gc();
    global.gc();
  }
  const cpu = process.cpuUsage();
  return {
    memory: process.memoryUsage(),
    maxRss: process.resourceUsage().maxRSS * 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    log: counts,
  };
}

process.on("message", async (m: { type: string; id: number; gc?: boolean }) => {
  if (m.type === "stats") process.send!({ type: "reply", id: m.id, result: stats(m.gc === true) });
  if (m.type === "stop") {
    await closeServer(server);
    await closeDatabase();
    process.send!({ type: "reply", id: m.id, result: null }, () => process.exit(0));
  }
});
// The parent went away (crashed, killed): do not linger.
process.on("disconnect", () => process.exit(1));
process.send!({ type: "ready", port });
