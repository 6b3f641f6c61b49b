/**
 * The file store the settings ask for (FILE_STORAGE, FILES_DIR, MAX_FILE_MB in config.ts).
 * Both config shapes (the bot's and the command line's) carry these settings.
 *
 * Keeping an evidence file, outside any database transaction:
 *   const object = await store.put(download, { maxBytes: maxFileBytes(config) }); // TooLarge?
 *   const type = await sniffStoredFile(store, object);
 *   if (!type) await store.delete(object.key);  // refused: not an allowed kind
 *   else … write the Evidence row with object.key, size, sha256 and type.mime …
 * and now and then (at start, say) `store.sweep()` for what a crash mid-put left.
 */
import type { Database } from "../db/client.ts";
import { DatabaseFileStore } from "./database-store.ts";
import type { FileStore } from "./file-store.ts";
import { LocalFileStore } from "./local-store.ts";

export { DatabaseFileStore } from "./database-store.ts";
export {
  type ByteRange,
  type FileStore,
  HEAD_BYTES,
  InvalidKey,
  isKey,
  type StoredObject,
  TooLarge,
} from "./file-store.ts";
export { LocalFileStore } from "./local-store.ts";
export { ALLOWED_TYPES, type SniffedType, sniffFileType, sniffStoredFile } from "./sniff.ts";

export interface FileStoreConfig {
  FILE_STORAGE: "local" | "database";
  /** Relative to the working directory, as DATABASE_URL's file path is. */
  FILES_DIR: string;
  MAX_FILE_MB: number;
}

/**
 * `database`: the application's (used only when FILE_STORAGE=database). Close the store
 * before the database: the database store holds connections of its own.
 */
export function createFileStore(config: FileStoreConfig, database: Database): FileStore {
  return config.FILE_STORAGE === "database" ? new DatabaseFileStore(database) : new LocalFileStore(config.FILES_DIR);
}

/** MAX_FILE_MB in bytes, for put's maxBytes (MB as Telegram counts them: 2^20 bytes). */
export function maxFileBytes(config: Pick<FileStoreConfig, "MAX_FILE_MB">): number {
  return config.MAX_FILE_MB * 1024 * 1024;
}
