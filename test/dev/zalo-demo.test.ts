import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { ZALO_DEMO_PEOPLE } from "../../src/dev/demo-data.ts";
import { runDemo } from "../support/demo.ts";
import { tempDir } from "../support/temp.ts";

/**
 * npm run demo -- --zalo as a person uses it: the real process, piped input. The people write
 * as Zalo users through the fake Zalo Bot API; numbers and keywords are only text.
 */
describe("npm run demo -- --zalo", () => {
  it("an officer completes and submits an area on Zalo, a coordinator asks for status, a newcomer links", async () => {
    const dir = tempDir("demo-zalo");
    const { out, exit } = await runDemo(
      dir,
      [
        "tudanhgia",
        "6", // the area, by its number
        "1", // 6.1: Có
        ":anh Quyết định giao tự chủ",
        "tiếp",
        "15/01/2019", // 6.2: a date
        ":tep quy-che.pdf", // Zalo cannot carry it
        "giải trình",
        "Quy chế lưu tại Văn phòng Sở.",
        "không áp dụng", // 6.3.1
        "0", // 6.3.2 expects a count: the number is the answer, not a choice
        "75 %", // 6.4
        "kad", // 6.5: không áp dụng, short
        "xem lại",
        "7", // back to 6.6 from the review
        "2", // 6.6: Không; the review follows, complete
        "8", // 📤 Nộp lĩnh vực này
        "1", // ✅ Xác nhận nộp
        ":nguoi 2",
        "tiendo",
        "có bao nhiêu đơn vị nộp đủ rồi?",
        ":nguoi 3",
        "MOI CODE",
        ":lenh",
        ":giup",
      ],
      ["--zalo"],
    );
    const from = (line: string) => out.slice(out.indexOf(line));

    // The playground's own texts, from locales/vi/playground.json.
    expect(out).toContain("Sân thử CCHC Bot trên Zalo: bot thật, cơ sở dữ liệu file:");
    expect(out).toContain("Đang là: Cán bộ Sở Công Thương — cán bộ đầu mối Sở Công Thương, đã liên kết Zalo");
    // Zalo's numbered choices and keywords, printed as Zalo shows them.
    expect(out).toContain("6. ⬜ 6. Cải cách tài chính công\n7. ⬜ 7. Hiện đại hóa hành chính\n— gõ số để chọn");
    expect(from("Cán bộ Sở Công Thương > 6")).toContain("Lĩnh vực 6 · Câu 6.1 (1/7)");
    expect(out).toContain("Gõ «xem lại»: 📋 Xem lại lĩnh vực");
    expect(out).toContain("✅ Đã lưu câu 6.1: Có — 1,5/1,5 điểm.");
    expect(from("> :anh Quyết định giao tự chủ")).toContain("🖼 (đã gửi một ảnh)");
    expect(out).toMatch(/📎 Đã nhận tệp \S+ cho câu 6\.1 \(tổng 1 tệp\)\./);
    expect(out).toContain("✅ Đã lưu câu 6.2: 15/01/2019 — 1,5/1,5 điểm.");
    expect(out).toContain(
      "Zalo không gửi được tệp quy-che.pdf (218 B): trên Zalo chỉ gửi được chữ và ảnh. Tài liệu (PDF, Word, Excel) tải lên qua trình duyệt: ở câu hỏi, gõ «tài liệu» để bot gửi đường link tải lên",
    );
    expect(out).toContain("✅ Đã lưu giải trình cho câu 6.2.");
    expect(out).toContain("✅ Đã lưu câu 6.3.1: Không áp dụng");
    expect(out).toContain("✅ Đã lưu câu 6.3.2: 0 — 0/1 điểm.");
    expect(out).toContain("✅ Đã lưu câu 6.4: 75% — 0/1,5 điểm.");
    expect(from("Cán bộ Sở Công Thương > xem lại")).toContain("• Chưa trả lời: 6.6");
    expect(out).toContain("8. 📤 Nộp lĩnh vực này\n— gõ số để chọn");
    expect(out).toContain("1. ✅ Xác nhận nộp\n— gõ số để chọn");
    expect(out).toContain("📤 Đã nộp lĩnh vực 6. Cải cách tài chính công — tự chấm 3/7 điểm (42,9%).");
    // The coordinator, on Zalo: a command without "/" and a plain question.
    expect(out).toContain("Đã chuyển sang: Công chức Phòng CCHC — Sở Nội vụ, đã liên kết Zalo");
    const status = from("Công chức Phòng CCHC > tiendo");
    expect(status).toContain("🤖 CCHC Sơn La → Công chức Phòng CCHC");
    expect(status).toContain("5. Sở Công Thương — ⬜⬜⬜⬜⬜✅⬜");
    expect(from("Công chức Phòng CCHC > có bao nhiêu đơn vị nộp đủ rồi?")).toContain("📊 Tiến độ tự đánh giá");
    // A Sông Mã officer links with the printed invite, as on Zalo.
    const linked = from("Cán bộ Sông Mã > MOI ");
    expect(linked).toContain("✅ Đã liên kết thành công!");
    expect(linked).toContain("Đồng chí là cán bộ đầu mối của Ủy ban nhân dân huyện Sông Mã");
    expect(out).toContain("Zalo không có menu lệnh: gõ help để bot liệt kê các lệnh");
    expect(out).toContain("Hướng dẫn dùng sân thử trên Zalo:");
    // Nothing from Telegram's playground: no buttons to press, no leaked keys.
    expect(out).not.toContain("👆");
    expect(out).not.toMatch(/ \[\d+\] /);
    expect(out).not.toMatch(/playground\.\w/);
    expect(out).not.toContain("undefined");
    expect(out).not.toContain("⚠ Lỗi API");
    expect(out).toContain("Tạm biệt!");
    expect(exit).toBe(0);

    // What is stored: answers by the Zalo officer, the submission, the photo, the explanation.
    const database = await openDatabase(`file:${dir}/demo.db`, { migrate: false });
    try {
      const db = database.db;
      /** A Zalo account with its person's roles (and units) in the campaign. */
      const zaloAccount = (externalId: string) =>
        db.personChannel.findUniqueOrThrow({
          where: { channel_externalId: { channel: "zalo", externalId } },
          include: { person: { include: { memberships: { include: { unit: true } } } } },
        });
      const roles = (account: Awaited<ReturnType<typeof zaloAccount>>) =>
        account.person.memberships.map((m) => [m.role, m.unit?.code ?? null]);
      const officer = await zaloAccount(ZALO_DEMO_PEOPLE.officer.id);
      expect(roles(officer)).toEqual([["OFFICER", "so-cong-thuong"]]);
      const unit = { code: "so-cong-thuong" };
      const answers = await db.answer.findMany({
        where: { unit, question: { criterion: { area: { code: "6" } } } },
        include: { question: { select: { code: true } } },
      });
      expect(answers.map((a) => [a.question.code, a.value]).sort()).toEqual([
        ["6.1", "yes"],
        ["6.2", "2019-01-15"],
        ["6.3.1", "na"],
        ["6.3.2", "0"],
        ["6.4", "75"],
        ["6.5", "na"],
        ["6.6", "no"],
      ]);
      expect(new Set(answers.map((a) => a.answeredById))).toEqual(new Set([officer.personId]));
      expect(answers.find((a) => a.question.code === "6.2")?.explanation).toBe("Quy chế lưu tại Văn phòng Sở.");
      const submission = await db.areaSubmission.findFirstOrThrow({ where: { unit, area: { code: "6" } } });
      expect(submission).toMatchObject({ submittedById: officer.personId, selfScore: 3 });
      const photo = await db.evidence.findFirstOrThrow({ where: { unit, question: { code: "6.1" } } });
      expect(photo).toMatchObject({ source: "zalo", mimeType: "image/jpeg", note: "Quyết định giao tự chủ" });
      // The coordinator was linked by the demo data, the newcomer by the invite: both on Zalo.
      expect(roles(await zaloAccount(ZALO_DEMO_PEOPLE.coordinator.id))).toEqual([["COORDINATOR", null]]);
      expect(roles(await zaloAccount(ZALO_DEMO_PEOPLE.newcomer.id))).toEqual([["OFFICER", "song-ma"]]);
    } finally {
      await database.close();
    }
  }, 120_000);
});
