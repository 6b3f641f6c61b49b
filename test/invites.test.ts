import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createInvites } from "../src/domain/invites.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser, telegramUsers } from "./support/people.ts";
import { textUpdate, user } from "./support/updates.ts";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const officerOf = async (unitCode: string, days = 30) => {
  const unit = await h.unit(unitCode);
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id], days });
  return invite!;
};

describe("/start with an invite", () => {
  it("links the person to the unit and role, and stores it", async () => {
    const invite = await officerOf("song-ma");
    const minh = user(2001, "Lò Văn", { last_name: "Minh" });
    const [reply] = await h.send(minh, `/start ${invite.code}`);

    expect(reply).toContain("Đã liên kết thành công");
    expect(reply).toContain("cán bộ đầu mối");
    expect(reply).toContain("Ủy ban nhân dân huyện Sông Mã");
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(2001n), include: { memberships: true } });
    expect(person.displayName).toBe("Lò Văn Minh");
    expect(person.memberships).toMatchObject([{ role: "OFFICER", unitId: (await h.unit("song-ma")).id }]);
    const stored = await h.db.invite.findUniqueOrThrow({ where: { code: invite.code } });
    expect(stored.usedById).toBe(person.id);
    expect(stored.usedAt).not.toBeNull();
    const audit = await h.db.auditLog.findFirstOrThrow({ where: { action: "invite.redeem", actorId: person.id } });
    expect(audit.after).toMatchObject({ role: "OFFICER", invite: invite.code });
    // The person's own command menu now has the officer's commands, in Vietnamese.
    const menu = h.recorder.of("setMyCommands").at(-1)!;
    expect(menu.scope).toEqual({ type: "chat", chat_id: 2001 });
    expect(menu.commands).toContainEqual({ command: "help", description: "Các lệnh đồng chí được dùng" });
  });

  it("accepts a code typed in lower case", async () => {
    const invite = await officerOf("thuan-chau");
    const [reply] = await h.send(user(2002, "Cầm Thị Hoa"), `/start ${invite.code.toLowerCase()}`);
    expect(reply).toContain("Ủy ban nhân dân huyện Thuận Châu");
  });

  it("refuses a code someone else used, and links nobody", async () => {
    const invite = await officerOf("quynh-nhai");
    await h.send(user(2003, "Quàng Văn Tú"), `/start ${invite.code}`);
    const [reply] = await h.send(user(2004, "Người Khác"), `/start ${invite.code}`);
    expect(reply).toContain("không dùng được");
    const other = await h.db.person.findFirstOrThrow({ where: telegramUser(2004n), include: { memberships: true } });
    expect(other.memberships).toEqual([]);
  });

  it("tells the person who used the code already that they are linked", async () => {
    const invite = await officerOf("tp-son-la");
    const tu = user(2005, "Hà Văn Tú");
    await h.send(tu, `/start ${invite.code}`);
    const [reply] = await h.send(tu, `/start ${invite.code}`);
    expect(reply).toContain("Đồng chí đã dùng mã mời này rồi");
  });

  it("refuses an expired code", async () => {
    const invite = await officerOf("so-tu-phap");
    await h.db.invite.update({ where: { code: invite.code }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const [reply] = await h.send(user(2006, "Đinh Thị Lan"), `/start ${invite.code}`);
    expect(reply).toContain("không dùng được");
    expect(await h.db.membership.count({ where: { person: telegramUser(2006n) } })).toBe(0);
  });

  it("refuses an unknown code and shows it escaped", async () => {
    const [reply] = await h.send(user(2007, "Lường Văn Ba"), "/start KHONGCO123");
    expect(reply).toContain("Mã mời <code>KHONGCO123</code> không dùng được");
    const [odd] = await h.send(user(2007, "Lường Văn Ba"), "/start <b>x</b>");
    expect(odd).toContain("&lt;b&gt;x&lt;/b&gt;");
  });

  it("two people racing for one code: exactly one wins", async () => {
    const invite = await officerOf("so-noi-vu");
    const a = user(2008, "A");
    const b = user(2009, "B");
    await Promise.all([
      h.handle(textUpdate(a, `/start ${invite.code}`)),
      h.handle(textUpdate(b, `/start ${invite.code}`)),
    ]);
    const winners = await h.db.membership.count({ where: { person: telegramUsers([2008n, 2009n]) } });
    expect(winners).toBe(1);
  });

  it("/start alone greets a guest and explains how to get an invite", async () => {
    const [reply] = await h.send(user(2010, "Khách"), "/start");
    expect(reply).toContain("Xin chào <b>Khách</b>");
    expect(reply).toContain("Kế hoạch kiểm tra công tác cải cách hành chính tỉnh Sơn La năm 2019");
    expect(reply).toContain("đường link mời");
  });

  it("/start alone reminds a linked officer of their unit", async () => {
    const [reply] = await h.send(user(2001, "Lò Văn", { last_name: "Minh" }), "/start");
    expect(reply).toContain("cán bộ đầu mối</b> của <b>Ủy ban nhân dân huyện Sông Mã");
  });
});

describe("guessing invite codes", () => {
  afterEach(() => {
    h.clock.fixed = null;
  });

  /** A reply with the code the person typed taken out: what is left is the same for every code. */
  const answerTo = async (from: ReturnType<typeof user>, code: string) => {
    const replies = await h.send(from, `/start ${code}`);
    expect(replies).toHaveLength(1);
    return replies[0]!.replace(code, "…");
  };

  it("an unknown code, one someone else used and an expired one get the same answer", async () => {
    const used = await officerOf("so-cong-thuong");
    await h.send(user(2101, "Người Dùng Trước"), `/start ${used.code}`);
    const expired = await officerOf("so-ngoai-vu");
    await h.db.invite.update({ where: { code: expired.code }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const answers = [
      await answerTo(user(2102, "Người Thử Một"), "ABCDEFGHJK"),
      await answerTo(user(2103, "Người Thử Hai"), used.code),
      await answerTo(user(2104, "Người Thử Ba"), expired.code),
    ];
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain("không dùng được: mã không đúng, đã được sử dụng hoặc đã hết hạn");
    // Nobody got a role from any of them.
    expect(await h.db.membership.count({ where: { person: telegramUsers([2102n, 2103n, 2104n]) } })).toBe(0);
  });

  it("five wrong codes in ten minutes, then the person waits, even with a right code, across restarts", async () => {
    const t0 = new Date("2030-03-15T01:00:00Z"); // 08:00 in Hà Nội
    const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
    const unit = await h.unit("van-phong-ubnd-tinh");
    const [invite] = await createInvites(h.db, {
      campaignId: h.campaign.id,
      role: "OFFICER",
      unitIds: [unit.id],
      now: t0,
    });
    const guesser = user(2110, "Người Đoán Mã");
    for (let i = 0; i < 5; i++) {
      h.clock.fixed = at(i);
      expect(await answerTo(guesser, `SAIMA${i}XYZ`)).toContain("❌ Mã mời");
    }

    h.clock.fixed = at(5);
    const [refused] = await h.send(guesser, `/start ${invite!.code}`);
    expect(refused).toBe(
      "⏳ Đồng chí đã nhập sai mã mời nhiều lần liên tiếp. Để bảo vệ hệ thống, đề nghị đồng chí thử lại từ 08:10 ngày 15/03/2030. Nếu chưa có mã mời đúng, đề nghị liên hệ Phòng CCHC, Sở Nội vụ.",
    );
    expect((await h.db.invite.findUniqueOrThrow({ where: { code: invite!.code } })).usedAt).toBeNull();

    // The count is in the database: a restarted bot (or another instance) still refuses.
    h.restart();
    h.clock.fixed = at(9);
    expect((await h.send(guesser, `/start ${invite!.code}`))[0]).toContain("thử lại từ 08:10 ngày 15/03/2030");

    // Once the first wrong code is ten minutes old, the right code links the person.
    h.clock.fixed = at(10);
    const [linked] = await h.send(guesser, `/start ${invite!.code}`);
    expect(linked).toContain("Đã liên kết thành công");
    expect(linked).toContain("Văn phòng");
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(2110n) });
    // The four wrong codes still in the window stay counted; the right one does not count.
    expect(await h.db.inviteAttempt.count({ where: { personId: person.id } })).toBe(4);
  });
});
