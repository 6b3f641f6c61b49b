import { Api } from "grammy";
import type { User } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeBotApi, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { createInvites } from "../src/domain/invites.ts";
import type { RecordedCall } from "./support/api-recorder.ts";
import { createHarness, type Harness, TEST_TOKEN } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { testSender } from "./support/sender.ts";
import { user } from "./support/updates.ts";

/**
 * Access taken away and moved, through the real bot: coordinators revoke people and
 * invites (/thuhoi, /mamoi), and a person opening a second invite is asked before their
 * unit or role changes. Notices go through the real sender to the loopback fake Bot API.
 */
let h: Harness;
let fake: FakeBotApi;
const thuy = user(8001, "Nguyễn Thị Bích Thủy"); // coordinator (COORDINATOR_IDS)
const minh = user(8002, "Lò Văn Minh", { username: "minhlv" }); // officer, Sông Mã
const hoa = user(8003, "Cầm Thị Hoa"); // officer, Sông Mã
const tuan = user(8004, "Hà Minh Tuấn"); // inspector
const guest = user(8005, "Khách");
const nam = user(8006, "Trần Văn Nam"); // coordinator by invite

async function invite(role: "OFFICER" | "INSPECTOR" | "COORDINATOR", unitCode?: string) {
  const unitIds = unitCode ? [(await h.unit(unitCode)).id] : undefined;
  const [created] = await createInvites(h.db, { campaignId: h.campaign.id, role, unitIds });
  return created!.code;
}

async function link(person: User, role: "OFFICER" | "INSPECTOR" | "COORDINATOR", unitCode?: string) {
  await h.send(person, `/start ${await invite(role, unitCode)}`);
}

const personOf = (u: User) => h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(u.id)) });
const membershipOf = async (u: User) =>
  h.db.membership.findFirst({ where: { personId: (await personOf(u)).id }, include: { unit: true } });

/** The buttons under the last message sent or edited in the recorded calls. */
function buttons(calls: RecordedCall[] = h.recorder.calls): { text: string; callback_data: string }[] {
  const withMarkup = calls.filter(
    (c) => (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.reply_markup,
  );
  const markup = withMarkup.at(-1)?.payload.reply_markup as
    | { inline_keyboard: { text: string; callback_data: string }[][] }
    | undefined;
  return markup?.inline_keyboard.flat() ?? [];
}

const button = (label: string) => {
  const found = buttons().find((b) => b.text === label || b.text.includes(label));
  if (!found) throw new Error(`no button "${label}" in ${JSON.stringify(buttons())}`);
  return found.callback_data;
};

/** Presses a button; returns the texts shown and checks the press was answered exactly once. */
async function press(from: User, data: string) {
  const calls = await h.press(from, data);
  expect(
    calls.filter((c) => c.method === "answerCallbackQuery"),
    data,
  ).toHaveLength(1);
  return { texts: h.recorder.texts(), answer: calls.find((c) => c.method === "answerCallbackQuery")!.payload };
}

/** Sends the notices waiting in the outbox to the fake Bot API. */
const deliver = () => testSender(h, new Api(TEST_TOKEN, { apiRoot: fake.url })).drain();
const inbox = (u: User) => (fake.chatState(u.id)?.botMessages ?? []).map((m) => m.message.text ?? "");

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(thuy.id) } });
  fake = await startFakeBotApi();
  await link(minh, "OFFICER", "song-ma");
  await link(hoa, "OFFICER", "song-ma");
  await link(tuan, "INSPECTOR");
  await h.send(thuy, "/start");
});
afterAll(async () => {
  await fake?.close();
  await h?.close();
});

describe("/thuhoi: a coordinator removes a person", () => {
  it("by unit: picks among its people, confirms, and the person loses access with their next update", async () => {
    // Minh works normally first (so nothing stale about him may linger anywhere).
    expect((await h.send(minh, "/tudanhgia"))[0]).toContain(
      "Tự đánh giá, chấm điểm CCHC — Ủy ban nhân dân huyện Sông Mã",
    );

    expect(await h.send(thuy, "/thuhoi song ma")).toEqual([
      "Có 2 người khớp với «song ma». Chọn người cần thu hồi quyền:",
    ]);
    expect(buttons().map((b) => b.text)).toEqual(["Cầm Thị Hoa · Sông Mã", "Lò Văn Minh · Sông Mã"]);

    const asked = await press(thuy, button("Lò Văn Minh"));
    expect(asked.texts).toEqual([
      "Thu hồi quyền của <b>Lò Văn Minh</b> (@minhlv)?\n• Hiện là: <b>cán bộ đầu mối</b> của <b>Ủy ban nhân dân huyện Sông Mã</b>\n\nSau khi thu hồi, người này không dùng được các lệnh của vai trò trên nữa và sẽ nhận được thông báo. Có thể cấp lại bằng mã mời mới.",
    ]);
    expect(buttons().map((b) => b.text)).toEqual(["🚫 Thu hồi quyền", "Giữ nguyên"]);
    expect(await membershipOf(minh)).not.toBeNull(); // asking changes nothing

    const confirm = button("Thu hồi quyền");
    const done = await press(thuy, confirm);
    expect(done.texts).toEqual([
      "✅ Đã thu hồi quyền <b>cán bộ đầu mối</b> của <b>Ủy ban nhân dân huyện Sông Mã</b> của <b>Lò Văn Minh</b> (@minhlv). Người này đã được thông báo và không còn dùng được các lệnh của vai trò đó.",
    ]);
    // His own command menu is a guest's again, in his language.
    const menu = h.recorder.of("setMyCommands").at(-1)!;
    expect(menu.scope).toEqual({ type: "chat", chat_id: minh.id });
    expect((menu.commands as { command: string }[]).map((c) => c.command)).toEqual(["start", "help", "ngonngu"]);

    // Stored and audited.
    expect(await membershipOf(minh)).toBeNull();
    const entry = await h.db.auditLog.findFirstOrThrow({ where: { action: "membership.revoke" } });
    expect(entry.actorId).toBe((await personOf(thuy)).id);
    expect(entry.before).toMatchObject({
      personId: (await personOf(minh)).id,
      role: "OFFICER",
      unitId: (await h.unit("song-ma")).id,
    });

    // His very next update has no role.
    expect((await h.send(minh, "/tudanhgia"))[0]).toContain("chưa thuộc đơn vị nào");
    expect((await h.send(minh, "/help"))[0]).toContain("vai trò: khách");

    // He is told, politely, in his language.
    await deliver();
    const [told] = inbox(minh);
    expect(told).toContain("Thông báo về quyền sử dụng");
    expect(told).toContain("Kính gửi đồng chí");
    expect(told).toContain("(vai trò: cán bộ đầu mối, đơn vị: Ủy ban nhân dân huyện Sông Mã)");

    // The same confirmation pressed again finds nothing to remove.
    expect((await press(thuy, confirm)).texts).toEqual([
      "Người này hiện không còn quyền nào trong đợt kiểm tra (có thể đã được thu hồi).",
    ]);
    expect(await h.db.auditLog.count({ where: { action: "membership.revoke" } })).toBe(1);
  });

  it("by name without diacritics: one match is asked directly; «Giữ nguyên» changes nothing", async () => {
    expect((await h.send(thuy, "/thuhoi ha minh tuan"))[0]).toContain(
      "Thu hồi quyền của <b>Hà Minh Tuấn</b>?\n• Hiện là: <b>thành viên đoàn kiểm tra</b>\n",
    );
    const kept = await press(thuy, button("Giữ nguyên"));
    expect(kept.answer.text).toBe("Đã giữ nguyên, không thay đổi gì.");
    expect(h.recorder.of("editMessageReplyMarkup")).toHaveLength(1);
    expect((await membershipOf(tuan))?.role).toBe("INSPECTOR");
  });

  it("a confirmation pressed after the person's access changed is refused with the latest", async () => {
    await h.send(thuy, "/thuhoi Cầm Thị Hoa");
    const confirm = button("Thu hồi quyền");
    // Meanwhile Hoa moved to Thuận Châu (a confirmed second invite).
    await h.db.membership.updateMany({
      where: { personId: (await personOf(hoa)).id },
      data: { unitId: (await h.unit("thuan-chau")).id },
    });
    const { texts } = await press(thuy, confirm);
    expect(texts[0]).toContain("⚠️ Quyền của người này vừa thay đổi");
    expect(texts[0]).toContain("<b>cán bộ đầu mối</b> của <b>Ủy ban nhân dân huyện Thuận Châu</b>");
    expect((await membershipOf(hoa))?.unit?.code).toBe("thuan-chau");
  });

  it("nobody named, oneself and people of COORDINATOR_IDS are answered, never removed", async () => {
    expect(await h.send(thuy, "/thuhoi Không Ai Cả")).toEqual([
      "Không tìm thấy ai trong đợt kiểm tra khớp với «Không Ai Cả». Đồng chí có thể gõ họ tên (có hoặc không dấu), @tên_tài_khoản hoặc tên đơn vị.",
    ]);
    expect((await h.send(thuy, "/thuhoi"))[0]).toContain("<b>Thu hồi quyền sử dụng bot</b>");
    // Thủy, a coordinator by configuration, also holds a role from before: neither she nor another can remove it.
    await h.db.membership.create({
      data: { campaignId: h.campaign.id, personId: (await personOf(thuy)).id, role: "COORDINATOR" },
    });
    expect(await h.send(thuy, "/thuhoi Bích Thủy")).toEqual([
      "⛔ Đồng chí không thể tự thu hồi quyền của chính mình. Đề nghị một công chức khác của Phòng CCHC, Sở Nội vụ thực hiện.",
    ]);
    await link(nam, "COORDINATOR");
    expect((await h.send(nam, "/thuhoi Bích Thủy"))[0]).toContain(
      "là công chức Phòng CCHC, Sở Nội vụ theo cấu hình của bot (COORDINATOR_IDS)",
    );
    expect(buttons()).toEqual([]);
    expect(await membershipOf(thuy)).not.toBeNull();
  });

  it("only coordinators: others are refused, forged and oversized buttons never reach the database", async () => {
    const hoaId = (await membershipOf(hoa))!.id;
    expect(await h.send(tuan, "/thuhoi hoa")).toEqual([
      "⛔ Lệnh này chỉ dành cho công chức Phòng CCHC, Sở Nội vụ (điều phối đợt kiểm tra).",
    ]);
    const refused = await press(tuan, `ac:r:${hoaId}:O${(await h.unit("thuan-chau")).id}`);
    expect(refused.answer).toMatchObject({
      show_alert: true,
      text: "⛔ Lệnh này chỉ dành cho công chức Phòng CCHC, Sở Nội vụ (điều phối đợt kiểm tra).",
    });
    expect(await membershipOf(hoa)).not.toBeNull();
    for (const forged of ["ac:m:9999999999", "ac:r:1:X1", "ac:r:2147483648:O1", "ac:i:0", "ac:l:1:1:1", "ac:"]) {
      const { answer, texts } = await press(thuy, forged);
      expect(answer.text, forged).toBe("Nút không hợp lệ.");
      expect(texts).toEqual([]);
    }
  });
});

describe("invites: listing and revoking codes not used yet", () => {
  it("/mamoi lists a unit's open codes; a revoked code is then answered like a wrong one", async () => {
    const first = await invite("OFFICER", "so-ngoai-vu");
    const second = await invite("OFFICER", "so-ngoai-vu");
    const [listing] = await h.send(thuy, "/mamoi ngoai vu");
    expect(listing).toContain("<b>Mã mời chưa dùng</b> — <b>Sở Ngoại vụ</b>: 2 mã");
    expect(listing).toContain(`1. <b>Sở Ngoại vụ</b> · cán bộ đầu mối · <code>${first}</code> · hết hạn `);
    expect(listing).toContain(`2. <b>Sở Ngoại vụ</b> · cán bộ đầu mối · <code>${second}</code>`);
    expect(buttons().map((b) => b.text)).toEqual(["🚫 1", "🚫 2"]);

    const asked = await press(thuy, button("🚫 1"));
    expect(asked.texts[0]).toContain(
      `Thu hồi mã mời <code>${first}</code>?\n• Dành cho: <b>cán bộ đầu mối</b> của <b>Sở Ngoại vụ</b>`,
    );
    const done = await press(thuy, button("🚫 Thu hồi mã"));
    expect(done.texts).toEqual([
      `✅ Đã thu hồi mã mời <code>${first}</code> (dành cho <b>cán bộ đầu mối</b> của <b>Sở Ngoại vụ</b>).`,
    ]);

    // Typed: the code, in lower case.
    await h.send(thuy, `/thuhoi ${second.toLowerCase()}`);
    await press(thuy, button("🚫 Thu hồi mã"));
    expect((await h.send(thuy, "/mamoi ngoai vu"))[0]).toContain("Không có mã mời nào chưa dùng.");

    const stored = await h.db.invite.findMany({ where: { code: { in: [first, second] } } });
    expect(stored.every((i) => i.revokedAt && !i.usedAt)).toBe(true);
    const audits = await h.db.auditLog.findMany({ where: { action: "invite.revoke" } });
    expect(audits.map((a) => a.entityId).sort()).toEqual(stored.map((i) => String(i.id)).sort());
    expect(new Set(audits.map((a) => a.actorId))).toEqual(new Set([(await personOf(thuy)).id]));

    // Typing a revoked code: the same answer as a code that never existed, and no role.
    const [revokedAnswer] = await h.send(guest, `/start ${first}`);
    const [unknownAnswer] = await h.send(guest, "/start KHONGCOMA99");
    expect(revokedAnswer!.replace(first, "…")).toBe(unknownAnswer!.replace("KHONGCOMA99", "…"));
    expect(await membershipOf(guest)).toBeNull();

    // Revoking it again says so.
    expect((await h.send(thuy, `/thuhoi ${first}`))[0]).toContain(`Mã mời <code>${first}</code> đã được thu hồi lúc`);
  });

  it("a used code names who used it, with a button to remove them", async () => {
    const code = await invite("OFFICER", "ban-dan-toc");
    const lam = user(8007, "Vì Văn Lâm");
    await h.send(lam, `/start ${code}`);
    expect((await h.send(thuy, `/thuhoi ${code}`))[0]).toContain(
      `Mã mời <code>${code}</code> đã được <b>Vì Văn Lâm</b> dùng lúc`,
    );
    const { texts } = await press(thuy, button("Thu hồi quyền của Vì Văn Lâm"));
    expect(texts[0]).toContain(
      "Thu hồi quyền của <b>Vì Văn Lâm</b>?\n• Hiện là: <b>cán bộ đầu mối</b> của <b>Ban Dân tộc",
    );
  });

  it("/mamoi without a unit pages through every open code, coordinators' and inspectors' too", async () => {
    for (let i = 0; i < 11; i++) await invite("OFFICER", "so-tai-nguyen-moi-truong");
    await invite("INSPECTOR");
    const [page1] = await h.send(thuy, "/mamoi");
    expect(page1).toContain("— toàn bộ đợt kiểm tra:");
    expect(page1).toContain("1. thành viên đoàn kiểm tra · <code>");
    expect(page1).toContain("Trang 1/");
    const { texts } = await press(thuy, button("Trang sau"));
    expect(texts[0]).toContain("Trang 2/");
    expect(texts[0]).toContain("11. <b>");
  });

  it("the coordinator's help and command menu list /thuhoi and /mamoi, in both languages", async () => {
    const [help] = await h.send(thuy, "/help");
    expect(help).toContain("/thuhoi — Thu hồi quyền của một người, hoặc một mã mời chưa dùng");
    expect(help).toContain("/mamoi — Mã mời chưa dùng, theo đơn vị: /mamoi [đơn vị]");
    await h.db.person.updateMany({ where: telegramUser(BigInt(thuy.id)), data: { locale: "en" } });
    h.restart();
    const [english] = await h.send(thuy, "/help");
    expect(english).toContain("/thuhoi — Revoke a person's access, or an unused invite code");
    await h.db.person.updateMany({ where: telegramUser(BigInt(thuy.id)), data: { locale: "vi" } });
    h.restart();
    // Officers are not offered them.
    expect((await h.send(hoa, "/help"))[0]).not.toContain("/thuhoi");
  });
});

describe("a second invite never moves anyone silently", () => {
  const lan = user(8010, "Đinh Thị Lan"); // officer, Sở Tư pháp
  let code: string;

  it("an officer opening another unit's code is asked, naming both units; keeping changes nothing", async () => {
    await link(lan, "OFFICER", "so-tu-phap");
    code = await invite("OFFICER", "so-ke-hoach-dau-tu");
    expect(await h.send(lan, `/start ${code}`)).toEqual([
      "⚠️ Đồng chí hiện là <b>cán bộ đầu mối</b> của <b>Sở Tư pháp</b> trong <b>Kế hoạch kiểm tra công tác cải cách hành chính tỉnh Sơn La năm 2019</b>.\nMã mời này dành cho <b>cán bộ đầu mối</b> của <b>Sở Kế hoạch và Đầu tư</b>.\n\nNếu dùng mã này, đồng chí sẽ chuyển sang vai trò, đơn vị mới và không còn là <b>cán bộ đầu mối</b> của <b>Sở Tư pháp</b> nữa; Phòng CCHC, Sở Nội vụ sẽ được thông báo. Đồng chí có muốn chuyển không?",
    ]);
    expect(buttons().map((b) => b.text)).toEqual(["✅ Xác nhận chuyển", "Giữ như hiện nay"]);
    // Nothing happened yet.
    expect((await membershipOf(lan))?.unit?.code).toBe("so-tu-phap");
    expect((await h.db.invite.findUniqueOrThrow({ where: { code } })).usedAt).toBeNull();
    expect(await h.db.notice.count({ where: { kind: "access.moved" } })).toBe(0);

    const kept = await press(lan, button("Giữ như hiện nay"));
    expect(kept.texts).toEqual(["Đồng chí vẫn là <b>cán bộ đầu mối</b> của <b>Sở Tư pháp</b>. Mã mời chưa được dùng."]);
    expect((await membershipOf(lan))?.unit?.code).toBe("so-tu-phap");
    expect((await h.db.invite.findUniqueOrThrow({ where: { code } })).usedAt).toBeNull();
  });

  it("confirming moves them (audited), coordinators are told in their language; the code again is theirs", async () => {
    await h.db.person.updateMany({ where: telegramUser(BigInt(nam.id)), data: { locale: "en" } });
    h.restart();
    await h.send(lan, `/start ${code}`);
    const confirm = button("Xác nhận chuyển");
    const moved = await press(lan, confirm);
    expect(moved.texts[0]).toContain("Đã liên kết thành công");
    expect(moved.texts[0]).toContain("<b>cán bộ đầu mối</b> của <b>Sở Kế hoạch và Đầu tư</b>");
    expect(moved.texts[0]).toContain(
      "Đồng chí không còn là <b>cán bộ đầu mối</b> của <b>Sở Tư pháp</b>; Phòng CCHC, Sở Nội vụ đã được thông báo.",
    );
    expect((await membershipOf(lan))?.unit?.code).toBe("so-ke-hoach-dau-tu");
    const stored = await h.db.invite.findUniqueOrThrow({ where: { code } });
    expect(stored.usedById).toBe((await personOf(lan)).id);
    const entry = await h.db.auditLog.findFirstOrThrow({
      where: { action: "invite.redeem", actorId: (await personOf(lan)).id },
      orderBy: { id: "desc" },
    });
    expect(entry.before).toEqual({ role: "OFFICER", unitId: (await h.unit("so-tu-phap")).id });
    expect(entry.after).toMatchObject({
      role: "OFFICER",
      unitId: (await h.unit("so-ke-hoach-dau-tu")).id,
      invite: code,
    });

    await deliver();
    const toThuy = inbox(thuy).find((t) => t.includes("Đinh Thị Lan"));
    expect(toThuy).toBe(
      "🔄 Thay đổi đơn vị, vai trò\n\nĐinh Thị Lan đã dùng mã mời mới và xác nhận chuyển:\n• Trước đây: cán bộ đầu mối của Sở Tư pháp\n• Từ nay: cán bộ đầu mối của Sở Kế hoạch và Đầu tư\n\nNếu việc chuyển này không đúng, đồng chí có thể thu hồi quyền bằng lệnh /thuhoi và cấp mã mời mới.",
    );
    const toNam = inbox(nam).find((t) => t.includes("Đinh Thị Lan"));
    expect(toNam).toContain("Unit or role changed");
    expect(toNam).toContain(
      "• Before: unit focal officer of Sở Tư pháp\n• Now: unit focal officer of Sở Kế hoạch và Đầu tư",
    );
    expect(inbox(lan).some((t) => t.includes("Đinh Thị Lan"))).toBe(false);

    // The same code again, typed or pressed: already theirs; never counted as a guess.
    expect(await h.send(lan, `/start ${code}`)).toEqual([
      "Đồng chí đã dùng mã mời này rồi, tài khoản của đồng chí đã được liên kết. Gõ /help để xem các lệnh.",
    ]);
    expect((await press(lan, confirm)).texts[0]).toContain("Đồng chí đã dùng mã mời này rồi");
    expect(await h.db.inviteAttempt.count({ where: { personId: (await personOf(lan)).id } })).toBe(0);
    expect(await h.db.notice.count({ where: { kind: "access.moved" } })).toBe(2); // Thủy and Nam, once each
  });

  it("a move button pressed after the access changed asks again with the latest", async () => {
    const next = await invite("OFFICER", "so-cong-thuong");
    await h.send(lan, `/start ${next}`);
    const confirm = button("Xác nhận chuyển");
    await h.db.membership.updateMany({
      where: { personId: (await personOf(lan)).id },
      data: { unitId: (await h.unit("so-noi-vu")).id },
    });
    const asked = await press(lan, confirm);
    expect(asked.texts[0]).toContain("Đồng chí hiện là <b>cán bộ đầu mối</b> của <b>Sở Nội vụ</b>");
    expect((await membershipOf(lan))?.unit?.code).toBe("so-noi-vu");
    expect((await h.db.invite.findUniqueOrThrow({ where: { code: next } })).usedAt).toBeNull();
  });

  it("a coordinator by invite is asked before a code demotes them; one of COORDINATOR_IDS stays coordinator", async () => {
    const binh = user(8011, "Vũ Thanh Bình");
    await link(binh, "COORDINATOR");
    const officerCode = await invite("OFFICER", "quynh-nhai");
    const [asked] = await h.send(binh, `/start ${officerCode}`);
    expect(asked).toContain("Đồng chí hiện là <b>công chức Phòng CCHC, Sở Nội vụ</b> trong");
    expect(asked).toContain("Mã mời này dành cho <b>cán bộ đầu mối</b> của <b>Ủy ban nhân dân huyện Quỳnh Nhai</b>");
    expect((await membershipOf(binh))?.role).toBe("COORDINATOR");

    const [configured] = await h.send(thuy, `/start ${officerCode}`);
    expect(configured).toBe(
      "Đồng chí là công chức Phòng CCHC, Sở Nội vụ theo cấu hình của bot, nên không cần dùng mã mời. Mã này chưa được dùng và vẫn còn hiệu lực cho người được mời.",
    );
    expect((await h.db.invite.findUniqueOrThrow({ where: { code: officerCode } })).usedAt).toBeNull();
    expect((await membershipOf(thuy))?.role).toBe("COORDINATOR");
    expect((await h.send(thuy, "/help"))[0]).toContain("vai trò: công chức Phòng CCHC, Sở Nội vụ");
  });
});
