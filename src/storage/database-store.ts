/**
 * FILE_STORAGE=database: files in the database itself, as FileObject rows and their
 * FileChunk rows, for PostgreSQL deployments of several bot instances (every instance sees
 * every file, and a database backup holds them all). It works on SQLite too, where it only
 * makes the .db file grow by the files' size.
 *
 * Why chunk rows and not PostgreSQL large objects: rows work the same on both providers,
 * are removed with their object in one statement, and pg_dump / VACUUM INTO copy them like
 * any other table.
 *
 * A put writes the object row first, unfinished (completedAt null), then the chunks as the
 * input arrives, a batch at a time, each batch in its own short statement, and last marks
 * the object complete with its size and sha256. It does not hold one transaction for the
 * whole upload: an upload from a phone may last minutes, and a transaction that long would
 * keep SQLite's only write lock from every answer officers send meanwhile, keep one of
 * PostgreSQL's pooled connections (and old row versions) for as long, and outlive Prisma's
 * interactive-transaction timeout. Readers look only at completed objects, so half a file
 * is never visible either way; a put that fails removes its rows, and one cut short by a
 * crash leaves an unfinished object that sweep() removes.
 *
 * The chunks' bytes do not go through the Prisma client: it carries Bytes values as base64
 * inside its JSON query plans, which measured 2-3 MB/s with RSS up 40-100 MB for a 10 MB
 * file (bench/FILES.md). They go through a connection of the store's own (the libsql
 * connection class the client uses, on the same SQLite file; a pg pool of two on
 * PostgreSQL), with Buffers as parameters; the metadata rows stay with Prisma.
 */
import { Readable } from "node:stream";
import pg from "pg";
import { type Database, survivePostgresRestarts } from "../db/client.ts";
import { pgConfig } from "../db/pg-connection.ts";
import { CONNECTION_PRAGMAS } from "../db/sqlite-adapter.ts";
import { SqliteConnection } from "../db/sqlite-connection.ts";
import { sqlitePath } from "../db/url.ts";
import {
  assertKey,
  type ByteRange,
  bytesOf,
  DEFAULT_SWEEP_AGE_MS,
  type FileStore,
  Intake,
  newKey,
  resolveRange,
  type StoredObject,
} from "./file-store.ts";

/**
 * Bytes per chunk row. Small because PostgreSQL hands bytea back to pg as hex text: a
 * value's string is twice its size, and V8 keeps strings over 128 KB in its large-object
 * space, given back only by a full collection; 32 KB chunks (64 KB strings) are freed
 * young. Measured reading 10 MB: 256 KB rows +7-12 MB RSS, 32 KB rows +0.5 MB.
 */
export const CHUNK_BYTES = 32 * 1024;
/** Chunks per statement, both ways: 256 KB a round trip, and the most a put or get holds. */
export const CHUNKS_PER_STATEMENT = 8;

/** Keys listed per query by keys(): a backup of many files never loads them all at once. */
const KEYS_PAGE = 500;

/** The chunk table through a driver connection of the store's own. */
interface ChunkTable {
  /** Rows `firstSeq`, `firstSeq + 1`… of `key`. */
  insert(key: string, firstSeq: number, chunks: Buffer[]): Promise<void>;
  /** Rows `from` to `to` (inclusive) of `key`, in order; fewer if some are missing. */
  read(key: string, from: number, to: number): Promise<{ seq: number; bytes: Buffer }[]>;
  close(): Promise<void>;
}

const SELECT_CHUNKS = (p: (n: number) => string) =>
  `SELECT "seq", "bytes" FROM "FileChunk" WHERE "objectKey" = ${p(1)} AND "seq" BETWEEN ${p(2)} AND ${p(3)} ORDER BY "seq"`;

/** One INSERT of several rows; `p(n)` writes the n-th parameter's placeholder. */
function insertChunks(p: (n: number) => string, key: string, firstSeq: number, chunks: Buffer[]) {
  const rows = chunks.map((_, i) => `(${p(3 * i + 1)}, ${p(3 * i + 2)}, ${p(3 * i + 3)})`);
  return {
    sql: `INSERT INTO "FileChunk" ("objectKey", "seq", "bytes") VALUES ${rows.join(", ")}`,
    args: chunks.flatMap((bytes, i) => [key, firstSeq + i, bytes]),
  };
}

function sqliteChunks(url: string): ChunkTable {
  const path = sqlitePath(url);
  // A second connection to an in-memory database would open another, empty database.
  if (path === ":memory:" || /[?&]mode=memory/.test(url)) throw new Error("FILE_STORAGE=database needs a SQLite file");
  const connection = new SqliteConnection(path);
  const ready = (async () => {
    for (const pragma of CONNECTION_PRAGMAS) await connection.execute(pragma);
  })();
  const p = () => "?";
  return {
    async insert(key, firstSeq, chunks) {
      await ready;
      await connection.execute(insertChunks(p, key, firstSeq, chunks));
    },
    async read(key, from, to) {
      await ready;
      const { rows } = await connection.execute({ sql: SELECT_CHUNKS(p), args: [key, from, to] });
      return rows.map((row) => ({ seq: Number(row[0]), bytes: Buffer.from(row[1] as ArrayBuffer) }));
    },
    async close() {
      connection.close();
    },
  };
}

function postgresChunks(url: string): ChunkTable {
  // Two connections: uploads and downloads of one process take turns on them, and every
  // instance adds only two to the server's count.
  // The URL's TLS settings decide how to connect (src/db/pg-connection.ts), once.
  const pool = pgConfig(url).then(({ config }) => {
    const created = new pg.Pool({ ...config, max: 2 });
    // A lost connection (server restart) fails the statement in progress, not the process.
    survivePostgresRestarts(created, () => {});
    return created;
  });
  const p = (n: number) => `$${n}`;
  return {
    async insert(key, firstSeq, chunks) {
      const { sql, args } = insertChunks(p, key, firstSeq, chunks);
      await (await pool).query(sql, args);
    },
    async read(key, from, to) {
      const { rows } = await (await pool).query<{ seq: number; bytes: Buffer }>(SELECT_CHUNKS(p), [key, from, to]);
      return rows;
    },
    async close() {
      await (await pool).end();
    },
  };
}

export class DatabaseFileStore implements FileStore {
  readonly kind = "database";
  readonly #database: Pick<Database, "db" | "provider" | "url">;
  readonly #chunkBytes: number;
  #chunks: ChunkTable | undefined;

  /** `database`: the application's; the store opens its own chunk connection on first use. */
  constructor(database: Pick<Database, "db" | "provider" | "url">, options: { chunkBytes?: number } = {}) {
    this.#database = database;
    this.#chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  }

  get #table(): ChunkTable {
    const { provider, url } = this.#database;
    this.#chunks ??= provider === "sqlite" ? sqliteChunks(url) : postgresChunks(url);
    return this.#chunks;
  }

  get #db() {
    return this.#database.db;
  }

  put(input: Readable, options: { maxBytes: number }): Promise<StoredObject> {
    return this.#write(newKey(), input, options);
  }

  async putAt(key: string, input: Readable, options: { maxBytes: number }): Promise<StoredObject> {
    assertKey(key);
    await this.#remove([key]);
    return this.#write(key, input, options);
  }

  async #write(key: string, input: Readable, options: { maxBytes: number }): Promise<StoredObject> {
    const intake = new Intake(options.maxBytes);
    const size = this.#chunkBytes;
    await this.#db.fileObject.create({ data: { key, chunkSize: size } });
    try {
      // One batch of chunks, allocated once and filled again after each write (the driver
      // is done with the bytes once the statement has returned): arriving pieces are
      // copied in, so memory holds one batch whatever sizes the input comes in, and a put
      // leaves no garbage of its size behind for the collector.
      const batch = Array.from({ length: CHUNKS_PER_STATEMENT }, () => Buffer.allocUnsafe(size));
      let written = 0;
      let full = 0;
      let filled = 0;
      const write = async (chunks: Buffer[]) => {
        await this.#table.insert(key, written, chunks);
        written += chunks.length;
        full = 0;
      };
      for await (const piece of bytesOf(input)) {
        intake.take(piece);
        for (let offset = 0; offset < piece.length; ) {
          const n = piece.copy(batch[full]!, filled, offset);
          filled += n;
          offset += n;
          if (filled < size) continue;
          full++;
          filled = 0;
          // Awaited here: the input is read no faster than the database writes.
          if (full === CHUNKS_PER_STATEMENT) await write(batch);
        }
      }
      const rest = batch.slice(0, full);
      if (filled > 0) rest.push(batch[full]!.subarray(0, filled));
      if (rest.length > 0) await write(rest);
      const object = intake.done(key);
      await this.#db.fileObject.update({
        where: { key },
        data: { size: object.size, sha256: object.sha256, completedAt: new Date() },
      });
      return object;
    } catch (e) {
      // If the database itself failed this may fail too: sweep() removes the rows later.
      await this.#remove([key]).catch(() => {});
      throw e;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable | null> {
    assertKey(key);
    const object = await this.#db.fileObject.findFirst({
      where: { key, completedAt: { not: null } },
      select: { size: true, chunkSize: true },
    });
    if (!object) return null;
    const { start, end } = resolveRange(object.size, range);
    const table = this.#table;
    async function* chunks(): AsyncGenerator<Buffer> {
      if (end < start) return;
      const { chunkSize } = object!;
      const first = Math.floor(start / chunkSize);
      const last = Math.floor(end / chunkSize);
      // A batch per query, asked for only when the reader has taken the previous one
      // (Readable.from pulls on demand): memory holds a batch or two.
      for (let from = first; from <= last; from += CHUNKS_PER_STATEMENT) {
        const to = Math.min(from + CHUNKS_PER_STATEMENT - 1, last);
        const rows = await table.read(key, from, to);
        if (rows.length !== to - from + 1) throw new Error(`file ${key}: chunks ${from}-${to} are missing (deleted?)`);
        for (const { seq, bytes } of rows) {
          const cutStart = seq === first ? start - seq * chunkSize : 0;
          const cutEnd = seq === last ? end - seq * chunkSize + 1 : bytes.length;
          yield bytes.subarray(cutStart, cutEnd);
        }
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.#remove([key]);
  }

  async #remove(keys: string[]): Promise<void> {
    // One transaction: the object goes with all of its chunks or not at all.
    await this.#db.$transaction([
      this.#db.fileObject.deleteMany({ where: { key: { in: keys } } }),
      this.#db.fileChunk.deleteMany({ where: { objectKey: { in: keys } } }),
    ]);
  }

  async *keys(): AsyncIterable<string> {
    let after: string | undefined;
    for (;;) {
      const page = await this.#db.fileObject.findMany({
        where: { completedAt: { not: null }, ...(after ? { key: { gt: after } } : {}) },
        orderBy: { key: "asc" },
        take: KEYS_PAGE,
        select: { key: true },
      });
      for (const { key } of page) yield key;
      if (page.length < KEYS_PAGE) return;
      after = page.at(-1)!.key;
    }
  }

  async sweep(olderThanMs = DEFAULT_SWEEP_AGE_MS): Promise<number> {
    const abandoned = await this.#db.fileObject.findMany({
      where: { completedAt: null, createdAt: { lt: new Date(Date.now() - olderThanMs) } },
      select: { key: true },
    });
    if (abandoned.length > 0) await this.#remove(abandoned.map((o) => o.key));
    return abandoned.length;
  }

  async close(): Promise<void> {
    const chunks = this.#chunks;
    this.#chunks = undefined;
    await chunks?.close();
  }
}
