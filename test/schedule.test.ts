import { Api } from "grammy";
import type { User } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBotApi, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { createInvites } from "../src/domain/invites.ts";
import { enqueueNotices } from "../src/domain/notices.ts";
import { planReminders } from "../src/jobs/planner.ts";
import type { SenderOptions } from "../src/jobs/sender.ts";
import { createHarness, type Harness, TEST_TOKEN } from "./support/harness.ts";
import { telegramUser, withTelegram } from "./support/people.ts";
import { testSender } from "./support/sender.ts";
import { user } from "./support/updates.ts";

/**
 * The schedule through the real bot (commands and buttons as Telegram delivers them), the
 * outbox and reminders on a real database with a controlled clock, and the sender against
 * the loopback fake Bot API.
 */
let h: Harness;
let fake: FakeBotApi;
let api: Api;
const minh = user(7001, "Lò Văn Minh"); // officer, Sông Mã
const hoa = user(7002, "Cầm Thị Hoa"); // officer, Sông Mã
const lan = user(7003, "Đinh Thị Lan"); // officer, Sở Tư pháp
const tuan = user(7004, "Hà Minh Tuấn"); // inspector (team)
const thuy = user(7005, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS)
const guest = user(7006, "Khách");

/** 2019-03-dd hh:mm in Asia/Ho_Chi_Minh (UTC+7). */
const local = (day: number, hour: number, minute = 0, month = 3) =>
  new Date(Date.UTC(2019, month - 1, day, hour - 7, minute));

const sender = (options: Partial<SenderOptions> = {}) => testSender(h, api, options);

async function link(person: User, role: "OFFICER" | "INSPECTOR", unitCode?: string) {
  const unitIds = unitCode ? [(await h.unit(unitCode)).id] : undefined;
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role, unitIds });
  await h.send(person, `/start ${invite!.code}`);
}

const accountOf = (u: User) =>
  h.db.personChannel.findUniqueOrThrow({
    where: { channel_externalId: { channel: "telegram", externalId: String(u.id) } },
  });
const personOf = (u: User) => h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(u.id)) });

/** Messages the fake API holds in a person's chat (sent by the sender). */
function inbox(u: User) {
  return fake.chatState(u.id)?.botMessages ?? [];
}

function lastKeyboard(): { text: string; callback_data: string }[] {
  const withMarkup = h.recorder.calls.filter((c) => c.method === "sendMessage" && c.payload.reply_markup);
  const markup = withMarkup.at(-1)?.payload.reply_markup as {
    inline_keyboard: { text: string; callback_data: string }[][];
  };
  return markup?.inline_keyboard.flat() ?? [];
}

async function resetOutbox() {
  await h.db.notice.deleteMany({});
  await h.db.noticePacer.deleteMany({});
  fake.clearCalls();
}

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(thuy.id) } });
  fake = await startFakeBotApi();
  api = new Api(TEST_TOKEN, { apiRoot: fake.url });
  h.clock.fixed = local(1, 9);
  await link(minh, "OFFICER", "song-ma");
  await link(hoa, "OFFICER", "song-ma");
  await link(lan, "OFFICER", "so-tu-phap");
  await link(tuan, "INSPECTOR");
  await h.send(thuy, "/start");
});
afterAll(async () => {
  await fake?.close();
  await h?.close();
});

describe("/lichmoi: scheduling a visit", () => {
  it("is for coordinators only; others get a clear refusal", async () => {
    for (const who of [minh, tuan, guest]) {
      const [reply] = await h.send(who, "/lichmoi Sông Mã 15/03/2019 08:00 Hội trường");
      expect(reply).toContain("⛔ Chỉ công chức Phòng CCHC, Sở Nội vụ được dùng lệnh này.");
    }
    expect(await h.db.inspectionVisit.count({ where: { createdById: { not: null } } })).toBe(0);
  });

  it("without arguments explains the one-line form and offers the units as buttons", async () => {
    const [reply] = await h.send(thuy, "/lichmoi");
    expect(reply).toContain("/lichmoi &lt;đơn vị&gt; &lt;ngày/tháng/năm&gt; &lt;giờ:phút&gt; &lt;địa điểm&gt;");
    const buttons = lastKeyboard();
    expect(buttons.map((b) => b.text)).toContain("Sông Mã");
    await h.press(thuy, buttons.find((b) => b.text === "Sông Mã")!.callback_data);
    // A real date to correct (the next working day after Friday 01/03/2019), never "dd/MM/yyyy".
    expect(h.recorder.texts().join("\n")).toContain("<code>/lichmoi Sông Mã 04/03/2019 08:00 Hội trường</code>");
  });

  it("explains the expected format in Vietnamese when the line is wrong", async () => {
    expect((await h.send(thuy, "/lichmoi Sông Mã ngày mai"))[0]).toContain("Chưa đúng mẫu");
    expect((await h.send(thuy, "/lichmoi Sông Mã 31/02/2019 08:00 Hội trường"))[0]).toContain(
      "❌ Không có ngày 31/02/2019.",
    );
    expect((await h.send(thuy, "/lichmoi Sông Mã 15/03/2019 08:00"))[0]).toContain("Thiếu địa điểm");
    expect((await h.send(thuy, "/lichmoi 15/03/2019 08:00 Hội trường"))[0]).toContain("Thiếu tên đơn vị");
    expect((await h.send(thuy, "/lichmoi Sông Mã 15/02/2019 08:00 Hội trường"))[0]).toContain(
      "Thời gian 15/02/2019 08:00 đã qua",
    );
    expect((await h.send(thuy, "/lichmoi Mường Tè 15/03/2019 08:00 Hội trường"))[0]).toContain(
      "Không tìm thấy đơn vị nào khớp với «Mường Tè»",
    );
    expect(await h.db.inspectionVisit.count({ where: { createdById: { not: null } } })).toBe(0);
  });

  it("creates the visit from one line (diacritics optional), notifies officers and team, plans reminders", async () => {
    const texts = await h.send(thuy, "/lichmoi song ma 15/03/2019 08:00 Hội trường UBND huyện");
    const reply = texts.join("\n");
    expect(reply).toContain("✅ Đã lập lịch kiểm tra");
    expect(reply).toContain("Ủy ban nhân dân huyện Sông Mã");
    expect(reply).toContain("15/03/2019 08:00 (Thứ Sáu)");
    expect(reply).toContain("Đã gửi thông báo tới 3 người");
    const visit = await h.db.inspectionVisit.findFirstOrThrow({
      where: { unit: { code: "song-ma" } },
      include: { members: true },
    });
    expect(visit.startsAt.toISOString()).toBe("2019-03-15T01:00:00.000Z");
    expect(visit.place).toBe("Hội trường UBND huyện");
    expect(visit.members.map((m) => m.name)).toEqual(["Hà Minh Tuấn"]); // inspectors are the team by default

    const notices = await h.db.notice.findMany({ where: { visitId: visit.id }, orderBy: { id: "asc" } });
    const ids = await Promise.all([minh, hoa, tuan].map(async (u) => (await personOf(u)).id));
    const created = notices.filter((n) => n.kind === "visit.created");
    expect(created.map((n) => n.recipientId).sort()).toEqual([...ids].sort());
    expect(created.every((n) => n.dueAt.getTime() === h.clock.now().getTime() && n.status === "PENDING")).toBe(true);
    // 7 and 1 days before, at 08:00 Asia/Ho_Chi_Minh
    const reminders = notices.filter((n) => n.kind === "visit.reminder");
    expect(new Set(reminders.map((n) => n.dueAt.toISOString()))).toEqual(
      new Set(["2019-03-08T01:00:00.000Z", "2019-03-14T01:00:00.000Z"]),
    );
    expect(reminders).toHaveLength(6);
    // Nobody from another unit is told.
    const lanId = (await personOf(lan)).id;
    expect(notices.some((n) => n.recipientId === lanId)).toBe(false);
  });

  it("offers buttons when the unit is ambiguous; the choice creates the visit once", async () => {
    const [reply] = await h.send(thuy, "/lichmoi Sở 20/03/2019 14:00 Phòng họp Sở");
    expect(reply).toContain("khớp với nhiều đơn vị");
    const pick = lastKeyboard().find((b) => b.text === "Sở Tư pháp")!;
    await h.press(thuy, pick.callback_data);
    expect(h.recorder.texts().join("\n")).toContain("Sở Tư pháp");
    await h.press(thuy, pick.callback_data); // a second press finds no draft
    expect(await h.db.inspectionVisit.count({ where: { unit: { code: "so-tu-phap" } } })).toBe(1);
    // Someone else's press on the coordinator's draft is refused too.
    const calls = await h.press(minh, "sc:u:1:1");
    expect(JSON.stringify(calls)).toContain("Chỉ công chức Phòng CCHC, Sở Nội vụ được dùng lệnh này");
  });
});

describe("visits in the data file", () => {
  it("are imported with their team; importing again changes nothing; an edited time updates the visit", async () => {
    const visits = await h.db.inspectionVisit.findMany({
      where: { key: { not: null } },
      include: { unit: true, members: true },
      orderBy: { startsAt: "asc" },
    });
    expect(visits.map((v) => [v.unit.code, v.startsAt.toISOString()])).toEqual([
      ["quynh-nhai", "2019-03-19T01:00:00.000Z"],
      ["thuan-chau", "2019-03-21T01:00:00.000Z"],
      ["so-cong-thuong", "2019-03-26T07:00:00.000Z"],
    ]);
    expect(visits[0]!.members[0]!.name).toBe("Nguyễn Thị Bích Thủy");
    // Imported long after 2019: nobody is notified of past visits.
    expect(await h.db.notice.count({ where: { visitId: { in: visits.map((v) => v.id) } } })).toBe(0);

    const { loadDataFile } = await import("../src/domain/data-file.ts");
    const { importData } = await import("../src/domain/importer.ts");
    const { BUNDLED_CAMPAIGN_FILE } = await import("../src/app.ts");
    const file = await loadDataFile(BUNDLED_CAMPAIGN_FILE);
    expect((await importData(h.db, file, h.config.TZ, { now: local(1, 9) })).visits).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 3,
    });
    file.visits[0]!.startsAt = "20/03/2019 08:00";
    expect((await importData(h.db, file, h.config.TZ, { now: local(1, 9) })).visits).toMatchObject({
      updated: 1,
      unchanged: 2,
    });
    const moved = await h.db.inspectionVisit.findFirstOrThrow({ where: { key: "quynh-nhai" } });
    expect([moved.startsAt.toISOString(), moved.revision]).toEqual(["2019-03-20T01:00:00.000Z", 2]);
  });
});

describe("/lich: the schedule per role", () => {
  it("an officer sees their unit's visit; inspectors and coordinators see all, in date order", async () => {
    const [officer] = await h.send(minh, "/lich");
    expect(officer).toContain("Lịch kiểm tra — Ủy ban nhân dân huyện Sông Mã");
    expect(officer).toContain("Hội trường UBND huyện");
    expect(officer).not.toContain("Sở Tư pháp");
    for (const who of [tuan, thuy]) {
      const all = (await h.send(who, "/lich"))[0]!;
      expect(all.indexOf("Sông Mã")).toBeGreaterThan(0);
      expect(all.indexOf("Sông Mã")).toBeLessThan(all.indexOf("Sở Tư pháp"));
    }
    expect((await h.send(guest, "/lich"))[0]).toContain("chưa được liên kết");
  });
});

describe("delivery and acknowledgement", () => {
  it("sends each due notice once, in the recipient's language, with a «Đã nhận» button", async () => {
    const s = sender();
    expect(await s.drain()).toBeGreaterThan(0);
    expect(await s.drain()).toBe(0);
    const [message] = inbox(minh);
    expect(inbox(minh)).toHaveLength(1);
    expect(message!.message.text).toContain("Thông báo lịch kiểm tra công tác cải cách hành chính");
    expect(message!.message.text).toContain("Thời gian: 15/03/2019 08:00 (Thứ Sáu)");
    expect(message!.message.text).toContain("Đoàn kiểm tra: Hà Minh Tuấn");
    expect(message!.message.reply_markup!.inline_keyboard[0]![0]!.text).toBe("✅ Đã nhận");
    expect(await h.db.notice.count({ where: { kind: "visit.created", status: "SENT" } })).toBe(5); // 3 + 2 of Sở Tư pháp
    expect(await h.db.notice.count({ where: { kind: "visit.reminder", status: "PENDING" } })).toBe(10);
  });

  it("only the recipient can acknowledge; forged data is refused", async () => {
    const [message] = inbox(minh);
    const data = (message!.message.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data;
    const noticeId = Number(data.split(":")[2]);

    let calls = await h.press(hoa, data, message!.messageId);
    expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toContain("chỉ người nhận");
    for (const forged of ["nt:a:abc", "nt:a:0", "nt:a:99999999999", "nt:a:1:2", "nt:a:9999999"]) {
      calls = await h.press(minh, forged, message!.messageId);
      expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text, forged).toBe("Nút không hợp lệ.");
    }
    expect((await h.db.notice.findUniqueOrThrow({ where: { id: noticeId } })).acknowledgedAt).toBeNull();

    h.clock.fixed = local(1, 9, 30);
    calls = await h.press(minh, data, message!.messageId);
    expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toContain("Đã ghi nhận");
    const edit = calls.find((c) => c.method === "editMessageReplyMarkup")!;
    expect(JSON.stringify(edit.payload.reply_markup)).toContain("Đã nhận lúc 01/03/2019 09:30");
    const acknowledged = await h.db.notice.findUniqueOrThrow({ where: { id: noticeId } });
    expect(acknowledged.acknowledgedAt).toEqual(local(1, 9, 30));
    calls = await h.press(minh, data, message!.messageId);
    expect(calls.find((c) => c.method === "answerCallbackQuery")!.payload.text).toContain("đã xác nhận");
  });

  it("/xacnhan shows coordinators who has not acknowledged", async () => {
    expect((await h.send(minh, "/xacnhan"))[0]).toContain("Chỉ công chức Phòng CCHC, Sở Nội vụ được dùng lệnh này");
    const report = (await h.send(thuy, "/xacnhan"))[0]!;
    expect(report).toContain("Thông báo lịch kiểm tra");
    expect(report).toMatch(/#\d+ Sông Mã<\/b>|— #\d+ Sông Mã/);
    expect(report).toContain("đã gửi 3, đã nhận 1");
    const sm = report.split("\n").find((l) => l.includes("Chưa xác nhận") && l.includes("Cầm Thị Hoa"))!;
    expect(sm).toContain("Hà Minh Tuấn");
    expect(sm).not.toContain("Lò Văn Minh");
  });
});

describe("reminders", () => {
  it("fire at the right local time (08:00, 7 days before), not a minute earlier", async () => {
    const s = sender();
    h.clock.fixed = local(8, 7, 59);
    await s.drain();
    expect(inbox(minh)).toHaveLength(1);
    h.clock.fixed = local(8, 8, 0);
    await s.drain();
    expect(inbox(minh)).toHaveLength(2);
    expect(inbox(minh)[1]!.message.text).toContain("Nhắc lịch: còn 7 ngày đến buổi kiểm tra");
    expect(inbox(hoa)).toHaveLength(2);
    expect(inbox(lan).some((m) => m.message.text?.includes("Sông Mã"))).toBe(false);
  });

  it("deadline reminders go only to officers of units that have not submitted, once", async () => {
    // Sở Tư pháp has submitted every area; Sông Mã has not.
    const areas = await h.db.reformArea.findMany({ where: { questionnaireId: h.campaign.questionnaireId! } });
    const tuPhap = await h.unit("so-tu-phap");
    const lanPerson = await personOf(lan);
    for (const area of areas) {
      await h.db.areaSubmission.create({
        data: {
          campaignId: h.campaign.id,
          unitId: tuPhap.id,
          areaId: area.id,
          submittedById: lanPerson.id,
          selfScore: 1,
        },
      });
    }
    const settings = {
      timeZone: h.config.TZ,
      visitDays: h.config.VISIT_REMINDER_DAYS,
      deadlineDays: h.config.DEADLINE_REMINDER_DAYS,
      reminderTime: h.config.REMINDER_TIME,
    };
    // The deadline is 15/03/2019 17:00: reminders on 08/03, 12/03 and 14/03 at 08:00.
    expect((await planReminders(h.db, settings, local(12, 7, 59))).deadlineReminders).toBe(0);
    const at = local(12, 8, 0);
    expect((await planReminders(h.db, settings, at)).deadlineReminders).toBe(2);
    expect((await planReminders(h.db, settings, local(12, 8, 1))).deadlineReminders).toBe(0);
    const reminders = await h.db.notice.findMany({
      where: { kind: "deadline.reminder", status: { not: "CANCELLED" } },
    });
    const officers = await Promise.all([minh, hoa].map(personOf));
    expect(reminders.map((r) => r.recipientId).sort()).toEqual(officers.map((o) => o.id).sort());
    expect(reminders.every((r) => r.dueAt.getTime() === at.getTime())).toBe(true);
    // The 7-day one (08/03) is long past: not sent late.
    expect(
      await h.db.notice.count({ where: { idempotencyKey: { contains: ":7d:" }, kind: "deadline.reminder" } }),
    ).toBe(0);

    h.clock.fixed = at;
    await sender().drain();
    const text = inbox(minh).at(-1)!.message.text!;
    expect(text).toContain("Còn 3 ngày đến hạn tự đánh giá");
    expect(text).toContain("Hạn chót: 15/03/2019 17:00");
    expect(text).toContain("1. Công tác chỉ đạo, điều hành cải cách hành chính: 0/");
    // A district is not asked 3.2.1 (departments only): 10 questions of area 3 are left, not 11.
    expect(text).toContain("• 3. Cải cách thủ tục hành chính: 0/10 câu");
    expect(inbox(lan).some((m) => m.message.text?.includes("hạn tự đánh giá"))).toBe(false);
  });

  it("a changed visit gets fresh reminders; the old pending ones are cancelled", async () => {
    const visit = await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "song-ma" } } });
    const texts = await h.send(thuy, `/lichsua #${visit.id} 18/03/2019 14:00 Phòng họp số 2`);
    expect(texts.join("\n")).toContain("✅ Đã đổi lịch kiểm tra");
    const notices = await h.db.notice.findMany({ where: { visitId: visit.id } });
    const old1d = notices.filter((n) => n.idempotencyKey.includes(":r1:reminder:1d:"));
    expect(old1d).toHaveLength(3);
    expect(old1d.every((n) => n.status === "CANCELLED")).toBe(true);
    const new1d = notices.filter((n) => n.idempotencyKey.includes(":r2:reminder:1d:"));
    expect(new1d.map((n) => n.dueAt.toISOString())).toEqual(Array(3).fill("2019-03-17T01:00:00.000Z"));
    expect(notices.filter((n) => n.kind === "visit.changed")).toHaveLength(3);
    await sender().drain();
    const changed = inbox(hoa).at(-1)!.message.text!;
    expect(changed).toContain("Thay đổi lịch kiểm tra");
    expect(changed).toContain("18/03/2019 14:00 (Thứ Hai)");
    expect(changed).toContain("(Lịch cũ: 15/03/2019 08:00, Hội trường UBND huyện)");
  });

  it("a cancelled visit cancels its pending reminders, in the same transaction, and tells everyone", async () => {
    const visit = await h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "song-ma" } } });
    await h.send(thuy, `/lichhuy #${visit.id} Đơn vị xin lùi lịch`);
    const confirm = lastKeyboard().find((b) => b.text.includes("Hủy lịch này"))!;
    const pending = await h.db.notice.findMany({ where: { visitId: visit.id, status: "PENDING" } });
    expect(pending.every((n) => n.idempotencyKey.includes(":r2:reminder:1d:"))).toBe(true);
    expect(pending).toHaveLength(3);
    await h.press(minh, confirm.callback_data); // not a coordinator
    expect((await h.db.inspectionVisit.findUniqueOrThrow({ where: { id: visit.id } })).status).toBe("PLANNED");
    await h.press(thuy, confirm.callback_data);
    expect(h.recorder.texts().join("\n")).toContain("Đã hủy lịch kiểm tra");
    const after = await h.db.notice.findMany({ where: { visitId: visit.id } });
    expect(after.filter((n) => n.kind === "visit.reminder" && n.status === "PENDING")).toHaveLength(0);
    expect(after.filter((n) => n.kind === "visit.cancelled" && n.status === "PENDING")).toHaveLength(3);
    // Planning again brings nothing back, whatever the time.
    h.clock.fixed = local(17, 8);
    const settings = {
      timeZone: h.config.TZ,
      visitDays: h.config.VISIT_REMINDER_DAYS,
      deadlineDays: [],
      reminderTime: h.config.REMINDER_TIME,
    };
    expect((await planReminders(h.db, settings, h.clock.now())).visitReminders).toBe(0);
    await sender().drain();
    const last = inbox(minh).at(-1)!.message.text!;
    expect(last).toContain("Hủy lịch kiểm tra");
    expect(last).toContain("Lý do: Đơn vị xin lùi lịch");
    expect(inbox(minh).some((m) => m.message.text?.includes("ngày mai đoàn kiểm tra"))).toBe(false);
    expect((await h.send(minh, "/lich"))[0]).toContain("Chưa có lịch kiểm tra đơn vị của đồng chí");
  });
});

describe("Telegram's answers", () => {
  async function oneNotice(to: User, key: string) {
    const person = await personOf(to);
    await enqueueNotices(h.db, [
      {
        recipientId: person.id,
        campaignId: h.campaign.id,
        kind: "assessment.reminder",
        payload: {
          unitName: "Ủy ban nhân dân huyện Sông Mã",
          deadline: null,
          missing: [{ area: "3. Cải cách thủ tục hành chính", answered: 2, total: 9 }],
          sentBy: "Nguyễn Thị Bích Thủy",
        },
        dueAt: h.clock.now(),
        idempotencyKey: key,
      },
    ]);
    return h.db.notice.findUniqueOrThrow({ where: { idempotencyKey: key } });
  }

  it("enqueueNotices skips keys it already has", async () => {
    await resetOutbox();
    const person = await personOf(minh);
    const n = { recipientId: person.id, kind: "assessment.reminder", payload: {}, dueAt: h.clock.now() };
    expect(await enqueueNotices(h.db, [{ ...n, idempotencyKey: "k1" }])).toBe(1);
    expect(
      await h.db.$transaction((tx) =>
        enqueueNotices(tx, [
          { ...n, idempotencyKey: "k1" },
          { ...n, idempotencyKey: "k2" },
          { ...n, idempotencyKey: "k2" },
        ]),
      ),
    ).toBe(1);
    await resetOutbox();
  });

  it("429: waits retry_after (also the other sends), then delivers", async () => {
    h.clock.fixed = local(2, 10);
    const notice = await oneNotice(minh, "t429");
    fake.failNext("sendMessage", { error_code: 429, parameters: { retry_after: 5 } });
    const s = sender();
    await s.drain();
    let row = await h.db.notice.findUniqueOrThrow({ where: { id: notice.id } });
    expect(row.status).toBe("PENDING");
    expect(row.lastError).toContain("429");
    expect(row.nextAttemptAt).toEqual(new Date(local(2, 10).getTime() + 5000));
    expect(row.attempts).toBe(0);
    const pacer = await h.db.noticePacer.findUniqueOrThrow({ where: { key: "telegram" } });
    expect(Number(pacer.nextAt)).toBeGreaterThan(Date.now() + 4000);
    await h.db.noticePacer.update({ where: { key: "telegram" }, data: { nextAt: 0n } }); // don't make the test wait

    h.clock.fixed = new Date(local(2, 10).getTime() + 4000);
    await s.drain();
    expect((await h.db.notice.findUniqueOrThrow({ where: { id: notice.id } })).status).toBe("PENDING");
    h.clock.fixed = new Date(local(2, 10).getTime() + 5000);
    await s.drain();
    row = await h.db.notice.findUniqueOrThrow({ where: { id: notice.id } });
    expect(row.status).toBe("SENT");
    expect(inbox(minh).at(-1)!.message.text).toContain("3. Cải cách thủ tục hành chính: 2/9 câu");
  });

  it("5xx and network errors: retried with exponential backoff, then FAILED with the error", async () => {
    h.clock.fixed = local(3, 10);
    const ok = await oneNotice(minh, "t502");
    fake.failNext("sendMessage", { error_code: 502, times: 2 });
    const s = sender({ maxAttempts: 3 });
    await s.drain();
    let row = await h.db.notice.findUniqueOrThrow({ where: { id: ok.id } });
    expect([row.status, row.attempts, row.nextAttemptAt]).toEqual([
      "PENDING",
      1,
      new Date(local(3, 10).getTime() + 1000),
    ]);
    h.clock.fixed = row.nextAttemptAt!;
    await s.drain();
    row = await h.db.notice.findUniqueOrThrow({ where: { id: ok.id } });
    expect([row.status, row.attempts]).toEqual(["PENDING", 2]);
    expect(row.nextAttemptAt!.getTime() - h.clock.now().getTime()).toBe(2000); // doubled
    h.clock.fixed = row.nextAttemptAt!;
    await s.drain();
    row = await h.db.notice.findUniqueOrThrow({ where: { id: ok.id } });
    expect([row.status, row.attempts]).toEqual(["SENT", 3]);

    const bad = await oneNotice(hoa, "t500");
    fake.failNext("sendMessage", { error_code: 500, times: 3 });
    for (let i = 0; i < 3; i++) {
      await s.drain();
      const r = await h.db.notice.findUniqueOrThrow({ where: { id: bad.id } });
      if (r.nextAttemptAt) h.clock.fixed = r.nextAttemptAt;
    }
    row = await h.db.notice.findUniqueOrThrow({ where: { id: bad.id } });
    expect([row.status, row.attempts, row.lastError]).toEqual(["FAILED", 3, "500: Internal Server Error"]);
    fake.clearCalls();
    const [report] = await h.send(thuy, "/xacnhan");
    expect(report).toContain("Cầm Thị Hoa: máy chủ Telegram gặp lỗi (mã 500)");
  });

  it("403: the person is marked unreachable, the notice fails, coordinators are told once", async () => {
    h.clock.fixed = local(4, 10);
    fake.blockedChats.add(lan.id);
    const first = await oneNotice(lan, "t403a");
    const second = await oneNotice(lan, "t403b");
    const s = sender();
    await s.drain();
    await s.drain(); // the coordinators' notice
    for (const n of [first, second]) {
      const row = await h.db.notice.findUniqueOrThrow({ where: { id: n.id } });
      expect([row.status, row.lastError]).toEqual(["FAILED", "403: Forbidden: bot was blocked by the user"]);
    }
    expect(await accountOf(lan)).toMatchObject({ channel: "telegram", unreachable: true });
    const told = await h.db.notice.findMany({ where: { kind: "recipient.unreachable" } });
    expect(told.map((n) => n.recipientId)).toEqual([(await personOf(thuy)).id]);
    const text = inbox(thuy).at(-1)!.message.text!;
    expect(text).toContain("Không gửi được thông báo");
    expect(text).toContain("Bot không gửi được tin nhắn cho Đinh Thị Lan");
    // Telegram's English ("Forbidden: bot was blocked by the user") is told in Vietnamese.
    expect(text).toContain("Lý do: người nhận đã chặn bot.");
    expect(text).not.toMatch(/Forbidden|blocked|403/);
    expect(text).toContain("Đơn vị: Sở Tư pháp");
    const [report] = await h.send(thuy, "/xacnhan");
    expect(report).toContain("Không liên lạc được");
    expect(report).toContain("Đinh Thị Lan — Sở Tư pháp");
    // Writing to the bot again makes them reachable.
    fake.blockedChats.delete(lan.id);
    await h.send(lan, "/lich");
    expect(await accountOf(lan)).toMatchObject({ channel: "telegram", unreachable: false });
  });
});

describe("senders side by side, and crashes", () => {
  it("two senders on one database never send a notice twice", async () => {
    await resetOutbox();
    h.clock.fixed = local(5, 10);
    const people: { id: number }[] = [];
    for (let i = 0; i < 40; i++) {
      people.push(await h.db.person.create({ data: withTelegram(900_000 + i, `Người nhận ${i}`) }));
    }
    await enqueueNotices(
      h.db,
      Array.from({ length: 120 }, (_, i) => ({
        recipientId: people[i % 40]!.id,
        kind: "assessment.reminder",
        payload: { unitName: `Đơn vị ${i}`, deadline: null, missing: [], sentBy: "Bench" },
        dueAt: h.clock.now(),
        idempotencyKey: `pair:${i}`,
      })),
    );
    // A second connection pool, as a second process would have.
    const { openDatabase } = await import("../src/db/client.ts");
    const other = await openDatabase(h.database.url, { migrate: false, poolSize: 4 });
    try {
      const a = sender({ id: "A", batchSize: 5, perChatIntervalMs: 300, ratePerSecond: 300 });
      const b = sender({ id: "B", batchSize: 5, perChatIntervalMs: 300, ratePerSecond: 300, db: other.db });
      a.start();
      b.start();
      const deadline = Date.now() + 25_000;
      while ((await h.db.notice.count({ where: { status: "SENT" } })) < 120 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all([a.stop(), b.stop()]);
      expect(a.stats.sent + b.stats.sent).toBe(120);
      expect(a.stats.sent).toBeGreaterThan(0);
      expect(b.stats.sent).toBeGreaterThan(0);
    } finally {
      await other.close();
    }
    const sends = fake.calls.filter((c) => c.method === "sendMessage" && c.ok);
    const texts = sends.map((c) => /Đơn vị \d+/.exec(String(c.payload.text))![0]);
    expect(texts).toHaveLength(120);
    expect(new Set(texts).size).toBe(120);
    // Nobody got two messages closer than the per-person interval.
    const byChat = new Map<number, number[]>();
    for (const c of sends)
      byChat.set(Number(c.payload.chat_id), [...(byChat.get(Number(c.payload.chat_id)) ?? []), c.startedAt]);
    for (const times of byChat.values()) {
      times.sort((x, y) => x - y);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(250);
    }
  }, 40_000);

  it("a claim left by a dead process is reclaimed once stale, and sent once", async () => {
    await resetOutbox();
    const person = await personOf(minh);
    await enqueueNotices(h.db, [
      {
        recipientId: person.id,
        kind: "assessment.reminder",
        payload: { unitName: "Đơn vị X", deadline: null, missing: [], sentBy: "Test" },
        dueAt: h.clock.now(),
        idempotencyKey: "stale",
      },
    ]);
    const dead = sender({ id: "dead" });
    expect(await dead.claim(10)).toHaveLength(1); // claimed, then "kill -9": never sent
    const alive = sender({ id: "alive", staleAfterMs: 300 });
    expect(await alive.drain({ timeoutMs: 200 })).toBe(0);
    await new Promise((r) => setTimeout(r, 350));
    expect(await alive.reclaimStale()).toBe(1);
    expect(await alive.drain()).toBe(1);
    const row = await h.db.notice.findUniqueOrThrow({ where: { idempotencyKey: "stale" } });
    expect([row.status, row.claimedBy]).toEqual(["SENT", "alive"]);
    expect(fake.calls.filter((c) => c.method === "sendMessage")).toHaveLength(1);
  });

  it("stop() gives back notices claimed but not sent yet", async () => {
    await resetOutbox();
    const people = await Promise.all([minh, hoa, tuan].map(personOf));
    await enqueueNotices(
      h.db,
      people.map((p, i) => ({
        recipientId: p.id,
        kind: "assessment.reminder",
        payload: { unitName: `Đơn vị ${i}`, deadline: null, missing: [], sentBy: "Test" },
        dueAt: h.clock.now(),
        idempotencyKey: `stop:${i}`,
      })),
    );
    const slow = sender({ ratePerSecond: 1, batchSize: 3 });
    slow.start();
    await new Promise((r) => setTimeout(r, 300));
    await slow.stop();
    const rows = await h.db.notice.findMany({ where: { idempotencyKey: { startsWith: "stop:" } } });
    expect(rows.filter((r) => r.status === "SENT")).toHaveLength(1);
    expect(rows.filter((r) => r.status === "PENDING" && r.claimedBy === null)).toHaveLength(2);
  });
});
