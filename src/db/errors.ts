/** A write hit a unique constraint (Prisma P2002): someone else got there first. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && (e as { code: unknown }).code === "P2002";
}

/**
 * Prisma's codes for a database that is briefly out of reach: cannot reach or timed out
 * (P1001, P1002, P1008 — SQLite's busy_timeout ends here), connection closed (P1017),
 * no connection from the pool (P2024), transaction closed or in conflict (P2028, P2034),
 * too many connections (P2037).
 */
const TRANSIENT_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034", "P2037"]);
/** The driver adapters' kinds for the same (in `meta.driverAdapterError.cause`). */
const TRANSIENT_KINDS = new Set([
  "DatabaseNotReachable",
  "SocketTimeout",
  "ConnectionClosed",
  "TooManyConnections",
  "TransactionWriteConflict",
]);
/**
 * PostgreSQL: connection exceptions (08…), insufficient resources (53…: disk full, out of
 * memory, too many connections), the server shutting down or restarting (57P01–57P03),
 * serialization failure and deadlock (40001, 40P01).
 */
const TRANSIENT_PG = /^(08|53|57P0[1-3]$|40001$|40P01$)/;
/** SQLite: locked by another writer, disk full, I/O error, file not openable. */
const TRANSIENT_SQLITE = /SQLITE_(BUSY|LOCKED|FULL|IOERR|CANTOPEN)|database is locked|database or disk is full/;
/**
 * pg's own messages for a connection that died under a query or between the statements of a
 * transaction (a server restart, a terminated backend): they carry no code.
 */
const DEAD_CONNECTION = /Connection terminated|not queryable|Client was closed|Connection ended unexpectedly/;
/** Node's socket errors, when the driver passes them through. */
const TRANSIENT_SOCKET = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "EAI_AGAIN"]);

/**
 * Whether an error means "the database is unavailable right now" (locked, restarting, full,
 * unreachable) rather than a fault in the request: the person is asked to try again, and
 * the update is left unrecorded so that Telegram delivers it again.
 */
export function isTransientDbError(e: unknown): boolean {
  for (let x = e, depth = 0; x && typeof x === "object" && depth < 5; depth++) {
    const err = x as {
      name?: string;
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      originalCode?: unknown;
      originalMessage?: unknown;
      meta?: { code?: unknown; message?: unknown; driverAdapterError?: unknown };
      cause?: unknown;
    };
    if (err.name === "PrismaClientInitializationError") return true;
    const code = typeof err.code === "string" ? err.code : "";
    if (TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_SOCKET.has(code)) return true;
    if (typeof err.kind === "string" && TRANSIENT_KINDS.has(err.kind)) return true;
    for (const c of [err.originalCode, err.meta?.code]) {
      if (typeof c === "string" && TRANSIENT_PG.test(c)) return true;
    }
    for (const m of [err.originalMessage, err.meta?.message, err.message]) {
      if (typeof m === "string" && (TRANSIENT_SQLITE.test(m) || DEAD_CONNECTION.test(m))) return true;
    }
    x = err.meta?.driverAdapterError ?? err.cause;
  }
  return false;
}
