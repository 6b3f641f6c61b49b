/**
 * Where the province's own copies of evidence files (and generated exports) live: one small
 * interface, two real backends chosen by FILE_STORAGE —
 *   "local": a folder beside the SQLite database (default), one file per object;
 *   "database": the database itself, in chunks, for PostgreSQL deployments with several bot
 *               instances (every instance sees every file, backups hold everything).
 * Objects are streamed in and out: memory never holds a whole file.
 */
import type { Readable } from "node:stream";

export interface StoredObject {
  /** Opaque id of the object in its store (never built from a file name). */
  key: string;
  size: number;
  /** Hex sha256 of the bytes. */
  sha256: string;
  /** The first bytes (up to 4 KB), for sniffing the type without reading the object again. */
  head: Buffer;
}

/** The object is larger than allowed; nothing of it is kept. */
export class TooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = "TooLarge";
  }
}

export interface FileStore {
  readonly kind: "local" | "database";
  /**
   * Streams `input` into a new object. Throws TooLarge (keeping nothing) as soon as more than
   * `maxBytes` arrive; an input stream error also keeps nothing.
   */
  put(input: Readable, options: { maxBytes: number }): Promise<StoredObject>;
  /** The object's bytes as a stream; null if there is no such object. */
  get(key: string): Promise<Readable | null>;
  /** Removes an object (no error if it is gone). */
  delete(key: string): Promise<void>;
  /** Every key, for backups and checks. */
  keys(): AsyncIterable<string>;
}
