/**
 * The campaign's results as files: an .xlsx workbook (a summary sheet of units × areas, a
 * ranking sheet per unit kind, a sheet of every answer with its self-score, both appraisal
 * rounds, the unit's explanation and the final score, and the evidence files), each sheet
 * under a title row naming the campaign, its decision and the export's date; and a CSV of
 * the summary.
 *
 * Both are streamed: units are read a batch at a time and each row is written out and
 * forgotten (ExcelJS's streaming WorkbookWriter), so memory stays flat whatever the number
 * of units. Headers and sheet names come from locales (coordinator.export.*).
 */
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { Db } from "../db/client.ts";
import { formatAnswer } from "../domain/answers.ts";
import { finalScore } from "../domain/appraisal-rules.ts";
import { appliesToKind } from "../domain/progress.ts";
import { finalRanking, recognitionsOf } from "../domain/ranking.ts";
import { type CampaignShape, groupOf, RANK_SECTIONS, type UnitStatus, unitStatuses } from "../domain/status.ts";
import { formatDate, formatDateTime, wallClock } from "../domain/time.ts";
import type { Translate } from "../i18n.ts";
import { writeVisitSheets } from "./visit-sheets.ts";

export interface ExportOptions {
  t: Translate;
  locale: string;
  timeZone: string;
  /** Only these units (in this order); all units of the campaign by default. */
  unitIds?: number[];
  /** Units read per query. */
  batchSize?: number;
  /**
   * Signed links that open evidence files, for the person exporting (src/domain/links.ts):
   * with it the workbook gets a sheet of every file, each name a link that opens it.
   */
  fileLinks?: (evidenceIds: number[]) => Promise<Map<number, string>>;
  /** Signed links that open a visit's documents (minutes, signed scan, conclusion), by VisitDocument id. */
  documentLinks?: (documentIds: number[]) => Promise<Map<number, string>>;
  /** The export's time, on each sheet's title row (default: now). */
  now?: Date;
}

export interface ExportResult {
  units: number;
  answers: number;
}

const BATCH = 100;

/** Unit ids of the campaign, in the plan's order. */
async function unitIdsOf(db: Db, shape: CampaignShape, options: ExportOptions): Promise<number[]> {
  if (options.unitIds) return options.unitIds;
  const rows = await db.campaignUnit.findMany({
    where: { campaignId: shape.campaign.id },
    select: { unitId: true },
    orderBy: { unitId: "asc" },
  });
  return rows.map((r) => r.unitId);
}

async function* batches(db: Db, shape: CampaignShape, ids: number[], size: number): AsyncGenerator<UnitStatus[]> {
  for (let i = 0; i < ids.length; i += size) yield unitStatuses(db, shape, ids.slice(i, i + size));
}

/** A date as Excel shows it: the wall-clock time in `timeZone` (Excel cells have no zone). */
export const excelDate = wallClock;

/**
 * Text that a spreadsheet would take for a formula when it opens or re-reads the file
 * ("=HYPERLINK(…)", "+cmd|…", "-2+3", "@SUM(…)", a leading tab or carriage return, and the
 * full-width signs some Excel locales accept) gets a leading apostrophe, so Excel and
 * LibreOffice show it as text (OWASP, "CSV injection"). Officers choose their Telegram
 * names, so every text cell of both exports passes through here: the workbook already
 * stores text as text cells, but a copy saved from it as CSV would not. Plain numbers
 * ("-2", "-1.234,5", "85%") cannot run anything and stay as they are.
 */
const FORMULA_START = /^(?:[\t\r]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;
const PLAIN_NUMBER = /^\s*[+-]?\d[\d.,]*%?$/;

export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** A cell's value with its text neutralised (numbers and dates are typed, not parsed). */
export function safeCell<T>(value: T): T | string {
  return typeof value === "string" ? neutraliseFormula(value) : value;
}

// ---------------------------------------------------------------- the summary's columns

interface SummaryColumn {
  header: string;
  width: number;
  numFmt?: string;
  value: (s: UnitStatus, index: number) => string | number | Date | null;
}

/**
 * Scores are out of each unit's own maximum (src/domain/progress.ts: the questions it is
 * asked, less those it answered not applicable), so every score has its percentage beside
 * it, and the group comes from that percentage.
 */
function summaryColumns(shape: CampaignShape, o: ExportOptions): SummaryColumn[] {
  const { t } = o;
  const areaOf = (s: UnitStatus, areaId: number) => s.areas.find((x) => x.area.id === areaId);
  return [
    { header: t("coordinator.export.col.index"), width: 6, value: (_s, i) => i },
    { header: t("coordinator.export.col.unit"), width: 36, value: (s) => s.unit.name },
    ...shape.areas.flatMap((a): SummaryColumn[] => [
      {
        header: t("coordinator.export.col.area_points", { code: a.code }),
        width: 10,
        numFmt: "0.00",
        value: (s) => areaOf(s, a.id)?.score ?? 0,
      },
      {
        header: t("coordinator.export.col.area_percent", { code: a.code }),
        width: 10,
        numFmt: "0.0%",
        value: (s) => (areaOf(s, a.id)?.percent ?? 0) / 100,
      },
    ]),
    { header: t("coordinator.export.col.score_total"), width: 12, numFmt: "0.00", value: (s) => s.tally.score },
    { header: t("coordinator.export.col.max_points"), width: 12, numFmt: "0.00", value: (s) => s.tally.max },
    {
      header: t("coordinator.export.col.score_percent"),
      width: 10,
      numFmt: "0.0%",
      value: (s) => s.tally.percent / 100,
    },
    {
      header: t("coordinator.export.col.group"),
      width: 8,
      // Grouped only once every area is submitted, as in /diem.
      value: (s) =>
        s.submittedAreas >= s.areas.length ? groupOf(s.tally.percent) : t("coordinator.ranking.unranked_short"),
    },
    { header: t("coordinator.export.col.answered"), width: 10, value: (s) => s.tally.answered },
    { header: t("coordinator.export.col.total"), width: 10, value: (s) => s.tally.total },
    {
      header: t("coordinator.export.col.progress"),
      width: 10,
      numFmt: "0.0%",
      value: (s) => (s.tally.total ? s.tally.answered / s.tally.total : 0),
    },
    {
      header: t("coordinator.export.col.submitted", { count: shape.areas.length }),
      width: 12,
      value: (s) => s.submittedAreas,
    },
    { header: t("coordinator.export.col.evidence"), width: 12, value: (s) => s.evidence },
    { header: t("coordinator.export.col.missing_explanations"), width: 12, value: (s) => s.missingExplanations },
    {
      header: t("coordinator.export.col.last_activity"),
      width: 17,
      numFmt: "dd/mm/yyyy hh:mm",
      value: (s) => (s.lastActivity ? excelDate(s.lastActivity, o.timeZone) : null),
    },
    { header: t("coordinator.export.col.officers"), width: 30, value: (s) => s.officers.map((x) => x.name).join(", ") },
  ];
}

// ---------------------------------------------------------------- xlsx

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true, name: "Times New Roman", size: 11 },
  alignment: { vertical: "middle", horizontal: "center", wrapText: true },
  fill: { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } },
  border: {
    top: { style: "thin" },
    left: { style: "thin" },
    bottom: { style: "thin" },
    right: { style: "thin" },
  },
};
const BODY_FONT: Partial<ExcelJS.Font> = { name: "Times New Roman", size: 11 };
const TITLE_FONT: Partial<ExcelJS.Font> = { name: "Times New Roman", size: 13, bold: true };
/**
 * Scores: two decimals. A number format's "." is the decimal separator of the format code,
 * not of the display: Excel and LibreOffice show it as the reader's locale has it (a comma
 * on a Vietnamese system), which is as far as a file can go: xlsx has no per-cell locale for
 * separators. The values stay numbers, so they sum and sort.
 */
const SCORE_FORMAT = "0.00";
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: "thin", color: { argb: "FFBFBFBF" } },
  left: { style: "thin", color: { argb: "FFBFBFBF" } },
  bottom: { style: "thin", color: { argb: "FFBFBFBF" } },
  right: { style: "thin", color: { argb: "FFBFBFBF" } },
};

/**
 * The line above every sheet's header, so a printed page says what it is: the campaign, its
 * decision (number and date), and when the file was exported.
 */
function titleLine(shape: CampaignShape, o: ExportOptions, now: Date): string {
  const c = shape.campaign;
  return o.t("results.export.title_row", {
    campaign: c.title,
    decision: c.decisionNumber,
    decisionDate: formatDate(c.decisionDate, o.timeZone),
    exported: formatDateTime(now, o.timeZone),
  });
}

/**
 * A sheet laid out for reading and printing: a title row, then the frozen header; landscape
 * A4, both rows on every printed page.
 */
export function addSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  columns: { header: string; width: number; style?: Partial<ExcelJS.Style> }[],
  title: string,
) {
  const ws = wb.addWorksheet(name, {
    views: [{ state: "frozen", ySplit: 2, xSplit: 0 }],
    pageSetup: {
      paperSize: 9,
      orientation: "landscape",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: "1:2",
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
  });
  ws.columns = columns.map((c, i) => ({ key: String(i), width: c.width, ...(c.style ? { style: c.style } : {}) }));
  const top = ws.addRow([safeCell(title)]);
  top.height = 30;
  top.getCell(1).font = TITLE_FONT;
  top.getCell(1).alignment = { vertical: "middle", horizontal: "left" };
  // Across the sheet's columns, so the title is not cut at the first column's width.
  if (columns.length > 1) ws.mergeCells(1, 1, 1, columns.length);
  top.commit();
  const header = ws.addRow(columns.map((c) => c.header));
  header.height = 45;
  header.eachCell((cell) => {
    cell.style = HEADER_STYLE;
  });
  header.commit();
  return ws;
}

export function styleRow(row: ExcelJS.Row, numFmts: (string | undefined)[], wrap: boolean[]) {
  row.eachCell({ includeEmpty: true }, (cell, col) => {
    cell.font = BODY_FONT;
    cell.border = THIN;
    cell.alignment = { vertical: "top", wrapText: wrap[col - 1] ?? false };
    const fmt = numFmts[col - 1];
    if (fmt) cell.numFmt = fmt;
  });
}

interface AnswerColumn {
  header: string;
  width: number;
  numFmt?: string;
  wrap?: boolean;
}

/**
 * The answers sheet has a row per answer (100,000 for 1,000 units): its cells take their
 * format from the column (wrapped text, number formats) instead of being styled one by
 * one, which is what keeps a 1,000-unit export in seconds.
 */
function answerColumnStyle(c: AnswerColumn): Partial<ExcelJS.Style> | undefined {
  if (c.numFmt) return { numFmt: c.numFmt };
  if (c.wrap) return { alignment: { vertical: "top", wrapText: true } };
  return undefined;
}

function answerColumns(o: ExportOptions): AnswerColumn[] {
  const { t } = o;
  return [
    { header: t("coordinator.export.col.unit"), width: 36 },
    { header: t("coordinator.export.col.area"), width: 30 },
    { header: t("coordinator.export.col.code"), width: 8 },
    { header: t("coordinator.export.col.question"), width: 50, wrap: true },
    { header: t("coordinator.export.col.answer"), width: 22 },
    { header: t("coordinator.export.col.self_score"), width: 10, numFmt: SCORE_FORMAT },
    { header: t("results.export.col.round1"), width: 10, numFmt: SCORE_FORMAT },
    { header: t("results.export.col.explanation"), width: 40, wrap: true },
    { header: t("results.export.col.round2"), width: 10, numFmt: SCORE_FORMAT },
    { header: t("results.export.col.final"), width: 10, numFmt: SCORE_FORMAT },
    { header: t("coordinator.export.col.max"), width: 10, numFmt: SCORE_FORMAT },
    { header: t("coordinator.export.col.evidence"), width: 10 },
    { header: t("coordinator.export.col.evidence_files"), width: 30 },
    { header: t("coordinator.export.col.explanation"), width: 40 },
    { header: t("coordinator.export.col.answered_by"), width: 22 },
    { header: t("coordinator.export.col.updated_at"), width: 17, numFmt: "dd/mm/yyyy hh:mm" },
  ];
}

/** Writes the workbook to `out` (ends it). */
export async function writeXlsx(
  db: Db,
  shape: CampaignShape,
  out: Writable,
  options: ExportOptions,
): Promise<ExportResult> {
  const size = options.batchSize ?? BATCH;
  const ids = await unitIdsOf(db, shape, options);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
    // Fast deflate: a few percent larger, about a third less CPU than the default level.
    zip: { zlib: { level: 1 } },
  } as Partial<ExcelJS.stream.xlsx.WorkbookWriterOptions>);
  wb.creator = "cchc-bot";
  wb.title = shape.campaign.title;
  const title = titleLine(shape, options, options.now ?? new Date());

  // Sheet 1: units × areas.
  const columns = summaryColumns(shape, options);
  const summary = addSheet(wb, options.t("coordinator.export.sheet_summary"), columns, title);
  const numFmts = columns.map((c) => c.numFmt);
  const wrapSummary = columns.map((_c, i) => i === 1 || i === columns.length - 1);
  let index = 0;
  for await (const batch of batches(db, shape, ids, size)) {
    for (const s of batch) {
      index++;
      const row = summary.addRow(columns.map((c) => safeCell(c.value(s, index))));
      styleRow(row, numFmts, wrapSummary);
      row.commit();
    }
  }
  summary.commit();

  // A ranking sheet per section (districts and the city; departments), all units of the
  // campaign: written whole, or not at all when the export is of some units only.
  if (!options.unitIds) await writeRankingSheets(wb, db, shape, options, title);

  // Every answer.
  const aColumns = answerColumns(options);
  const sheet = addSheet(
    wb,
    options.t("coordinator.export.sheet_answers"),
    aColumns.map((c) => ({ ...c, style: answerColumnStyle(c) })),
    title,
  );
  const questions = await db.question.findMany({
    where: { questionnaireId: shape.campaign.questionnaireId ?? -1 },
    select: {
      id: true,
      code: true,
      text: true,
      maxPoints: true,
      answerType: true,
      choices: true,
      scoringRule: true,
      order: true,
      noDate: true,
      appliesTo: true,
    },
  });
  const questionOf = new Map(questions.map((q) => [q.id, q]));
  const areaOf = new Map(shape.areas.map((a) => [a.id, a]));
  let answers = 0;
  const readBatch = (unitIds: number[]) => {
    const where = { campaignId: shape.campaign.id, unitId: { in: unitIds } };
    return Promise.all([
      db.unit.findMany({ where: { id: { in: unitIds } }, select: { id: true, name: true, kind: true } }),
      db.answer.findMany({
        where,
        select: {
          unitId: true,
          questionId: true,
          value: true,
          selfScore: true,
          explanation: true,
          updatedAt: true,
          answeredBy: { select: { displayName: true } },
        },
      }),
      db.evidence.findMany({
        where: { ...where, removedAt: null },
        select: { unitId: true, questionId: true, fileName: true },
        orderBy: { id: "asc" },
      }),
      db.appraisal.findMany({ where, select: { unitId: true, questionId: true, round: true, score: true } }),
      db.explanation.findMany({ where, select: { unitId: true, questionId: true, text: true } }),
    ]);
  };
  // Answers read the same way again and again ("Có", "85%"): shown once per question and value.
  const shown = new Map<string, string>();
  const display = (q: (typeof questions)[number], value: string) => {
    const key = `${q.id}\u0000${value}`;
    let text = shown.get(key);
    if (text === undefined) {
      text = formatAnswer(q, value, options.t, options.locale);
      if (shown.size < 100_000) shown.set(key, text);
    }
    return text;
  };
  // The next batch is read while this one is written.
  let pending = ids.length > 0 ? readBatch(ids.slice(0, size)) : null;
  for (let i = 0; i < ids.length; i += size) {
    const unitIds = ids.slice(i, i + size);
    const [units, rows, files, appraisals, explanations] = await pending!;
    const roundScore = new Map(appraisals.map((r) => [`${r.unitId}:${r.questionId}:${r.round}`, r.score]));
    const explained = new Map(explanations.map((e) => [`${e.unitId}:${e.questionId}`, e.text]));
    pending = i + size < ids.length ? readBatch(ids.slice(i + size, i + 2 * size)) : null;
    const unitOf = new Map(units.map((u) => [u.id, u]));
    const filesOf = new Map<string, string[]>();
    for (const f of files) {
      const key = `${f.unitId}:${f.questionId}`;
      const name = f.fileName ?? options.t("coordinator.export.photo");
      filesOf.set(key, [...(filesOf.get(key) ?? []), name]);
    }
    const position = new Map(unitIds.map((id, n) => [id, n]));
    rows.sort(
      (a, b) =>
        position.get(a.unitId)! - position.get(b.unitId)! ||
        (questionOf.get(a.questionId)?.order ?? 0) - (questionOf.get(b.questionId)?.order ?? 0),
    );
    for (const a of rows) {
      const q = questionOf.get(a.questionId);
      const unit = unitOf.get(a.unitId);
      // Answers left on a question the unit is no longer asked count nowhere (as in the summary).
      if (!q || !unit || !appliesToKind(q, unit.kind)) continue;
      const area = areaOf.get(shape.areaOfQuestion.get(q.id) ?? -1);
      const key = `${a.unitId}:${a.questionId}`;
      const names = filesOf.get(key) ?? [];
      const round1 = roundScore.get(`${key}:1`) ?? null;
      const round2 = roundScore.get(`${key}:2`) ?? null;
      const row = sheet.addRow(
        [
          unit.name,
          area ? `${area.code}. ${area.title}` : "",
          q.code,
          q.text,
          display(q, a.value),
          a.selfScore,
          round1,
          explained.get(key) ?? null,
          round2,
          finalScore(a.selfScore, round1, round2),
          q.maxPoints,
          names.length,
          names.join("; "),
          a.explanation ?? null,
          a.answeredBy.displayName,
          excelDate(a.updatedAt, options.timeZone),
        ].map(safeCell),
      );
      row.commit();
      answers++;
    }
  }
  sheet.commit();
  if (options.fileLinks) await writeFileSheet(wb, db, shape, ids, size, questionOf, options, options.fileLinks, title);
  await writeVisitSheets(wb, db, shape, ids, options, title);
  await wb.commit();
  return { units: ids.length, answers };
}

/** Sheet 3: every evidence file (and link), one row each, its name a link that opens it. */
async function writeFileSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  db: Db,
  shape: CampaignShape,
  ids: number[],
  size: number,
  questionOf: Map<number, { code: string }>,
  options: ExportOptions,
  fileLinks: NonNullable<ExportOptions["fileLinks"]>,
  title: string,
) {
  const t = options.t;
  const sheet = addSheet(
    wb,
    t("coordinator.export.sheet_files"),
    [
      { header: t("coordinator.export.col.unit"), width: 32 },
      { header: t("coordinator.export.col.question"), width: 10 },
      { header: t("coordinator.export.col.file"), width: 40 },
      { header: t("coordinator.export.col.size_kb"), width: 12 },
      { header: t("coordinator.export.col.note"), width: 30 },
      { header: t("coordinator.export.col.sent_by"), width: 22 },
      { header: t("coordinator.export.col.sent_at"), width: 18, style: { numFmt: "dd/mm/yyyy hh:mm" } },
    ],
    title,
  );
  for (let i = 0; i < ids.length; i += size) {
    const unitIds = ids.slice(i, i + size);
    const files = await db.evidence.findMany({
      // The questionnaire's evidence; a visit's self-inspection report (no question) is not.
      where: { campaignId: shape.campaign.id, unitId: { in: unitIds }, questionId: { not: null }, removedAt: null },
      select: {
        id: true,
        kind: true,
        questionId: true,
        fileName: true,
        url: true,
        size: true,
        note: true,
        storageKey: true,
        createdAt: true,
        unit: { select: { name: true } },
        uploadedBy: { select: { displayName: true } },
      },
      orderBy: [{ unitId: "asc" }, { questionId: "asc" }, { id: "asc" }],
    });
    const links = await fileLinks(files.filter((f) => f.kind === "FILE" && f.storageKey).map((f) => f.id));
    for (const f of files) {
      const name = f.kind === "LINK" ? (f.url ?? "") : (f.fileName ?? t("coordinator.export.photo"));
      const href = f.kind === "LINK" ? f.url : links.get(f.id);
      const row = sheet.addRow([
        safeCell(f.unit.name),
        questionOf.get(f.questionId ?? -1)?.code ?? "",
        href ? { text: safeCell(name), hyperlink: href } : safeCell(name),
        f.size === null ? null : Math.round((f.size / 1024) * 10) / 10,
        f.note === null ? null : safeCell(f.note),
        safeCell(f.uploadedBy.displayName),
        excelDate(f.createdAt, options.timeZone),
      ]);
      if (href) row.getCell(3).font = { color: { argb: "FF0B57D0" }, underline: true };
      row.commit();
    }
  }
  sheet.commit();
}

/**
 * The ranking as /diem has it (src/domain/ranking.ts: final scores once round 1 is closed,
 * else self-scores), one sheet per section: rank, unit, self-score, appraised score, bonus,
 * penalty, final score, the unit's maximum, percentage, group, and the commend / criticise
 * decision with its reason.
 */
async function writeRankingSheets(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  db: Db,
  shape: CampaignShape,
  options: ExportOptions,
  title: string,
) {
  const t = options.t;
  const [ranking, decided] = await Promise.all([finalRanking(db, shape), recognitionsOf(db, shape.campaign.id)]);
  const decision = new Map(decided.map((d) => [d.unitId, d]));
  const columns: { header: string; width: number; numFmt?: string }[] = [
    { header: t("results.export.col.rank"), width: 7 },
    { header: t("coordinator.export.col.unit"), width: 36 },
    { header: t("coordinator.export.col.self_score"), width: 11, numFmt: SCORE_FORMAT },
    { header: t("results.export.col.appraised"), width: 11, numFmt: SCORE_FORMAT },
    { header: t("results.export.col.bonus"), width: 10, numFmt: SCORE_FORMAT },
    { header: t("results.export.col.penalty"), width: 10, numFmt: SCORE_FORMAT },
    { header: t("results.export.col.total"), width: 11, numFmt: SCORE_FORMAT },
    { header: t("coordinator.export.col.max_points"), width: 11, numFmt: SCORE_FORMAT },
    { header: t("coordinator.export.col.score_percent"), width: 10, numFmt: "0.0%" },
    { header: t("coordinator.export.col.group"), width: 10 },
    { header: t("results.export.col.recognition"), width: 14 },
    { header: t("results.export.col.recognition_reason"), width: 40 },
  ];
  const numFmts = columns.map((c) => c.numFmt);
  const wrap = columns.map((_c, i) => i === 1 || i === columns.length - 1);
  for (const section of RANK_SECTIONS) {
    const sheet = addSheet(wb, t(`results.export.sheet_ranking.${section}`), columns, title);
    for (const e of ranking.entries.filter((x) => x.section === section)) {
      const d = decision.get(e.unitId);
      const row = sheet.addRow(
        [
          e.rank,
          e.name,
          e.selfScore,
          e.appraisedScore,
          e.bonus,
          e.penalty,
          e.total,
          e.max,
          e.percent / 100,
          e.group ? (e.group.label ?? e.group.code) : t("coordinator.ranking.unranked_short"),
          d ? t(`results.export.recognition.${d.kind}`) : null,
          d?.reason ?? null,
        ].map(safeCell),
      );
      styleRow(row, numFmts, wrap);
      row.commit();
    }
    sheet.commit();
  }
}

// ---------------------------------------------------------------- csv

function csvCell(value: string | number | Date | null): string {
  if (value === null) return "";
  // Dates are already wall-clock times (see excelDate): dd/MM/yyyy HH:mm.
  const s =
    value instanceof Date
      ? value.toISOString().replace(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}).*$/, "$3/$2/$1 $4")
      : typeof value === "string"
        ? neutraliseFormula(value)
        : String(value);
  return /[",\r\n;]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function write(out: Writable, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.write(chunk)) resolve();
    else {
      out.once("drain", resolve);
      out.once("error", reject);
    }
  });
}

/**
 * The summary (one row per unit) as CSV: UTF-8 with a byte-order mark so Excel shows
 * Vietnamese letters, comma-separated, CRLF line ends, plain numbers (dot decimals).
 */
export async function writeCsv(
  db: Db,
  shape: CampaignShape,
  out: Writable,
  options: ExportOptions,
): Promise<ExportResult> {
  const ids = await unitIdsOf(db, shape, options);
  const columns = summaryColumns(shape, options);
  await write(out, `\uFEFF${columns.map((c) => csvCell(c.header)).join(",")}\r\n`);
  let index = 0;
  for await (const batch of batches(db, shape, ids, options.batchSize ?? BATCH)) {
    const lines = batch.map((s) => {
      index++;
      return columns
        .map((c) => {
          const v = c.value(s, index);
          if (typeof v === "number") return csvCell(c.numFmt?.endsWith("%") ? Math.round(v * 1000) / 10 : v);
          return csvCell(v);
        })
        .join(",");
    });
    if (lines.length) await write(out, `${lines.join("\r\n")}\r\n`);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { units: ids.length, answers: 0 };
}
