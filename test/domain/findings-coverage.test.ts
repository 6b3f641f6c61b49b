/**
 * coverage(): how far the team has marked the inspected contents across units, on a real
 * database with the bundled campaign (both providers with TEST_DATABASE_URL): a unit's
 * latest mark counts, a cancelled visit's marks do not, units without marks are "not yet".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CAMPAIGN_FILE } from "../../src/app.ts";
import { loadDataFile } from "../../src/domain/data-file.ts";
import { checklistOf, coverage, findingsOf, markItem, recordFinding } from "../../src/domain/findings.ts";
import { importData } from "../../src/domain/importer.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { withTelegram } from "../support/people.ts";

let database: TestDatabase;
let campaignId: number;
let inspector: number;
const visits: Record<string, number> = {};
const now = new Date("2019-03-19T03:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  await importData(db, await loadDataFile(BUNDLED_CAMPAIGN_FILE), "Asia/Ho_Chi_Minh");
  campaignId = (await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } })).id;
  inspector = (await db.person.create({ data: withTelegram(9301n, "Hà Minh Tuấn") })).id;
  for (const v of await db.inspectionVisit.findMany({ include: { unit: true } })) visits[v.unit.code] = v.id;
});
afterAll(() => database.destroy());

const actor = () => ({ personId: inspector, role: "INSPECTOR" as const });
const mark = (unit: string, code: string, result: "MET" | "NOT_MET" | "PARTIAL", note?: string) =>
  markItem(database.db, { campaignId, visitId: visits[unit]!, actor: actor(), item: { code }, result, note, now });

describe("coverage", () => {
  it("counts per content, item and unit; the latest mark counts; a cancelled visit's units drop out", async () => {
    const db = database.db;
    for (const code of ["26.1", "26.2", "26.3", "26.4", "26.5", "26.6"])
      expect((await mark("quynh-nhai", code, "MET")).ok).toBe(true);
    await mark("quynh-nhai", "26.4", "NOT_MET", "Chưa công khai đủ thủ tục"); // changed: the last mark counts
    await mark("so-cong-thuong", "26.1", "PARTIAL");
    await mark("thuan-chau", "26.1", "NOT_MET");
    await db.inspectionVisit.update({ where: { id: visits["thuan-chau"]! }, data: { status: "CANCELLED" } });

    const cov = await coverage(db, campaignId);
    expect(cov.units.map((u) => u.shortName)).toEqual(["Quỳnh Nhai", "Sở Công Thương"]);
    const d26 = cov.contents.find((c) => c.code === "chi-thi-26-ct-ttg")!;
    expect([d26.assessed, d26.begun, d26.notMetUnits]).toEqual([1, 2, 1]);
    const i1 = d26.items.find((i) => i.code === "26.1")!;
    expect([i1.met, i1.notMet, i1.partial, i1.notYet]).toEqual([1, 0, 1, 0]);
    const i4 = d26.items.find((i) => i.code === "26.4")!;
    expect(i4.byUnit.map((b) => [b.result, b.note])).toEqual([
      ["NOT_MET", "Chưa công khai đủ thủ tục"],
      [null, null],
    ]);
    expect(d26.byUnit).toEqual([
      { unitId: cov.units[0]!.unitId, met: 5, notMet: 1, partial: 0, notYet: 0 },
      { unitId: cov.units[1]!.unitId, met: 0, notMet: 0, partial: 1, notYet: 5 },
    ]);
    const papi = cov.contents.find((c) => c.code === "papi-2019")!;
    expect([papi.assessed, papi.begun, papi.notMetUnits, papi.items[0]!.notYet]).toEqual([0, 0, 0, 2]);

    const list = await checklistOf(db, visits["quynh-nhai"]!);
    expect(list.map((c) => c.items.length)).toEqual([6, 6, 5, 5]);
    expect(list[1]!.items[3]!.check).toMatchObject({
      result: "NOT_MET",
      note: "Chưa công khai đủ thủ tục",
      by: "Hà Minh Tuấn",
    });
  });

  it("findingsOf gives each finding what it concerns, for the minutes and the export", async () => {
    const visitId = visits["quynh-nhai"]!;
    const recorded = await recordFinding(database.db, {
      campaignId,
      visitId,
      actor: actor(),
      text: "  Chưa niêm yết thủ tục tại Bộ phận một cửa  ",
      target: "Chỉ thị 09",
      now,
    });
    expect(recorded.ok).toBe(true);
    const tooLong = await recordFinding(database.db, {
      campaignId,
      visitId,
      actor: actor(),
      text: "x".repeat(1501),
      now,
    });
    expect(tooLong).toEqual({ ok: false, reason: "too_long" });
    const officer = await recordFinding(database.db, {
      campaignId,
      visitId,
      actor: { personId: inspector, role: "OFFICER" },
      text: "Nội dung",
      now,
    });
    expect(officer).toEqual({ ok: false, reason: "not_team" });
    const [f] = await findingsOf(database.db, visitId);
    expect(f).toMatchObject({
      text: "Chưa niêm yết thủ tục tại Bộ phận một cửa",
      criterion: null,
      content: { code: "chi-thi-09-ct-ubnd", reference: "Chỉ thị số 09/CT-UBND ngày 23/5/2017" },
      item: null,
      by: { name: "Hà Minh Tuấn" },
      photos: [],
    });
  });

  it("a leading code without a colon ties the finding when it is one of the campaign's; a number does not", async () => {
    const visitId = visits["so-cong-thuong"]!;
    const record = (text: string) => recordFinding(database.db, { campaignId, visitId, actor: actor(), text, now });
    expect((await record("26.1 Chưa ban hành kế hoạch thực hiện Chỉ thị")).ok).toBe(true);
    expect((await record("1.000 hồ sơ giải quyết trễ hạn chưa có văn bản xin lỗi")).ok).toBe(true);
    expect((await record("9.9 Không phải mã nào")).ok).toBe(true);
    const rows = await findingsOf(database.db, visitId);
    expect(rows.map((f) => [f.text, f.item?.code ?? null])).toEqual([
      ["Chưa ban hành kế hoạch thực hiện Chỉ thị", "26.1"],
      ["1.000 hồ sơ giải quyết trễ hạn chưa có văn bản xin lỗi", null],
      ["9.9 Không phải mã nào", null],
    ]);
  });
});
