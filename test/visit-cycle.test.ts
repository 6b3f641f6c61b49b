/**
 * A visit from notice to closure (issue 14, "Tests"), one story through the real bot with
 * real updates on a real database (both providers with TEST_DATABASE_URL), its notices
 * through the real sender and the planner: the visit notice, the officer's confirmation and
 * self-inspection report; the team's two findings (criterion 1.1 and Directive 26/CT-TTg);
 * the minutes DOCX opened and read; the actions, one with a chosen due date (one in the past
 * refused), the conclusion notice starting the other's clock; a reminder 7 days before, the
 * overdue digest after; the officer's report with a photo; closure (twice refused). The
 * refusals of the issue along the way: a finding by someone not on the team, a report on
 * another unit's action, a request to move the visit after it, minutes of a cancelled visit.
 */
import { Api, type InputFile } from "grammy";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planReminders } from "../src/jobs/planner.ts";
import { jpeg, pdf } from "./storage/samples.ts";
import { chatHelpers, local } from "./support/chat.ts";
import { createHarness, type Harness, TEST_TOKEN } from "./support/harness.ts";
import { user } from "./support/updates.ts";

let h: Harness;
let api: Api;
const minh = user(7401, "Lò Văn Minh"); // officer, Sông Mã
const lan = user(7402, "Đinh Thị Lan"); // officer, Sở Tư pháp
const thuy = user(7403, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS), leads the team

let visitId: number;

const settings = () => ({
  timeZone: h.config.TZ,
  visitDays: [...h.config.VISIT_REMINDER_DAYS],
  deadlineDays: [],
  reminderTime: h.config.REMINDER_TIME,
  coordinatorIds: h.config.COORDINATOR_IDS,
});
const actions = () => h.db.correctiveAction.findMany({ where: { visitId }, orderBy: { id: "asc" } });

const { drain, inbox, tapSays, pressSays, noticeButton, sendDocument, sendPhoto } = chatHelpers(
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
});
afterAll(async () => {
  await h?.close();
});

describe("a visit from notice to closure", () => {
  it("the notice: the officer confirms it and sends the self-inspection report", async () => {
    await h.send(thuy, "/lichmoi Sông Mã 15/03/2019 08:00 Hội trường UBND huyện Sông Mã");
    visitId = (
      await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "song-ma" }, createdById: { not: null } } })
    ).id;
    await drain();
    const said = await pressSays(minh, noticeButton(minh, "Sông Mã", "✅ Xác nhận lịch"));
    expect(said).toContain(`✅ Đã ghi nhận: <b>Ủy ban nhân dân huyện Sông Mã</b> xác nhận lịch kiểm tra #${visitId}`);
    expect((await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: visitId } })).status).toBe("CONFIRMED");

    await h.send(minh, "/baocao");
    expect(await sendDocument(minh, "Báo cáo tự kiểm tra.pdf", pdf())).toContain("Báo cáo tự kiểm tra.pdf");
    const [report] = await h.db.evidence.findMany({ where: { visitId } });
    expect(report).toMatchObject({ fileName: "Báo cáo tự kiểm tra.pdf", questionId: null, source: "telegram" });
  });

  it("the team records two findings, one tied to criterion 1.1, one to Directive 26/CT-TTg; an officer may not", async () => {
    h.clock.fixed = local(15, 9);
    expect((await h.send(minh, "/tontai Sông Mã"))[0]).toContain("⛔");
    await h.send(thuy, "/tontai Sông Mã");
    await h.tap(thuy, "➕ Ghi tồn tại");
    expect((await h.send(thuy, "1.1: Kế hoạch CCHC năm 2019 ban hành chậm so với quy định"))[0]).toContain(
      "🔗 Tiêu chí 1.1",
    );
    expect(await sendPhoto(thuy, jpeg())).toContain("Đã lưu");
    expect((await h.send(thuy, "26.1: Chưa ban hành kế hoạch thực hiện Chỉ thị 26/CT-TTg"))[0]).toContain(
      "Chỉ thị 26/CT-TTg, yêu cầu 26.1",
    );
    await h.tap(thuy, "✅ Xong");
    const findings = await h.db.finding.findMany({
      where: { visitId },
      include: { criterion: true, item: true, photos: true },
      orderBy: { id: "asc" },
    });
    expect(findings.map((f) => [f.criterion?.code ?? null, f.item?.code ?? null, f.photos.length])).toEqual([
      ["1.1", null, 1],
      [null, "26.1", 0],
    ]);
  });

  it("the minutes: completed by the lead, the DOCX opened and read; the visit DONE, a late request to move it refused", async () => {
    await h.send(thuy, "/bienban Sông Mã");
    await h.send(thuy, "Ông Lò Văn Minh, cán bộ đầu mối CCHC; ông Cầm Văn Sơn, Chủ tịch UBND huyện");
    await h.tap(thuy, "✅ Giữ nội dung này");
    await h.send(thuy, "Đơn vị triển khai cơ bản đầy đủ các nhiệm vụ CCHC năm 2019.");
    await h.tap(thuy, "📝 Lập biên bản");
    const [sent] = h.recorder.of("sendDocument");
    const file = sent!.document as InputFile;
    expect(file.filename).toBe("bien-ban-kiem-tra-song-ma.docx");
    const zip = await JSZip.loadAsync(Buffer.from((await file.toRaw()) as Uint8Array));
    const xml = await zip.file("word/document.xml")!.async("string");
    const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join("");
    expect(text).toContain("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    expect(text).toContain("Độc lập - Tự do - Hạnh phúc");
    expect(text).toContain("BIÊN BẢN KIỂM TRA");
    expect(text).toContain("Ủy ban nhân dân huyện Sông Mã");
    expect(text).toContain("Kế hoạch CCHC năm 2019 ban hành chậm so với quy định");
    expect(text).toContain("Chưa ban hành kế hoạch thực hiện Chỉ thị 26/CT-TTg");
    const visit = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: visitId } });
    expect(visit.status).toBe("DONE");
    expect(await h.db.notice.count({ where: { visitId, kind: "visit.reminder", status: "PENDING" } })).toBe(0);
    // A request to move the visit after it, from its notice: refused, nothing asked.
    expect(await pressSays(minh, noticeButton(minh, "Sông Mã", "📅 Đề nghị đổi lịch"))).toContain(
      "Buổi kiểm tra này đã diễn ra.",
    );
    expect(await h.db.visitRequest.count({ where: { visitId } })).toBe(0);
  });

  it("actions: a due date in the past refused; one dated, one waiting for the conclusion notice", async () => {
    const [screen] = await h.send(thuy, "/kiennghi Sông Mã");
    expect(screen).toContain("T1");
    await h.tap(thuy, /➕ Kiến nghị từ T\d+/);
    expect((await h.send(thuy, "Ban hành kế hoạch CCHC năm 2020 đúng thời hạn hạn 10/03/2019"))[0]).toContain("❌");
    expect(await actions()).toHaveLength(0);
    expect((await h.send(thuy, "Ban hành kế hoạch CCHC năm 2020 đúng thời hạn hạn 10/04/2019"))[0]).toContain(
      "Đã tạo kiến nghị",
    );
    await h.send(thuy, "/kiennghi Sông Mã");
    await h.tap(thuy, "➕ Kiến nghị khác");
    await h.send(thuy, "Xây dựng kế hoạch thực hiện Chỉ thị 26/CT-TTg");
    const [dated, waiting] = await actions();
    expect(dated!.dueAt).toEqual(local(41, 17)); // 10/04 17:00
    expect(waiting!.dueAt).toBeNull();
  });

  it("the conclusion notice: issued with its number, the other action's clock starts (15 days), the officer told", async () => {
    h.clock.fixed = local(20, 10);
    await h.send(thuy, "/ketluan Sông Mã");
    await h.tap(thuy, "📣 Ban hành");
    expect((await h.send(thuy, "125/TB-SNV")).join("\n")).toContain("125/TB-SNV");
    const [dated, waiting] = await actions();
    expect(dated!.dueAt).toEqual(local(41, 17)); // chosen: kept
    expect(waiting!.dueAt).toEqual(local(35, 17)); // 20/03 + 15 days = 04/04 17:00
    await drain();
    expect(inbox(minh).at(-1)!.message.text).toContain("125/TB-SNV");
  });

  it("a reminder 7 days before the due date, the overdue digest after it", async () => {
    expect((await planReminders(h.db, settings(), local(28, 8))).actionReminders).toBe(1); // 04/04 − 7 days
    h.clock.fixed = local(28, 8);
    await drain();
    expect(inbox(minh).at(-1)!.message.text).toContain("Nhắc hạn kiến nghị khắc phục");
    expect((await planReminders(h.db, settings(), local(36, 8))).actionDigests).toBe(1); // 05/04: one overdue
    h.clock.fixed = local(36, 8);
    await drain();
    const digest = inbox(thuy).findLast((m) => m.message.text?.includes("quá hạn"))!.message.text!;
    expect(digest).toContain("Sông Mã: 1 kiến nghị, hạn sớm nhất 04/04/2019");
  });

  it("the officer reports with a photo; an officer of another unit may not", async () => {
    const [, waiting] = await actions();
    const [screen] = await h.send(minh, "/khacphuc");
    // The unit reads what it must do: the issued conclusion notice opens from its screen.
    expect(screen).toMatch(
      /📄 Thông báo kết luận kiểm tra số 125\/TB-SNV ngày 20\/03\/2019: <a href="https:\/\/cchc\.example\.vn\/x\/[A-Za-z0-9_-]{22}">tải văn bản<\/a>/,
    );
    const issued = await h.db.visitDocument.findFirstOrThrow({
      where: { visitId, kind: "CONCLUSION" },
      orderBy: { id: "desc" },
    });
    const link = await h.db.accessLink.findFirstOrThrow({ where: { purpose: "export" }, orderBy: { id: "desc" } });
    expect(JSON.parse(link.scope)).toMatchObject({ fileKey: issued.storageKey });
    const report = h.recorder.button(`📝 Báo cáo #${waiting!.id}`);
    expect(await pressSays(lan, report)).toContain("đơn vị khác");
    await h.press(minh, report, 777);
    await h.send(minh, "Đã ban hành Kế hoạch số 45/KH-UBND thực hiện Chỉ thị 26/CT-TTg");
    expect(await sendPhoto(minh, jpeg())).toContain("báo cáo kiến nghị");
    expect(await tapSays(minh, "📨 Gửi báo cáo")).toContain("Đã gửi báo cáo");
    const action = await h.db.correctiveAction.findUniqueOrThrow({
      where: { id: waiting!.id },
      include: { reports: { include: { files: true } } },
    });
    expect(action.status).toBe("REPORTED");
    expect(action.reports[0]!.files).toHaveLength(1);
  });

  it("closure: closed once, a second press says when", async () => {
    const [, waiting] = await actions();
    await h.send(thuy, "/kiennghi Sông Mã");
    const close = h.recorder.button(`🔒 Đóng #${waiting!.id}`);
    expect(await pressSays(thuy, close)).toContain("Đã đóng kiến nghị");
    expect(await pressSays(thuy, close)).toContain("đã đóng ngày 05/04/2019");
    expect((await h.db.correctiveAction.findUniqueOrThrow({ where: { id: waiting!.id } })).status).toBe("CLOSED");
    await drain();
    expect(inbox(minh).at(-1)!.message.text).toContain("đã được đóng");
  });

  it("minutes of a cancelled visit: refused, nothing made", async () => {
    h.clock.fixed = local(36, 9);
    await h.send(thuy, "/lichmoi Sở Tư pháp 08/04/2019 08:00 Phòng họp Sở");
    const other = await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "so-tu-phap" } } });
    await h.db.inspectionVisit.update({
      where: { id: other.id },
      data: { status: "CANCELLED", cancelledAt: local(36, 9) },
    });
    h.clock.fixed = local(40, 9);
    expect((await h.send(thuy, "/bienban Sở Tư pháp")).join("\n")).toMatch(/đã hủy/);
    expect(await h.db.visitDocument.count({ where: { visitId: other.id } })).toBe(0);
  });
});
