/**
 * A synthetic province for the coordinator benchmarks (bench/status.ts, bench/appraisal.ts):
 * a generated questionnaire, thousands of units with one officer each and every question
 * answered, written with bulk multi-row INSERTs; and a coordinator's bot in this process,
 * its Bot API calls answered by a recording transformer (no network), to time commands end
 * to end through bot.handleUpdate.
 */
import type { Transformer } from "grammy";
import type { Update } from "grammy/types";
import pino from "pino";
import { createBot } from "../src/bot/index.ts";
import { parseConfig } from "../src/config.ts";
import type { CampaignStatus, Db } from "../src/db/client.ts";
import type { Provider } from "../src/db/url.ts";
import { DEFAULT_BOT_INFO } from "../src/dev/fake-bot-api.ts";
import type { UnitKind } from "../src/domain/progress.ts";
import { fold } from "../src/domain/text.ts";
import { createI18n } from "../src/i18n.ts";
import { BENCH_TOKEN, benchFileStore, elapsedMs } from "./lib.ts";

const DAY = 86_400_000;
export const COORDINATOR_TG = 900_000_001;
/** Ids given explicitly to bulk-inserted rows (unit i is BASE_UNIT + i + 1, its officer BASE_PERSON + i + 1). */
export const BASE_UNIT = 1_000_000;
export const BASE_PERSON = 2_000_000;

// ---------------------------------------------------------------- bulk SQL

export type SqlValue = string | number | boolean | Date | null;

/** Raw multi-row INSERTs on one provider; SQLite's in one transaction per batch() (one fsync, not thousands). */
export class BulkWriter {
  constructor(
    readonly db: Db,
    readonly provider: Provider,
  ) {}

  /** A literal for raw SQL: strings quoted, dates in the provider's stored form. */
  lit(v: SqlValue): string {
    if (v === null) return "NULL";
    if (typeof v === "number") return String(v);
    if (typeof v === "boolean") return this.provider === "sqlite" ? (v ? "1" : "0") : v ? "TRUE" : "FALSE";
    if (v instanceof Date)
      return `'${this.provider === "sqlite" ? v.toISOString().replace("Z", "+00:00") : v.toISOString()}'`;
    return `'${v.replaceAll("'", "''")}'`;
  }

  async insert(table: string, columns: string[], rows: SqlValue[][]) {
    const CHUNK = 500;
    const cols = columns.map((c) => `"${c}"`).join(",");
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows
        .slice(i, i + CHUNK)
        .map((r) => `(${r.map((v) => this.lit(v)).join(",")})`)
        .join(",");
      await this.db.$executeRawUnsafe(`INSERT INTO "${table}" (${cols}) VALUES ${values}`);
    }
  }

  /** Runs `work` in one transaction on SQLite; as is on PostgreSQL. */
  async batch(work: () => Promise<void>) {
    if (this.provider !== "sqlite") return work();
    await this.db.$executeRawUnsafe("BEGIN");
    try {
      await work();
      await this.db.$executeRawUnsafe("COMMIT");
    } catch (e) {
      await this.db.$executeRawUnsafe("ROLLBACK");
      throw e;
    }
  }

  /** After explicit ids: PostgreSQL's sequences moved past them; fresh planner statistics on both. */
  async finish(tablesWithIds: string[]) {
    if (this.provider === "postgresql") {
      for (const t of tablesWithIds)
        await this.db.$executeRawUnsafe(
          `SELECT setval(pg_get_serial_sequence('"${t}"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM "${t}"))`,
        );
    }
    await this.db.$executeRawUnsafe("ANALYZE");
  }
}

// ---------------------------------------------------------------- the province

export const DISTRICTS = ["Mộc Châu", "Mai Sơn", "Yên Châu", "Bắc Yên", "Phù Yên", "Mường La", "Sốp Cộp", "Vân Hồ"];

export interface ProvinceSpec {
  units: number;
  questions: number;
  areas: number;
  /** The kind of unit i (default: every unit a district). */
  kindOf?: (i: number) => UnitKind;
  /** Areas unit i has submitted, the first ones of the questionnaire. */
  submittedAreas: (i: number, areas: number) => number;
  /** Whether unit i sent evidence for the questions that require it. */
  evidenceOf: (i: number) => boolean;
  /** Question n (0-based) asked of these kinds only (default: every kind). */
  appliesTo?: (n: number) => UnitKind[] | null;
  /** Question n scored by the inspection team (answered without a self-score). */
  teamScored?: (n: number) => boolean;
  /** The campaign's phase and dates (default: self-assessment, deadline in 10 days). */
  campaign?: { status: CampaignStatus; dates?: Record<string, Date> };
}

export interface SeededQuestion {
  id: number;
  index: number;
  areaId: number;
  appliesTo: UnitKind[] | null;
  teamScored: boolean;
}

export interface Province {
  campaignId: number;
  questionnaireId: number;
  coordinatorId: number;
  areaIds: number[];
  questions: SeededQuestion[];
  unitIds: number[];
  kinds: UnitKind[];
  /** Unit i's answer to question n: whether it is "yes" (a self-score of 1, 0 for "no"; none when team-scored). */
  yes: (i: number, n: number) => boolean;
  /** Whether unit i is asked question n. */
  asked: (i: number, n: number) => boolean;
  answers: number;
  submissions: number;
  evidence: number;
  seconds: number;
}

const isDepartment = (kind: UnitKind) => kind === "DEPARTMENT" || kind === "BOARD" || kind === "OFFICE";

/** How a coordinator types unit i in /donvi so that it finds that unit alone. */
export function typedUnitName(i: number, kind: UnitKind): string {
  return isDepartment(kind) ? `so so ${i + 1}` : `xa so ${i + 1} ${fold(DISTRICTS[i % DISTRICTS.length]!)}`;
}

/**
 * Questionnaire, campaign, coordinator, units with one officer each, every question they are
 * asked answered (about 80 % "yes"), evidence and area submissions as `spec` says.
 */
export async function seedProvince(w: BulkWriter, spec: ProvinceSpec): Promise<Province> {
  const { db } = w;
  const now = new Date();
  const start = process.hrtime.bigint();
  const QUESTIONS = spec.questions;
  const questionnaire = await db.questionnaire.create({
    data: { code: "bench", version: 1, title: "Bộ tiêu chí thử nghiệm", maxPoints: QUESTIONS },
  });
  const perArea = Math.ceil(QUESTIONS / spec.areas);
  const questions: SeededQuestion[] = [];
  const evidenceRequired: boolean[] = [];
  for (let a = 1; a <= spec.areas; a++) {
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
      const index = questions.length;
      const required = q % 3 === 0;
      const appliesTo = spec.appliesTo?.(index) ?? null;
      const teamScored = spec.teamScored?.(index) ?? false;
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
          ...(appliesTo ? { appliesTo } : {}),
          teamScored,
        },
      });
      questions.push({ id: question.id, index, areaId: area.id, appliesTo, teamScored });
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
      decisionDate: new Date(now.getTime() - 60 * DAY),
      issuer: "UBND tỉnh",
      province: "Sơn La",
      year: now.getUTCFullYear(),
      selfAssessmentOpensAt: new Date(now.getTime() - 30 * DAY),
      selfAssessmentDeadline: new Date(now.getTime() + 10 * DAY),
      questionnaireId: questionnaire.id,
      ...(spec.campaign ? { status: spec.campaign.status, ...spec.campaign.dates } : {}),
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
  const UNITS = spec.units;
  const unitIds = Array.from({ length: UNITS }, (_, i) => BASE_UNIT + i + 1);
  const kinds = unitIds.map((_id, i): UnitKind => spec.kindOf?.(i) ?? "DISTRICT");
  await w.batch(async () => {
    await w.insert(
      "Unit",
      ["id", "code", "name", "shortName", "kind", "aliases", "searchText", "updatedAt"],
      unitIds.map((id, i) => {
        const kind = kinds[i]!;
        const district = DISTRICTS[i % DISTRICTS.length]!;
        const [code, name, short] = isDepartment(kind)
          ? [`so-${i + 1}`, `Sở Số ${i + 1} tỉnh Sơn La`, `Sở Số ${i + 1}`]
          : [`xa-${i + 1}`, `Ủy ban nhân dân xã Số ${i + 1} huyện ${district}`, `Xã Số ${i + 1} (${district})`];
        return [id, code, name, short, kind, "[]", [name, short].map(fold).join(" | "), now];
      }),
    );
    await w.insert(
      "CampaignUnit",
      ["campaignId", "unitId", "direct"],
      unitIds.map((id) => [campaign.id, id, false]),
    );
    await w.insert(
      "Person",
      ["id", "displayName"],
      unitIds.map((_id, i) => [BASE_PERSON + i + 1, `Cán bộ ${isDepartment(kinds[i]!) ? "sở" : "xã"} Số ${i + 1}`]),
    );
    await w.insert(
      "PersonChannel",
      ["personId", "channel", "externalId", "chatId"],
      unitIds.map((_id, i) => [BASE_PERSON + i + 1, "telegram", String(100_000_000 + i), String(100_000_000 + i)]),
    );
    await w.insert(
      "Membership",
      ["campaignId", "personId", "role", "unitId"],
      unitIds.map((id, i) => [campaign.id, BASE_PERSON + i + 1, "OFFICER", id]),
    );
  });

  const yes = (i: number, n: number) => (i * 31 + n * 17) % 10 < 8;
  const asked = (i: number, n: number) => {
    const only = questions[n]!.appliesTo;
    return !only || only.includes(kinds[i]!);
  };
  let answers = 0;
  let evidence = 0;
  let submissions = 0;
  const UNITS_PER_TX = 500;
  for (let u = 0; u < UNITS; u += UNITS_PER_TX) {
    const slice = unitIds.slice(u, u + UNITS_PER_TX);
    const answerRows: SqlValue[][] = [];
    const evidenceRows: SqlValue[][] = [];
    const submissionRows: SqlValue[][] = [];
    for (const [k, unitId] of slice.entries()) {
      const i = u + k;
      const personId = BASE_PERSON + i + 1;
      const at = new Date(now.getTime() - ((i * 7919) % (20 * DAY)));
      const withEvidence = spec.evidenceOf(i);
      questions.forEach((q, n) => {
        if (!asked(i, n)) return;
        const y = yes(i, n);
        answerRows.push([
          campaign.id,
          unitId,
          q.id,
          y ? "yes" : "no",
          q.teamScored ? null : y ? 1 : 0,
          personId,
          at,
          at,
        ]);
        if (withEvidence && evidenceRequired[n]) {
          evidenceRows.push([
            campaign.id,
            unitId,
            q.id,
            `f${i}-${n}`,
            `u${i}-${n}`,
            `minh-chung-${n}.pdf`,
            personId,
            at,
          ]);
        }
      });
      for (const areaId of areaIds.slice(0, spec.submittedAreas(i, areaIds.length))) {
        submissionRows.push([campaign.id, unitId, areaId, at, personId, perArea * 0.8]);
      }
    }
    await w.batch(async () => {
      await w.insert(
        "Answer",
        ["campaignId", "unitId", "questionId", "value", "selfScore", "answeredById", "createdAt", "updatedAt"],
        answerRows,
      );
      await w.insert(
        "Evidence",
        ["campaignId", "unitId", "questionId", "fileId", "fileUniqueId", "fileName", "uploadedById", "createdAt"],
        evidenceRows,
      );
      await w.insert(
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
  await w.finish(["Unit", "Person"]);
  return {
    campaignId: campaign.id,
    questionnaireId: questionnaire.id,
    coordinatorId: coordinator.id,
    areaIds,
    questions,
    unitIds,
    kinds,
    yes,
    asked,
    answers,
    submissions,
    evidence,
    seconds: elapsedMs(start) / 1000,
  };
}

// ---------------------------------------------------------------- a coordinator's bot

let nextUpdateId = 1;

/** A coordinator's command as Telegram delivers it. */
export function commandUpdate(text: string): Update {
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

export interface Sent {
  method: string;
  chars: number;
}

export interface CommandTiming {
  /** From the update to the bot's last call. */
  totalMs: number;
  /** Without rendering and sending the chart (the PNG after the last text message). */
  textMs: number;
  sent: Sent[];
}

/**
 * The real bot (createBot) for the coordinator on the database at `url`: run(text) hands it
 * the command and times it; the Bot API calls are answered by a recorder.
 */
export function coordinatorBot(db: Db, url: string) {
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
  return {
    bot,
    async run(text: string): Promise<CommandTiming> {
      sent.length = 0;
      chartMs = 0;
      const start = process.hrtime.bigint();
      await bot.handleUpdate(commandUpdate(text));
      const totalMs = elapsedMs(start);
      return { totalMs, textMs: totalMs - chartMs, sent: [...sent] };
    },
  };
}

/** "2 msg, 1404 chars": what a command sent (messages, the longest). */
export function sentLine(sent: Sent[]): string {
  const messages = sent.filter((s) => s.method === "sendMessage");
  return `${messages.length} msg, ${Math.max(...messages.map((m) => m.chars), 0)} chars`;
}
