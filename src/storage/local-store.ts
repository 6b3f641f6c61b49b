/**
 * FILE_STORAGE=local: one file per object in a folder (by default data/files, beside the
 * SQLite database), at `<aa>/<bb>/<key>` where aa and bb are the key's first hex digits, so
 * no folder grows past 256 entries per level however many files the province sends.
 *
 * A put writes to a temporary file in the same folder (same file system, so the rename is
 * atomic) while hashing and counting, fsyncs it, renames it into place and fsyncs the
 * folder: after put returns, the file survives a power cut, and before it returns no
 * reader can see half of it. Paths are made only from keys this module made and checks
 * (32 hex digits): never from a name a person gave.
 */
import { mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  assertKey,
  type ByteRange,
  bytesOf,
  DEFAULT_SWEEP_AGE_MS,
  type FileStore,
  Intake,
  isKey,
  newKey,
  resolveRange,
  type StoredObject,
} from "./file-store.ts";

/** Temporary files of puts in progress: in the root folder, never matched as a key. */
const TEMP_PREFIX = ".put-";
const HEX2 = /^[0-9a-f]{2}$/;

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === "ENOENT";
}

/** Makes a rename (or a new entry) in `dir` durable: fsync of the folder itself. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class LocalFileStore implements FileStore {
  readonly kind = "local";

  /** `dir`: the folder that holds the files (created when first needed). */
  constructor(readonly dir: string) {}

  #path(key: string): string {
    assertKey(key);
    return join(this.dir, key.slice(0, 2), key.slice(2, 4), key);
  }

  put(input: Readable, options: { maxBytes: number }): Promise<StoredObject> {
    return this.#write(newKey(), input, options);
  }

  async putAt(key: string, input: Readable, options: { maxBytes: number }): Promise<StoredObject> {
    assertKey(key);
    return this.#write(key, input, options);
  }

  /** The rename replaces an object of the same key in one step: readers see the old or the new. */
  async #write(key: string, input: Readable, options: { maxBytes: number }): Promise<StoredObject> {
    const intake = new Intake(options.maxBytes);
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `${TEMP_PREFIX}${key}`);
    // "wx": a fresh file of our own; 0o600: evidence is read by the bot only.
    const handle = await open(temp, "wx", 0o600);
    try {
      try {
        // One write at a time, awaited: the input is read no faster than the disk takes it.
        for await (const chunk of bytesOf(input)) {
          intake.take(chunk);
          // write(2) may take less than asked (a signal, a full disk about to fail): the rest follows.
          for (let done = 0; done < chunk.length; ) done += (await handle.write(chunk, done)).bytesWritten;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      const path = this.#path(key);
      const folder = join(path, "..");
      await mkdir(folder, { recursive: true });
      await rename(temp, path);
      await syncDir(folder);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    return intake.done(key);
  }

  async get(key: string, range?: ByteRange): Promise<Readable | null> {
    const path = this.#path(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, "r");
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
    try {
      const { start, end } = resolveRange((await handle.stat()).size, range);
      if (end < start) {
        await handle.close();
        return Readable.from([]);
      }
      // The stream owns the open handle: a delete meanwhile does not cut a download short.
      return handle.createReadStream({ start, end, autoClose: true });
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#path(key));
    } catch (e) {
      if (!isMissing(e)) throw e;
    }
  }

  async *keys(): AsyncIterable<string> {
    for (const a of await this.#subfolders(this.dir)) {
      for (const b of await this.#subfolders(join(this.dir, a))) {
        for (const entry of await readdir(join(this.dir, a, b), { withFileTypes: true })) {
          // Only names this store could have written, in the folder their key gives.
          const name = entry.name;
          if (entry.isFile() && isKey(name) && name.startsWith(a + b)) yield name;
        }
      }
    }
  }

  async #subfolders(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && HEX2.test(e.name)).map((e) => e.name);
    } catch (e) {
      if (isMissing(e)) return [];
      throw e;
    }
  }

  async sweep(olderThanMs = DEFAULT_SWEEP_AGE_MS): Promise<number> {
    let removed = 0;
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (e) {
      if (isMissing(e)) return 0;
      throw e;
    }
    for (const name of entries) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const path = join(this.dir, name);
      try {
        // A put still writing touches its file; only one left alone that long was abandoned.
        if (Date.now() - (await stat(path)).mtimeMs < olderThanMs) continue;
        await unlink(path);
        removed++;
      } catch (e) {
        if (!isMissing(e)) throw e;
      }
    }
    return removed;
  }

  async close(): Promise<void> {}
}
