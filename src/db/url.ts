/**
 * Which database a DATABASE_URL points at. SQLite (a `file:` URL) is the embedded default;
 * `postgres://` or `postgresql://` selects PostgreSQL.
 */
export type Provider = "sqlite" | "postgresql";

export const DEFAULT_DATABASE_URL = "file:./data/cchc.db";

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//i.test(url)) return "postgresql";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`unsupported DATABASE_URL "${url}": expected file:… (SQLite) or postgresql://…`);
}

/** The SQLite file path of a file: URL, relative to the working directory. */
export function sqlitePath(url: string): string {
  return url.replace(/^file:/, "").replace(/\?.*$/, "");
}

/** The schema folder (datasource, generator, migrations) of a provider. */
export function schemaDir(provider: Provider): string {
  return `prisma/${provider}`;
}
