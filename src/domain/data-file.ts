/** Reads a campaign data file (YAML or JSON) and checks it; errors name file, path and problem. */
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { type DataFile, DataFileSchema } from "./campaign-file.ts";

export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(problems.map((p) => `${file}: ${p.path || "(top)"}: ${p.message}`).join("\n"));
    this.name = "DataFileError";
  }
}

/** "questionnaire.areas[2].criteria[0].maxPoints" */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

export function parseDataFile(file: string, source: string): DataFile {
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new DataFileError(
      file,
      doc.errors.map((e) => ({ path: `line ${e.linePos?.[0]?.line ?? "?"}`, message: e.message.split("\n")[0]! })),
    );
  }
  const result = DataFileSchema.safeParse(doc.toJS());
  if (!result.success) {
    throw new DataFileError(
      file,
      result.error.issues.map((i: z.core.$ZodIssue) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  return result.data;
}

export async function loadDataFile(file: string): Promise<DataFile> {
  let source: string;
  try {
    source = await readFile(file, "utf8");
  } catch (e) {
    throw new DataFileError(file, [
      { path: "", message: (e as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(e) },
    ]);
  }
  return parseDataFile(file, source);
}
