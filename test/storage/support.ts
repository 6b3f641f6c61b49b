/**
 * The two real file stores side by side, each with a way to see everything it keeps: every
 * file under the local store's folder (temporary ones too), every row of the database
 * store's tables (unfinished objects too). Tests that say "nothing is left" look there.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { DatabaseFileStore } from "../../src/storage/database-store.ts";
import type { FileStore } from "../../src/storage/file-store.ts";
import { LocalFileStore } from "../../src/storage/local-store.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { tempDir } from "../support/temp.ts";

export interface Backend {
  store: FileStore;
  /** Everything kept: relative file paths, or "object <key>" / "chunk <key> <seq>" rows. */
  everything(): Promise<string[]>;
}

export const BACKENDS = ["local", "database"] as const;

let database: TestDatabase | undefined;

/** One database per test file, shared by its database-backed stores. */
export async function testDatabase(): Promise<TestDatabase> {
  database ??= await createTestDatabase();
  return database;
}

const stores: FileStore[] = [];
function track(store: FileStore): FileStore {
  stores.push(store);
  return store;
}

/** Closes the stores opened on the test database, then the database. */
export async function closeTestDatabase(): Promise<void> {
  for (const store of stores.splice(0)) await store.close();
  await database?.destroy();
  database = undefined;
}

async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, path)));
    else out.push(path);
  }
  return out;
}

export async function openBackend(kind: (typeof BACKENDS)[number]): Promise<Backend> {
  if (kind === "local") {
    const dir = join(tempDir("files"), "files");
    return {
      store: new LocalFileStore(dir),
      everything: async () => (await filesUnder(dir).catch(() => [])).sort(),
    };
  }
  const database = await testDatabase();
  const { db } = database;
  // A fresh start for each test: the tables are shared by the file's tests.
  await db.fileChunk.deleteMany();
  await db.fileObject.deleteMany();
  return {
    store: track(new DatabaseFileStore(database)),
    everything: async () => [
      ...(await db.fileObject.findMany({ orderBy: { key: "asc" } })).map((o) => `object ${o.key}`),
      ...(
        await db.fileChunk.findMany({
          select: { objectKey: true, seq: true },
          orderBy: [{ objectKey: "asc" }, { seq: "asc" }],
        })
      ).map((c) => `chunk ${c.objectKey} ${c.seq}`),
    ],
  };
}

/** `bytes` as a stream of pieces of uneven sizes (1 B to 100 KB), as a network delivers them. */
export function streamOf(bytes: Buffer, options: { failAfter?: number } = {}): Readable & { produced: () => number } {
  let produced = 0;
  let size = 1;
  async function* pieces() {
    while (produced < bytes.length) {
      if (options.failAfter !== undefined && produced >= options.failAfter) throw new Error("connection reset by peer");
      size = (size * 7919 + 13) % 100_000 || 1;
      const piece = bytes.subarray(produced, produced + size);
      produced += piece.length;
      yield piece;
    }
  }
  return Object.assign(Readable.from(pieces(), { objectMode: false }), { produced: () => produced });
}

export async function bytesOfStream(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

/** Array.fromAsync, which Node 20 lacks. */
export async function allOf<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
