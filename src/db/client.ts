/**
 * The database: one Prisma client generated per provider (prisma/sqlite, prisma/postgresql)
 * from the same models, chosen at run time from DATABASE_URL. Both expose the same API;
 * the rest of the code sees one type, `Db`.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { migrate } from "./migrate.ts";
import { SqliteAdapterFactory } from "./sqlite-adapter.ts";
import { type Provider, pgFields, providerOf } from "./url.ts";

export type Db = SqliteClient;
export type {
  Answer,
  Campaign,
  Criterion,
  Evidence,
  Invite,
  Membership,
  Person,
  Prisma,
  Question,
  ReformArea,
  Unit,
} from "./generated/sqlite/client.ts";
export * from "./generated/sqlite/enums.ts";

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
    const pool = new pg.Pool({ ...pgFields(url), max: options.poolSize ?? 10 });
    const onError = options.onConnectionError ?? (() => {});
    // pg emits "error" on an idle pooled connection, and on a checked-out one between two
    // queries of a transaction; with no listener either ends the process ("Unhandled 'error'
    // event", seen in 2 of 10 PostgreSQL restarts). Every connection gets one for its life.
    pool.on("error", onError);
    pool.on("connect", (client) => client.on("error", onError));
    const adapter = new PrismaPg(pool, { disposeExternalPool: true });
    const { PrismaClient } = await import("./generated/postgresql/client.ts");
    db = new PrismaClient({ adapter }) as unknown as Db;
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
