/**
 * npm run demo, the appraisal cycle as the people of the playground live it (issue "Appraisal",
 * "Done when"): the Sông Mã officer answers part of area 1; the coordinator opens round 1; the
 * appraiser changes two of Sông Mã's scores and keeps the rest (and scores the submitted unit,
 * including its items only the team scores, so that round 1 can close); the coordinator closes
 * round 1 with an explanation deadline; the officer explains one item with a file; round 2
 * once the deadline has passed; publication; the ranking and the commend list.
 *
 * Real time, real process: the deadline is the next minute, so this test waits for its end.
 */
import { describe, expect, it } from "vitest";
import { formatDateTime } from "../../src/domain/time.ts";
import { driveDemo } from "../support/demo.ts";
import { tempDir } from "../support/temp.ts";

const TZ = "Asia/Ho_Chi_Minh";

describe("npm run demo: appraisal", () => {
  it("round 1, an explanation with a file, round 2, publication, the ranking and the commend list", async () => {
    const dir = tempDir("demo-appraisal");
    const { child, out, until, say, press, closed } = driveDemo(dir);

    try {
      // The officer of Sông Mã links and answers the first questions of area 1.
      const code = (await until(/\/start ([A-Z0-9]{10})/))[1];
      await until(/Cán bộ Sông Mã >/, say(`/start ${code}`));
      let from = say("/tudanhgia");
      from = await press(/[^\n]*1\. Công tác/, from);
      await until(/Câu 1\.1\.1/, from);
      from = say("10/01/2019");
      await until(/Câu này cần tài liệu kiểm chứng/, from);
      from = await press(/Câu sau ➡️/, from);
      await until(/Câu 1\.1\.2/, from);
      from = say("\\100"); // "\\" sends a number as text, not as a button
      await until(/Đã lưu câu 1\.1\.2/, from);

      // The coordinator opens round 1.
      say(":nguoi 2");
      from = say("/giaidoan");
      from = await press(/➡️ Chuyển sang «thẩm định vòng 1»/, from);
      from = await press(/✅ Xác nhận chuyển giai đoạn/, from);
      await until(/Đã chuyển đợt kiểm tra sang giai đoạn «thẩm định vòng 1»/, from);

      // The appraiser: two of Sông Mã's scores changed, with comments.
      say(":nguoi 3");
      from = say("/thamdinh");
      from = await press(/Sông Mã · 0\/\d+/, from);
      await until(/Câu 1\.1\.1 \(tối đa/, from);
      from = await press(/0,5 điểm/, from);
      await until(/khác điểm tự chấm/, from);
      from = say("Kế hoạch ban hành ngày 10/01/2019 nhưng thiếu quyết định kèm theo");
      await until(/Đã lưu điểm thẩm định vòng 1 câu 1\.1\.1 của Sông Mã: 0,5 điểm/, from);
      await until(/Câu 1\.1\.2 \(tối đa/, from);
      from = say("1,5 Chưa có báo cáo kết quả thực hiện kế hoạch");
      await until(/Đã lưu điểm thẩm định vòng 1 câu 1\.1\.2 của Sông Mã: 1,5 điểm/, from);
      // Then the rest: every other item in the council's queue, its self-score kept (the
      // items only the team scores get 0 here), until nothing is left in round 1.
      for (let i = 0; i < 400; i++) {
        const screen = await until(
          /(Không còn nội dung nào chờ thẩm định vòng 1|👉 (Giữ điểm tự chấm|Chọn một mức điểm))/,
          from,
        );
        if (screen[1]!.startsWith("Không còn")) break;
        from = screen[2] === "Giữ điểm tự chấm" ? await press(/✅ Giữ điểm tự chấm \([\d,]+\)/, from) : say("\\0");
        await until(/Đã lưu điểm thẩm định vòng 1/, from);
      }

      // The coordinator closes round 1: the explanation deadline is the next minute (a
      // deadline holds to the end of its minute, so the officer has a minute at least).
      say(":nguoi 2");
      const deadline = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 60_000);
      from = say(`/giaidoan ${formatDateTime(deadline, TZ)}`);
      from = await press(/✅ Xác nhận chuyển giai đoạn/, from);
      await until(/Đã chuyển đợt kiểm tra sang giai đoạn «giải trình»/, from);

      // The officer explains 1.1.1 with a file.
      say(":nguoi 1");
      from = say("/giaitrinh");
      await until(/Giải trình kết quả thẩm định vòng 1/, from);
      from = await press(/1\.1\.1: 1 → 0,5/, from);
      await until(/Giải trình câu 1\.1\.1/, from);
      from = say("Quyết định ban hành kế hoạch số 12/QĐ-UBND ngày 10/01/2019 gửi kèm");
      await until(/Giải trình của đơn vị/, from);
      from = say(":tep quyet-dinh-12.pdf");
      await until(/Đã nhận tệp[^\n]*quyet-dinh-12\.pdf/, from);

      // Round 2 once the deadline has passed: the explained item, raised back to 1.
      await new Promise((r) => setTimeout(r, Math.max(0, deadline.getTime() + 60_000 - Date.now() + 1_500)));
      say(":nguoi 2");
      from = say("/giaidoan");
      from = await press(/➡️ Chuyển sang «thẩm định vòng 2»/, from);
      from = await press(/✅ Xác nhận chuyển giai đoạn/, from);
      await until(/Đã chuyển đợt kiểm tra sang giai đoạn «thẩm định vòng 2»/, from);
      say(":nguoi 3");
      from = say("/thamdinh");
      from = await press(/▶️ Làm tiếp nội dung chưa thẩm định/, from);
      await until(/Giải trình sau vòng 1[^\n]*Quyết định ban hành kế hoạch số 12/, from);
      from = say("1 Đã bổ sung quyết định ban hành kế hoạch");
      await until(/Đã lưu điểm thẩm định vòng 2 câu 1\.1\.1 của Sông Mã: 1 điểm/, from);

      // Publication, the ranking and the commend list.
      say(":nguoi 2");
      from = say("/giaidoan");
      from = await press(/➡️ Chuyển sang «công bố kết quả»/, from);
      from = await press(/✅ Xác nhận chuyển giai đoạn/, from);
      await until(/Đã chuyển đợt kiểm tra sang giai đoạn «công bố kết quả»/, from);
      from = say("/diem");
      await until(/Xếp hạng theo điểm thẩm định/, from);
      // The ranking, then its chart (saved where the playground saves files).
      await until(/💾 Đã lưu tệp: \S+\.png/, from);
      const ranking = [out().slice(from)];
      expect(ranking[0]).toMatch(/1\. Quỳnh Nhai — [\d,]+\/[\d,]+ \([\d,]+%\) · nhóm [A-D] · tự chấm [\d,]+/);
      expect(ranking[0]).toMatch(/Sông Mã — [\d,]+\/[\d,]+ \([\d,]+%\) · chưa xếp loại/);
      from = say("/bieuduong");
      await until(/biểu dương/i, from);
      from = say("/bieuduong Quỳnh Nhai Hoàn thành tự đánh giá đúng hạn, đủ tài liệu kiểm chứng");
      from = await press(/✅ Lưu/, from);
      await until(/Quỳnh Nhai/, from);
      say(":thoat");
      expect(await closed()).toBe(0);
      expect(out()).not.toMatch(/undefined|appraise\.\w|appraisal\.\w|results\.\w|explanation\.\w/);
    } finally {
      child.kill();
    }
  }, 420_000);
});
