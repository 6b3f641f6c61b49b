/**
 * The administrative layout shared by the visit's documents (biên bản, thông báo kết luận),
 * after Nghị định 30/2020/NĐ-CP, Phụ lục I: A4 portrait, margins top and bottom 20 mm,
 * left 30 mm, right 15 mm; Times New Roman 14; the heading as a borderless two-column
 * table (issuing body and number at left, the national heading with place and date at
 * right), the title in bold capitals, sections numbered I, II, III, the signature blocks.
 * Built with `docx` (never hand-written XML). Every word comes from locales/<lang>/documents.json
 * through a plain-text translator (no HTML escaping): documents are in Vietnamese.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Packer,
  Paragraph,
  Table,
  TableBorders,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from "docx";
import { formatNumber } from "../domain/answers.ts";
import { localDay } from "../domain/time.ts";
import { createI18n, type Translate } from "../i18n.ts";

/** A4 in millimetres, and the margins (Nghị định 30: top/bottom 20–25, left 30–35, right 15–20). */
export const PAGE_MM = { width: 210, height: 297 } as const;
export const MARGIN_MM = { top: 20, bottom: 20, left: 30, right: 15 } as const;
export const FONT = "Times New Roman";
/** Body text in points (13–14), and the smaller size of the heading's left column and the recipients. */
export const BODY_PT = 14;
const SMALL_PT = 12;
const HEADING_PT = 13;
const half = (pt: number) => pt * 2;
/** Millimetres to twips, rounded (docx's convertMillimetersToTwip truncates: A4 would be 11905, not Word's 11906). */
function twips(mm: number): number {
  return Math.round((mm * 1440) / 25.4);
}
/** Writing width: A4 less the margins, in twips. */
const TEXT_WIDTH = twips(PAGE_MM.width - MARGIN_MM.left - MARGIN_MM.right);

let plainVi: Translate | null = null;
/** The Vietnamese translator documents are written with (plain text: values are not HTML-escaped). */
export function documentTranslator(): Translate {
  plainVi ??= createI18n("vi", { plainText: true }).forLocale("vi");
  return plainVi;
}

/** Options every builder takes: the translator (default Vietnamese) and the time zone of dates. */
export interface WriteOptions {
  t?: Translate;
  timeZone: string;
}

export const upper = (text: string) => text.normalize("NFC").toLocaleUpperCase("vi");

/** Roman numerals of the sections (I … XX is plenty for a document). */
export function roman(n: number): string {
  const table: [number, string][] = [
    [10, "X"],
    [9, "IX"],
    [5, "V"],
    [4, "IV"],
    [1, "I"],
  ];
  let out = "";
  let rest = n;
  for (const [value, numeral] of table) {
    while (rest >= value) {
      out += numeral;
      rest -= value;
    }
  }
  return out;
}

/**
 * Day and month as Nghị định 30 writes them: days below 10 and the months January and
 * February with a leading zero ("ngày 07 tháng 01", "ngày 19 tháng 3").
 */
export function dateParts(date: Date, timeZone: string): { day: string; month: string; year: string } {
  const d = localDay(date, timeZone);
  return {
    day: d.day < 10 ? `0${d.day}` : String(d.day),
    month: d.month < 3 ? `0${d.month}` : String(d.month),
    year: String(d.year),
  };
}

/** A score as documents print it: decimal comma, up to two decimals ("86,5"). */
export const score = (value: number) => formatNumber(Math.round(value * 100) / 100, "vi");

// ---------------------------------------------------------------- runs and paragraphs

interface RunStyle {
  bold?: boolean;
  italics?: boolean;
  underline?: boolean;
  size?: number;
}

function run(text: string, style: RunStyle = {}): TextRun {
  return new TextRun({
    text,
    bold: style.bold,
    italics: style.italics,
    underline: style.underline ? {} : undefined,
    size: style.size ? half(style.size) : undefined,
    font: FONT,
  });
}

/** A line of the heading or a signature block: centred, no space around. */
export function centered(text: string, style: RunStyle = {}): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.CENTER,
    spacing: { before: 0, after: 0 },
    children: [run(text, style)],
  });
}

/** A body paragraph: justified, first line indented 1 cm, 6 pt after, line spacing 1.15. */
export function body(text: string, style: RunStyle = {}): Paragraph {
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: { firstLine: twips(10) },
    spacing: { before: 0, after: 120, line: 276 },
    children: [run(text, style)],
  });
}

/** Several paragraphs from a typed text: one per line, blank lines dropped. */
export function bodyLines(text: string): Paragraph[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => body(l));
}

/** A section's head: "I. KẾT QUẢ KIỂM TRA", bold. */
export function sectionHead(t: Translate, n: number, title: string): Paragraph {
  return new Paragraph({
    spacing: { before: 120, after: 120 },
    indent: { firstLine: twips(10) },
    children: [run(t("documents.common.section", { numeral: roman(n), title }), { bold: true })],
  });
}

/** The title in bold capitals, centred, and the subject line under it. */
export function title(text: string, subject: string): Paragraph[] {
  return [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 360, after: 0 },
      children: [run(upper(text), { bold: true })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 0, after: 240 },
      children: [run(subject, { bold: true })],
    }),
  ];
}

/** A short solid line under a centred line of the heading (a third of the column). */
function shortRule(columnTwips: number): Paragraph {
  const side = Math.round(columnTwips / 3);
  return new Paragraph({
    spacing: { before: 0, after: 60 },
    indent: { left: side, right: side },
    border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: "000000", space: 1 } },
    children: [],
  });
}

// ---------------------------------------------------------------- heading

export interface Heading {
  /** The province ("Sơn La"): "UBND TỈNH SƠN LA" above the body. */
  province: string;
  /** The team's line under the body ("ĐOÀN KIỂM TRA CCHC"), for the minutes. */
  team: boolean;
  /** The document's number and symbol when issued ("125/TB-SNV"); null: left blank to be written in. */
  number: string | null;
  /** The symbol printed after a blank number ("BB-ĐKT"). */
  symbol: string;
  /** Where and when: "Sơn La, ngày 19 tháng 3 năm 2019"; a null date is left blank. */
  place: string;
  date: Date | null;
  /** The year printed when the date is blank. */
  year: number;
}

const noBorders = TableBorders.NONE;

function cell(children: Paragraph[], widthTwips: number): TableCell {
  return new TableCell({ borders: noBorders, width: { size: widthTwips, type: WidthType.DXA }, children });
}

/** The two-column heading table of an administrative document. */
export function heading(t: Translate, h: Heading, timeZone: string): Table {
  const left = Math.round(TEXT_WIDTH * 0.4);
  const right = TEXT_WIDTH - left;
  const leftLines = [
    centered(upper(t("documents.heading.province", { province: h.province })), { size: HEADING_PT }),
    centered(t("documents.heading.body"), { bold: true, size: HEADING_PT }),
  ];
  if (h.team) leftLines.push(centered(t("documents.heading.team"), { bold: true, size: HEADING_PT }));
  leftLines.push(shortRule(left));
  leftLines.push(
    centered(
      h.number
        ? t("documents.heading.number", { number: h.number })
        : t("documents.heading.number_blank", { symbol: h.symbol }),
      { size: HEADING_PT },
    ),
  );
  const when = h.date
    ? t("documents.heading.place_date", { place: h.place, ...dateParts(h.date, timeZone) })
    : t("documents.heading.place_date_blank", { place: h.place, year: h.year });
  const rightLines = [
    centered(t("documents.heading.nation"), { bold: true, size: HEADING_PT }),
    centered(t("documents.heading.motto"), { bold: true, underline: true, size: BODY_PT }),
    new Paragraph({ spacing: { before: 0, after: 0 }, children: [] }),
    centered(when, { italics: true, size: BODY_PT }),
  ];
  return new Table({
    borders: noBorders,
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [left, right],
    rows: [new TableRow({ children: [cell(leftLines, left), cell(rightLines, right)] })],
  });
}

// ---------------------------------------------------------------- signatures and recipients

export interface SignatureBlock {
  /** "TRƯỞNG ĐOÀN KIỂM TRA" */
  title: string;
  /** "(Ký, ghi rõ họ tên)" */
  hint: string;
  /** The signer's name, when known (else a space to sign and write it). */
  name: string | null;
}

function signatureLines(block: SignatureBlock | null): Paragraph[] {
  if (!block) return [new Paragraph({ children: [] })];
  const lines = [centered(block.title, { bold: true }), centered(block.hint, { italics: true, size: SMALL_PT })];
  // Room to sign: four empty lines, as offices leave.
  for (let i = 0; i < 4; i++) lines.push(new Paragraph({ children: [] }));
  lines.push(centered(block.name ?? "", { bold: true }));
  return lines;
}

/**
 * The bottom of a document: two columns, left and right (either may be empty; the left
 * column of a notice carries its recipients instead, see `recipients`).
 */
export function signatures(left: SignatureBlock | Paragraph[] | null, right: SignatureBlock): Table {
  const half = Math.round(TEXT_WIDTH / 2);
  const leftCell = Array.isArray(left) ? left : signatureLines(left);
  return new Table({
    borders: noBorders,
    width: { size: TEXT_WIDTH, type: WidthType.DXA },
    columnWidths: [half, TEXT_WIDTH - half],
    rows: [new TableRow({ children: [cell(leftCell, half), cell(signatureLines(right), TEXT_WIDTH - half)] })],
  });
}

/** "Nơi nhận:" in bold italics (12 pt), then its lines in 11 pt, as Nghị định 30 sets them. */
export function recipients(head: string, lines: string[]): Paragraph[] {
  return [
    new Paragraph({
      spacing: { before: 120, after: 0 },
      children: [run(head, { bold: true, italics: true, size: 12 })],
    }),
    ...lines.map((l) => new Paragraph({ spacing: { before: 0, after: 0 }, children: [run(l, { size: 11 })] })),
  ];
}

/** A blank line between blocks. */
export const gap = () => new Paragraph({ children: [] });

// ---------------------------------------------------------------- the document

/** A document on A4 with the margins and font above, packed to DOCX bytes. */
export async function pack(children: (Paragraph | Table)[], meta: { title: string; creator: string }): Promise<Buffer> {
  const doc = new Document({
    title: meta.title,
    creator: meta.creator,
    styles: { default: { document: { run: { font: FONT, size: half(BODY_PT) } } } },
    sections: [
      {
        properties: {
          page: {
            size: {
              width: twips(PAGE_MM.width),
              height: twips(PAGE_MM.height),
            },
            margin: {
              top: twips(MARGIN_MM.top),
              bottom: twips(MARGIN_MM.bottom),
              left: twips(MARGIN_MM.left),
              right: twips(MARGIN_MM.right),
            },
          },
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
