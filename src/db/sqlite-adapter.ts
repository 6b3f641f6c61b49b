/**
 * The Prisma driver adapter for SQLite: PrismaLibSQL, except that interactive transactions
 * run on a second connection of their own, never on (or instead of) the main one.
 *
 * Why. The local client of @libsql/client 0.8 (Sqlite3Client.transaction() in
 * @libsql/client/lib-esm/sqlite3.js) hands its current connection to the transaction and
 * sets its own to null; its next statement opens a new connection lazily, and nothing ever
 * closes the one the transaction took. Prisma calls it for every interactive transaction
 * (`client.transaction("deferred")`), so each one
 *   - leaked a native connection with two file descriptors (~240 KB RSS), and
 *   - left the client on a fresh connection without the per-connection PRAGMAs: after the
 *     first transaction busy_timeout was gone, and a write while another process (a CLI
 *     import) held the write lock failed at once with SQLITE_BUSY instead of waiting.
 * Running transactions as BEGIN…COMMIT on the client's one connection is no way out:
 * after SQLITE_BUSY inside a transaction, libsql leaves the failed statement un-reset and
 * every later COMMIT on that connection fails with "cannot commit transaction - SQL
 * statements in progress" (prisma/orm#30028).
 *
 * So the main connection is never swapped and keeps its PRAGMAs for the client's life; a
 * transaction runs BEGIN…COMMIT/ROLLBACK on a connection of its own, with the same PRAGMAs.
 * That connection is kept for the next transaction when this one ended cleanly (COMMIT or
 * ROLLBACK succeeded and no statement failed), and discarded otherwise, after a ROLLBACK so
 * that it holds no lock. It is not opened afresh every time because libsql's close() only
 * drops a reference: the native connection and its file descriptors live on until the
 * garbage collector has finalized every statement prepared on it (libsql-js, database.rs
 * js_close), which measured as the same growth as the leak between collections.
 *
 * The two connections never compete within the process: PrismaLibSQL's adapter holds its
 * mutex from startTransaction until commit or rollback, so nothing runs on the main
 * connection meanwhile. With WAL (migrate.ts) each sees the other's commits at once.
 */
import {
  type Client,
  type Config,
  type InStatement,
  LibsqlError,
  type ResultSet,
  type Transaction,
  type TransactionMode,
} from "@libsql/client";
import { PrismaLibSQL } from "@prisma/adapter-libsql";
import { SqliteConnection } from "./sqlite-connection.ts";
import { sqlitePath } from "./url.ts";

/** Per-connection settings: the main connection and the transactions' get them. */
export const CONNECTION_PRAGMAS: readonly string[] = [
  // Wait up to 5 s for another process's write lock instead of failing with SQLITE_BUSY.
  // (synchronous stays FULL, SQLite's default: an answer the officer saw confirmed must
  // survive a power cut too; NORMAL saved only 0.1-0.3 ms per transaction here.)
  "PRAGMA busy_timeout = 5000",
];

/**
 * How a transaction starts. Prisma asks for "deferred"; it is started IMMEDIATE: every
 * interactive transaction here reads and then writes, and a deferred one that has read
 * cannot wait for another process's write lock (SQLite refuses the upgrade from an old
 * snapshot at once, P1008), while an immediate one waits busy_timeout like any write.
 * Within this process transactions already run one at a time (the adapter's mutex).
 */
const BEGIN: Record<TransactionMode, string> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN IMMEDIATE",
};

/** A second connection to an in-memory database would open another, empty database. */
function inMemory(url: string): boolean {
  return /(^|:):memory:|[?&]mode=memory/.test(url);
}

/** The connection transactions run on, for one main client: at most one kept between them. */
class TransactionConnections {
  readonly #config: Config;
  #idle: Client | null = null;
  #closed = false;

  constructor(config: Config) {
    this.#config = config;
  }

  async begin(mode: TransactionMode): Promise<Transaction> {
    const connection = this.#idle ?? (await this.#open());
    this.#idle = null;
    try {
      await connection.execute(BEGIN[mode]);
    } catch (e) {
      connection.close();
      throw e;
    }
    return new OwnConnectionTransaction(connection, (clean) => this.#release(connection, clean));
  }

  /** Also closes the idle connection; transactions still running close theirs when they end. */
  close(): void {
    this.#closed = true;
    this.#idle?.close();
    this.#idle = null;
  }

  async #open(): Promise<Client> {
    // Never yields mid-transaction: it would hold the write lock while others run.
    const connection = openConnection(this.#config, { yieldToEventLoop: false });
    try {
      // One by one: executeMultiple rejects statements that return rows, as PRAGMAs do.
      for (const pragma of CONNECTION_PRAGMAS) await connection.execute(pragma);
    } catch (e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  #release(connection: Client, clean: boolean): void {
    if (clean && !this.#closed && this.#idle === null) this.#idle = connection;
    else connection.close();
  }
}

/** A transaction on a connection of its own, handed back (or closed) when it ends. */
class OwnConnectionTransaction implements Transaction {
  #connection: Client | null;
  readonly #release: (clean: boolean) => void;
  /** A statement failed: libsql may have left it un-reset (prisma/orm#30028). */
  #failed = false;

  constructor(connection: Client, release: (clean: boolean) => void) {
    this.#connection = connection;
    this.#release = release;
  }

  get closed(): boolean {
    return this.#connection === null;
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    const connection = this.#open();
    try {
      // Client.execute runs the statement as is, with no BEGIN/COMMIT around it.
      return await connection.execute(stmt);
    } catch (e) {
      this.#failed = true;
      throw e;
    }
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const results: ResultSet[] = [];
    for (const stmt of stmts) results.push(await this.execute(stmt));
    return results;
  }

  async executeMultiple(_sql: string): Promise<void> {
    // Client.executeMultiple rolls back any open transaction when done, so it cannot serve
    // here; Prisma's adapter never calls it on a transaction (only executeScript, outside).
    throw new LibsqlError("executeMultiple is not supported in a transaction", "NOT_SUPPORTED");
  }

  async commit(): Promise<void> {
    await this.#end("COMMIT");
  }

  async rollback(): Promise<void> {
    if (this.#connection) await this.#end("ROLLBACK");
  }

  close(): void {
    if (this.#connection) void this.#end("ROLLBACK").catch(() => {});
  }

  async #end(sql: "COMMIT" | "ROLLBACK"): Promise<void> {
    const connection = this.#open();
    this.#connection = null;
    let ended = false;
    try {
      await connection.execute(sql);
      ended = true;
    } finally {
      // The connection will be closed but lingers until collected (see above): it must not
      // keep a transaction, and with it a lock, open. ROLLBACK works even with a statement
      // left in progress.
      if (!ended) await connection.execute("ROLLBACK").catch(() => {});
      this.#release(ended && !this.#failed);
    }
  }

  #open(): Client {
    if (!this.#connection) throw new LibsqlError("The transaction is closed", "TRANSACTION_CLOSED");
    return this.#connection;
  }
}

/** A file database's connection, keeping its prepared statements (src/db/sqlite-connection.ts). */
function openConnection(config: Config, options: { yieldToEventLoop: boolean }): Client {
  return new SqliteConnection(sqlitePath(config.url), options) as unknown as Client;
}

export class SqliteAdapterFactory extends PrismaLibSQL {
  override createClient(config: Config): Client {
    if (inMemory(config.url)) return super.createClient(config);
    const client = openConnection(config, { yieldToEventLoop: true });
    const transactions = new TransactionConnections(config);
    client.transaction = (mode: TransactionMode = "write") => transactions.begin(mode);
    const close = client.close.bind(client);
    client.close = () => {
      transactions.close();
      close();
    };
    return client;
  }

  override async connect(): ReturnType<PrismaLibSQL["connect"]> {
    const adapter = await super.connect();
    try {
      for (const pragma of CONNECTION_PRAGMAS) await adapter.queryRaw({ sql: pragma, args: [], argTypes: [] });
    } catch (e) {
      await adapter.dispose();
      throw e;
    }
    return adapter;
  }
}
