import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CAMPAIGN_FILE } from "../../src/app.ts";
import type { Campaign } from "../../src/db/client.ts";
import { loadDataFile } from "../../src/domain/data-file.ts";
import { importData } from "../../src/domain/importer.ts";
import { type CampaignShape, campaignShape } from "../../src/domain/status.ts";
import { createI18n } from "../../src/i18n.ts";
import { excelDate, writeCsv, writeXlsx } from "../../src/reports/export.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { withTelegram } from "../support/people.ts";

let database: TestDatabase;
let campaign: Campaign;
let shape: CampaignShape;
const i18n = createI18n("vi");
const TZ = "Asia/Ho_Chi_Minh";

async function collect(write: (out: PassThrough) => Promise<unknown>) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => out.on("end", resolve));
  await write(out);
  await ended;
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await importData(db, await loadDataFile(BUNDLED_CAMPAIGN_FILE), TZ);
  campaign = await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });
  shape = await campaignShape(db, campaign);
  const person = await db.person.create({ data: withTelegram(1n, 'Cán bộ "Một", Hai') });
  const units = await db.unit.findMany({ orderBy: { id: "asc" } });
  const questions = await db.question.findMany({ orderBy: { order: "asc" }, take: 3 });
  // Units 1, 4 and 12 answer three questions each; one explanation with a comma and quotes.
  for (const unit of [units[0]!, units[3]!, units[11]!]) {
    for (const q of questions) {
      await db.answer.create({
        data: {
          campaignId: campaign.id,
          unitId: unit.id,
          questionId: q.id,
          value: q.answerType === "DATE" ? "2019-01-10" : "50",
          selfScore: 0.5,
          explanation: 'Đang bổ sung, "sớm"',
          answeredById: person.id,
          updatedAt: new Date("2019-02-01T01:02:03Z"),
        },
      });
    }
  }
});
afterAll(() => database.destroy());

describe("xlsx export", () => {
  it("streams batches in the plan's order", async () => {
    const bytes = await collect((out) =>
      writeXlsx(database.db, shape, out, { t: i18n.forLocale("vi"), locale: "vi", timeZone: TZ, batchSize: 5 }),
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const summary = wb.getWorksheet("Tổng hợp")!;
    // Row 1 is the title (campaign, decision, export date), row 2 the header.
    const names = summary.getColumn(2).values.slice(3);
    expect(names).toHaveLength(12);
    expect(names[0]).toBe("Ủy ban nhân dân huyện Quỳnh Nhai");
    expect(names[11]).toBe("Ban Dân tộc tỉnh");
    expect(summary.getColumn(1).values.slice(3)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const answers = wb.getWorksheet("Chi tiết trả lời")!;
    expect(answers.rowCount).toBe(11);
    const rows = answers.getRows(3, 9)!.map((r) => (r.values as unknown[]).slice(1));
    expect(rows.map((r) => r[0])).toEqual([
      ...Array(3).fill("Ủy ban nhân dân huyện Quỳnh Nhai"),
      ...Array(3).fill("Ủy ban nhân dân thành phố Sơn La"),
      ...Array(3).fill("Ban Dân tộc tỉnh"),
    ]);
    expect(rows[0]!.slice(2, 6)).toEqual([
      "1.1.1",
      "Đơn vị ban hành Kế hoạch CCHC năm 2019 vào ngày nào?",
      "10/01/2019",
      0.5,
    ]);
    expect(rows[1]![4]).toBe("50%");
    // No appraisal yet: both rounds and the unit's explanation empty, the final score the self-score.
    expect(rows[0]!.slice(6, 10)).toEqual([undefined, undefined, undefined, 0.5]);
    expect(rows[0]![13]).toBe('Đang bổ sung, "sớm"');
    expect(rows[0]![14]).toBe('Cán bộ "Một", Hai');
    expect(rows[0]![15]).toEqual(new Date(Date.UTC(2019, 1, 1, 8, 2, 3)));
    expect(answers.getCell("P3").numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(answers.getCell("F3").numFmt).toBe("0.00");
    expect(answers.getCell("D3").alignment).toMatchObject({ wrapText: true });
  });

  it("speaks English when asked", async () => {
    const unit = await database.db.unit.findFirstOrThrow({ where: { code: "so-noi-vu" } });
    const bytes = await collect((out) =>
      writeXlsx(database.db, shape, out, { t: i18n.forLocale("en"), locale: "en", timeZone: TZ, unitIds: [unit.id] }),
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    // Some units only: no ranking sheets (a ranking of part of the province would mislead).
    expect(wb.worksheets.map((w) => w.name)).toEqual(["Summary", "Answers"]);
    expect(wb.getWorksheet("Summary")!.getCell("A1").value).toMatch(
      /^.+ — Decision 53\/QĐ-UBND of 07\/01\/2019 · Exported \d\d\/\d\d\/\d{4} \d\d:\d\d$/,
    );
    expect(wb.getWorksheet("Summary")!.getCell("B3").value).toBe("Sở Nội vụ");
    expect(wb.getWorksheet("Summary")!.getCell("C2").value).toBe("Area 1: points");
    expect(wb.getWorksheet("Summary")!.getCell("D2").value).toBe("Area 1: share (%)");
  });
});

describe("csv export", () => {
  it("quotes what needs quoting and starts with a byte-order mark", async () => {
    const bytes = await collect((out) =>
      writeCsv(database.db, shape, out, { t: i18n.forLocale("vi"), locale: "vi", timeZone: TZ, batchSize: 4 }),
    );
    const text = bytes.toString("utf8");
    expect(text.startsWith("\uFEFFSTT,Đơn vị,")).toBe(true);
    const lines = text.slice(1).trimEnd().split("\r\n");
    expect(lines).toHaveLength(13);
    // 3 answers × 0,5 in area 1 (10,7% of its 14 points); explained, so nothing is missing; no
    // officer yet. A district's maximum is 99 (3.2.1 is for departments), of 69 questions.
    expect(lines[1]).toBe(
      "1,Ủy ban nhân dân huyện Quỳnh Nhai,1.5,10.7,0,0,0,0,0,0,0,0,0,0,0,0,1.5,99,1.5,chưa xếp loại,3,69,4.3,0,0,0,01/02/2019 08:02,",
    );
  });
});

describe("excelDate", () => {
  it("turns an instant into the wall-clock time of the zone", () => {
    expect(excelDate(new Date("2019-03-15T16:59:30Z"), TZ)).toEqual(new Date(Date.UTC(2019, 2, 15, 23, 59, 30)));
    expect(excelDate(new Date("2019-03-15T16:59:30Z"), "UTC")).toEqual(new Date(Date.UTC(2019, 2, 15, 16, 59, 30)));
  });
});
