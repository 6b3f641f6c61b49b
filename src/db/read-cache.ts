/**
 * Short-lived caches of rows that almost never change (the active campaign, a
 * questionnaire's questions, who a Telegram user is), one set per database client.
 *
 * Why: every Prisma operation costs about a millisecond of CPU here (Prisma 6.19 compiles
 * each query in Wasm, with no plan cache; bench/RESULTS.md), and the bot would otherwise
 * re-read the same rows on every update. The database stays the source of truth: writers
 * in this process call `forgetCached` right after they commit, and a writer in another
 * process (the CLI importing a new plan) is seen when the entry expires, at most `ttlMs`
 * later. Nothing here is used to decide whether a write is allowed; those checks run in
 * the write's own transaction.
 */

interface Entry {
  expires: number;
  value: Promise<unknown>;
}

const caches = new WeakMap<object, Map<string, Entry>>();
/**
 * Entries kept per client, least recently used dropped first. Memory stays bounded however
 * many people write to the bot (a province has hundreds of officers; the benchmark 10,000),
 * while everyone active in the last minutes is served from memory.
 */
const MAX_ENTRIES = 3_000;

function cacheOf(db: object): Map<string, Entry> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}

/** Stores under `key` as the most recently used entry (a Map iterates in insertion order). */
function put(cache: Map<string, Entry>, key: string, entry: Entry): void {
  cache.delete(key);
  cache.set(key, entry);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
}

/**
 * The cached value under `key`, or `load()`'s result, kept for `ttlMs`. Concurrent
 * callers share one load; a failed load is not kept.
 */
export function cached<T>(db: object, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const cache = cacheOf(db);
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expires > now) {
    put(cache, key, hit);
    return hit.value as Promise<T>;
  }
  // A native promise of the row, not what load() returned: Prisma's query promises keep
  // their arguments and call site (kilobytes each) for as long as they are referenced.
  const value = Promise.resolve().then(load);
  const entry = { expires: now + ttlMs, value };
  put(cache, key, entry);
  value.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return value;
}

/** Puts a value just written into the cache, so the next read needs no query. */
export function remember<T>(db: object, key: string, ttlMs: number, value: T): void {
  put(cacheOf(db), key, { expires: Date.now() + ttlMs, value: Promise.resolve(value) });
}

/** Drops entries whose key starts with `prefix` (all of them without one). */
export function forgetCached(db: object, prefix = ""): void {
  const cache = caches.get(db);
  if (!cache) return;
  if (!prefix) {
    cache.clear();
    return;
  }
  for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
}
