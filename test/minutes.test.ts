/**
 * Completing an inspection visit through the real bot on a real database (issue 14): the
 * team's lead types the minutes step by step and receives the DOCX (opened here: heading,
 * unit, findings, page and font), the visit is DONE and its pending reminders stop; the
 * scan of the signed minutes is attached; refusals for someone not the lead, a cancelled
 * visit, a visit not yet held. Then the conclusion: a draft from the findings and actions,
 * issued with its number, which dates the actions and tells the unit's officers; issuing
 * twice and concluding a visit without minutes are refused. One run on Zalo.
 * On both databases (TEST_DATABASE_URL).
 */
import { Api, type InputFile } from "grammy";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvites } from "../src/domain/invites.ts";
import { enqueueNotices } from "../src/domain/notices.ts";
import { dueDateAfter } from "../src/domain/time.ts";
import { pdf } from "./storage/samples.ts";
import { chatHelpers, local } from "./support/chat.ts";
import { createHarness, type Harness, TEST_TOKEN } from "./support/harness.ts";
import { testSender } from "./support/sender.ts";
import { user } from "./support/updates.ts";
import { zaloSide } from "./support/zalo.ts";

let h: Harness;
let api: Api;
const minh = user(7201, "Lò Văn Minh"); // officer, Sông Mã
const tuan = user(7202, "Hà Minh Tuấn"); // inspector, lead of the Sông Mã team
const nam = user(7203, "Lê Văn Nam"); // inspector, member of the Sông Mã team
const thuy = user(7204, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS)

let songMa: number;
let findingTexts: string[];
/** The visit's reminders waiting to be sent when its minutes are made (/lichmoi planned some, the test one more). */
let pendingReminders: number;

/** The DOCX the bot sent in the last update: its file name and word/document.xml. */
async function sentDocx(): Promise<{ name: string; xml: string; bytes: Buffer }> {
  const [sent] = h.recorder.of("sendDocument");
  if (!sent) throw new Error("no document was sent");
  const file = sent.document as InputFile;
  const raw = await file.toRaw();
  const bytes = Buffer.from(raw as Uint8Array);
  const zip = await JSZip.loadAsync(bytes);
  return { name: file.filename ?? "", xml: await zip.file("word/document.xml")!.async("string"), bytes };
}

/** The texts of a document.xml, joined (runs of one paragraph may be split). */
const textOf = (xml: string) => [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join("");

const { personOf, audits, link, tapSays, sendDocument } = chatHelpers(() => h);

beforeAll(async () => {
  h = await createHarness({
    telegramFiles: true,
    env: { COORDINATOR_IDS: String(thuy.id), PUBLIC_URL: "https://cchc.example.vn" },
  });
  api = new Api(TEST_TOKEN, { apiRoot: h.files!.url });
  h.clock.fixed = local(1, 9);
  await link(minh, "OFFICER", "song-ma");
  await link(tuan, "INSPECTOR");
  await link(nam, "INSPECTOR");
  await h.send(thuy, "/start");
  await h.send(thuy, "/lichmoi Sông Mã 15/03/2019 08:00 Hội trường UBND huyện Sông Mã");
  const visit = await h.db.inspectionVisit.findFirstOrThrow({
    where: { unit: { code: "song-ma" }, createdById: { not: null } },
  });
  songMa = visit.id;
  await h.db.inspectionVisit.update({
    where: { id: songMa },
    data: { contents: "Công tác chỉ đạo, điều hành CCHC; Chỉ thị 26/CT-TTg" },
  });
  // The team as the plan names it (/lichmoi seats the campaign's inspectors without titles).
  await h.db.visitMember.deleteMany({ where: { visitId: songMa } });
  await h.db.visitMember.createMany({
    data: [
      { visitId: songMa, name: "Hà Minh Tuấn", title: "Trưởng đoàn", personId: (await personOf(tuan)).id },
      { visitId: songMa, name: "Lê Văn Nam", title: "Thành viên", personId: (await personOf(nam)).id },
    ],
  });
  // Findings the team recorded (their own feature is another branch): one tied to a
  // criterion, one to Directive 26/CT-TTg, one withdrawn.
  const criterion = await h.db.criterion.findFirstOrThrow({ orderBy: { id: "asc" } });
  const directive = await h.db.inspectionContent.findFirstOrThrow({ where: { code: "chi-thi-26-ct-ttg" } });
  const byId = (await personOf(nam)).id;
  const base = { campaignId: h.campaign.id, unitId: visit.unitId, visitId: songMa, byId, createdAt: local(15, 9) };
  findingTexts = [
    "Chưa ban hành kế hoạch kiểm tra CCHC nội bộ năm 2019",
    "Một số công chức chưa đeo thẻ khi thi hành công vụ",
  ];
  await h.db.finding.create({ data: { ...base, text: findingTexts[0]!, criterionId: criterion.id } });
  const second = await h.db.finding.create({ data: { ...base, text: findingTexts[1]!, contentId: directive.id } });
  await h.db.finding.create({ data: { ...base, text: "Ghi nhầm, đã rút", removedAt: local(15, 10) } });
  // Corrective actions a coordinator made of them (another branch): one to be dated by the
  // conclusion, one whose date a coordinator chose, one closed already.
  const actionBase = { campaignId: h.campaign.id, unitId: visit.unitId, visitId: songMa, createdById: byId };
  await h.db.correctiveAction.createMany({
    data: [
      { ...actionBase, text: "Ban hành kế hoạch kiểm tra CCHC nội bộ", createdAt: local(15, 12) },
      {
        ...actionBase,
        findingId: second.id,
        text: "Chấn chỉnh việc đeo thẻ công chức",
        dueAt: local(25, 17),
        dueChosen: true,
        createdAt: local(15, 12),
      },
      { ...actionBase, text: "Niêm yết thủ tục hành chính", status: "CLOSED", createdAt: local(15, 12) },
    ],
  });
  // A reminder still pending when the visit ends (the planner writes these).
  await enqueueNotices(h.db, [
    {
      recipientId: (await personOf(minh)).id,
      campaignId: h.campaign.id,
      visitId: songMa,
      kind: "visit.reminder",
      payload: { visitId: songMa, unitName: "Sông Mã", startsAt: local(15, 8).toISOString(), place: "x", days: 0 },
      dueAt: local(20, 7),
      idempotencyKey: `test:minutes:${songMa}:reminder`,
    },
  ]);
});
afterAll(async () => {
  await h?.close();
});

describe("refusals before the minutes", () => {
  it("a visit not yet held: refused with its date", async () => {
    h.clock.fixed = local(10, 9);
    const [said] = await h.send(thuy, "/bienban Sông Mã");
    expect(said).toContain("diễn ra lúc 15/03/2019 08:00, chưa đến giờ");
    expect(await h.db.visitCursor.count()).toBe(0);
  });

  it("a team member who is not the lead, and an officer of the unit: refused", async () => {
    h.clock.fixed = local(15, 11);
    for (const who of [nam, minh]) {
      const [said] = await h.send(who, "/bienban Sông Mã");
      expect(said).toContain("⛔ Chỉ trưởng đoàn kiểm tra");
    }
    expect(await h.db.visitCursor.count()).toBe(0);
  });

  it("a cancelled visit: «Lịch kiểm tra đã hủy, không lập biên bản»", async () => {
    await h.db.inspectionVisit.updateMany({
      where: { unit: { code: "quynh-nhai" } },
      data: { status: "CANCELLED", cancelledAt: local(5, 9) },
    });
    h.clock.fixed = local(20, 9);
    const [said] = await h.send(thuy, "/bienban Quỳnh Nhai");
    expect(said).toBe("⛔ Lịch kiểm tra đã hủy, không lập biên bản.");
  });
});

describe("the lead completes the visit", () => {
  it("steps: attendees, contents kept, results; then the summary", async () => {
    h.clock.fixed = local(15, 11);
    const [head] = await h.send(tuan, "/bienban");
    expect(head).toContain(`📝 <b>Biên bản kiểm tra</b> #${songMa}: Ủy ban nhân dân huyện Sông Mã, 15/03/2019 08:00`);
    expect(head).toContain("Bước 1/3");
    const [contents] = await h.send(tuan, "ok");
    expect(contents).toContain("⛔ Nội dung quá ngắn");
    const [asked] = await h.send(tuan, "Ông Lò Văn Minh, Phó Chủ tịch UBND huyện\nBà Cầm Thị Hoa, Chánh Văn phòng");
    expect(asked).toContain("Bước 2/3");
    expect(asked).toContain("Công tác chỉ đạo, điều hành CCHC; Chỉ thị 26/CT-TTg");
    expect(await tapSays(tuan, "Giữ nội dung này")).toContain("Bước 3/3");
    // The results are typed after the meeting: the draft waits through the working day.
    h.clock.fixed = local(15, 16);
    const [summary] = await h.send(tuan, "Đơn vị đã ban hành đầy đủ kế hoạch CCHC năm 2019.");
    expect(summary).toContain("<b>Tồn tại, hạn chế đã ghi:</b> 2");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["📝 Lập biên bản", "✖️ Thôi"]);
    // Nothing is stored on the visit before «Lập biên bản».
    const visit = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } });
    expect([visit.status, visit.attendees]).toEqual(["PLANNED", null]);
  });

  it("«Lập biên bản»: the DOCX laid out as an administrative document, with the unit and the findings", async () => {
    pendingReminders = await h.db.notice.count({
      where: { visitId: songMa, kind: "visit.reminder", status: "PENDING" },
    });
    expect(pendingReminders).toBeGreaterThan(1);
    const said = await tapSays(tuan, "Lập biên bản");
    expect(said).toContain(`✅ Đã lập biên bản kiểm tra #${songMa} (Ủy ban nhân dân huyện Sông Mã), bản 1`);
    expect(said).toContain(`⏹ ${pendingReminders} nhắc lịch chưa gửi đã dừng.`);
    expect(said).toMatch(/📥 Tải văn bản: https:\/\/cchc\.example\.vn\/x\/[A-Za-z0-9_-]{22}/);
    const { name, xml } = await sentDocx();
    expect(name).toBe("bien-ban-kiem-tra-song-ma.docx");
    const text = textOf(xml);
    for (const line of [
      "UBND TỈNH SƠN LA",
      "SỞ NỘI VỤ",
      "ĐOÀN KIỂM TRA CCHC",
      "/BB-ĐKT",
      "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Độc lập - Tự do - Hạnh phúc",
      "Sơn La, ngày 15 tháng 3 năm 2019",
      "BIÊN BẢN KIỂM TRA",
      "Ủy ban nhân dân huyện Sông Mã",
      "Quyết định số 53/QĐ-UBND ngày 07/01/2019",
      "Đồng chí Hà Minh Tuấn, Trưởng đoàn",
      "Ông Lò Văn Minh, Phó Chủ tịch UBND huyện",
      "Đơn vị đã ban hành đầy đủ kế hoạch CCHC năm 2019.",
      "TRƯỞNG ĐOÀN KIỂM TRA",
      "ĐẠI DIỆN ĐƠN VỊ ĐƯỢC KIỂM TRA",
      "Biên bản được lập thành 02 bản",
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain(`1. ${findingTexts[0]} (tiêu chí`);
    expect(text).toContain(`2. ${findingTexts[1]} (Chỉ thị số 26/CT-TTg ngày 05/9/2016)`);
    expect(text).not.toContain("Ghi nhầm, đã rút");
    // A4, margins 20/20/30/15 mm, Times New Roman 14 by default.
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toContain('<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"');
    expect(xml).toContain('w:ascii="Times New Roman"');
  });

  it("the visit is DONE with the minutes, its reminder CANCELLED, the document kept and audited", async () => {
    const visit = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } });
    expect(visit.status).toBe("DONE");
    expect(visit.completedById).toBe((await personOf(tuan)).id);
    expect(visit.completedAt).toEqual(local(15, 16));
    expect(visit.checkedContents).toBe("Công tác chỉ đạo, điều hành CCHC; Chỉ thị 26/CT-TTg");
    const notices = await h.db.notice.findMany({ where: { visitId: songMa, kind: "visit.reminder" } });
    expect(notices.map((n) => n.status)).toEqual(Array(pendingReminders).fill("CANCELLED"));
    const docs = await h.db.visitDocument.findMany({ where: { visitId: songMa } });
    expect(docs.map((d) => [d.kind, d.fileName])).toEqual([["MINUTES", "bien-ban-kiem-tra-song-ma.docx"]]);
    const stream = await h.store.get(docs[0]!.storageKey);
    expect(stream).not.toBeNull();
    stream!.destroy();
    expect(await audits("visit.complete")).toHaveLength(1);
    expect(await h.db.visitCursor.count()).toBe(0);
  });

  it("the signed scan is attached as SIGNED_MINUTES; a second /bienban asks to make them again", async () => {
    h.clock.fixed = local(16, 9);
    await h.send(tuan, "/bienban Sông Mã");
    expect(h.recorder.lastText()).toContain("đã lập lúc 15/03/2019 16:00");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["🔁 Lập lại biên bản"]);
    await h.send(tuan, "/help");
    // «Đính kèm biên bản đã ký» from the minutes' message (pressed now: the button's data).
    const { minutesButtons } = await import("../src/bot/features/minutes/callback-data.ts");
    await h.press(tuan, minutesButtons.encode({ kind: "signed", visitId: songMa }));
    expect(h.recorder.lastText()).toContain("Đồng chí gửi bản chụp biên bản kiểm tra");
    const saved = await sendDocument(tuan, "Biên bản đã ký.pdf", pdf());
    expect(saved).toContain("✅ Đã lưu biên bản đã ký «Biên bản đã ký.pdf»");
    const signed = await h.db.visitDocument.findMany({ where: { visitId: songMa, kind: "SIGNED_MINUTES" } });
    expect(signed.map((d) => [d.fileName, d.mimeType])).toEqual([["Biên bản đã ký.pdf", "application/pdf"]]);
  });
});

describe("the conclusion notice", () => {
  it("a visit without minutes is not concluded; someone not a coordinator is refused", async () => {
    const [said] = await h.send(thuy, "/ketluan Thuận Châu");
    expect(said).toContain("chưa lập biên bản (chưa hoàn thành)");
    const [notCoordinator] = await h.send(tuan, "/ketluan Sông Mã");
    expect(notCoordinator).toContain("⛔ Chỉ công chức Phòng CCHC, Sở Nội vụ");
    expect(await h.db.visitDocument.count({ where: { kind: "CONCLUSION" } })).toBe(0);
  });

  it("the draft: findings, actions with their dates, blanks for the number", async () => {
    h.clock.fixed = local(18, 9);
    const [said] = await h.send(thuy, "/ketluan Sông Mã");
    expect(said).toContain("📄 Dự thảo thông báo kết luận kiểm tra");
    expect(said).toContain("3 kiến nghị khắc phục");
    const { name, xml } = await sentDocx();
    expect(name).toBe("du-thao-thong-bao-ket-luan-song-ma.docx");
    const text = textOf(xml);
    expect(text).toContain("THÔNG BÁO");
    expect(text).toContain("Kết luận kiểm tra công tác cải cách hành chính năm 2019 tại Ủy ban nhân dân huyện Sông Mã");
    expect(text).toContain("/TB-SNV");
    expect(text).toContain(findingTexts[0]);
    expect(text).toContain(
      "Ban hành kế hoạch kiểm tra CCHC nội bộ. Thời hạn hoàn thành: trong 15 ngày kể từ ngày ban hành thông báo này.",
    );
    expect(text).toContain("Chấn chỉnh việc đeo thẻ công chức. Thời hạn hoàn thành: 25/03/2019.");
    expect(text).toContain("Nơi nhận:");
    const docs = await h.db.visitDocument.findMany({ where: { visitId: songMa, kind: "CONCLUSION" } });
    expect(docs).toHaveLength(1);
  });

  it("«Ban hành» and the number: the actions' clocks start, the officers are told", async () => {
    await h.tap(thuy, "Ban hành");
    expect(h.recorder.lastText()).toContain("gõ <b>số và ký hiệu</b>");
    const [bad] = await h.send(thuy, "một trăm");
    expect(bad).toContain("⛔ Số thông báo chưa đúng dạng");
    const [said] = await h.send(thuy, "125/TB-SNV");
    const due = dueDateAfter(local(18, 9), 15, h.config.TZ);
    expect(said).toContain("✅ Đã ban hành Thông báo kết luận kiểm tra số 125/TB-SNV (Ủy ban nhân dân huyện Sông Mã)");
    expect(said).toContain("1 kiến nghị khắc phục được tính hạn đến 25/03/2019");
    const visit = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } });
    expect([visit.conclusionNumber, visit.conclusionIssuedAt, visit.conclusionIssuedById]).toEqual([
      "125/TB-SNV",
      local(18, 9),
      (await personOf(thuy)).id,
    ]);
    const actions = await h.db.correctiveAction.findMany({ where: { visitId: songMa }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.dueAt)).toEqual([due, local(25, 17), null]);
    expect(due).toEqual(new Date(Date.UTC(2019, 3, 2, 10, 0)));
    const { xml } = await sentDocx();
    expect(textOf(xml)).toContain("Số: 125/TB-SNV");
    expect(textOf(xml)).toContain("Sơn La, ngày 18 tháng 3 năm 2019");
    expect(await audits("visit.conclusion.issue")).toHaveLength(1);
    // The unit's officer gets the notice through the outbox.
    await testSender(h, api).drain();
    const inbox = h.files!.chatState(minh.id)?.botMessages ?? [];
    const notice = inbox.findLast((m) => m.message.text?.includes("Thông báo kết luận kiểm tra"));
    expect(notice?.message.text).toContain("Thông báo kết luận kiểm tra số 125/TB-SNV ngày 18/03/2019");
    expect(notice?.message.text).toContain("Đơn vị có 2 kiến nghị khắc phục; hạn sớm nhất: 25/03/2019");
  });

  it("issuing twice is refused; nothing changes", async () => {
    const { minutesButtons } = await import("../src/bot/features/minutes/callback-data.ts");
    h.clock.fixed = local(19, 9);
    await h.press(thuy, minutesButtons.encode({ kind: "issue", visitId: songMa }));
    expect(h.recorder.lastText()).toContain("đã ban hành (số 125/TB-SNV), không ban hành lại");
    const visit = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } });
    expect(visit.conclusionIssuedAt).toEqual(local(18, 9));
    expect(await audits("visit.conclusion.issue")).toHaveLength(1);
    expect(await h.db.notice.count({ where: { kind: "visit.concluded" } })).toBe(1);
  });
});

describe("on Zalo", () => {
  it("/bienban: the steps by typed numbers, the visit DONE, the minutes as a link", async () => {
    const z = await zaloSide(h);
    try {
      h.clock.fixed = local(27, 9);
      const lead = { id: "8201000000000000001", display_name: "Vì Văn Thắng" };
      const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "INSPECTOR" });
      await z.send(lead, `MOI ${invite!.code}`);
      const account = await h.db.personChannel.findUniqueOrThrow({
        where: { channel_externalId: { channel: "zalo", externalId: lead.id } },
      });
      const visit = await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "so-cong-thuong" } } });
      await h.db.visitMember.create({
        data: { visitId: visit.id, name: "Vì Văn Thắng", title: "Trưởng đoàn", personId: account.personId },
      });
      const [head] = await z.send(lead, "/bienban Sở Công Thương");
      expect(head).toContain("Bước 1/3");
      const [contents] = await z.send(lead, "Ông Đinh Văn Hùng, Phó Giám đốc Sở");
      expect(contents).toContain("Đồng chí chọn «Giữ nội dung này»");
      const [results] = await z.send(lead, "1");
      expect(results).toContain("Bước 3/3");
      const [summary] = await z.send(lead, "Sở đã thực hiện đầy đủ các nhiệm vụ CCHC.");
      expect(summary).toContain("Đồng chí chọn «Lập biên bản»");
      // No reminder of this visit waits to be sent: the message says nothing of stopped ones.
      expect(await h.db.notice.count({ where: { visitId: visit.id, status: "PENDING" } })).toBe(0);
      const made = (await z.send(lead, "1")).join("\n");
      expect(made).toContain(`✅ Đã lập biên bản kiểm tra #${visit.id}`);
      expect(made).not.toContain("nhắc lịch chưa gửi");
      expect(made).toMatch(/https:\/\/cchc\.example\.vn\/x\//);
      const done = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: visit.id } });
      expect([done.status, done.completedById]).toEqual(["DONE", account.personId]);
      for (const m of z.fake.messagesTo(lead.id)) expect(m.text ?? "").not.toMatch(/\bbấm\b/i);
      expect(z.fake.violations ?? []).toEqual([]);
    } finally {
      await z.close();
    }
  });
});
