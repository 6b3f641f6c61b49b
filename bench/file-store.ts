/**
 * File store memory and throughput check (issue 11): puts a 10 MB file (then a 30 MB one)
 * through each backend and reads it back, printing MB/s and how far the process's RSS rose above where it was
 * before the transfer (peak, sampled every 2 ms and at every piece). Target: under 10 MB,
 * i.e. the file is streamed, never held whole. Numbers are recorded in bench/FILES.md.
 *
 *   node --expose-gc --max-semi-space-size=2 --import tsx bench/file-store.ts \
 *     [--pg-url postgresql://…] [--mb 10,30] [--runs 3]
 *
 * (--max-semi-space-size=2 as `npm start` runs the bot.)
 *
 * Backends: local (a temporary folder), database on SQLite (a scratch file) and database on
 * PostgreSQL (a scratch database on --pg-url's server, default the local one; skipped if it
 * does not answer). The file is sent as it is made and hashed as it is read back, so the
 * benchmark itself holds no copy of it.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { createScratchDatabase, type ScratchDatabase } from "../src/db/scratch.ts";
import { DatabaseFileStore } from "../src/storage/database-store.ts";
import type { FileStore } from "../src/storage/file-store.ts";
import { LocalFileStore } from "../src/storage/local-store.ts";

const { values: args } = parseArgs({
  options: {
    "pg-url": { type: "string", default: "postgresql://postgres@127.0.0.1:5432/postgres" },
    mb: { type: "string", default: "10,30" },
    runs: { type: "string", default: "3" },
  },
});
const MB = 1024 * 1024;
const sizes = args.mb!.split(",").map((mb) => Number(mb) * MB);
const runs = Number(args.runs);
const gc = (globalThis as { gc?: () => void }).gc;

/** JavaScript heap and Buffer memory in use (live and not yet collected). */
const inUse = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function settle() {
  gc?.();
  await new Promise((r) => setTimeout(r, 50));
}

/**
 * Peak RSS while `work` runs, above the RSS just before it (after a GC, when available), and
 * the heap and Buffer memory still in use after it and a GC: what the store kept.
 */
async function measured<T>(
  work: (sample: () => void) => Promise<T>,
): Promise<{ result: T; ms: number; rssMb: number; keptMb: number }> {
  await settle();
  const before = process.memoryUsage.rss();
  const usedBefore = inUse();
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 2);
  const start = performance.now();
  try {
    const result = await work(sample);
    sample();
    const ms = performance.now() - start;
    clearInterval(timer);
    await settle();
    return { result, ms, rssMb: (peak - before) / MB, keptMb: (inUse() - usedBefore) / MB };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Random 64 KB pieces made before the clock starts and sent in turn, so the memory measured
 * is the store's, not the generator's (a piece is hashed as it is sent; were one reused
 * while the store still held it, the sha256 check would fail).
 */
const PIECES = Array.from({ length: 32 }, () => randomBytes(64 * 1024));

function source(bytes: number, sample: () => void): { stream: Readable; sha256: () => string } {
  const hash = createHash("sha256");
  async function* pieces() {
    for (let sent = 0, i = 0; sent < bytes; i++) {
      const piece = PIECES[i % PIECES.length]!.subarray(0, bytes - sent);
      hash.update(piece);
      sent += piece.length;
      sample();
      yield piece;
    }
  }
  return { stream: Readable.from(pieces(), { objectMode: false }), sha256: () => hash.digest("hex") };
}

async function transfer(store: FileStore, bytes: number) {
  const put = await measured(async (sample) => {
    const input = source(bytes, sample);
    const object = await store.put(input.stream, { maxBytes: bytes });
    if (object.sha256 !== input.sha256()) throw new Error("put: sha256 differs");
    return object;
  });
  const get = await measured(async (sample) => {
    const hash = createHash("sha256");
    let got = 0;
    for await (const piece of (await store.get(put.result.key))!) {
      hash.update(piece as Buffer);
      got += (piece as Buffer).length;
      sample();
    }
    if (got !== bytes || hash.digest("hex") !== put.result.sha256) throw new Error("get: bytes differ");
  });
  await store.delete(put.result.key);
  return { put, get };
}

async function bench(name: string, store: FileStore) {
  await transfer(store, MB); // warm-up: modules, JIT, prepared statements, pool connections
  for (const size of sizes) {
    for (let run = 1; run <= runs; run++) {
      const { put, get } = await transfer(store, size);
      const rate = (ms: number) => ((size / MB / ms) * 1000).toFixed(1).padStart(6);
      const mb = (n: number) => n.toFixed(1).padStart(5);
      const line = (r: { ms: number; rssMb: number; keptMb: number }) =>
        `${rate(r.ms)} MB/s  RSS +${mb(r.rssMb)} MB  kept ${mb(r.keptMb)} MB`;
      console.log(
        `${name.padEnd(21)} ${String(size / MB).padStart(2)} MB #${run}  put ${line(put)}   get ${line(get)}`,
      );
    }
  }
}

console.log(`files of ${args.mb} MB, ${runs} runs each; node ${process.version}${gc ? "" : " (no --expose-gc)"}`);

const dir = mkdtempSync(join(tmpdir(), "cchc-bench-files-"));
try {
  await bench("local", new LocalFileStore(dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

for (const [name, url] of [
  ["database (SQLite)", "file:"],
  ["database (PostgreSQL)", args["pg-url"]!],
] as const) {
  let database: ScratchDatabase;
  try {
    database = await createScratchDatabase(url, "cchc_bench_files");
  } catch (e) {
    console.log(`${name.padEnd(20)} skipped: ${(e as Error).message}`);
    continue;
  }
  try {
    const store = new DatabaseFileStore(database);
    await bench(name, store);
    await store.close();
  } finally {
    await database.destroy();
  }
}
