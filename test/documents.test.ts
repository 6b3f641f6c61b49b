/**
 * The visit's DOCX builders on their own (src/documents/): plain data in, a document Word
 * opens out. The bot's path is in test/minutes.test.ts; here the parts it does not reach:
 * a published conclusion (final score, group), dates as Nghị định 30 writes them, a minutes
 * without findings, every page and font setting.
 */
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { buildConclusionDocx, buildMinutesDocx } from "../src/documents/index.ts";
import type { CampaignInfo } from "../src/documents/types.ts";

const tz = "Asia/Ho_Chi_Minh";
const campaign: CampaignInfo = {
  title: "Kế hoạch kiểm tra công tác cải cách hành chính tỉnh Sơn La năm 2019",
  year: 2019,
  province: "Sơn La",
  decisionNumber: "53/QĐ-UBND",
  decisionDate: new Date(Date.UTC(2019, 0, 6, 17)),
  issuer: "Chủ tịch Ủy ban nhân dân tỉnh Sơn La",
};

async function open(bytes: Buffer) {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file("word/document.xml")!.async("string");
  const styles = await zip.file("word/styles.xml")!.async("string");
  const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join("\n");
  return { xml, styles, text };
}

describe("the conclusion notice", () => {
  it("issued and published: number, date in Nghị định 30's form, final score and group, recipients", async () => {
    const { text } = await open(
      await buildConclusionDocx(
        {
          campaign,
          unit: { name: "Sở Tư pháp" },
          visit: { startsAt: new Date(Date.UTC(2019, 2, 12, 7)) },
          number: "12/TB-SNV",
          issuedAt: new Date(Date.UTC(2019, 1, 4, 3)),
          scores: {
            self: { score: 88.25, max: 100 },
            final: { score: 85.5, max: 100, percent: 85.5 },
            group: "Nhóm B",
          },
          results: "Ban hành đầy đủ kế hoạch.",
          findings: [
            {
              text: "Chưa công khai thủ tục",
              item: { code: "26.1", title: "Giờ làm việc" },
              content: "Chỉ thị số 26/CT-TTg",
            },
          ],
          actions: [{ text: "Công khai thủ tục", dueAt: new Date(Date.UTC(2019, 1, 19, 10)) }],
          actionDueDays: 15,
          signer: "Nguyễn Thị Bích Thủy",
        },
        { timeZone: tz },
      ),
    );
    const lines = text.split("\n");
    expect(lines).toContain("Số: 12/TB-SNV");
    // Days under 10 and the months January and February take a leading zero.
    expect(lines).toContain("Sơn La, ngày 04 tháng 02 năm 2019");
    expect(lines).toContain("- Điểm tự đánh giá của đơn vị: 88,25/100 điểm;");
    expect(lines).toContain("- Điểm đánh giá chính thức (đã công bố): 85,5/100 điểm (85,5%);");
    expect(lines).toContain("- Xếp loại: Nhóm B.");
    expect(lines).toContain("1. Chưa công khai thủ tục (Chỉ thị số 26/CT-TTg, mục 26.1: Giờ làm việc)");
    expect(lines).toContain("1. Công khai thủ tục. Thời hạn hoàn thành: 19/02/2019.");
    expect(lines).toContain("Nơi nhận:");
    expect(lines).toContain("- Sở Tư pháp;");
    expect(lines).toContain("Nguyễn Thị Bích Thủy");
    expect(text).not.toContain("ĐOÀN KIỂM TRA CCHC");
  });
});

describe("the minutes", () => {
  it("without findings or scores: «Không có.», «chưa có»; A4, margins and Times New Roman 14", async () => {
    const { xml, styles, text } = await open(
      await buildMinutesDocx(
        {
          campaign,
          unit: { name: "Ban Dân tộc tỉnh" },
          visit: { startsAt: new Date(Date.UTC(2019, 2, 28, 1, 30)), place: "Phòng họp Ban" },
          team: [{ name: "Lê Văn Nam", title: null }],
          attendees: "Ông A",
          checkedContents: "Nội dung",
          results: "Kết quả",
          selfScore: null,
          findings: [],
          checklist: null,
          lead: null,
        },
        { timeZone: tz },
      ),
    );
    const lines = text.split("\n");
    expect(lines).toContain(
      "Hồi 08 giờ 30 ngày 28/03/2019, tại Phòng họp Ban, Đoàn kiểm tra công tác cải cách hành chính tiến hành kiểm tra tại Ban Dân tộc tỉnh.",
    );
    expect(lines).toContain("- Đồng chí Lê Văn Nam;");
    expect(lines).toContain("2. Điểm tự đánh giá của đơn vị: chưa có.");
    expect(lines).toContain("Không có.");
    expect(lines).toContain("I. THÀNH PHẦN");
    expect(lines).toContain("V. KẾT LUẬN");
    expect(xml).toContain('<w:pgSz w:w="11906" w:h="16838" w:orient="portrait"/>');
    expect(xml).toContain('<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"');
    // The default run of the document: Times New Roman, 14 pt (28 half-points).
    expect(styles).toMatch(/<w:docDefaults>.*w:ascii="Times New Roman".*<w:sz w:val="28"\/>/s);
  });
});
