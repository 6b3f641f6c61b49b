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
import type { Transformer } from "grammy";
import type { Update } from "grammy/types";
import pino from "pino";
import { createBot } from "../src/bot/index.ts";
import { parseConfig } from "../src/config.ts";
import type { Db } from "../src/db/client.ts";
import type { Provider } from "../src/db/url.ts";
import { DEFAULT_BOT_INFO } from "../src/dev/fake-bot-api.ts";
import { findQuestion, saveAnswer } from "../src/domain/assessment.ts";
import { campaignShape } from "../src/domain/status.ts";
import { fold } from "../src/domain/text.ts";
import { createI18n } from "../src/i18n.ts";
import { writeXlsx } from "../src/reports/export.ts";
import { BENCH_TOKEN, benchFileStore, createBenchDatabase, elapsedMs, mb, ms, summarize } from "./lib.ts";

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
const COORDINATOR_TG = 900_000_001;
const NOW = new Date();
const DAY = 86_400_000;

// ---------------------------------------------------------------- generation

/** A literal for raw SQL: strings quoted, dates in the provider's stored form. */
function lit(v: string | number | boolean | Date | null): string {
  if (v === null) return "NULL";
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return provider === "sqlite" ? (v ? "1" : "0") : v ? "TRUE" : "FALSE";
  if (v instanceof Date) return `'${provider === "sqlite" ? v.toISOString().replace("Z", "+00:00") : v.toISOString()}'`;
  return `'${v.replaceAll("'", "''")}'`;
}

async function insert(db: Db, table: string, columns: string[], rows: (string | number | boolean | Date | null)[][]) {
  const CHUNK = 500;
  const cols = columns.map((c) => `"${c}"`).join(",");
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = rows
      .slice(i, i + CHUNK)
      .map((r) => `(${r.map(lit).join(",")})`)
      .join(",");
    await db.$executeRawUnsafe(`INSERT INTO "${table}" (${cols}) VALUES ${values}`);
  }
}

/** Runs `work` in one transaction on SQLite (one fsync instead of thousands); as is on PostgreSQL. */
async function batch(db: Db, work: () => Promise<void>) {
  if (provider !== "sqlite") return work();
  await db.$executeRawUnsafe("BEGIN");
  try {
    await work();
    await db.$executeRawUnsafe("COMMIT");
  } catch (e) {
    await db.$executeRawUnsafe("ROLLBACK");
    throw e;
  }
}

const DISTRICTS = ["Mộc Châu", "Mai Sơn", "Yên Châu", "Bắc Yên", "Phù Yên", "Mường La", "Sốp Cộp", "Vân Hồ"];

interface Seeded {
  campaignId: number;
  unitIds: number[];
  answers: number;
  submissions: number;
  evidence: number;
  seconds: number;
}

async function seed(db: Db): Promise<Seeded> {
  const start = process.hrtime.bigint();
  const questionnaire = await db.questionnaire.create({
    data: { code: "bench", version: 1, title: "Bộ tiêu chí thử nghiệm", maxPoints: QUESTIONS },
  });
  const perArea = Math.ceil(QUESTIONS / AREAS);
  const questionIds: number[] = [];
  const evidenceRequired: boolean[] = [];
  for (let a = 1; a <= AREAS; a++) {
    const count = Math.min(perArea, QUESTIONS - (a - 1) * perArea);
    if (count <= 0) break;
    const area = await db.reformArea.create({
      data: {
        questionnaireId: questionnaire.id,
        code: String(a),
        title: `Lĩnh vực thử nghiệm ${a}`,
        maxPoints: count,
        order: a,
      },
    });
    const criterion = await db.criterion.create({
      data: { areaId: area.id, code: `${a}.1`, title: `Tiêu chí ${a}.1`, maxPoints: count, order: 1 },
    });
    for (let q = 1; q <= count; q++) {
      const required = q % 3 === 0;
      const question = await db.question.create({
        data: {
          questionnaireId: questionnaire.id,
          criterionId: criterion.id,
          code: `${a}.1.${q}`,
          text: `Câu hỏi thử nghiệm ${a}.1.${q}: đơn vị đã thực hiện nhiệm vụ này chưa?`,
          maxPoints: 1,
          answerType: "YES_NO",
          scoringRule: { kind: "boolean" },
          scoringText: "Có: 1 điểm; Không: 0 điểm",
          evidenceRequired: required,
          order: (a - 1) * 100 + q,
        },
      });
      questionIds.push(question.id);
      evidenceRequired.push(required);
    }
  }
  const areaIds = (
    await db.reformArea.findMany({ where: { questionnaireId: questionnaire.id }, orderBy: { order: "asc" } })
  ).map((a) => a.id);
  const campaign = await db.campaign.create({
    data: {
      code: "bench-province",
      title: "Kiểm tra CCHC toàn tỉnh (thử nghiệm)",
      decisionNumber: "1/QĐ-UBND",
      decisionDate: new Date(NOW.getTime() - 60 * DAY),
      issuer: "UBND tỉnh",
      province: "Sơn La",
      year: NOW.getUTCFullYear(),
      selfAssessmentOpensAt: new Date(NOW.getTime() - 30 * DAY),
      selfAssessmentDeadline: new Date(NOW.getTime() + 10 * DAY),
      questionnaireId: questionnaire.id,
    },
  });
  const coordinator = await db.person.create({
    data: {
      displayName: "Điều phối viên",
      channels: { create: { channel: "telegram", externalId: String(COORDINATOR_TG), chatId: String(COORDINATOR_TG) } },
    },
  });
  await db.membership.create({ data: { campaignId: campaign.id, personId: coordinator.id, role: "COORDINATOR" } });

  // Units, their campaign rows, one officer each.
  const baseUnit = 1_000_000;
  const basePerson = 2_000_000;
  const unitIds = Array.from({ length: UNITS }, (_, i) => baseUnit + i + 1);
  await batch(db, async () => {
    await insert(
      db,
      "Unit",
      ["id", "code", "name", "shortName", "kind", "aliases", "searchText", "updatedAt"],
      unitIds.map((id, i) => {
        const district = DISTRICTS[i % DISTRICTS.length]!;
        const name = `Ủy ban nhân dân xã Số ${i + 1} huyện ${district}`;
        const short = `Xã Số ${i + 1} (${district})`;
        return [id, `xa-${i + 1}`, name, short, "DISTRICT", "[]", [name, short].map(fold).join(" | "), NOW];
      }),
    );
    await insert(
      db,
      "CampaignUnit",
      ["campaignId", "unitId", "direct"],
      unitIds.map((id) => [campaign.id, id, false]),
    );
    await insert(
      db,
      "Person",
      ["id", "telegramId", "displayName"],
      unitIds.map((_id, i) => [basePerson + i + 1, 100_000_000 + i, `Cán bộ xã Số ${i + 1}`]),
    );
    await insert(
      db,
      "Membership",
      ["campaignId", "personId", "role", "unitId"],
      unitIds.map((id, i) => [campaign.id, basePerson + i + 1, "OFFICER", id]),
    );
  });

  // Every question answered by every unit; 1/3 of units with evidence; a mix of submissions:
  // a quarter submitted everything, half some areas, a quarter nothing.
  let answers = 0;
  let evidence = 0;
  let submissions = 0;
  const UNITS_PER_TX = 500;
  for (let u = 0; u < UNITS; u += UNITS_PER_TX) {
    const slice = unitIds.slice(u, u + UNITS_PER_TX);
    const answerRows: (string | number | boolean | Date | null)[][] = [];
    const evidenceRows: (string | number | boolean | Date | null)[][] = [];
    const submissionRows: (string | number | boolean | Date | null)[][] = [];
    for (const [k, unitId] of slice.entries()) {
      const i = u + k;
      const personId = basePerson + i + 1;
      const at = new Date(NOW.getTime() - ((i * 7919) % (20 * DAY)));
      questionIds.forEach((qid, n) => {
        const yes = (i * 31 + n * 17) % 10 < 8;
        answerRows.push([campaign.id, unitId, qid, yes ? "yes" : "no", yes ? 1 : 0, personId, at, at]);
        if (i % 3 === 0 && evidenceRequired[n]) {
          evidenceRows.push([
            campaign.id,
            unitId,
            qid,
            `f${i}-${n}`,
            `u${i}-${n}`,
            `minh-chung-${n}.pdf`,
            personId,
            at,
          ]);
        }
      });
      const submitted = i % 4 === 0 ? areaIds.length : i % 4 === 3 ? 0 : 1 + (i % (areaIds.length - 1));
      for (const areaId of areaIds.slice(0, submitted)) {
        submissionRows.push([campaign.id, unitId, areaId, at, personId, perArea * 0.8]);
      }
    }
    await batch(db, async () => {
      await insert(
        db,
        "Answer",
        ["campaignId", "unitId", "questionId", "value", "selfScore", "answeredById", "createdAt", "updatedAt"],
        answerRows,
      );
      await insert(
        db,
        "Evidence",
        ["campaignId", "unitId", "questionId", "fileId", "fileUniqueId", "fileName", "uploadedById", "createdAt"],
        evidenceRows,
      );
      await insert(
        db,
        "AreaSubmission",
        ["campaignId", "unitId", "areaId", "submittedAt", "submittedById", "selfScore"],
        submissionRows,
      );
    });
    answers += answerRows.length;
    evidence += evidenceRows.length;
    submissions += submissionRows.length;
    if ((u / UNITS_PER_TX) % 4 === 3) process.stdout.write(`  ${answers.toLocaleString("en")} answers…\r`);
  }
  if (provider === "postgresql") {
    // Sequences after explicit ids; fresh statistics for the planner.
    await db.$executeRawUnsafe(`SELECT setval('"Unit_id_seq"', (SELECT MAX(id) FROM "Unit"))`);
    await db.$executeRawUnsafe(`SELECT setval('"Person_id_seq"', (SELECT MAX(id) FROM "Person"))`);
    await db.$executeRawUnsafe("ANALYZE");
  } else {
    await db.$executeRawUnsafe("ANALYZE");
  }
  return { campaignId: campaign.id, unitIds, answers, submissions, evidence, seconds: elapsedMs(start) / 1000 };
}

// ---------------------------------------------------------------- timing through the bot

let nextUpdateId = 1;
function command(text: string): Update {
  const from = { id: COORDINATOR_TG, is_bot: false, first_name: "Điều phối", language_code: "vi" };
  const cmd = /^\/\w+/.exec(text)![0];
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextUpdateId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: COORDINATOR_TG, type: "private", first_name: "Điều phối" },
      from,
      text,
      entities: [{ type: "bot_command", offset: 0, length: cmd.length }],
    },
  };
}

interface Sent {
  method: string;
  chars: number;
}

async function timeCommands(db: Db, url: string, label: string) {
  const sent: Sent[] = [];
  let chartMs = 0;
  let photoAt = 0n;
  const recorder: Transformer = async (_prev, method, payload) => {
    const p = payload as Record<string, unknown>;
    sent.push({ method, chars: typeof p.text === "string" ? p.text.length : 0 });
    if (method === "sendPhoto") chartMs += elapsedMs(photoAt);
    const chat = { id: COORDINATOR_TG, type: "private" as const, first_name: "x" };
    return {
      ok: true,
      result: { message_id: 1, date: 0, chat, text: String(p.text ?? ""), photo: [], document: {} },
    } as never;
  };
  const config = parseConfig({ BOT_TOKEN: BENCH_TOKEN, DATABASE_URL: url, COORDINATOR_IDS: String(COORDINATOR_TG) });
  const logger = pino({ level: "silent" });
  const bot = createBot(
    config,
    { db, logger, i18n: createI18n("vi"), store: benchFileStore() },
    { botInfo: { ...DEFAULT_BOT_INFO }, transformers: [recorder] },
  );
  // The chart is rendered between the last text message and sendPhoto: time it apart.
  bot.api.config.use(async (prev, method, payload, signal) => {
    const result = await prev(method, payload, signal);
    if (method === "sendMessage") photoAt = process.hrtime.bigint();
    return result;
  });
  const unitName = `xa so ${Math.floor(UNITS / 2) + 7} ${fold(DISTRICTS[(Math.floor(UNITS / 2) + 6) % DISTRICTS.length]!)}`;
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
      const scope = { campaign, unitId: 1_000_000 + unitIndex + 1, unitKind: "DISTRICT" as const };
      const q = (await findQuestion(db, scope, questions[(seq * 31) % questions.length]!.id))!;
      await saveAnswer(db, scope, q, { value: seq % 2 ? "yes" : "no", selfScore: seq % 2 }, 2_000_000 + unitIndex + 1, {
        now: new Date(),
      });
    }
  };
  const rows: string[] = [];
  for (const c of commands) {
    const total: number[] = [];
    const textOnly: number[] = [];
    let cold = 0;
    for (let r = 0; r < RUNS + 1; r++) {
      if (r > 0) await officersAnswer(5);
      sent.length = 0;
      chartMs = 0;
      const start = process.hrtime.bigint();
      await bot.handleUpdate(command(c.text));
      const all = elapsedMs(start);
      if (r === 0) {
        cold = all - chartMs; // the first look after start (a full read for /tiendo and /diem)
        continue;
      }
      total.push(all);
      textOnly.push(all - chartMs);
    }
    const t = summarize(total);
    const x = summarize(textOnly);
    const messages = sent.filter((s) => s.method === "sendMessage");
    rows.push(
      `| ${label} | \`${c.text}\` | ${ms(cold)} | ${ms(x.p50)} | ${ms(x.max)} | ${c.chart ? `${ms(t.p50)} | ${ms(t.max)}` : "– | –"} | ${messages.length} msg, ${Math.max(...messages.map((m) => m.chars), 0)} chars |`,
    );
    console.log(rows.at(-1));
  }
  return rows;
}

// ---------------------------------------------------------------- export

async function timeExport(db: Db, seeded: Seeded, label: string) {
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
    const seeded = await seed(database.db);
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
