/**
 * A backup folder:
 *   manifest.json      what this is (written last: a folder without it is no backup)
 *   database.sqlite    SQLite: the VACUUM INTO copy     | PostgreSQL: database.pgdump (pg_dump -Fc)
 *   files/aa/bb/<key>  the evidence files (FILE_STORAGE=local; the local store's own layout)
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { BackupError } from "./errors.ts";

export const BACKUP_FORMAT = 1;
export const MANIFEST_FILE = "manifest.json";
export const FILES_FOLDER = "files";
export const DATABASE_FILE = { sqlite: "database.sqlite", postgresql: "database.pgdump" } as const;

const count = z.number().int().min(0);

export const Manifest = z.object({
  format: z.number().int(),
  app: z.literal("cchc-bot"),
  createdAt: z.iso.datetime(),
  database: z.object({
    kind: z.enum(["sqlite", "postgresql"]),
    file: z.enum([DATABASE_FILE.sqlite, DATABASE_FILE.postgresql]),
    bytes: count,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    /** The last migration in the copy: a newer bot's backup is not restored by an older one. */
    schema: z.string().nullable(),
  }),
  /** Where the files were: "local" (copied into files/) or "database" (inside the copy). */
  fileStore: z.enum(["local", "database"]),
  counts: z.object({ evidence: count, files: count, bytes: count }),
  /** Evidence keys the copied database names that no store held at backup time. */
  missing: z.array(z.string()),
});
export type Manifest = z.infer<typeof Manifest>;

/**
 * The manifest of the backup in `dir`; null if there is none or it cannot be read as one.
 * Throws for a backup of another format (a newer bot's).
 */
export async function readManifest(dir: string): Promise<Manifest | null> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8"));
  } catch {
    return null;
  }
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof format === "number" && format !== BACKUP_FORMAT)
    throw new BackupError("cli.restore.format", { format, supported: BACKUP_FORMAT });
  const parsed = Manifest.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Hex sha256 of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}
