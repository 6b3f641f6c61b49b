/**
 * `npm run cli -- backup <dir>` and `restore <dir>`: the database and the evidence files,
 * together, in a folder (layout in manifest.ts).
 *
 * Backup, while the bot runs: the database first (a consistent copy, database-copy.ts), then
 * the file objects. Objects are immutable and written before any row names them, so every
 * object the copied database names was already there when the copy was taken; one deleted
 * since would show up as missing, and is reported. Everything is written into a temporary
 * folder beside the target and renamed into place last: a folder named as asked always
 * holds a whole backup.
 *
 * Restore, with the bot stopped: checks first (a backup at all, the same kind of database,
 * the copy's sha256, a schema this bot knows, an empty target or --force), and only then
 * replaces the database and puts the files into the configured store (FILE_STORAGE), the
 * keys unchanged, whichever store they came from.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { type Database, openDatabase } from "../db/client.ts";
import { readMigrations } from "../db/migrate.ts";
import { libpqEnv } from "../db/pg-connection.ts";
import { providerOf, sqlitePath } from "../db/url.ts";
import { audit } from "../domain/audit.ts";
import { formatDateTime } from "../domain/time.ts";
import { createFileStore, DatabaseFileStore, type FileStoreConfig, LocalFileStore } from "../storage/index.ts";
import {
  copySqlite,
  dumpPostgres,
  postgresTarget,
  restorePostgres,
  restoreSqlite,
  sqliteTarget,
  syncFile,
  type TargetSummary,
} from "./database-copy.ts";
import { BackupError } from "./errors.ts";
import {
  BACKUP_FORMAT,
  DATABASE_FILE,
  FILES_FOLDER,
  MANIFEST_FILE,
  type Manifest,
  readManifest,
  sha256File,
} from "./manifest.ts";

export { BackupError } from "./errors.ts";
export type { Manifest } from "./manifest.ts";

export interface BackupConfig extends FileStoreConfig {
  DATABASE_URL: string;
  TZ: string;
}

export interface BackupOptions {
  /** Replace a backup already in the folder (backup) / overwrite a database with data (restore). */
  force?: boolean;
  /** Who runs it, for the audit log ("cli:user@host"). */
  by: string;
}

/** Files are copied whatever their size: the store's own limit applied when they came in. */
const ANY_SIZE = Number.MAX_SAFE_INTEGER;

export const DATABASE_NAMES = { sqlite: "SQLite", postgresql: "PostgreSQL" } as const;

/** The database a URL names, for messages: a path, or database (host:port); never a password. */
export function databaseLabel(url: string): string {
  if (providerOf(url) === "sqlite") return sqlitePath(url);
  const env = libpqEnv(url);
  return `${env.PGDATABASE} (${env.PGHOST}:${env.PGPORT})`;
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

async function allKeys(keys: AsyncIterable<string>): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const key of keys) out.add(key);
  return out;
}

// ---------------------------------------------------------------- backup

export interface BackupReport {
  dir: string;
  manifest: Manifest;
  /** The local store's folder the files came from (FILE_STORAGE=local). */
  filesFrom: string | null;
  seconds: number;
}

/** Whether `dir` may receive a backup: absent, empty, or (with force) holding a backup. */
async function checkBackupTarget(dir: string, config: BackupConfig, force: boolean): Promise<boolean> {
  if (!existsSync(dir)) return false;
  if (!(await stat(dir)).isDirectory()) throw new BackupError("cli.backup.not_empty", { dir });
  const entries = await readdir(dir);
  if (entries.length === 0) return false;
  if (!entries.includes(MANIFEST_FILE)) throw new BackupError("cli.backup.not_empty", { dir });
  if (force) return true;
  const existing = await readManifest(dir).catch(() => null);
  throw new BackupError("cli.backup.exists", {
    dir,
    createdAt: existing ? formatDateTime(new Date(existing.createdAt), config.TZ) : "?",
  });
}

export async function createBackup(
  config: BackupConfig,
  database: Database,
  dirArg: string,
  options: BackupOptions,
): Promise<BackupReport> {
  const started = performance.now();
  const dir = resolve(dirArg);
  const provider = providerOf(config.DATABASE_URL);
  const replacing = await checkBackupTarget(dir, config, options.force ?? false);
  const suffix = randomBytes(4).toString("hex");
  const temp = join(dirname(dir), `.${basename(dir)}.partial-${suffix}`);
  await mkdir(temp, { recursive: true });
  let manifest: Manifest;
  try {
    const createdAt = new Date();
    const databaseFile = join(temp, DATABASE_FILE[provider]);
    const contents =
      provider === "sqlite"
        ? await copySqlite(config.DATABASE_URL, databaseFile)
        : await dumpPostgres(config.DATABASE_URL, databaseFile);

    let files = 0;
    let bytes = 0;
    let present: Set<string>;
    if (config.FILE_STORAGE === "local") {
      // After the database copy: every object it names is there already (see above).
      const source = createFileStore(config, database);
      const into = new LocalFileStore(join(temp, FILES_FOLDER));
      present = new Set();
      for await (const key of source.keys()) {
        const stream = await source.get(key);
        if (!stream) continue; // deleted since it was listed
        const object = await into.putAt(key, stream, { maxBytes: ANY_SIZE });
        files++;
        bytes += object.size;
        present.add(key);
      }
    } else {
      // The files are rows of the database: the copy holds them.
      present = contents.objectKeys;
      files = present.size;
      bytes = contents.objectBytes;
    }
    const missing = [...contents.referencedKeys].filter((k) => !present.has(k)).sort();

    manifest = {
      format: BACKUP_FORMAT,
      app: "cchc-bot",
      createdAt: createdAt.toISOString(),
      database: {
        kind: provider,
        file: DATABASE_FILE[provider],
        bytes: (await stat(databaseFile)).size,
        sha256: await sha256File(databaseFile),
        schema: contents.schema,
      },
      fileStore: config.FILE_STORAGE,
      counts: { evidence: contents.evidence, files, bytes },
      missing,
    };
    // Last: a folder with a manifest is a whole backup.
    const manifestPath = join(temp, MANIFEST_FILE);
    await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await syncFile(manifestPath);
    await syncFile(temp);

    if (replacing) {
      const old = join(dirname(dir), `.${basename(dir)}.old-${suffix}`);
      await rename(dir, old);
      await rename(temp, dir);
      await rm(old, { recursive: true, force: true });
    } else {
      if (existsSync(dir)) await rmdir(dir); // empty: checked above
      await rename(temp, dir);
    }
    await syncFile(dirname(dir));
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
  await audit(database.db, {
    actorId: null,
    action: "backup.create",
    entity: "Backup",
    entityId: manifest.createdAt,
    after: { dir, by: options.by, database: manifest.database, ...manifest.counts, missing: manifest.missing.length },
  });
  return {
    dir,
    manifest,
    filesFrom: config.FILE_STORAGE === "local" ? resolve(config.FILES_DIR) : null,
    seconds: elapsed(started),
  };
}

// ---------------------------------------------------------------- restore

export interface RestoreReport {
  dir: string;
  manifest: Manifest;
  /** The database replaced (path, or name and server). */
  database: string;
  files: {
    /** copied: from the backup's files/; moved: out of the restored database into the folder; in_dump: nothing to do. */
    how: "copied" | "moved" | "in_dump";
    into: "local" | "database";
    count: number;
    bytes: number;
    /** Objects of the local store that the backup does not have, removed. */
    removed: number;
  };
  evidence: number;
  missing: string[];
  /** What was there before (restore with --force). */
  replaced: TargetSummary & { files: number };
  seconds: number;
}

/** Checks that change nothing; the manifest when the backup may be restored here. */
async function checkRestore(config: BackupConfig, dir: string, force: boolean) {
  const manifest = await readManifest(dir);
  if (!manifest) throw new BackupError("cli.restore.not_backup", { dir });
  const provider = providerOf(config.DATABASE_URL);
  if (manifest.database.kind !== provider) {
    throw new BackupError("cli.restore.wrong_kind", {
      backup: DATABASE_NAMES[manifest.database.kind],
      target: DATABASE_NAMES[provider],
    });
  }
  const databaseFile = join(dir, manifest.database.file);
  if (!existsSync(databaseFile) || (await sha256File(databaseFile)) !== manifest.database.sha256) {
    throw new BackupError("cli.restore.damaged", { file: databaseFile });
  }
  const known = new Set((await readMigrations(provider)).map((m) => m.name));
  if (manifest.database.schema && !known.has(manifest.database.schema)) {
    throw new BackupError("cli.restore.newer_schema", { schema: manifest.database.schema });
  }
  const backupFiles = manifest.fileStore === "local" ? new LocalFileStore(join(dir, FILES_FOLDER)) : null;
  if (backupFiles) {
    const found = (await allKeys(backupFiles.keys())).size;
    if (found !== manifest.counts.files) {
      throw new BackupError("cli.restore.files_damaged", { expected: manifest.counts.files, found });
    }
  }
  const target =
    provider === "sqlite" ? await sqliteTarget(config.DATABASE_URL) : await postgresTarget(config.DATABASE_URL);
  const files = config.FILE_STORAGE === "local" ? (await allKeys(new LocalFileStore(config.FILES_DIR).keys())).size : 0;
  const replaced = { ...target, files };
  if (!force && Object.values(replaced).some((n) => n > 0)) {
    throw new BackupError("cli.restore.not_empty", {
      database: databaseLabel(config.DATABASE_URL),
      filesDir: resolve(config.FILES_DIR),
      ...replaced,
    });
  }
  return { manifest, databaseFile, backupFiles, replaced };
}

export async function restoreBackup(
  config: BackupConfig,
  dirArg: string,
  options: BackupOptions,
): Promise<RestoreReport> {
  const started = performance.now();
  const dir = resolve(dirArg);
  const provider = providerOf(config.DATABASE_URL);
  const { manifest, databaseFile, backupFiles, replaced } = await checkRestore(config, dir, options.force ?? false);

  if (provider === "sqlite") await restoreSqlite(config.DATABASE_URL, databaseFile);
  else await restorePostgres(config.DATABASE_URL, databaseFile);

  // Opening applies the migrations this bot has and the backup had not.
  const database = await openDatabase(config.DATABASE_URL);
  const store = createFileStore(config, database);
  try {
    const files: RestoreReport["files"] = { how: "in_dump", into: store.kind, count: 0, bytes: 0, removed: 0 };
    const wanted = new Set<string>();
    const copy = async (from: LocalFileStore | DatabaseFileStore) => {
      for await (const key of from.keys()) {
        const stream = await from.get(key);
        if (!stream) continue;
        const object = await store.putAt(key, stream, { maxBytes: ANY_SIZE });
        files.count++;
        files.bytes += object.size;
        wanted.add(key);
      }
    };
    if (backupFiles) {
      files.how = "copied";
      await copy(backupFiles);
    } else if (store.kind === "local") {
      // Kept in the database at backup time, kept in a folder now: moved out of the rows,
      // which are removed only once every file is in the folder.
      files.how = "moved";
      const inDatabase = new DatabaseFileStore(database);
      try {
        await copy(inDatabase);
        for (const key of wanted) await inDatabase.delete(key);
      } finally {
        await inDatabase.close();
      }
    } else {
      files.count = manifest.counts.files;
      files.bytes = manifest.counts.bytes;
    }
    if (store.kind === "local") {
      // Files of the folder that the restored database cannot name (added after the backup).
      const extra = [...(await allKeys(store.keys()))].filter((k) => !wanted.has(k));
      for (const key of extra) await store.delete(key);
      files.removed = extra.length;
    }

    const present = await allKeys(store.keys());
    const referenced = await database.db.evidence.findMany({
      where: { storageKey: { not: null } },
      select: { storageKey: true },
      distinct: ["storageKey"],
    });
    const missing = referenced.map((e) => e.storageKey!).filter((k) => !present.has(k));
    const evidence = await database.db.evidence.count();
    // Into the restored database: the one that goes on.
    await audit(database.db, {
      actorId: null,
      action: "backup.restore",
      entity: "Backup",
      entityId: manifest.createdAt,
      after: { dir, by: options.by, database: manifest.database, files, evidence, missing: missing.length, replaced },
    });
    return {
      dir,
      manifest,
      database: databaseLabel(config.DATABASE_URL),
      files,
      evidence,
      missing,
      replaced,
      seconds: elapsed(started),
    };
  } finally {
    await store.close();
    await database.close();
  }
}
