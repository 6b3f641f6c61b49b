/**
 * Appraisal in chat, through the real bot with real Telegram updates, on the test database
 * (SQLite, or PostgreSQL with TEST_DATABASE_URL), and the core of it on Zalo: a coordinator
 * moves the campaign's phases with /giaidoan (closing round 1 with a deadline); an appraiser
 * works through /thamdinh one item at a time — keeping a self-score with one tap, choosing a
 * score that then waits for its comment, typing a score with its comment — and is refused
 * outside their assignment, off the rule's steps, on a stale screen.
 */
import type { User } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appraise } from "../src/domain/appraisal.ts";
import { assignAppraiser, saveAppraiser } from "../src/domain/appraisers.ts";
import { createInvites } from "../src/domain/invites.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { user } from "./support/updates.ts";
import { type ZaloSide, zaloSide } from "./support/zalo.ts";

const thuy = user(7101, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS)
const tham = user(7102, "Lò Văn Thẩm"); // appraiser of Sông Mã
const dinh = user(7103, "Cầm Thị Định"); // appraiser of Sở Tư pháp only
const minh = user(7104, "Lò Văn Minh"); // officer of Sông Mã

let h: Harness;

async function personOf(u: User) {
  return h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(u.id)) });
}

async function linkOfficer(u: User, unitCode: string) {
  const unitIds = [(await h.unit(unitCode)).id];
  const [made] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds });
  await h.send(u, `/start ${made!.code}`);
}

/** An appraiser on the roster, assigned to a unit, who joins with the invite made for them. */
async function appraiserInvite(key: string, name: string, unitCode: string): Promise<string> {
  const row = await saveAppraiser(h.db, h.campaign.id, { key, name }, "test");
  await assignAppraiser(h.db, h.campaign.id, key, { unitIds: [(await h.unit(unitCode)).id] }, "test");
  const [made] = await createInvites(h.db, { campaignId: h.campaign.id, role: "APPRAISER", appraiserIds: [row.id] });
  return made!.code;
}

async function appraiserFor(u: User, key: string, unitCode: string) {
  await h.send(u, `/start ${await appraiserInvite(key, u.first_name, unitCode)}`);
}

/** Sông Mã's area 1 answered "yes" with full self-scores (team-scored items without). */
async function answerArea1(unitCode: string) {
  const unit = await h.unit(unitCode);
  const officer = await personOf(minh);
  const questions = await h.db.question.findMany({
    where: { criterion: { area: { code: "1" } } },
    orderBy: { order: "asc" },
  });
  await h.db.answer.createMany({
    data: questions.map((q) => ({
      campaignId: h.campaign.id,
      unitId: unit.id,
      questionId: q.id,
      value: "yes",
      selfScore: q.teamScored ? null : q.maxPoints,
      answeredById: officer.id,
    })),
  });
  return questions;
}

const appraisalOf = async (unitCode: string, code: string, round = 1) =>
  h.db.appraisal.findFirst({ where: { unit: { code: unitCode }, question: { code }, round } });

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(thuy.id) } });
  await h.openSelfAssessment();
  await linkOfficer(minh, "song-ma");
  await appraiserFor(tham, "hd-song-ma", "song-ma");
  await appraiserFor(dinh, "hd-tu-phap", "so-tu-phap");
  await answerArea1("song-ma");
});
afterAll(() => h.close());

describe("/giaidoan", () => {
  it("shows the phases and refuses everyone but coordinators", async () => {
    const [text] = await h.send(thuy, "/giaidoan");
    expect(text).toContain("Các giai đoạn của đợt kiểm tra");
    expect(text).toContain("▶️ <b>tự đánh giá, chấm điểm</b>");
    expect(text).toContain("⬜ thẩm định vòng 1");
    expect(h.recorder.lastKeyboard().flat()[0]!.text).toBe("➡️ Chuyển sang «thẩm định vòng 1»");
    expect(await h.send(tham, "/giaidoan")).toEqual(["❌ Việc này do công chức Phòng CCHC, Sở Nội vụ thực hiện."]);
    expect(await h.send(minh, "/giaidoan")).toEqual(["❌ Việc này do công chức Phòng CCHC, Sở Nội vụ thực hiện."]);
  });

  it("asks to confirm, then opens round 1, locks the self-assessment and notifies", async () => {
    await h.send(thuy, "/giaidoan");
    await h.tap(thuy, /Chuyển sang/);
    const confirm = h.recorder.texts().join("\n");
    expect(confirm).toContain(
      "Đồng chí xác nhận chuyển đợt kiểm tra từ giai đoạn «tự đánh giá, chấm điểm» sang «thẩm định vòng 1»?",
    );
    await h.tap(thuy, "✅ Xác nhận chuyển giai đoạn");
    const moved = h.recorder.texts().join("\n");
    expect(moved).toMatch(
      /✅ Đã chuyển đợt kiểm tra sang giai đoạn «thẩm định vòng 1»\. Bot đã gửi thông báo đến \d+ người\./,
    );
    expect((await h.db.campaign.findUniqueOrThrow({ where: { id: h.campaign.id } })).status).toBe("APPRAISAL");
    expect(await h.db.notice.count({ where: { kind: "campaign.phase" } })).toBeGreaterThanOrEqual(3);
    expect(await h.db.auditLog.count({ where: { action: "campaign.phase" } })).toBe(1);
  });

  it("refuses a stale confirmation: the phase moved meanwhile, nothing moves twice", async () => {
    // The confirmation pressed above, pressed again.
    await h.press(thuy, "ph:m:s:a:0");
    expect(h.recorder.texts().join("\n")).toContain("Giai đoạn của đợt kiểm tra vừa được chuyển");
    expect(await h.db.auditLog.count({ where: { action: "campaign.phase" } })).toBe(1);
  });

  it("takes a deadline only when closing round 1, and refuses one it cannot read", async () => {
    expect((await h.send(thuy, "/giaidoan 31/02/2027"))[0]).toContain("Không đọc được hạn chót «31/02/2027»");
    expect((await h.send(thuy, "/giaidoan"))[0]).toContain("/giaidoan 25/03/2019 17:00");
  });
});

describe("/thamdinh", () => {
  it("refuses officers and lists the appraiser's units with their progress", async () => {
    expect(await h.send(minh, "/thamdinh")).toEqual([
      "Lệnh này dành cho thành viên Hội đồng thẩm định và công chức Phòng CCHC, Sở Nội vụ.",
    ]);
    const [text] = await h.send(tham, "/thamdinh");
    expect(text).toContain("Thẩm định vòng 1");
    const labels = h.recorder
      .lastKeyboard()
      .flat()
      .map((b) => b.text);
    expect(labels).toContain("▶️ Làm tiếp nội dung chưa thẩm định");
    expect(labels.some((l) => /^Sông Mã · 0\/\d+$/.test(l))).toBe(true);
    expect(labels.some((l) => l.startsWith("Sở Tư pháp"))).toBe(false);
  });

  it("shows an item with the answer, self-score, rule and steps, and keeps the self-score with one tap", async () => {
    await h.tap(tham, /^Sông Mã/);
    const item = h.recorder.texts().join("\n");
    expect(item).toContain("🔎 Thẩm định vòng 1 · <b>Ủy ban nhân dân huyện Sông Mã</b>");
    expect(item).toContain("Lĩnh vực 1 · Câu 1.1.1");
    expect(item).toContain("Điểm tự chấm: <b>1</b>");
    expect(item).toContain("Cách chấm:");
    await h.tap(tham, "✅ Giữ điểm tự chấm (1)");
    const after = h.recorder.texts().join("\n");
    expect(after).toContain("✅ Đã lưu điểm thẩm định vòng 1 câu 1.1.1 của Sông Mã: <b>1</b> điểm.");
    expect(after).toContain("Câu 1.1.2");
    expect(await appraisalOf("song-ma", "1.1.1")).toMatchObject({ score: 1, comment: null, version: 1 });
  });

  it("asks for a comment when a chosen score differs, then stores both", async () => {
    const item = h.recorder.texts().join("\n");
    const code = /Câu (1\.\d+\.\d+)/.exec(item)![1]!;
    await h.tap(tham, "0 điểm");
    expect(h.recorder.texts().join("\n")).toContain(`Điểm 0 khác điểm tự chấm`);
    expect(await appraisalOf("song-ma", code)).toBeNull();
    expect(await h.send(tham, "sai")).toEqual(["Nhận xét quá ngắn: đồng chí nêu rõ lý do (ít nhất 5 ký tự)."]);
    const saved = (await h.send(tham, "Không có văn bản ban hành kế hoạch")).join("\n");
    expect(saved).toContain(
      `✅ Đã lưu điểm thẩm định vòng 1 câu ${code} của Sông Mã: <b>0</b> điểm — nhận xét: Không có văn bản ban hành kế hoạch.`,
    );
    expect(await appraisalOf("song-ma", code)).toMatchObject({
      score: 0,
      comment: "Không có văn bản ban hành kế hoạch",
    });
    const audit = await h.db.auditLog.findFirst({ where: { action: "appraisal.set" }, orderBy: { id: "desc" } });
    expect(audit?.actorId).toBe((await personOf(tham)).id);
  });

  it("takes a typed score with its comment, and refuses scores off the rule's steps or above the maximum", async () => {
    const cursor = await h.db.appraisalCursor.findUniqueOrThrow({ where: { personId: (await personOf(tham)).id } });
    const question = await h.db.question.findUniqueOrThrow({ where: { id: cursor.questionId } });
    expect(await h.send(tham, "99")).toEqual([expect.stringContaining("0 đến")]);
    expect(await h.send(tham, "tốt lắm")).toEqual([
      expect.stringContaining(`Đồng chí gõ điểm thẩm định câu ${question.code}`),
    ]);
    expect(await appraisalOf("song-ma", question.code)).toBeNull();
    // 1.2 counts reports at 0,25 each, up to 1: 0,3 is off its steps, 0,5 is one.
    expect(question.code).toBe("1.2");
    expect(await h.send(tham, "0,3 chỉ gửi một phần báo cáo")).toEqual([
      "❌ Câu 1.2 chấm theo bội số của 0,25 điểm, tối đa 1 điểm; 0,3 không phải là mức điểm hợp lệ.",
    ]);
    expect(await appraisalOf("song-ma", "1.2")).toBeNull();
    const reply = (await h.send(tham, "0,5 chỉ gửi hai báo cáo đúng hạn")).join("\n");
    expect(reply).toContain(
      "✅ Đã lưu điểm thẩm định vòng 1 câu 1.2 của Sông Mã: <b>0,5</b> điểm — nhận xét: chỉ gửi hai báo cáo đúng hạn.",
    );
    expect(await appraisalOf("song-ma", "1.2")).toMatchObject({ score: 0.5, comment: "chỉ gửi hai báo cáo đúng hạn" });
  });

  it("refuses an item outside the appraiser's assignment and a press on a screen a colleague changed", async () => {
    const songMa = await h.unit("song-ma");
    const q111 = await h.db.question.findFirstOrThrow({ where: { code: "1.1.1" } });
    await h.press(dinh, `ap:i:${songMa.id}:${q111.id}`);
    expect(h.recorder.texts()).toEqual(["❌ Đồng chí không được phân công thẩm định lĩnh vực 1 của Sông Mã."]);
    // The coordinator changes 1.1.1 (version 1 → 2); Thẩm's old screen (version 1) is stale.
    await appraise(h.db, {
      campaignId: h.campaign.id,
      personId: (await personOf(thuy)).id,
      coordinatorIds: h.config.COORDINATOR_IDS,
      now: new Date(),
      unitId: songMa.id,
      questionId: q111.id,
      score: 0,
      comment: "Quyết định ban hành sau thời hạn",
      expectedVersion: 1,
    });
    await h.press(tham, `ap:a:${songMa.id}:${q111.id}:1`);
    expect(h.recorder.texts().join("\n")).toContain("⚠️ Câu 1.1.1 vừa được đồng nghiệp thẩm định");
    expect(await appraisalOf("song-ma", "1.1.1")).toMatchObject({ score: 0, version: 2 });
  });

  it("after a restart, a typed score still goes to the item the appraiser is on", async () => {
    const before = await h.db.appraisalCursor.findUniqueOrThrow({ where: { personId: (await personOf(tham)).id } });
    h.restart();
    const question = await h.db.question.findUniqueOrThrow({ where: { id: before.questionId } });
    await h.send(tham, `0 không có tài liệu kiểm chứng`);
    expect(await appraisalOf("song-ma", question.code)).toMatchObject({
      score: 0,
      comment: "không có tài liệu kiểm chứng",
    });
  });
});

describe("appraisal on Zalo", () => {
  let z: ZaloSide;
  const ha = { id: "8101000000000000001", display_name: "Hà Văn Duyệt" };
  beforeAll(async () => {
    z = await zaloSide(h);
    const [linked] = await z.send(ha, `MOI ${await appraiserInvite("hd-zalo", ha.display_name, "song-ma")}`);
    expect(linked).toContain("thành viên Hội đồng thẩm định");
  });
  afterAll(() => z?.close());

  it("numbers the units, keeps a self-score by keyword and takes a typed score as a score", async () => {
    const [units] = await z.send(ha, "thamdinh");
    expect(units).toContain("Thẩm định vòng 1");
    expect(units).toMatch(/\d\. Sông Mã · \d+\/\d+/);
    const number = /(\d)\. Sông Mã/.exec(units!)![1]!;
    const [item] = await z.send(ha, number);
    expect(item).toContain("Gõ «giữ»: ✅ Giữ điểm tự chấm");
    expect(item).not.toContain("gõ số để chọn");
    const code = /Câu (\d+\.\d+\.\d+)/.exec(item!)![1]!;
    const [saved] = await z.send(ha, "giữ");
    expect(saved).toContain(`✅ Đã lưu điểm thẩm định vòng 1 câu ${code} của Sông Mã`);
    // The next item is on the screen: "0" typed there is the score 0, never a menu choice,
    // and as it differs from the self-score a comment is asked for; nothing is stored yet.
    const next = /Câu (\d+(?:\.\d+)+) \(tối đa/.exec(saved!)![1]!;
    const question = await h.db.question.findFirstOrThrow({ where: { code: next } });
    expect(question.teamScored).toBe(false);
    expect((await z.send(ha, "0")).join("\n")).toContain(
      `Điểm 0 khác điểm tự chấm (${String(question.maxPoints).replace(".", ",")}) của câu ${next}`,
    );
    expect(await appraisalOf("song-ma", next)).toBeNull();
    expect(z.fake.violations).toEqual([]);
  });
});
