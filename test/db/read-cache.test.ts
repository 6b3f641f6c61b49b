import { afterEach, describe, expect, it, vi } from "vitest";
import { cached, forgetCached, remember } from "../../src/db/read-cache.ts";

afterEach(() => vi.useRealTimers());

describe("read cache", () => {
  it("serves a value until it expires, then loads it again", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-29T10:00:00Z") });
    const db = {};
    let loads = 0;
    const load = async () => ++loads;
    expect(await cached(db, "k", 1_000, load)).toBe(1);
    vi.advanceTimersByTime(999);
    expect(await cached(db, "k", 1_000, load)).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await cached(db, "k", 1_000, load)).toBe(2);
  });

  it("shares one load between concurrent callers and keeps clients apart", async () => {
    const [a, b] = [{}, {}];
    let loads = 0;
    const load = async () => ++loads;
    const values = await Promise.all([cached(a, "k", 60_000, load), cached(a, "k", 60_000, load)]);
    expect(values).toEqual([1, 1]);
    expect(await cached(b, "k", 60_000, load)).toBe(2);
  });

  it("does not keep a failed load", async () => {
    const db = {};
    await expect(cached(db, "k", 60_000, async () => Promise.reject(new Error("database down")))).rejects.toThrow(
      "database down",
    );
    expect(await cached(db, "k", 60_000, async () => "ok")).toBe("ok");
  });

  it("forgets by prefix or entirely, and takes values just written", async () => {
    const db = {};
    remember(db, "person:1", 60_000, "Lan");
    remember(db, "membership:1", 60_000, "so-tu-phap");
    remember(db, "campaign:active", 60_000, "son-la-2019");
    forgetCached(db, "person:");
    expect(await cached(db, "person:1", 60_000, async () => "Lan (read again)")).toBe("Lan (read again)");
    expect(await cached(db, "membership:1", 60_000, async () => "read again")).toBe("so-tu-phap");
    forgetCached(db);
    expect(await cached(db, "campaign:active", 60_000, async () => "read again")).toBe("read again");
  });
});

describe("read cache size", () => {
  it("keeps the most recently used entries and drops the oldest beyond its bound", async () => {
    const db = {};
    let loads = 0;
    const load = async () => ++loads;
    await cached(db, "person:first", 60_000, load);
    for (let i = 0; i < 2_999; i++) remember(db, `person:${i}`, 60_000, i);
    // Used again just now: it stays when the next entry pushes the oldest out.
    await cached(db, "person:first", 60_000, load);
    remember(db, "person:new", 60_000, "new");
    expect(await cached(db, "person:first", 60_000, load)).toBe(1);
    expect(await cached(db, "person:1", 60_000, async () => "read again")).toBe(1);
    expect(await cached(db, "person:0", 60_000, async () => "read again")).toBe("read again");
  });
});
