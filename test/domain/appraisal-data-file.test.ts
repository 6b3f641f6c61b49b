/**
 * The data file's appraisal parts: `appraisers:`, the campaign's `groups:` and team-scored
 * questions, checked by the format and imported idempotently (a second import changes
 * nothing; the file's assignments follow the file, the CLI's stay; the phase is not moved).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignAppraiser } from "../../src/domain/appraisers.ts";
import { DataFileError, parseDataFile } from "../../src/domain/data-file.ts";
import { IMPORT_SECTIONS, ImportError, importData } from "../../src/domain/importer.ts";
import { BUNDLED_CAMPAIGN_TEXT, editedCampaign } from "../support/campaign.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const TZ = "Asia/Ho_Chi_Minh";
let database: TestDatabase;

// biome-ignore lint/suspicious/noExplicitAny: tests edit the parsed YAML freely
const file = (edit: (doc: any) => void) => parseDataFile("f.yaml", editedCampaign(edit));
const problems = (edit: Parameters<typeof file>[0]) => {
  try {
    file(edit);
    return [];
  } catch (e) {
    if (!(e instanceof DataFileError)) throw e;
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

const council = [
  { key: "hd-01", name: "Nguyễn Văn An", units: ["song-ma", "quynh-nhai"], areas: ["1", "3"] },
  { key: "hd-02", name: "Trần Thị Bình", telegramId: 8801, areas: ["7"] },
];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.destroy());

describe("the format", () => {
  it("marks the five questions the inspection team scores, and gives the groups", () => {
    const data = parseDataFile("son-la-2019.yaml", BUNDLED_CAMPAIGN_TEXT);
    const questions = data.questionnaire!.areas.flatMap((a) => a.criteria.flatMap((c) => c.questions));
    expect(questions.filter((q) => q.teamScored).map((q) => q.code)).toEqual([
      "1.5.2",
      "4.3.3",
      "5.6.2",
      "5.6.3",
      "7.7.2",
    ]);
    for (const q of questions.filter((q) => q.teamScored)) {
      expect(q.scoring.kind).toBe("manual");
      expect(q.scoringText).toMatch(/^Đoàn kiểm tra đánh giá/);
    }
    expect(data.campaign!.groups).toEqual([
      { code: "A", min: 90 },
      { code: "B", min: 80 },
      { code: "C", min: 65 },
      { code: "D", min: 0 },
    ]);
  });

  it("refuses groups out of order or not reaching 0, team scoring of a computed rule, an appraiser without scope", () => {
    expect(
      problems(
        (d) =>
          (d.campaign.groups = [
            { code: "A", min: 80 },
            { code: "B", min: 90 },
            { code: "C", min: 0 },
          ]),
      ),
    ).toEqual(["campaign.groups[1].min: groups go from the highest min down"]);
    expect(
      problems(
        (d) =>
          (d.campaign.groups = [
            { code: "A", min: 90 },
            { code: "B", min: 50 },
          ]),
      ),
    ).toEqual(["campaign.groups[1].min: the last group starts at 0 (every ranked unit is in a group)"]);
    expect(
      problems((d) => {
        d.questionnaire.areas[0].criteria[0].questions[0].teamScored = true;
      }),
    ).toEqual([
      "questionnaire.areas[0].criteria[0].questions[0].teamScored: only a manual rule is scored by the team (the others score the answer)",
    ]);
    expect(problems((d) => (d.appraisers = [{ key: "hd-01", name: "An" }]))).toEqual([
      "appraisers[0].units: name the units or areas the appraiser appraises",
    ]);
    expect(problems((d) => (d.appraisers = [...council, { ...council[0], name: "Khác" }]))).toEqual([
      "appraisers[2].key: two appraisers with key hd-01",
    ]);
  });
});

describe("the import", () => {
  it("imports the council once; a second import changes nothing, and never moves the phase", async () => {
    const db = database.db;
    const withCouncil = file((d) => (d.appraisers = council));
    const first = await importData(db, withCouncil, TZ);
    expect(first.appraisers).toMatchObject({ created: 2, updated: 0 });
    const assignments = await db.appraisalAssignment.count();
    // hd-01: areas 1 and 3 of two units; hd-02: area 7 of every unit.
    expect(assignments).toBe(5);
    const questions = await db.question.findMany({ where: { teamScored: true }, select: { code: true } });
    expect(questions.map((q) => q.code).sort()).toEqual(["1.5.2", "4.3.3", "5.6.2", "5.6.3", "7.7.2"]);

    const campaign = await db.campaign.update({ where: { code: "son-la-2019" }, data: { status: "APPRAISAL" } });
    const second = await importData(db, withCouncil, TZ);
    for (const section of IMPORT_SECTIONS)
      expect(second[section], section).toMatchObject({ created: 0, updated: 0, removed: 0 });
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).status).toBe("APPRAISAL");
    expect(await db.appraisalAssignment.count()).toBe(assignments);
  });

  it("the file's assignments follow the file; those made with the CLI stay", async () => {
    const db = database.db;
    const campaign = await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });
    const stp = await db.unit.findUniqueOrThrow({ where: { code: "so-tu-phap" } });
    await assignAppraiser(db, campaign.id, "hd-01", { unitIds: [stp.id] }, "test");
    const narrowed = file((d) => (d.appraisers = [{ ...council[0], areas: ["1"] }, council[1]]));
    const report = await importData(db, narrowed, TZ);
    expect(report.appraisers).toMatchObject({ updated: 1, unchanged: 1, removed: 2 });
    const hd01 = await db.appraiser.findFirstOrThrow({ where: { key: "hd-01" }, include: { assignments: true } });
    expect(hd01.assignments.map((a) => [a.unitId === stp.id ? "stp" : "file", a.fromFile]).sort()).toEqual([
      ["file", true],
      ["file", true],
      ["stp", false],
    ]);
  });

  it("refuses an appraiser of a unit outside the campaign, or of an area the questionnaire lacks", async () => {
    await expect(
      importData(
        database.db,
        file((d) => (d.appraisers = [{ key: "x", name: "X", areas: ["9"] }])),
        TZ,
      ),
    ).rejects.toThrow(new ImportError("appraisers[0].areas: no area 9 in the campaign's questionnaire"));
  });
});
