import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CAMPAIGN_FILE } from "../src/app.ts";
import { openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { DatabaseConnectError } from "../src/db/pg-connection.ts";
import { createScratchDatabase } from "../src/db/scratch.ts";
import { runCli, runProcess } from "./support/cli.ts";
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from "./support/database.ts";
import { tempDir } from "./support/temp.ts";

/**
 * TLS settings of a PostgreSQL DATABASE_URL (sslmode and friends) are honoured by every
 * connection the product makes: the bot's pool, migrations, the CLI and the Prisma CLI.
 */
const tmp = tempDir("tls");

const withQuery = (url: string, query: string) => `${url}${url.includes("?") ? "&" : "?"}${query}`;

// Most cases start the CLI or the bot (a few seconds each on a busy machine).
describe.skipIf(!TEST_DATABASE_URL.startsWith("postgres"))(
  "against the local PostgreSQL, which has no TLS",
  { timeout: 120_000 },
  () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase();
    });
    afterAll(() => database?.destroy());

    it("the CLI refuses sslmode=require and verify-full in one line, as psql does", async () => {
      for (const mode of ["require", "verify-full"]) {
        const { code, stdout, stderr } = await runCli(["import", BUNDLED_CAMPAIGN_FILE], {
          DATABASE_URL: withQuery(database.url, `sslmode=${mode}`),
        });
        expect(code).toBe(1);
        expect(stdout).toBe("");
        const host = new URL(database.url);
        expect(stderr).toBe(
          `cannot connect to PostgreSQL at ${host.hostname}:${host.port} (database ${host.pathname.slice(1)}): ` +
            `the server does not offer TLS, but DATABASE_URL asks for it (sslmode=${mode})\n`,
        );
      }
      expect(await database.db.unit.count()).toBe(0);
    });

    it("the bot stops at start with the same line instead of a stack trace", async () => {
      const { code, stderr } = await runProcess(resolve("node_modules/.bin/tsx"), [resolve("src/main.ts")], {
        BOT_TOKEN: "123456:TLS-test-token-abcdefghijklmnop",
        DATABASE_URL: withQuery(database.url, "sslmode=require"),
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^cannot connect to PostgreSQL at .+: the server does not offer TLS, but DATABASE_URL asks for it \(sslmode=require\)\n$/,
      );
    });

    it("connects with sslmode=disable and with sslmode=prefer", async () => {
      const first = await runCli(["import", BUNDLED_CAMPAIGN_FILE], {
        DATABASE_URL: withQuery(database.url, "sslmode=disable"),
      });
      expect(first.stderr).toBe("");
      expect(first.stdout).toContain("units: 12 created");
      const second = await runCli(["import", BUNDLED_CAMPAIGN_FILE], {
        DATABASE_URL: withQuery(database.url, "sslmode=prefer"),
      });
      expect(second.stderr).toBe("");
      expect(second.stdout).toContain("units: 0 created, 0 updated, 12 unchanged");
    });

    it("refuses an unknown sslmode as a configuration error", async () => {
      const { code, stderr } = await runCli(["import", BUNDLED_CAMPAIGN_FILE], {
        DATABASE_URL: withQuery(database.url, "sslmode=sometimes"),
      });
      expect(code).toBe(1);
      expect(stderr).toBe(
        'Invalid configuration: DATABASE_URL: sslmode must be one of disable, allow, prefer, require, verify-ca, verify-full (not "sometimes")\n',
      );
    });

    it("the bot's pool and scratch databases refuse it too, and take prefer", async () => {
      const require = withQuery(database.url, "sslmode=require");
      await expect(openDatabase(require, { migrate: false })).rejects.toThrow(
        /the server does not offer TLS, but DATABASE_URL asks for it \(sslmode=require\)$/,
      );
      await expect(createScratchDatabase(require, "cchc_tls")).rejects.toBeInstanceOf(DatabaseConnectError);
      const prefer = await openDatabase(withQuery(database.url, "sslmode=prefer"), { migrate: false, poolSize: 1 });
      await prefer.ping();
      await prefer.close();
    });

    it("the Prisma CLI (migrate status) refuses sslmode=require and works with prefer", async () => {
      const prisma = (mode: string) =>
        runProcess(resolve("node_modules/.bin/prisma"), ["migrate", "status"], {
          DATABASE_URL: withQuery(database.url, `sslmode=${mode}`),
          CHECKPOINT_DISABLE: "1",
        });
      const refused = await prisma("require");
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain("does not support SSL");
      const fine = await prisma("prefer");
      expect(fine.stdout + fine.stderr).toContain("Database schema is up to date");
      expect(fine.code).toBe(0);
    });
  },
);

/**
 * A stand-in PostgreSQL server that only answers the start of the protocol: it accepts TLS
 * (with a self-signed certificate for other.example) and then refuses the login with a
 * message saying how the client arrived. Enough to see what each sslmode really does.
 */
describe("sslmode semantics (libpq's), against a TLS server with a self-signed certificate", () => {
  let server: Server;
  let port = 0;
  let hostSslOnly = false;
  const key = join(tmp, "key.pem");
  const cert = join(tmp, "cert.pem");

  function errorResponse(code: string, message: string): Buffer {
    const body = Buffer.from(`SFATAL\0C${code}\0M${message}\0\0`);
    const head = Buffer.alloc(5);
    head.write("E", 0);
    head.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([head, body]);
  }

  beforeAll(async () => {
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"],
        ...["-keyout", key, "-out", cert, "-subj", "/CN=other.example", "-addext", "subjectAltName=DNS:other.example"],
      ],
      { stdio: "pipe" },
    );
    const tls = { key: readFileSync(key), cert: readFileSync(cert) };
    server = createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", (first) => {
        if (first.length >= 8 && first.readInt32BE(4) === 80877103) {
          socket.write("S");
          const secure = new TLSSocket(socket, { isServer: true, ...tls });
          secure.on("error", () => {});
          secure.once("data", () => secure.end(errorResponse("08004", "reached over TLS")));
        } else if (hostSslOnly) {
          socket.end(errorResponse("28000", 'no pg_hba.conf entry for host "127.0.0.1", no encryption'));
        } else socket.end(errorResponse("08004", "reached in plain text"));
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  /** What the bot's pool and the migrations each report for a URL. */
  async function outcome(query: string): Promise<string[]> {
    const url = `postgresql://cchc@127.0.0.1:${port}/cchc?${query}`;
    const reasons: string[] = [];
    for (const attempt of [() => migrate(url), () => openDatabase(url, { migrate: false })]) {
      const e = await attempt().then(
        () => new Error("connected"),
        (e: unknown) => e as Error,
      );
      expect(e).toBeInstanceOf(DatabaseConnectError);
      reasons.push(e.message.replace(`cannot connect to PostgreSQL at 127.0.0.1:${port} (database cchc): `, ""));
    }
    return reasons;
  }
  const both = (reason: string) => [reason, reason];
  const untrusted = expect.stringMatching(/^the server's TLS certificate is not accepted \(.+; sslmode=verify-full\)$/);

  it.each([
    ["sslmode=disable", "reached in plain text"],
    ["", "reached in plain text"],
    ["sslmode=prefer", "reached over TLS"],
    ["sslmode=require", "reached over TLS"],
    ["ssl=no-verify", "reached over TLS"],
  ])("%s: %s", async (query, reason) => {
    expect(await outcome(query)).toEqual(both(reason));
  });

  it("verify-full refuses a certificate no trusted CA signed, and one issued for another host", async () => {
    expect(await outcome("sslmode=verify-full")).toEqual([untrusted, untrusted]);
    expect(await outcome("ssl=true")).toEqual([untrusted, untrusted]);
    // Signed by the CA given, but issued for other.example, not 127.0.0.1.
    expect(await outcome(`sslmode=verify-full&sslrootcert=${cert}`)).toEqual([untrusted, untrusted]);
  });

  it("verify-ca checks the signature only; require with a root certificate is verify-ca", async () => {
    expect(await outcome(`sslmode=verify-ca&sslrootcert=${cert}`)).toEqual(both("reached over TLS"));
    expect(await outcome(`sslmode=require&sslrootcert=${cert}`)).toEqual(both("reached over TLS"));
  });

  it("allow tries plain text first and TLS when the server refuses plain text", async () => {
    expect(await outcome("sslmode=allow")).toEqual(both("reached in plain text"));
    hostSslOnly = true;
    try {
      expect(await outcome("sslmode=allow")).toEqual(both("reached over TLS"));
    } finally {
      hostSslOnly = false;
    }
  });
});
