/**
 * The unit's answer to an inspection visit (issue 14, first slice), through the real bot
 * with real updates on a real database, the notices through the real sender against the
 * loopback fake Bot API: the officer confirms from the notice, another unit asks to move
 * its visit with a reason and the coordinator declines with one, the self-inspection report
 * is sent as a PDF and opens through its signed link, coordinators hear two days before of a
 * visit without a report (once); and every wrong press or text is refused in Vietnamese with
 * nothing stored. Then the same answers on Zalo. On both databases (TEST_DATABASE_URL).
 */
import type { Server } from "node:http";
import { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appWebRoutes } from "../src/app.ts";
import { createInvites } from "../src/domain/invites.ts";
import { planReminders } from "../src/jobs/planner.ts";
import { closeServer, createHttpServer, listen } from "../src/server/http.ts";
import { exe, jpeg, pdf } from "./storage/samples.ts";
import { chatHelpers, local } from "./support/chat.ts";
import { createHarness, type Harness, TEST_TOKEN } from "./support/harness.ts";
import { testSender } from "./support/sender.ts";
import { user } from "./support/updates.ts";
import { zaloSide } from "./support/zalo.ts";

let h: Harness;
let api: Api;
let server: Server;
let base: string;
const minh = user(7101, "Lò Văn Minh"); // officer, Sông Mã
const hoa = user(7102, "Cầm Thị Hoa"); // officer, Sông Mã
const lan = user(7103, "Đinh Thị Lan"); // officer, Sở Tư pháp
const tuan = user(7104, "Hà Minh Tuấn"); // inspector
const thuy = user(7105, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS)

let songMa: number; // visit of Sông Mã
let tuPhap: number; // visit of Sở Tư pháp

const { link, personOf, drain, inbox, buttonsOf, noticeButton, pressSays, tapSays, sendDocument, audits } = chatHelpers(
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
  await link(minh, "OFFICER", "song-ma");
  await link(hoa, "OFFICER", "song-ma");
  await link(lan, "OFFICER", "so-tu-phap");
  await link(tuan, "INSPECTOR");
  await h.send(thuy, "/start");
  server = createHttpServer({ ping: h.database.ping, logger: h.logger, web: appWebRoutes(h.app()) });
  base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
});
afterAll(async () => {
  await closeServer(server);
  await h?.close();
});

describe("the visit notice asks the unit for its answer", () => {
  it("officers get «Xác nhận lịch» and «Đề nghị đổi lịch» beside «Đã nhận»; the team only «Đã nhận»", async () => {
    await h.send(thuy, "/lichmoi Sông Mã 15/03/2019 08:00 Hội trường UBND huyện");
    await h.send(thuy, "/lichmoi Sở Tư pháp 12/03/2019 14:00 Phòng họp Sở");
    songMa = (await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "song-ma" } } })).id;
    tuPhap = (
      await h.db.inspectionVisit.findFirstOrThrow({
        where: { unit: { code: "so-tu-phap" }, createdById: { not: null } },
      })
    ).id;
    await drain();
    const [notice] = inbox(minh);
    expect(notice!.message.text).toContain("Thông báo lịch kiểm tra công tác cải cách hành chính");
    expect(notice!.message.text).toContain(
      "Đề nghị đồng chí bấm «✅ Xác nhận lịch» nếu đơn vị làm việc được theo lịch này, hoặc «📅 Đề nghị đổi lịch» và nêu lý do.",
    );
    expect(buttonsOf(notice!).map((b) => b.text)).toEqual(["✅ Đã nhận", "✅ Xác nhận lịch", "📅 Đề nghị đổi lịch"]);
    const team = inbox(tuan).find((m) => m.message.text?.includes("Sông Mã"))!;
    expect(buttonsOf(team).map((b) => b.text)).toEqual(["✅ Đã nhận"]);
    expect(team.message.text).not.toContain("Xác nhận lịch");
  });

  it("someone not of the unit cannot confirm: an officer of another unit, the team, a coordinator", async () => {
    const confirm = noticeButton(minh, "Sông Mã", "✅ Xác nhận lịch");
    expect(await pressSays(lan, confirm)).toContain("⛔ Lịch kiểm tra này là của đơn vị khác");
    for (const who of [tuan, thuy]) {
      expect(await pressSays(who, confirm)).toContain(
        "⛔ Chỉ cán bộ đầu mối của đơn vị được kiểm tra mới xác nhận lịch",
      );
    }
    const visit = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } });
    expect([visit.status, visit.confirmedAt]).toEqual(["PLANNED", null]);
    expect(await audits("visit.confirm")).toHaveLength(0);
  });

  it("the officer confirms: CONFIRMED, audited, the notice counts as received; a second press changes nothing", async () => {
    h.clock.fixed = local(1, 9, 30);
    const confirm = noticeButton(minh, "Sông Mã", "✅ Xác nhận lịch");
    const said = await pressSays(minh, confirm);
    expect(said).toContain(`✅ Đã ghi nhận: <b>Ủy ban nhân dân huyện Sông Mã</b> xác nhận lịch kiểm tra #${songMa}`);
    expect(said).toContain("gõ /baocao");
    const minhId = (await personOf(minh)).id;
    const visit = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } });
    expect(visit).toMatchObject({ status: "CONFIRMED", confirmedById: minhId, confirmedAt: local(1, 9, 30) });
    const [entry] = await audits("visit.confirm");
    expect(entry).toMatchObject({ actorId: minhId, entity: "InspectionVisit", entityId: String(songMa) });
    const notice = await h.db.notice.findFirstOrThrow({
      where: { visitId: songMa, recipientId: minhId, kind: "visit.created" },
    });
    expect(notice.acknowledgedAt).toEqual(local(1, 9, 30));

    h.clock.fixed = local(1, 10);
    expect(await pressSays(hoa, noticeButton(hoa, "Sông Mã", "✅ Xác nhận lịch"))).toContain(
      `Lịch kiểm tra #${songMa} đã được đơn vị xác nhận lúc 01/03/2019 09:30.`,
    );
    expect(await audits("visit.confirm")).toHaveLength(1);
  });

  it("/xacnhan shows coordinators each unit's answer; /lich shows the officer theirs", async () => {
    const [, answers] = await h.send(thuy, "/xacnhan");
    expect(answers).toContain("Trả lời của đơn vị về lịch kiểm tra sắp tới");
    expect(answers).toContain(`<b>#${songMa} Sông Mã</b>, 15/03/2019 08:00`);
    expect(answers).toContain("✅ Đơn vị đã xác nhận: Lò Văn Minh, 01/03/2019 09:30");
    expect(answers).toContain(`<b>#${tuPhap} Sở Tư pháp</b>, 12/03/2019 14:00\n   ⏳ Đơn vị chưa xác nhận lịch`);
    const [schedule] = await h.send(minh, "/lich");
    expect(schedule).toContain("Trạng thái: đơn vị đã xác nhận");
    expect(schedule).toContain("✅ Đơn vị đã xác nhận: Lò Văn Minh, 01/03/2019 09:30");
    expect(schedule).toContain("📄 Báo cáo tự kiểm tra: chưa gửi");
  });
});

describe("a request to move the visit", () => {
  it("needs a reason: a press asks for it, a reply without one is refused and nothing is stored", async () => {
    const ask = await pressSays(lan, noticeButton(lan, "Sở Tư pháp", "📅 Đề nghị đổi lịch"));
    expect(ask).toContain(`📅 Đề nghị đổi lịch kiểm tra <b>#${tuPhap}</b> (Sở Tư pháp`);
    expect(ask).toContain("Đồng chí gõ <b>lý do</b> trong một tin nhắn");
    const cursor = await h.db.visitCursor.findUniqueOrThrow({ where: { personId: (await personOf(lan)).id } });
    expect(cursor).toMatchObject({ mode: "REQUEST_REASON", visitId: tuPhap, revision: 1 });
    for (const text of ["ok", "…", "12"]) {
      expect((await h.send(lan, text))[0]).toContain("❌ Đề nghị đồng chí nêu rõ lý do trong một tin nhắn");
    }
    expect(await h.db.visitRequest.count()).toBe(0);
    expect(await h.db.notice.count({ where: { kind: "visit.request" } })).toBe(0);
  });

  it("with a reason: stored with the time it proposes, audited, the coordinators get it with buttons", async () => {
    h.clock.fixed = local(1, 10, 5); // within the half hour the step waits
    const [reply] = await h.send(lan, "Trùng hội nghị tổng kết của Sở, đề nghị chuyển sang 13/03/2019 08:00");
    expect(reply).toContain(`📨 Đã gửi đề nghị đổi lịch kiểm tra #${tuPhap} tới công chức Phòng CCHC, Sở Nội vụ`);
    expect(reply).toContain("🕗 Thời gian đơn vị đề xuất: 13/03/2019 08:00");
    const request = await h.db.visitRequest.findFirstOrThrow();
    expect(request).toMatchObject({
      visitId: tuPhap,
      status: "OPEN",
      revision: 1,
      proposedAt: local(13, 8),
      byId: (await personOf(lan)).id,
      reason: "Trùng hội nghị tổng kết của Sở, đề nghị chuyển sang 13/03/2019 08:00",
    });
    expect(await audits("visit.request")).toHaveLength(1);
    expect(await h.db.visitCursor.count({ where: { personId: (await personOf(lan)).id } })).toBe(0);
    await drain();
    const notice = inbox(thuy).findLast((m) => m.message.text?.includes("Đề nghị đổi lịch kiểm tra"))!;
    expect(notice.message.text).toContain(`Đinh Thị Lan (Sở Tư pháp) đề nghị đổi lịch kiểm tra #${tuPhap}:`);
    expect(notice.message.text).toContain("💬 Lý do: Trùng hội nghị tổng kết của Sở");
    expect(buttonsOf(notice).map((b) => b.text)).toEqual(["✅ Đã nhận", "✅ Chấp nhận", "✖️ Không chấp nhận"]);
    // Only one request waits at a time.
    expect(await pressSays(lan, noticeButton(lan, "Sở Tư pháp", "📅 Đề nghị đổi lịch"))).toContain(
      "Đơn vị đã có một đề nghị đổi lịch đang chờ Sở Nội vụ trả lời",
    );
  });

  it("/lich shows the request; /doilich lists it for coordinators only", async () => {
    expect((await h.send(lan, "/lich"))[0]).toContain(
      "📅 Đơn vị đề nghị đổi lịch (Đinh Thị Lan, 01/03/2019 10:05): Trùng hội nghị tổng kết của Sở",
    );
    expect((await h.send(minh, "/doilich"))[0]).toContain("⛔ Chỉ công chức Phòng CCHC, Sở Nội vụ được dùng lệnh này");
    const [list] = await h.send(thuy, "/doilich");
    expect(list).toContain(`<b>#${tuPhap} Sở Tư pháp</b>, 12/03/2019 14:00`);
    expect(list).toContain("🕗 Thời gian đề xuất: 13/03/2019 08:00");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["✅ Chấp nhận", "✖️ Không chấp nhận"]);
  });

  it("the coordinator declines with a reason; the unit's officers are told; the request is answered once", async () => {
    const decline = noticeButton(thuy, "Đề nghị đổi lịch kiểm tra", "✖️ Không chấp nhận");
    expect(await pressSays(lan, decline)).toContain("⛔ Chỉ công chức Phòng CCHC, Sở Nội vụ được dùng lệnh này");
    expect(await pressSays(thuy, decline)).toContain("Đồng chí gõ <b>lý do</b> trong một tin nhắn; cán bộ đầu mối");
    expect((await h.send(thuy, "x"))[0]).toContain("❌ Đề nghị đồng chí nêu rõ lý do");
    expect((await h.db.visitRequest.findFirstOrThrow()).status).toBe("OPEN");
    const [done] = await h.send(thuy, "Đoàn kiểm tra đã bố trí lịch cố định cho các sở");
    expect(done).toContain("✅ Đã báo Sở Tư pháp");
    expect(done).toContain(`không chấp nhận đề nghị đổi lịch kiểm tra #${tuPhap}, lịch giữ nguyên`);
    const request = await h.db.visitRequest.findFirstOrThrow();
    expect(request).toMatchObject({
      status: "DECLINED",
      answeredById: (await personOf(thuy)).id,
      answerNote: "Đoàn kiểm tra đã bố trí lịch cố định cho các sở",
    });
    expect(await audits("visit.request.decline")).toHaveLength(1);
    await drain();
    const told = inbox(lan).at(-1)!.message.text!;
    expect(told).toContain("Đề nghị đổi lịch kiểm tra không được chấp nhận");
    expect(told).toContain(
      "Lý do không chấp nhận (Nguyễn Thị Bích Thủy): Đoàn kiểm tra đã bố trí lịch cố định cho các sở",
    );
    expect(inbox(minh).some((m) => m.message.text?.includes("không được chấp nhận"))).toBe(false);
    // Answered: the other button now says so, and changes nothing.
    const accept = noticeButton(thuy, "Đề nghị đổi lịch kiểm tra", "✅ Chấp nhận");
    expect(await pressSays(thuy, accept)).toContain("Đề nghị này đã được trả lời rồi.");
    expect((await h.db.visitRequest.findFirstOrThrow()).status).toBe("DECLINED");
    expect((await h.send(thuy, "/doilich"))[0]).toContain("Không có đề nghị đổi lịch nào đang chờ trả lời.");
  });
});

describe("the self-inspection report", () => {
  it("/baocao is for the unit's officers; the PDF sent then is kept as the visit's report", async () => {
    expect((await h.send(thuy, "/baocao"))[0]).toContain("⛔ Chỉ cán bộ đầu mối của đơn vị được kiểm tra");
    const [screen] = await h.send(minh, "/baocao");
    expect(screen).toContain(
      `📄 <b>Báo cáo tự kiểm tra</b> cho lịch kiểm tra #${songMa} — Ủy ban nhân dân huyện Sông Mã`,
    );
    expect(screen).toContain("Đơn vị chưa gửi tệp báo cáo nào.");
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["✅ Xong"]);

    expect(await sendDocument(minh, "Chương trình.exe", exe())).toContain(
      "Tệp <b>Chương trình.exe</b> không được nhận",
    );
    expect(await h.db.evidence.count()).toBe(0);

    const bytes = pdf();
    expect(await sendDocument(minh, "Báo cáo tự kiểm tra 2019.pdf", bytes)).toContain(
      `📎 Đã nhận tệp <b>Báo cáo tự kiểm tra 2019.pdf</b> vào báo cáo tự kiểm tra của lịch #${songMa}.`,
    );
    const row = await h.db.evidence.findFirstOrThrow();
    expect(row).toMatchObject({ visitId: songMa, questionId: null, mimeType: "application/pdf", size: bytes.length });
    expect(await audits("visit.report.add")).toHaveLength(1);
    // The same file again is kept once.
    expect(await sendDocument(minh, "ban-sao.pdf", bytes)).toContain("đã có trong báo cáo tự kiểm tra");
    expect(await h.db.evidence.count()).toBe(1);
    // «✅ Xong» says what the team now has.
    expect(await tapSays(minh, "✅ Xong")).toBe(
      `✅ Đã xong: báo cáo tự kiểm tra của lịch #${songMa} có 1 tệp; đoàn kiểm tra và Sở Nội vụ mở được trước buổi kiểm tra. Gửi thêm tệp: gõ /baocao.`,
    );
  });

  it("/lich shows the report with a link that opens the file; the self-assessment is untouched", async () => {
    await h.send(minh, "/tudanhgia"); // a command ends the report step
    // The page server reads real time: the links are made on it too.
    h.clock.fixed = null;
    expect(await h.db.visitCursor.count({ where: { personId: (await personOf(minh)).id } })).toBe(0);
    const [schedule] = await h.send(minh, "/lich");
    expect(schedule).toContain("📄 Báo cáo tự kiểm tra: 1 tệp");
    const href = /<a href="([^"]+)">Báo cáo tự kiểm tra 2019\.pdf<\/a>/.exec(schedule!)![1]!;
    const file = await fetch(`${base}${new URL(href).pathname}`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await file.arrayBuffer())).toEqual(pdf());
    // Coordinators see it in their schedule, with its link too.
    const [theirs] = await h.send(thuy, "/lich Sông Mã");
    expect(theirs).toContain("📄 Báo cáo tự kiểm tra: 1 tệp");
    expect(theirs).toMatch(/<a href="[^"]+">Báo cáo tự kiểm tra 2019\.pdf<\/a>/);
    // So does the team going to Sông Mã (the data file's teams are names: any inspector is on them), and it opens for them.
    const [team] = await h.send(tuan, "/lich Sông Mã");
    const teamHref = /<a href="([^"]+)">Báo cáo tự kiểm tra 2019\.pdf<\/a>/.exec(team!)![1]!;
    expect((await fetch(`${base}${new URL(teamHref).pathname}`)).status).toBe(200);
    expect(await h.db.answer.count()).toBe(0);
  });

  it("two days before, coordinators hear of a unit without a report: in /xacnhan and once through the planner", async () => {
    const settings = {
      timeZone: h.config.TZ,
      visitDays: h.config.VISIT_REMINDER_DAYS,
      deadlineDays: [],
      reminderTime: h.config.REMINDER_TIME,
      coordinatorIds: h.config.COORDINATOR_IDS,
    };
    // Sở Tư pháp's visit is on 12/03 14:00: the check is on 10/03 at 08:00.
    expect((await planReminders(h.db, settings, local(10, 7, 59))).reportChecks).toBe(0);
    expect((await planReminders(h.db, settings, local(10, 8))).reportChecks).toBe(1);
    expect((await planReminders(h.db, settings, local(10, 8, 1))).reportChecks).toBe(0);
    const notices = await h.db.notice.findMany({ where: { kind: "visit.report_missing" } });
    expect(notices.map((n) => [n.visitId, n.recipientId])).toEqual([[tuPhap, (await personOf(thuy)).id]]);
    h.clock.fixed = local(10, 8);
    await drain();
    const told = inbox(thuy).at(-1)!.message.text!;
    expect(told).toContain("Đơn vị chưa gửi báo cáo tự kiểm tra");
    expect(told).toContain(`Sở Tư pháp chưa gửi báo cáo tự kiểm tra cho lịch kiểm tra #${tuPhap}:`);
    const [, answers] = await h.send(thuy, "/xacnhan");
    const missing = answers!.slice(answers!.indexOf("chưa gửi báo cáo tự kiểm tra:"));
    expect(missing).toContain(`#${tuPhap} Sở Tư pháp, 12/03/2019 14:00`);
    expect(missing).not.toContain("Sông Mã"); // sent its report
  });
});

describe("refusals: nothing stored wrongly", () => {
  it("a confirmation of a visit changed since the notice is stale; the changed visit waits for a new answer", async () => {
    const oldConfirm = noticeButton(hoa, "Sông Mã", "✅ Xác nhận lịch");
    const oldRequest = noticeButton(hoa, "Sông Mã", "📅 Đề nghị đổi lịch");
    await h.send(thuy, `/lichsua #${songMa} 16/03/2019 14:00`);
    const changed = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } });
    expect(changed).toMatchObject({ revision: 2, status: "PLANNED", confirmedAt: null, confirmedById: null });
    expect(await pressSays(hoa, oldConfirm)).toContain(
      "⚠️ Lịch kiểm tra này đã thay đổi sau khi đồng chí nhận thông báo",
    );
    expect(await pressSays(hoa, oldRequest)).toContain("đã thay đổi sau khi đồng chí nhận thông báo");
    expect((await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: songMa } })).status).toBe("PLANNED");
    expect(await h.db.visitCursor.count()).toBe(0);
    // The change notice asks again, for the new revision.
    await drain();
    const fresh = noticeButton(hoa, "Thay đổi lịch kiểm tra", "✅ Xác nhận lịch");
    expect(fresh).toBe(`vi:c:${songMa}:2`);
  });

  it("a cancelled visit cannot be confirmed or moved", async () => {
    await h.send(thuy, `/lichhuy #${tuPhap} Sở sáp nhập`);
    await h.tap(thuy, "Hủy lịch này");
    expect(await pressSays(lan, noticeButton(lan, "Sở Tư pháp", "✅ Xác nhận lịch"))).toContain(
      "Lịch kiểm tra này đã bị hủy",
    );
    expect((await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: tuPhap } })).confirmedAt).toBeNull();
  });

  it("a request after the visit has begun is refused, also when its reason comes late", async () => {
    h.clock.fixed = local(16, 13, 50);
    expect(await pressSays(hoa, `vi:r:${songMa}:2`)).toContain("Đồng chí gõ <b>lý do</b>");
    h.clock.fixed = local(16, 14, 5); // the visit began at 14:00
    const [late] = await h.send(hoa, "Đồng chí lãnh đạo đi công tác đột xuất");
    expect(late).toContain("Buổi kiểm tra đã bắt đầu");
    expect(await pressSays(hoa, `vi:r:${songMa}:2`)).toContain("Buổi kiểm tra đã bắt đầu");
    expect(await pressSays(hoa, `vi:c:${songMa}:2`)).toContain("Buổi kiểm tra đã bắt đầu");
    expect(await h.db.visitRequest.count()).toBe(1); // Sở Tư pháp's, declined
    expect((await h.send(hoa, "/baocao"))[0]).toContain("chưa có lịch kiểm tra sắp tới");
  });

  it("forged buttons are refused", async () => {
    for (const forged of ["vi:c:abc:1", "vi:c:1", "vi:r:99999999999:1", "vi:x:1"]) {
      const calls = await h.press(hoa, forged, 900);
      expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text, forged).toBe("Nút không hợp lệ.");
    }
    expect(await pressSays(hoa, "vi:c:999999:1")).toContain("Không tìm thấy lịch kiểm tra hoặc đề nghị này");
  });
});

describe("on Zalo", () => {
  it("the notice says «gõ», and «xác nhận» / «đổi lịch» typed are the buttons", async () => {
    const z = await zaloSide(h);
    try {
      h.clock.fixed = local(17, 9);
      const officer = { id: "8101000000000000001", display_name: "Quàng Văn Sơn" };
      const [invite] = await createInvites(h.db, {
        campaignId: h.campaign.id,
        role: "OFFICER",
        unitIds: [(await h.unit("thuan-chau")).id],
      });
      await z.send(officer, `MOI ${invite!.code}`);
      await h.send(thuy, "/lichmoi Thuận Châu 25/03/2019 08:00 Hội trường UBND huyện");
      const visit = await h.db.inspectionVisit.findFirstOrThrow({
        where: { unit: { code: "thuan-chau" }, createdById: { not: null } },
      });
      const before = z.inbox(officer).length;
      await testSender(h, api, { zaloApi: z.channel.bot.api }).drain();
      const [notice] = z.inbox(officer).slice(before);
      expect(notice).toContain("Đề nghị đồng chí gõ «xác nhận» nếu đơn vị làm việc được theo lịch này");
      expect(notice).toContain("Gõ «xác nhận»: ✅ Xác nhận lịch");
      expect(notice).toContain("Gõ «đổi lịch»: 📅 Đề nghị đổi lịch");
      expect(notice).not.toMatch(/\bbấm\b/i);

      // The notice is the chat's menu: «xác nhận» typed confirms the visit.
      const account = await h.db.personChannel.findUniqueOrThrow({
        where: { channel_externalId: { channel: "zalo", externalId: officer.id } },
      });
      const [confirmedText] = await z.send(officer, "Xác nhận");
      expect(confirmedText).toContain(`xác nhận lịch kiểm tra #${visit.id}`);
      const confirmed = await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: visit.id } });
      expect([confirmed.status, confirmed.confirmedById]).toEqual(["CONFIRMED", account.personId]);

      // «đổi lịch» asks for the reason; the next text is it.
      const [asked] = await z.send(officer, "doi lich");
      expect(asked).toContain("Đồng chí gõ lý do trong một tin nhắn");
      const [sent] = await z.send(officer, "Trùng lịch tiếp công dân của huyện");
      expect(sent).toContain(`📨 Đã gửi đề nghị đổi lịch kiểm tra #${visit.id}`);
      expect(await h.db.visitRequest.count({ where: { visitId: visit.id, status: "OPEN" } })).toBe(1);

      // The report as photos of its pages; "xong" typed ends the step (it is «✅ Xong»).
      const [ask] = await z.send(officer, "baocao");
      expect(ask).toContain("gõ «xong»");
      const photo = z.fake.userSendsPhoto(officer, { bytes: jpeg() });
      photo.message.date = h.clock.now().getTime(); // sent at the test's time, before the visit
      const [kept] = await z.deliver(photo, officer.id);
      expect(kept).toContain("vào báo cáo tự kiểm tra của lịch");
      const [done] = await z.send(officer, "xong");
      expect(done).toMatch(/✅ Đã xong: báo cáo tự kiểm tra của lịch #\d+ có 1 tệp;/);
      expect(done).toContain("Gửi thêm ảnh: gõ baocao.");
      expect(await h.db.visitCursor.count({ where: { personId: account.personId } })).toBe(0);
      expect(await h.db.evidence.count({ where: { visitId: { not: null }, uploadedById: account.personId } })).toBe(1);
      for (const m of z.fake.messagesTo(officer.id)) expect(m.text ?? "").not.toMatch(/\bbấm\b/i);
    } finally {
      await z.close();
    }
  });
});
