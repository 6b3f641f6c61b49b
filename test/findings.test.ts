/**
 * The team at a visit (issue 14): findings and the directive/PAPI checklist through the
 * real bot, real updates, a real database (both providers with TEST_DATABASE_URL). A team
 * member records two findings — one tied to criterion 1.1, one to requirement 26.3 of
 * Directive 26/CT-TTg — and a photo of one; an unknown code, an officer and a cancelled
 * visit are refused with nothing stored; the checklist is marked with a note across a
 * restart; the coordinator reads the coverage; a finding is withdrawn; then once on Zalo.
 */
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appWebRoutes } from "../src/app.ts";
import { createInvites } from "../src/domain/invites.ts";
import { issueLink } from "../src/domain/links.ts";
import { closeServer, createHttpServer, listen } from "../src/server/http.ts";
import { pdf } from "./storage/samples.ts";
import { chatHelpers, local } from "./support/chat.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { user } from "./support/updates.ts";
import { zaloSide } from "./support/zalo.ts";

let h: Harness;
const tuan = user(7201, "Hà Minh Tuấn"); // inspector (the data file's teams are names only: any inspector is on them)
const minh = user(7202, "Lò Văn Minh"); // officer of Quỳnh Nhai
const thuy = user(7203, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS)
const lan = user(7204, "Đinh Thị Lan"); // officer of Thuận Châu
let server: Server;
let base: string;
let quynhNhai: number;
let thuanChau: number;

const findings = () =>
  h.db.finding.findMany({ include: { criterion: true, content: true, item: true }, orderBy: { id: "asc" } });

const { personOf, audits, tapSays, pressSays } = chatHelpers(() => h);

beforeAll(async () => {
  h = await createHarness({
    telegramFiles: true,
    env: { COORDINATOR_IDS: String(thuy.id), PUBLIC_URL: "https://cchc.example.vn" },
  });
  server = createHttpServer({ ping: h.database.ping, logger: h.logger, web: appWebRoutes(h.app()) });
  base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
  h.clock.fixed = local(19, 9, 30);
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "INSPECTOR" });
  await h.send(tuan, `/start ${invite!.code}`);
  await h.linkOfficer(minh, "quynh-nhai");
  await h.send(thuy, "/start");
  quynhNhai = (await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "quynh-nhai" } } })).id;
  thuanChau = (await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "thuan-chau" } } })).id;
});
afterAll(async () => {
  await closeServer(server);
  await h?.close();
});

describe("findings at a visit (/tontai)", () => {
  it("a team member opens the unit's findings and is asked for the text, with the codes that may lead it", async () => {
    const [screen] = await h.send(tuan, "/tontai Quỳnh Nhai");
    expect(screen).toContain(`Tồn tại, hạn chế</b> của Ủy ban nhân dân huyện Quỳnh Nhai (lịch kiểm tra #${quynhNhai}`);
    expect(screen).toContain("Chưa ghi tồn tại, hạn chế nào.");
    const asked = await tapSays(tuan, "➕ Ghi tồn tại");
    expect(asked).toContain("Đồng chí gõ nội dung trong một tin nhắn");
    expect(asked).toContain("• Tiêu chí của bộ tiêu chí: từ 1.1 đến");
    expect(asked).toContain("• Chỉ thị 26/CT-TTg (gõ tên văn bản), các yêu cầu từ 26.1 đến 26.6");
    expect(asked).toContain("• Kế hoạch PAPI (gõ tên văn bản), các yêu cầu từ PAPI.1 đến PAPI.6");
    const cursor = await h.db.visitCursor.findUniqueOrThrow({ where: { personId: (await personOf(tuan)).id } });
    expect([cursor.mode, cursor.visitId, cursor.targetId]).toEqual(["FINDING", quynhNhai, null]);
  });

  it("records a finding tied to criterion 1.1, and one tied to requirement 26.3 of Directive 26/CT-TTg, saying what each is tied to", async () => {
    const [first] = await h.send(tuan, "1.1: Chưa ban hành kế hoạch cải cách hành chính năm 2019 đúng thời hạn");
    expect(first).toContain("✅ Đã ghi tồn tại <b>#");
    expect(first).toContain("🔗 Tiêu chí 1.1:");
    expect(first).toContain("bấm «✅ Xong»");
    const [second] = await h.send(tuan, "26.3 - Một số công chức không đeo thẻ khi làm việc tại Bộ phận một cửa");
    expect(second).toContain("🔗 Chỉ thị 26/CT-TTg, yêu cầu 26.3: Chấp hành thời giờ làm việc");
    const rows = await findings();
    expect(rows.map((f) => [f.text, f.criterion?.code ?? null, f.content?.code ?? null, f.item?.code ?? null])).toEqual(
      [
        ["Chưa ban hành kế hoạch cải cách hành chính năm 2019 đúng thời hạn", "1.1", null, null],
        ["Một số công chức không đeo thẻ khi làm việc tại Bộ phận một cửa", null, "chi-thi-26-ct-ttg", "26.3"],
      ],
    );
    const tuanId = (await personOf(tuan)).id;
    expect(rows.every((f) => f.visitId === quynhNhai && f.byId === tuanId)).toBe(true);
    expect(await audits("finding.record")).toHaveLength(2);
  });

  it("a file sent next is a photo of the last finding (kept as evidence of the finding, not the unit's report)", async () => {
    const update = h.files!.sendUserDocument(tuan, { fileName: "the-cong-chuc.pdf", bytes: pdf() });
    update.message!.date = Math.floor(h.clock.now().getTime() / 1000);
    h.recorder.clear();
    await h.handle(update);
    const [, second] = await findings();
    expect(h.recorder.lastText()).toContain(`📷 Đã lưu «the-cong-chuc.pdf» cho tồn tại #${second!.id} (1 ảnh, tệp).`);
    const [photo] = await h.db.evidence.findMany({ where: { findingId: { not: null } } });
    expect(photo).toMatchObject({
      findingId: second!.id,
      visitId: null,
      questionId: null,
      mimeType: "application/pdf",
    });
    const stored = await h.store.get(photo!.storageKey!);
    expect(stored).not.toBeNull();
    stored!.destroy();
    expect(photo!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await audits("finding.photo.add")).toHaveLength(1);
    // «Xong» ends the step; the screen lists both, with what they concern.
    const done = await tapSays(tuan, "✅ Xong");
    expect(done).toContain("🔗 Tiêu chí 1.1:");
    expect(done).toMatch(/📷 <a href="https:\/\/cchc\.example\.vn\/f\/[\w-]{22}">the-cong-chuc\.pdf<\/a>/);
    expect(done).toContain("Đường link mở ảnh, tệp dùng được đến");
    expect(done).not.toContain("1 ảnh, tệp");
    expect(await h.db.visitCursor.count()).toBe(0);
  });

  it("the team opens a finding's photo through its link; an officer of another unit cannot", async () => {
    // The page server reads real time: the links are made on it too.
    h.clock.fixed = null;
    try {
      const [screen] = await h.send(tuan, "/tontai Quỳnh Nhai");
      const href = /<a href="([^"]+)">the-cong-chuc\.pdf<\/a>/.exec(screen!)![1]!;
      const file = await fetch(`${base}${new URL(href).pathname}`);
      expect(file.status).toBe(200);
      expect(file.headers.get("content-type")).toBe("application/pdf");
      expect(Buffer.from(await file.arrayBuffer())).toEqual(pdf());
      // A link to the same photo made for an officer of Thuận Châu does not open it.
      await h.linkOfficer(lan, "thuan-chau");
      const [photo] = await h.db.evidence.findMany({ where: { findingId: { not: null } } });
      const { token } = await issueLink(
        h.db,
        (await personOf(lan)).id,
        { purpose: "file", evidenceId: photo!.id },
        {
          now: new Date(),
        },
      );
      const refused = await fetch(`${base}/f/${token}`);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain("không có quyền");
    } finally {
      h.clock.fixed = local(19, 9, 30);
    }
  });

  it("an unknown code is refused with the valid forms, and nothing is stored", async () => {
    await h.send(tuan, "/tontai Quỳnh Nhai");
    await h.tap(tuan, "➕ Ghi tồn tại");
    for (const typed of ["9.9: Chưa niêm yết thủ tục hành chính", "Chỉ thị 99: Chưa thực hiện"]) {
      const [said] = await h.send(tuan, typed);
      expect(said, typed).toContain("❌ Không có tiêu chí hay nội dung kiểm tra nào mang mã");
      expect(said, typed).toContain("Chưa ghi gì");
      expect(said, typed).toContain("Các mã ghi được ở đầu:");
    }
    expect(await h.db.finding.count()).toBe(2);
    // A slip ("ok", a number meant for a choice) is no finding: refused, the step stays.
    for (const typed of ["ok", "5", "1.1: chậm"]) {
      const [said] = await h.send(tuan, typed);
      expect(said, typed).toContain("❌ Chưa ghi: nội dung quá ngắn.");
    }
    expect(await h.db.finding.count()).toBe(2);
    // The step stays: typed again rightly, it is recorded; a leading phrase that is no code is just text.
    const [ok] = await h.send(tuan, "Niêm yết thủ tục hành chính: còn thiếu 3 thủ tục");
    expect(ok).toContain("Không gắn với tiêu chí hay nội dung kiểm tra cụ thể.");
    const last = (await findings()).at(-1)!;
    expect([last.text, last.criterionId, last.contentId]).toEqual([
      "Niêm yết thủ tục hành chính: còn thiếu 3 thủ tục",
      null,
      null,
    ]);
    expect(await h.send(tuan, "/tontai")).toHaveLength(1); // a command ends the step
    expect(await h.db.visitCursor.count()).toBe(0);
  });

  it("an officer of the unit is not on the team: refused, nothing stored", async () => {
    const [said] = await h.send(minh, "/tontai Quỳnh Nhai");
    expect(said).toContain("⛔ Chỉ thành viên Đoàn kiểm tra");
    expect(await pressSays(minh, `fd:a:${quynhNhai}`)).toContain("⛔ Chỉ thành viên Đoàn kiểm tra");
    expect(await pressSays(minh, `kt:m:${quynhNhai}:1:n`)).toContain("⛔ Chỉ thành viên Đoàn kiểm tra");
    expect(await h.db.visitCursor.count()).toBe(0);
    expect(await h.db.finding.count()).toBe(3);
  });

  it("a visit cancelled while a finding is being typed: refused, nothing stored", async () => {
    await h.send(tuan, "/tontai Thuận Châu");
    await h.tap(tuan, "➕ Ghi tồn tại");
    await h.send(thuy, `/lichhuy #${thuanChau} Đơn vị đề nghị lùi sang quý II`);
    await h.tap(thuy, "Hủy lịch này");
    expect((await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: thuanChau } })).status).toBe("CANCELLED");
    const [said] = await h.send(tuan, "1.2: Chưa kiểm tra công tác cải cách hành chính");
    expect(said).toContain("⛔ Lịch kiểm tra này đã bị hủy");
    expect(await h.db.finding.count({ where: { visitId: thuanChau } })).toBe(0);
    expect(await pressSays(tuan, `fd:a:${thuanChau}`)).toContain("đã bị hủy");
    expect((await h.send(tuan, "/tontai Thuận Châu"))[0]).toContain("chưa có lịch kiểm tra (hoặc lịch đã bị hủy)");
  });

  it("a step survives a restart: the text typed to a new bot instance is the finding", async () => {
    await h.send(tuan, "/tontai Quỳnh Nhai");
    await h.tap(tuan, "➕ Ghi tồn tại");
    h.restart();
    const [said] = await h.send(tuan, "Chỉ thị 25: Còn cán bộ đi muộn, về sớm");
    expect(said).toContain("🔗 Chỉ thị 25-CT/TU");
    expect((await findings()).at(-1)!.content?.code).toBe("chi-thi-25-ct-tu");
    await h.tap(tuan, "✅ Xong");
  });

  it("its author withdraws a finding: kept, marked removed, audited, left off the screen", async () => {
    const target = (await findings()).at(-1)!;
    await h.send(tuan, "/tontai Quỳnh Nhai");
    await h.tap(tuan, "↩️ Rút một tồn tại");
    const said = await tapSays(tuan, `Rút #${target.id} `);
    expect(said).toContain(`↩️ Đã rút tồn tại #${target.id}.`);
    expect(said).not.toContain("Còn cán bộ đi muộn");
    expect((await h.db.finding.findUniqueOrThrow({ where: { id: target.id } })).removedAt).not.toBeNull();
    expect(await audits("finding.withdraw")).toHaveLength(1);
    expect(await pressSays(tuan, `fd:w:${target.id}`)).toContain("đã được rút trước đó");
  });
});

describe("the checklist of the inspected contents (/kiemtra)", () => {
  it("marks an item, and takes the note typed next, also after a restart", async () => {
    const [list] = await h.send(tuan, "/kiemtra Quỳnh Nhai");
    expect(list).toContain("Đánh giá nội dung kiểm tra</b> tại Ủy ban nhân dân huyện Quỳnh Nhai");
    expect(list).toContain("<b>Chỉ thị 26/CT-TTg</b> (đã đánh giá 0/6 yêu cầu)");
    const content = await tapSays(tuan, "Chỉ thị 26/CT-TTg");
    expect(content).toContain("▫️ 26.1 Người đứng đầu quán triệt");
    const marked = await tapSays(tuan, "26.1 · Chưa đạt");
    expect(marked).toContain("✅ Đã ghi: yêu cầu 26.1 — <b>Chưa đạt</b>.");
    expect(marked).toContain("❌ 26.1 Người đứng đầu");
    h.restart();
    const [noted] = await h.send(tuan, "Chưa ban hành kế hoạch thực hiện Chỉ thị");
    expect(noted).toContain("📝 Đã ghi chú cho yêu cầu 26.1: Chưa ban hành kế hoạch thực hiện Chỉ thị");
    await h.tap(tuan, "26.2 · Đạt");
    const checks = await h.db.itemCheck.findMany({ include: { item: true }, orderBy: { id: "asc" } });
    expect(checks.map((c) => [c.item.code, c.result, c.note])).toEqual([
      ["26.1", "NOT_MET", "Chưa ban hành kế hoạch thực hiện Chỉ thị"],
      ["26.2", "MET", null],
    ]);
    const log = await audits("checklist.mark");
    expect(log.map((a) => [a.before, (a.after as { note: string | null }).note])).toEqual([
      [null, null],
      [{ result: "NOT_MET", note: null }, "Chưa ban hành kế hoạch thực hiện Chỉ thị"],
      [null, null],
    ]);
  });

  it("the coordinator reads the coverage across units", async () => {
    const [cov] = await h.send(thuy, "/kiemtra");
    expect(cov).toContain("📊 <b>Đánh giá nội dung kiểm tra</b> (2 đơn vị có lịch kiểm tra)");
    expect(cov).toContain("<b>Chỉ thị 26/CT-TTg</b>: 0/2 đơn vị đã đánh giá · 1 chưa đạt · 1 đang đánh giá");
    expect(cov).toContain("❌ Yêu cầu 26.1 chưa đạt: Quỳnh Nhai");
    expect(cov).toContain("• Quỳnh Nhai: 1 đạt · 1 chưa đạt · 0 một phần · 20 chưa đánh giá");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(expect.arrayContaining([expect.stringContaining("Quỳnh Nhai")]));
  });
});

describe("on Zalo", () => {
  it("an inspector records a finding by typing: numbers for the choices, no «bấm»", async () => {
    const z = await zaloSide(h);
    try {
      const inspector = { id: "8201000000000000001", display_name: "Vì Văn Thắng" };
      const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "INSPECTOR" });
      await z.send(inspector, `MOI ${invite!.code}`);
      const [screen] = await z.send(inspector, "tontai Sở Công Thương");
      expect(screen).toContain("Tồn tại, hạn chế của Sở Công Thương");
      expect(screen).toContain("Gõ số của lựa chọn «➕ Ghi tồn tại» để ghi thêm");
      expect(screen).toContain("1. ➕ Ghi tồn tại");
      const [asked] = await z.send(inspector, "1");
      expect(asked).toContain("Đồng chí gõ nội dung trong một tin nhắn");
      const [recorded] = await z.send(inspector, "PAPI.3: Chưa trả lời kiến nghị của người dân đúng hạn");
      expect(recorded).toContain("Đã ghi tồn tại #");
      expect(recorded).toContain("Kế hoạch PAPI, yêu cầu PAPI.3");
      expect(recorded).toContain("gõ «xong»");
      const last = (await findings()).at(-1)!;
      expect([last.item?.code, last.text]).toEqual(["PAPI.3", "Chưa trả lời kiến nghị của người dân đúng hạn"]);
      // "xong" typed is «✅ Xong», not another finding: the step ends and the findings are shown.
      const before = await h.db.finding.count();
      const [done] = await z.send(inspector, "xong");
      expect(done).toContain("✅ Đã xong.");
      expect(done).toContain("Chưa trả lời kiến nghị của người dân đúng hạn");
      expect(await h.db.finding.count()).toBe(before);
      const account = await h.db.personChannel.findUniqueOrThrow({
        where: { channel_externalId: { channel: "zalo", externalId: inspector.id } },
      });
      expect(await h.db.visitCursor.count({ where: { personId: account.personId } })).toBe(0);
      for (const text of z.inbox(inspector)) expect(text).not.toMatch(/\bbấm\b/i);
    } finally {
      await z.close();
    }
  });
});
