/**
 * What each backend does in its own medium: the local store's folder layout, permissions
 * and leftovers; the database store's rows, unfinished objects and several instances; and
 * the factory that picks one from the settings.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/client.ts";
import { CHUNK_BYTES, DatabaseFileStore } from "../../src/storage/database-store.ts";
import { createFileStore, maxFileBytes } from "../../src/storage/index.ts";
import { LocalFileStore } from "../../src/storage/local-store.ts";
import { tempDir } from "../support/temp.ts";
import { allOf, bytesOfStream, closeTestDatabase, openBackend, testDatabase } from "./support.ts";

afterAll(closeTestDatabase);

const TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";
const HOUR = 3600_000;

describe("createFileStore", () => {
  it("gives the store FILE_STORAGE names, and MAX_FILE_MB in bytes", async () => {
    const database = await testDatabase();
    const local = createFileStore(parseConfig({ BOT_TOKEN: TOKEN, FILES_DIR: "/srv/evidence" }), database);
    expect(local).toBeInstanceOf(LocalFileStore);
    expect((local as LocalFileStore).dir).toBe("/srv/evidence");
    const inDatabase = createFileStore(parseConfig({ BOT_TOKEN: TOKEN, FILE_STORAGE: "database" }), database);
    expect(inDatabase.kind).toBe("database");
    await inDatabase.close();
    expect(maxFileBytes(parseConfig({ BOT_TOKEN: TOKEN }))).toBe(20 * 1024 * 1024);
  });
});

describe("local store", () => {
  it("files an object at <aa>/<bb>/<key>, readable by the bot alone, with no temporary file left", async () => {
    const dir = tempDir("files");
    const store = new LocalFileStore(dir);
    const object = await store.put(Readable.from([randomBytes(1000)]), { maxBytes: 1000 });
    const path = join(dir, object.key.slice(0, 2), object.key.slice(2, 4), object.key);
    expect((await stat(path)).size).toBe(1000);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual([object.key.slice(0, 2)]);
  });

  it("sweeps temporary files a crash left a day ago, not those of a put in progress", async () => {
    const dir = tempDir("files");
    const store = new LocalFileStore(dir);
    await mkdir(dir, { recursive: true });
    const old = join(dir, `.put-${"a".repeat(32)}`);
    const fresh = join(dir, `.put-${"b".repeat(32)}`);
    await writeFile(old, "half a file");
    await writeFile(fresh, "a file arriving");
    const yesterday = new Date(Date.now() - 25 * HOUR);
    await utimes(old, yesterday, yesterday);
    expect(await store.sweep()).toBe(1);
    expect(await readdir(dir)).toEqual([`.put-${"b".repeat(32)}`]);
  });

  it("lists only files it could have written, where their key puts them", async () => {
    const dir = tempDir("files");
    const store = new LocalFileStore(dir);
    const object = await store.put(Readable.from([Buffer.from("x")]), { maxBytes: 1 });
    const stray = "c".repeat(32);
    await mkdir(join(dir, "dd", "ee"), { recursive: true });
    await writeFile(join(dir, "dd", "ee", stray), "in the wrong folder");
    await writeFile(join(dir, `.put-${stray}`), "unfinished");
    await writeFile(join(dir, "README"), "not a key");
    expect(await allOf(store.keys())).toEqual([object.key]);
  });

  it("lists nothing, and finds nothing, before its folder exists", async () => {
    const store = new LocalFileStore(join(tempDir("files"), "not-yet"));
    expect(await allOf(store.keys())).toEqual([]);
    expect(await store.get("f".repeat(32))).toBeNull();
    expect(await store.sweep()).toBe(0);
  });
});

describe("database store", () => {
  it("keeps an object as chunk rows in order, the last one short", async () => {
    const { store } = await openBackend("database");
    const { db } = await testDatabase();
    const bytes = randomBytes(33 * CHUNK_BYTES + 5);
    const object = await store.put(Readable.from([bytes]), { maxBytes: bytes.length });
    const row = await db.fileObject.findUniqueOrThrow({ where: { key: object.key } });
    expect(row).toMatchObject({ size: bytes.length, sha256: object.sha256, chunkSize: CHUNK_BYTES });
    expect(row.completedAt).toBeInstanceOf(Date);
    const chunks = await db.fileChunk.findMany({ where: { objectKey: object.key }, orderBy: { seq: "asc" } });
    expect(chunks.map((c) => c.seq)).toEqual([...Array(34).keys()]);
    expect(chunks.slice(0, -1).every((c) => c.bytes.length === CHUNK_BYTES)).toBe(true);
    expect(chunks.at(-1)!.bytes.length).toBe(5);
    expect(Buffer.concat(chunks.map((c) => c.bytes)).equals(bytes)).toBe(true);
  });

  it("writes chunks as the upload arrives, and shows the object only once it is complete", async () => {
    const { store } = await openBackend("database");
    const { db } = await testDatabase();
    const input = new PassThrough();
    const first = randomBytes(20 * CHUNK_BYTES);
    const putting = store.put(input, { maxBytes: 100 * CHUNK_BYTES });
    input.write(first);
    // The first batches reach the database while the input is still open.
    for (let i = 0; i < 200 && (await db.fileChunk.count()) < 16; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await db.fileChunk.count()).toBeGreaterThanOrEqual(16);
    const unfinished = await db.fileObject.findFirstOrThrow();
    expect(unfinished.completedAt).toBeNull();
    expect(await store.get(unfinished.key)).toBeNull();
    expect(await allOf(store.keys())).toEqual([]);

    const rest = randomBytes(1000);
    input.end(rest);
    const object = await putting;
    expect(object.key).toBe(unfinished.key);
    expect((await bytesOfStream((await store.get(object.key))!)).equals(Buffer.concat([first, rest]))).toBe(true);
  });

  it("sweeps objects a crash left unfinished a day ago, with their chunks", async () => {
    const { store, everything } = await openBackend("database");
    const { db } = await testDatabase();
    const complete = await store.put(Readable.from([randomBytes(100)]), { maxBytes: 100 });
    const abandoned = "a".repeat(32);
    const inProgress = "b".repeat(32);
    await db.fileObject.create({
      data: { key: abandoned, chunkSize: CHUNK_BYTES, createdAt: new Date(Date.now() - 25 * HOUR) },
    });
    await db.fileObject.create({ data: { key: inProgress, chunkSize: CHUNK_BYTES } });
    for (const key of [abandoned, inProgress]) {
      await db.fileChunk.create({ data: { objectKey: key, seq: 0, bytes: randomBytes(10) } });
    }
    expect(await store.sweep()).toBe(1);
    expect((await everything()).filter((e) => e.includes(abandoned))).toEqual([]);
    expect((await everything()).filter((e) => e.includes(inProgress))).toHaveLength(2);
    expect(await store.get(complete.key)).not.toBeNull();
  });

  it("reads objects written with another chunk size", async () => {
    const { store } = await openBackend("database");
    const database = await testDatabase();
    const small = new DatabaseFileStore(database, { chunkBytes: 1000 });
    const bytes = randomBytes(123_456);
    const object = await small.put(Readable.from([bytes]), { maxBytes: bytes.length });
    await small.close();
    expect((await bytesOfStream((await store.get(object.key))!)).equals(bytes)).toBe(true);
    expect(
      (await bytesOfStream((await store.get(object.key, { start: 999, end: 2000 }))!)).equals(
        bytes.subarray(999, 2001),
      ),
    ).toBe(true);
  });

  it("serves a file put by another instance on the same database", async () => {
    const { store } = await openBackend("database");
    const database = await testDatabase();
    const other = await openDatabase(database.url, { migrate: false, poolSize: 2 });
    const otherStore = new DatabaseFileStore(other);
    try {
      const bytes = randomBytes(300_000);
      const object = await otherStore.put(Readable.from([bytes]), { maxBytes: bytes.length });
      expect((await bytesOfStream((await store.get(object.key))!)).equals(bytes)).toBe(true);
      await store.delete(object.key);
      expect(await otherStore.get(object.key)).toBeNull();
    } finally {
      await otherStore.close();
      await other.close();
    }
  });
});
