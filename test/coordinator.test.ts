import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import type { InputFile } from "grammy";
import type { User } from "grammy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { findQuestion, saveAnswer } from "../src/domain/assessment.ts";
import { createInvites } from "../src/domain/invites.ts";
import { renderNotice } from "../src/domain/notices.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { callbackUpdate, textUpdate, user } from "./support/updates.ts";

let h: Harness;
const coordinator = user(7001, "Nguyễn Điều Phối", { username: "dieuphoi" });
const minh = user(7002, "Lò Văn Minh", { username: "minhlv" }); // Sông Mã
const hoa = user(7003, "Cầm Thị Hoa"); // Sông Mã
const lan = user(7004, "Đinh Thị Lan"); // Sở Tư pháp
const guest = user(7005, "Khách");
const DAY = 86_400_000;
const NOW = new Date("2019-03-01T03:00:00Z"); // 10:00 in Hà Nội
const DEADLINE = new Date("2019-03-15T16:59:00Z"); // 15/03/2019 23:59

async function link(person: User, unitCode: string) {
  const unit = await h.unit(unitCode);
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
  await h.send(person, `/start ${invite!.code}`);
}

async function personOf(u: User) {
  return h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(u.id)) });
}

async function questionsOf(areaCode: string) {
  return h.db.question.findMany({
    where: { criterion: { area: { code: areaCode } } },
    orderBy: { order: "asc" },
  });
}

/** Answers the first `count` questions of an area for a unit, each with `score(max)`. */
async function answer(unitCode: string, areaCode: string, count: number, by: User, score = (max: number) => max) {
  const unit = await h.unit(unitCode);
  const person = await personOf(by);
  const questions = (await questionsOf(areaCode)).slice(0, count);
  for (const q of questions) {
    await h.db.answer.create({
      data: {
        campaignId: h.campaign.id,
        unitId: unit.id,
        questionId: q.id,
        value: "yes",
        selfScore: score(q.maxPoints),
        answeredById: person.id,
        updatedAt: new Date(NOW.getTime() - DAY),
      },
    });
  }
  return questions;
}

async function submit(unitCode: string, areaCode: string, by: User) {
  const unit = await h.unit(unitCode);
  const area = await h.db.reformArea.findFirstOrThrow({ where: { code: areaCode } });
  const answers = await h.db.answer.findMany({
    where: { unitId: unit.id, question: { criterion: { areaId: area.id } } },
  });
  await h.db.areaSubmission.create({
    data: {
      campaignId: h.campaign.id,
      unitId: unit.id,
      areaId: area.id,
      submittedById: (await personOf(by)).id,
      selfScore: answers.reduce((s, a) => s + (a.selfScore ?? 0), 0),
      submittedAt: new Date(NOW.getTime() - DAY / 2),
    },
  });
}

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) } });
  await h.db.campaign.update({
    where: { id: h.campaign.id },
    data: { selfAssessmentOpensAt: new Date("2019-02-01T00:00:00Z"), selfAssessmentDeadline: DEADLINE },
  });
  h.campaign = await h.db.campaign.findUniqueOrThrow({ where: { id: h.campaign.id } });
  await link(minh, "song-ma");
  await link(hoa, "song-ma");
  await link(lan, "so-tu-phap");
  const qn = user(7010, "Lường Văn Quỳnh");
  await link(qn, "quynh-nhai");

  // Quỳnh Nhai: everything answered with full marks and submitted.
  for (const area of ["1", "2", "3", "4", "5", "6", "7"]) {
    await answer("quynh-nhai", area, 100, qn);
    await submit("quynh-nhai", area, qn);
  }
  // Sông Mã: area 1 submitted at half marks, area 2 half answered, the rest not started.
  await answer("song-ma", "1", 100, minh, (max) => max / 2);
  await submit("song-ma", "1", minh);
  await answer("song-ma", "2", 4, hoa);
  // Sở Tư pháp: area 1 fully answered, not submitted; one evidence file, the rest missing.
  const [first] = await answer("so-tu-phap", "1", 100, lan, (max) => max * 0.9);
  const stp = await h.unit("so-tu-phap");
  const copy = await h.store.put(Readable.from([Buffer.from("%PDF-1.4 kế hoạch")]), { maxBytes: 1000 });
  await h.db.evidence.create({
    data: {
      campaignId: h.campaign.id,
      unitId: stp.id,
      questionId: first!.id,
      fileId: "f1",
      fileUniqueId: "u1",
      fileName: "ke-hoach.pdf",
      storageKey: copy.key,
      size: copy.size,
      uploadedById: (await personOf(lan)).id,
    },
  });
});
afterAll(() => h.close());
beforeEach(() => {
  h.clock.fixed = NOW;
});

const texts = () => h.recorder.texts().join("\n---\n");

function lastKeyboard(): { text: string; callback_data: string }[][] {
  const withMarkup = h.recorder.calls.filter(
    (c) => (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.reply_markup,
  );
  const markup = withMarkup.at(-1)?.payload.reply_markup as {
    inline_keyboard: { text: string; callback_data: string }[][];
  };
  return markup?.inline_keyboard ?? [];
}

describe("only coordinators", () => {
  const commands = ["/tiendo", "/chuanop", "/donvi song ma", "/diem", "/nhacnho tatca", "/molai song ma 1", "/xuat"];

  it.each(commands)("%s is refused to an officer and to a guest, and changes nothing", async (command) => {
    for (const person of [minh, guest]) {
      expect(await h.send(person, command)).toEqual([
        "⛔ Lệnh này chỉ dành cho công chức Phòng CCHC, Sở Nội vụ (điều phối đợt kiểm tra).",
      ]);
      expect(h.recorder.of("sendPhoto")).toHaveLength(0);
      expect(h.recorder.of("sendDocument")).toHaveLength(0);
    }
    expect(await h.db.notice.count()).toBe(0);
    expect(await h.db.areaSubmission.count()).toBe(8);
  });

  it("refuses their buttons too", async () => {
    const calls = await h.press(minh, "co:tp:1");
    expect(calls).toEqual([
      expect.objectContaining({
        method: "answerCallbackQuery",
        payload: expect.objectContaining({ show_alert: true }),
      }),
    ]);
    expect(h.recorder.texts()).toEqual([]);
  });

  it("lets their plain questions go on to the rest of the bot", async () => {
    expect(await h.send(guest, "Đơn vị nào chưa nộp?")).toEqual([
      "Tôi chưa hiểu tin nhắn này. Gõ /help để xem các lệnh đồng chí được dùng.",
    ]);
  });

  it("shows coordinators their commands in /help", async () => {
    const [help] = await h.send(coordinator, "/help");
    for (const c of [
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
    ])
      expect(help).toContain(`/${c} — `);
    const [officerHelp] = await h.send(minh, "/help");
    expect(officerHelp).not.toContain("/tiendo");
  });
});

describe("/tiendo", () => {
  it("shows the campaign at a glance with a chart", async () => {
    const [text] = await h.send(coordinator, "/tiendo");
    expect(text).toContain("<b>📊 Tiến độ tự đánh giá — Kế hoạch kiểm tra công tác cải cách hành chính");
    expect(text).toContain("⏰ Hạn chót tự đánh giá: 15/03/2019 23:59 (còn 14 ngày)");
    expect(text).toContain("Đơn vị: 12 · Đã nộp đủ: 1 · Chưa bắt đầu: 9");
    // Districts and the city are not asked 3.2.1 (departments only): 69 questions each, no
    // longer 70; Quỳnh Nhai's answer to it counts nowhere.
    // 69 (Quỳnh Nhai) + 11 + 4 (Sông Mã) + 11 (Sở Tư pháp) of 4 × 69 + 8 × 70
    expect(text).toContain("Câu đã trả lời: 95/836 (<b>11,4%</b>)");
    expect(text).toContain("Lượt lĩnh vực đã nộp: 8/84");
    expect(text).toContain("1. Công tác chỉ đạo, điều hành cải cách hành chính: ✅ 2 · ✏️ 1 · ⬜ 9");
    expect(text).toContain(
      "2. Cải cách thể chế (xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật): ✅ 1 · ✏️ 1 · ⬜ 10",
    );
    expect(text).toContain("1. Quỳnh Nhai — ✅✅✅✅✅✅✅ 100% (69/69)");
    expect(text).toContain("2. Sông Mã — ✅✏️⬜⬜⬜⬜⬜ 21,7% (15/69)");
    expect(text).toContain("Sở Tư pháp — ☑️⬜⬜⬜⬜⬜⬜ 15,7% (11/70)");
    expect(text).toContain("Thành phố Sơn La — ⬜⬜⬜⬜⬜⬜⬜ 0% (0/69)");
    const [photo] = h.recorder.of("sendPhoto");
    const png = Buffer.from((await (photo!.photo as InputFile).toRaw()) as Uint8Array);
    expect(png.subarray(1, 4).toString()).toBe("PNG");
  });

  it("says how many days are left when asked in plain words", async () => {
    expect(await h.send(coordinator, "còn mấy ngày nữa hết hạn?")).toEqual([
      "⏰ Hạn chót tự đánh giá: 15/03/2019 23:59 (còn 14 ngày)",
    ]);
    h.clock.fixed = new Date(DEADLINE.getTime() + 2 * DAY);
    expect(await h.send(coordinator, "con may ngay nua het han")).toEqual([
      "⛔ Đã hết hạn tự đánh giá: 15/03/2019 23:59 (quá hạn 2 ngày)",
    ]);
  });
});

describe("/chuanop", () => {
  it("lists units that have not submitted, with their officers and last activity", async () => {
    const text = (await h.send(coordinator, "/chuanop")).join("\n");
    expect(text).toContain("<b>⏳ Đơn vị chưa nộp đủ</b>: 11/12 đơn vị");
    expect(text).toContain("Chưa nộp theo lĩnh vực: LV1: 10 · LV2: 11 · LV3: 11");
    expect(text).not.toContain("Quỳnh Nhai");
    expect(text).toContain("<b>1. Ủy ban nhân dân huyện Sông Mã</b>");
    expect(text).toContain("   Chưa nộp: LV2 (4/8 câu), LV3 (0/");
    expect(text).toContain("   👤 Lò Văn Minh (@minhlv), Cầm Thị Hoa");
    expect(text).toContain("   🕒 Hoạt động gần nhất: 28/02/2019 22:00");
    expect(text).toContain("   ⚠️ Chưa có cán bộ đầu mối dùng bot");
    expect(text).toContain("   🕒 Chưa có hoạt động nào");
  });

  it("narrows to one area", async () => {
    const text = (await h.send(coordinator, "/chuanop 1")).join("\n");
    expect(text).toContain(
      "<b>⏳ Đơn vị chưa nộp lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính</b>: 10/12",
    );
    expect(text).not.toContain("Sông Mã");
    expect(text).toContain("Sở Tư pháp</b>\n   Chưa nộp: LV1 (11/11 câu)\n   👤 Đinh Thị Lan");
    expect(await h.send(coordinator, "/chuanop 9")).toEqual([
      expect.stringContaining("Không có lĩnh vực “9”. Các lĩnh vực: 1. Công tác chỉ đạo"),
    ]);
  });

  it("answers 'lĩnh vực 3 ai chưa làm?' the same way", async () => {
    const text = (await h.send(coordinator, "lĩnh vực 3 ai chưa làm?")).join("\n");
    expect(text).toContain("<b>⏳ Đơn vị chưa nộp lĩnh vực 3. ");
    expect(text).toContain(": 11/12 đơn vị");
  });
});

describe("/donvi and unit names", () => {
  it.each([
    ["song ma", "Ủy ban nhân dân huyện Sông Mã"],
    ["Sông Mã", "Ủy ban nhân dân huyện Sông Mã"],
    ["SÔNG MÃ", "Ủy ban nhân dân huyện Sông Mã"],
    ["huyen song ma", "Ủy ban nhân dân huyện Sông Mã"],
    ["tp sơn la", "Ủy ban nhân dân thành phố Sơn La"],
    ["tp. son la", "Ủy ban nhân dân thành phố Sơn La"],
    ["tư pháp", "Sở Tư pháp"],
    ["tu phap", "Sở Tư pháp"],
    ["kh&đt", "Sở Kế hoạch và Đầu tư"],
    ["KH&ĐT", "Sở Kế hoạch và Đầu tư"],
    ["khdt", "Sở Kế hoạch và Đầu tư"],
    ["tài nguyên", "Sở Tài nguyên và Môi trường"],
    ["vp ubnd", "Văn phòng Ủy ban nhân dân tỉnh"],
    ["so-noi-vu", "Sở Nội vụ"],
  ])("/donvi %s finds %s", async (query, name) => {
    const [text] = await h.send(coordinator, `/donvi ${query}`);
    expect(text).toContain(`<b>🏢 ${name}</b>`);
  });

  it("shows one unit in detail", async () => {
    const [text] = await h.send(coordinator, "/donvi tư pháp");
    expect(text).toContain("Tiến độ: 11/70 câu (15,7%) · Đã nộp 0/7 lĩnh vực");
    expect(text).toContain("Điểm tự chấm: <b>12,6/100</b> (12,6%) — nhóm D");
    // 1.1.1 has a file; the other answered questions needing evidence have neither file nor explanation.
    const needing = await h.db.question.count({
      where: { criterion: { area: { code: "1" } }, evidenceRequired: true },
    });
    expect(text).toContain(`📎 Tài liệu kiểm chứng: 1 tệp · Thiếu giải trình: ${needing - 1} câu`);
    expect(text).toContain("👤 Cán bộ đầu mối: Đinh Thị Lan");
    // Each area's score is also a percentage of the unit's maximum there.
    expect(text).toContain(
      "☑️ <b>1. Công tác chỉ đạo, điều hành cải cách hành chính</b>\n   11/11 câu · 12,6/14 điểm (90%) · 📎 1",
    );
    expect(text).toContain("⬜ <b>2. ");

    const [songMa] = await h.send(coordinator, "/donvi Sông Mã");
    expect(songMa).toContain("✅ <b>1. Công tác chỉ đạo, điều hành cải cách hành chính</b>\n   11/11 câu · 7/14 điểm");
    expect(songMa).toContain(" · nộp lúc 28/02/2019 22:00");
    expect(songMa).toContain("✏️ <b>2. ");
    expect(songMa).toContain("👤 Cán bộ đầu mối: Lò Văn Minh (@minhlv), Cầm Thị Hoa");
  });

  it("asks which one when several match, typed diacritics preferring their own letters", async () => {
    const [text] = await h.send(coordinator, "/donvi sở");
    expect(text).toBe("Có 6 đơn vị khớp với “sở”. Chọn một đơn vị:");
    const names = lastKeyboard()
      .flat()
      .map((b) => b.text);
    expect(names).toEqual([
      "Sở Công Thương",
      "Sở Tư pháp",
      "Sở Tài nguyên và Môi trường",
      "Sở Ngoại vụ",
      "Sở Kế hoạch và Đầu tư",
      "Sở Nội vụ",
    ]);
    expect(names).not.toContain("Sông Mã");
    const data = lastKeyboard().flat()[1]!.callback_data;
    expect(data).toMatch(/^co:dv:\d+$/);
    await h.press(coordinator, data, 55);
    expect(texts()).toContain("<b>🏢 Sở Tư pháp</b>");

    await h.send(coordinator, "/donvi huyện");
    expect(
      lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["Quỳnh Nhai", "Sông Mã", "Thuận Châu"]);
  });

  it("suggests the closest names when nothing matches", async () => {
    // Wrong diacritics still find the unit; a name not in the campaign gets the closest ones.
    expect((await h.send(coordinator, "/donvi Sông Mà"))[0]).toContain("<b>🏢 Ủy ban nhân dân huyện Sông Mã</b>");
    expect(await h.send(coordinator, "/donvi Mộc Châu")).toEqual([
      "Không tìm thấy đơn vị nào khớp với “Mộc Châu”.\nCó phải đồng chí muốn tìm: <b>Thuận Châu</b>?",
    ]);
    await h.send(coordinator, "/donvi thuan chua");
    expect(h.recorder.lastText()).toBe(
      "Không tìm thấy đơn vị nào khớp với “thuan chua”.\nCó phải đồng chí muốn tìm: <b>Thuận Châu</b>?",
    );
    expect(
      lastKeyboard()
        .flat()
        .map((b) => b.text),
    ).toEqual(["Thuận Châu"]);
    expect(await h.send(coordinator, "/donvi zzzz")).toEqual(["Không tìm thấy đơn vị nào khớp với “zzzz”."]);
    expect(await h.send(coordinator, "/donvi")).toEqual([expect.stringContaining("Gõ tên đơn vị sau lệnh")]);
  });

  it("refuses forged or stale buttons", async () => {
    for (const forged of ["co:dv:abc", "co:dv:9999999999", "co:ml:1:2147483648:1"]) {
      await h.press(coordinator, forged);
      expect(h.recorder.of("answerCallbackQuery"), forged).toEqual([
        { callback_query_id: expect.any(String), text: "Nút không hợp lệ." },
      ]);
      expect(h.recorder.texts(), forged).toEqual([]);
    }
    await h.press(coordinator, "co:dv:99999999");
    expect(h.recorder.of("answerCallbackQuery")[0]).toMatchObject({ show_alert: true });
    expect(h.recorder.texts()).toEqual([]);
  });
});

describe("/diem", () => {
  it("ranks districts and departments apart, only units that submitted everything, with a chart", async () => {
    const [text] = await h.send(coordinator, "/diem");
    expect(text).toContain("<b>🏆 Xếp hạng theo điểm tự chấm</b>");
    expect(text).toContain("ℹ️ Chưa có điểm thẩm định: xếp hạng theo điểm tự chấm của đơn vị.");
    // Only Quỳnh Nhai has submitted every area: the only unit in a group.
    expect(text).toContain("Nhóm A (≥ 90%): 1 · B (80% – dưới 90%): 0 · C (65% – dưới 80%): 0 · D (dưới 65%): 0");
    const lines = text!.split("\n");
    const districts = lines.indexOf("<b>Huyện, thành phố</b>");
    const departments = lines.indexOf("<b>Sở, ban, ngành</b>");
    expect(districts).toBeGreaterThan(0);
    expect(departments).toBeGreaterThan(districts);
    // A district's maximum is 99 (3.2.1 is for departments).
    expect(lines[districts + 1]).toBe("1. Quỳnh Nhai — 99/99 (100%) · A");
    expect(lines[districts + 2]).toBe("• Sông Mã — 12,5/99 (12,6%) · chưa xếp loại (chưa nộp đủ)");
    expect(lines.slice(districts + 1, departments).filter(Boolean)).toHaveLength(4);
    expect(lines[departments + 1]).toBe("• Sở Tư pháp — 12,6/100 (12,6%) · chưa xếp loại (chưa nộp đủ)");
    expect(lines.slice(departments + 1).filter((l) => /^\d+\. /.test(l))).toEqual([]);
    expect(lines.slice(departments + 1).filter((l) => l.startsWith("• "))).toHaveLength(8);
    expect(h.recorder.of("sendPhoto")).toHaveLength(1);
  });

  it("ranks one area: the units that submitted it", async () => {
    const [text] = await h.send(coordinator, "/diem 1");
    expect(text).toContain(
      "<b>🏆 Xếp hạng lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính</b> (tối đa 14 điểm)",
    );
    expect(text).toContain("1. Quỳnh Nhai — 14/14 (100%) · A");
    expect(text).toContain("2. Sông Mã — 7/14 (50%) · D");
    // All answered but not submitted: not ranked.
    expect(text).toContain("• Sở Tư pháp — 12,6/14 (90%) · chưa xếp loại (chưa nộp đủ)");
  });

  it("answers 'xếp hạng' and 'điểm huyện Sông Mã'", async () => {
    expect((await h.send(coordinator, "xếp hạng"))[0]).toContain("<b>🏆 Xếp hạng theo điểm tự chấm</b>");
    const [unit] = await h.send(coordinator, "điểm huyện Sông Mã");
    expect(unit).toContain("<b>🏢 Ủy ban nhân dân huyện Sông Mã</b>");
    expect(unit).toContain("Điểm tự chấm: <b>12,5/99</b>");
  });
});

describe("/nhacnho", () => {
  it("reminds the officers of a late unit through the notice outbox, once per minute", async () => {
    expect(await h.send(coordinator, "/nhacnho song ma")).toEqual([
      "🔔 Đã nhắc 1 đơn vị (2 cán bộ đầu mối). Tin nhắc sẽ được gửi ngay.",
    ]);
    const notices = await h.db.notice.findMany({ orderBy: { id: "asc" }, include: { recipient: true } });
    expect(notices.map((n) => n.recipient.displayName)).toEqual(["Lò Văn Minh", "Cầm Thị Hoa"]);
    const unit = await h.unit("song-ma");
    for (const n of notices) {
      expect(n).toMatchObject({ kind: "assessment.reminder", status: "PENDING", campaignId: h.campaign.id });
      expect(n.dueAt).toEqual(NOW);
      expect(n.idempotencyKey).toBe(`remind:${h.campaign.id}:${unit.id}:${n.recipientId}:2019-03-01-03-00`);
    }
    const payload = notices[0]!.payload as { missing: { area: string; answered: number; total: number }[] };
    expect(notices[0]!.payload).toMatchObject({
      unitName: "Ủy ban nhân dân huyện Sông Mã",
      deadline: DEADLINE.toISOString(),
      sentBy: "Nguyễn Điều Phối",
    });
    expect(payload.missing).toHaveLength(6);
    expect(payload.missing[0]).toEqual({
      area: "2. Cải cách thể chế (xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật)",
      answered: 4,
      total: 8,
    });

    // A double tap within the minute writes nothing more.
    expect(await h.send(coordinator, "/nhacnho Sông Mã")).toEqual([
      "🔁 1 đơn vị đã được nhắc trong phút vừa rồi, không gửi lại.",
    ]);
    expect(await h.db.notice.count()).toBe(2);
  });

  it("does not remind a unit that has submitted everything", async () => {
    expect(await h.send(coordinator, "/nhacnho quynh nhai")).toEqual([
      "✅ Ủy ban nhân dân huyện Quỳnh Nhai đã nộp đủ các lĩnh vực, không cần nhắc.",
    ]);
  });

  it("reminds every late unit with 'tatca' and names those without an officer", async () => {
    h.clock.fixed = new Date(NOW.getTime() + 5 * 60_000);
    const [text] = await h.send(coordinator, "/nhacnho tatca");
    expect(text).toContain("🔔 Đã nhắc 2 đơn vị (3 cán bộ đầu mối).");
    expect(text).toContain("⚠️ Chưa có cán bộ đầu mối dùng bot, không nhắc được: Thuận Châu, Thành phố Sơn La,");
    expect(await h.db.notice.count()).toBe(5);
    expect(await h.db.auditLog.count({ where: { action: "assessment.remind" } })).toBe(2);
  });

  it("explains itself without a name, and only suggests from plain words", async () => {
    expect(await h.send(coordinator, "/nhacnho")).toEqual([expect.stringContaining("Có 11 đơn vị chưa nộp đủ.")]);
    const before = await h.db.notice.count();
    expect(await h.send(coordinator, "nhắc nhở Sở Tư pháp")).toEqual([
      "Tôi hiểu là đồng chí muốn nhắc Sở Tư pháp. Gõ <code>/nhacnho Sở Tư pháp</code> để gửi tin nhắc.",
    ]);
    expect(await h.db.notice.count()).toBe(before);
  });
});

describe("/molai", () => {
  it("asks for the reason first: nothing is reopened without one", async () => {
    const unit = await h.unit("song-ma");
    expect(await h.send(coordinator, "/molai song ma 1")).toEqual([expect.stringContaining("ghi lý do mở lại")]);
    expect(await h.db.areaSubmission.count({ where: { unitId: unit.id } })).toBeGreaterThan(0);
  });

  it("reopens a submitted area with the reason, audited, and tells the unit's officers why", async () => {
    const unit = await h.unit("song-ma");
    await h.db.notice.deleteMany({ where: { kind: "area.reopened" } });
    const [text] = await h.send(coordinator, "/molai song ma 1 Bổ sung tài liệu kiểm chứng cho câu 1.2");
    expect(text).toBe(
      "🔓 Đã mở lại lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính của Ủy ban nhân dân huyện Sông Mã " +
        "(đã nộp lúc 28/02/2019 22:00, 7 điểm). Cán bộ đầu mối có thể sửa và nộp lại.\n" +
        "Lý do: Bổ sung tài liệu kiểm chứng cho câu 1.2\n" +
        "📨 Đã báo cho 2 cán bộ đầu mối của đơn vị.",
    );
    expect(await h.db.areaSubmission.count({ where: { unitId: unit.id } })).toBe(0);
    const entry = await h.db.auditLog.findFirstOrThrow({ where: { action: "area.reopen" }, orderBy: { id: "desc" } });
    expect(entry.actorId).toBe((await personOf(coordinator)).id);
    expect(entry.before).toMatchObject({ area: "1", unit: "song-ma", selfScore: 7 });
    expect(entry.after).toEqual({ reason: "Bổ sung tài liệu kiểm chứng cho câu 1.2" });
    const notice = await h.db.notice.findFirstOrThrow({ where: { kind: "area.reopened" } });
    expect(await h.db.notice.count({ where: { kind: "area.reopened", recipientId: (await personOf(minh)).id } })).toBe(
      1,
    );
    const shown = renderNotice(notice.kind, notice.payload, {
      t: h.i18n.forLocale("vi"),
      locale: "vi",
      timeZone: h.config.TZ,
      now: h.clock.now(),
    });
    expect(shown).toContain("Lý do: Bổ sung tài liệu kiểm chứng cho câu 1.2");
    expect(shown).toContain("Lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính");

    expect(await h.send(coordinator, "/molai song ma 1 Bổ sung tài liệu")).toEqual([
      "Lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính của Ủy ban nhân dân huyện Sông Mã chưa nộp nên không cần mở lại.",
    ]);
    expect(await h.send(coordinator, "/molai song ma")).toEqual([expect.stringContaining("Gõ đơn vị, mã lĩnh vực")]);
    // Put it back for the other tests.
    await submit("song-ma", "1", minh);
  });

  it("asks which unit with buttons that carry the area and the reason", async () => {
    await h.send(coordinator, "/molai huyện 1 Số liệu câu 1.6 chưa khớp báo cáo năm");
    const data = lastKeyboard().flat()[0]!.callback_data;
    expect(data).toMatch(/^co:ml:\d+:\d+:\d+$/);
    await h.press(coordinator, data, 9);
    expect(texts()).toContain(
      "🔓 Đã mở lại lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính của Ủy ban nhân dân huyện Quỳnh Nhai",
    );
    expect(texts()).toContain("Lý do: Số liệu câu 1.6 chưa khớp báo cáo năm");
    await submit("quynh-nhai", "1", coordinator);
  });
});

describe("/xuat", () => {
  async function sentFile() {
    const [doc] = h.recorder.of("sendDocument");
    const file = doc!.document as InputFile;
    return { file, bytes: Buffer.from((await file.toRaw()) as Uint8Array), caption: doc!.caption };
  }

  it("sends an Excel workbook: a summary sheet and every answer, formatted for printing", async () => {
    await h.send(coordinator, "/xuat");
    const { file, bytes, caption } = await sentFile();
    expect(file.filename).toBe("ket-qua-tu-danh-gia-2019.xlsx");
    // Quỳnh Nhai's answer to 3.2.1, a question it is not asked, is left out.
    expect(caption).toMatch(
      /^📥 Kết quả tự đánh giá — 12 đơn vị, 95 câu trả lời\.\n🔗 <a href="http:\/\/localhost:8080\/x\/[A-Za-z0-9_-]{22}">Tải lại tệp này<\/a> \(dùng đến \d\d\/\d\d\/\d{4} \d\d:\d\d\)$/,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      "Tổng hợp",
      "Xếp hạng huyện, thành phố",
      "Xếp hạng sở, ban, ngành",
      "Chi tiết trả lời",
      "Tài liệu kiểm chứng",
      // The campaign's visits (the file plans three): what each became, its findings, actions, checklist.
      "Kiểm tra trực tiếp",
      "Tồn tại, hạn chế",
      "Kiến nghị khắc phục",
      "Chỉ thị, Kế hoạch PAPI",
    ]);
    // Every evidence file on a row of its own, its name a signed link that opens it.
    const files = wb.getWorksheet("Tài liệu kiểm chứng")!;
    expect(files.rowCount).toBe(3);
    const fileRow = files.getRow(3);
    expect(fileRow.getCell(1).value).toBe("Sở Tư pháp");
    expect(fileRow.getCell(2).value).toBe("1.1.1");
    expect(fileRow.getCell(3).value).toMatchObject({
      text: "ke-hoach.pdf",
      hyperlink: expect.stringMatching(/^http:\/\/localhost:8080\/f\/[A-Za-z0-9_-]{22}$/),
    });
    const fileLink = await h.db.accessLink.findFirstOrThrow({ where: { purpose: "file" }, orderBy: { id: "desc" } });
    expect(fileLink.personId).toBe((await personOf(coordinator)).id);

    const summary = wb.getWorksheet("Tổng hợp")!;
    expect(summary.rowCount).toBe(14);
    const header = (summary.getRow(2).values as unknown[]).slice(1);
    // Maxima differ from unit to unit (a district's is 99, N/A answers lower it): every score
    // has the unit's own maximum or its percentage beside it.
    expect(header).toEqual([
      "STT",
      "Đơn vị",
      ...["1", "2", "3", "4", "5", "6", "7"].flatMap((code) => [`LV ${code}: điểm`, `LV ${code}: tỷ lệ (%)`]),
      "Tổng điểm tự chấm",
      "Điểm tối đa của đơn vị",
      "Tỷ lệ điểm (%)",
      "Nhóm",
      "Số câu đã trả lời",
      "Tổng số câu",
      "Tiến độ (%)",
      "Số lĩnh vực đã nộp (trong số 7)",
      "Số tài liệu kiểm chứng",
      "Số câu thiếu giải trình",
      "Hoạt động gần nhất",
      "Cán bộ đầu mối",
    ]);
    expect(summary.getCell("A2").font?.bold).toBe(true);
    expect(summary.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    expect(summary.getColumn(2).width).toBe(36);
    expect(summary.pageSetup).toMatchObject({ orientation: "landscape", fitToWidth: 1 });

    const row = (n: number) => (summary.getRow(n + 1).values as unknown[]).slice(1);
    const qn = row(2);
    expect(qn.slice(0, 2)).toEqual([1, "Ủy ban nhân dân huyện Quỳnh Nhai"]);
    expect(qn.slice(2, 16)).toEqual([14, 1, 12, 1, 17, 1, 12, 1, 16, 1, 10, 1, 18, 1]);
    expect(qn.slice(16, 20)).toEqual([99, 99, 1, "A"]);
    expect(qn.slice(20, 24)).toEqual([69, 69, 1, 7]);
    expect(qn[27]).toBe("Lường Văn Quỳnh");
    const songMa = row(3);
    expect(songMa.slice(0, 5)).toEqual([2, "Ủy ban nhân dân huyện Sông Mã", 7, 0.5, 5.5]);
    expect(songMa[5]).toBeCloseTo(5.5 / 12, 6);
    expect(songMa.slice(16, 18)).toEqual([12.5, 99]);
    expect(songMa[18]).toBeCloseTo(12.5 / 99, 6);
    // Not every area submitted: no group, as in /diem.
    expect(songMa[19]).toBe("chưa xếp loại");
    expect(songMa.slice(20, 24)).toEqual([15, 69, 15 / 69, 1]);
    expect(songMa[26]).toEqual(new Date(Date.UTC(2019, 1, 28, 22, 0)));
    expect(summary.getCell("AA4").numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(summary.getCell("D4").numFmt).toBe("0.0%");
    expect(songMa[27]).toBe("Lò Văn Minh, Cầm Thị Hoa");
    const stp = row(7);
    expect(stp[1]).toBe("Sở Tư pháp");
    expect(stp.slice(16, 18)).toEqual([12.6, 100]);
    expect(stp[18]).toBeCloseTo(0.126, 6);
    expect(stp[24]).toBe(1);

    const answers = wb.getWorksheet("Chi tiết trả lời")!;
    expect(answers.rowCount).toBe(2 + 95);
    expect((answers.getRow(2).values as unknown[]).slice(1)).toEqual([
      "Đơn vị",
      "Lĩnh vực",
      "Mã câu",
      "Câu hỏi",
      "Trả lời",
      "Điểm tự chấm",
      "Điểm thẩm định vòng 1",
      "Giải trình của đơn vị (sau vòng 1)",
      "Điểm thẩm định vòng 2",
      "Điểm cuối cùng",
      "Điểm tối đa",
      "Số tài liệu kiểm chứng",
      "Tài liệu kiểm chứng",
      "Giải trình",
      "Người trả lời",
      "Cập nhật lúc",
    ]);
    expect(answers.views[0]).toMatchObject({ state: "frozen", ySplit: 2 });
    const stpFirst = answers
      .getRows(3, 95)!
      .map((r) => (r.values as unknown[]).slice(1))
      .find((v) => v[0] === "Sở Tư pháp" && v[2] === "1.1.1")!;
    expect(stpFirst).toEqual([
      "Sở Tư pháp",
      "1. Công tác chỉ đạo, điều hành cải cách hành chính",
      "1.1.1",
      "Đơn vị ban hành Kế hoạch CCHC năm 2019 vào ngày nào?",
      "yes",
      0.9,
      undefined,
      undefined,
      undefined,
      0.9,
      1,
      1,
      "ke-hoach.pdf",
      undefined,
      "Đinh Thị Lan",
      new Date(Date.UTC(2019, 1, 28, 10, 0)),
    ]);
  });

  it("sends a CSV of the summary with a byte-order mark", async () => {
    await h.send(coordinator, "/xuat csv");
    const { file, bytes, caption } = await sentFile();
    expect(file.filename).toBe("ket-qua-tu-danh-gia-2019.csv");
    expect(caption).toContain("12 đơn vị (CSV, UTF-8)");
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString("utf8").slice(1).split("\r\n");
    expect(lines[0]).toMatch(/^STT,Đơn vị,LV 1: điểm,LV 1: tỷ lệ \(%\),LV 2: điểm,/);
    // Every question needing evidence but 3.2.1, which a district is not asked.
    const needing = await h.db.question.count({ where: { evidenceRequired: true, NOT: { code: "3.2.1" } } });
    expect(lines[1]).toBe(
      `1,Ủy ban nhân dân huyện Quỳnh Nhai,14,100,12,100,17,100,12,100,16,100,10,100,18,100,99,99,100,A,69,69,100,7,0,${needing},28/02/2019 22:00,Lường Văn Quỳnh`,
    );
    expect(lines[2]).toContain('"Lò Văn Minh, Cầm Thị Hoa"');
    expect(lines).toHaveLength(14); // header, 12 units, final empty line
  });

  it("answers 'xuất excel' with the workbook", async () => {
    await h.send(coordinator, "xuất excel");
    expect(h.recorder.of("sendDocument")).toHaveLength(1);
  });
});

describe("plain questions through the bot", () => {
  it.each([
    ["Đơn vị nào chưa nộp?", "<b>⏳ Đơn vị chưa nộp đủ</b>"],
    ["don vi nao chua nop", "<b>⏳ Đơn vị chưa nộp đủ</b>"],
    ["tiến độ Sở Tư pháp", "<b>🏢 Sở Tư pháp</b>"],
    ["tien do so tu phap", "<b>🏢 Sở Tư pháp</b>"],
    ["tiến độ", "<b>📊 Tiến độ tự đánh giá"],
    ["Tình hình tự đánh giá hiện nay ra sao?", "<b>📊 Tiến độ tự đánh giá"],
    ["Sông Mã đã nộp chưa?", "<b>🏢 Ủy ban nhân dân huyện Sông Mã</b>"],
    ["điểm lĩnh vực 2", "<b>🏆 Xếp hạng lĩnh vực 2."],
    ["thông tin kh&đt", "<b>🏢 Sở Kế hoạch và Đầu tư</b>"],
    ["điểm sở", "Có 6 đơn vị khớp với “sở”"],
  ])("%s", async (question, expected) => {
    const replies = await h.send(coordinator, question);
    expect(replies[0]).toContain(expected);
  });

  it("leaves other text to the fallback", async () => {
    expect(await h.send(coordinator, "xin chào")).toEqual([
      "Tôi chưa hiểu tin nhắn này. Gõ /help để xem các lệnh đồng chí được dùng.",
    ]);
  });
});

describe("plain questions: the schedule, acknowledgements, counts, lists and units", () => {
  const inspector = user(7020, "Hà Minh Tuấn");
  const quynh = user(7021, "Lò Thị Quỳnh"); // officer, Quỳnh Nhai
  const THURSDAY = new Date("2019-03-14T03:00:00Z"); // 14/03/2019 10:00: next week is 18–24/03
  const FALLBACK = "Tôi chưa hiểu tin nhắn này. Gõ /help để xem các lệnh đồng chí được dùng.";

  beforeAll(async () => {
    const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "INSPECTOR" });
    await h.send(inspector, `/start ${invite!.code}`);
    await link(quynh, "quynh-nhai");
  });

  /** Signed links are new each time a screen is drawn: compared without their tokens. */
  const withoutTokens = (texts: string[]) => texts.map((t) => t.replace(/\/([efux])\/[A-Za-z0-9_-]{22}/g, "/$1/…"));

  /** The same screen as the command: every message sent, and the photos. */
  async function sameAs(question: string, command: string, who: User = coordinator) {
    const expected = withoutTokens(await h.send(who, command));
    const photos = h.recorder.of("sendPhoto").length;
    expect(withoutTokens(await h.send(who, question)), question).toEqual(expected);
    expect(h.recorder.of("sendPhoto"), question).toHaveLength(photos);
    return expected;
  }

  it("'xem lịch kiểm tra' is /lich", async () => {
    const [text] = await sameAs("xem lịch kiểm tra", "/lich");
    expect(text).toContain("<b>📅 Lịch kiểm tra công tác CCHC — Kế hoạch kiểm tra công tác cải cách hành chính");
    for (const unit of ["Quỳnh Nhai", "Thuận Châu", "Sở Công Thương"]) expect(text).toContain(unit);
    expect(text).toContain("Lập lịch: /lichmoi");
  });

  it("'lịch kiểm tra tuần sau' shows the visits of next week, Monday to Sunday", async () => {
    h.clock.fixed = THURSDAY;
    for (const question of ["lịch kiểm tra tuần sau", "lich kiem tra tuan toi", "tuần sau kiểm tra đơn vị nào?"]) {
      const [text] = await sameAs(question, "/lich tuần sau");
      expect(text).toContain("🗓 Tuần sau: 18/03/2019 – 24/03/2019");
      expect(text).toContain("<b>#1 · Ủy ban nhân dân huyện Quỳnh Nhai</b>\n🕗 19/03/2019 08:00 (Thứ Ba)");
      expect(text).toContain("Ủy ban nhân dân huyện Thuận Châu");
      expect(text).not.toContain("Sở Công Thương"); // 26/03
    }
    const [month] = await sameAs("lịch tháng này", "/lich thang nay");
    expect(month).toContain("🗓 Tháng này: 01/03/2019 – 31/03/2019");
    expect(month).toContain("Sở Công Thương");
    const [week] = await sameAs("lịch kiểm tra tuần này", "/lich tuần này");
    expect(week).toContain("🗓 Tuần này: 11/03/2019 – 17/03/2019");
    expect(week).toContain("Không có lịch kiểm tra nào trong thời gian này.");
  });

  it("'lịch kiểm tra Quỳnh Nhai' shows that unit's visits; a name not found gets the closest", async () => {
    const [text] = await sameAs("lịch kiểm tra Quỳnh Nhai", "/lich quynh nhai");
    expect(text).toContain("🏢 Đơn vị: Quỳnh Nhai");
    expect(text).toContain("Ủy ban nhân dân huyện Quỳnh Nhai");
    expect(text).not.toContain("Thuận Châu");
    expect(await h.send(coordinator, "khi nào kiểm tra Sông Mã?")).toEqual([
      expect.stringContaining("Chưa có lịch kiểm tra nào của Sông Mã."),
    ]);
    const [districts] = await h.send(coordinator, "lịch kiểm tra huyện");
    expect(districts).toContain("🏢 Đơn vị: Quỳnh Nhai, Sông Mã, Thuận Châu");
    expect(districts).not.toContain("Sở Công Thương");
    expect(await h.send(coordinator, "lịch kiểm tra Mộc Châu")).toEqual([
      "❌ Không tìm thấy đơn vị nào khớp với «Mộc Châu» trong đợt kiểm tra này.\nCó phải đồng chí muốn tìm: <b>Thuận Châu</b>?",
    ]);
  });

  it("officers get their own unit's visits, inspectors every visit, and no one the coordinators' data", async () => {
    for (const question of ["lịch kiểm tra", "lịch kiểm tra Thuận Châu", "lich kiem tra thang nay"]) {
      const [text] = await h.send(quynh, question);
      expect(text, question).toContain("<b>📅 Lịch kiểm tra — Ủy ban nhân dân huyện Quỳnh Nhai</b>");
      expect(text, question).toContain("19/03/2019 08:00");
      expect(text, question).not.toContain("Thuận Châu");
    }
    expect(await h.send(quynh, "lịch kiểm tra")).toEqual(await h.send(quynh, "/lich"));
    expect((await h.send(minh, "lịch kiểm tra tuần sau"))[0]).toContain(
      "Lịch kiểm tra — Ủy ban nhân dân huyện Sông Mã</b>\n🗓 Tuần sau: 04/03/2019 – 10/03/2019",
    );

    const [all] = await sameAs("lịch kiểm tra tháng này", "/lich tháng này", inspector);
    expect(all).toContain("Sở Công Thương");
    expect(all).not.toContain("/lichmoi");

    for (const question of ["ai chưa xác nhận", "Đơn vị nào chưa nộp?", "có bao nhiêu đơn vị nộp đủ rồi?", "Sông Mã"]) {
      for (const who of [quynh, inspector]) expect(await h.send(who, question), question).toEqual([FALLBACK]);
    }
    expect(await h.send(guest, "xem lịch kiểm tra")).toEqual([FALLBACK]);
  });

  it("'ai chưa xác nhận' and 'ai chưa nhận thông báo' are /xacnhan", async () => {
    const [text] = await sameAs("ai chưa xác nhận", "/xacnhan");
    expect(text).toContain("<b>📨 Xác nhận đã nhận thông báo — Kế hoạch kiểm tra");
    expect(text).toContain("<b>Nhắc tự đánh giá (Phòng CCHC gửi)</b>");
    await sameAs("ai chua nhan thong bao", "/xacnhan");
  });

  it("counts are answered by the screen whose headline counts them", async () => {
    const [done] = await h.send(coordinator, "có bao nhiêu đơn vị nộp đủ rồi?");
    expect(done).toContain("Đơn vị: 12 · Đã nộp đủ: 1 · Chưa bắt đầu: 9");
    expect(done).toBe((await h.send(coordinator, "/tiendo"))[0]);
    await sameAs("co bao nhieu don vi nop du roi", "có bao nhiêu đơn vị nộp đủ rồi?");
    expect(h.recorder.of("sendPhoto")).toHaveLength(0); // a number asked, no chart
    const late = await sameAs("mấy đơn vị chưa nộp", "/chuanop");
    expect(late[0]).toContain("<b>⏳ Đơn vị chưa nộp đủ</b>: 11/12 đơn vị");
    const [area] = await sameAs("bao nhiêu đơn vị chưa nộp lĩnh vực 3", "/chuanop 3");
    expect(area).toContain(": 11/12 đơn vị");
  });

  it("'danh sách đơn vị chưa nộp lĩnh vực 7' is /chuanop 7", async () => {
    const [text] = await sameAs("danh sách đơn vị chưa nộp lĩnh vực 7", "/chuanop 7");
    expect(text).toContain("<b>⏳ Đơn vị chưa nộp lĩnh vực 7. ");
    await sameAs("danh sach don vi chua nop linh vuc 7", "/chuanop 7");
    expect(await h.send(coordinator, "danh sách đơn vị chưa nộp lĩnh vực 9")).toEqual([
      expect.stringContaining("Không có lĩnh vực “9”."),
    ]);
  });

  it("'sở tư pháp đã làm đến đâu rồi' is /donvi Sở Tư pháp, typos and all", async () => {
    const [text] = await sameAs("sở tư pháp đã làm đến đâu rồi", "/donvi Sở Tư pháp");
    expect(text).toContain("<b>🏢 Sở Tư pháp</b>\nTiến độ: 11/70 câu (15,7%) · Đã nộp 0/7 lĩnh vực");
    await sameAs("tiến đọ sông mã", "/donvi Sông Mã");
    await sameAs("tieens ddooj sowr tuw phaps", "/donvi Sở Tư pháp");
    await sameAs("tien do", "/tiendo");
    await sameAs("don vi nao chua nôp", "/chuanop");
    // A misspelt name: the closest one, with a button to open it.
    expect(await h.send(coordinator, "tiến độ sở tư pháb")).toEqual([
      "Không tìm thấy đơn vị nào khớp với “sở tư pháb”.\nCó phải đồng chí muốn tìm: <b>Sở Tư pháp</b>?",
    ]);
    await h.tap(coordinator, "Sở Tư pháp");
    expect(h.recorder.texts()[0]).toContain("<b>🏢 Sở Tư pháp</b>");
  });

  it("a unit's name alone is its /donvi; a misspelt one gets the closest names; other words the fallback", async () => {
    await sameAs("Sông Mã", "/donvi Sông Mã");
    await sameAs("song ma", "/donvi Sông Mã");
    await sameAs("kh&đt", "/donvi kh&đt");
    await sameAs("Quỳnh Nhai thì sao?", "/donvi Quỳnh Nhai");
    await sameAs("Ủy ban nhân dân huyện Sông Mã", "/donvi Sông Mã");
    expect(await h.send(coordinator, "huyện")).toEqual(["Có 3 đơn vị khớp với “huyện”. Chọn một đơn vị:"]);
    expect(await h.send(coordinator, "sở tư pháb")).toEqual([
      "Không tìm thấy đơn vị nào khớp với “sở tư pháb”.\nCó phải đồng chí muốn tìm: <b>Sở Tư pháp</b>?",
    ]);
    for (const other of ["xin chào", "cảm ơn", "ok", "hôm nay trời đẹp", "Mộc Châu"]) {
      expect(await h.send(coordinator, other), other).toEqual([FALLBACK]);
    }
  });

  it("'nhắc Sở Tư pháp nộp đi' names the command that works, and offers a button that does it", async () => {
    h.clock.fixed = new Date(NOW.getTime() + 30 * 60_000);
    const stp = await h.unit("so-tu-phap");
    const before = await h.db.notice.count();
    expect(await h.send(coordinator, "nhắc Sở Tư pháp nộp đi")).toEqual([
      "Tôi hiểu là đồng chí muốn nhắc Sở Tư pháp. Gõ <code>/nhacnho Sở Tư pháp</code> để gửi tin nhắc.",
    ]);
    expect(h.recorder.lastKeyboard()).toEqual([[{ text: "🔔 Nhắc Sở Tư pháp", callback_data: `co:nn:${stp.id}` }]]);
    expect(await h.db.notice.count()).toBe(before); // suggested, not done
    await h.tap(coordinator, "Nhắc Sở Tư pháp");
    expect(h.recorder.texts()).toEqual(["🔔 Đã nhắc 1 đơn vị (1 cán bộ đầu mối). Tin nhắc sẽ được gửi ngay."]);
    expect(await h.db.notice.count()).toBe(before + 1);

    // The command as suggested works, and as typed without diacritics too.
    h.clock.fixed = new Date(NOW.getTime() + 31 * 60_000);
    expect(await h.send(coordinator, "/nhacnho Sở Tư pháp")).toEqual([
      "🔔 Đã nhắc 1 đơn vị (1 cán bộ đầu mối). Tin nhắc sẽ được gửi ngay.",
    ]);
    h.clock.fixed = new Date(NOW.getTime() + 32 * 60_000);
    expect(await h.send(coordinator, "/nhacnho so tu phap")).toEqual([
      "🔔 Đã nhắc 1 đơn vị (1 cán bộ đầu mối). Tin nhắc sẽ được gửi ngay.",
    ]);

    // A unit named otherwise than by its short name gets the short name in the command.
    expect(await h.send(coordinator, "nhac nho song ma di")).toEqual([
      "Tôi hiểu là đồng chí muốn nhắc Ủy ban nhân dân huyện Sông Mã. Gõ <code>/nhacnho Sông Mã</code> để gửi tin nhắc.",
    ]);
    // Several units: /nhacnho's own choice, each button reminding the unit picked.
    expect(await h.send(coordinator, "nhắc sở")).toEqual(["Có 6 đơn vị khớp với “sở”. Chọn một đơn vị:"]);
    expect(
      h.recorder
        .lastKeyboard()
        .flat()
        .every((b) => /^co:nn:\d+$/.test(b.callback_data)),
    ).toBe(true);
    expect(await h.db.notice.count()).toBe(before + 3);
  });

  it("'nhắc tất cả' offers /nhacnho tatca and a button that reminds every late unit", async () => {
    h.clock.fixed = new Date(NOW.getTime() + 40 * 60_000);
    const before = await h.db.notice.count();
    expect(await h.send(coordinator, "nhắc tất cả các đơn vị")).toEqual([
      "Tôi hiểu là đồng chí muốn nhắc tất cả đơn vị chưa nộp đủ. Gõ <code>/nhacnho tatca</code> để gửi tin nhắc.",
    ]);
    expect(await h.db.notice.count()).toBe(before);
    const calls = await h.tap(coordinator, "Nhắc tất cả đơn vị chưa nộp đủ");
    expect(calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
    expect(h.recorder.texts()[0]).toContain("🔔 Đã nhắc 2 đơn vị (3 cán bộ đầu mối).");
    expect(await h.db.notice.count()).toBe(before + 3);
  });

  it("'mở lại lĩnh vực 1 cho Quỳnh Nhai' names /molai as it works, with the reason it needs", async () => {
    const unit = await h.unit("quynh-nhai");
    const submitted = () => h.db.areaSubmission.count({ where: { unitId: unit.id } });
    const suggestion = (command: string) =>
      `Tôi hiểu là đồng chí muốn mở lại một lĩnh vực đã nộp. Gõ <code>${command} &lt;lý do&gt;</code>, ` +
      `ví dụ <code>${command} Bổ sung tài liệu kiểm chứng</code>; lý do được gửi tới cán bộ đầu mối của đơn vị.`;
    expect(await h.send(coordinator, "mở lại lĩnh vực 1 cho Quỳnh Nhai")).toEqual([suggestion("/molai Quỳnh Nhai 1")]);
    // No button: the reason can only be typed.
    expect(h.recorder.lastKeyboard()).toEqual([]);
    expect(await submitted()).toBe(7); // suggested, not done

    // The command as suggested works, typed with or without diacritics.
    for (const command of ["/molai Quỳnh Nhai 1", "/molai quynh nhai 1"]) {
      expect((await h.send(coordinator, `${command} Bổ sung tài liệu kiểm chứng`))[0]).toContain(
        "🔓 Đã mở lại lĩnh vực 1.",
      );
      expect(await submitted()).toBe(6);
      await submit("quynh-nhai", "1", coordinator);
    }
    expect(await h.send(coordinator, "mo lai linh vuc 3 cho song ma")).toEqual([suggestion("/molai Sông Mã 3")]);
    expect(await h.send(coordinator, "mở lại lĩnh vực 9 cho Sông Mã")).toEqual([
      expect.stringContaining("Không có lĩnh vực “9”."),
    ]);
    expect(await h.send(coordinator, "mở lại cho Sông Mã")).toEqual([suggestion("/molai Sông Mã &lt;lĩnh vực&gt;")]);
  });
});

describe("many units", () => {
  it("pages long lists and keeps every message under 4,096 characters", async () => {
    // 60 more units in the campaign, none started.
    for (let i = 1; i <= 60; i++) {
      const unit = await h.db.unit.create({
        data: {
          code: `xa-${i}`,
          name: `Ủy ban nhân dân xã Thử Nghiệm Số ${i} huyện Mường La`,
          shortName: `Xã Thử Nghiệm ${i}`,
          kind: "DISTRICT",
          aliases: [],
          searchText: `uy ban nhan dan xa thu nghiem so ${i} huyen muong la | xa thu nghiem ${i}`,
        },
      });
      await h.db.campaignUnit.create({ data: { campaignId: h.campaign.id, unitId: unit.id } });
    }
    const replies = await h.send(coordinator, "/chuanop");
    for (const r of replies) expect(r.length).toBeLessThanOrEqual(4096);
    expect(replies.join("\n")).toContain("Trang 1/4");
    const next = lastKeyboard()
      .flat()
      .find((b) => b.text.includes("Trang sau"))!;
    expect(next.callback_data).toBe("co:cn:0:1");
    await h.handle(callbackUpdate(coordinator, next.callback_data, 42));
    expect(h.recorder.texts().join("\n")).toContain("Trang 2/4");

    const ranking = await h.send(coordinator, "/diem");
    expect(ranking[0]).toContain("Trang 1/3");
    const progress = await h.send(coordinator, "/tiendo");
    expect(progress[0]).toContain("Trang 1/4");
    expect(progress[0]).toContain("Đơn vị: 72 · Đã nộp đủ: 1 · Chưa bắt đầu: 69");

    const [choose] = await h.send(coordinator, "/donvi thu nghiem");
    expect(choose).toContain("Có 60 đơn vị khớp với “thu nghiem”; dưới đây là 10 đơn vị đầu tiên");
    await h.handle(textUpdate(coordinator, "/donvi xa thu nghiem 42"));
    expect(h.recorder.lastText()).toContain("<b>🏢 Ủy ban nhân dân xã Thử Nghiệm Số 42 huyện Mường La</b>");
  });
});

describe("after officers answer", () => {
  it("counts answers written since the last look (kept up to date from the audit log)", async () => {
    const before = (await h.send(coordinator, "/tiendo"))[0]!;
    const answered = Number(/Câu đã trả lời: (\d+)\//.exec(before)![1]);
    const unit = await h.unit("thuan-chau");
    const scope = { campaign: h.campaign, unitId: unit.id, unitKind: unit.kind };
    const [q] = await questionsOf("3");
    const question = (await findQuestion(h.db, scope, q!.id))!;
    await saveAnswer(h.db, scope, question, { value: "yes", selfScore: 1 }, (await personOf(minh)).id, { now: NOW });
    const after = (await h.send(coordinator, "/tiendo"))[0]!;
    expect(after).toContain(`Câu đã trả lời: ${answered + 1}/`);
    expect(after).toMatch(/\d+\. Thuận Châu — ⬜⬜✏️⬜⬜⬜⬜ 1,4% \(1\/69\)/);
    const [rank] = await h.send(coordinator, "/diem 3");
    // Area 3 of a district is 17 points: 3.2.1 (1 point) is for departments. Not submitted: unranked.
    expect(rank).toMatch(/• Thuận Châu — \d+(,\d+)?\/17 .* chưa xếp loại/);
  });
});
