/**
 * What every file store promises (src/storage/file-store.ts), checked on both real backends:
 * a local folder, and the database of this run (SQLite, or PostgreSQL with TEST_DATABASE_URL).
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { HEAD_BYTES, InvalidKey, TooLarge } from "../../src/storage/file-store.ts";
import { allOf, BACKENDS, bytesOfStream, closeTestDatabase, openBackend, streamOf } from "./support.ts";

afterAll(closeTestDatabase);

const MB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe.each(BACKENDS)("%s file store", (kind) => {
  it("keeps a 10 MB file byte for byte, with its size, sha256 and head", async () => {
    const { store } = await openBackend(kind);
    const bytes = randomBytes(10 * MB);
    const object = await store.put(streamOf(bytes), { maxBytes: 20 * MB });
    expect(object.size).toBe(bytes.length);
    expect(object.sha256).toBe(sha256(bytes));
    expect(object.head.equals(bytes.subarray(0, HEAD_BYTES))).toBe(true);
    const back = await bytesOfStream((await store.get(object.key))!);
    expect(back.length).toBe(bytes.length);
    expect(back.equals(bytes)).toBe(true);
  });

  it("keeps an empty file", async () => {
    const { store } = await openBackend(kind);
    const object = await store.put(streamOf(Buffer.alloc(0)), { maxBytes: MB });
    expect(object).toMatchObject({ size: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(object.head.length).toBe(0);
    expect((await bytesOfStream((await store.get(object.key))!)).length).toBe(0);
    expect(await allOf(store.keys())).toEqual([object.key]);
  });

  it("takes a file of exactly the limit, and gives ranges of it", async () => {
    const { store } = await openBackend(kind);
    const bytes = randomBytes(MB + 17);
    const object = await store.put(streamOf(bytes), { maxBytes: bytes.length });
    const range = async (start?: number, end?: number) => bytesOfStream((await store.get(object.key, { start, end }))!);
    // Across the database store's 256 KB chunks, one byte, the last byte, to the end.
    expect((await range(262_000, 790_000)).equals(bytes.subarray(262_000, 790_001))).toBe(true);
    expect((await range(5, 5)).equals(bytes.subarray(5, 6))).toBe(true);
    expect((await range(bytes.length - 1)).equals(bytes.subarray(-1))).toBe(true);
    expect((await range(MB)).equals(bytes.subarray(MB))).toBe(true);
    expect((await range(undefined, 99)).equals(bytes.subarray(0, 100))).toBe(true);
    await expect(store.get(object.key, { start: bytes.length })).rejects.toThrow(RangeError);
    await expect(store.get(object.key, { start: 10, end: 9 })).rejects.toThrow(RangeError);
  });

  it("refuses a file over the limit as soon as it passes it, keeping nothing", async () => {
    const { store, everything } = await openBackend(kind);
    const kept = await store.put(streamOf(randomBytes(1000)), { maxBytes: MB });
    const before = await everything();
    const input = streamOf(randomBytes(8 * MB));
    const error = await store.put(input, { maxBytes: 3 * MB }).catch((e) => e);
    expect(error).toBeInstanceOf(TooLarge);
    expect(error.maxBytes).toBe(3 * MB);
    // It stopped reading: the rest of the 8 MB was never asked for.
    expect(input.produced()).toBeLessThan(4 * MB);
    expect(input.destroyed).toBe(true);
    expect(await everything()).toEqual(before);
    expect(await allOf(store.keys())).toEqual([kept.key]);
  });

  it("keeps nothing of an input stream that fails", async () => {
    const { store, everything } = await openBackend(kind);
    const error = await store
      .put(streamOf(randomBytes(3 * MB), { failAfter: MB }), { maxBytes: 20 * MB })
      .catch((e) => e);
    expect(error.message).toBe("connection reset by peer");
    expect(await everything()).toEqual([]);
    expect(await allOf(store.keys())).toEqual([]);
  });

  it("makes keys nobody can guess, and refuses keys it could not have made", async () => {
    const { store } = await openBackend(kind);
    const keys = await Promise.all(
      Array.from({ length: 20 }, async () => (await store.put(streamOf(Buffer.from("x")), { maxBytes: 10 })).key),
    );
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(keys.length);
    // 128 random bits: no two keys share a long prefix, as counters or timestamps would.
    const prefixes = new Set(keys.map((k) => k.slice(0, 8)));
    expect(prefixes.size).toBe(keys.length);

    for (const bad of [
      "../../etc/passwd",
      `../${keys[0]}`,
      `${keys[0]!.slice(0, 2)}/${keys[0]!.slice(2, 4)}/${keys[0]}`,
      keys[0]!.toUpperCase(),
      `${keys[0]}\0`,
      `${keys[0]}/..`,
      "",
      "0".repeat(31),
    ]) {
      await expect(store.get(bad)).rejects.toThrow(InvalidKey);
      await expect(store.delete(bad)).rejects.toThrow(InvalidKey);
    }
    expect(await store.get("0".repeat(32))).toBeNull();
  });

  it("deletes an object, and a second delete is no error", async () => {
    const { store, everything } = await openBackend(kind);
    const gone = await store.put(streamOf(randomBytes(600_000)), { maxBytes: MB });
    const kept = await store.put(streamOf(randomBytes(10)), { maxBytes: MB });
    await store.delete(gone.key);
    await store.delete(gone.key);
    expect(await store.get(gone.key)).toBeNull();
    expect(await allOf(store.keys())).toEqual([kept.key]);
    expect((await everything()).filter((e) => e.includes(gone.key))).toEqual([]);
    expect(await store.get(kept.key)).not.toBeNull();
  });

  it("writes under a key given (restores), replacing what that key held, and refuses a made-up key", async () => {
    const { store } = await openBackend(kind);
    const key = "ab".repeat(16);
    const first = randomBytes(100_000);
    const second = randomBytes(70_000);
    expect(await store.putAt(key, streamOf(first), { maxBytes: MB })).toMatchObject({ key, sha256: sha256(first) });
    await store.putAt(key, streamOf(second), { maxBytes: MB });
    expect((await bytesOfStream((await store.get(key))!)).equals(second)).toBe(true);
    expect(await allOf(store.keys())).toEqual([key]);
    await expect(store.putAt("../../etc/passwd", streamOf(first), { maxBytes: MB })).rejects.toThrow(InvalidKey);
  });

  it("lists every key", async () => {
    const { store } = await openBackend(kind);
    const keys: string[] = [];
    for (let i = 0; i < 30; i++) keys.push((await store.put(streamOf(randomBytes(i)), { maxBytes: 100 })).key);
    expect((await allOf(store.keys())).sort()).toEqual(keys.sort());
  });

  it("keeps several uploads at once apart", async () => {
    const { store } = await openBackend(kind);
    const files = Array.from({ length: 4 }, () => randomBytes(700_000));
    const objects = await Promise.all(files.map((f) => store.put(streamOf(f), { maxBytes: MB })));
    for (const [i, object] of objects.entries()) {
      expect((await bytesOfStream((await store.get(object.key))!)).equals(files[i]!)).toBe(true);
    }
  });
});
