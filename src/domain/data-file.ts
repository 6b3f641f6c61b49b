/**
 * Reads a campaign data file (YAML or JSON) and checks it; errors name file, path and
 * problem, one line each.
 *
 * The file may be hostile (it comes from outside: e-mail, a shared folder): it is read only
 * if it is a regular file of at most MAX_FILE_BYTES of UTF-8 text, refused when nested
 * deeper than MAX_DEPTH (yaml's composer recurses and would overflow the stack) or when its
 * aliases expand more than MAX_ALIAS_COUNT times (a "billion laughs" bomb), and at most
 * MAX_PROBLEMS problems are listed. A real campaign is far inside these limits
 * (data/son-la-2019.yaml: 69 KB, 9 levels, no aliases).
 */
import { open, stat } from "node:fs/promises";
import { LineCounter, Parser, parseDocument } from "yaml";
import type { z } from "zod";
import { type DataFile, DataFileSchema } from "./campaign-file.ts";

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_ALIAS_COUNT = 100;
const MAX_PROBLEMS = 20;

export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string }[],
  ) {
    const lines = problems.slice(0, MAX_PROBLEMS).map((p) => `${file}: ${p.path || "(top)"}: ${p.message}`);
    if (problems.length > MAX_PROBLEMS) lines.push(`${file}: and ${problems.length - MAX_PROBLEMS} more problems`);
    super(lines.join("\n"));
    this.name = "DataFileError";
  }
}

/** "questionnaire.areas[2].criteria[0].maxPoints" */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

/**
 * Where the YAML nests collections deeper than MAX_DEPTH (its offset), or null. Walks yaml's
 * concrete syntax tree, which its parser builds without recursion, with a stack of its own.
 */
function tooDeepAt(source: string, lines: LineCounter): number | null {
  type Node = { type?: string; offset?: number; value?: Node; items?: { key?: Node; value?: Node }[] };
  for (const token of new Parser(lines.addNewLine).parse(source)) {
    const stack: [Node, number][] = [[token as Node, 0]];
    for (let entry = stack.pop(); entry; entry = stack.pop()) {
      const [node, outer] = entry;
      const depth = /^(block-map|block-seq|flow-collection)$/.test(node.type ?? "") ? outer + 1 : outer;
      if (depth > MAX_DEPTH) return node.offset ?? 0;
      if (node.value) stack.push([node.value, depth]);
      for (const item of node.items ?? []) {
        if (item.key) stack.push([item.key, depth]);
        if (item.value) stack.push([item.value, depth]);
      }
    }
  }
  return null;
}

export function parseDataFile(file: string, source: string): DataFile {
  const lines = new LineCounter();
  const line = (offset: number) => `line ${lines.linePos(offset).line}`;
  const deep = tooDeepAt(source, lines);
  if (deep !== null)
    throw new DataFileError(file, [{ path: line(deep), message: `nested more than ${MAX_DEPTH} levels deep` }]);

  const doc = parseDocument(source, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new DataFileError(
      file,
      doc.errors.map((e) => ({ path: line(e.pos[0]), message: e.message.split("\n")[0]! })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    throw new DataFileError(file, [
      { path: "", message: `aliases expand too much (more than ${MAX_ALIAS_COUNT} uses of anchored content)` },
    ]);
  }
  const result = DataFileSchema.safeParse(data);
  if (!result.success) {
    throw new DataFileError(
      file,
      result.error.issues.map((i: z.core.$ZodIssue) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  return result.data;
}

/** The file's text: a regular file, at most MAX_FILE_BYTES, UTF-8. */
async function readSource(file: string): Promise<string> {
  const refuse = (message: string) => new DataFileError(file, [{ path: "", message }]);
  try {
    // stat before open: opening a named pipe would wait for a writer forever.
    if (!(await stat(file)).isFile()) throw refuse("not a regular file");
    const handle = await open(file, "r");
    try {
      // Read one byte past the limit, in case the file grew since stat().
      const buffer = Buffer.alloc(Math.min((await handle.stat()).size, MAX_FILE_BYTES) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > MAX_FILE_BYTES) throw refuse(`the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB`);
      return new TextDecoder("utf-8", { fatal: true }).decode(buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    if (e instanceof TypeError) throw refuse("not UTF-8 text");
    const code = (e as NodeJS.ErrnoException).code;
    throw refuse(code === "ENOENT" ? "file not found" : code === "EACCES" ? "not readable" : String(e));
  }
}

export async function loadDataFile(file: string): Promise<DataFile> {
  return parseDataFile(file, await readSource(file));
}
