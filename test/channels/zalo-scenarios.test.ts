/**
 * The same scenarios as on Telegram, on Zalo through the fake Zalo Bot API (which refuses
 * markup, buttons and texts over 2,000 characters): linking by invite, an area by numbers,
 * keywords and typed answers, a stale number, an evidence photo, stickers, group chats,
 * a duplicate event, and a coordinator's status. On both databases (TEST_DATABASE_URL).
 */
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appWebRoutes } from "../../src/app.ts";
import { createInvites } from "../../src/domain/invites.ts";
import { enqueueNotices } from "../../src/domain/notices.ts";
import { closeServer, createHttpServer, listen } from "../../src/server/http.ts";
import { jpeg, pdf } from "../storage/samples.ts";
import { createHarness, type Harness } from "../support/harness.ts";
import { telegramUser } from "../support/people.ts";
import { testSender } from "../support/sender.ts";
import { user } from "../support/updates.ts";
import { type ZaloSide, zaloSide } from "../support/zalo.ts";

describe("the bot on Zalo", () => {
  let h: Harness;
  let z: ZaloSide;
  const minh = { id: "8001000000000000001", display_name: "Lò Văn Minh" };
  const thuy = { id: "8001000000000000009", display_name: "Nguyễn Thị Bích Thủy" };

  const answerOf = async (code: string) => {
    const person = await h.db.personChannel.findUniqueOrThrow({
      where: { channel_externalId: { channel: "zalo", externalId: minh.id } },
    });
    return h.db.answer.findFirst({
      where: { question: { code }, unit: { code: "song-ma" }, answeredById: person.personId },
    });
  };

  /** A deadline reminder for a person, due now (the Sở Nội vụ's request). */
  const remind = (recipientId: number, idempotencyKey: string) =>
    enqueueNotices(h.db, [
      {
        recipientId,
        campaignId: h.campaign.id,
        kind: "assessment.reminder",
        payload: {
          unitName: "Ủy ban nhân dân huyện Sông Mã",
          deadline: null,
          missing: [{ area: "3. Cải cách thủ tục hành chính", answered: 2, total: 9 }],
          sentBy: "Nguyễn Thị Bích Thủy",
        },
        dueAt: h.clock.now(),
        idempotencyKey,
      },
    ]);

  beforeAll(async () => {
    h = await createHarness();
    await h.openSelfAssessment();
    z = await zaloSide(h);
  });
  afterAll(async () => {
    await z?.close();
    await h?.close();
  });

  it("links an officer who types MOI <code>: the reply names the unit and the role", async () => {
    const unit = await h.unit("song-ma");
    const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
    const [reply] = await z.send(minh, `MOI ${invite!.code}`);
    expect(reply).toContain("✅ Đã liên kết thành công!");
    expect(reply).toContain("Đồng chí là cán bộ đầu mối của Ủy ban nhân dân huyện Sông Mã");
    // The account is stored as a Zalo one.
    const account = await h.db.personChannel.findUniqueOrThrow({
      where: { channel_externalId: { channel: "zalo", externalId: minh.id } },
      include: { person: true },
    });
    expect(account).toMatchObject({ chatId: minh.id, person: { displayName: "Lò Văn Minh" } });
  });

  it("lists the areas as numbered choices, and a number opens one", async () => {
    const [areas] = await z.send(minh, "tudanhgia");
    expect(areas).toContain("Tự đánh giá, chấm điểm CCHC — Ủy ban nhân dân huyện Sông Mã");
    expect(areas).toContain("1. ⬜ 1. Công tác chỉ đạo, điều hành\n2. ⬜ 2. Cải cách thể chế");
    expect(areas).toContain("7. ⬜ 7. Hiện đại hóa hành chính\n— gõ số để chọn");
    const [question] = await z.send(minh, "1");
    expect(question).toContain("Lĩnh vực 1 · Câu 1.1.1 (1/11)");
    expect(question).toContain("Gõ «không ban hành»: Không ban hành");
    expect(question).toContain("Gõ «tiếp»: Bỏ qua ➡️");
    expect(question).not.toContain("gõ số để chọn");
  });

  it("takes a typed number as the answer where the question expects one, never as a menu choice", async () => {
    // 1.1.1 expects a date: "1" is a wrong date, not a choice.
    expect(await z.send(minh, "1")).toEqual(["Vui lòng nhập ngày theo dạng ngày/tháng/năm, ví dụ 15/03/2019."]);
    const [saved] = await z.send(minh, "15/01/2019");
    expect(saved).toContain("✅ Đã lưu câu 1.1.1: 15/01/2019 — 1/1 điểm.");
    expect((await answerOf("1.1.1"))?.value).toBe("2019-01-15");
  });

  it("moves with keywords, with or without diacritics", async () => {
    const [previous] = await z.send(minh, "lui");
    expect(previous).toContain("Câu 1.1.1");
    const [next] = await z.send(minh, "Tiếp");
    expect(next).toContain("Câu 1.1.2");
    const [saved] = await z.send(minh, "85,5 %");
    expect(saved).toContain("✅ Đã lưu câu 1.1.2: 85,5% — 1,5/2,5 điểm.");
    // Evidence is asked for in Zalo's words (photos here, files through the upload link).
    expect(saved).toContain(
      "Gửi ảnh chụp ngay bây giờ; tệp PDF, Word, Excel gửi qua đường link tải lên (gõ «tài liệu»)",
    );
    expect(saved).not.toContain("bấm");
    // Correcting is a numbered choice, the rest keywords.
    expect(saved).toContain("1. ✏️ Sửa câu trả lời\n— gõ số để chọn");
    expect(saved).toContain("Gõ «giải trình»: 📝 Giải trình\nGõ «tiếp»: Câu sau ➡️");
    const [onward] = await z.send(minh, "cau sau");
    expect(onward).toContain("Câu 1.2 (3/11)");
    // A count: "3 báo cáo" is the answer.
    const [count] = await z.send(minh, "3 báo cáo");
    expect(count).toContain("✅ Đã lưu câu 1.2: 3");
    expect((await answerOf("1.2"))?.value).toBe("3");
  });

  it("refuses a number that is not among the choices shown, and shows them again", async () => {
    await z.send(minh, "tudanhgia");
    const [refused] = await z.send(minh, "9");
    expect(refused).toContain("Không có lựa chọn số 9 (đang có 7 lựa chọn).");
    expect(refused).toContain("7. ");
    // Nothing was answered with it.
    expect(await h.db.answer.count({ where: { value: "9" } })).toBe(0);
  });

  it("keeps an evidence photo the officer sends, downloaded at once", async () => {
    await z.send(minh, "1");
    const bytes = jpeg();
    const [saved] = await z.sendPhoto(minh, bytes, "Ảnh hội nghị");
    expect(saved).toContain("📎 Đã nhận tệp");
    const row = await h.db.evidence.findFirstOrThrow({ where: { source: "zalo" } });
    expect(row).toMatchObject({ mimeType: "image/jpeg", size: bytes.length, note: "Ảnh hội nghị" });
    // The address Zalo gave is not needed any more: the province holds its copy.
    z.fake.expirePhotos();
    expect(await h.store.get(row.storageKey!)).not.toBeNull();
  });

  it("takes a document through the upload link «tài liệu» gives, and confirms on Zalo", async () => {
    await z.send(minh, "tudanhgia");
    await z.send(minh, "1");
    const [evidence] = await z.send(minh, "tài liệu");
    const url = /(https?:\/\/\S+\/u\/[A-Za-z0-9_-]{22})/.exec(evidence!)?.[1];
    expect(url, evidence).toBeDefined();
    const server = createHttpServer({
      ping: h.database.ping,
      logger: h.logger,
      web: appWebRoutes(h.app(z.channel)),
    });
    const base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
    try {
      const body = new FormData();
      body.append("files", new Blob([pdf()], { type: "application/pdf" }), "Báo cáo CCHC 2019.pdf");
      const before = z.inbox(minh).length;
      const posted = await fetch(`${base}${new URL(url!).pathname}`, { method: "POST", body });
      expect(posted.status).toBe(200);
      expect(await posted.text()).toContain("✅ Đã nhận 1 tệp.");
      // The confirmation reaches the officer where they are: on Zalo.
      expect(z.inbox(minh).slice(before)).toEqual([
        expect.stringMatching(/^📎 Đã nhận 1 tệp cho câu .+ qua trang tải lên\.$/),
      ]);
      const row = await h.db.evidence.findFirstOrThrow({ where: { fileName: "Báo cáo CCHC 2019.pdf" } });
      expect(row).toMatchObject({ source: "web", mimeType: "application/pdf" });
    } finally {
      await closeServer(server);
    }
  });

  it("answers stickers and voice with what it understands, and ignores group chats unless asked", async () => {
    expect(await z.deliver(z.fake.userSendsSticker(minh), minh.id)).toEqual([
      expect.stringContaining("Bot chỉ đọc được tin nhắn chữ và ảnh."),
    ]);
    expect(await z.deliver(z.fake.userSendsVoice(minh), minh.id)).toHaveLength(1);
    const group = { id: "g-1", chat_type: "GROUP" as const };
    expect(await z.deliver(z.fake.userSends(minh, "xin chào", { chat: group }), "g-1")).toEqual([]);
    expect(await z.deliver(z.fake.userSends(minh, "/help", { chat: group }), "g-1")).toHaveLength(1);
    expect(await z.deliver({ event_name: "message.reaction.received", message: {} }, minh.id)).toEqual([]);
  });

  it("handles an event delivered twice once", async () => {
    const event = z.fake.userSends(minh, "/tudanhgia");
    await z.deliver(event, minh.id);
    const before = await h.db.processedUpdate.count();
    const again = await z.deliver(event, minh.id);
    expect(again.join("\n")).toContain("đã được lưu");
    expect(await h.db.processedUpdate.count()).toBe(before);
  });

  it("answers a coordinator's command and plain question, in text only", async () => {
    const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "COORDINATOR", unitIds: [] });
    await z.send(thuy, `/start ${invite!.code}`);
    const [progress] = await z.send(thuy, "tiendo");
    expect(progress).toContain("Sông Mã");
    expect(progress).toContain("Đơn vị: 12 · Đã nộp đủ:");
    // The plain question is answered by the screen whose headline counts them, in plain text.
    const [plain] = await z.send(thuy, "có bao nhiêu đơn vị nộp đủ rồi?");
    expect(plain).toBe(progress);
    expect(plain).not.toMatch(/<\/?b>/);
  });

  it("delivers a notice once, on the channel the person used last, and takes «đã nhận» as the acknowledgement", async () => {
    const account = await h.db.personChannel.findUniqueOrThrow({
      where: { channel_externalId: { channel: "zalo", externalId: minh.id } },
    });
    // Minh is on Telegram too, from before: Zalo is the channel he used last.
    await h.db.personChannel.create({
      data: {
        personId: account.personId,
        channel: "telegram",
        externalId: "990001",
        chatId: "990001",
        lastSeenAt: new Date(Date.now() - 86_400_000),
      },
    });
    await remind(account.personId, "zalo-notice-1");
    h.recorder.clear();
    const before = z.inbox(minh).length;
    await testSender(h, h.bot.api, { zaloApi: z.channel.bot.api }).drain();
    const [notice] = z.inbox(minh).slice(before);
    expect(notice).toContain("Sở Nội vụ đề nghị đồng chí");
    expect(notice).toContain("Gõ «đã nhận»: ");
    // Not on Telegram as well.
    expect(h.recorder.of("sendMessage")).toEqual([]);
    const row = await h.db.notice.findFirstOrThrow({ where: { idempotencyKey: "zalo-notice-1" } });
    expect(row.status).toBe("SENT");
    await z.send(minh, "đã nhận");
    expect((await h.db.notice.findUniqueOrThrow({ where: { id: row.id } })).acknowledgedAt).not.toBeNull();
  });

  it("takes a notice to Telegram when the person blocked the bot on Zalo, and marks only the Zalo account", async () => {
    const account = await h.db.personChannel.findUniqueOrThrow({
      where: { channel_externalId: { channel: "zalo", externalId: minh.id } },
    });
    z.fake.blockedUsers.add(minh.id);
    await remind(account.personId, "zalo-notice-blocked");
    h.recorder.clear();
    const sender = testSender(h, h.bot.api, { zaloApi: z.channel.bot.api });
    await sender.drain();
    await sender.drain();
    const row = await h.db.notice.findFirstOrThrow({ where: { idempotencyKey: "zalo-notice-blocked" } });
    expect([row.status, row.lastError]).toEqual(["SENT", "zalo 403: Forbidden: the user blocked the bot"]);
    // Once, on Telegram (chat 990001), after Zalo refused it.
    expect(h.recorder.of("sendMessage").map((m) => m.chat_id)).toEqual([990001]);
    const accounts = await h.db.personChannel.findMany({
      where: { personId: account.personId },
      orderBy: { channel: "asc" },
    });
    expect(accounts.map((a) => [a.channel, a.unreachable])).toEqual([
      ["telegram", false],
      ["zalo", true],
    ]);
    // Nobody is told Minh is unreachable: he is not.
    expect(await h.db.notice.count({ where: { kind: "recipient.unreachable" } })).toBe(0);
    z.fake.blockedUsers.delete(minh.id);
  });

  it("never sends Zalo what it refuses (markup, buttons, over 2,000 characters), nor asks to press a button", () => {
    expect(z.fake.violations).toEqual([]);
    for (const m of [...z.fake.messagesTo(minh.id), ...z.fake.messagesTo(thuy.id)]) {
      expect((m.text ?? "").length).toBeLessThanOrEqual(2000);
      expect(m.text ?? "").not.toMatch(/<\/?(b|i|a|code)\b|&amp;|&lt;/);
      // Zalo has no buttons: every "bấm" text has a "gõ" variant for Zalo (locales, "_zalo").
      expect(m.text ?? "").not.toMatch(/\bbấm\b/i);
    }
  });
});

describe("one person on Telegram and Zalo", () => {
  let h: Harness;
  let z: ZaloSide;
  const tgLan = user(7301, "Đinh Thị Lan");
  const zaloLan = { id: "8003000000000000001", display_name: "Lan Đinh" };
  const stranger = { id: "8003000000000000002", display_name: "Người lạ" };

  beforeAll(async () => {
    h = await createHarness();
    await h.openSelfAssessment();
    z = await zaloSide(h);
    const [invite] = await createInvites(h.db, {
      campaignId: h.campaign.id,
      role: "OFFICER",
      unitIds: [(await h.unit("so-tu-phap")).id],
    });
    await h.send(tgLan, `/start ${invite!.code}`);
  });
  afterAll(async () => {
    await z?.close();
    await h?.close();
  });

  it("links the Zalo account with a code from /lienket on Telegram; the answers are one person's", async () => {
    const [asked] = await h.send(tgLan, "/lienket");
    expect(asked).toContain("Trên Zalo, trong cuộc trò chuyện với bot, đồng chí gõ: <code>LIENKET ");
    const code = /LIENKET ([A-Z0-9]{8})/.exec(asked!)![1]!;
    // The code is for the other channel only.
    expect((await h.send(tgLan, `/lienket ${code}`))[0]).toContain("không dùng trên kênh vừa tạo mã");
    // A wrong code, then the right one, on Zalo.
    expect((await z.send(zaloLan, "LIENKET ABCDEFGH"))[0]).toContain("Mã liên kết không đúng hoặc đã hết hạn.");
    const [linked] = await z.send(zaloLan, `lienket ${code.toLowerCase()}`);
    expect(linked).toContain("✅ Đã liên kết tài khoản Zalo này với đồng chí Đinh Thị Lan.");
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(tgLan.id), include: { channels: true } });
    expect(person.channels.map((c) => c.channel).sort()).toEqual(["telegram", "zalo"]);
    // On Zalo she is the same officer of Sở Tư pháp.
    const [areas] = await z.send(zaloLan, "tudanhgia");
    expect(areas).toContain("Tự đánh giá, chấm điểm CCHC — Sở Tư pháp");
    // A code works once.
    expect((await z.send(stranger, `LIENKET ${code}`))[0]).toContain("Mã liên kết không đúng hoặc đã hết hạn.");
    expect(await h.db.auditLog.count({ where: { action: "person.channel_linked" } })).toBe(1);
  });
});

describe("the Zalo webhook route", () => {
  let h: Harness;
  let z: ZaloSide;
  let server: Server;
  let base: string;
  const secret = "zalo-hook-secret-123";
  const lan = { id: "8002000000000000001", display_name: "Đinh Thị Lan" };

  beforeAll(async () => {
    h = await createHarness({ env: { ZALO_WEBHOOK_SECRET: secret } });
    z = await zaloSide(h);
    const route = z.channel.route("/zalo/webhook");
    server = createHttpServer({ ping: h.database.ping, logger: h.logger, web: route });
    base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await z?.close();
    await h?.close();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/zalo/webhook`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-bot-api-secret-token": secret, ...headers },
    });

  it("refuses a wrong secret, another method, another type and an oversized body, storing nothing", async () => {
    const event = JSON.stringify(z.fake.userSends(lan, "/help"));
    expect((await post(event, { "x-bot-api-secret-token": "wrong-secret-000" })).status).toBe(401);
    expect((await fetch(`${base}/zalo/webhook`)).status).toBe(405);
    expect((await post(event, { "content-type": "text/plain" })).status).toBe(415);
    expect((await post(`{"x":"${"a".repeat(100_000)}"}`)).status).toBe(413);
    expect((await post("{not json")).status).toBe(400);
    expect(await h.db.pendingUpdate.count()).toBe(0);
    expect(z.inbox(lan)).toEqual([]);
  });

  it("answers at once, then handles the event once, even when Zalo delivers it twice", async () => {
    const event = JSON.stringify(z.fake.userSends(lan, "/help"));
    expect((await post(event)).status).toBe(200);
    await z.channel.idle();
    expect((await post(event)).status).toBe(200);
    await z.channel.idle();
    const inbox = z.inbox(lan);
    expect(inbox[0]).toContain("Các lệnh đồng chí được dùng");
    expect(inbox.filter((t) => t.includes("Các lệnh đồng chí được dùng"))).toHaveLength(1);
    expect(await h.db.pendingUpdate.count()).toBe(0);
  });

  it("keeps an event until the commit that records its effect, then nothing is left pending", async () => {
    const [invite] = await createInvites(h.db, {
      campaignId: h.campaign.id,
      role: "OFFICER",
      unitIds: [(await h.unit("thuan-chau")).id],
    });
    const event = z.fake.userSends(lan, `MOI ${invite!.code}`);
    expect((await post(JSON.stringify(event))).status).toBe(200);
    await z.channel.idle();
    expect(z.inbox(lan).at(-1)).toContain("Thuận Châu");
    const key = `zalo:message.text.received:${event.message.message_id}`;
    expect(await h.db.processedUpdate.count({ where: { key } })).toBe(1);
    expect(await h.db.pendingUpdate.count()).toBe(0);
    expect(await h.db.invite.findUniqueOrThrow({ where: { code: invite!.code } })).toMatchObject({
      usedAt: expect.any(Date),
    });
  });
});
