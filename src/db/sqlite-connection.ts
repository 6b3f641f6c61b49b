/**
 * One SQLite connection (the `libsql` native driver) that keeps its prepared statements,
 * behind the part of @libsql/client's `Client` that Prisma's libsql adapter uses:
 * execute, executeMultiple and close (transactions: src/db/sqlite-adapter.ts).
 *
 * Why not @libsql/client's own: it prepares every statement afresh, and libsql 0.3.19 keeps
 * about 4 KB of native memory per prepared statement that is never given back (measured:
 * 12,000 inserts grow RSS by 64 MB when prepared each time, 17 MB when the statement is
 * kept), so a bot that answers 10,000 officers grew by hundreds of MB; preparing is also
 * 6-7 % of its CPU. Prisma sends the same SQL text for the same query shape, so a small
 * cache keyed by the text hits nearly always. Results are shaped as @libsql/client's
 * (columns, declared column types, rows indexable by position, rowsAffected), which is all
 * the adapter reads.
 */
import { type InStatement, type InValue, LibsqlError, type ResultSet } from "@libsql/client";
import Database from "libsql";

type Statement = Database.Statement;

interface Prepared {
  statement: Statement;
  /** Returns rows (SELECT, RETURNING, most PRAGMAs) rather than a change count. */
  reader: boolean;
  columns: string[];
  columnTypes: string[];
}

/** Distinct statements kept; the bot's queries use a few hundred shapes at most. */
const CACHE_SIZE = 500;

/**
 * SQLite runs in this thread, and every statement's promise settles as a microtask: under
 * load, updates can chain database work for seconds without the event loop ever polling
 * sockets, so new webhook requests are not even read (measured: 200 officers at once, ~50
 * requests left unread 5-11 s, past Telegram's timeout). So after SLICE_MS of statements
 * without a turn of the loop, the next statement waits for one (setImmediate runs after
 * the poll phase). Costs one loop turn per slice, nothing when the bot is idle.
 */
const SLICE_MS = 5;
let sliceStarted = performance.now();

async function fairTurn(): Promise<void> {
  if (performance.now() - sliceStarted < SLICE_MS) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  sliceStarted = performance.now();
}

function toSql(value: InValue): unknown {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.valueOf();
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new RangeError("Only finite numbers can be passed as arguments");
  }
  return value;
}

/** Integers come back as bigint (safeIntegers) and are numbers when safe, as intMode "number". */
function fromSql(value: unknown): unknown {
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new RangeError("Received integer which cannot be safely represented as a JavaScript number");
    }
    return Number(value);
  }
  if (value instanceof Buffer) return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
  return value;
}

function asLibsqlError(e: unknown): unknown {
  if (e instanceof Error && "code" in e && typeof e.code === "string") {
    const rawCode = "rawCode" in e && typeof e.rawCode === "number" ? e.rawCode : undefined;
    return new LibsqlError(e.message, e.code, rawCode, e);
  }
  return e;
}

export class SqliteConnection {
  readonly #db: Database.Database;
  readonly #prepared = new Map<string, Prepared>();
  closed = false;
  readonly protocol = "file";

  readonly #yieldToEventLoop: boolean;

  /**
   * `yieldToEventLoop`: take turns with the event loop (see SLICE_MS). Off for connections
   * that run transactions: yielding there would hold the write lock while others run.
   */
  constructor(path: string, options: { yieldToEventLoop?: boolean } = {}) {
    this.#db = new Database(path);
    this.#yieldToEventLoop = options.yieldToEventLoop ?? true;
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    const { sql, args } = typeof stmt === "string" ? { sql: stmt, args: [] } : stmt;
    if (!Array.isArray(args)) throw new LibsqlError("named arguments are not supported", "NOT_SUPPORTED");
    if (this.closed) throw new LibsqlError("The client is closed", "CLIENT_CLOSED");
    if (this.#yieldToEventLoop) await fairTurn();
    let prepared: Prepared | undefined;
    try {
      prepared = this.#prepare(sql);
      const values = args.map(toSql);
      if (prepared.reader) {
        const rows = (prepared.statement.all(values) as unknown[][]).map((row) => row.map(fromSql));
        return result(prepared.columns, prepared.columnTypes, rows, 0, undefined);
      }
      const info = prepared.statement.run(values);
      return result([], [], [], info.changes, BigInt(info.lastInsertRowid));
    } catch (e) {
      // libsql may leave a failed statement un-reset (prisma/orm#30028): never reuse it.
      if (prepared) this.#prepared.delete(sql);
      throw asLibsqlError(e);
    }
  }

  /** Several statements without parameters (migration scripts). */
  async executeMultiple(sql: string): Promise<void> {
    try {
      this.#db.exec(sql);
    } catch (e) {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
      throw asLibsqlError(e);
    }
  }

  close(): void {
    this.closed = true;
    this.#prepared.clear();
    this.#db.close();
  }

  #prepare(sql: string): Prepared {
    const hit = this.#prepared.get(sql);
    if (hit) {
      // Most recently used last: the first key is the one to drop when full.
      this.#prepared.delete(sql);
      this.#prepared.set(sql, hit);
      return hit;
    }
    const statement = this.#db.prepare(sql);
    statement.safeIntegers(true);
    let reader = true;
    try {
      statement.raw(true);
    } catch {
      reader = false; // raw() throws for statements that return no data
    }
    const columns = reader ? statement.columns() : [];
    const prepared: Prepared = {
      statement,
      reader,
      columns: columns.map((c) => c.name),
      columnTypes: columns.map((c) => c.type ?? ""),
    };
    if (this.#prepared.size >= CACHE_SIZE) this.#prepared.delete(this.#prepared.keys().next().value!);
    this.#prepared.set(sql, prepared);
    return prepared;
  }
}

function result(
  columns: string[],
  columnTypes: string[],
  rows: unknown[][],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes,
    rows: rows as unknown as ResultSet["rows"],
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ columns, columnTypes, rows, rowsAffected, lastInsertRowid: lastInsertRowid?.toString() }),
  };
}
