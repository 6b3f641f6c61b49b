/**
 * Appraisal (thẩm định) on the real database (SQLite, and PostgreSQL with TEST_DATABASE_URL):
 * a whole cycle for a district and a department, from submitted self-assessments through
 * round 1, the explanation, round 2, bonus and penalty to the published ranking, and every
 * refusal leaving the stored rows as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import {
  addExplanationEvidence,
  appraisalItem,
  appraisalProgress,
  appraise,
  explainItem,
  nextItemToAppraise,
  reopenScore,
} from "../../src/domain/appraisal.ts";
import { moveCampaignPhase, PHASE_NOTICE, ROUND1_NOTICE } from "../../src/domain/appraisal-phases.ts";
import { type AppraisalRefusal, AppraisalRefused, refusalText } from "../../src/domain/appraisal-rules.ts";
import { AssessmentRefused, findQuestion, saveAnswer } from "../../src/domain/assessment.ts";
import { parseDataFile } from "../../src/domain/data-file.ts";
import { importData } from "../../src/domain/importer.ts";
import { createInvites, redeemInvite } from "../../src/domain/invites.ts";
import { renderNotice } from "../../src/domain/notices.ts";
import {
  addAdjustment,
  decideRecognition,
  finalRanking,
  proposeRecognitions,
  removeAdjustment,
} from "../../src/domain/ranking.ts";
import { campaignShape } from "../../src/domain/status.ts";
import { createI18n } from "../../src/i18n.ts";
import { editedCampaign } from "../support/campaign.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { withTelegram } from "../support/people.ts";

const TZ = "Asia/Ho_Chi_Minh";
const HOUR = 3_600_000;
const NONE: readonly bigint[] = [];

let database: TestDatabase;
let db: Db;
let campaignId: number;
const units: Record<string, { id: number; kind: string }> = {};
const q: Record<string, { id: number; maxPoints: number; teamScored: boolean; areaId: number }> = {};
const people: Record<string, number> = {};
let clock = new Date("2019-03-20T02:00:00Z");
const later = (hours: number) => {
  clock = new Date(clock.getTime() + hours * HOUR);
  return clock;
};

/** The refusal a promise ends with (it must end with one). */
async function refusal(promise: Promise<unknown>): Promise<AppraisalRefusal> {
  const e = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, "expected a refusal").toBeInstanceOf(AppraisalRefused);
  return (e as AppraisalRefused).refusal;
}

const act = (who: string) => ({ campaignId, personId: people[who]!, coordinatorIds: NONE, now: clock });

async function person(name: string, telegramId: number) {
  const p = await db.person.create({ data: withTelegram(telegramId, name) });
  people[name] = p.id;
  return p.id;
}

async function member(name: string, telegramId: number, role: "COORDINATOR" | "OFFICER" | "APPRAISER", unit?: string) {
  const id = await person(name, telegramId);
  await db.membership.create({ data: { campaignId, personId: id, role, unitId: unit ? units[unit]!.id : null } });
  return id;
}

/**
 * A unit's self-assessment, submitted: every question it is asked answered with its maximum
 * (team-scored ones without a self-score), every area submitted; `skipArea` leaves one area
 * unanswered and unsubmitted (an incomplete unit).
 */
async function submitted(unit: string, officer: string, skipArea?: string) {
  const u = units[unit]!;
  const questions = await db.question.findMany({ include: { criterion: { include: { area: true } } } });
  const asked = questions.filter(
    (x) => (!Array.isArray(x.appliesTo) || x.appliesTo.includes(u.kind)) && x.criterion.area.code !== skipArea,
  );
  await db.answer.createMany({
    data: asked.map((x) => ({
      campaignId,
      unitId: u.id,
      questionId: x.id,
      value: "yes",
      selfScore: x.teamScored ? null : x.maxPoints,
      answeredById: people[officer]!,
    })),
  });
  const areas = await db.reformArea.findMany({ where: skipArea ? { code: { not: skipArea } } : {} });
  await db.areaSubmission.createMany({
    data: areas.map((a) => ({ campaignId, unitId: u.id, areaId: a.id, submittedById: people[officer]!, selfScore: 0 })),
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  const text = editedCampaign((doc) => {
    doc.appraisers = [
      { key: "hd-song-ma", name: "Lò Văn Thẩm", units: ["song-ma"] },
      { key: "hd-tthc", name: "Cầm Thị Định", telegramId: 7002, areas: ["3"] },
    ];
  });
  // The second appraiser is known to the bot before the import: linked by Telegram id.
  await person("Cầm Thị Định", 7002);
  await importData(db, parseDataFile("appraisal.yaml", text), TZ);
  const campaign = await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });
  campaignId = campaign.id;
  for (const u of await db.unit.findMany()) units[u.code] = { id: u.id, kind: u.kind };
  for (const x of await db.question.findMany({ include: { criterion: true } }))
    q[x.code] = { id: x.id, maxPoints: x.maxPoints, teamScored: x.teamScored, areaId: x.criterion.areaId };
  await member("Nguyễn Thị Bích Thủy", 7000, "COORDINATOR");
  await member("Lò Văn Minh", 7010, "OFFICER", "song-ma");
  await member("Hoàng Thị Hoa", 7011, "OFFICER", "so-tu-phap");
  await member("Quàng Văn Nam", 7012, "OFFICER", "quynh-nhai");
  // The first appraiser joins with the invite made for their roster row; the second with a
  // plain appraiser invite (their Telegram id links them).
  const thamId = await person("Lò Văn Thẩm", 7001);
  const roster = await db.appraiser.findMany({ orderBy: { key: "asc" } });
  const [forTham] = await createInvites(db, {
    campaignId,
    role: "APPRAISER",
    appraiserIds: [roster.find((r) => r.key === "hd-song-ma")!.id],
  });
  expect(forTham!.appraiser).toEqual({ key: "hd-song-ma", name: "Lò Văn Thẩm" });
  expect((await redeemInvite(db, forTham!.code, thamId, { now: clock, coordinatorIds: NONE })).ok).toBe(true);
  await db.membership.create({ data: { campaignId, personId: people["Cầm Thị Định"]!, role: "APPRAISER" } });
  await submitted("song-ma", "Lò Văn Minh");
  await submitted("so-tu-phap", "Hoàng Thị Hoa");
  await submitted("quynh-nhai", "Quàng Văn Nam", "7");
});
afterAll(() => database.destroy());

describe("the appraisal council", () => {
  it("links each roster row to its person: by the invite made for it, and by the file's Telegram id", async () => {
    const roster = await db.appraiser.findMany({ orderBy: { key: "asc" }, include: { assignments: true } });
    expect(roster.map((r) => [r.key, r.personId])).toEqual([
      ["hd-song-ma", people["Lò Văn Thẩm"]],
      ["hd-tthc", people["Cầm Thị Định"]],
    ]);
    expect(roster[0]!.assignments.map((a) => [a.unitId, a.areaId])).toEqual([[units["song-ma"]!.id, null]]);
    expect(roster[1]!.assignments.map((a) => [a.unitId, a.areaId])).toEqual([[null, q["3.1.1"]!.areaId]]);
    const membership = await db.membership.findFirstOrThrow({ where: { personId: people["Lò Văn Thẩm"] } });
    expect(membership.role).toBe("APPRAISER");
  });
});

describe("a whole appraisal cycle", () => {
  it("moves phases in order only, by coordinators only, and locks the self-assessment", async () => {
    expect(await refusal(moveCampaignPhase(db, { ...act("Lò Văn Minh"), to: "APPRAISAL" }))).toEqual({
      reason: "not_coordinator",
    });
    expect(await refusal(moveCampaignPhase(db, { ...act("Nguyễn Thị Bích Thủy"), to: "EXPLANATION" }))).toEqual({
      reason: "phase_order",
      from: "SELF_ASSESSMENT",
      to: "EXPLANATION",
      expected: "APPRAISAL",
    });
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).status).toBe("SELF_ASSESSMENT");

    const moved = await moveCampaignPhase(db, { ...act("Nguyễn Thị Bích Thủy"), to: "APPRAISAL" });
    expect(moved).toMatchObject({ from: "SELF_ASSESSMENT", to: "APPRAISAL" });
    expect(moved.campaign.appraisalOpenedAt).toEqual(clock);
    // Three units' officers and two appraisers are told.
    const notices = await db.notice.findMany({ where: { kind: PHASE_NOTICE } });
    expect(notices.map((n) => n.recipientId).sort()).toEqual(
      ["Lò Văn Minh", "Hoàng Thị Hoa", "Quàng Văn Nam", "Lò Văn Thẩm", "Cầm Thị Định"].map((n) => people[n]).sort(),
    );
    const log = await db.auditLog.findFirstOrThrow({ where: { action: "campaign.phase" } });
    expect(log).toMatchObject({ before: { status: "SELF_ASSESSMENT" }, actorId: people["Nguyễn Thị Bích Thủy"] });

    // The self-assessment is locked by the phase, whatever its deadline says.
    const campaign = await db.campaign.update({
      where: { id: campaignId },
      data: { selfAssessmentOpensAt: null, selfAssessmentDeadline: null },
    });
    const scope = { campaign, unitId: units["song-ma"]!.id, unitKind: "DISTRICT" as const };
    const question = (await findQuestion(db, scope, q["1.2"]!.id))!;
    await expect(
      saveAnswer(db, scope, question, { value: "1", selfScore: 0.25 }, people["Lò Văn Minh"]!, { now: clock }),
    ).rejects.toBeInstanceOf(AssessmentRefused);
  });

  it("round 1: assignments, the rule's steps, comments, acceptance with one tap", async () => {
    const sm = units["song-ma"]!.id;
    const stp = units["so-tu-phap"]!.id;
    const item = (unitId: number, code: string) => ({ unitId, questionId: q[code]!.id, expectedVersion: 0 });
    // Outside the assignment: Thẩm appraises Sông Mã only, Định area 3 only.
    expect(await refusal(appraise(db, { ...act("Lò Văn Thẩm"), ...item(stp, "1.2"), score: "accept" }))).toEqual({
      reason: "not_assigned",
      unit: "Sở Tư pháp",
      area: "1",
    });
    expect(await refusal(appraise(db, { ...act("Cầm Thị Định"), ...item(sm, "1.2"), score: "accept" }))).toMatchObject({
      reason: "not_assigned",
    });
    // An officer is no appraiser.
    expect(await refusal(appraise(db, { ...act("Lò Văn Minh"), ...item(sm, "1.2"), score: "accept" }))).toMatchObject({
      reason: "not_assigned",
    });
    // Above the maximum, off the rule's steps (per_item: multiples of 0,25; bands: their points; manual: quarters).
    expect(
      await refusal(appraise(db, { ...act("Lò Văn Thẩm"), ...item(sm, "1.2"), score: 1.25, comment: "x" })),
    ).toEqual({
      reason: "above_max",
      code: "1.2",
      score: 1.25,
      max: 1,
    });
    expect(
      await refusal(appraise(db, { ...act("Lò Văn Thẩm"), ...item(sm, "1.2"), score: 0.6, comment: "x" })),
    ).toMatchObject({
      reason: "off_step",
      step: 0.25,
    });
    expect(
      await refusal(appraise(db, { ...act("Lò Văn Thẩm"), ...item(sm, "1.1.2"), score: 1, comment: "x" })),
    ).toMatchObject({
      reason: "off_step",
      steps: [0, 0.5, 1.5, 2.5],
    });
    expect(
      await refusal(appraise(db, { ...act("Lò Văn Thẩm"), ...item(sm, "5.6.2"), score: 0.5 + 0.3 })),
    ).toMatchObject({
      reason: "off_step",
      step: 0.25,
    });
    // A score that differs needs a comment; a team-scored item has no self-score to accept.
    expect(await refusal(appraise(db, { ...act("Lò Văn Thẩm"), ...item(sm, "1.2"), score: 0.5 }))).toEqual({
      reason: "comment_required",
      code: "1.2",
      selfScore: 1,
      score: 0.5,
    });
    expect(await refusal(appraise(db, { ...act("Lò Văn Thẩm"), ...item(sm, "5.6.2"), score: "accept" }))).toMatchObject(
      {
        reason: "team_scored",
      },
    );
    expect(await db.appraisal.count()).toBe(0);

    const accepted = await appraise(db, { ...act("Lò Văn Thẩm"), ...item(sm, "1.1.1"), score: "accept" });
    expect(accepted).toMatchObject({ round: 1, changed: false, appraisal: { score: 1, selfScore: 1, version: 1 } });
    const lowered = await appraise(db, {
      ...act("Lò Văn Thẩm"),
      ...item(sm, "1.2"),
      score: 0.5,
      comment: "Chỉ có 2 báo cáo định kỳ có trong hồ sơ kiểm chứng.",
    });
    expect(lowered).toMatchObject({
      changed: true,
      appraisal: { score: 0.5, comment: expect.stringContaining("2 báo cáo") },
    });
    // Area 3 of Sông Mã: either of the two may appraise it.
    await appraise(db, { ...act("Cầm Thị Định"), ...item(sm, "3.4.1"), score: 3, comment: "Tỷ lệ đúng hạn 98,5%." });
    // Round 1 cannot close while items only the team scores have no score.
    expect(
      await refusal(
        moveCampaignPhase(db, {
          ...act("Nguyễn Thị Bích Thủy"),
          to: "EXPLANATION",
          explanationDeadline: new Date(clock.getTime() + 48 * HOUR),
        }),
      ),
    ).toEqual({ reason: "team_items_unscored", count: 10, units: ["Sông Mã", "Sở Tư pháp"] });
    for (const [unitId, code, score] of [
      [sm, "1.5.2", 0.5],
      [sm, "4.3.3", 1],
      [sm, "5.6.2", 0.75],
      [sm, "5.6.3", 1.5],
      [sm, "7.7.2", 0.5],
      [stp, "1.5.2", 0],
      [stp, "4.3.3", 0.5],
      [stp, "5.6.2", 1.5],
      [stp, "5.6.3", 1.5],
      [stp, "7.7.2", 1],
    ] as const) {
      await appraise(db, { ...act("Nguyễn Thị Bích Thủy"), ...item(unitId, code), score });
    }
    const stored = await db.appraisal.findMany({ where: { round: 1 } });
    expect(stored).toHaveLength(13);
    expect(await db.auditLog.count({ where: { action: "appraisal.set" } })).toBe(13);
  });

  it("refuses a stale version after a colleague's change, and keeps every change as a revision", async () => {
    const sm = units["song-ma"]!.id;
    const view = await appraisalItem(db, campaignId, sm, q["1.2"]!.id);
    expect(view).toMatchObject({
      round: 1,
      version: 1,
      round1: { score: 0.5, appraiser: "Lò Văn Thẩm" },
      finalScore: 0.5,
    });
    // Định had the item open at version 1; Thủy changes it first.
    await appraise(db, {
      ...act("Nguyễn Thị Bích Thủy"),
      unitId: sm,
      questionId: q["1.2"]!.id,
      expectedVersion: 1,
      score: 0.75,
      comment: "Có thêm 1 báo cáo gửi qua hệ thống.",
    });
    expect(
      await refusal(
        appraise(db, {
          ...act("Lò Văn Thẩm"),
          unitId: sm,
          questionId: q["1.2"]!.id,
          expectedVersion: 1,
          score: "accept",
        }),
      ),
    ).toEqual({ reason: "stale", code: "1.2", version: 2, by: "Nguyễn Thị Bích Thủy" });
    const row = await db.appraisal.findFirstOrThrow({
      where: { questionId: q["1.2"]!.id, unitId: sm },
      include: { revisions: true },
    });
    expect(row).toMatchObject({ score: 0.75, version: 2, appraiserId: people["Nguyễn Thị Bích Thủy"] });
    expect(row.revisions).toMatchObject([{ score: 0.5, version: 1, changedById: people["Lò Văn Thẩm"] }]);
  });

  it("two appraisers on one item at the same moment: exactly one is stored, the other is told", async () => {
    const sm = units["song-ma"]!.id;
    const input = { unitId: sm, questionId: q["3.1.1"]!.id, expectedVersion: 0 };
    const results = await Promise.allSettled([
      appraise(db, { ...act("Lò Văn Thẩm"), ...input, score: "accept" }),
      appraise(db, { ...act("Cầm Thị Định"), ...input, score: 1, comment: "Chưa đủ hồ sơ công khai." }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(AppraisalRefused);
    expect((rejected[0]!.reason as AppraisalRefused).refusal).toMatchObject({
      reason: "stale",
      code: "3.1.1",
      version: 1,
    });
    const rows = await db.appraisal.findMany({ where: { unitId: sm, questionId: q["3.1.1"]!.id } });
    expect(rows).toHaveLength(1);
    expect(await db.auditLog.count({ where: { entity: "Appraisal", entityId: String(rows[0]!.id) } })).toBe(1);
  });

  it("gives each appraiser their next item, and counts progress per unit and per appraiser", async () => {
    const sm = units["song-ma"]!.id;
    const next = await nextItemToAppraise(db, { campaignId, personId: people["Cầm Thị Định"]!, coordinatorIds: NONE });
    // Area 3 of the first unit (by id) that has an item not yet appraised there.
    const area3 = Object.entries(q)
      .filter(([, x]) => x.areaId === q["3.1.1"]!.areaId)
      .map(([, x]) => x.id);
    expect(area3).toContain(next!.questionId);
    expect(
      await nextItemToAppraise(db, { campaignId, personId: people["Lò Văn Thẩm"]!, coordinatorIds: NONE }),
    ).toMatchObject({ unitId: sm, questionId: q["1.1.2"]!.id });
    expect(
      await nextItemToAppraise(db, { campaignId, personId: people["Lò Văn Minh"]!, coordinatorIds: NONE }),
    ).toBeNull();

    const shape = await campaignShape(db, await db.campaign.findUniqueOrThrow({ where: { id: campaignId } }));
    const progress = await appraisalProgress(db, shape);
    const unit = (code: string) => progress.units.find((u) => u.unitId === units[code]!.id)!;
    expect(progress.round).toBe(1);
    // Districts are asked 69 questions (3.2.1 is for departments), departments 70.
    expect(unit("song-ma")).toMatchObject({ assigned: 69, done: 9 });
    expect(unit("so-tu-phap")).toMatchObject({ assigned: 70, done: 5 });
    const tham = progress.appraisers.find((a) => a.key === "hd-song-ma")!;
    expect(tham).toMatchObject({ assigned: 69, done: 9 });
    // 1.1.1 is theirs; 1.2 was last changed by the coordinator; 3.1.1 by whoever won the race.
    expect([1, 2]).toContain(tham.byThem);
    const dinh = progress.appraisers.find((a) => a.key === "hd-tthc")!;
    // Area 3 of the three units that answered it: 11 questions for the department, 10 for a district.
    expect(dinh).toMatchObject({ assigned: 31, done: 2 });
  });

  it("closing round 1 needs a future deadline, tells each unit what changed and until when to explain", async () => {
    const coordinator = act("Nguyễn Thị Bích Thủy");
    expect(await refusal(moveCampaignPhase(db, { ...coordinator, to: "EXPLANATION" }))).toEqual({
      reason: "deadline_required",
    });
    expect(
      await refusal(moveCampaignPhase(db, { ...coordinator, to: "EXPLANATION", explanationDeadline: later(-1) })),
    ).toMatchObject({ reason: "deadline_in_past" });
    later(1);
    const deadline = new Date(clock.getTime() + 48 * HOUR);
    await moveCampaignPhase(db, { ...coordinator, to: "EXPLANATION", explanationDeadline: deadline });
    const campaign = await db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(campaign).toMatchObject({ status: "EXPLANATION", explanationDeadline: deadline, appraisalClosedAt: clock });

    const told = await db.notice.findFirstOrThrow({
      where: { kind: ROUND1_NOTICE, recipientId: people["Lò Văn Minh"] },
    });
    const items = (told.payload as { items: { code: string }[] }).items.map((i) => i.code);
    // Changed scores and the team's scores, in questionnaire order; 1.1.1 (accepted) is not
    // among them, 3.1.1 only if the appraiser who lowered it won the race.
    const sm311 = await db.appraisal.findFirstOrThrow({
      where: { unitId: units["song-ma"]!.id, questionId: q["3.1.1"]!.id },
    });
    const changed311 = sm311.score !== sm311.selfScore ? ["3.1.1"] : [];
    expect(items).toEqual(["1.2", "1.5.2", ...changed311, "3.4.1", "4.3.3", "5.6.2", "5.6.3", "7.7.2"]);
    const t = createI18n("vi", { plainText: true }).forLocale("vi");
    const text = renderNotice(told.kind, told.payload, { t, locale: "vi", timeZone: TZ, now: clock });
    expect(text).toContain("Câu 1.2: 1 → <b>0,75</b> điểm");
    expect(text).toContain("Câu 5.6.2: do Đoàn kiểm tra chấm → <b>0,75</b> điểm");
    expect(text).toMatch(/trước <b>\d{2}\/\d{2}\/2019 \d{2}:\d{2}<\/b>/);
    // Appraisers get the phase notice; no officer gets both.
    expect(
      await db.notice.count({ where: { kind: PHASE_NOTICE, campaignId, recipientId: people["Lò Văn Minh"] } }),
    ).toBe(1);
  });

  it("the unit explains changed items with evidence until the deadline, and only those", async () => {
    const sm = units["song-ma"]!.id;
    const minh = act("Lò Văn Minh");
    expect(
      await refusal(explainItem(db, { ...minh, unitId: sm, questionId: q["1.1.1"]!.id, text: "Đề nghị giữ điểm." })),
    ).toEqual({ reason: "not_changed", code: "1.1.1" });
    expect(
      await refusal(explainItem(db, { ...act("Hoàng Thị Hoa"), unitId: sm, questionId: q["1.2"]!.id, text: "..." })),
    ).toEqual({ reason: "not_officer", unit: "Sông Mã" });
    expect(await refusal(explainItem(db, { ...minh, unitId: sm, questionId: q["1.2"]!.id, text: "   " }))).toEqual({
      reason: "text_required",
    });
    expect(
      await refusal(
        addExplanationEvidence(db, {
          ...minh,
          unitId: sm,
          questionId: q["1.2"]!.id,
          file: { url: "https://sonla.gov.vn/bc" },
        }),
      ),
    ).toEqual({ reason: "not_explained", code: "1.2" });
    const explanation = await explainItem(db, {
      ...minh,
      unitId: sm,
      questionId: q["1.2"]!.id,
      text: "Đơn vị đã gửi đủ 4 báo cáo; bổ sung báo cáo quý IV kèm theo.",
    });
    const evidence = await addExplanationEvidence(db, {
      ...minh,
      unitId: sm,
      questionId: q["1.2"]!.id,
      file: { url: "https://sonla.gov.vn/bao-cao-quy-4", note: "Báo cáo quý IV" },
    });
    expect(evidence).toMatchObject({
      explanationId: explanation.id,
      kind: "LINK",
      uploadedById: people["Lò Văn Minh"],
    });
    await explainItem(db, { ...minh, unitId: sm, questionId: q["3.4.1"]!.id, text: "Số liệu đúng hạn là 100%." });

    const campaign = await db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const afterDeadline = new Date(campaign.explanationDeadline!.getTime() + 60_000);
    const late = await refusal(
      explainItem(db, {
        ...minh,
        now: afterDeadline,
        unitId: sm,
        questionId: q["3.1.1"]!.id,
        text: "Giải trình muộn.",
      }),
    );
    expect(late).toEqual({ reason: "explanation_deadline", deadline: campaign.explanationDeadline });
    const t = createI18n("vi", { plainText: true }).forLocale("vi");
    expect(refusalText(late, t, "vi", TZ)).toMatch(/^❌ Đã hết hạn giải trình \(\d{2}\/\d{2}\/2019 \d{2}:\d{2}\)/);
    expect(await db.explanation.count()).toBe(2);
  });

  it("round 2 opens after the deadline and works on explained items only; the final score takes it", async () => {
    const sm = units["song-ma"]!.id;
    const coordinator = act("Nguyễn Thị Bích Thủy");
    expect(await refusal(moveCampaignPhase(db, { ...coordinator, to: "FINAL_APPRAISAL" }))).toMatchObject({
      reason: "explanation_open",
    });
    later(49);
    await moveCampaignPhase(db, { ...act("Nguyễn Thị Bích Thủy"), to: "FINAL_APPRAISAL" });
    expect(
      await refusal(
        appraise(db, {
          ...act("Lò Văn Thẩm"),
          unitId: sm,
          questionId: q["1.1.2"]!.id,
          expectedVersion: 0,
          score: "accept",
        }),
      ),
    ).toEqual({ reason: "not_explained", code: "1.1.2" });
    const view = await appraisalItem(db, campaignId, sm, q["1.2"]!.id);
    expect(view).toMatchObject({ round: 2, version: 0, explanation: { by: "Lò Văn Minh" } });
    expect(view.evidence.filter((e) => e.explanation)).toHaveLength(1);
    await appraise(db, {
      ...act("Lò Văn Thẩm"),
      unitId: sm,
      questionId: q["1.2"]!.id,
      expectedVersion: 0,
      score: "accept",
    });
    const after = await appraisalItem(db, campaignId, sm, q["1.2"]!.id);
    expect(after).toMatchObject({ round1: { score: 0.75 }, round2: { score: 1 }, finalScore: 1 });
  });

  it("bonus and penalty: coordinators only, with a reason and sensible points", async () => {
    const stp = units["so-tu-phap"]!.id;
    const sm = units["song-ma"]!.id;
    expect(
      await refusal(addAdjustment(db, { ...act("Lò Văn Thẩm"), unitId: stp, kind: "BONUS", points: 1, reason: "x" })),
    ).toEqual({ reason: "not_coordinator" });
    expect(
      await refusal(
        addAdjustment(db, { ...act("Nguyễn Thị Bích Thủy"), unitId: stp, kind: "BONUS", points: 11, reason: "x" }),
      ),
    ).toEqual({ reason: "bad_points", points: 11, max: 10 });
    expect(
      await refusal(
        addAdjustment(db, { ...act("Nguyễn Thị Bích Thủy"), unitId: stp, kind: "BONUS", points: 1, reason: " " }),
      ),
    ).toEqual({ reason: "reason_required" });
    await addAdjustment(db, {
      ...act("Nguyễn Thị Bích Thủy"),
      unitId: stp,
      kind: "BONUS",
      points: 1.5,
      reason: "Sáng kiến cải cách được Bộ Tư pháp ghi nhận.",
    });
    const wrong = await addAdjustment(db, {
      ...act("Nguyễn Thị Bích Thủy"),
      unitId: sm,
      kind: "PENALTY",
      points: 2,
      reason: "Nhầm đơn vị.",
    });
    await removeAdjustment(db, { ...act("Nguyễn Thị Bích Thủy"), adjustmentId: wrong.id });
    expect(await refusal(removeAdjustment(db, { ...act("Nguyễn Thị Bích Thủy"), adjustmentId: wrong.id }))).toEqual({
      reason: "adjustment_gone",
    });
    await addAdjustment(db, {
      ...act("Nguyễn Thị Bích Thủy"),
      unitId: sm,
      kind: "PENALTY",
      points: 0.5,
      reason: "Gửi báo cáo tự đánh giá chậm.",
    });
    expect(await db.unitAdjustment.count({ where: { removedAt: null } })).toBe(2);
  });

  it("publishes; the ranking uses final scores with the self-score beside, groups from the file, incomplete units unranked", async () => {
    await moveCampaignPhase(db, { ...act("Nguyễn Thị Bích Thủy"), to: "PUBLISHED" });
    const sm = units["song-ma"]!.id;
    // After publication nothing changes but through a reopen.
    expect(
      await refusal(
        appraise(db, {
          ...act("Lò Văn Thẩm"),
          unitId: sm,
          questionId: q["3.4.1"]!.id,
          expectedVersion: 0,
          score: "accept",
        }),
      ),
    ).toEqual({ reason: "published" });
    expect(
      await refusal(
        addAdjustment(db, { ...act("Nguyễn Thị Bích Thủy"), unitId: sm, kind: "BONUS", points: 1, reason: "x" }),
      ),
    ).toEqual({ reason: "published" });

    const shape = await campaignShape(db, await db.campaign.findUniqueOrThrow({ where: { id: campaignId } }));
    const ranking = await finalRanking(db, shape);
    expect(ranking.appraised).toBe(true);
    expect(ranking.groups.map((g) => g.code)).toEqual(["A", "B", "C", "D"]);
    const entry = (code: string) => ranking.entries.find((e) => e.code === code)!;
    // Sông Mã: every item at its maximum but the team's (5,5 points): 93,5 of 99. Final: 1.2
    // back at 1 in round 2, 3.1.1 at 1,5 or 1, 3.4.1 at 3 of 4, the team's 0,5 + 1 + 0,75 + 1,5 + 0,5.
    const sm311 = (await db.appraisal.findFirstOrThrow({ where: { unitId: sm, questionId: q["3.1.1"]!.id } })).score;
    const smFinal = 93.5 + (sm311 - 1.5) - 1 + 4.25;
    expect(entry("song-ma")).toMatchObject({
      section: "districts",
      selfScore: 93.5,
      appraisedScore: smFinal,
      penalty: 0.5,
      total: smFinal - 0.5,
      max: 99,
      complete: true,
      rank: 1,
    });
    // Sở Tư pháp: 94,5 without the team's items, which gave 0 + 0,5 + 1,5 + 1,5 + 1; a bonus
    // of 1,5 would pass its maximum: 100.
    expect(entry("so-tu-phap")).toMatchObject({
      section: "departments",
      selfScore: 94.5,
      appraisedScore: 99,
      bonus: 1.5,
      total: 100,
      percent: 100,
      complete: true,
      rank: 1,
      group: { code: "A" },
    });
    // Quỳnh Nhai did not submit area 7: not ranked, in no group (not the lowest one).
    expect(entry("quynh-nhai")).toMatchObject({ complete: false, group: null, rank: null });
    expect(ranking.counts.districts.D).toBe(0);
    // Units that never answered are incomplete too.
    expect(entry("thuan-chau")).toMatchObject({ complete: false, group: null, percent: 0 });
    // Districts first, each section's ranked units before its unranked ones.
    const districts = ranking.entries.filter((e) => e.section === "districts");
    expect(districts[0]!.code).toBe("song-ma");

    const proposals = proposeRecognitions(ranking);
    expect(proposals.find((p) => p.unitId === units["so-tu-phap"]!.id)?.kind).toBe("COMMEND");
    expect(proposals.find((p) => p.unitId === units["quynh-nhai"]!.id)?.kind).toBe("CRITICISE");
    expect(
      await refusal(
        decideRecognition(db, { ...act("Lò Văn Thẩm"), unitId: units["so-tu-phap"]!.id, kind: "COMMEND", reason: "x" }),
      ),
    ).toEqual({ reason: "not_coordinator" });
    await decideRecognition(db, {
      ...act("Nguyễn Thị Bích Thủy"),
      unitId: units["so-tu-phap"]!.id,
      kind: "COMMEND",
      reason: "Đạt 100% điểm tối đa, có sáng kiến được ghi nhận.",
    });
    await decideRecognition(db, {
      ...act("Nguyễn Thị Bích Thủy"),
      unitId: units["quynh-nhai"]!.id,
      kind: "CRITICISE",
      reason: "Không hoàn thành tự đánh giá lĩnh vực 7.",
    });
    expect((await db.unitRecognition.findMany({ orderBy: { kind: "asc" } })).map((r) => r.kind)).toEqual([
      "COMMEND",
      "CRITICISE",
    ]);
  });

  it("after publication a coordinator reopens a score with a reason, audited and told to the unit", async () => {
    const sm = units["song-ma"]!.id;
    const base = { unitId: sm, questionId: q["3.4.1"]!.id, expectedVersion: 0 };
    expect(await refusal(reopenScore(db, { ...act("Lò Văn Thẩm"), ...base, score: 4, reason: "x" }))).toEqual({
      reason: "not_coordinator",
    });
    expect(await refusal(reopenScore(db, { ...act("Nguyễn Thị Bích Thủy"), ...base, score: 4, reason: "" }))).toEqual({
      reason: "reason_required",
    });
    expect(await refusal(reopenScore(db, { ...act("Nguyễn Thị Bích Thủy"), ...base, score: 3, reason: "x" }))).toEqual({
      reason: "same_score",
      code: "3.4.1",
      score: 3,
    });
    const row = await reopenScore(db, {
      ...act("Nguyễn Thị Bích Thủy"),
      ...base,
      score: 4,
      reason: "Đơn vị bổ sung quyết định công nhận tỷ lệ 100% (Công văn số 120/UBND).",
    });
    expect(row).toMatchObject({ round: 2, score: 4, version: 1 });
    const log = await db.auditLog.findFirstOrThrow({ where: { action: "appraisal.reopen" } });
    expect(log.after).toMatchObject({ reason: expect.stringContaining("120/UBND"), score: 4, round: 2 });
    expect(await db.notice.count({ where: { kind: "appraisal.reopened", recipientId: people["Lò Văn Minh"] } })).toBe(
      1,
    );
    // Nothing but phases forward: back to round 2 is refused.
    expect(
      await refusal(moveCampaignPhase(db, { ...act("Nguyễn Thị Bích Thủy"), to: "FINAL_APPRAISAL" })),
    ).toMatchObject({ reason: "phase_order", expected: "CLOSED" });
  });
});
