/**
 * Corrective actions (kiến nghị khắc phục, issue 14) followed to closure, through the real
 * bot with real updates on a real database, the notices through the real sender against the
 * loopback fake Bot API: a coordinator turns findings into actions with and without a due
 * date (a date in the past or off the calendar refused), the unit's officer sees them in
 * /khacphuc and reports with a photo (an officer of another unit is refused), the
 * coordinator closes (twice refused) and reopens with a reason the officer is told; the
 * planner writes a 7-day reminder once and the overdue digest once a day; /tiendo and
 * /donvi show the counts. Then /khacphuc and a report on Zalo. On both databases
 * (TEST_DATABASE_URL).
 */
import { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionCounts, overdueDigest } from "../src/domain/actions.ts";
import { createInvites } from "../src/domain/invites.ts";
import { planReminders } from "../src/jobs/planner.ts";
import { jpeg, png } from "./storage/samples.ts";
import { chatHelpers, local } from "./support/chat.ts";
import { createHarness, type Harness, TEST_TOKEN } from "./support/harness.ts";
import { user } from "./support/updates.ts";
import { zaloSide } from "./support/zalo.ts";

let h: Harness;
let api: Api;
const minh = user(7201, "Lò Văn Minh"); // officer, Sông Mã
const lan = user(7202, "Đinh Thị Lan"); // officer, Sở Tư pháp
const thuy = user(7203, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS)

let songMa: number; // visit of Sông Mã
let tuPhap: number; // visit of Sở Tư pháp
let finding1: number;
let finding2: number; // withdrawn
let findingTuPhap: number;
let first: number; // action from finding 1, with a due date
let second: number; // action without one

/** The data of the button labelled `label` on the last keyboard the bot sent. */
const button = (label: string) => h.recorder.button(label);
const settings = () => ({
  timeZone: h.config.TZ,
  visitDays: [],
  deadlineDays: [],
  reminderTime: h.config.REMINDER_TIME,
  coordinatorIds: h.config.COORDINATOR_IDS,
});

const { personOf, drain, inbox, pressSays, sendPhoto, audits } = chatHelpers(
  () => h,
  () => api,
);

beforeAll(async () => {
  h = await createHarness({
    telegramFiles: true,
    env: { COORDINATOR_IDS: String(thuy.id), PUBLIC_URL: "https://cchc.example.vn" },
  });
  api = new Api(TEST_TOKEN, { apiRoot: h.files!.url });
  h.clock.fixed = local(1, 9);
  await h.linkOfficer(minh, "song-ma");
  await h.linkOfficer(lan, "so-tu-phap");
  await h.send(thuy, "/start");
  await h.send(thuy, "/lichmoi Sông Mã 15/03/2019 08:00 Hội trường UBND huyện");
  await h.send(thuy, "/lichmoi Sở Tư pháp 12/03/2019 14:00 Phòng họp Sở");
  const visitOf = async (code: string) =>
    (
      await h.db.inspectionVisit.findFirstOrThrow({
        where: { unit: { code }, createdById: { not: null } },
      })
    ).id;
  songMa = await visitOf("song-ma");
  tuPhap = await visitOf("so-tu-phap");
  const byId = (await personOf(thuy)).id;
  const finding = async (visitId: number, unitCode: string, text: string, removedAt: Date | null = null) =>
    (
      await h.db.finding.create({
        data: {
          campaignId: h.campaign.id,
          unitId: (await h.unit(unitCode)).id,
          visitId,
          text,
          byId,
          createdAt: local(1, 8),
          removedAt,
        },
      })
    ).id;
  finding1 = await finding(songMa, "song-ma", "Chưa ban hành kế hoạch CCHC năm 2019 đúng thời hạn");
  finding2 = await finding(songMa, "song-ma", "Ghi nhầm, đoàn đã rút lại", local(1, 8, 30));
  findingTuPhap = await finding(tuPhap, "so-tu-phap", "Chưa niêm yết thủ tục hành chính mới");
  await drain(); // the visits' own notices
});
afterAll(async () => {
  await h?.close();
});

describe("a coordinator turns findings into actions", () => {
  it("/kiennghi Sông Mã lists the findings with a button each; a withdrawn one is not shown", async () => {
    const [screen] = await h.send(thuy, "/kiennghi Sông Mã");
    expect(screen).toContain(`Kiến nghị khắc phục</b> — Ủy ban nhân dân huyện Sông Mã (lịch kiểm tra #${songMa})`);
    expect(screen).toContain(`🔎 <b>T${finding1}</b> Chưa ban hành kế hoạch CCHC năm 2019 đúng thời hạn`);
    expect(screen).not.toContain("đoàn đã rút lại");
    expect(screen).toContain("Chưa có kiến nghị nào.");
    const labels = h.recorder
      .lastKeyboard()
      .flat()
      .map((b) => b.text);
    expect(labels).toEqual([`➕ Kiến nghị từ T${finding1}`, "➕ Kiến nghị khác"]);
    expect((await h.send(minh, "/kiennghi Sông Mã"))[0]).toContain("⛔ Chỉ công chức Phòng CCHC, Sở Nội vụ");
  });

  it("with a due date typed at the end: stored, audited, the unit's officer told", async () => {
    h.clock.fixed = local(1, 9, 5);
    expect(await pressSays(thuy, `kn:c:${songMa}:${finding1}`)).toContain("Đồng chí gõ <b>nội dung kiến nghị</b>");
    const [done] = await h.send(thuy, "Ban hành kế hoạch CCHC năm 2019 của huyện hạn 30/03/2019");
    const action = await h.db.correctiveAction.findFirstOrThrow({ orderBy: { id: "desc" } });
    first = action.id;
    expect(done).toContain(`✅ Đã tạo kiến nghị <b>#${first}</b> cho Ủy ban nhân dân huyện Sông Mã`);
    expect(done).toContain("📅 Hạn: 30/03/2019. Đã báo 1 cán bộ đầu mối của đơn vị.");
    expect(action).toMatchObject({
      visitId: songMa,
      findingId: finding1,
      unitId: (await h.unit("song-ma")).id,
      text: "Ban hành kế hoạch CCHC năm 2019 của huyện",
      dueAt: local(30, 17),
      dueChosen: true,
      status: "OPEN",
    });
    expect(await audits("action.create")).toHaveLength(1);
    await drain();
    const told = inbox(minh).at(-1)!.message.text!;
    expect(told).toContain("Kiến nghị khắc phục sau kiểm tra");
    expect(told).toContain(`Kiến nghị #${first}: Ban hành kế hoạch CCHC năm 2019 của huyện`);
    expect(told).toContain("Hạn khắc phục: 30/03/2019 (còn 29 ngày)");
    expect(told).toContain("gõ /khacphuc");
  });

  it("without a due date: it waits for the conclusion notice, nobody is told yet", async () => {
    await pressSays(thuy, `kn:c:${songMa}:0`);
    const [done] = await h.send(thuy, "Bổ sung danh mục thủ tục hành chính niêm yết tại bộ phận một cửa");
    second = (await h.db.correctiveAction.findFirstOrThrow({ orderBy: { id: "desc" } })).id;
    expect(done).toContain(`✅ Đã tạo kiến nghị <b>#${second}</b>`);
    expect(done).toContain("Hạn sẽ tính khi ban hành thông báo kết luận");
    const action = await h.db.correctiveAction.findUniqueOrThrow({ where: { id: second } });
    expect(action).toMatchObject({ findingId: null, dueAt: null, dueChosen: false });
    expect(await h.db.notice.count({ where: { kind: "action.created" } })).toBe(1);
  });

  it("a due date in the past or not on the calendar, a withdrawn finding, another visit's finding: refused, nothing stored", async () => {
    await pressSays(thuy, `kn:c:${songMa}:${finding1}`);
    expect((await h.send(thuy, "Kiện toàn bộ phận một cửa hạn 28/02/2019"))[0]).toContain(
      "❌ Hạn khắc phục phải sau thời điểm hiện tại",
    );
    expect((await h.send(thuy, "Kiện toàn bộ phận một cửa hạn 31/02/2019"))[0]).toContain(
      "❌ Không có ngày 31/02/2019",
    );
    expect(await h.db.correctiveAction.count()).toBe(2);
    expect(await pressSays(thuy, `kn:c:${songMa}:${finding2}`)).toContain("Tồn tại này đã được đoàn kiểm tra rút lại");
    expect(await pressSays(thuy, `kn:c:${songMa}:${findingTuPhap}`)).toContain("Không tìm thấy kiến nghị, tồn tại");
    // The step of the first press still waits for a text with a proper date; «Thôi» ends it.
    const cursor = await h.db.visitCursor.findUniqueOrThrow({ where: { personId: (await personOf(thuy)).id } });
    expect([cursor.mode, cursor.targetId]).toEqual(["ACTION", finding1]);
    expect(await pressSays(thuy, "kn:q")).toContain("Đã dừng, chưa có gì được ghi.");
    expect(await h.db.visitCursor.count()).toBe(0);
    expect(await h.db.correctiveAction.count()).toBe(2);
    expect(await audits("action.create")).toHaveLength(2);
  });
});

describe("the unit reports what it did", () => {
  it("/khacphuc shows the officer their unit's actions with the days left", async () => {
    h.clock.fixed = local(5, 10);
    const [screen] = await h.send(minh, "/khacphuc");
    expect(screen).toContain("Kiến nghị khắc phục</b> của Ủy ban nhân dân huyện Sông Mã");
    expect(screen).toContain(`<b>#${first}</b> Ban hành kế hoạch CCHC năm 2019 của huyện`);
    expect(screen).toContain("📅 Hạn: 30/03/2019 (còn 25 ngày) · đang mở");
    expect(screen).toContain(`<b>#${second}</b> Bổ sung danh mục`);
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual([`📝 Báo cáo #${first}`, `📝 Báo cáo #${second}`]);
    expect((await h.send(lan, "/khacphuc"))[0]).toContain("Đơn vị hiện không có kiến nghị khắc phục nào");
    expect((await h.send(thuy, "/khacphuc"))[0]).toContain("⛔ Lệnh /khacphuc dành cho cán bộ đầu mối");
  });

  it("an officer of another unit cannot report on it", async () => {
    const version = (await h.db.correctiveAction.findUniqueOrThrow({ where: { id: first } })).version;
    expect(await pressSays(lan, `kn:r:${first}:${version}`)).toContain("⛔ Kiến nghị này là của đơn vị khác");
    expect(await h.db.visitCursor.count()).toBe(0);
  });

  it("the officer reports with a photo: REPORTED, the file kept, the coordinators told", async () => {
    await h.send(minh, "/khacphuc");
    expect(await pressSays(minh, button(`📝 Báo cáo #${first}`))).toContain(
      "Đồng chí gõ <b>nội dung đã khắc phục</b> trong một tin nhắn",
    );
    expect(await sendPhoto(minh, png())).toContain("Đồng chí gõ nội dung báo cáo trước");
    const [saved] = await h.send(minh, "Huyện đã ban hành Kế hoạch số 45/KH-UBND ngày 04/03/2019");
    expect(saved).toContain(`✅ Đã ghi nội dung báo cáo kiến nghị #${first}`);
    // A photo has no name of its own: it is kept as "anh-" and the start of its sha256.
    expect(await sendPhoto(minh, jpeg())).toMatch(
      new RegExp(`📎 Đã nhận tệp <b>anh-[0-9a-f]{8}\\.jpg</b> vào báo cáo kiến nghị #${first} \\(1 tệp\\)`),
    );
    const send = button("📨 Gửi báo cáo");
    // Until it is sent, the report is the officer's alone: the coordinator does not see it.
    expect((await h.send(thuy, "/kiennghi Sông Mã"))[0]).not.toContain("Kế hoạch số 45/KH-UBND");
    expect((await h.db.actionReport.findFirstOrThrow({ where: { actionId: first } })).sentAt).toBeNull();
    expect(await pressSays(minh, send)).toContain(
      `📨 Đã gửi báo cáo khắc phục kiến nghị #${first} tới công chức Phòng CCHC, Sở Nội vụ (1 tệp kèm theo)`,
    );
    const action = await h.db.correctiveAction.findUniqueOrThrow({ where: { id: first }, include: { reports: true } });
    expect(action.reports[0]!.sentAt).not.toBeNull();
    expect(action.status).toBe("REPORTED");
    expect(action.reports.map((r) => r.text)).toEqual(["Huyện đã ban hành Kế hoạch số 45/KH-UBND ngày 04/03/2019"]);
    const files = await h.db.evidence.findMany({ where: { actionReportId: action.reports[0]!.id } });
    expect(files.map((f) => [f.mimeType, f.questionId, f.visitId])).toEqual([["image/jpeg", null, null]]);
    expect(await audits("action.report")).toHaveLength(1);
    await drain();
    const told = inbox(thuy).at(-1)!.message.text!;
    expect(told).toContain("Đơn vị báo cáo kết quả khắc phục");
    expect(told).toContain("Nội dung: Huyện đã ban hành Kế hoạch số 45/KH-UBND");
    expect(told).toContain("1 tệp kèm theo");
  });
});

describe("the coordinator closes or reopens", () => {
  it("/kiennghi shows the report with its file; «Đóng» closes it once; the second press says when", async () => {
    h.clock.fixed = local(6, 9);
    const [screen] = await h.send(thuy, "/kiennghi Sông Mã");
    expect(screen).toContain("📨 Báo cáo (Lò Văn Minh, 05/03/2019 10:00): Huyện đã ban hành Kế hoạch số 45/KH-UBND");
    expect(screen).toMatch(/📎 <a href="[^"]+">anh-[0-9a-f]{8}\.jpg<\/a>/);
    const close = button(`🔒 Đóng #${first}`);
    expect(await pressSays(thuy, close)).toContain(`🔒 Đã đóng kiến nghị #${first} của Ủy ban nhân dân huyện Sông Mã`);
    const action = await h.db.correctiveAction.findUniqueOrThrow({ where: { id: first } });
    expect(action).toMatchObject({ status: "CLOSED", closedAt: local(6, 9), closedById: (await personOf(thuy)).id });
    h.clock.fixed = local(6, 10);
    expect(await pressSays(thuy, close)).toContain("Kiến nghị đã đóng ngày 06/03/2019");
    expect(await audits("action.close")).toHaveLength(1);
    expect(await pressSays(minh, close)).toContain("⛔ Chỉ công chức Phòng CCHC, Sở Nội vụ");
  });

  it("reopened with a reason: OPEN again, the officer told why and shown it in /khacphuc", async () => {
    await h.send(thuy, "/kiennghi Sông Mã");
    expect(await pressSays(thuy, button(`↩️ Mở lại #${first}`))).toContain("đồng chí gõ <b>lý do</b>");
    expect((await h.send(thuy, "ok"))[0]).toContain("❌ Đề nghị đồng chí nêu rõ lý do mở lại");
    const [done] = await h.send(thuy, "Kế hoạch chưa có nội dung cải cách tài chính công");
    expect(done).toContain(`↩️ Đã mở lại kiến nghị #${first}`);
    const action = await h.db.correctiveAction.findUniqueOrThrow({ where: { id: first } });
    expect(action).toMatchObject({
      status: "OPEN",
      closedAt: null,
      reopenReason: "Kế hoạch chưa có nội dung cải cách tài chính công",
    });
    expect(await audits("action.reopen")).toHaveLength(1);
    await drain();
    const told = inbox(minh).at(-1)!.message.text!;
    expect(told).toContain("Kiến nghị khắc phục cần bổ sung");
    expect(told).toContain("Lý do (Nguyễn Thị Bích Thủy): Kế hoạch chưa có nội dung cải cách tài chính công");
    expect((await h.send(minh, "/khacphuc"))[0]).toContain(
      "↩️ Sở Nội vụ đề nghị làm lại: Kế hoạch chưa có nội dung cải cách tài chính công",
    );
  });
});

describe("reminders, the overdue digest and the counts", () => {
  it("«Đổi hạn» gives the second action a date; the planner writes its 7-day reminder once", async () => {
    await h.send(thuy, "/kiennghi Sông Mã");
    expect(await pressSays(thuy, button(`📅 Đổi hạn #${second}`))).toContain("gõ hạn mới");
    expect((await h.send(thuy, "20/03/2019"))[0]).toContain(`✅ Hạn kiến nghị #${second} nay là 20/03/2019`);
    expect((await h.db.correctiveAction.findUniqueOrThrow({ where: { id: second } })).dueAt).toEqual(local(20, 17));
    // Due 20/03 17:00: 7 days before is 13/03 at the reminder time (08:00).
    expect((await planReminders(h.db, settings(), local(13, 7, 59))).actionReminders).toBe(0);
    expect((await planReminders(h.db, settings(), local(13, 8))).actionReminders).toBe(1);
    expect((await planReminders(h.db, settings(), local(13, 8, 1))).actionReminders).toBe(0);
    const reminders = await h.db.notice.findMany({ where: { kind: "action.due" } });
    expect(reminders.map((n) => [n.recipientId, n.idempotencyKey])).toEqual([
      [(await personOf(minh)).id, `action:${second}:due:${local(20, 17).getTime()}:7:${(await personOf(minh)).id}`],
    ]);
    h.clock.fixed = local(13, 8);
    await drain();
    const told = inbox(minh).at(-1)!.message.text!;
    expect(told).toContain("Nhắc hạn kiến nghị khắc phục");
    expect(told).toContain("Hạn khắc phục: 20/03/2019 (còn 7 ngày)");
  });

  it("the overdue digest goes to coordinators once a day, and not when nothing is overdue", async () => {
    expect((await planReminders(h.db, settings(), local(20, 8))).actionDigests).toBe(0);
    expect((await planReminders(h.db, settings(), local(21, 8))).actionDigests).toBe(1);
    expect((await planReminders(h.db, settings(), local(21, 9))).actionDigests).toBe(0);
    expect((await planReminders(h.db, settings(), local(22, 8))).actionDigests).toBe(1);
    const digests = await h.db.notice.findMany({ where: { kind: "action.overdue_digest" }, orderBy: { id: "asc" } });
    expect(digests.map((n) => n.idempotencyKey)).toEqual([
      `actions:overdue:${h.campaign.id}:2019-03-21:${(await personOf(thuy)).id}`,
      `actions:overdue:${h.campaign.id}:2019-03-22:${(await personOf(thuy)).id}`,
    ]);
    h.clock.fixed = local(21, 8);
    await drain();
    const told = inbox(thuy).find((m) => m.message.text?.includes("Kiến nghị khắc phục quá hạn"))!.message.text!;
    expect(told).toContain("1 đơn vị còn 1 kiến nghị quá hạn chưa đóng:");
    expect(told).toContain("• Sông Mã: 1 kiến nghị, hạn sớm nhất 20/03/2019");
  });

  it("/tiendo and /donvi show the counts; /kiennghi lists the overdue unit first", async () => {
    h.clock.fixed = local(22, 9);
    const texts = await h.send(thuy, "/tiendo");
    const progress = texts.join("\n");
    expect(progress).toContain("Kiến nghị khắc phục toàn đợt: 2 đang mở · 1 quá hạn · 0 chờ xem xét · 0 đã đóng");
    expect(progress).toContain("   Kiến nghị: 2 đang mở · 1 quá hạn");
    const [unit] = await h.send(thuy, "/donvi Sông Mã");
    expect(unit).toContain("Kiến nghị: 2 đang mở · 1 quá hạn · 0 chờ xem xét · 0 đã đóng");
    expect((await h.send(thuy, "/donvi Sở Tư pháp"))[0]).not.toContain("Kiến nghị:");
    const [list] = await h.send(thuy, "/kiennghi");
    expect(list).toContain("• <b>Sông Mã</b>: Kiến nghị: 2 đang mở · 1 quá hạn");
  });

  it("plain questions: «đơn vị nào còn kiến nghị quá hạn?», «Sông Mã đã khắc phục chưa?», «tồn tại của Sông Mã»", async () => {
    h.clock.fixed = local(22, 9);
    const [overdue] = await h.send(thuy, "đơn vị nào còn kiến nghị quá hạn?");
    // Only the units overdue, under a title that answers the question.
    expect(overdue).toContain("⏰ <b>Đơn vị có kiến nghị khắc phục quá hạn</b>");
    expect(overdue).toContain("• <b>Sông Mã</b>: Kiến nghị: 2 đang mở · 1 quá hạn");
    expect(overdue).not.toContain("Không có đơn vị nào có kiến nghị quá hạn");
    // Before any due date has passed, the answer is "none", then the units' actions.
    h.clock.fixed = local(19, 9);
    const [none] = await h.send(thuy, "đơn vị nào còn kiến nghị quá hạn?");
    expect(none).toContain("✅ Không có đơn vị nào có kiến nghị quá hạn.");
    expect(none).toContain("• <b>Sông Mã</b>: Kiến nghị: 2 đang mở · 0 quá hạn");
    h.clock.fixed = local(22, 9);
    const [songMa] = await h.send(thuy, "Sông Mã đã khắc phục chưa?");
    expect(songMa).toBe((await h.send(thuy, "/kiennghi Sông Mã"))[0]);
    const [findings] = await h.send(thuy, "tồn tại của Sông Mã");
    expect(findings).toBe((await h.send(thuy, "/tontai Sông Mã"))[0]);
    expect(findings).toContain("<b>Tồn tại, hạn chế</b> của Ủy ban nhân dân huyện Sông Mã");
    // An officer's question about actions is no question of theirs: it is not answered with the province's.
    const [officer] = await h.send(minh, "đơn vị nào còn kiến nghị quá hạn?");
    expect(officer).not.toContain("Sông Mã</b>: Kiến nghị");
  });

  it("closing an action cancels its pending reminders", async () => {
    // A reminder written but not sent yet (the 3-day one of the first action, due 30/03).
    expect((await planReminders(h.db, settings(), local(27, 8))).actionReminders).toBe(1);
    const pending = await h.db.notice.findFirstOrThrow({
      where: { idempotencyKey: { startsWith: `action:${first}:due:` } },
    });
    expect(pending.status).toBe("PENDING");
    h.clock.fixed = local(27, 9);
    const version = (await h.db.correctiveAction.findUniqueOrThrow({ where: { id: first } })).version;
    expect(await pressSays(thuy, `kn:x:${first}:${version}`)).toContain(`Đã đóng kiến nghị #${first}`);
    expect((await h.db.notice.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("CANCELLED");
  });
});

describe("the counts in the domain", () => {
  it("actionCounts and overdueDigest", async () => {
    const songMaId = (await h.unit("song-ma")).id;
    const counts = await actionCounts(h.db, h.campaign.id, local(27, 10));
    expect(counts.get(songMaId)).toEqual({ open: 1, overdue: 1, reported: 0, closed: 1 });
    expect(await actionCounts(h.db, h.campaign.id, local(27, 10), [(await h.unit("so-tu-phap")).id])).toEqual(
      new Map(),
    );
    const digest = await overdueDigest(h.db, h.campaign.id, local(27, 10));
    expect(digest).toMatchObject({ unitCount: 1, actionCount: 1 });
    expect(digest.units[0]).toMatchObject({ unitId: songMaId, count: 1, oldestDueAt: local(20, 17) });
    expect((await overdueDigest(h.db, h.campaign.id, local(20, 16))).unitCount).toBe(0);
  });
});

describe("on Zalo", () => {
  it("/khacphuc says «chọn», and a report with a photo goes through", async () => {
    const z = await zaloSide(h);
    try {
      h.clock.fixed = local(2, 9);
      const officer = { id: "8201000000000000001", display_name: "Quàng Văn Sơn" };
      const [invite] = await createInvites(h.db, {
        campaignId: h.campaign.id,
        role: "OFFICER",
        unitIds: [(await h.unit("thuan-chau")).id],
      });
      await z.send(officer, `MOI ${invite!.code}`);
      await h.send(thuy, "/lichmoi Thuận Châu 25/03/2019 08:00 Hội trường UBND huyện");
      await h.send(thuy, "/kiennghi Thuận Châu");
      await pressSays(thuy, button("➕ Kiến nghị khác"));
      await h.send(thuy, "Công khai kết quả giải quyết hồ sơ trên cổng thông tin hạn 30/04/2019");
      const action = await h.db.correctiveAction.findFirstOrThrow({ orderBy: { id: "desc" } });

      const [screen] = await z.send(officer, "/khacphuc");
      expect(screen).toContain(`#${action.id} Công khai kết quả giải quyết hồ sơ`);
      expect(screen).toContain("đồng chí chọn số của kiến nghị");
      expect(screen).not.toMatch(/\bbấm\b/i);
      const [asked] = await z.send(officer, "1");
      expect(asked).toContain(`Báo cáo khắc phục kiến nghị #${action.id}`);
      expect(asked).not.toMatch(/\bbấm\b/i);
      const [saved] = await z.send(officer, "Đã công khai trên cổng thông tin điện tử của huyện");
      expect(saved).toContain("chọn «📨 Gửi báo cáo»");
      const [photo] = await z.sendPhoto(officer, jpeg());
      expect(photo).toContain(`vào báo cáo kiến nghị #${action.id} (1 tệp)`);
      const [sent] = await z.send(officer, "1");
      expect(sent).toContain(`📨 Đã gửi báo cáo khắc phục kiến nghị #${action.id}`);
      expect((await h.db.correctiveAction.findUniqueOrThrow({ where: { id: action.id } })).status).toBe("REPORTED");
      for (const m of z.fake.messagesTo(officer.id)) expect(m.text ?? "").not.toMatch(/\bbấm\b/i);
    } finally {
      await z.close();
    }
  });
});
