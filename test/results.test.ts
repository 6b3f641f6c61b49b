/**
 * The coordinators' results through the real bot on the real database (SQLite, and
 * PostgreSQL with TEST_DATABASE_URL): a whole appraisal cycle for two districts and a
 * department set up with the domain functions (round 1 with changes, an explanation,
 * round 2, publication), then what coordinators see and store in chat: /tiendo's appraisal
 * progress, /diem by final score, /donvi round by round, /thuongphat, /bieuduong, /phebinh
 * with their confirm buttons and refusals, the workbook, and /diem on Zalo.
 */
import ExcelJS from "exceljs";
import type { InputFile } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appraise, explainItem } from "../src/domain/appraisal.ts";
import { moveCampaignPhase } from "../src/domain/appraisal-phases.ts";
import { createInvites } from "../src/domain/invites.ts";
import { runCli } from "./support/cli.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser, withTelegram } from "./support/people.ts";
import { user } from "./support/updates.ts";
import { type ZaloSide, zaloSide } from "./support/zalo.ts";

let h: Harness;
let z: ZaloSide;
const coordinator = user(8801, "Nguyễn Thị Bích Thủy");
const officer = user(8802, "Lò Văn Minh"); // Sông Mã, not a coordinator
const HOUR = 3_600_000;
let clock = new Date("2019-03-20T02:00:00Z");
const units: Record<string, { id: number; kind: string }> = {};
const q: Record<string, { id: number }> = {};
let coordinatorId = 0;
let minhId = 0;

const at = (hours: number) => {
  clock = new Date(clock.getTime() + hours * HOUR);
  h.clock.fixed = clock;
  return clock;
};
const act = () => ({
  campaignId: h.campaign.id,
  personId: coordinatorId,
  coordinatorIds: h.config.COORDINATOR_IDS,
  now: clock,
});
const say = async (text: string) => (await h.send(coordinator, text)).join("\n");

/**
 * A unit's self-assessment, submitted: every question it is asked answered at its maximum
 * (team-scored ones without a self-score), every area submitted but `skipArea`.
 */
async function submitted(unit: string, skipArea?: string) {
  const u = units[unit]!;
  const questions = await h.db.question.findMany({ include: { criterion: { include: { area: true } } } });
  const asked = questions.filter(
    (x) => (!Array.isArray(x.appliesTo) || x.appliesTo.includes(u.kind)) && x.criterion.area.code !== skipArea,
  );
  await h.db.answer.createMany({
    data: asked.map((x) => ({
      campaignId: h.campaign.id,
      unitId: u.id,
      questionId: x.id,
      value: "yes",
      selfScore: x.teamScored ? null : x.maxPoints,
      answeredById: minhId,
    })),
  });
  const areas = await h.db.reformArea.findMany({ where: skipArea ? { code: { not: skipArea } } : {} });
  await h.db.areaSubmission.createMany({
    data: areas.map((a) => ({
      campaignId: h.campaign.id,
      unitId: u.id,
      areaId: a.id,
      submittedById: minhId,
      selfScore: 0,
    })),
  });
}

/** The team scores every team-scored item of a unit (round 1, 0 points: what an item without proof earns). */
async function teamScores(unit: string) {
  const team = await h.db.question.findMany({ where: { teamScored: true } });
  const answered = await h.db.answer.findMany({
    where: { unitId: units[unit]!.id, questionId: { in: team.map((t) => t.id) } },
  });
  for (const a of answered)
    await appraise(h.db, { ...act(), unitId: a.unitId, questionId: a.questionId, score: 0, expectedVersion: 0 });
}

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) } });
  h.clock.fixed = clock;
  await h.send(coordinator, "/help");
  coordinatorId = (await h.db.person.findFirstOrThrow({ where: telegramUser(coordinator.id) })).id;
  for (const u of await h.db.unit.findMany()) units[u.code] = { id: u.id, kind: u.kind };
  for (const x of await h.db.question.findMany()) q[x.code] = { id: x.id };
  const minh = await h.db.person.create({ data: withTelegram(officer.id, officer.first_name) });
  minhId = minh.id;
  await h.db.membership.create({
    data: { campaignId: h.campaign.id, personId: minhId, role: "OFFICER", unitId: units["song-ma"]!.id },
  });
  await submitted("song-ma");
  await submitted("so-tu-phap");
  await submitted("quynh-nhai", "7");
  z = await zaloSide(h);
});
afterAll(async () => {
  await z?.close();
  await h?.close();
});

describe("during round 1", () => {
  it("/tiendo shows the appraisal's progress per appraiser and per unit, /diem still the self-scores", async () => {
    await moveCampaignPhase(h.db, { ...act(), to: "APPRAISAL" });
    await appraise(h.db, {
      ...act(),
      unitId: units["song-ma"]!.id,
      questionId: q["1.2"]!.id,
      score: 0.5,
      comment: "Chỉ có 2 báo cáo định kỳ trong hồ sơ kiểm chứng.",
      expectedVersion: 0,
    });
    const progress = await say("/tiendo");
    expect(progress).toContain("📊 Tiến độ thẩm định vòng 1");
    expect(progress).toContain("Giai đoạn hiện tại: thẩm định vòng 1");
    // Districts are asked 69 questions, departments 70; Quỳnh Nhai answered all but area 7.
    expect(progress).toMatch(/Đã thẩm định: 1\/\d+ nội dung/);
    expect(progress).toContain("2. Sông Mã — 1/69 (1,4%)");
    expect(progress).toContain("Chưa có thành viên Hội đồng thẩm định nào.");
    const ranking = await say("/diem");
    expect(ranking).toContain("Xếp hạng theo điểm tự chấm");
    // /donvi: the self-score, the score after round 1 so far, per area too.
    const unit = await say("/donvi Sông Mã");
    expect(unit).toContain("Điểm tự chấm: <b>93,5/99</b> (94,4%)");
    expect(unit).toContain("Sau thẩm định vòng 1: <b>93/99</b> (93,9%)");
    expect(unit).toContain("Đang thẩm định vòng 1: điểm cuối cùng có sau khi kết thúc vòng 1.");
    expect(unit).toContain("Tự chấm 13,5 → vòng 1 13 điểm");
  });
});

describe("bonus and penalty in chat", () => {
  it("proposes, and saves only on the confirm button", async () => {
    const proposal = await say("/thuongphat Sở Tư pháp +1,5 Sáng kiến cải cách được Bộ Tư pháp ghi nhận");
    expect(proposal).toContain("Ghi <b>điểm thưởng +1,5</b> cho <b>Sở Tư pháp</b>?");
    expect(proposal).toContain("Lý do: Sáng kiến cải cách được Bộ Tư pháp ghi nhận");
    expect(await h.db.unitAdjustment.count()).toBe(0);
    const save = h.recorder.button("Lưu");
    await h.press(coordinator, save);
    expect(h.recorder.texts().join("\n")).toContain("✅ Đã ghi điểm thưởng +1,5 cho Sở Tư pháp");
    const row = await h.db.unitAdjustment.findFirstOrThrow();
    expect(row).toMatchObject({ kind: "BONUS", points: 1.5, byId: coordinatorId, unitId: units["so-tu-phap"]!.id });
    // A second press of the same button saves nothing twice.
    await h.press(coordinator, save);
    expect(await h.db.unitAdjustment.count()).toBe(1);

    await say("/thuongphat song ma -0,5 điểm Gửi báo cáo tự đánh giá chậm");
    await h.tap(coordinator, "Lưu");
    await say("/thuongphat Sông Mã -2 Nhầm đơn vị");
    await h.tap(coordinator, "Lưu");
    expect(await h.db.unitAdjustment.count({ where: { removedAt: null } })).toBe(3);
  });

  it("refuses above the maximum, without a reason, without a sign; and a cancel stores nothing", async () => {
    expect(await say("/thuongphat Sông Mã +11 Nhiều sáng kiến")).toBe(
      "❌ Số điểm 11 không hợp lệ: điểm thưởng, điểm trừ phải lớn hơn 0 và không quá 10 điểm.",
    );
    expect(await say("/thuongphat Sông Mã +2")).toBe("❌ Đồng chí cần nêu lý do.");
    expect(await say("/thuongphat Sông Mã 2 Sáng kiến")).toContain("Thêm điểm thưởng: <code>/thuongphat");
    expect(await say("/thuongphat Sông Mã +0,001 Sáng kiến")).toContain("❌ Số điểm 0,001 không hợp lệ");
    await say("/thuongphat Sông Mã +1 Thử rồi hủy");
    await h.tap(coordinator, "Hủy");
    expect(h.recorder.texts()).toEqual(["Đã hủy, không có gì được lưu."]);
    expect(await h.db.unitAdjustment.count()).toBe(3);
    // An officer is refused the command.
    expect(await h.send(officer, "/thuongphat Sông Mã +1 Tự thưởng")).toEqual([
      "⛔ Lệnh này chỉ dành cho công chức Phòng CCHC, Sở Nội vụ (điều phối đợt kiểm tra).",
    ]);
  });

  it("lists them per unit, and removes one after a confirm", async () => {
    const list = await say("/thuongphat");
    expect(list).toContain("<b>Sở Tư pháp</b>: thưởng +1,5 · trừ −0");
    expect(list).toContain("<b>Sông Mã</b>: thưởng +0 · trừ −2,5");
    const wrong = await h.db.unitAdjustment.findFirstOrThrow({ where: { reason: "Nhầm đơn vị" } });
    expect(list).toContain(`#${wrong.id} ➖ 2 điểm — Nhầm đơn vị (Nguyễn Thị Bích Thủy,`);
    await h.tap(coordinator, `Xóa #${wrong.id}`);
    expect(h.recorder.texts().join("\n")).toContain(
      `Xóa khoản #${wrong.id}: điểm trừ 2 điểm của <b>Ủy ban nhân dân huyện Sông Mã</b>?`,
    );
    expect((await h.db.unitAdjustment.findUniqueOrThrow({ where: { id: wrong.id } })).removedAt).toBeNull();
    const remove = h.recorder.button("Xóa khoản này");
    await h.press(coordinator, remove);
    expect(h.recorder.texts().join("\n")).toContain(`🗑 Đã xóa khoản #${wrong.id}`);
    expect((await h.db.unitAdjustment.findUniqueOrThrow({ where: { id: wrong.id } })).removedById).toBe(coordinatorId);
    // Pressed again: already gone.
    await h.press(coordinator, remove);
    expect(h.recorder.texts()).toContain("❌ Không tìm thấy khoản điểm thưởng, điểm trừ này (có thể đã được rút).");
  });
});

describe("once round 1 is closed", () => {
  it("commend / criticise wait for round 1's close", async () => {
    expect(await say("/bieuduong Sở Tư pháp Đạt điểm cao")).toContain(
      "❌ Việc này chỉ làm được ở giai đoạn giải trình",
    );
    expect(await say("/bieuduong")).toContain("Đề xuất biểu dương, phê bình có sau khi kết thúc thẩm định vòng 1");
  });

  it("/diem ranks by final score, districts and departments apart, with self-score, bonus, penalty and groups", async () => {
    await teamScores("song-ma");
    await teamScores("so-tu-phap");
    await moveCampaignPhase(h.db, {
      ...act(),
      to: "EXPLANATION",
      explanationDeadline: new Date(clock.getTime() + 48 * HOUR),
    });
    await explainItem(h.db, {
      campaignId: h.campaign.id,
      personId: minhId,
      coordinatorIds: [],
      now: at(1),
      unitId: units["song-ma"]!.id,
      questionId: q["1.2"]!.id,
      text: "Đơn vị đã gửi đủ 4 báo cáo; bổ sung báo cáo quý IV.",
    });
    at(49);
    await moveCampaignPhase(h.db, { ...act(), to: "FINAL_APPRAISAL" });
    await appraise(h.db, {
      ...act(),
      unitId: units["song-ma"]!.id,
      questionId: q["1.2"]!.id,
      score: 0.75,
      comment: "Báo cáo quý IV gửi muộn.",
      expectedVersion: 0,
    });
    const text = await say("/diem");
    expect(text).toContain("<b>🏆 Xếp hạng theo điểm thẩm định</b>");
    expect(text).toContain(
      "Huyện, thành phố: nhóm A (từ 90%): 1 · nhóm B (từ 80% đến dưới 90%): 0 · nhóm C (từ 65% đến dưới 80%): 0 · nhóm D (dưới 65%): 0",
    );
    // Sông Mã: 93,5 self (the team's items have none, and got 0); 1.2 lowered from 1 to 0,5
    // in round 1, 0,75 in round 2: 93,25; less the 0,5 penalty.
    expect(text).toContain("1. Sông Mã — <b>92,75/99</b> (93,7%) · nhóm A · tự chấm 93,5 · trừ −0,5");
    // Quỳnh Nhai did not submit area 7: shown, never in the lowest group.
    expect(text).toContain("• Quỳnh Nhai — 76,5/99 (77,3%) · chưa xếp loại · tự chấm 76,5");
    expect(text).toContain("• Thuận Châu — 0/99 (0%) · chưa xếp loại · tự chấm 0");
    expect(text).toContain("1. Sở Tư pháp — <b>96/100</b> (96%) · nhóm A · tự chấm 94,5 · thưởng +1,5");
    const districts = text.indexOf("<b>Huyện, thành phố</b>");
    const departments = text.indexOf("<b>Sở, ban, ngành</b>");
    expect(districts).toBeGreaterThan(0);
    expect(departments).toBeGreaterThan(districts);
    expect(text.indexOf("Sở Tư pháp — <b>")).toBeGreaterThan(departments);
    // The chart follows the same numbers.
    expect(h.recorder.of("sendPhoto")).toHaveLength(1);
    // A plain question gets the same screen.
    expect((await say("xếp hạng")).split("\n").slice(0, 3)).toEqual(text.split("\n").slice(0, 3));
  });

  it("/donvi shows the self-score, both rounds, bonus and penalty and the final score", async () => {
    const text = await say("/donvi Sông Mã");
    expect(text).toContain("Điểm tự chấm: <b>93,5/99</b> (94,4%)");
    expect(text).toContain("Sau thẩm định vòng 1: <b>93/99</b> (93,9%)");
    expect(text).toContain("Sau thẩm định vòng 2: <b>93,25/99</b> (94,2%)");
    expect(text).toContain("Điểm thưởng: +0 · điểm trừ: −0,5");
    expect(text).toContain("🏁 Điểm cuối cùng: <b>92,75/99</b> (93,7%) — nhóm A");
    expect(text).toContain("Tự chấm 13,5 → vòng 1 13 → vòng 2 13,25 điểm");
  });

  it("/bieuduong proposes from the ranking; /bieuduong and /phebinh decide on a confirm", async () => {
    const list = await say("/bieuduong");
    expect(list).toContain("<b>Đề xuất biểu dương</b> (nhóm cao nhất): 2 đơn vị");
    expect(list).toContain("• Sở Tư pháp (nhóm A, hạng 1, 96%)");
    expect(list).toContain("• Quỳnh Nhai (chưa xếp loại)");
    expect(await say("/phebinh Quỳnh Nhai")).toContain("❌ Đồng chí cần nêu lý do.");
    expect(await say("/bieuduong Sở Tư pháp Đạt 96% điểm tối đa, có sáng kiến")).toContain(
      "<b>Biểu dương Sở Tư pháp</b>?\nLý do: Đạt 96% điểm tối đa, có sáng kiến",
    );
    expect(await h.db.unitRecognition.count()).toBe(0);
    await h.tap(coordinator, "Lưu");
    expect(h.recorder.texts().join("\n")).toContain("✅ Đã ghi biểu dương Sở Tư pháp.");
    await say("/phebinh Quỳnh Nhai: Không hoàn thành tự đánh giá lĩnh vực 7");
    await h.tap(coordinator, "Lưu");
    const rows = await h.db.unitRecognition.findMany({ orderBy: { kind: "asc" } });
    expect(rows.map((r) => [r.unitId, r.kind, r.reason])).toEqual([
      [units["so-tu-phap"]!.id, "COMMEND", "Đạt 96% điểm tối đa, có sáng kiến"],
      [units["quynh-nhai"]!.id, "CRITICISE", "Không hoàn thành tự đánh giá lĩnh vực 7"],
    ]);
    expect(await say("/bieuduong")).toContain("👏 Biểu dương Sở Tư pháp: Đạt 96% điểm tối đa, có sáng kiến");
  });

  it("after publication bonus and penalty are refused", async () => {
    await moveCampaignPhase(h.db, { ...act(), to: "PUBLISHED" });
    expect(await say("/thuongphat Sông Mã +1 Sáng kiến")).toBe(
      "❌ Kết quả đã công bố: điểm chỉ thay đổi khi công chức Phòng CCHC, Sở Nội vụ mở lại và nêu lý do.",
    );
    expect(await h.db.unitAdjustment.count({ where: { removedAt: null } })).toBe(2);
  });

  it("/xuat: final scores per item, ranking sheets per unit kind, title rows, numbers as numbers", async () => {
    await h.send(coordinator, "/xuat");
    const [doc] = h.recorder.of("sendDocument");
    const bytes = Buffer.from((await (doc!.document as InputFile).toRaw()) as Uint8Array);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    for (const ws of wb.worksheets)
      expect(ws.getCell("A1").value, ws.name).toMatch(
        /^Kế hoạch .+ — Quyết định số 53\/QĐ-UBND ngày 07\/01\/2019 · Xuất lúc 22\/03\/2019 \d\d:\d\d$/,
      );
    const districts = wb.getWorksheet("Xếp hạng huyện, thành phố")!;
    expect((districts.getRow(2).values as unknown[]).slice(1)).toEqual([
      "Hạng",
      "Đơn vị",
      "Điểm tự chấm",
      "Điểm thẩm định",
      "Điểm thưởng",
      "Điểm trừ",
      "Điểm cuối cùng (có thưởng, trừ)",
      "Điểm tối đa của đơn vị",
      "Tỷ lệ điểm (%)",
      "Nhóm",
      "Biểu dương, phê bình",
      "Lý do biểu dương, phê bình",
    ]);
    const songMa = (districts.getRow(3).values as unknown[]).slice(1);
    expect(songMa.slice(0, 8)).toEqual([1, "Sông Mã", 93.5, 93.25, 0, 0.5, 92.75, 99]);
    expect(songMa[8]).toBeCloseTo(92.75 / 99, 6);
    expect(songMa[9]).toBe("A");
    expect(districts.getCell("C3").type).toBe(ExcelJS.ValueType.Number);
    expect(districts.getCell("C3").numFmt).toBe("0.00");
    const qn = (districts.getRow(4).values as unknown[]).slice(1);
    expect([qn[0], qn[1], qn[9], qn[10], qn[11]]).toEqual([
      undefined,
      "Quỳnh Nhai",
      "chưa xếp loại",
      "Phê bình",
      "Không hoàn thành tự đánh giá lĩnh vực 7",
    ]);
    const departments = wb.getWorksheet("Xếp hạng sở, ban, ngành")!;
    expect((departments.getRow(3).values as unknown[]).slice(1, 11)).toEqual([
      1,
      "Sở Tư pháp",
      94.5,
      94.5,
      1.5,
      0,
      96,
      100,
      0.96,
      "A",
    ]);
    const answers = wb.getWorksheet("Chi tiết trả lời")!;
    const item = answers
      .getRows(3, answers.rowCount - 2)!
      .map((r) => (r.values as unknown[]).slice(1))
      .find((v) => v[0] === "Ủy ban nhân dân huyện Sông Mã" && v[2] === "1.2")!;
    // Self-score, round 1, the unit's explanation, round 2, final.
    expect(item.slice(5, 10)).toEqual([1, 0.5, "Đơn vị đã gửi đủ 4 báo cáo; bổ sung báo cáo quý IV.", 0.75, 0.75]);
  });
});

describe("the command line", () => {
  it("recognize lists the proposals and decisions, and decides as a coordinator named by --as", async () => {
    const env = { DATABASE_URL: h.database.url, COORDINATOR_IDS: String(coordinator.id) };
    const list = await runCli(["recognize"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("proposed\tcommend\tSở Tư pháp\tgroup A, rank 1");
    expect(list.stdout).toContain("decided\tcriticise\tQuỳnh Nhai\tKhông hoàn thành tự đánh giá lĩnh vực 7");
    const missing = await runCli(["recognize", "commend", "song ma", "Làm tốt"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("--as <telegram user id> of a coordinator");
    const done = await runCli(
      ["recognize", "commend", "song ma", "Đạt", "nhóm", "A", "--as", String(coordinator.id)],
      env,
    );
    expect(done.stdout).toContain("Sông Mã: commend");
    expect(await h.db.unitRecognition.findFirstOrThrow({ where: { unitId: units["song-ma"]!.id } })).toMatchObject({
      kind: "COMMEND",
      reason: "Đạt nhóm A",
      byId: coordinatorId,
    });
  });
});

describe("on Zalo", () => {
  it("a coordinator's /diem is the same ranking, in plain text", async () => {
    const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "COORDINATOR", unitIds: [] });
    const thuy = { id: "zalo-thuy", display_name: "Bích Thủy" };
    await z.send(thuy, `MOI ${invite!.code}`);
    const text = (await z.send(thuy, "diem")).join("\n");
    expect(text).toContain("🏆 Xếp hạng theo điểm thẩm định");
    expect(text).toContain("1. Sông Mã — 92,75/99 (93,7%) · nhóm A · tự chấm 93,5 · trừ −0,5");
    expect(text).not.toMatch(/<b>|<\/b>/);
    expect(z.fake.violations).toEqual([]);
  });
});

describe("after publication", () => {
  it("/suadiem changes a score after publication on a confirm, with a reason, and tells the unit", async () => {
    expect(await say("/suadiem Sông Mã 1.1.1 0,5")).toBe("❌ Đồng chí cần nêu lý do.");
    expect(await say("/suadiem Sông Mã")).toContain("Sửa điểm sau khi công bố: /suadiem");
    const proposal = await say("/suadiem Sông Mã câu 1.1.1 0,5 Quyết định ban hành sau thời hạn");
    expect(proposal).toContain(
      "Đồng chí xác nhận sửa điểm câu 1.1.1 của <b>Ủy ban nhân dân huyện Sông Mã</b> từ 1 thành <b>0,5</b> điểm?",
    );
    expect(await h.db.appraisal.count({ where: { question: { code: "1.1.1" }, round: 2 } })).toBe(0);
    await h.tap(coordinator, "Lưu");
    expect(h.recorder.texts().join("\n")).toContain(
      "✅ Đã sửa điểm câu 1.1.1 của Ủy ban nhân dân huyện Sông Mã thành <b>0,5</b> điểm",
    );
    const row = await h.db.appraisal.findFirstOrThrow({
      where: { question: { code: "1.1.1" }, round: 2, unit: { code: "song-ma" } },
    });
    expect(row).toMatchObject({ score: 0.5, comment: "Quyết định ban hành sau thời hạn" });
    expect(await h.db.auditLog.count({ where: { action: "appraisal.reopen" } })).toBe(1);
    expect(await h.db.notice.count({ where: { kind: "appraisal.reopened" } })).toBeGreaterThan(0);
    // The same button again: the draft is gone, nothing is changed twice.
    await h.tap(coordinator, "Lưu").catch(() => {});
    expect(await h.db.auditLog.count({ where: { action: "appraisal.reopen" } })).toBe(1);
    expect(await say("/suadiem Sông Mã 1.1.1 0,3 Sai")).toContain("0,3");
  });
});
