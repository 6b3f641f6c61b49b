/**
 * The process under test in the HTTP benchmarks, forked by startBotServer() (bench/lib.ts)
 * with --expose-gc, compiled to JavaScript as npm start runs the bot. It serves a webhook on 127.0.0.1 with src/server/http.ts and either
 *   - "app": the real bot, wired by bootstrap() exactly as `npm start` does (database
 *     opened and migrated, default pool size), logging only warnings and errors (counted,
 *     not printed); or
 *   - "baseline": a bare grammY bot that replies "ok" to every message and button press.
 * Both call the loopback fake Bot API of the parent process. "app" also serves the pages
 * signed links open (/u/, /e/…), as npm start does. The parent talks over IPC:
 * { type: "stats", gc } → memory, CPU and log counts; { type: "watch-start" } and
 * { type: "watch-stop" } → the peak RSS in between (RssWatch); { type: "stop" } → close and exit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { Bot } from "grammy";
import { appWebRoutes, bootstrap } from "../src/app.ts";
import type { BotContext } from "../src/bot/index.ts";
import { parseConfig } from "../src/config.ts";
import type { Db } from "../src/db/client.ts";
import { closeServer, createHttpServer, listen } from "../src/server/http.ts";
import {
  BENCH_TOKEN,
  countingLogger,
  type RssWatch,
  type ServerSpec,
  type ServerStats,
  WEBHOOK_PATH,
  WEBHOOK_SECRET,
} from "./lib.ts";

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
    ...(spec.fileStorage ? { FILE_STORAGE: spec.fileStorage } : {}),
    ...(spec.filesDir ? { FILES_DIR: spec.filesDir } : {}),
    ...(spec.maxFileMb ? { MAX_FILE_MB: String(spec.maxFileMb) } : {}),
  });
  const app = await bootstrap(config, { logger, botInfo: spec.botInfo });
  server = createHttpServer({
    bot: app.bot!,
    db: app.database.db,
    secretToken: WEBHOOK_SECRET,
    webhookPath: WEBHOOK_PATH,
    ping: app.database.ping,
    logger,
    maxConcurrentUpdates: config.WEBHOOK_MAX_CONNECTIONS,
    web: appWebRoutes(app),
  });
  closeDatabase = async () => {
    await app.store.close();
    await app.database.close();
  };
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

/** The kernel's peak RSS of this process (VmHWM), bytes; null where /proc has none. */
function highWaterMark(): number | null {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}

interface Watch {
  before: number;
  peak: number;
  timer: NodeJS.Timeout;
  hwm: boolean;
  /** Buffer memory (arrayBuffers) and JavaScript heap: at the start, and the most seen by the sampler. */
  buffers: [number, number];
  heap: [number, number];
}
let watch: Watch | null = null;

function watchStart() {
  stats(true);
  const m = process.memoryUsage();
  const before = m.rss;
  let hwm = false;
  try {
    // "5" resets the peak RSS (VmHWM) to the current RSS (Linux, proc(5)).
    writeFileSync("/proc/self/clear_refs", "5");
    hwm = highWaterMark() !== null;
  } catch {}
  const w: Watch = {
    before,
    peak: before,
    hwm,
    timer: setInterval(() => sample(), 2),
    buffers: [m.arrayBuffers, m.arrayBuffers],
    heap: [m.heapUsed, m.heapUsed],
  };
  const sample = () => {
    const now = process.memoryUsage();
    w.peak = Math.max(w.peak, now.rss);
    w.buffers[1] = Math.max(w.buffers[1], now.arrayBuffers);
    w.heap[1] = Math.max(w.heap[1], now.heapUsed);
  };
  watch = w;
}

function watchStop(): RssWatch | null {
  if (!watch) return null;
  clearInterval(watch.timer);
  const w = watch;
  watch = null;
  const peak = Math.max(w.peak, process.memoryUsage.rss(), (w.hwm && highWaterMark()) || 0);
  stats(true);
  const after = process.memoryUsage();
  return {
    kept: after.arrayBuffers - w.buffers[0] + after.heapUsed - w.heap[0],
    before: w.before,
    peak,
    how: w.hwm ? "VmHWM" : "sampled",
    buffersGrowth: w.buffers[1] - w.buffers[0],
    heapGrowth: w.heap[1] - w.heap[0],
  };
}

process.on("message", async (m: { type: string; id: number; gc?: boolean }) => {
  if (m.type === "stats") process.send!({ type: "reply", id: m.id, result: stats(m.gc === true) });
  if (m.type === "watch-start") {
    watchStart();
    process.send!({ type: "reply", id: m.id, result: null });
  }
  if (m.type === "watch-stop") process.send!({ type: "reply", id: m.id, result: watchStop() });
  if (m.type === "stop") {
    await closeServer(server);
    await closeDatabase();
    process.send!({ type: "reply", id: m.id, result: null }, () => process.exit(0));
  }
});
// The parent went away (crashed, killed): do not linger.
process.on("disconnect", () => process.exit(1));
process.send!({ type: "ready", port });
