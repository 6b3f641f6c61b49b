/**
 * What a file really is, from its bytes: a name or a declared mime type can say anything
 * (a program renamed "bao-cao.pdf"), so only content decides whether evidence is kept.
 * Allowed: PDF, Word/Excel/PowerPoint (97-2003 and OOXML), their OpenDocument forms and
 * photos (JPEG, PNG, WebP, HEIC/HEIF). Everything else is refused: programs, scripts, web
 * pages, plain text, archives that are not office documents, macro-enabled office files.
 *
 * `file-type` (21.x, the newest for Node 20) reads the signatures. Two families need more
 * than the first bytes:
 *   - zip-based office files (docx, xlsx, pptx, odt…) are told from an archive of photos by
 *     the entries inside; a writer may put the deciding entry past the head, so a stored
 *     zip is read further, as a stream (sniffStoredFile);
 *   - OLE2 compound files (doc, xls, ppt) all look alike to file-type ("cfb"), and so does a
 *     Windows Installer package (.msi): the names of the streams in the compound file's
 *     directory tell them apart, and that directory may lie anywhere in the file, so it is
 *     read here (classifyCompoundFile), by ranges.
 */
import { fileTypeFromBuffer, fileTypeFromStream } from "file-type";
import type { FileStore, StoredObject } from "./file-store.ts";

export interface SniffedType {
  mime: string;
  ext: string;
  /** The format's name as people know it: "PDF", "Word", "Excel"… */
  label: string;
}

export const ALLOWED_TYPES: readonly SniffedType[] = [
  { mime: "application/pdf", ext: "pdf", label: "PDF" },
  { mime: "application/msword", ext: "doc", label: "Word" },
  { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ext: "docx", label: "Word" },
  { mime: "application/vnd.ms-excel", ext: "xls", label: "Excel" },
  { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ext: "xlsx", label: "Excel" },
  { mime: "application/vnd.ms-powerpoint", ext: "ppt", label: "PowerPoint" },
  {
    mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ext: "pptx",
    label: "PowerPoint",
  },
  { mime: "application/vnd.oasis.opendocument.text", ext: "odt", label: "OpenDocument Text" },
  { mime: "application/vnd.oasis.opendocument.spreadsheet", ext: "ods", label: "OpenDocument Spreadsheet" },
  { mime: "application/vnd.oasis.opendocument.presentation", ext: "odp", label: "OpenDocument Presentation" },
  { mime: "image/jpeg", ext: "jpg", label: "JPEG" },
  { mime: "image/png", ext: "png", label: "PNG" },
  { mime: "image/webp", ext: "webp", label: "WebP" },
  { mime: "image/heic", ext: "heic", label: "HEIC" },
  { mime: "image/heif", ext: "heif", label: "HEIF" },
];

const BY_MIME = new Map(ALLOWED_TYPES.map((t) => [t.mime, t]));

/** Reads `length` bytes at `offset` (fewer at the end of the file). */
type ReadAt = (offset: number, length: number) => Promise<Buffer>;

/**
 * The type of a file from its first bytes alone (StoredObject.head). Enough for every
 * allowed type except two cases that need the rest of the file: a zip whose deciding entry
 * lies past the head, and an OLE2 file whose directory does; both give null here. For a
 * stored object use sniffStoredFile, which reads further when it must.
 */
export async function sniffFileType(head: Buffer): Promise<SniffedType | null> {
  return sniff(head, async (offset, length) => {
    if (offset + length > head.length) throw new NeedMore();
    return head.subarray(offset, offset + length);
  }).catch((e) => {
    if (e instanceof NeedMore) return null;
    throw e;
  });
}

/** The type of a stored object: its head, and more of its bytes where the head cannot tell. */
export async function sniffStoredFile(
  store: FileStore,
  object: Pick<StoredObject, "key" | "size" | "head">,
): Promise<SniffedType | null> {
  const complete = object.head.length >= object.size;
  return sniff(
    object.head,
    async (offset, length) => {
      if (offset + length <= object.head.length || complete) return object.head.subarray(offset, offset + length);
      if (offset >= object.size) return Buffer.alloc(0);
      return readRange(store, object.key, offset, Math.min(offset + length, object.size) - 1);
    },
    complete
      ? undefined
      : async () => {
          const stream = await store.get(object.key);
          if (!stream) return undefined;
          try {
            // file-type reads only as far as it needs, entry by entry: never the whole file at once.
            return await fileTypeFromStream(stream);
          } finally {
            stream.destroy();
          }
        },
  );
}

class NeedMore extends Error {}

async function sniff(
  head: Buffer,
  readAt: ReadAt,
  wholeFile?: () => Promise<{ ext: string; mime: string } | undefined>,
): Promise<SniffedType | null> {
  let found = await fileTypeFromBuffer(head);
  // An archive by its head may still be an office file whose deciding entry comes later.
  if (found?.ext === "zip" && wholeFile) found = await wholeFile();
  if (!found) return null;
  if (found.ext === "cfb") return classifyCompoundFile(readAt);
  return BY_MIME.get(found.mime) ?? null;
}

async function readRange(store: FileStore, key: string, start: number, end: number): Promise<Buffer> {
  const stream = await store.get(key, { start, end });
  if (!stream) return Buffer.alloc(0);
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

// ---------------------------------------------------------------------------- OLE2 ([MS-CFB])

const CFB_SIGNATURE = Buffer.from("d0cf11e0a1b11ae1", "hex");
/** Sector numbers at or above this are markers (end of chain, free, FAT, DIFAT). */
const MAX_REGULAR_SECTOR = 0xfffffffa;
/** How far the directory is followed: office files have a few dozen entries, not thousands. */
const MAX_DIRECTORY_SECTORS = 128;
const MAX_DIFAT_SECTORS = 64;

/** The stream that makes each program's file what it is. */
const COMPOUND_STREAMS: [name: string, mime: string][] = [
  ["WordDocument", "application/msword"],
  ["Workbook", "application/vnd.ms-excel"],
  ["Book", "application/vnd.ms-excel"], // Excel 5/95 workbooks
  ["PowerPoint Document", "application/vnd.ms-powerpoint"],
];

/**
 * Word, Excel or PowerPoint 97-2003 by the streams in a compound file's directory; null for
 * any other compound file (an installer, an Outlook message, an encrypted OOXML package)
 * and for one too damaged to read. Reads the header, the directory's sectors and the FAT
 * sectors that chain them, nothing else.
 */
async function classifyCompoundFile(readAt: ReadAt): Promise<SniffedType | null> {
  const header = await readAt(0, 512);
  if (header.length < 512 || !header.subarray(0, 8).equals(CFB_SIGNATURE)) return null;
  const shift = header.readUInt16LE(0x1e);
  if (shift !== 9 && shift !== 12) return null;
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;
  const sectorAt = async (sector: number) => {
    const bytes = await readAt((sector + 1) * sectorSize, sectorSize);
    return bytes.length === sectorSize ? bytes : null;
  };

  // Where FAT sector i lies: in the header's 109 entries, then along the DIFAT chain.
  const difat: number[] = [];
  for (let i = 0; i < 109; i++) difat.push(header.readUInt32LE(0x4c + i * 4));
  let nextDifat = header.readUInt32LE(0x44);
  const fatSector = async (i: number): Promise<number | null> => {
    while (i >= difat.length) {
      if (nextDifat > MAX_REGULAR_SECTOR || difat.length >= 109 + MAX_DIFAT_SECTORS * (perSector - 1)) return null;
      const sector = await sectorAt(nextDifat);
      if (!sector) return null;
      for (let j = 0; j < perSector - 1; j++) difat.push(sector.readUInt32LE(j * 4));
      nextDifat = sector.readUInt32LE((perSector - 1) * 4);
    }
    return difat[i]!;
  };
  const nextInChain = async (sector: number): Promise<number | null> => {
    const fat = await fatSector(Math.floor(sector / perSector));
    if (fat === null || fat > MAX_REGULAR_SECTOR) return null;
    const bytes = await sectorAt(fat);
    return bytes ? bytes.readUInt32LE((sector % perSector) * 4) : null;
  };

  // Every directory entry, in order (an entry's number is its place in the chain).
  const entries: { name: string; type: number; left: number; right: number; child: number }[] = [];
  const seen = new Set<number>();
  let sector: number | null = header.readUInt32LE(0x30);
  while (sector !== null && sector <= MAX_REGULAR_SECTOR && !seen.has(sector) && seen.size < MAX_DIRECTORY_SECTORS) {
    seen.add(sector);
    const bytes = await sectorAt(sector);
    if (!bytes) return null;
    for (let at = 0; at < sectorSize; at += 128) {
      const nameBytes = Math.min(Math.max(bytes.readUInt16LE(at + 0x40), 2), 64);
      entries.push({
        name: bytes.toString("utf16le", at, at + nameBytes - 2),
        type: bytes[at + 0x42]!,
        left: bytes.readUInt32LE(at + 0x44),
        right: bytes.readUInt32LE(at + 0x48),
        child: bytes.readUInt32LE(at + 0x4c),
      });
    }
    sector = await nextInChain(sector);
  }
  // The streams at the top (the root's children, a tree through left and right siblings):
  // a workbook that embeds a Word document holds a "WordDocument" too, deeper down.
  const top = new Set<string>();
  const visited = new Set<number>();
  const pending = [entries[0]?.type === 5 ? entries[0].child : 0xffffffff];
  while (pending.length > 0) {
    const i = pending.pop()!;
    const entry = entries[i];
    if (!entry || visited.has(i)) continue;
    visited.add(i);
    if (entry.type === 2) top.add(entry.name);
    pending.push(entry.left, entry.right);
  }
  for (const [stream, mime] of COMPOUND_STREAMS) if (top.has(stream)) return BY_MIME.get(mime)!;
  return null;
}
