/**
 * The database: one Prisma client generated per provider (prisma/sqlite, prisma/postgresql)
 * from the same models, chosen at run time from DATABASE_URL. Both expose the same API;
 * the rest of the code sees one type, `Db`.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { migrate } from "./migrate.ts";
import { connectError, pgConfig } from "./pg-connection.ts";
import { SqliteAdapterFactory } from "./sqlite-adapter.ts";
import { type Provider, providerOf } from "./url.ts";

export type Db = SqliteClient;
export type {
  Answer,
  Appraisal,
  AppraisalCursor,
  Appraiser,
  Campaign,
  Criterion,
  Evidence,
  Explanation,
  InspectionVisit,
  Invite,
  Membership,
  Person,
  PersonChannel,
  Prisma,
  Question,
  ReformArea,
  Unit,
  UnitAdjustment,
  UnitRecognition,
  VisitCursor,
  VisitRequest,
} from "./generated/sqlite/client.ts";
export * from "./generated/sqlite/enums.ts";

/** The provider behind a client or a transaction client (Prisma keeps it on both). */
export function clientProvider(client: object): Provider {
  return (client as { _activeProvider?: string })._activeProvider === "postgresql" ? "postgresql" : "sqlite";
}

export interface Database {
  db: Db;
  provider: Provider;
  url: string;
  /** Answers when the database does (for /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** Connections in the PostgreSQL pool. */
  poolSize?: number;
  /**
   * Told about a lost PostgreSQL connection (a server restart, 57P01); the pool opens a new
   * one for the next query. Without a listener such an error would end the process.
   */
  onConnectionError?: (err: Error) => void;
}

/**
 * A PostgreSQL restart (or a terminated backend, 57P01) must neither end the process nor
 * leak the pool: pg emits "error" on a connection that dies while checked out (between the
 * statements of a transaction, or during one) and with no listener that ends the process
 * ("Unhandled 'error' event", seen in 2 of 10 restarts). And Prisma's driver adapter never
 * returns a connection whose transaction died (its ROLLBACK fails first): every dead
 * transaction kept a pool slot, until the pool was empty and the bot hung. So each
 * connection gets a listener for its whole life, and one that dies while checked out is
 * handed back to the pool as broken (the pool closes it and opens a new one when needed);
 * the holder's own release later is a no-op.
 */
export function survivePostgresRestarts(pool: pg.Pool, onError: (err: Error) => void): void {
  const checkedOut = new Set<pg.PoolClient>();
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_err, client) => checkedOut.delete(client));
  pool.on("error", onError);
  pool.on("connect", (client) => {
    client.on("error", (err) => {
      onError(err);
      const held = client as pg.PoolClient;
      if (!checkedOut.has(held)) return; // idle: the pool drops it itself
      checkedOut.delete(held);
      const release = held.release;
      held.release = () => {};
      release(err);
    });
  });
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  const provider = providerOf(url);
  if (options.migrate !== false) await migrate(url);
  let db: Db;
  // Each generated client brings its own query compiler: load only the one in use.
  if (provider === "sqlite") {
    const { PrismaClient } = await import("./generated/sqlite/client.ts");
    // PrismaLibSQL, but with interactive transactions on a connection of their own and the
    // PRAGMAs (busy_timeout) on every connection; see sqlite-adapter.ts for why.
    db = new PrismaClient({ adapter: new SqliteAdapterFactory({ url }) });
  } else {
    const { config, mode } = await pgConfig(url);
    const pool = new pg.Pool({ ...config, max: options.poolSize ?? 10 });
    survivePostgresRestarts(pool, options.onConnectionError ?? (() => {}));
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    const { PrismaClient } = await import("./generated/postgresql/client.ts");
    db = new PrismaClient({ adapter }) as unknown as Db;
    // The pool connects on first use: try it now, so that a refused connection (no TLS
    // where the URL asks for it, a wrong password) stops the start with one clear line.
    await db.$queryRawUnsafe("SELECT 1").catch(async (e) => {
      await db.$disconnect();
      throw connectError(e, config, mode);
    });
  }
  await db.$connect();
  return {
    db,
    provider,
    url,
    async ping() {
      await db.$queryRawUnsafe("SELECT 1");
    },
    async close() {
      await db.$disconnect();
    },
  };
}
