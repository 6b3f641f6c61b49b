/**
 * Where the province's own copies of evidence files (and generated exports) live: one small
 * interface, two real backends chosen by FILE_STORAGE —
 *   "local": a folder beside the SQLite database (default), one file per object;
 *   "database": the database itself, in chunks, for PostgreSQL deployments with several bot
 *               instances (every instance sees every file, backups hold everything).
 * Objects are streamed in and out: memory never holds a whole file.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Readable } from "node:stream";

/**
 * Bytes of an object's beginning kept in StoredObject.head: what `file-type` reads to tell
 * most formats apart (its reasonableDetectionSizeInBytes), so sniffing a new upload costs
 * no second read. Formats whose answer may lie further (zip-based office files, OLE2) are
 * read again through `get` with a range (src/storage/sniff.ts).
 */
export const HEAD_BYTES = 4100;

export interface StoredObject {
  /** Opaque id of the object in its store (never built from a file name). */
  key: string;
  size: number;
  /** Hex sha256 of the bytes. */
  sha256: string;
  /** The first HEAD_BYTES bytes (fewer for a smaller object), for sniffing the type. */
  head: Buffer;
}

/** First and last byte to read, both inclusive and from 0, as in HTTP's Range header. */
export interface ByteRange {
  start?: number;
  end?: number;
}

/** The object is larger than allowed; nothing of it is kept. */
export class TooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = "TooLarge";
  }
}

/**
 * A key that no store could have made. Keys come from our own rows, so one that does not
 * match is a bug or an attack (a path such as "../../etc/passwd"): refused, never looked up.
 */
export class InvalidKey extends Error {
  constructor(key: string) {
    super(`not a file store key: ${JSON.stringify(key.slice(0, 80))}`);
    this.name = "InvalidKey";
  }
}

/**
 * Call it outside database transactions: the database store's statements run apart from the
 * caller's transaction, and on SQLite they wait for it to end, so a put from inside one never
 * returns (seen: the process hung). Store the file first, then write the rows naming its key.
 */
export interface FileStore {
  readonly kind: "local" | "database";
  /**
   * Streams `input` into a new object. Throws TooLarge (keeping nothing) as soon as more than
   * `maxBytes` arrive, and then stops reading `input` (it is destroyed); an input stream error
   * also keeps nothing.
   */
  put(input: Readable, options: { maxBytes: number }): Promise<StoredObject>;
  /**
   * As put, under a key given rather than a new one, replacing an object of that key: for
   * backups and restores, where rows name objects by their keys. Throws InvalidKey for a
   * key no store could have made.
   */
  putAt(key: string, input: Readable, options: { maxBytes: number }): Promise<StoredObject>;
  /**
   * The object's bytes as a stream (all of them, or `range`); null if there is no such
   * object. Throws InvalidKey for a malformed key, RangeError for a range it cannot serve.
   */
  get(key: string, range?: ByteRange): Promise<Readable | null>;
  /** Removes an object (no error if it is gone). */
  delete(key: string): Promise<void>;
  /** Every key, for backups and checks. */
  keys(): AsyncIterable<string>;
  /**
   * Removes what puts interrupted by a crash left behind (a temporary file, unfinished rows)
   * older than `olderThanMs` (default a day: no upload lasts that long); returns how many.
   */
  sweep(olderThanMs?: number): Promise<number>;
  /** Lets go of what the store opened (the database store's own connections). */
  close(): Promise<void>;
}

export const DEFAULT_SWEEP_AGE_MS = 24 * 60 * 60 * 1000;

/** 128 random bits: a key nobody can guess from another one or from the file. */
export function newKey(): string {
  return randomBytes(16).toString("hex");
}

/** Whether `key` has the one form newKey makes: 32 lower-case hex digits. */
export function isKey(key: unknown): key is string {
  return typeof key === "string" && /^[0-9a-f]{32}$/.test(key);
}

export function assertKey(key: string): void {
  if (!isKey(key)) throw new InvalidKey(String(key));
}

/** The range checked and made explicit for an object of `size` bytes. */
export function resolveRange(size: number, range: ByteRange = {}): { start: number; end: number } {
  const start = range.start ?? 0;
  const end = Math.min(range.end ?? size - 1, size - 1);
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (
    !whole(start) ||
    (range.end !== undefined && !whole(range.end)) ||
    (start > end && !(start === 0 && size === 0))
  ) {
    throw new RangeError(`bytes ${start}-${range.end ?? ""} of an object of ${size} bytes`);
  }
  return { start, end };
}

/**
 * What every backend does to the bytes of a put as they pass: hashing, counting (TooLarge
 * as soon as the limit is passed, before the chunk is written anywhere) and keeping the head.
 */
export class Intake {
  readonly #hash = createHash("sha256");
  readonly #head: Buffer[] = [];
  #headLength = 0;
  size = 0;

  constructor(readonly maxBytes: number) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes ${maxBytes}`);
  }

  /** Takes one chunk of the input; throws TooLarge when it passes the limit. */
  take(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw new TooLarge(this.maxBytes);
    this.#hash.update(chunk);
    if (this.#headLength < HEAD_BYTES) {
      // A copy: the caller may reuse the chunk's memory once written.
      const piece = Buffer.from(chunk.subarray(0, HEAD_BYTES - this.#headLength));
      this.#head.push(piece);
      this.#headLength += piece.length;
    }
  }

  done(key: string): StoredObject {
    return { key, size: this.size, sha256: this.#hash.digest("hex"), head: Buffer.concat(this.#head) };
  }
}

/** Chunks of a stream as Buffers (object-mode strings would be text, not bytes). */
export async function* bytesOf(input: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    if (typeof chunk === "string") yield Buffer.from(chunk);
    else if (Buffer.isBuffer(chunk)) yield chunk;
    else if (chunk instanceof Uint8Array) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw new TypeError("a file store takes a stream of bytes");
  }
}
