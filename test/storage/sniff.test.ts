/**
 * The type of a file from its bytes alone (src/storage/sniff.ts): every allowed kind from a
 * real minimal sample, every refused kind, and the cases where the head cannot tell and the
 * stored object is read further, on both backends.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { HEAD_BYTES } from "../../src/storage/file-store.ts";
import { ALLOWED_TYPES, sniffFileType, sniffStoredFile } from "../../src/storage/sniff.ts";
import * as sample from "./samples.ts";
import { BACKENDS, closeTestDatabase, openBackend } from "./support.ts";

afterAll(closeTestDatabase);

const DOCM_TYPE = "application/vnd.ms-word.document.macroEnabled.main+xml";

/** Samples and what they are (ext, label), or null: refused. */
async function samples(): Promise<[string, Buffer, [string, string] | null][]> {
  return [
    ["PDF", sample.pdf(), ["pdf", "PDF"]],
    ["Word 97-2003", sample.cfb(sample.DOC_STREAMS), ["doc", "Word"]],
    ["Word (docx)", sample.docx(), ["docx", "Word"]],
    ["Excel 97-2003", sample.cfb(sample.XLS_STREAMS), ["xls", "Excel"]],
    ["Excel (xlsx, by exceljs)", await sample.xlsx(), ["xlsx", "Excel"]],
    ["PowerPoint 97-2003", sample.cfb(sample.PPT_STREAMS), ["ppt", "PowerPoint"]],
    ["PowerPoint (pptx)", sample.pptx(), ["pptx", "PowerPoint"]],
    ["OpenDocument text", sample.odf(sample.ODT), ["odt", "OpenDocument Text"]],
    ["OpenDocument spreadsheet", sample.odf(sample.ODS), ["ods", "OpenDocument Spreadsheet"]],
    ["OpenDocument presentation", sample.odf(sample.ODP), ["odp", "OpenDocument Presentation"]],
    ["JPEG", sample.jpeg(), ["jpg", "JPEG"]],
    ["PNG", sample.png(), ["png", "PNG"]],
    ["WebP", sample.webp(), ["webp", "WebP"]],
    ["HEIC (iPhone photo)", sample.heic(), ["heic", "HEIC"]],
    ["HEIF", sample.heic("mif1"), ["heif", "HEIF"]],
    ["a Windows program (MZ)", sample.exe(), null],
    ["a shell script", sample.shellScript(), null],
    ["a web page", sample.html(), null],
    ["plain text", sample.text(), null],
    ["a zip of photos", sample.plainZip(), null],
    ["a Windows Installer package (OLE2)", sample.cfb(sample.MSI_STREAMS), null],
    [
      "an OLE2 file with a Word document only deep inside",
      sample.cfb([{ storage: "ObjectPool", entries: ["WordDocument"] }]),
      null,
    ],
    [
      "a macro-enabled Word document",
      sample.zip([
        {
          name: "[Content_Types].xml",
          data: `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="${DOCM_TYPE}"/></Types>`,
        },
        { name: "word/document.xml", data: "<w:document/>" },
      ]),
      null,
    ],
    ["a PDF signature inside a web page", Buffer.concat([Buffer.from("<html>"), sample.pdf()]), null],
    ["random bytes", randomBytes(5000), null],
    ["an empty file", Buffer.alloc(0), null],
  ];
}

describe("sniffFileType (the head alone)", async () => {
  it.each(await samples())("%s", async (_name, bytes, expected) => {
    const found = await sniffFileType(bytes.subarray(0, HEAD_BYTES));
    if (!expected) return expect(found).toBeNull();
    expect(found).toMatchObject({ ext: expected[0], label: expected[1] });
    expect(ALLOWED_TYPES).toContainEqual(found);
  });

  it("says nothing where the deciding bytes lie past the head", async () => {
    expect(await sniffFileType(sample.cfb(sample.DOC_STREAMS, 20).subarray(0, HEAD_BYTES))).toBeNull();
    expect(await sniffFileType(sample.pptx(true, 8000).subarray(0, HEAD_BYTES))).toBeNull();
  });

  it("allows only the kinds issue 11 names", () => {
    expect(ALLOWED_TYPES.map((t) => t.ext).sort()).toEqual(
      [
        "doc",
        "docx",
        "heic",
        "heif",
        "jpg",
        "odp",
        "ods",
        "odt",
        "pdf",
        "png",
        "ppt",
        "pptx",
        "webp",
        "xls",
        "xlsx",
      ].sort(),
    );
  });
});

describe.each(BACKENDS)("sniffStoredFile on the %s store", (kind) => {
  const put = async (bytes: Buffer) => {
    const { store } = await openBackend(kind);
    return { store, object: await store.put(Readable.from([bytes]), { maxBytes: 10 * 1024 * 1024 }) };
  };

  it("tells every sample as the head does", async () => {
    const { store } = await openBackend(kind);
    for (const [name, bytes, expected] of await samples()) {
      const object = await store.put(Readable.from([bytes]), { maxBytes: 1024 * 1024 });
      expect({ name, found: (await sniffStoredFile(store, object))?.ext ?? null }).toEqual({
        name,
        found: expected?.[0] ?? null,
      });
    }
  });

  it.each([
    ["Word", sample.DOC_STREAMS, "doc"],
    ["Excel", sample.XLS_STREAMS, "xls"],
    ["PowerPoint", sample.PPT_STREAMS, "ppt"],
  ])("reads a %s 97-2003 file's directory where it lies, past the head", async (_name, streams, ext) => {
    const { store, object } = await put(sample.cfb(streams, 40));
    expect(object.size).toBeGreaterThan(HEAD_BYTES * 4);
    expect((await sniffStoredFile(store, object))?.ext).toBe(ext);
  });

  it("still refuses an installer whose directory lies past the head", async () => {
    const { store, object } = await put(sample.cfb(sample.MSI_STREAMS, 40));
    expect(await sniffStoredFile(store, object)).toBeNull();
  });

  it("reads a zip further when its [Content_Types].xml comes after the first 4 KB", async () => {
    const { store, object } = await put(sample.pptx(true, 200_000));
    expect((await sniffStoredFile(store, object))?.ext).toBe("pptx");
  });

  it("still refuses a large zip that is no office document", async () => {
    const { store, object } = await put(
      sample.zip([
        { name: "anh.png", data: Buffer.concat([sample.png(), randomBytes(300_000)]) },
        { name: "setup.exe", data: sample.exe() },
      ]),
    );
    expect(await sniffStoredFile(store, object)).toBeNull();
  });
});
