import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { driveDemo, runDemo } from "../support/demo.ts";
import { tempDir } from "../support/temp.ts";

describe("npm run demo", () => {
  it("lets a person redeem the printed invite and see their commands, also when started again", async () => {
    const dir = tempDir("demo");
    const first = await runDemo(dir, ["/start CODE", "/help", ":giup", ":nguoi 2", "/help"]);
    expect(first.out).toContain("✅ Đã liên kết thành công!");
    expect(first.out).toContain("Đồng chí là cán bộ đầu mối của Ủy ban nhân dân huyện Sông Mã");
    expect(first.out).toContain("Các lệnh đồng chí được dùng (vai trò: cán bộ đầu mối)");
    expect(first.out).toContain("Các lệnh đồng chí được dùng (vai trò: công chức Phòng CCHC, Sở Nội vụ)");
    // The playground's own texts, from locales/vi/playground.json: Vietnamese, no raw keys.
    expect(first.out).toContain("Sân thử CCHC Bot: bot thật, cơ sở dữ liệu file:");
    expect(first.out).toContain("Đang là: Cán bộ Sông Mã — cán bộ đầu mối UBND huyện Sông Mã; mã mời: /start ");
    expect(first.out).toContain("Hướng dẫn dùng sân thử (playground):");
    expect(first.out).toContain("  • :thoat — thoát (hoặc Ctrl+D, Ctrl+C).");
    expect(first.out).toContain(
      "Đã chuyển sang: Công chức Phòng CCHC — Sở Nội vụ (có quyền điều phối ngay từ đầu; dẫn Đoàn kiểm tra: /tontai, /kiemtra, /bienban, /kiennghi, /ketluan)",
    );
    expect(first.out).toContain("Tạm biệt!");
    expect(first.out).not.toMatch(/playground\.\w/);
    expect(first.out).not.toContain("undefined");
    expect(first.exit).toBe(0);

    // The same database again: the bot remembers handled update ids, and still answers.
    const second = await runDemo(dir, ["/help"]);
    expect(second.out).toContain("Các lệnh đồng chí được dùng (vai trò: cán bộ đầu mối)");
    expect(second.exit).toBe(0);
  }, 90_000);

  it("shows a campaign in motion to the coordinator, and saves the files the bot sends", async () => {
    const dir = tempDir("demo-files");
    const run = await runDemo(dir, [":nguoi 2", "/lich", "/xuat"]);
    // Several units part-way, one submitted, a visit for every unit.
    expect(run.out).toMatch(/#\d+ · Ủy ban nhân dân huyện Quỳnh Nhai/);
    expect(run.out).toMatch(/#\d+ · Ban Dân tộc|… và \d+ lịch nữa/);
    expect(run.out).toMatch(/Kết quả tự đánh giá — 12 đơn vị, \d{2,} câu trả lời/);
    const saved = /💾 Đã lưu tệp: (\S+\.xlsx)/.exec(run.out)?.[1];
    expect(saved).toMatch(/^data\/playground\/.*ket-qua-tu-danh-gia-2019\.xlsx$/);
    expect(existsSync(join(dir, saved!))).toBe(true);
    expect(run.exit).toBe(0);
  }, 90_000);

  it("lets an officer attach a document in chat, add another on the upload page, and a coordinator open both", async () => {
    const dir = tempDir("demo-evidence");
    const { child, until, say, closed } = driveDemo(dir);
    try {
      const code = (await until(/\/start ([A-Z0-9]{10})/))[1];
      await until(/Cán bộ Sông Mã >/, say(`/start ${code}`));
      let from = say("/tudanhgia");
      const area = (await until(/\[(\d+)\] [^\n]*1\. Công tác/, from))[1]!;
      from = say(area);
      await until(/Câu 1\.1\.1/, from);
      from = say("10/01/2019");
      await until(/Câu này cần tài liệu kiểm chứng/, from);
      from = say(":tep ke-hoach-cchc.pdf");
      await until(/Đã nhận tệp ke-hoach-cchc\.pdf cho câu 1\.1\.1/, from);
      // The links in the bot's message open on the playground's own server.
      const upload = (
        await until(/Tải tệp qua trình duyệt[^\n]*?(http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9_-]{22})/, from)
      )[1]!;
      const body = new FormData();
      body.append("files", new Blob([Buffer.from("%PDF-1.4\n%%EOF\n")], { type: "application/pdf" }), "bien-ban.pdf");
      const posted = await fetch(upload, { method: "POST", body });
      expect(await posted.text()).toContain("✅ Đã nhận 1 tệp.");
      from = say(":nguoi 2");
      from = say("/donvi song ma");
      const page = (await until(/(http:\/\/127\.0\.0\.1:\d+\/e\/[A-Za-z0-9_-]{22})/, from))[1]!;
      const html = await (await fetch(page)).text();
      expect(html).toContain("ke-hoach-cchc.pdf");
      expect(html).toContain("bien-ban.pdf");
      say(":thoat");
      expect(await closed()).toBe(0);
    } finally {
      child.kill();
    }
  }, 120_000);
});
