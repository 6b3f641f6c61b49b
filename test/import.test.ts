import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CAMPAIGN_FILE } from "../src/app.ts";
import { DataFileError, loadDataFile, parseDataFile } from "../src/domain/data-file.ts";
import { IMPORT_SECTIONS, ImportError, importData } from "../src/domain/importer.ts";
import { BUNDLED_CAMPAIGN_TEXT, editedCampaign } from "./support/campaign.ts";
import { runCli } from "./support/cli.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { withTelegram } from "./support/people.ts";
import { tempDir } from "./support/temp.ts";

const TZ = "Asia/Ho_Chi_Minh";
let database: TestDatabase;
const tmp = tempDir("import");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.destroy());

const edited = editedCampaign;

async function counts() {
  const db = database.db;
  return {
    units: await db.unit.count(),
    questions: await db.question.count(),
    criteria: await db.criterion.count(),
    areas: await db.reformArea.count(),
    campaignUnits: await db.campaignUnit.count(),
    contents: await db.inspectionContent.count(),
  };
}

describe("the bundled 2019 Sơn La campaign", () => {
  it("holds the plan of Decision 53/QĐ-UBND", async () => {
    const file = await loadDataFile(BUNDLED_CAMPAIGN_FILE);
    expect(file.campaign).toMatchObject({
      decision: { number: "53/QĐ-UBND", date: "07/01/2019" },
      province: "Sơn La",
      year: 2019,
    });
    expect(file.units.map((u) => u.shortName)).toEqual(
      expect.arrayContaining(["Quỳnh Nhai", "Sông Mã", "Thuận Châu", "Thành phố Sơn La", "Sở Tư pháp", "Ban Dân tộc"]),
    );
    expect(file.units).toHaveLength(12);
    expect(file.units.filter((u) => u.kind === "DISTRICT" || u.kind === "CITY")).toHaveLength(4);
    const q = file.questionnaire!;
    expect(q.areas).toHaveLength(7);
    expect(q.areas.reduce((s, a) => s + a.maxPoints, 0)).toBeCloseTo(100, 9);
    expect(q.areas.flatMap((a) => a.criteria).length).toBeGreaterThanOrEqual(30);
    const questions = q.areas.flatMap((a) => a.criteria.flatMap((c) => c.questions));
    for (const type of ["YES_NO", "NUMBER", "PERCENT", "CHOICE", "DATE", "TEXT"]) {
      expect(
        questions.some((x) => x.answerType === type),
        type,
      ).toBe(true);
    }
    expect(file.campaign!.inspectedContents.map((c) => c.code)).toEqual(
      expect.arrayContaining(["papi-2019", "chi-thi-26-ct-ttg", "chi-thi-25-ct-tu", "chi-thi-09-ct-ubnd"]),
    );
  });
});

describe("import", () => {
  it("loads everything the first time and changes nothing the second time", async () => {
    const file = parseDataFile("son-la-2019.yaml", BUNDLED_CAMPAIGN_TEXT);
    const first = await importData(database.db, file, TZ);
    expect(first.units).toMatchObject({ created: 12, updated: 0 });
    const before = await counts();
    expect(before).toMatchObject({ units: 12, areas: 7, campaignUnits: 12, contents: 4 });
    const stamps = await database.db.question.findMany({ select: { id: true }, orderBy: { id: "asc" } });

    const second = await importData(database.db, file, TZ);
    for (const section of IMPORT_SECTIONS) {
      expect(second[section]).toMatchObject({ created: 0, updated: 0, removed: 0, kept: 0 });
    }
    expect(second.visitOutcomes).toEqual([]);
    expect(await counts()).toEqual(before);
    expect(await database.db.question.findMany({ select: { id: true }, orderBy: { id: "asc" } })).toEqual(stamps);
    const campaign = await database.db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });
    // 07/01/2019 in Asia/Ho_Chi_Minh is 06/01/2019 17:00 UTC.
    expect(campaign.decisionDate.toISOString()).toBe("2019-01-06T17:00:00.000Z");
  });

  it("updates an edited criterion text in place without losing answers", async () => {
    const db = database.db;
    const question = await db.question.findFirstOrThrow({ orderBy: { order: "asc" }, include: { criterion: true } });
    const campaign = await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } });
    const unit = await db.unit.findUniqueOrThrow({ where: { code: "song-ma" } });
    const person = await db.person.create({ data: withTelegram(9001n, "Cán bộ") });
    await db.answer.create({
      data: {
        campaignId: campaign.id,
        unitId: unit.id,
        questionId: question.id,
        value: "yes",
        selfScore: 1,
        answeredById: person.id,
      },
    });

    const text = edited((doc) => {
      doc.questionnaire.areas[0].criteria[0].title = "Tiêu chí đã sửa tên";
      doc.questionnaire.areas[0].criteria[0].questions[0].text = "Câu hỏi đã sửa?";
    });
    const report = await importData(db, parseDataFile("edited.yaml", text), TZ);
    expect(report.questionnaire).toMatchObject({ created: 0, updated: 2, removed: 0 });
    const after = await db.question.findUniqueOrThrow({ where: { id: question.id }, include: { criterion: true } });
    expect(after.text).toBe("Câu hỏi đã sửa?");
    expect(after.criterion.title).toBe("Tiêu chí đã sửa tên");
    expect(await db.answer.count({ where: { questionId: question.id } })).toBe(1);
  });

  it("refuses to drop a question that has answers, and leaves the database as it was", async () => {
    const db = database.db;
    const before = await counts();
    const text = edited((doc) => {
      const criterion = doc.questionnaire.areas[0].criteria[0];
      const [removed] = criterion.questions.splice(0, 1);
      criterion.maxPoints = Math.round((criterion.maxPoints - removed.maxPoints) * 100) / 100;
      doc.questionnaire.areas[0].maxPoints =
        Math.round((doc.questionnaire.areas[0].maxPoints - removed.maxPoints) * 100) / 100;
      doc.questionnaire.maxPoints = Math.round((doc.questionnaire.maxPoints - removed.maxPoints) * 100) / 100;
    });
    await expect(importData(db, parseDataFile("dropped.yaml", text), TZ)).rejects.toThrow(ImportError);
    expect(await counts()).toEqual(before);
  });
});

describe("the items of the inspected contents (directives, the PAPI plan)", () => {
  const itemsOf = (code: string) =>
    database.db.inspectionItem.findMany({ where: { content: { code } }, orderBy: { order: "asc" } });

  it("are imported under their content, in the file's order", async () => {
    const d26 = await itemsOf("chi-thi-26-ct-ttg");
    expect(d26.map((i) => i.code)).toEqual(["26.1", "26.2", "26.3", "26.4", "26.5", "26.6"]);
    expect(d26[2]!.title).toContain("không uống rượu, bia trong giờ làm việc");
    expect((await itemsOf("papi-2019")).map((i) => i.code)).toContain("PAPI.3");
    expect(await itemsOf("chi-thi-25-ct-tu")).toHaveLength(5);
    expect(await itemsOf("chi-thi-09-ct-ubnd")).toHaveLength(5);
  });

  it("a re-import updates a title in place: same id, the team's mark kept; nothing else changes", async () => {
    const db = database.db;
    const [item] = await itemsOf("chi-thi-26-ct-ttg");
    const visit = await db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: "quynh-nhai" } } });
    const person = await db.person.create({ data: withTelegram(9002n, "Thành viên Đoàn") });
    await db.itemCheck.create({
      data: {
        visitId: visit.id,
        itemId: item!.id,
        result: "NOT_MET",
        note: "Chưa có kế hoạch",
        byId: person.id,
        updatedAt: new Date(),
      },
    });
    const text = edited((doc) => {
      doc.campaign.inspectedContents[1].items[0].title =
        "Người đứng đầu quán triệt và ban hành kế hoạch thực hiện Chỉ thị";
    });
    const report = await importData(db, parseDataFile("edited.yaml", text), TZ);
    expect(report.campaign).toMatchObject({ created: 0, updated: 1, removed: 0 });
    const after = await db.inspectionItem.findUniqueOrThrow({ where: { id: item!.id }, include: { checks: true } });
    expect(after.title).toBe("Người đứng đầu quán triệt và ban hành kế hoạch thực hiện Chỉ thị");
    expect(after.checks.map((c) => [c.result, c.note])).toEqual([["NOT_MET", "Chưa có kế hoạch"]]);
    const again = await importData(db, parseDataFile("edited.yaml", text), TZ);
    expect(again.campaign).toMatchObject({ created: 0, updated: 0, removed: 0 });
  });

  it("an item dropped from the file goes when nothing was recorded on it; a marked one is refused", async () => {
    const db = database.db;
    const unmarked = edited((doc) => {
      doc.campaign.inspectedContents[1].items.pop(); // 26.6, never marked
    });
    const report = await importData(db, parseDataFile("dropped.yaml", unmarked), TZ);
    expect(report.campaign.removed).toBe(1);
    expect((await itemsOf("chi-thi-26-ct-ttg")).map((i) => i.code)).not.toContain("26.6");
    const marked = edited((doc) => {
      doc.campaign.inspectedContents[1].items.shift(); // 26.1, marked above
    });
    await expect(importData(db, parseDataFile("dropped.yaml", marked), TZ)).rejects.toThrow(
      /items 26\.1 are no longer in the file but the team has marked them/,
    );
    expect((await itemsOf("chi-thi-26-ct-ttg")).map((i) => i.code)).toContain("26.1");
    await importData(db, parseDataFile("son-la-2019.yaml", BUNDLED_CAMPAIGN_TEXT), TZ);
    expect(await itemsOf("chi-thi-26-ct-ttg")).toHaveLength(6);
  });

  it("refuses an item code used twice, or one that is also a criterion's code", async () => {
    const twice = edited((doc) => {
      doc.campaign.inspectedContents[2].items[0].code = "26.2";
    });
    expect(() => parseDataFile("twice.yaml", twice)).toThrow(/item 26\.2 twice \(also under chi-thi-26-ct-ttg\)/);
    const clash = edited((doc) => {
      doc.campaign.inspectedContents[2].items[0].code = "1.1";
    });
    await expect(importData(database.db, parseDataFile("clash.yaml", clash), TZ)).rejects.toThrow(
      /items 1\.1 have the code of a criterion/,
    );
    expect((await itemsOf("chi-thi-25-ct-tu"))[0]!.code).toBe("25.1");
  });
});

describe("a malformed file", () => {
  const problemsOf = (text: string) => {
    try {
      parseDataFile("bad.yaml", text);
    } catch (e) {
      expect(e).toBeInstanceOf(DataFileError);
      return (e as DataFileError).message;
    }
    throw new Error("expected an error");
  };

  it("names the line of a YAML syntax error", () => {
    expect(problemsOf("units:\n  - code: a\n   name: [unclosed\n")).toMatch(/^bad\.yaml: line \d+: /);
  });

  it("names the path and the problem of a wrong value", () => {
    const msg = problemsOf(edited((doc) => (doc.units[3].kind = "VILLAGE")));
    expect(msg).toContain('bad.yaml: units[3].kind: Invalid option: expected one of "DISTRICT"');
  });

  it("says when points do not add up", () => {
    const msg = problemsOf(edited((doc) => (doc.questionnaire.areas[2].criteria[1].questions[0].maxPoints += 1)));
    expect(msg).toMatch(
      /questionnaire\.areas\[2\]\.criteria\[1\]\.maxPoints: criterion maxPoints is [\d.]+ but its questions add up to/,
    );
  });

  it("catches a scoring rule that does not fit the answer type", () => {
    const msg = problemsOf(
      edited((doc) => {
        const q = doc.questionnaire.areas[0].criteria[0].questions[0];
        q.answerType = "TEXT";
      }),
    );
    expect(msg).toContain("questionnaire.areas[0].criteria[0].questions[0].scoring.kind");
  });

  it("refuses unknown sections", () => {
    expect(problemsOf("unitz: []\n")).toContain("bad.yaml: (top): Unrecognized key");
  });
});

// Three CLI runs: a few seconds each on a busy machine.
describe("npm run cli -- import", { timeout: 120_000 }, () => {
  const cli = (args: string[], env: Record<string, string>) => runCli(args, env, { cwd: tmp });

  it("imports, and a second run reports everything unchanged", async () => {
    const db = await createTestDatabase();
    try {
      const env = { DATABASE_URL: db.url };
      const first = await cli(["import", BUNDLED_CAMPAIGN_FILE], env);
      expect(first.stderr).toBe("");
      expect(first.stdout).toContain("units: 12 created, 0 updated, 0 unchanged");
      const second = await cli(["import", BUNDLED_CAMPAIGN_FILE], env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(
        /units: 0 created, 0 updated, 12 unchanged\nquestionnaire: 0 created, 0 updated, \d+ unchanged\ncampaign: 0 created, 0 updated, \d+ unchanged/,
      );

      const bad = join(tmp, "bad.yaml");
      writeFileSync(
        bad,
        edited((doc) => (doc.units[0].shortName = "")),
      );
      const failed = await cli(["import", bad], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr.trim()).toBe(
        `${bad}: units[0].shortName: Too small: expected string to have >=1 characters`,
      );
    } finally {
      await db.destroy();
    }
  });
});

describe("how a question may be answered, and by whom", () => {
  it("is stored from the file, and changed in place by a later import (also back to none)", async () => {
    const db = database.db;
    await importData(db, parseDataFile("son-la-2019.yaml", BUNDLED_CAMPAIGN_TEXT), TZ);
    const byCode = async (code: string) => db.question.findFirstOrThrow({ where: { code } });
    expect(await byCode("3.2.1")).toMatchObject({
      appliesTo: ["DEPARTMENT", "BOARD", "OFFICE"],
      notApplicable: "EXCLUDED",
      scoringRule: { kind: "boolean", yes: 1, no: 0 },
    });
    expect(await byCode("1.2")).toMatchObject({ countOf: "báo cáo", countMax: 4, appliesTo: null });
    expect(await byCode("1.1.1")).toMatchObject({ noDate: "NOT_ISSUED", notApplicable: null });
    expect(await byCode("5.4.2")).toMatchObject({ noDate: "NOT_SENT" });

    const question = (
      doc: { questionnaire: { areas: { criteria: { questions: { code: string }[] }[] }[] } },
      code: string,
    ) =>
      doc.questionnaire.areas
        .flatMap((a) => a.criteria)
        .flatMap((c) => c.questions)
        .find((x) => x.code === code)! as Record<string, unknown>;
    const text = edited((doc) => {
      delete question(doc, "3.2.1").appliesTo;
      question(doc, "1.2").countMax = 8;
    });
    const report = await importData(db, parseDataFile("edited.yaml", text), TZ);
    expect(report.questionnaire).toMatchObject({ created: 0, updated: 2, removed: 0 });
    expect(await byCode("3.2.1")).toMatchObject({ appliesTo: null, notApplicable: "EXCLUDED" });
    expect(await byCode("1.2")).toMatchObject({ countMax: 8 });
    // And back.
    await importData(db, parseDataFile("son-la-2019.yaml", BUNDLED_CAMPAIGN_TEXT), TZ);
    expect(await byCode("3.2.1")).toMatchObject({ appliesTo: ["DEPARTMENT", "BOARD", "OFFICE"] });
  });
});
