/**
 * Clean Telegram calls: every press answered exactly once, forged ids refused before any
 * query, no edit into the same content, and the default language kept for people whose
 * Telegram app speaks another one. Through the real bot, on the test database.
 */
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDefaultMenus } from "../src/bot/commands.ts";
import { createInvites } from "../src/domain/invites.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { callbackUpdate, user } from "./support/updates.ts";

let h: Harness;
const coordinator = user(9201, "Nguyễn Thị Bích Thủy");
const officer = user(9202, "Lò Văn Minh");
const englishPhone = user(9203, "Lường Văn Phúc", { language_code: "en" });

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) } });
  await h.openSelfAssessment();
  const [invite] = await createInvites(h.db, {
    campaignId: h.campaign.id,
    role: "OFFICER",
    unitIds: [(await h.unit("song-ma")).id],
  });
  await h.send(officer, `/start ${invite!.code}`);
});
afterAll(() => h.close());

const answers = () => h.recorder.of("answerCallbackQuery");

describe("a pressed button", () => {
  it.each([
    ["a unit to remind, picked among several", () => coordinator, "/nhacnho sở", /Sở/],
    ["a unit picked among several", () => coordinator, "/donvi sở", /Sở/],
    ["a schedule button", () => coordinator, "/lichhuy", /#\d+|Đóng/],
    ["an area of the self-assessment", () => officer, "/tudanhgia", "1. Công tác"],
  ])("is answered exactly once: %s", async (_what, who, command, label) => {
    await h.send(who(), command);
    await h.tap(who(), label);
    expect(answers()).toHaveLength(1);
  });

  it("on a message Telegram reports as inaccessible: answered once, a new message instead of an edit", async () => {
    await h.send(officer, "/tudanhgia");
    const data = h.recorder.button("1. Công tác");
    const press = callbackUpdate(officer, data, 5);
    press.callback_query!.message = {
      chat: { id: officer.id, type: "private", first_name: officer.first_name },
      message_id: 5,
      date: 0,
    } as unknown as NonNullable<Update["callback_query"]>["message"];
    h.recorder.clear();
    await h.handle(press);
    expect(answers()).toHaveLength(1);
    expect(h.recorder.of("editMessageText")).toHaveLength(0);
    expect(h.recorder.lastText()).toContain("Câu 1.1.1");
  });

  it.each([
    "sa:a:9999999999",
    "sa:q:2147483648",
    "co:dv:9999999999",
    "sc:h:99999999999",
    "ac:m:2147483648",
    "nt:a:9999999999",
    "lang:fr",
  ])("with forged data %s is refused as invalid, answered once, and reaches no query", async (data) => {
    const person = data.startsWith("sa:") ? officer : coordinator;
    h.recorder.clear();
    await h.press(person, data);
    expect(answers()).toEqual([expect.objectContaining({ text: expect.stringMatching(/không hợp lệ|đã cũ/) })]);
    expect(h.recorder.texts().join("\n")).not.toContain("mã lỗi");
  });
});

describe("/ngonngu", () => {
  it("choosing the language in use changes nothing and says so", async () => {
    await h.send(officer, "/ngonngu");
    const data = h.recorder.button("Tiếng Việt");
    await h.press(officer, data, 60);
    expect(h.recorder.of("editMessageText")).toHaveLength(0);
    expect(answers()).toEqual([expect.objectContaining({ text: "Đồng chí đang dùng Tiếng Việt." })]);
  });
});

describe("a person whose Telegram app is set to English", () => {
  it("is answered in the default language, Vietnamese, until they choose another", async () => {
    const [reply] = await h.send(englishPhone, "/start");
    expect(reply).toContain("Xin chào");
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(englishPhone.id)) });
    expect(person.locale).toBe("vi");
  });

  it("sees the Vietnamese command menu before the bot knows them (no per-app-language menu)", async () => {
    h.recorder.clear();
    await setDefaultMenus(h.bot.api, h.i18n, "vi");
    const set = h.recorder.of("setMyCommands");
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({ scope: { type: "all_private_chats" } });
    expect(set[0]!.language_code).toBeUndefined();
    expect(set[0]!.commands).toContainEqual({ command: "help", description: expect.stringMatching(/lệnh/) });
    // Menus an earlier version set per app language are removed.
    expect(h.recorder.of("deleteMyCommands").map((c) => c.language_code)).toEqual(["vi", "en"]);
  });
});

describe("a reply Telegram refuses with a short flood wait", () => {
  it("is sent again after retry_after, once", async () => {
    const asker = user(8801, "Vì Văn Hùng");
    h.recorder.clear();
    h.recorder.failNext("sendMessage", 429, "Too Many Requests: retry after 1", { retry_after: 1 });
    await h.send(asker, "/help");
    const sends = h.recorder.of("sendMessage");
    expect(sends).toHaveLength(2);
    expect(String(sends[1]!.text)).toContain("Các lệnh đồng chí được dùng");
  });
});
