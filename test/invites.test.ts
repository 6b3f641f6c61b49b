import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvites } from "../src/domain/invites.ts";
import { createHarness, type Harness } from "./support/harness.ts";
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
    const person = await h.db.person.findUniqueOrThrow({
      where: { telegramId: 2001n },
      include: { memberships: true },
    });
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
    expect(menu.commands).toContainEqual({ command: "help", description: "Các lệnh bạn được dùng" });
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
    expect(reply).toContain("đã được người khác sử dụng");
    const other = await h.db.person.findUniqueOrThrow({ where: { telegramId: 2004n }, include: { memberships: true } });
    expect(other.memberships).toEqual([]);
  });

  it("tells the person who used the code already that they are linked", async () => {
    const invite = await officerOf("tp-son-la");
    const tu = user(2005, "Hà Văn Tú");
    await h.send(tu, `/start ${invite.code}`);
    const [reply] = await h.send(tu, `/start ${invite.code}`);
    expect(reply).toContain("Bạn đã dùng mã mời này rồi");
  });

  it("refuses an expired code", async () => {
    const invite = await officerOf("so-tu-phap");
    await h.db.invite.update({ where: { code: invite.code }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const [reply] = await h.send(user(2006, "Đinh Thị Lan"), `/start ${invite.code}`);
    expect(reply).toContain("đã hết hạn");
    expect(await h.db.membership.count({ where: { person: { telegramId: 2006n } } })).toBe(0);
  });

  it("refuses an unknown code and shows it escaped", async () => {
    const [reply] = await h.send(user(2007, "Lường Văn Ba"), "/start KHONGCO123");
    expect(reply).toContain("Mã mời <code>KHONGCO123</code> không đúng");
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
    const winners = await h.db.membership.count({ where: { person: { telegramId: { in: [2008n, 2009n] } } } });
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
