import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveAppraiser } from "../src/domain/appraisers.ts";
import { createInvites } from "../src/domain/invites.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { stickerUpdate, textUpdate, user } from "./support/updates.ts";

let h: Harness;
const coordinator = user(3001, "Nguyễn Thị Bích Thủy");
const officer = user(3002, "Lò Văn Minh");
const inspector = user(3003, "Trần Văn Kiểm");
const guest = user(3004, "Khách Lạ");
const appraiser = user(3005, "Lò Văn Thẩm");

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) } });
  const unit = await h.unit("so-tu-phap");
  const [officerInvite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
  const [inspectorInvite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "INSPECTOR" });
  await h.send(officer, `/start ${officerInvite!.code}`);
  await h.send(inspector, `/start ${inspectorInvite!.code}`);
  const roster = await saveAppraiser(h.db, h.campaign.id, { key: "hd-1", name: "Lò Văn Thẩm" }, "test");
  const [appraiserInvite] = await createInvites(h.db, {
    campaignId: h.campaign.id,
    role: "APPRAISER",
    appraiserIds: [roster.id],
  });
  await h.send(appraiser, `/start ${appraiserInvite!.code}`);
});
afterAll(() => h.close());

/** Commands listed by /help, in order. */
const listed = (text: string) => [...text.matchAll(/^\/(\w+) — /gm)].map((m) => m[1]);

describe("/help", () => {
  it.each([
    ["a guest", guest, "khách", ["start", "help", "ngonngu"]],
    [
      "an officer",
      officer,
      "cán bộ đầu mối",
      ["start", "help", "ngonngu", "lienket", "tudanhgia", "giaitrinh", "lich", "baocao", "khacphuc"],
    ],
    [
      "an inspector",
      inspector,
      "thành viên đoàn kiểm tra",
      ["start", "help", "ngonngu", "lienket", "lich", "tontai", "kiemtra", "bienban"],
    ],
    ["an appraiser", appraiser, "thành viên Hội đồng thẩm định", ["start", "help", "ngonngu", "lienket", "thamdinh"]],
    [
      "a coordinator from COORDINATOR_IDS",
      coordinator,
      "công chức Phòng CCHC, Sở Nội vụ",
      [
        "start",
        "help",
        "ngonngu",
        "lienket",
        ...[
          "tiendo",
          "chuanop",
          "donvi",
          "diem",
          "nhacnho",
          "molai",
          "xuat",
          "thuongphat",
          "bieuduong",
          "phebinh",
          "suadiem",
        ],
        ...[
          "lich",
          "lichmoi",
          "lichsua",
          "lichhuy",
          "xacnhan",
          "doilich",
          "tontai",
          "kiemtra",
          "bienban",
          "ketluan",
          "kiennghi",
        ],
        ...["thuhoi", "mamoi"],
        ...["giaidoan", "thamdinh"],
      ],
    ],
  ])("lists exactly the commands of %s", async (_who, person, roleName, commands) => {
    const [reply] = await h.send(person, "/help");
    expect(reply).toContain(`(vai trò: ${roleName})`);
    expect(listed(reply!)).toEqual(commands);
  });

  it("tells a guest how to get an invite", async () => {
    const [reply] = await h.send(guest, "/help");
    expect(reply).toContain("đề nghị đồng chí dùng đường link mời");
  });

  it("sends every message as HTML", async () => {
    await h.send(guest, "/help");
    expect(h.recorder.of("sendMessage")[0]).toMatchObject({ parse_mode: "HTML", chat_id: guest.id });
  });
});

describe("/ngonngu", () => {
  it("offers the languages as buttons and stores the choice", async () => {
    const lan = user(3010, "Lan");
    await h.send(lan, "/ngonngu");
    const [sent] = h.recorder.of("sendMessage");
    expect(sent!.text).toBe("Chọn ngôn ngữ hiển thị:");
    expect(sent!.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: "🇻🇳 Tiếng Việt", callback_data: "lang:vi" },
          { text: "🇬🇧 English", callback_data: "lang:en" },
        ],
      ],
    });

    await h.press(lan, "lang:en", 55);
    expect(h.recorder.of("editMessageText")[0]).toMatchObject({ message_id: 55, text: "✅ Switched to English." });
    expect(h.recorder.of("answerCallbackQuery")).toHaveLength(1);
    const menu = h.recorder.of("setMyCommands")[0]!;
    expect(menu.scope).toEqual({ type: "chat", chat_id: lan.id });
    expect(menu.commands).toContainEqual({ command: "help", description: "Commands you may use" });
    expect((await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(lan.id)) })).locale).toBe("en");

    const [help] = await h.send(lan, "/help");
    expect(help).toContain("<b>Commands you may use</b> (role: guest)");
    await h.press(lan, "lang:vi", 56);
    expect(h.recorder.of("editMessageText")[0]!.text).toBe("✅ Đã chuyển sang Tiếng Việt.");
  });

  it("refuses a forged language button without changing anything", async () => {
    const forger = user(3011, "Forger");
    await h.send(forger, "/start");
    await h.press(forger, "lang:fr");
    expect(h.recorder.of("answerCallbackQuery")[0]).toMatchObject({ text: "Nút không hợp lệ." });
    expect(h.recorder.of("editMessageText")).toHaveLength(0);
    expect((await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(forger.id)) })).locale).toBe("vi");
  });
});

describe("anything else", () => {
  it("answers unknown text, unknown commands, stickers and unknown buttons with guidance", async () => {
    expect(await h.send(officer, "xin chào")).toEqual([
      "Tôi chưa hiểu tin nhắn này. Gõ /help để xem các lệnh đồng chí được dùng.",
    ]);
    expect(await h.send(officer, "/khonglenh")).toEqual([
      "Không có lệnh /khonglenh. Gõ /help để xem các lệnh đồng chí được dùng.",
    ]);
    expect(await h.send(officer, "x".repeat(5000))).toHaveLength(1);
    h.recorder.clear();
    await h.handle(stickerUpdate(officer));
    expect(h.recorder.lastText()).toContain("Tôi chỉ đọc được tin nhắn chữ");
    await h.press(officer, "zz:garbage");
    expect(h.recorder.of("answerCallbackQuery")[0]).toMatchObject({
      text: "Nút này đã cũ, vui lòng dùng tin nhắn mới nhất.",
    });
  });

  it("asks to be messaged privately in a group", async () => {
    h.recorder.clear();
    await h.handle(textUpdate(officer, "/help", "group"));
    expect(h.recorder.texts()).toEqual(["Đề nghị đồng chí nhắn riêng cho tôi để làm việc."]);
  });
});

describe("the error boundary", () => {
  it("answers politely in the person's language with a reference, and logs the update id", async () => {
    // A real failure: the table the bot reads is gone.
    await h.db.$executeRawUnsafe('ALTER TABLE "Membership" RENAME TO "MembershipGone"');
    h.restart(); // nothing cached: the bot must read the table
    try {
      h.logs.length = 0;
      const update = textUpdate(officer, "/help");
      h.recorder.clear();
      await h.handle(update);
      const reply = h.recorder.lastText();
      expect(reply).toMatch(/^⚠️ Xin lỗi, đã có lỗi khi xử lý yêu cầu của đồng chí\. .*\(mã lỗi: [0-9A-F]{6}\)\.$/s);
      const ref = /mã lỗi: ([0-9A-F]{6})/.exec(reply)![1];
      expect(h.logs).toContainEqual(
        expect.objectContaining({ level: 50, msg: "update failed", update_id: update.update_id, ref }),
      );
    } finally {
      await h.db.$executeRawUnsafe('ALTER TABLE "MembershipGone" RENAME TO "Membership"');
    }
    const [after] = await h.send(officer, "/help");
    expect(after).toContain("(vai trò: cán bộ đầu mối)");
  });
});
