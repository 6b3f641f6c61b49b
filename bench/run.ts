/**
 * The self-assessment benchmarks (see bench/RESULTS.md for the recorded numbers).
 *
 *   npm run bench -- [all|throughput|flat-cost|memory|queries|http-files] [options]   (answers = throughput)
 *   npm run bench -- drills [all|kill|pair|pg] [options]   fault drills, see bench/drills.ts
 *   npm run bench -- appraisal [--db both] [--units 10000] [--questions 100] [--runs 7]
 *                                 results after appraisal round 1 at province scale: /diem,
 *                                 /donvi, /tiendo and /xuat (bench/appraisal.ts, bench/APPRAISAL.md)
 *   npm run bench -- actions [--db both] [--units 10000] [--actions 50000] [--runs 7]
 *                                 corrective actions at province scale: the overdue digest,
 *                                 /tiendo's counts, the planner (bench/actions.ts, bench/ACTIONS.md)
 *   npm run bench -- minutes [--runs 30] [--findings 30] [--actions 20]
 *                                 DOCX of a visit's minutes and conclusion (bench/minutes.ts, bench/MINUTES.md)
 *   npm run bench -- zalo [options]   Zalo beside Telegram (issue 12, bench/zalo.ts, bench/ZALO.md):
 *                                 --officers on each channel, closed loop, alternating phases
 *
 *   all = throughput, flat-cost and memory (the issue's targets); queries is a diagnostic:
 *   Prisma operations and their cost per kind of update (not part of all). http-files
 *   (issue 11, not part of all): a file uploaded through the upload page and downloaded
 *   through its link, per file store: MB/s and the server's RSS growth (bench/FILES.md).
 *
 *   --db sqlite|postgresql|both   databases to run on (default both)
 *   --officers 200                throughput: simulated officers, one unit each
 *   --seconds 20                  throughput: measured window per run
 *   --warmup 3                    throughput: closed-loop load before the window opens
 *   --paced 30                    throughput: paced phase before the closed loop (0 = skip);
 *                                 30 s ≈ 1,200 updates, so p99 is not one unlucky update
 *   --think 5                     throughput: mean think time before each update when paced;
 *                                 zalo: before every update (0 = closed loop)
 *   --rounds 2                    zalo: Telegram + Zalo phase pairs (each --warmup + --seconds)
 *   --channels telegram,zalo      zalo: channels with a measured phase (both are linked)
 *   --reps 300                    flat cost: timed answers per position
 *   --memory-officers 10000       memory: officers mid-questionnaire
 *   --memory-db sqlite            memory: databases (default sqlite: 10,000 answers take the
 *                                 bot minutes; sqlite|postgresql|both, within --db)
 *   --cycles 200                  queries: open + answer cycles of one officer
 *   --file-mb 10                  http-files: size of the file, MB
 *   --file-runs 5                 http-files: measured round trips per store (median reported)
 *   --stores local,database       http-files: file stores (FILE_STORAGE) to run
 *   --pg-url URL                  PostgreSQL server (default $BENCH_PG_URL or
 *                                 postgresql://postgres@127.0.0.1:5432/postgres); a database
 *                                 is created for each run and dropped after it
 *   --json FILE                   also write the results as JSON
 *   --cpu-prof DIR                write V8 CPU profiles of the bot server processes to DIR
 *                                 (for flat cost, which runs in this process, use
 *                                 `node --cpu-prof --import tsx bench/run.ts flat-cost`)
 *
 * Everything stays on 127.0.0.1: the bot's Bot API is the loopback fake (src/dev/fake-bot-api.ts).
 */
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { connectPg } from "../src/db/pg-connection.ts";
import type { Provider } from "../src/db/url.ts";
import { type FlatCostResult, runFlatCost } from "./flat-cost.ts";
import { type FileStorage, type HttpFilesResult, median, runHttpFiles, type Transfer } from "./http-files.ts";
import { formatSummary, type LogCounts, mb, ms } from "./lib.ts";
import { type MemoryResult, runMemory } from "./memory.ts";
import { runQueries, type UpdateCost } from "./queries.ts";
import { runThroughput, type ThroughputResult } from "./throughput.ts";
import { type ChannelName, loadAverage, runZaloBench, type ZaloBenchResult } from "./zalo.ts";

// The fault drills, the appraisal and the actions benchmarks have options of their own
// (bench/drills.ts, bench/appraisal.ts, bench/actions.ts).
if (process.argv[2] === "drills") await import("./drills.ts");
if (process.argv[2] === "appraisal") await import("./appraisal.ts");
if (process.argv[2] === "actions") await import("./actions.ts");
if (process.argv[2] === "minutes") await import("./minutes.ts");

const TARGETS = { throughputRatio: 0.5, p99Ms: 25, flatRatio: 1.2, rssMb: 200, fileRssMb: 10, zaloCpuRatio: 1.2 };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    db: { type: "string", default: "both" },
    officers: { type: "string", default: "200" },
    seconds: { type: "string", default: "20" },
    warmup: { type: "string", default: "3" },
    paced: { type: "string", default: "30" },
    think: { type: "string", default: "5" },
    rounds: { type: "string", default: "2" },
    channels: { type: "string", default: "telegram,zalo" },
    reps: { type: "string", default: "300" },
    "memory-officers": { type: "string", default: "10000" },
    "memory-db": { type: "string", default: "sqlite" },
    cycles: { type: "string", default: "200" },
    "file-mb": { type: "string", default: "10" },
    "file-runs": { type: "string", default: "5" },
    stores: { type: "string", default: "local,database" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
    json: { type: "string" },
    "cpu-prof": { type: "string" },
  },
});

// "answers" is the issue's name for the throughput benchmark.
const what = positionals[0] === "answers" ? "throughput" : (positionals[0] ?? "all");
if (!["all", "throughput", "flat-cost", "memory", "queries", "http-files", "zalo"].includes(what)) {
  console.error(`unknown benchmark "${what}": all | throughput | flat-cost | memory | queries | http-files | zalo`);
  process.exit(2);
}
const providersOf = (option: "db" | "memory-db"): Provider[] => {
  const v = values[option];
  const list: Provider[] = v === "both" ? ["sqlite", "postgresql"] : v === "sqlite" || v === "postgresql" ? [v] : [];
  if (list.length === 0) {
    console.error(`--${option} ${v}: sqlite | postgresql | both`);
    process.exit(2);
  }
  return list;
};
const providers = providersOf("db");
const memoryProviders = providersOf("memory-db").filter((p) => providers.includes(p));
/** A bounded positive integer option. */
function count(name: keyof typeof values, max: number): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name} ${values[name]}: a whole number from 1 to ${max}`);
    process.exit(2);
  }
  return n;
}
const pgUrl = values["pg-url"]!;
const officers = count("officers", 2000);
const seconds = count("seconds", 120);
const warmup = count("warmup", 60);
const paced = values.paced === "0" ? 0 : count("paced", 120);
const think = count("think", 60);
const rounds = count("rounds", 20);
const channels = values.channels!.split(",").map((s) => s.trim()) as ChannelName[];
if (channels.length === 0 || channels.some((c) => c !== "telegram" && c !== "zalo")) {
  console.error(`--channels ${values.channels}: telegram, zalo or telegram,zalo`);
  process.exit(2);
}
const reps = count("reps", 5000);
const memoryOfficers = count("memory-officers", 100_000);
const cycles = count("cycles", 10_000);
const cpuProfileDir = values["cpu-prof"];
const fileMb = count("file-mb", 500);
const fileRuns = count("file-runs", 50);
const stores = values.stores!.split(",").map((s) => s.trim()) as FileStorage[];
if (stores.length === 0 || stores.some((s) => s !== "local" && s !== "database")) {
  console.error(`--stores ${values.stores}: local, database or local,database`);
  process.exit(2);
}

if (providers.includes("postgresql")) {
  try {
    await (await connectPg(pgUrl, { connectionTimeoutMillis: 5000 })).end();
  } catch (e) {
    console.error(`PostgreSQL at ${pgUrl} does not answer (${(e as Error).message}); use --db sqlite or --pg-url`);
    process.exit(1);
  }
}

const started = new Date();
const line = (s = "") => console.log(s);
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
const logLine = (log: LogCounts) =>
  `bot log: ${log.error} errors, ${log.warn} warnings${log.samples.length ? `\n      first: ${log.samples[0]}` : ""}`;

line(`cchc-bot self-assessment benchmark — ${started.toISOString()}`);
line(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${mb(totalmem())} RAM, ${process.platform}`,
);
line(`args: ${process.argv.slice(2).join(" ") || "(none)"}`);

const results: {
  throughput?: ThroughputResult;
  flatCost?: FlatCostResult[];
  memory?: MemoryResult[];
  queries?: Array<{ provider: Provider; costs: UpdateCost[] }>;
  httpFiles?: HttpFilesResult[];
  zalo?: ZaloBenchResult[];
} = {};

if (what === "all" || what === "throughput") {
  line(
    `\n== Answer throughput: ${officers} officers; paced ${paced} s (think ${think} s); closed loop ${warmup} s warm-up + ${seconds} s measured`,
  );
  const r = await runThroughput(providers, { officers, seconds, warmup, paced, think, pgUrl, cpuProfileDir });
  results.throughput = r;
  line(
    `   ${r.questionsInRotation} questions in rotation; one cycle = open question (button) + answer (typed or tapped)`,
  );
  for (const run of [{ result: r.baseline }, ...r.runs]) {
    const x = run.result;
    line(`\n-- ${x.label}`);
    if (x.paced) {
      line(`   paced: ${x.paced.updatesPerSecond.toFixed(1)} updates/s offered over ${x.paced.seconds.toFixed(1)} s`);
      line(`     all updates: ${formatSummary(x.paced.latency.all)}`);
      line(`     open:        ${formatSummary(x.paced.latency.open)}`);
      line(`     answer:      ${formatSummary(x.paced.latency.answer)}`);
    }
    line(
      `   closed loop: ${x.updatesPerSecond.toFixed(0)} updates/s (${x.answersPerSecond.toFixed(0)} answers/s) over ${x.windowSeconds.toFixed(1)} s`,
    );
    line(`   all updates: ${formatSummary(x.latency.all)}`);
    line(`   open:        ${formatSummary(x.latency.open)}`);
    line(`   answer:      ${formatSummary(x.latency.answer)}`);
    line(`     typed:     ${formatSummary(x.latency.answerTyped)}`);
    line(`     tapped:    ${formatSummary(x.latency.answerTapped)}`);
    line(
      `   CPU in window: bot server ${(x.cpuMs.botServer / 1000).toFixed(1)} s, generator + fake API ${(x.cpuMs.generatorAndFake / 1000).toFixed(1)} s, other processes ${(x.cpuMs.otherProcesses / 1000).toFixed(1)} s; bot RSS after ${mb(x.serverRssAfter)}`,
    );
    line(
      `   non-200: ${x.non200}, webhook timeouts (≥ 9 s): ${x.timedOut}, no message to press on: ${x.noMessage}, missing buttons: ${x.missingButtons}, ${logLine(x.log)}`,
    );
    if ("verification" in run) {
      const v = run.verification;
      line(
        `   stored: ${v.answers} answers + ${v.revisions} revisions (${v.answerAudits} audit entries) for ${v.answerUpdates} answer updates; ${v.processedUpdates} of ${v.updates} updates recorded — ${v.answersMatch && v.updatesMatch ? "all stored" : "MISMATCH"}`,
      );
      line(
        `   vs baseline: ${run.ratioToBaseline.toFixed(2)}× throughput (target ≥ ${TARGETS.throughputRatio}: ${verdict(run.ratioToBaseline >= TARGETS.throughputRatio)})`,
      );
      const p99 = (label: string, p: number) => `${label} ${ms(p)} (${verdict(p <= TARGETS.p99Ms)})`;
      line(
        `   p99 target ≤ ${TARGETS.p99Ms} ms: ${[x.paced && p99("paced", x.paced.latency.all.p99), p99("closed loop", x.latency.all.p99)].filter(Boolean).join(", ")}`,
      );
    }
  }
}

if (what === "all" || what === "flat-cost") {
  results.flatCost = [];
  for (const provider of providers) {
    line(`\n== Flat cost on ${provider}: ${reps} answers at each position, in-process bot.handleUpdate`);
    const r = await runFlatCost(provider, { reps, warmupReps: 20, pgUrl });
    results.flatCost.push(r);
    line(`   questionnaire of ${r.questions} questions`);
    line(`   question ${r.early.position}: ${formatSummary(r.early.latency)}`);
    line(`   question ${r.late.position}: ${formatSummary(r.late.latency)}`);
    line(
      `   ratio ${r.late.position}/${r.early.position}: p50 ${r.ratioP50.toFixed(2)}, mean ${r.ratioMean.toFixed(2)} (target ≤ ${TARGETS.flatRatio}: ${verdict(r.ratioP50 <= TARGETS.flatRatio)})`,
    );
    line(`   answers not stored: ${r.notStored}, ${logLine(r.log)}`);
  }
}

if (what === "all" || what === "memory") {
  results.memory = [];
  for (const provider of memoryProviders) {
    line(
      `\n== Memory on ${provider}: ${memoryOfficers} officers mid-questionnaire, one answer each, via the webhook (40 connections)`,
    );
    const r = await runMemory(provider, { officers: memoryOfficers, concurrency: 40, pgUrl, cpuProfileDir });
    results.memory.push(r);
    line(`   seeded ${r.officers} officers + ${r.preAnswered} answers in ${r.seedSeconds.toFixed(1)} s`);
    line(
      `   bot process before: RSS ${mb(r.before.rss)}, heap used ${mb(r.before.heapUsed)} of ${mb(r.before.heapTotal)}, external ${mb(r.before.external)}`,
    );
    line(
      `   bot process after:  RSS ${mb(r.after.rss)}, heap used ${mb(r.after.heapUsed)} of ${mb(r.after.heapTotal)}, external ${mb(r.after.external)}`,
    );
    line(`   RSS after GC as answers come in: ${r.checkpoints.map(([n, b]) => `${n}: ${mb(b)}`).join(", ")}`);
    line(
      `   peak RSS ${mb(r.peakRss)} (target: RSS after < ${TARGETS.rssMb} MB: ${verdict(r.after.rss < TARGETS.rssMb * 1024 * 1024)})`,
    );
    line(`   ${r.officers} answers in ${r.loadSeconds.toFixed(1)} s: ${formatSummary(r.latency)}`);
    line(
      `   stored ${r.answersStored} new answers, ${r.processedUpdates} updates recorded, non-200: ${r.non200}, webhook timeouts (≥ 9 s): ${r.timedOut}, ${logLine(r.log)}`,
    );
  }
}

if (what === "queries") {
  results.queries = [];
  for (const provider of providers) {
    line(`\n== Prisma operations per update on ${provider}: one officer, ${cycles} cycles, in-process`);
    const costs = await runQueries(provider, { cycles, pgUrl });
    results.queries.push({ provider, costs });
    for (const c of costs) {
      line(
        `\n-- ${c.kind}: ${c.updates} updates, ${ms(c.meanMs)} each, ${c.operationsPerUpdate.toFixed(1)} Prisma operations (${ms(c.prismaMsPerUpdate)} inside them)`,
      );
      for (const op of c.operations) {
        line(`   ${op.perUpdate.toFixed(2).padStart(5)} × ${op.operation.padEnd(34)} ${ms(op.meanMs)} each`);
      }
    }
  }
}

if (what === "http-files") {
  results.httpFiles = [];
  const rate = (ts: Transfer[]) =>
    `${median(ts.map((t) => t.mbPerSecond)).toFixed(1)} MB/s (runs ${ts.map((t) => t.mbPerSecond.toFixed(0)).join(", ")})`;
  const growth = (ts: Transfer[]) => {
    const worst = Math.max(...ts.map((t) => t.rssGrowth));
    const most = (f: (t: Transfer) => number) => mb(Math.max(...ts.map(f)));
    return `RSS +${mb(median(ts.map((t) => t.rssGrowth)))} median, +${mb(worst)} worst (runs ${ts.map((t) => (t.rssGrowth / 1024 / 1024).toFixed(1)).join(", ")}; target < ${TARGETS.fileRssMb} MB: ${verdict(worst < TARGETS.fileRssMb * 1024 * 1024)}); at most Buffers +${most((t) => t.rss.buffersGrowth)}, heap +${most((t) => t.rss.heapGrowth)}; kept after GC at most ${most((t) => t.rss.kept)}`;
  };
  for (const provider of providers) {
    for (const store of stores) {
      line(
        `\n== ${fileMb} MB through the HTTP server on ${provider}, ${store} store: upload page POST, then the /e/ link, ${fileRuns} runs`,
      );
      const r = await runHttpFiles(provider, store, { pgUrl, mb: fileMb, runs: fileRuns, stores });
      results.httpFiles.push(r);
      line(`   upload:   ${rate(r.uploads)}`);
      line(`             ${growth(r.uploads)}`);
      line(`   download: ${rate(r.downloads)}`);
      line(`             ${growth(r.downloads)}`);
      line(
        `   peak RSS measured by ${r.uploads[0]?.rss.how}; bot RSS before the first run ${mb(r.uploads[0]!.rss.before)}; ${logLine(r.log)}`,
      );
    }
  }
}

if (what === "zalo") {
  results.zalo = [];
  line(
    `\n== Zalo beside Telegram: ${officers} officers on each channel, one bot process (webhooks for both), ${values.think === "0" ? "closed loop" : `think ${think} s before each update`}; ${rounds} round(s) of ${channels.join(" + ")}, each ${warmup} s warm-up + ${seconds} s measured; load average ${loadAverage()}`,
  );
  for (const provider of providers) {
    const r = await runZaloBench(provider, {
      officers,
      seconds,
      warmup,
      rounds,
      think: values.think === "0" ? 0 : think,
      pgUrl,
      cpuProfileDir,
      channels,
    });
    results.zalo.push(r);
    line(`\n-- ${provider}`);
    for (const t of r.totals) {
      line(
        `   ${t.channel.padEnd(8)} ${t.updatesPerSecond.toFixed(1).padStart(6)} updates/s · ${formatSummary(t.latency)} · bot CPU ${ms(t.cpuPerUpdateMs)}/update`,
      );
    }
    const pass = r.cpuRatio > 0 && r.cpuRatio <= TARGETS.zaloCpuRatio;
    if (r.cpuRatio > 0)
      line(
        `   CPU per update Zalo / Telegram: ${r.cpuRatio.toFixed(2)}× (target ≤ ${TARGETS.zaloCpuRatio}×: ${verdict(pass)})`,
      );
    for (const v of r.verification) {
      line(
        `   ${v.channel.padEnd(8)} stored: ${v.answers} answers + ${v.revisions} revisions for ${v.answerUpdates} answer updates (${v.savedReplies} "saved" replies) — ${v.answersMatch ? "all stored" : "MISMATCH"}; ${v.processedKeys} keys for ${v.events} events — ${v.keysMatch ? "each recorded once" : "MISMATCH"}; ${v.replies} replies, ${v.noReply} without one, ${v.extraReplies} extra; ${v.lost} times lost (started over)`,
      );
    }
    line(
      `   Zalo API refusals: ${r.zaloViolations}; bot log (${r.log.file}): ${r.log.warn} warn, ${r.log.error} error, ${r.log.fatal} fatal${r.log.top.length ? `\n     ${r.log.top.join("\n     ")}` : ""}`,
    );
  }
  line("\n| database | channel | updates/s | p50 | p99 | bot CPU / update | Zalo/Telegram CPU |");
  line("|---|---|---:|---:|---:|---:|---:|");
  for (const r of results.zalo) {
    for (const t of r.totals) {
      line(
        `| ${r.provider} | ${t.channel} | ${t.updatesPerSecond.toFixed(1)} | ${ms(t.latency.p50)} | ${ms(t.latency.p99)} | ${ms(t.cpuPerUpdateMs)} | ${t.channel === "zalo" && r.cpuRatio > 0 ? `${r.cpuRatio.toFixed(2)}×` : ""} |`,
      );
    }
  }
  line(`load average at the end: ${loadAverage()}`);
}

line(`\ndone in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
if (values.json)
  writeFileSync(
    values.json,
    `${JSON.stringify({ started, node: process.version, cpus: cpus().length, results }, null, 2)}\n`,
  );
