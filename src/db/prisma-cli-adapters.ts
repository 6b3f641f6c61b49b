/**
 * Driver adapters for the Prisma CLI (prisma.config.ts), and only for it.
 *
 * On these machines Prisma 6.19 runs offline only with the WebAssembly ("js") schema
 * engine, which talks to the database through a driver adapter. That engine has faults
 * that the application's own client does not meet; each workaround below names the fault
 * it answers (numbers as in ../shared/STACK.md):
 *   2. SQLite shadow database: migration.sql is replayed through executeRaw, which runs
 *      one statement, so multi-statement migrations fail (P3006) -> calls without
 *      parameters go through executeScript.
 *   3. adapter-pg rejects pg_catalog columns of type `name` (OID 19) and `"char"` (18)
 *      (prisma/prisma#27403) -> those columns are reported as text, which they are.
 *   4. pg lets a connectionString override `database`, so the "shadow" database would be
 *      the real one -> discrete connection fields (with the URL's TLS settings, see
 *      pg-connection.ts); the shadow database is dropped only after its pool is closed.
 *   5. The CLI lingers for up to a minute on an open pool -> allowExitOnIdle.
 * Fault 1 (`migrate dev` on a fresh database, P1014) is handled by the npm script, which
 * runs `migrate deploy` first.
 */
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { pgConfig } from "./pg-connection.ts";

type Factory = PrismaLibSQL | PrismaPg;
type Adapter = Awaited<ReturnType<Factory["connect"]>>;

/** Fault 2: send parameterless statements through executeScript (many statements). */
function scriptAware<A extends Adapter>(adapter: A): A {
  const executeRaw = adapter.executeRaw.bind(adapter);
  adapter.executeRaw = async (query) => {
    if (query.args.length === 0) {
      await adapter.executeScript(query.sql);
      return 0;
    }
    return executeRaw(query);
  };
  return adapter;
}

export function sqliteCliAdapter(url: string): PrismaLibSQL {
  const factory = new PrismaLibSQL({ url });
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connectToShadowDb = async () => scriptAware(await connectToShadowDb());
  return factory;
}

const PG_NAME = 19;
const PG_CHAR = 18;
const PG_TEXT = 25;

/** Fault 3: report `name` and `"char"` columns as text. Patched once, on the prototype. */
function patchPgCatalogTypes(adapter: object): void {
  let proto = Object.getPrototypeOf(adapter);
  while (proto && !Object.hasOwn(proto, "performIO")) proto = Object.getPrototypeOf(proto);
  if (!proto || proto.__cchcPatched) return;
  const performIO = proto.performIO;
  proto.performIO = async function (this: unknown, ...args: unknown[]) {
    const result = await performIO.apply(this, args);
    for (const field of result.fields ?? []) {
      if (field.dataTypeID === PG_NAME || field.dataTypeID === PG_CHAR) field.dataTypeID = PG_TEXT;
    }
    return result;
  };
  proto.__cchcPatched = true;
}

/**
 * Fault 5, second half: the engine leaves long timers behind that keep the CLI alive for
 * 10-60 s after its work is done. Unref'ing the long ones lets it exit when idle; short
 * timers (retries, backoff) still hold the process as usual.
 */
function unrefLongTimers(): void {
  const g = globalThis as typeof globalThis & { __cchcTimersUnrefd?: boolean };
  if (g.__cchcTimersUnrefd) return;
  g.__cchcTimersUnrefd = true;
  const { setTimeout: st, setInterval: si } = globalThis;
  const wrap = <F extends typeof st | typeof si>(fn: F): F =>
    ((handler: () => void, ms?: number, ...rest: unknown[]) => {
      const timer = (fn as (...a: unknown[]) => NodeJS.Timeout)(handler, ms, ...rest);
      if ((ms ?? 0) >= 1000) timer.unref?.();
      return timer;
    }) as F;
  globalThis.setTimeout = wrap(st);
  globalThis.setInterval = wrap(si);
}

export async function postgresCliAdapter(url: string): Promise<PrismaPg> {
  unrefLongTimers();
  const { config: fields } = await pgConfig(url);
  // Fault 5: let the process end once the pool is idle.
  const factory = new PrismaPg({ ...fields, allowExitOnIdle: true });
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    patchPgCatalogTypes(adapter);
    return adapter;
  };
  // Fault 4: a real separate shadow database, dropped after its pool has closed.
  factory.connectToShadowDb = async () => {
    const admin = new pg.Pool({ ...fields, allowExitOnIdle: true, max: 1 });
    const name = `cchc_shadow_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    const main = await factory.connect();
    const AdapterClass = main.constructor as new (
      pool: pg.Pool,
      options: undefined,
      release: () => Promise<void>,
    ) => Awaited<ReturnType<PrismaPg["connect"]>>;
    await main.dispose();
    const pool = new pg.Pool({ ...fields, database: name, allowExitOnIdle: true });
    return new AdapterClass(pool, undefined, async () => {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
      await admin.end();
    });
  };
  return factory;
}
