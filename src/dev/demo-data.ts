/**
 * A campaign in motion for the playground: officers of a few units have answered part of
 * their self-assessment, one unit has submitted everything, and every unit has a visit, so
 * that the coordinator's screens (/tiendo, /chuanop, /diem, /lich, /xacnhan) say something
 * on the first run. Written through the same domain functions the bot uses (answers with
 * their revisions and audit, submissions, visits with their notices), once per database.
 *
 * Sông Mã is left untouched: it is the unit the person plays.
 */

import type { Campaign, Db, Question } from "../db/client.ts";
import { parseAnswer } from "../domain/answers.ts";
import { assignAppraiser, saveAppraiser } from "../domain/appraisers.ts";
import { findQuestion, type Scope, saveAnswer, submitArea } from "../domain/assessment.ts";
import { holidayOn, weekdayOf } from "../domain/holidays.ts";
import { ensurePerson } from "../domain/people.ts";
import { appliesToKind } from "../domain/progress.ts";
import { createVisit, type ReminderSettings } from "../domain/schedule.ts";
import { scoreAnswer } from "../domain/scoring.ts";
import { localDay, zonedTime } from "../domain/time.ts";

/** Unit, how far its officer has got (share of its questions), whether it submitted all. */
const PROGRESS: { unit: string; officer: string; share: number; submitAll?: boolean }[] = [
  { unit: "quynh-nhai", officer: "Lường Văn Quỳnh", share: 1, submitAll: true },
  { unit: "thuan-chau", officer: "Quàng Thị Châu", share: 0.6 },
  { unit: "so-tu-phap", officer: "Đinh Văn Pháp", share: 0.4 },
  { unit: "so-noi-vu", officer: "Hà Thị Vụ", share: 0.2 },
  { unit: "tp-son-la", officer: "Cầm Văn Thành", share: 0.1 },
];

/** Made-up Telegram ids for the demo's other officers (the fake Bot API gives them a chat). */
const FIRST_DEMO_ID = 2_000_001;

const EXPLANATION = "Tài liệu kiểm chứng lưu tại Văn phòng đơn vị; sẽ xuất trình khi Đoàn kiểm tra làm việc.";

/** An answer an officer might type for a question, checked by the same parser as in chat. */
function typicalInput(q: Question): string {
  switch (q.answerType) {
    case "YES_NO":
      return "có";
    case "NUMBER":
      return String(Math.min(3, q.countMax ?? 3));
    case "PERCENT":
      return "90";
    case "DATE":
      return "20/01/2019";
    case "CHOICE":
      return (q.choices as { key: string }[])[0]!.key;
    default:
      return "Đơn vị đã triển khai đầy đủ theo kế hoạch và có báo cáo kết quả.";
  }
}

export async function seedDemoProgress(
  db: Db,
  campaign: Campaign,
  options: { timeZone: string; reminders: ReminderSettings; now: Date },
): Promise<boolean> {
  if ((await db.answer.count({ where: { campaignId: campaign.id } })) > 0) return false;
  const questions = await db.question.findMany({
    where: { questionnaireId: campaign.questionnaireId ?? -1 },
    orderBy: { order: "asc" },
    include: { criterion: { select: { areaId: true } } },
  });
  const demoIds: number[] = [];
  for (const [i, p] of PROGRESS.entries()) {
    const unit = await db.unit.findUnique({ where: { code: p.unit } });
    if (!unit) continue;
    const ensured = await ensurePerson(
      db,
      {
        channel: "telegram",
        externalId: String(FIRST_DEMO_ID + i),
        chatId: String(FIRST_DEMO_ID + i),
        displayName: p.officer,
        username: null,
      },
      "vi",
    );
    const person = { id: ensured.id };
    demoIds.push(person.id);
    await db.membership.upsert({
      where: { campaignId_personId: { campaignId: campaign.id, personId: person.id } },
      create: { campaignId: campaign.id, personId: person.id, role: "OFFICER", unitId: unit.id },
      update: {},
    });
    const scope: Scope = { campaign, unitId: unit.id, unitKind: unit.kind };
    const own = questions.filter((q) => appliesToKind(q, unit.kind));
    for (const q of own.slice(0, Math.round(own.length * p.share))) {
      const question = (await findQuestion(db, scope, q.id))!;
      const parsed = parseAnswer(question, typicalInput(q), { timeZone: options.timeZone, year: campaign.year });
      if (!parsed.ok) continue;
      const score = scoreAnswer(question, parsed.value, { timeZone: options.timeZone });
      await saveAnswer(
        db,
        scope,
        question,
        {
          value: parsed.value,
          // Items the inspection team scores have no self-score; hand-scored ones get half.
          selfScore: question.teamScored ? null : (score ?? question.maxPoints / 2),
          explanation: question.evidenceRequired ? EXPLANATION : null,
        },
        person.id,
        { now: options.now },
      );
    }
    if (p.submitAll) {
      for (const area of await db.reformArea.findMany({ where: { questionnaireId: campaign.questionnaireId! } })) {
        await submitArea(db, scope, area, person.id, options.now);
      }
    }
  }
  await scheduleEveryUnit(db, campaign, options);
  // The demo officers' notices count as delivered a while ago, two in three acknowledged:
  // /xacnhan then has something to show, and the person's terminal is not flooded with
  // messages to chats nobody plays.
  const demoOfficers = { id: { in: demoIds } };
  const notices = await db.notice.findMany({
    where: { recipient: demoOfficers, dueAt: { lte: options.now } },
    select: { id: true },
  });
  for (const [i, n] of notices.entries()) {
    await db.notice.update({
      where: { id: n.id },
      data: { status: "SENT", sentAt: options.now, acknowledgedAt: i % 3 === 2 ? null : options.now },
    });
  }
  return true;
}

/** A morning visit on a working day for each unit without an upcoming one, from ten days on. */
async function scheduleEveryUnit(
  db: Db,
  campaign: Campaign,
  options: { timeZone: string; reminders: ReminderSettings; now: Date },
) {
  const visited = new Set(
    (
      await db.inspectionVisit.findMany({
        where: { campaignId: campaign.id, startsAt: { gt: options.now }, status: { in: ["PLANNED", "CONFIRMED"] } },
        select: { unitId: true },
      })
    ).map((v) => v.unitId),
  );
  const units = await db.unit.findMany({
    where: { campaigns: { some: { campaignId: campaign.id } }, id: { notIn: [...visited] } },
    orderBy: { id: "asc" },
  });
  let day = new Date(options.now.getTime() + 10 * 86_400_000);
  for (const unit of units) {
    for (;;) {
      const d = localDay(day, options.timeZone);
      const weekday = weekdayOf(d.year, d.month, d.day);
      if (weekday !== 0 && weekday !== 6 && !holidayOn(d.year, d.month, d.day)) break;
      day = new Date(day.getTime() + 86_400_000);
    }
    const { year, month, day: dd } = localDay(day, options.timeZone);
    const startsAt = zonedTime(year, month, dd, 8, 0, options.timeZone);
    const place = unit.kind === "DISTRICT" || unit.kind === "CITY" ? "Hội trường UBND" : "Phòng họp";
    await createVisit(
      db,
      { campaign, unitId: unit.id, startsAt, place: `${place} ${unit.shortName}` },
      null,
      options.reminders,
      options.now,
    );
    day = new Date(day.getTime() + 86_400_000);
  }
}

/**
 * The people of the Zalo playground (npm run demo -- --zalo), as the fake Zalo Bot API knows
 * them: an officer of Sở Công Thương and a coordinator, both linked on Zalo already, and a
 * Sông Mã officer who is not linked yet and redeems the playground's invite ("MOI <code>").
 */
export const ZALO_DEMO_PEOPLE = {
  officer: { id: "7300000000000000001", display_name: "Lê Thị Hoa", unit: "so-cong-thuong" },
  coordinator: { id: "7300000000000000002", display_name: "Hoàng Văn Nam" },
  newcomer: { id: "7300000000000000003", display_name: "Lò Thị Mai" },
} as const;

/**
 * Links the Zalo playground's officer and coordinator on Zalo (a PersonChannel row with
 * channel "zalo" each) with their role in the campaign. Idempotent: on an older demo database,
 * and on every start, it only adds what is missing. Called after seedDemoProgress, so the
 * visits it planned notified nobody here.
 */
export async function seedZaloPeople(db: Db, campaign: Campaign): Promise<void> {
  const { officer, coordinator } = ZALO_DEMO_PEOPLE;
  const unit = await db.unit.findUnique({ where: { code: officer.unit } });
  const people = [
    { who: officer, role: "OFFICER" as const, unitId: unit?.id ?? null },
    { who: coordinator, role: "COORDINATOR" as const, unitId: null },
  ];
  for (const { who, role, unitId } of people) {
    if (role === "OFFICER" && unitId === null) continue;
    const person = await ensurePerson(
      db,
      { channel: "zalo", externalId: who.id, chatId: who.id, displayName: who.display_name, username: null },
      "vi",
    );
    await db.membership.upsert({
      where: { campaignId_personId: { campaignId: campaign.id, personId: person.id } },
      create: { campaignId: campaign.id, personId: person.id, role, unitId },
      update: {},
    });
  }
}

/** The playground's appraisal council member (on Telegram), who may appraise every unit. */
export const DEMO_APPRAISER = { id: 1004, first_name: "Lò Văn", last_name: "Thẩm", language_code: "vi" } as const;

/**
 * Puts the playground's appraiser on the campaign's council (a roster row linked to them,
 * assigned to every unit and area) with the APPRAISER role. Idempotent, like seedZaloPeople.
 */
export async function seedDemoAppraiser(db: Db, campaign: Campaign): Promise<void> {
  const who = DEMO_APPRAISER;
  const displayName = `${who.first_name} ${who.last_name}`;
  const person = await ensurePerson(
    db,
    { channel: "telegram", externalId: String(who.id), chatId: String(who.id), displayName, username: null },
    "vi",
  );
  await db.membership.upsert({
    where: { campaignId_personId: { campaignId: campaign.id, personId: person.id } },
    create: { campaignId: campaign.id, personId: person.id, role: "APPRAISER" },
    update: {},
  });
  const row = await saveAppraiser(db, campaign.id, { key: "hd-demo", name: displayName }, "playground");
  if (row.personId === null) await db.appraiser.update({ where: { id: row.id }, data: { personId: person.id } });
  await assignAppraiser(db, campaign.id, "hd-demo", {}, "playground");
}
