/**
 * npm run demo, the visit as the people of the playground live it (issue "The inspection
 * visit itself", "Done when"): the coordinator moves Sông Mã's visit to the next minutes; the
 * officer confirms it and sends the self-inspection report; the team (the coordinator leads
 * it) records two findings, one tied to criterion 1.1 with a photo, one to Directive
 * 26/CT-TTg, and marks the directive's first requirement; once the visit has begun, the
 * minutes are completed and the DOCX is saved where the playground saves files; a finding
 * becomes an action, the conclusion notice is issued (its clock starts); the officer reports
 * with a photo; the coordinator closes the action.
 *
 * Real time, real process: the visit starts in the next minute, so this test waits for it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { formatDateTime } from "../../src/domain/time.ts";
import { driveDemo } from "../support/demo.ts";
import { tempDir } from "../support/temp.ts";

const TZ = "Asia/Ho_Chi_Minh";

describe("npm run demo: the visit", () => {
  it("confirmed, findings recorded, the minutes DOCX produced and saved, an action reported and closed", async () => {
    const dir = tempDir("demo-visit");
    const { child, out, until, say, press, closed } = driveDemo(dir);

    try {
      const code = (await until(/\/start ([A-Z0-9]{10})/))[1];
      await until(/Cán bộ Sông Mã >/, say(`/start ${code}`));

      // The coordinator moves Sông Mã's visit to the next minute (a visit is completed once begun).
      say(":nguoi 2");
      const starts = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000);
      const moved = say(`/lichsua Sông Mã ${formatDateTime(starts, TZ)}`);
      await until(/Đã đổi lịch kiểm tra #\d+/, moved);
      await until(/Thay đổi lịch kiểm tra[\s\S]*✅ Xác nhận lịch/, moved);

      // The officer confirms it from the notice (their last message with buttons), and
      // sends the self-inspection report.
      say(":nguoi 1");
      let from = await press(/✅ Xác nhận lịch/, moved);
      await until(/✅ Đã ghi nhận: Ủy ban nhân dân huyện Sông Mã xác nhận lịch kiểm tra #\d+/, from);
      from = say("/baocao");
      await until(/Báo cáo tự kiểm tra/, from);
      from = say(":tep bao-cao-tu-kiem-tra.pdf");
      await until(/📎 Đã nhận tệp bao-cao-tu-kiem-tra\.pdf vào báo cáo tự kiểm tra của lịch #\d+/, from);

      // The team records two findings (one with a photo) and marks a requirement.
      say(":nguoi 2");
      from = say("/tontai Sông Mã");
      from = await press(/➕ Ghi tồn tại/, from);
      await until(/Các mã ghi được ở đầu/, from);
      from = say("1.1: Kế hoạch cải cách hành chính năm 2019 ban hành chậm so với quy định");
      await until(/Đã ghi tồn tại[^\n]*\n🔗 Tiêu chí 1\.1/, from);
      from = say(":anh");
      await until(/📷 Đã lưu «[^»]+» cho tồn tại #\d+ \(1 ảnh, tệp\)/, from);
      from = say("26.1 Chưa ban hành kế hoạch thực hiện Chỉ thị 26/CT-TTg");
      await until(/Đã ghi tồn tại[^\n]*\n🔗 Chỉ thị 26\/CT-TTg, yêu cầu 26\.1/, from);
      from = await press(/✅ Xong/, from);
      from = say("/kiemtra Sông Mã");
      from = await press(/Chỉ thị 26\/CT-TTg \(0\/6\)/, from);
      from = await press(/26\.1 · Chưa đạt/, from);
      await until(/ghi chú/i, from);
      from = say("Chưa có kế hoạch riêng của đơn vị");
      await until(/📝 Đã ghi chú cho yêu cầu 26\.1: Chưa có kế hoạch riêng của đơn vị/, from);

      // Once the visit has begun: the minutes, three steps, then the DOCX.
      await new Promise((r) => setTimeout(r, Math.max(0, starts.getTime() - Date.now() + 1_500)));
      from = say("/bienban Sông Mã");
      await until(/Bước 1\/3/, from);
      from = say("Ông Lò Văn Minh, cán bộ đầu mối CCHC; ông Cầm Văn Sơn, Chủ tịch UBND huyện");
      from = await press(/✅ Giữ nội dung này/, from);
      await until(/Bước 3\/3/, from);
      from = say("Đơn vị triển khai cơ bản đầy đủ các nhiệm vụ CCHC năm 2019; còn một số tồn tại nêu dưới đây.");
      from = await press(/📝 Lập biên bản/, from);
      const saved = (await until(/💾 Đã lưu tệp: (\S+\.docx)/, from))[1]!;
      const path = saved.startsWith("/") ? saved : join(dir, saved);
      expect(existsSync(path)).toBe(true);
      const xml = await (await JSZip.loadAsync(readFileSync(path))).file("word/document.xml")!.async("string");
      expect(xml).toContain("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
      expect(xml).toContain("BIÊN BẢN KIỂM TRA");
      expect(xml).toContain("Ủy ban nhân dân huyện Sông Mã");
      expect(xml).toContain("Kế hoạch cải cách hành chính năm 2019 ban hành chậm so với quy định");

      // A finding becomes an action; the conclusion notice is issued: the action's clock starts.
      from = say("/kiennghi Sông Mã");
      from = await press(/➕ Kiến nghị từ T\d+/, from);
      from = say("Ban hành kế hoạch CCHC đúng thời hạn, gửi Sở Nội vụ");
      await until(/Đã tạo kiến nghị/, from);
      from = say("/ketluan Sông Mã");
      from = await press(/📣 Ban hành/, from);
      from = say("125/TB-SNV");
      await until(/✅ Đã ban hành Thông báo kết luận kiểm tra số 125\/TB-SNV/, from);

      // The officer reports what the unit did, with a photo.
      say(":nguoi 1");
      from = say("/khacphuc");
      from = await press(/📝 Báo cáo #\d+/, from);
      from = say("Đã ban hành Kế hoạch CCHC bổ sung số 45/KH-UBND");
      from = say(":anh");
      await until(/📎 Đã nhận tệp [^\n]+ vào báo cáo kiến nghị #\d+ \(1 tệp\)/, from);
      from = await press(/📨 Gửi báo cáo/, from);
      await until(/Đã gửi báo cáo/, from);

      // The coordinator closes the action.
      say(":nguoi 2");
      from = say("/kiennghi Sông Mã");
      from = await press(/🔒 Đóng #\d+/, from);
      await until(/Đã đóng kiến nghị/, from);
      say(":thoat");
      expect(await closed()).toBe(0);
      expect(out()).not.toMatch(/undefined|findings\.\w|minutes\.\w|actions\.\w|visits\.\w|documents\.\w/);
    } finally {
      child.kill();
    }
  }, 300_000);
});
