/**
 * How to reach PostgreSQL from a DATABASE_URL, TLS included, for every pg client here: the
 * application's pool (client.ts), migrations (migrate.ts), scratch databases (scratch.ts)
 * and the Prisma CLI's adapters (prisma-cli-adapters.ts).
 *
 * Host, port, user, password, database and the other parameters are read by pg's own
 * parser (pg-connection-string). TLS follows libpq's `sslmode`
 * (https://www.postgresql.org/docs/current/libpq-ssl.html), which pg 8 does not: it treats
 * prefer, require and verify-ca as verify-full, so `prefer` fails against a server without
 * TLS and `require` refuses a self-signed certificate.
 *
 *   disable      plain text
 *   allow        plain text; TLS when the server refuses plain text
 *   prefer       TLS when the server offers it, else plain text
 *   require      TLS; the certificate is not checked (checked against sslrootcert when given)
 *   verify-ca    TLS; the certificate must be signed by sslrootcert (any host name)
 *   verify-full  TLS; signed by sslrootcert, or by the system's roots, and issued for the host
 *
 * `ssl=true` (pg's spelling) is verify-full, `ssl=false` disable, `ssl=no-verify` require;
 * `sslrootcert=system` is the system's roots (libpq 16). sslcert and sslkey name a client
 * certificate. With none of these, PGSSLMODE, then pg's default: plain text (libpq's default
 * would be prefer). The files libpq reads by default under ~/.postgresql are not read:
 * name them in the URL.
 *
 * Connections get discrete fields, never a connectionString: pg lets a connection string
 * override `database`, and scratch databases and Prisma's shadow database point the same
 * server at another database.
 */
import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import pg from "pg";
import { parse } from "pg-connection-string";

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Parameters read here rather than by pg-connection-string (which would read them its own way). */
const SSL_PARAMS = ["sslmode", "ssl", "sslrootcert", "sslcert", "sslkey", "uselibpqcompat"];

/** A DATABASE_URL whose TLS settings cannot be used (unknown sslmode, unreadable file). */
export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
  constructor(readonly problem: string) {
    super(`DATABASE_URL: ${problem}`);
  }
}

/** The database did not let us in; the message says where and why, in one line. */
export class DatabaseConnectError extends Error {
  override name = "DatabaseConnectError";
}

interface PgTarget {
  /** Everything but TLS. */
  base: pg.ClientConfig;
  mode: SslMode;
  /** TLS settings for the modes that use TLS. */
  tls: ConnectionOptions;
}

function sslModeOf(params: URLSearchParams): string {
  const mode = params.get("sslmode");
  if (mode) return mode === "no-verify" ? "require" : mode;
  const ssl = params.get("ssl");
  if (ssl === "true" || ssl === "1") return "verify-full";
  if (ssl === "false" || ssl === "0") return "disable";
  if (ssl === "no-verify") return "require";
  if (ssl) throw new DatabaseUrlError(`ssl must be true, false or no-verify (not "${ssl}")`);
  return process.env.PGSSLMODE || "disable";
}

function parseTarget(url: string): PgTarget {
  const query = /\?([^#]*)/.exec(url)?.[1] ?? "";
  const params = new URLSearchParams(query);
  const stripped = url.replace(new RegExp(`([?&])(?:${SSL_PARAMS.join("|")})=[^&#]*`, "g"), "$1");
  const { host, port, user, password, database, ssl: _ssl, ...rest } = parse(stripped);
  const base: pg.ClientConfig = {
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== null && v !== undefined && v !== "")),
    host: host || "127.0.0.1",
    port: port ? Number(port) : 5432,
    user: user || process.env.PGUSER || "postgres",
    password: password || undefined,
    database: database || "postgres",
  };

  const mode = sslModeOf(params);
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new DatabaseUrlError(`sslmode must be one of ${SSL_MODES.join(", ")} (not "${mode}")`);
  }
  const file = (name: string) => {
    const path = params.get(name);
    if (!path) return undefined;
    try {
      return readFileSync(path, "utf8");
    } catch (e) {
      throw new DatabaseUrlError(`${name} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  };
  const rootCert = params.get("sslrootcert");
  // libpq 16: "system" is the system's trusted roots, and then only verify-full makes sense.
  if (rootCert === "system" && mode !== "verify-full") {
    throw new DatabaseUrlError(`sslrootcert=system needs sslmode=verify-full (not ${mode})`);
  }
  const ca = rootCert && rootCert !== "system" ? file("sslrootcert") : undefined;
  const tls: ConnectionOptions = { ca, cert: file("sslcert"), key: file("sslkey") };
  const anyHost = () => undefined;
  switch (mode as SslMode) {
    case "allow":
    case "prefer":
      // libpq checks nothing in these modes: TLS here only keeps the wire private.
      Object.assign(tls, { rejectUnauthorized: false });
      break;
    case "require":
      // As libpq: with a root certificate, require checks the chain (as verify-ca).
      Object.assign(tls, ca ? { checkServerIdentity: anyHost } : { rejectUnauthorized: false });
      break;
    case "verify-ca":
      // libpq would look for ~/.postgresql/root.crt; here the CA must be named.
      if (!ca) throw new DatabaseUrlError("sslmode=verify-ca needs sslrootcert=<the CA's certificate>");
      Object.assign(tls, { checkServerIdentity: anyHost });
      break;
    default:
      break; // verify-full: Node's own checks (chain and host name)
  }
  return { base, mode: mode as SslMode, tls };
}

/** Checks a PostgreSQL URL's TLS settings (and reads its certificate files) without connecting. */
export function checkPgUrl(url: string): void {
  parseTarget(url);
}

/**
 * The URL as libpq's environment variables (PGHOST, PGPASSWORD, PGSSLMODE…), for the
 * PostgreSQL tools (pg_dump, pg_restore): the password goes through the environment, never
 * on a command line where `ps` would show it. Read by the same parser as every pg client here.
 */
export function libpqEnv(url: string): Record<string, string> {
  const { base, mode } = parseTarget(url);
  const params = new URLSearchParams(/\?([^#]*)/.exec(url)?.[1] ?? "");
  const env: Record<string, string | undefined> = {
    PGHOST: base.host,
    PGPORT: String(base.port),
    PGUSER: base.user,
    PGPASSWORD: typeof base.password === "string" ? base.password : undefined,
    PGDATABASE: base.database,
    PGSSLMODE: mode,
    PGSSLROOTCERT: params.get("sslrootcert") ?? undefined,
    PGSSLCERT: params.get("sslcert") ?? undefined,
    PGSSLKEY: params.get("sslkey") ?? undefined,
    PGAPPNAME: base.application_name,
    PGOPTIONS: base.options,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => !!e[1]));
}

/** pg's message when the server answers the TLS request with "N". */
const NO_TLS = "The server does not support SSL connections";

interface DriverCause {
  kind?: string;
  reason?: string;
  originalMessage?: string;
}

function reasonOf(e: unknown, mode: SslMode): string {
  const error = e as { message?: string; code?: string; meta?: { driverAdapterError?: { cause?: DriverCause } } };
  // Through Prisma's pool, pg's error arrives as the cause of a driver adapter error.
  const cause = error?.meta?.driverAdapterError?.cause;
  const message =
    cause?.reason ??
    cause?.originalMessage ??
    (cause?.kind === "DatabaseNotReachable" ? "the server does not answer" : undefined) ??
    String(error?.message ?? e).split("\n")[0]!;
  if (message === NO_TLS) return `the server does not offer TLS, but DATABASE_URL asks for it (sslmode=${mode})`;
  const badCertificate = cause
    ? cause.kind === "TlsConnectionError"
    : /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS/.test(error?.code ?? "");
  if (badCertificate) return `the server's TLS certificate is not accepted (${message}; sslmode=${mode})`;
  return message;
}

/** A connection failure as one line: where, and why. */
export function connectError(e: unknown, config: pg.ClientConfig, mode: SslMode): DatabaseConnectError {
  return new DatabaseConnectError(
    `cannot connect to PostgreSQL at ${config.host}:${config.port} (database ${config.database}): ${reasonOf(e, mode)}`,
  );
}

async function tryConnect(config: pg.ClientConfig): Promise<void> {
  const client = new pg.Client(config);
  // A refused connection may also emit "error" after connect() has rejected.
  client.on("error", () => {});
  await client.connect();
  await client.end();
}

export interface ResolvedPg {
  config: pg.ClientConfig;
  mode: SslMode;
}

/**
 * The connection settings of a PostgreSQL URL. For `prefer` and `allow` a trial connection
 * decides between TLS and plain text; a pool keeps that decision for its life (libpq
 * decides per connection, but a server does not change its mind between two of ours).
 */
export async function pgConfig(url: string): Promise<ResolvedPg> {
  const { base, mode, tls } = parseTarget(url);
  const plain = { config: { ...base, ssl: false }, mode };
  const secure = { config: { ...base, ssl: tls }, mode };
  if (mode === "disable") return plain;
  if (mode === "prefer") {
    try {
      await tryConnect(secure.config);
      return secure;
    } catch (e) {
      if ((e as Error).message === NO_TLS) return plain;
      throw connectError(e, secure.config, mode);
    }
  }
  if (mode === "allow") {
    try {
      await tryConnect(plain.config);
      return plain;
    } catch (e) {
      // 28000: pg_hba.conf has no entry for a plain-text connection (a hostssl-only server).
      if ((e as { code?: string }).code === "28000") return secure;
      throw connectError(e, plain.config, mode);
    }
  }
  return secure;
}

/** A connected pg client for `url` (with `override`, e.g. another database on that server). */
export async function connectPg(url: string, override: pg.ClientConfig = {}): Promise<pg.Client> {
  const { config, mode } = await pgConfig(url);
  const full = { ...config, ...override };
  const client = new pg.Client(full);
  try {
    await client.connect();
  } catch (e) {
    client.on("error", () => {});
    throw connectError(e, full, mode);
  }
  return client;
}
