/**
 * The visit in the workbook (issue 14): a sheet of the units' visits (confirmation, the
 * self-inspection report, minutes, signed scan, conclusion notice, actions), the findings,
 * the corrective actions, and the directive / PAPI checklist. Written after the answers,
 * a batch of units at a time like the rest of the workbook, so 10,000 units and 50,000
 * actions stream through without being held in memory.
 */
import type ExcelJS from "exceljs";
import type { Db } from "../db/client.ts";
import type { CampaignShape } from "../domain/status.ts";
import { addSheet, type ExportOptions, excelDate, safeCell, styleRow } from "./export.ts";

/** Units read per query: a unit has a handful of findings and actions, a visit or two. */
const UNITS_PER_READ = 500;

const DATE_TIME = "dd/mm/yyyy hh:mm";
const DATE = "dd/mm/yyyy";

type Workbook = ExcelJS.stream.xlsx.WorkbookWriter;

interface Column {
  header: string;
  width: number;
  numFmt?: string;
  wrap?: boolean;
}

/** A sheet with its columns' formats, rows styled like every sheet of the workbook. */
function sheetOf(wb: Workbook, name: string, columns: Column[], title: string) {
  const ws = addSheet(wb, name, columns, title);
  const numFmts = columns.map((c) => c.numFmt);
  const wrap = columns.map((c) => c.wrap ?? false);
  return {
    add(values: unknown[], link?: { column: number; href: string }) {
      const row = ws.addRow(values.map((v) => (v === undefined ? null : safeCell(v))));
      styleRow(row, numFmts, wrap);
      if (link) {
        const cell = row.getCell(link.column);
        cell.value = { text: String(cell.value ?? ""), hyperlink: link.href };
        cell.font = { name: "Times New Roman", size: 11, color: { argb: "FF0B57D0" }, underline: true };
      }
      row.commit();
    },
    commit: () => ws.commit(),
  };
}

/** What every sheet of the visit is written from. */
interface SheetContext {
  wb: Workbook;
  db: Db;
  campaignId: number;
  unitIds: number[];
  o: ExportOptions;
  title: string;
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export async function writeVisitSheets(
  wb: Workbook,
  db: Db,
  shape: CampaignShape,
  unitIds: number[],
  options: ExportOptions,
  title: string,
): Promise<void> {
  const campaignId = shape.campaign.id;
  // No visit of these units (none yet, or an export of units inspected on paper): no empty sheets.
  const hasVisit = async (where: { unitId?: { in: number[] } }) =>
    (await db.inspectionVisit.findFirst({ where: { campaignId, ...where }, select: { id: true } })) !== null;
  let anyVisit = options.unitIds ? false : await hasVisit({});
  for (const ids of options.unitIds ? chunks(unitIds, UNITS_PER_READ) : []) {
    anyVisit = await hasVisit({ unitId: { in: ids } });
    if (anyVisit) break;
  }
  if (!anyVisit) return;
  const context: SheetContext = { wb, db, campaignId, unitIds, o: options, title };
  for (const write of [writeVisits, writeFindings, writeActions, writeChecklist]) await write(context);
}

async function writeVisits({ wb, db, campaignId, unitIds, o, title }: SheetContext) {
  const { t } = o;
  const sheet = sheetOf(
    wb,
    t("inspection.export.sheet_visits"),
    [
      { header: t("coordinator.export.col.unit"), width: 32, wrap: true },
      { header: t("inspection.export.col.starts_at"), width: 17, numFmt: DATE_TIME },
      { header: t("inspection.export.col.place"), width: 30, wrap: true },
      { header: t("inspection.export.col.status"), width: 16 },
      { header: t("inspection.export.col.confirmed_at"), width: 17, numFmt: DATE_TIME },
      { header: t("inspection.export.col.report_files"), width: 12 },
      { header: t("inspection.export.col.completed_at"), width: 17, numFmt: DATE_TIME },
      { header: t("inspection.export.col.minutes"), width: 30 },
      { header: t("inspection.export.col.signed_minutes"), width: 30 },
      { header: t("inspection.export.col.conclusion"), width: 30 },
      { header: t("inspection.export.col.conclusion_number"), width: 16 },
      { header: t("inspection.export.col.conclusion_at"), width: 14, numFmt: DATE },
    ],
    title,
  );
  for (const ids of chunks(unitIds, UNITS_PER_READ)) {
    const visits = await db.inspectionVisit.findMany({
      where: { campaignId, unitId: { in: ids } },
      select: {
        id: true,
        startsAt: true,
        place: true,
        status: true,
        confirmedAt: true,
        completedAt: true,
        conclusionNumber: true,
        conclusionIssuedAt: true,
        unit: { select: { name: true } },
        _count: { select: { reports: { where: { removedAt: null } } } },
        documents: { select: { id: true, kind: true, fileName: true }, orderBy: { id: "desc" } },
      },
      orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    });
    const latest = visits.flatMap((v) =>
      (["MINUTES", "SIGNED_MINUTES", "CONCLUSION"] as const).flatMap((kind) => {
        const doc = v.documents.find((d) => d.kind === kind);
        return doc ? [doc.id] : [];
      }),
    );
    const links = o.documentLinks && latest.length ? await o.documentLinks(latest) : new Map<number, string>();
    for (const v of visits) {
      const docs = (["MINUTES", "SIGNED_MINUTES", "CONCLUSION"] as const).map((kind) =>
        v.documents.find((d) => d.kind === kind),
      );
      const values = [
        v.unit.name,
        excelDate(v.startsAt, o.timeZone),
        v.place,
        t(`inspection.export.visit_status.${v.status}`),
        v.confirmedAt ? excelDate(v.confirmedAt, o.timeZone) : null,
        v._count.reports,
        v.completedAt ? excelDate(v.completedAt, o.timeZone) : null,
        docs[0]?.fileName ?? null,
        docs[1]?.fileName ?? null,
        docs[2]?.fileName ?? null,
        v.conclusionNumber,
        v.conclusionIssuedAt ? excelDate(v.conclusionIssuedAt, o.timeZone) : null,
      ];
      // One link per row is what a cell can hold: the minutes, else the conclusion.
      const linked = docs
        .map((d, i) => (d && links.get(d.id) ? { column: 8 + i, href: links.get(d.id)! } : null))
        .find(Boolean);
      sheet.add(values, linked ?? undefined);
    }
  }
  sheet.commit();
}

async function writeFindings({ wb, db, campaignId, unitIds, o, title }: SheetContext) {
  const { t } = o;
  const sheet = sheetOf(
    wb,
    t("inspection.export.sheet_findings"),
    [
      { header: t("coordinator.export.col.unit"), width: 32, wrap: true },
      { header: t("inspection.export.col.finding"), width: 60, wrap: true },
      { header: t("inspection.export.col.criterion"), width: 10 },
      { header: t("inspection.export.col.content"), width: 40, wrap: true },
      { header: t("inspection.export.col.item"), width: 10 },
      { header: t("inspection.export.col.photos"), width: 10 },
      { header: t("inspection.export.col.recorded_by"), width: 22 },
      { header: t("inspection.export.col.recorded_at"), width: 17, numFmt: DATE_TIME },
    ],
    title,
  );
  for (const ids of chunks(unitIds, UNITS_PER_READ)) {
    const findings = await db.finding.findMany({
      where: { campaignId, unitId: { in: ids }, removedAt: null },
      select: {
        text: true,
        createdAt: true,
        visit: { select: { unit: { select: { name: true } } } },
        criterion: { select: { code: true } },
        content: { select: { title: true, reference: true } },
        item: { select: { code: true } },
        by: { select: { displayName: true } },
        _count: { select: { photos: { where: { removedAt: null } } } },
      },
      orderBy: [{ unitId: "asc" }, { id: "asc" }],
    });
    for (const f of findings) {
      sheet.add([
        f.visit.unit.name,
        f.text,
        f.criterion?.code ?? null,
        f.content ? (f.content.reference ?? f.content.title) : null,
        f.item?.code ?? null,
        f._count.photos,
        f.by.displayName,
        excelDate(f.createdAt, o.timeZone),
      ]);
    }
  }
  sheet.commit();
}

async function writeActions({ wb, db, campaignId, unitIds, o, title }: SheetContext) {
  const { t } = o;
  const now = o.now ?? new Date();
  const sheet = sheetOf(
    wb,
    t("inspection.export.sheet_actions"),
    [
      { header: t("coordinator.export.col.unit"), width: 32, wrap: true },
      { header: t("inspection.export.col.action"), width: 50, wrap: true },
      { header: t("inspection.export.col.finding"), width: 40, wrap: true },
      { header: t("inspection.export.col.due_at"), width: 14, numFmt: DATE },
      { header: t("inspection.export.col.action_status"), width: 16 },
      { header: t("inspection.export.col.days_overdue"), width: 10 },
      { header: t("inspection.export.col.last_report"), width: 50, wrap: true },
      { header: t("inspection.export.col.report_files"), width: 10 },
      { header: t("inspection.export.col.closed_at"), width: 14, numFmt: DATE },
      { header: t("inspection.export.col.reopen_reason"), width: 30, wrap: true },
    ],
    title,
  );
  const DAY = 86_400_000;
  for (const ids of chunks(unitIds, UNITS_PER_READ)) {
    const actions = await db.correctiveAction.findMany({
      where: { campaignId, unitId: { in: ids } },
      select: {
        text: true,
        dueAt: true,
        status: true,
        closedAt: true,
        reopenReason: true,
        visit: { select: { unit: { select: { name: true } } } },
        finding: { select: { text: true } },
        reports: {
          where: { sentAt: { not: null } },
          select: { text: true, _count: { select: { files: { where: { removedAt: null } } } } },
          orderBy: { id: "desc" },
          take: 1,
        },
      },
      orderBy: [{ unitId: "asc" }, { id: "asc" }],
    });
    for (const a of actions) {
      const overdue = a.status !== "CLOSED" && a.dueAt && a.dueAt < now;
      const report = a.reports[0];
      sheet.add([
        a.visit.unit.name,
        a.text,
        a.finding?.text ?? null,
        a.dueAt ? excelDate(a.dueAt, o.timeZone) : null,
        t(`inspection.export.action_status.${overdue ? "OVERDUE" : a.status}`),
        overdue ? Math.ceil((now.getTime() - a.dueAt!.getTime()) / DAY) : null,
        report?.text ?? null,
        report?._count.files ?? null,
        a.closedAt ? excelDate(a.closedAt, o.timeZone) : null,
        a.reopenReason,
      ]);
    }
  }
  sheet.commit();
}

async function writeChecklist({ wb, db, campaignId, unitIds, o, title }: SheetContext) {
  const { t } = o;
  const items = await db.inspectionItem.findMany({
    where: { content: { campaignId } },
    select: { id: true, code: true, title: true, content: { select: { title: true, reference: true, order: true } } },
    orderBy: [{ content: { order: "asc" } }, { order: "asc" }],
  });
  if (items.length === 0) return;
  const sheet = sheetOf(
    wb,
    t("inspection.export.sheet_checklist"),
    [
      { header: t("coordinator.export.col.unit"), width: 32, wrap: true },
      { header: t("inspection.export.col.content"), width: 30, wrap: true },
      { header: t("inspection.export.col.item"), width: 8 },
      { header: t("inspection.export.col.item_title"), width: 50, wrap: true },
      { header: t("inspection.export.col.check_result"), width: 14 },
      { header: t("inspection.export.col.note"), width: 40, wrap: true },
      { header: t("inspection.export.col.checked_by"), width: 22 },
      { header: t("inspection.export.col.checked_at"), width: 17, numFmt: DATE_TIME },
    ],
    title,
  );
  for (const ids of chunks(unitIds, UNITS_PER_READ)) {
    const visits = await db.inspectionVisit.findMany({
      where: { campaignId, unitId: { in: ids }, status: { not: "CANCELLED" } },
      select: {
        unit: { select: { name: true } },
        checks: {
          select: { itemId: true, result: true, note: true, updatedAt: true, by: { select: { displayName: true } } },
        },
      },
      orderBy: [{ unitId: "asc" }, { startsAt: "asc" }],
    });
    for (const v of visits) {
      const marks = new Map(v.checks.map((c) => [c.itemId, c]));
      for (const item of items) {
        const mark = marks.get(item.id);
        sheet.add([
          v.unit.name,
          item.content.reference ?? item.content.title,
          item.code,
          item.title,
          t(`inspection.export.check_result.${mark?.result ?? "NONE"}`),
          mark?.note ?? null,
          mark?.by.displayName ?? null,
          mark ? excelDate(mark.updatedAt, o.timeZone) : null,
        ]);
      }
    }
  }
  sheet.commit();
}
