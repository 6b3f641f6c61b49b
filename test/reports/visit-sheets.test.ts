import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CAMPAIGN_FILE } from "../../src/app.ts";
import { loadDataFile } from "../../src/domain/data-file.ts";
import { importData } from "../../src/domain/importer.ts";
import { type CampaignShape, campaignShape } from "../../src/domain/status.ts";
import { createI18n } from "../../src/i18n.ts";
import { writeXlsx } from "../../src/reports/export.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { withTelegram } from "../support/people.ts";

let database: TestDatabase;
let shape: CampaignShape;
const i18n = createI18n("vi");
const TZ = "Asia/Ho_Chi_Minh";
const NOW = new Date("2019-04-20T03:00:00Z");

async function workbook(options: Partial<Parameters<typeof writeXlsx>[3]> = {}) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => out.on("end", resolve));
  await writeXlsx(database.db, shape, out, {
    t: i18n.forLocale("vi"),
    locale: "vi",
    timeZone: TZ,
    now: NOW,
    ...options,
  });
  await ended;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return wb;
}

const rowsOf = (ws: ExcelJS.Worksheet) =>
  ws.getRows(3, ws.rowCount - 2)?.map((r) => (r.values as unknown[]).slice(1)) ?? [];

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await importData(db, await loadDataFile(BUNDLED_CAMPAIGN_FILE), TZ);
  const campaign = await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });
  shape = await campaignShape(db, campaign);
  const lead = await db.person.create({ data: withTelegram(11n, "Nguyễn Thị Bích Thủy") });
  const songMa = await db.unit.findUniqueOrThrow({ where: { code: "quynh-nhai" } });
  const visit = await db.inspectionVisit.findFirstOrThrow({ where: { campaignId: campaign.id, unitId: songMa.id } });
  await db.inspectionVisit.update({
    where: { id: visit.id },
    data: {
      status: "DONE",
      completedAt: new Date("2019-03-20T09:00:00Z"),
      completedById: lead.id,
      conclusionNumber: "125/TB-SNV",
      conclusionIssuedAt: new Date("2019-03-29T03:00:00Z"),
    },
  });
  const criterion = await db.criterion.findFirstOrThrow({ where: { code: "1.1" } });
  const content = await db.inspectionContent.findFirstOrThrow({ where: { code: "chi-thi-26-ct-ttg" } });
  const item =
    (await db.inspectionItem.findFirst({ where: { contentId: content.id } })) ??
    (await db.inspectionItem.create({
      data: { contentId: content.id, code: "26.1", title: "Chấp hành giờ giấc làm việc", order: 1 },
    }));
  const base = { campaignId: campaign.id, unitId: songMa.id, visitId: visit.id, byId: lead.id };
  const late = await db.finding.create({
    data: { ...base, text: "Kế hoạch CCHC năm 2019 ban hành chậm", criterionId: criterion.id, createdAt: NOW },
  });
  await db.finding.create({
    data: { ...base, text: "=Chưa niêm yết giờ làm việc", contentId: content.id, itemId: item.id, createdAt: NOW },
  });
  await db.finding.create({ data: { ...base, text: "Đã rút", createdAt: NOW, removedAt: NOW } });
  await db.itemCheck.create({
    data: {
      visitId: visit.id,
      itemId: item.id,
      result: "PARTIAL",
      note: "Một số phòng chưa niêm yết",
      byId: lead.id,
      updatedAt: NOW,
    },
  });
  const actionBase = {
    campaignId: campaign.id,
    unitId: songMa.id,
    visitId: visit.id,
    createdById: lead.id,
    createdAt: NOW,
  };
  await db.correctiveAction.create({
    data: {
      ...actionBase,
      findingId: late.id,
      text: "Ban hành kế hoạch đúng hạn",
      dueAt: new Date("2019-04-13T10:00:00Z"),
    },
  });
  const closed = await db.correctiveAction.create({
    data: {
      ...actionBase,
      text: "Niêm yết giờ làm việc",
      dueAt: new Date("2019-05-01T10:00:00Z"),
      status: "CLOSED",
      closedAt: NOW,
    },
  });
  await db.actionReport.create({
    data: { actionId: closed.id, text: "Đã niêm yết tại các phòng", byId: lead.id, createdAt: NOW, sentAt: NOW },
  });
  // A report still being written (not sent) is nobody's to read yet.
  await db.actionReport.create({ data: { actionId: closed.id, text: "Bản nháp", byId: lead.id, createdAt: NOW } });
  await db.visitDocument.create({
    data: {
      visitId: visit.id,
      kind: "MINUTES",
      fileName: "bien-ban-kiem-tra-quynh-nhai.docx",
      mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      size: 9000,
      storageKey: "0".repeat(32),
      sha256: "a".repeat(64),
      createdById: lead.id,
      createdAt: NOW,
    },
  });
});
afterAll(() => database.destroy());

describe("the visit's sheets in the workbook", () => {
  it("lists visits, findings, actions and the checklist, with links to the documents", async () => {
    const wb = await workbook({
      documentLinks: async (ids) => new Map(ids.map((id) => [id, `https://cchc.example/d/${id}`])),
    });
    const visits = rowsOf(wb.getWorksheet("Kiểm tra trực tiếp")!);
    expect(visits).toHaveLength(3);
    const songMa = visits.find((r) => r[0] === "Ủy ban nhân dân huyện Quỳnh Nhai")!;
    expect(songMa[3]).toBe("Đã kiểm tra");
    expect(songMa[7]).toMatchObject({
      text: "bien-ban-kiem-tra-quynh-nhai.docx",
      hyperlink: expect.stringContaining("/d/"),
    });
    expect(songMa[10]).toBe("125/TB-SNV");

    const findings = rowsOf(wb.getWorksheet("Tồn tại, hạn chế")!);
    expect(findings.map((r) => r[1])).toEqual(["Kế hoạch CCHC năm 2019 ban hành chậm", "'=Chưa niêm yết giờ làm việc"]);
    expect(findings[0]![2]).toBe("1.1");
    expect(findings[1]![3]).toBe("Chỉ thị số 26/CT-TTg ngày 05/9/2016");

    const actions = rowsOf(wb.getWorksheet("Kiến nghị khắc phục")!);
    expect(actions.map((r) => r[4])).toEqual(["Quá hạn", "Đã hoàn thành"]);
    expect(actions[0]![5]).toBe(7);
    expect(actions[0]![2]).toBe("Kế hoạch CCHC năm 2019 ban hành chậm");
    expect(actions[1]![6]).toBe("Đã niêm yết tại các phòng");

    const checklist = rowsOf(wb.getWorksheet("Chỉ thị, Kế hoạch PAPI")!);
    const marked = checklist.filter((r) => r[4] !== "Chưa đánh giá");
    expect(marked).toEqual([
      expect.arrayContaining(["Ủy ban nhân dân huyện Quỳnh Nhai", "Đạt một phần", "Một số phòng chưa niêm yết"]),
    ]);
    // Every visited unit has a row per item, marked or not.
    const items = await database.db.inspectionItem.count();
    expect(checklist).toHaveLength(3 * items);
  });
});
