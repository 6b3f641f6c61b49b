/**
 * /giaitrinh through the real bot on the real database (SQLite, and PostgreSQL with
 * TEST_DATABASE_URL): a campaign taken through appraisal round 1 by the domain, then a unit
 * officer lists the items round 1 changed, opens one, explains it in text, adds a PDF and a
 * photo, and sees it explained; the refusals (an item not changed, the deadline with its
 * date, people who are not the unit's officers, stale buttons) store nothing; the phase after
 * is read only. Then the same core path on Zalo, with numbers, keywords and a photo.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appraise } from "../src/domain/appraisal.ts";
import { moveCampaignPhase } from "../src/domain/appraisal-phases.ts";
import { createInvites } from "../src/domain/invites.ts";
import { jpeg, pdf } from "./storage/samples.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { withTelegram } from "./support/people.ts";
import { user } from "./support/updates.ts";
import { zaloSide } from "./support/zalo.ts";

const HOUR = 3_600_000;
const NONE: readonly bigint[] = [];
const DEADLINE_LINE = /Đã hết hạn giải trình \((\d{2}\/\d{2}\/\d{4} \d{2}:\d{2})\)/;

/**
 * Sông Mã's answers to three items (1.1.1 and 1.2 at their maximum, 5.6.2 scored by the
 * team), round 1 by a coordinator (1.1.1 accepted, 1.2 lowered with a comment, 5.6.2 given
 * the team's score), and round 1 closed with an explanation deadline two days ahead.
 */
async function throughRound1(h: Harness, officerId: number) {
  const db = h.db;
  const campaignId = h.campaign.id;
  const coordinator = await db.person.create({ data: withTelegram(9690, "Nguyễn Thị Bích Thủy") });
  await db.membership.create({ data: { campaignId, personId: coordinator.id, role: "COORDINATOR" } });
  const unit = await h.unit("song-ma");
  const q = Object.fromEntries((await db.question.findMany()).map((x) => [x.code, x]));
  const answers = [
    ["1.1.1", "2019-01-15", 1],
    ["1.2", "4", 1],
    ["5.6.2", "1", null],
  ] as const;
  await db.answer.createMany({
    data: answers.map(([code, value, selfScore]) => ({
      campaignId,
      unitId: unit.id,
      questionId: q[code]!.id,
      value,
      selfScore,
      answeredById: officerId,
    })),
  });
  const act = () => ({ campaignId, personId: coordinator.id, coordinatorIds: NONE, now: h.clock.now() });
  await moveCampaignPhase(db, { ...act(), to: "APPRAISAL" });
  const item = (code: string) => ({ unitId: unit.id, questionId: q[code]!.id, expectedVersion: 0 });
  await appraise(db, { ...act(), ...item("1.1.1"), score: "accept" });
  await appraise(db, {
    ...act(),
    ...item("1.2"),
    score: 0.5,
    comment: "Hồ sơ chỉ có 2 báo cáo gửi đúng hạn.",
  });
  await appraise(db, { ...act(), ...item("5.6.2"), score: 0.75 });
  const deadline = new Date(h.clock.now().getTime() + 48 * HOUR);
  await moveCampaignPhase(db, { ...act(), to: "EXPLANATION", explanationDeadline: deadline });
  return { coordinator, unit, q, deadline, act };
}

describe("/giaitrinh on Telegram", () => {
  let h: Harness;
  let setup: Awaited<ReturnType<typeof throughRound1>>;
  const minh = user(9601, "Lò Văn Minh"); // officer of Sông Mã
  const tham = user(9602, "Lò Văn Thẩm"); // appraiser
  const thuy = user(9690, "Nguyễn Thị Bích Thủy"); // coordinator (member)
  let minhId: number;

  const explanations = () => h.db.explanation.findMany({ include: { question: true, evidence: true } });
  const cursorOf = (personId: number) => h.db.appraisalCursor.findUnique({ where: { personId } });

  beforeAll(async () => {
    h = await createHarness({ telegramFiles: true, env: { PUBLIC_URL: "https://cchc.example.vn" } });
    h.clock.fixed = new Date();
    await h.openSelfAssessment();
    minhId = await h.linkOfficer(minh, "song-ma");
    const appraiser = await h.db.person.create({ data: withTelegram(tham.id, "Lò Văn Thẩm") });
    await h.db.membership.create({ data: { campaignId: h.campaign.id, personId: appraiser.id, role: "APPRAISER" } });
  });
  afterAll(() => h?.close());

  it("tells a team-scored question in the self-assessment, and before round 1 closes says when /giaitrinh opens", async () => {
    const q562 = await h.db.question.findFirstOrThrow({ where: { code: "5.6.2" } });
    await h.press(minh, `sa:q:${q562.id}`);
    expect(h.recorder.lastText()).toContain("👥 Câu này do Đoàn kiểm tra chấm điểm");
    const [saved] = await h.send(minh, "0 người");
    expect(saved).toContain("✅ Đã lưu câu 5.6.2: <b>0</b> — câu này do Đoàn kiểm tra chấm điểm (tối đa 1,5 điểm).");
    await h.db.answer.deleteMany();
    // The self-assessment's cursor is on a question: /giaitrinh takes it away.
    await h.press(minh, `sa:q:${q562.id}`);
    expect(await h.db.assessmentCursor.count({ where: { personId: minhId } })).toBe(1);
    const [reply] = await h.send(minh, "/giaitrinh");
    expect(reply).toContain(
      "Giai đoạn giải trình chưa mở: đợt kiểm tra đang ở giai đoạn «tự đánh giá, chấm điểm». Giải trình mở khi Hội đồng thẩm định kết thúc thẩm định vòng 1",
    );
    expect(await h.db.assessmentCursor.count({ where: { personId: minhId } })).toBe(0);
    expect((await h.send(minh, "/help")).join("\n")).toContain("/giaitrinh");
  });

  it("lists the unit's changed items with the deadline, and opens one with the appraiser's comment", async () => {
    setup = await throughRound1(h, minhId);
    // A self-assessment cursor left from before: /giaitrinh clears it.
    await h.db.assessmentCursor.create({
      data: { personId: minhId, campaignId: h.campaign.id, unitId: setup.unit.id, questionId: setup.q["1.2"]!.id },
    });
    const [list] = await h.send(minh, "/giaitrinh");
    expect(list).toContain("📝 <b>Giải trình kết quả thẩm định vòng 1 — Ủy ban nhân dân huyện Sông Mã</b>");
    expect(list).toMatch(/⏰ Hạn chót giải trình: <b>\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}<\/b> \(còn 2 ngày\)\./);
    expect(list).toContain(
      "Có 2 nội dung được điều chỉnh điểm (điểm tự chấm → điểm thẩm định vòng 1), đã giải trình 0:",
    );
    expect(list).toContain("⬜ Câu 1.2: 1 → <b>0,5</b> điểm\n⬜ Câu 5.6.2: Đoàn chấm → <b>0,75</b> điểm");
    expect(list).not.toContain("1.1.1");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["1.2: 1 → 0,5", "5.6.2: Đoàn chấm → 0,75"]);
    expect(await h.db.assessmentCursor.count({ where: { personId: minhId } })).toBe(0);

    await h.tap(minh, "1.2:");
    const item = h.recorder.lastText();
    expect(item).toContain("📝 <b>Giải trình câu 1.2</b> · lĩnh vực 1 (1/2)");
    expect(item).toContain("<b>Số báo cáo CCHC định kỳ");
    expect(item).toContain("✍️ <i>Đơn vị trả lời:</i> <b>4</b>");
    expect(item).toContain("📊 <i>Điểm tự chấm → điểm thẩm định vòng 1:</i> 1 → <b>0,5</b> điểm (tối đa 1 điểm)");
    expect(item).toContain("💬 <i>Nhận xét của Hội đồng thẩm định:</i> Hồ sơ chỉ có 2 báo cáo gửi đúng hạn.");
    expect(item).toContain("📝 Đơn vị chưa giải trình câu này.");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["📝 Giải trình", "Câu sau ➡️", "📋 Danh sách"]);
    expect(await cursorOf(minhId)).toMatchObject({ mode: "EXPLAIN", questionId: setup.q["1.2"]!.id });
  });

  it("takes typed text as the explanation (not as a self-assessment answer), too short refused", async () => {
    await h.tap(minh, "Giải trình");
    expect(h.recorder.lastText()).toContain("✏️ Đồng chí gõ nội dung giải trình câu 1.2 (ít nhất 10 ký tự) rồi gửi");
    expect(await h.send(minh, "Đủ rồi")).toEqual(["Nội dung quá ngắn: cần ít nhất 10 ký tự. Vui lòng gõ lại."]);
    expect(await h.db.explanation.count()).toBe(0);
    const [saved] = await h.send(minh, "Đơn vị đã gửi đủ 4 báo cáo; báo cáo quý IV gửi ngày 28/12/2019 qua hệ thống.");
    expect(saved).toContain("✅ Đã lưu giải trình câu 1.2.");
    expect(saved).toMatch(
      /📝 <i>Giải trình của đơn vị<\/i> \(Lò Văn Minh, \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\): Đơn vị đã gửi đủ 4/,
    );
    expect(saved).toContain("Gõ nội dung mới để thay nội dung giải trình trên");
    const [row] = await explanations();
    expect(row).toMatchObject({ byId: minhId, question: { code: "1.2" }, unitId: setup.unit.id });
    // The self-assessment answer is as it was.
    const answer = await h.db.answer.findFirstOrThrow({ where: { questionId: setup.q["1.2"]!.id } });
    expect(answer).toMatchObject({ value: "4", selfScore: 1 });
    expect(await h.db.auditLog.count({ where: { action: "explanation.create" } })).toBe(1);
  });

  it("keeps a PDF and a photo as the explanation's evidence, once each, with a signed link", async () => {
    const bytes = pdf();
    h.recorder.clear();
    await h.handle(h.files!.sendUserDocument(minh, { fileName: "Báo cáo quý IV.pdf", bytes, caption: "Bản ký số" }));
    const text = h.recorder.lastText();
    expect(text).toContain("📎 Đã nhận tệp <b>Báo cáo quý IV.pdf</b> bổ sung cho giải trình câu 1.2 (tổng 1 tệp).");
    expect(text).toContain("📎 <i>Tài liệu kiểm chứng bổ sung:</i>\n1. Báo cáo quý IV.pdf (");
    expect(text).toContain("<i>Ghi chú: Bản ký số</i>");
    expect(text).toMatch(/href="https:\/\/cchc\.example\.vn\/e\/[A-Za-z0-9_-]{22}"/);
    h.recorder.clear();
    await h.handle(h.files!.sendUserPhoto(minh, { bytes: jpeg() }));
    expect(h.recorder.lastText()).toContain("bổ sung cho giải trình câu 1.2 (tổng 2 tệp)");
    // The same PDF again: kept once.
    h.recorder.clear();
    await h.handle(h.files!.sendUserDocument(minh, { fileName: "Báo cáo quý IV.pdf", bytes }));
    expect(h.recorder.lastText()).toContain("đã có trong tài liệu giải trình câu 1.2; không lưu thêm bản trùng");
    const [row] = await explanations();
    expect(row!.evidence.map((e) => [e.mimeType, e.size, e.source, e.uploadedById])).toEqual([
      ["application/pdf", bytes.length, "telegram", minhId],
      ["image/jpeg", jpeg().length, "telegram", minhId],
    ]);
    for (const e of row!.evidence) {
      const kept = await h.store.get(e.storageKey!);
      expect(kept).not.toBeNull();
      kept?.destroy();
    }
  });

  it("shows the item explained in the list", async () => {
    await h.tap(minh, "Danh sách");
    const list = h.recorder.lastText();
    expect(list).toContain("đã giải trình 1:");
    expect(list).toContain("✅ Câu 1.2: 1 → <b>0,5</b> điểm · 📎2");
    expect(h.recorder.lastKeyboard().flat()[0]!.text).toBe("✅ 1.2: 1 → 0,5");
    // On the list, typed text is nobody's explanation.
    expect(await cursorOf(minhId)).toBeNull();
  });

  it("refuses a file before the explanation, an item not changed and stale buttons, storing nothing", async () => {
    await h.tap(minh, "5.6.2");
    h.recorder.clear();
    await h.handle(h.files!.sendUserPhoto(minh, { bytes: jpeg() }));
    expect(h.recorder.lastText()).toBe(
      "Đồng chí gõ nội dung giải trình câu 5.6.2 trước, rồi gửi lại tệp để bổ sung tài liệu kiểm chứng cho nội dung đó.",
    );
    // 1.1.1 was accepted: a forged button for it is stale.
    const calls = await h.press(minh, `gt:i:${setup.q["1.1.1"]!.id}`);
    expect(calls.find((c) => c.method === "answerCallbackQuery")?.payload).toMatchObject({
      text: "Nút này đã cũ, vui lòng dùng tin nhắn mới nhất.",
      show_alert: true,
    });
    const forged = await h.press(minh, "gt:g:9999999999");
    expect(forged.find((c) => c.method === "answerCallbackQuery")?.payload).toMatchObject({
      text: "Nút không hợp lệ.",
    });
    expect((await h.db.explanation.findMany()).map((e) => e.questionId)).toEqual([setup.q["1.2"]!.id]);
    expect(await h.db.evidence.count()).toBe(2);
  });

  it("is refused to appraisers and coordinators", async () => {
    expect(await h.send(tham, "/giaitrinh")).toEqual([
      "Việc giải trình kết quả thẩm định do cán bộ đầu mối của đơn vị thực hiện. Đồng chí là thành viên Hội đồng thẩm định nên không dùng lệnh này.",
    ]);
    expect(await h.send(thuy, "/giaitrinh")).toEqual([
      "Việc giải trình kết quả thẩm định do cán bộ đầu mối của đơn vị thực hiện. Đồng chí là công chức Phòng CCHC, Sở Nội vụ nên không dùng lệnh này.",
    ]);
  });

  it("after the deadline refuses every attempt with the date, and shows the items read only", async () => {
    // Minh is on 5.6.2 (its cursor set while the window was open) and types after the deadline.
    await h.send(minh, "/giaitrinh");
    await h.tap(minh, "5.6.2");
    const explainButton = h.recorder.button("Giải trình");
    h.clock.fixed = new Date(setup.deadline.getTime() + 2 * 60_000);
    const [late] = await h.send(minh, "Đơn vị không có cán bộ bị kỷ luật trong năm 2019.");
    expect(late).toMatch(/^❌ Đã hết hạn giải trình \(\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\)\./);
    expect(await cursorOf(minhId)).toBeNull();
    await h.press(minh, explainButton);
    expect(h.recorder.lastText()).toMatch(/^❌ Đã hết hạn giải trình/);
    await h.send(minh, "/giaitrinh");
    const list = h.recorder.lastText();
    const date = DEADLINE_LINE.exec(list)?.[1];
    expect(date, list).toBeDefined();
    expect(late).toContain(date!);
    expect(list).toContain("các nội dung dưới đây chỉ để xem lại");
    await h.tap(minh, "5.6.2");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).not.toContain("📝 Giải trình");
    expect(await cursorOf(minhId)).toBeNull();
    expect(await h.db.explanation.count()).toBe(1);
  });

  it("after the phase shows what was explained, read only", async () => {
    await moveCampaignPhase(h.db, { ...setup.act(), to: "FINAL_APPRAISAL" });
    await h.send(minh, "/giaitrinh");
    expect(h.recorder.lastText()).toContain(
      "Giai đoạn giải trình đã kết thúc (đợt kiểm tra đang ở giai đoạn «thẩm định vòng 2»)",
    );
    await h.tap(minh, "1.2");
    const item = h.recorder.lastText();
    expect(item).toContain("Đơn vị đã gửi đủ 4 báo cáo");
    expect(item).toContain("1. Báo cáo quý IV.pdf");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["Câu sau ➡️", "📋 Danh sách"]);
    // Text now is not an explanation: it goes where it would without /giaitrinh.
    await h.send(minh, "Bổ sung thêm một ý nữa cho câu 1.2.");
    expect(await h.db.explanation.findFirstOrThrow()).toMatchObject({
      text: expect.stringMatching(/^Đơn vị đã gửi đủ/),
    });
  });
});

describe("/giaitrinh on Zalo", () => {
  let h: Harness;
  let z: Awaited<ReturnType<typeof zaloSide>>;
  const minh = { id: "8009000000000000001", display_name: "Lò Văn Minh" };

  beforeAll(async () => {
    h = await createHarness();
    h.clock.fixed = new Date();
    await h.openSelfAssessment();
    z = await zaloSide(h);
    const [invite] = await createInvites(h.db, {
      campaignId: h.campaign.id,
      role: "OFFICER",
      unitIds: [(await h.unit("song-ma")).id],
    });
    await z.send(minh, `MOI ${invite!.code}`);
    const account = await h.db.personChannel.findUniqueOrThrow({
      where: { channel_externalId: { channel: "zalo", externalId: minh.id } },
    });
    await throughRound1(h, account.personId);
  });
  afterAll(async () => {
    await z?.close();
    await h?.close();
  });

  it("lists by number, explains by typing, takes a photo, moves by keywords, never asks to press", async () => {
    const [list] = await z.send(minh, "giaitrinh");
    expect(list).toContain("Giải trình kết quả thẩm định vòng 1 — Ủy ban nhân dân huyện Sông Mã");
    expect(list).toContain("1. 1.2: 1 → 0,5\n2. 5.6.2: Đoàn chấm → 0,75\n— gõ số để chọn");
    expect(list).toContain("Gõ số thứ tự của câu để xem nhận xét");
    const [item] = await z.send(minh, "2");
    expect(item).toContain("Giải trình câu 5.6.2 · lĩnh vực 5 (2/2)");
    expect(item).toContain("Điểm tự chấm → điểm thẩm định vòng 1: do Đoàn kiểm tra chấm → 0,75 điểm");
    expect(item).toContain("Gõ «giải trình»: 📝 Giải trình\nGõ «lùi»: ⬅️ Câu trước\nGõ «danh sách»: 📋 Danh sách");
    const [ask] = await z.send(minh, "giải trình");
    expect(ask).toContain("gửi ảnh chụp tài liệu");
    const [saved] = await z.send(minh, "Đơn vị có 1 công chức bị khiển trách, đã xử lý đúng quy định.");
    expect(saved).toContain("✅ Đã lưu giải trình câu 5.6.2.");
    const [photo] = await z.sendPhoto(minh, jpeg(), "Quyết định kỷ luật");
    expect(photo).toContain("📎 Đã nhận tệp");
    expect(photo).toContain("bổ sung cho giải trình câu 5.6.2 (tổng 1 tệp)");
    const row = await h.db.evidence.findFirstOrThrow({ where: { explanationId: { not: null } } });
    expect(row).toMatchObject({ source: "zalo", mimeType: "image/jpeg", note: "Quyết định kỷ luật" });
    const [previous] = await z.send(minh, "lui");
    expect(previous).toContain("Giải trình câu 1.2");
    expect(previous).toContain("Gõ «tiếp»: Câu sau ➡️");
    const [again] = await z.send(minh, "danh sach");
    expect(again).toContain("✅ Câu 5.6.2: Đoàn chấm → 0,75 điểm · 📎1");
    expect(z.fake.violations).toEqual([]);
    for (const text of z.inbox(minh)) expect(text).not.toMatch(/\bbấm\b/i);
  });
});
