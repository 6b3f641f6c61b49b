/**
 * Coordinator status at province scale (numbers in bench/STATUS.md):
 *
 *   npx tsx bench/status.ts [--db sqlite|postgresql] [--units 10000] [--questions 100]
 *                           [--export-units 1000] [--runs 7] [--index none|cover|both]
 *
 * Generates a synthetic province (units × a generated questionnaire, every question
 * answered: 1,000,000 answers by default) with bulk multi-row INSERTs, then times
 * /tiendo, /chuanop, /diem and /donvi end to end through the real bot (bot.handleUpdate,
 * Bot API calls answered by a recording transformer, no network), and the streamed .xlsx
 * export of 1,000 units (time and peak RSS of this process).
 *
 * --index cover adds, ad hoc, the index proposed in STATUS.md
 * (Answer(campaignId, unitId, questionId, selfScore)); `both` measures without, then with.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Db } from "../src/db/client.ts";
import type { Provider } from "../src/db/url.ts";
import { findQuestion, saveAnswer } from "../src/domain/assessment.ts";
import { campaignShape } from "../src/domain/status.ts";
import { createI18n } from "../src/i18n.ts";
import { writeXlsx } from "../src/reports/export.ts";
import { createBenchDatabase, elapsedMs, mb, ms, summarize } from "./lib.ts";
import {
  BASE_PERSON,
  BASE_UNIT,
  BulkWriter,
  coordinatorBot,
  type Province,
  type Sent,
  seedProvince,
  sentLine,
  typedUnitName,
} from "./province.ts";

const { values } = parseArgs({
  options: {
    db: { type: "string", default: "sqlite" },
    units: { type: "string", default: "10000" },
    questions: { type: "string", default: "100" },
    "export-units": { type: "string", default: "1000" },
    runs: { type: "string", default: "7" },
    index: { type: "string", default: "none" },
    keep: { type: "boolean", default: false },
    "skip-export": { type: "boolean", default: false },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
  },
});

const provider = values.db as Provider;
if (provider !== "sqlite" && provider !== "postgresql") throw new Error("--db sqlite|postgresql");
const UNITS = Number(values.units);
const QUESTIONS = Number(values.questions);
const AREAS = 10;
const EXPORT_UNITS = Math.min(UNITS, Number(values["export-units"]));
const RUNS = Number(values.runs);

// ---------------------------------------------------------------- generation

/**
 * Every unit a district; a quarter submitted everything, half some areas, a quarter
 * nothing; a third of the units sent evidence (bench/province.ts).
 */
function seed(w: BulkWriter): Promise<Province> {
  return seedProvince(w, {
    units: UNITS,
    questions: QUESTIONS,
    areas: AREAS,
    submittedAreas: (i, areas) => (i % 4 === 0 ? areas : i % 4 === 3 ? 0 : 1 + (i % (areas - 1))),
    evidenceOf: (i) => i % 3 === 0,
  });
}

// ---------------------------------------------------------------- timing through the bot

async function timeCommands(db: Db, url: string, label: string) {
  const { run } = coordinatorBot(db, url);
  const unitName = typedUnitName(Math.floor(UNITS / 2) + 6, "DISTRICT");
  const commands = [
    { text: "/tiendo", chart: true },
    { text: "/chuanop", chart: false },
    { text: "/chuanop 3", chart: false },
    { text: "/diem", chart: true },
    { text: "/diem 3", chart: true },
    { text: `/donvi ${unitName}`, chart: false },
    { text: "/donvi sông mã", chart: false }, // no match: suggestions over every unit
  ];
  // Officers keep answering while coordinators look: before each timed command, a few
  // answers are written the way the bot writes them (audited), so the totals kept for
  // /tiendo and /diem are brought up to date, not just read.
  const campaign = await db.campaign.findFirstOrThrow({ where: { code: "bench-province" } });
  const questions = await db.question.findMany({ where: { questionnaireId: campaign.questionnaireId! } });
  let seq = 0;
  const officersAnswer = async (count: number) => {
    for (let k = 0; k < count; k++) {
      seq++;
      // Units with nothing submitted (every 4th, see seed()), so every write is accepted.
      const unitIndex = ((seq * 7919) % Math.max(1, Math.floor(UNITS / 4))) * 4 + 3;
      const scope = { campaign, unitId: BASE_UNIT + unitIndex + 1, unitKind: "DISTRICT" as const };
      const q = (await findQuestion(db, scope, questions[(seq * 31) % questions.length]!.id))!;
      await saveAnswer(
        db,
        scope,
        q,
        { value: seq % 2 ? "yes" : "no", selfScore: seq % 2 },
        BASE_PERSON + unitIndex + 1,
        {
          now: new Date(),
        },
      );
    }
  };
  const rows: string[] = [];
  for (const c of commands) {
    const total: number[] = [];
    const textOnly: number[] = [];
    let cold = 0;
    let sent: Sent[] = [];
    for (let r = 0; r < RUNS + 1; r++) {
      if (r > 0) await officersAnswer(5);
      const timing = await run(c.text);
      sent = timing.sent;
      if (r === 0) {
        cold = timing.textMs; // the first look after start (a full read for /tiendo and /diem)
        continue;
      }
      total.push(timing.totalMs);
      textOnly.push(timing.textMs);
    }
    const t = summarize(total);
    const x = summarize(textOnly);
    rows.push(
      `| ${label} | \`${c.text}\` | ${ms(cold)} | ${ms(x.p50)} | ${ms(x.max)} | ${c.chart ? `${ms(t.p50)} | ${ms(t.max)}` : "– | –"} | ${sentLine(sent)} |`,
    );
    console.log(rows.at(-1));
  }
  return rows;
}

// ---------------------------------------------------------------- export

async function timeExport(db: Db, seeded: Province, label: string) {
  const campaign = await db.campaign.findUniqueOrThrow({ where: { id: seeded.campaignId } });
  const shape = await campaignShape(db, campaign);
  const dir = mkdtempSync(join(tmpdir(), "cchc-export-"));
  const file = join(dir, "export.xlsx");
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = process.hrtime.bigint();
  const out = createWriteStream(file);
  const closed = new Promise<void>((resolve) => out.on("close", () => resolve()));
  const i18n = createI18n("vi");
  const result = await writeXlsx(db, shape, out, {
    t: i18n.forLocale("vi"),
    locale: "vi",
    timeZone: "Asia/Ho_Chi_Minh",
    unitIds: seeded.unitIds.slice(0, EXPORT_UNITS),
  });
  await closed;
  const seconds = elapsedMs(start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const size = statSync(file).size;
  rmSync(dir, { recursive: true, force: true });
  const row = `| ${label} | ${result.units.toLocaleString("en")} units, ${result.answers.toLocaleString("en")} answer rows | ${seconds.toFixed(2)} s | ${mb(size)} | ${mb(before)} → ${mb(peak)} (+${mb(peak - before)}) |`;
  console.log(row);
  return row;
}

// ---------------------------------------------------------------- main

async function main() {
  console.log(`status bench: ${provider}, ${UNITS.toLocaleString("en")} units × ${QUESTIONS} questions`);
  const database = await createBenchDatabase(provider, values["pg-url"]);
  try {
    const seeded = await seed(new BulkWriter(database.db, provider));
    console.log(
      `seeded ${seeded.answers.toLocaleString("en")} answers, ${seeded.submissions.toLocaleString("en")} submissions, ` +
        `${seeded.evidence.toLocaleString("en")} evidence files in ${seeded.seconds.toFixed(1)} s`,
    );
    const modes = values.index === "both" ? ["none", "cover"] : [values.index!];
    const rows: string[] = [];
    const exportRows: string[] = [];
    for (const mode of modes) {
      if (mode === "cover") {
        await database.db.$executeRawUnsafe(
          `CREATE INDEX IF NOT EXISTS "bench_Answer_cover" ON "Answer"("campaignId", "unitId", "questionId", "selfScore")`,
        );
        await database.db.$executeRawUnsafe("ANALYZE");
      }
      const label = `${provider}${mode === "cover" ? " + index" : ""}`;
      console.log("| db | command | first | text p50 | text max | with chart p50 | with chart max | sent |");
      rows.push(...(await timeCommands(database.db, database.url, label)));
      if (!values["skip-export"]) exportRows.push(await timeExport(database.db, seeded, label));
    }
  } finally {
    if (values.keep) {
      console.log(`kept: ${database.url}`);
      await database.close();
    } else await database.destroy();
  }
}

await main();
