/**
 * Notice delivery benchmark (numbers recorded in bench/NOTICES.md).
 *
 *   npx tsx bench/notices.ts [options]
 *
 * Sender processes (this file with --child) deliver notices from a real database to the
 * loopback fake Bot API, which accepts at most 30 messages/s overall and 1/s per chat and
 * answers 429 with retry_after beyond that. Each run counts accepted messages per notice:
 * duplicates (a notice accepted twice), lost (a notice never accepted, or not SENT in the
 * database), 429 answers, and the sustained rate.
 *
 *   main  one sender process, --count notices (default 5,000) to --chats chats (200)
 *   kill  one sender, kill -9 once --kill-at of the notices went out, restart: nothing may be
 *         lost; only notices in flight at the kill may go twice (--kill-count, default 1,500)
 *   pair  two sender processes at once on one PostgreSQL database (--pair-count, default 1,500)
 *
 * Options: --runs main,kill,pair  --db sqlite|postgresql (main and kill; pair is always
 * PostgreSQL)  --rate 28 (sender's messages/s, all processes together)  --limit 30 (the fake's
 * messages/s)  --stale-ms 5000 (claims older than this are reclaimed)  --pg-url URL
 * --no-write (do not update bench/NOTICES.md). 5,000 at 28/s take about three minutes.
 */
import { type ChildProcess, fork } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Api } from "grammy";
import pino from "pino";
import { openDatabase } from "../src/db/client.ts";
import type { Provider } from "../src/db/url.ts";
import { type ApiCall, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { enqueueNotices } from "../src/domain/notices.ts";
import { createI18n } from "../src/i18n.ts";
import { NoticeSender } from "../src/jobs/sender.ts";
import { createBenchDatabase } from "./lib.ts";

const TOKEN = "123456:BENCH-token-abcdefghijklmnopqrstuvwxyz";
const SELF = fileURLToPath(import.meta.url);
const MARK = /bench #(\d+)/;

const { values } = parseArgs({
  options: {
    child: { type: "boolean", default: false },
    runs: { type: "string", default: "main,kill,pair" },
    db: { type: "string", default: "sqlite" },
    count: { type: "string", default: "5000" },
    "kill-count": { type: "string", default: "1500" },
    "pair-count": { type: "string", default: "1500" },
    "kill-at": { type: "string", default: "0.4" },
    chats: { type: "string", default: "200" },
    rate: { type: "string", default: "28" },
    limit: { type: "string", default: "30" },
    "stale-ms": { type: "string", default: "5000" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
    "no-write": { type: "boolean", default: false },
  },
});

// ─── Child: one sender process ───────────────────────────────────────────────────────────────

async function child() {
  const env = process.env;
  const logger = pino({ level: "warn" }, pino.destination(2));
  const database = await openDatabase(env.BENCH_DB_URL!, { migrate: false, poolSize: 4 });
  const sender = new NoticeSender({
    db: database.db,
    api: new Api(TOKEN, { apiRoot: env.BENCH_API_URL!, timeoutSeconds: 30 }),
    i18n: createI18n("vi"),
    logger,
    timeZone: "Asia/Ho_Chi_Minh",
    coordinatorIds: [],
    ratePerSecond: Number(env.BENCH_RATE),
    staleAfterMs: Number(env.BENCH_STALE_MS),
    pollMs: 200,
    id: env.BENCH_SENDER_ID,
  });
  sender.start();
  process.send?.({ ready: true });
  process.once("SIGTERM", async () => {
    await sender.stop();
    process.send?.({ stats: sender.stats });
    await database.close();
    process.exit(0);
  });
}

// ─── Parent: runs and measurements ───────────────────────────────────────────────────────────

interface RunResult {
  name: string;
  db: Provider;
  notices: number;
  chats: number;
  processes: string;
  seconds: number;
  /** Accepted messages per second between the first and the last one. */
  rate: number;
  /** Median of accepted messages per second over 5-second windows. */
  sustained: number;
  /** The slowest 5-second window. */
  minWindow: number;
  duplicates: number;
  lost: number;
  rateLimited: number;
  note: string;
}

function startSender(dbUrl: string, apiUrl: string, id: string): Promise<ChildProcess> {
  const proc = fork(SELF, ["--child"], {
    execArgv: ["--import", "tsx"],
    env: {
      ...process.env,
      BENCH_DB_URL: dbUrl,
      BENCH_API_URL: apiUrl,
      BENCH_RATE: values.rate,
      BENCH_STALE_MS: values["stale-ms"],
      BENCH_SENDER_ID: id,
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    proc.once("message", () => resolve(proc));
    proc.once("exit", (code) => reject(new Error(`sender ${id} exited with ${code} before starting`)));
  });
}

function stopSender(proc: ChildProcess): Promise<unknown> {
  return new Promise((resolve) => {
    proc.on("message", (m: { stats?: unknown }) => m.stats && resolve(m.stats));
    proc.once("exit", () => resolve(null));
    proc.kill("SIGTERM");
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(
  name: string,
  provider: Provider,
  count: number,
  senders: number,
  killAt: number | null,
): Promise<RunResult> {
  const chats = Number(values.chats);
  const database = await createBenchDatabase(provider, values["pg-url"]);
  const fake = await startFakeBotApi({
    rateLimit: { perSecond: Number(values.limit), perChatPerSecond: 1 },
    recordCalls: false,
    maxMessagesPerChat: 50,
  });
  const accepted = new Map<number, number>();
  const times: number[] = [];
  let rateLimited = 0;
  // Why each 429 came: the chat had a message less than a second before, or the global window.
  const lastByChat = new Map<number, number>();
  let perChat429 = 0;
  fake.onCall((call: ApiCall) => {
    if (call.method !== "sendMessage") return;
    const chat = Number(call.payload.chat_id);
    if (!call.ok) {
      if (call.error?.error_code === 429) {
        rateLimited++;
        if (call.startedAt - (lastByChat.get(chat) ?? 0) < 1000) perChat429++;
      }
      return;
    }
    lastByChat.set(chat, call.startedAt);
    const n = Number(MARK.exec(String(call.payload.text))?.[1]);
    accepted.set(n, (accepted.get(n) ?? 0) + 1);
    times.push(call.startedAt + call.durationMs);
  });
  try {
    const db = database.db;
    const people: { id: number }[] = [];
    for (let i = 0; i < chats; i++) {
      const id = String(50_000_000 + i);
      people.push(
        await db.person.create({
          data: {
            displayName: `Người ${i}`,
            channels: { create: { channel: "telegram", externalId: id, chatId: id } },
          },
        }),
      );
    }
    // Due all at once, recipients in random order: the worst case for per-chat spacing.
    const now = new Date();
    const rows = Array.from({ length: count }, (_, i) => ({
      recipientId: people[Math.floor(Math.random() * chats)]!.id,
      kind: "assessment.reminder",
      payload: {
        unitName: `Đơn vị bench #${i}`,
        deadline: null,
        missing: [{ area: "3. Cải cách thủ tục hành chính", answered: 2, total: 9 }],
        sentBy: "Benchmark",
      },
      dueAt: now,
      idempotencyKey: `bench:${i}`,
    }));
    for (let i = 0; i < rows.length; i += 500) await enqueueNotices(db, rows.slice(i, i + 500));

    const procs = await Promise.all(
      Array.from({ length: senders }, (_, i) => startSender(database.url, fake.url, `${name}-${i + 1}`)),
    );
    let note = senders > 1 ? `${senders} processes at once` : "one process";
    const started = Date.now();
    const timeoutMs = (count / Number(values.rate)) * 1000 * 2 + 60_000;
    let killed = false;
    while (Date.now() - started < timeoutMs) {
      await sleep(200);
      if (killAt !== null && !killed && accepted.size >= count * killAt) {
        procs[0]!.kill("SIGKILL");
        await new Promise((r) => procs[0]!.once("exit", r));
        const inFlight = await db.notice.count({ where: { status: "SENDING" } });
        note = `kill -9 after ${accepted.size} accepted (${inFlight} claimed, not recorded as sent), restarted at once`;
        procs[0] = await startSender(database.url, fake.url, `${name}-restarted`);
        killed = true;
      }
      // The fake runs in this process: no database polling while it serves (SQLite calls
      // would stall its event loop and bunch arrivals up into false 429s).
      if (
        accepted.size >= count &&
        (await db.notice.count({ where: { status: { in: ["PENDING", "SENDING"] } } })) === 0
      )
        break;
    }
    const stats = await Promise.all(procs.map(stopSender));
    const notSent = await db.notice.count({ where: { status: { not: "SENT" } } });
    const neverAccepted = rows.filter((_, i) => !accepted.has(i)).length;
    const duplicates = [...accepted.values()].reduce((s, c) => s + (c > 1 ? c - 1 : 0), 0);
    times.sort((a, b) => a - b);
    const seconds = times.length > 1 ? (times[times.length - 1]! - times[0]!) / 1000 : 0;
    // Sustained: the median rate over 5-second windows (first and last window left out, as
    // they are partly empty); a restart gap or a 429 pause shows in first→last instead.
    const windows: number[] = [];
    for (let w = times[0]! + 5000; w + 5000 <= times[times.length - 1]!; w += 5000) {
      windows.push(times.filter((t) => t >= w && t < w + 5000).length / 5);
    }
    windows.sort((a, b) => a - b);
    const sustained = windows.length ? windows[Math.floor(windows.length / 2)]! : 0;
    const minWindow = windows[0] ?? 0;
    if (rateLimited) note += `; 429s: ${perChat429} per chat, ${rateLimited - perChat429} global`;
    if (senders > 1)
      note += `; per process: ${stats.map((s) => (s as { sent?: number } | null)?.sent ?? "?").join(" + ")}`;
    return {
      name,
      db: provider,
      notices: count,
      chats,
      processes: String(senders),
      seconds,
      rate: seconds > 0 ? (times.length - 1) / seconds : 0,
      sustained,
      minWindow,
      duplicates,
      lost: Math.max(notSent, neverAccepted),
      rateLimited,
      note,
    };
  } finally {
    await fake.close();
    await database.destroy();
  }
}

function table(results: RunResult[]): string {
  const head =
    "| run | database | notices | chats | sender processes | seconds | msgs/s (first→last) | msgs/s sustained (median 5 s) | slowest 5 s | duplicates | lost | 429 answers | notes |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.db} | ${r.notices} | ${r.chats} | ${r.processes} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(2)} | ${r.sustained.toFixed(2)} | ${r.minWindow.toFixed(1)} | ${r.duplicates} | ${r.lost} | ${r.rateLimited} | ${r.note} |`,
  );
  return [head, ...rows].join("\n");
}

async function parent() {
  const runs = values.runs.split(",").map((s) => s.trim());
  const provider = values.db as Provider;
  const results: RunResult[] = [];
  for (const name of runs) {
    console.error(`notices bench: ${name} …`);
    const result =
      name === "main"
        ? await run("main", provider, Number(values.count), 1, null)
        : name === "kill"
          ? await run("kill -9 + restart", provider, Number(values["kill-count"]), 1, Number(values["kill-at"]))
          : name === "pair"
            ? await run("two processes", "postgresql", Number(values["pair-count"]), 2, null)
            : null;
    if (!result) throw new Error(`unknown run "${name}": main | kill | pair`);
    console.error(table([result]).split("\n")[2]);
    results.push(result);
  }
  const out = `# Notice delivery benchmark

Recorded by \`npx tsx bench/notices.ts\` (${new Date().toISOString().slice(0, 10)}; Node ${process.version},
${cpus().length} × ${cpus()[0]?.model ?? "CPU"}). The loopback fake Bot API (src/dev/fake-bot-api.ts)
accepts at most ${values.limit} messages/s overall and 1/s per chat and answers 429 with \`retry_after\`
beyond that. Senders run as separate processes (\`NoticeSender\`, src/jobs/sender.ts) at
${values.rate} messages/s for all processes together; claims older than ${values["stale-ms"]} ms are reclaimed.
Notices are all due at once, to recipients in random order.

${table(results)}

- **msgs/s (first→last)**: accepted messages / time between the first and last accepted one
  (includes the restart of the kill run and every pause after a 429). **sustained**: the
  median rate over 5-second windows; **slowest 5 s**: the worst window.
- **duplicates**: notices the fake accepted more than once. **lost**: notices never accepted,
  or not SENT in the database at the end.
- Sizes: main ${values.count}, kill ${values["kill-count"]} and pair ${values["pair-count"]} notices
  (\`--count\`, \`--kill-count\`, \`--pair-count\`); 5,000 at 28/s take about three minutes.
`;
  if (!values["no-write"]) writeFileSync(new URL("./NOTICES.md", import.meta.url), out);
  console.log(out);
}

if (values.child) await child();
else await parent();
