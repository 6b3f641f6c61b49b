import { describe, expect, it } from "vitest";
import { ConfigError, parseCliConfig, parseConfig } from "../src/config.ts";
import { tempDir } from "./support/temp.ts";

const TOKEN = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11";

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("takes defaults for everything but the token", () => {
    const c = parseConfig({ BOT_TOKEN: TOKEN });
    expect(c).toMatchObject({
      DATABASE_URL: "file:./data/cchc.db",
      BOT_MODE: "polling",
      HOST: "0.0.0.0",
      PORT: 8080,
      TELEGRAM_API_ROOT: "https://api.telegram.org",
      COORDINATOR_IDS: [],
      TZ: "Asia/Ho_Chi_Minh",
      DEFAULT_LOCALE: "vi",
      LOG_LEVEL: "info",
      FILE_STORAGE: "local",
      FILES_DIR: "data/files",
      MAX_FILE_MB: 20,
    });
  });

  it("keeps files beside the SQLite database unless FILES_DIR says where", () => {
    const files = (env: Record<string, string>) => parseConfig({ BOT_TOKEN: TOKEN, ...env }).FILES_DIR;
    expect(files({ DATABASE_URL: "file:/var/lib/cchc/cchc.db" })).toBe("/var/lib/cchc/files");
    expect(files({ DATABASE_URL: "postgresql://cchc@db:5432/cchc" })).toBe("data/files");
    expect(files({ DATABASE_URL: "file:/var/lib/cchc/cchc.db", FILES_DIR: "/srv/evidence" })).toBe("/srv/evidence");
    const c = parseConfig({ BOT_TOKEN: TOKEN, FILE_STORAGE: "database", MAX_FILE_MB: "50" });
    expect([c.FILE_STORAGE, c.MAX_FILE_MB]).toEqual(["database", 50]);
  });

  it("parses coordinator ids, PostgreSQL and webhook settings", () => {
    const c = parseConfig({
      BOT_TOKEN: TOKEN,
      COORDINATOR_IDS: "111, 222;333",
      DATABASE_URL: "postgresql://cchc:pw@127.0.0.1:5432/cchc",
      BOT_MODE: "webhook",
      WEBHOOK_URL: "https://cchc.sonla.gov.vn/telegram/webhook",
      WEBHOOK_SECRET: "a-secret-of-enough-length",
      PORT: "3000",
    });
    expect(c.COORDINATOR_IDS).toEqual([111n, 222n, 333n]);
    expect(c.PORT).toBe(3000);
    expect(c.BOT_MODE).toBe("webhook");
  });

  it("runs with Zalo alone, without a Telegram token", () => {
    const c = parseConfig({ BOT_TOKEN: "", ZALO_BOT_TOKEN: "1234567890:AbCdEfGh_ij" });
    expect(c.BOT_TOKEN).toBeUndefined();
    expect(c.ZALO_BOT_TOKEN).toBe("1234567890:AbCdEfGh_ij");
    expect(c.ZALO_MODE).toBe("polling");
  });

  it("treats empty values as unset", () => {
    expect(parseConfig({ BOT_TOKEN: TOKEN, PORT: "", COORDINATOR_IDS: "" }).PORT).toBe(8080);
  });

  it.each([
    [{}, "BOT_TOKEN", "required"],
    [{ ZALO_BOT_TOKEN: "1234567890:AbCdEfGh_ij", ZALO_MODE: "webhook" }, "ZALO_WEBHOOK_URL", "ZALO_MODE=webhook"],
    [{ ZALO_BOT_TOKEN: "no-colon" }, "ZALO_BOT_TOKEN", "Bot Creator"],
    [{ BOT_TOKEN: "not-a-token" }, "BOT_TOKEN", "@BotFather"],
    [{ BOT_TOKEN: TOKEN, DATABASE_URL: "mysql://x" }, "DATABASE_URL", "postgresql://"],
    [{ BOT_TOKEN: TOKEN, BOT_MODE: "push" }, "BOT_MODE", '"polling" or "webhook"'],
    [
      { BOT_TOKEN: TOKEN, BOT_MODE: "webhook", WEBHOOK_SECRET: "a-secret-of-enough-length" },
      "WEBHOOK_URL",
      "required when BOT_MODE=webhook",
    ],
    [
      { BOT_TOKEN: TOKEN, BOT_MODE: "webhook", WEBHOOK_URL: "https://x.vn/hook" },
      "WEBHOOK_SECRET",
      "required when BOT_MODE=webhook",
    ],
    [{ BOT_TOKEN: TOKEN, WEBHOOK_SECRET: "short" }, "WEBHOOK_SECRET", "16 to 256"],
    [{ BOT_TOKEN: TOKEN, PORT: "eighty" }, "PORT", "port number"],
    [{ BOT_TOKEN: TOKEN, PORT: "70000" }, "PORT", ""],
    [{ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "not a url" }, "TELEGRAM_API_ROOT", "URL"],
    [{ BOT_TOKEN: TOKEN, COORDINATOR_IDS: "12,abc" }, "COORDINATOR_IDS", '"abc" is not one'],
    [{ BOT_TOKEN: TOKEN, TZ: "Mars/Olympus" }, "TZ", "IANA time zone"],
    [{ BOT_TOKEN: TOKEN, DEFAULT_LOCALE: "fr" }, "DEFAULT_LOCALE", '"vi" or "en"'],
    [{ BOT_TOKEN: TOKEN, LOG_LEVEL: "loud" }, "LOG_LEVEL", "one of fatal"],
    [{ BOT_TOKEN: TOKEN, FILE_STORAGE: "s3" }, "FILE_STORAGE", '"local" or "database"'],
    [{ BOT_TOKEN: TOKEN, MAX_FILE_MB: "0" }, "MAX_FILE_MB", "megabytes from 1 to 2000"],
    [{ BOT_TOKEN: TOKEN, MAX_FILE_MB: "20MB" }, "MAX_FILE_MB", "megabytes from 1 to 2000"],
    [{ BOT_TOKEN: TOKEN, MAX_FILE_MB: "2.5" }, "MAX_FILE_MB", "megabytes from 1 to 2000"],
    [{ BOT_TOKEN: TOKEN, MAX_FILE_MB: "4096" }, "MAX_FILE_MB", "megabytes from 1 to 2000"],
  ])("%j is refused, naming %s", (env, variable, expected) => {
    const e = errorOf(env as Record<string, string>);
    expect(e.variable).toBe(variable);
    expect(e.expected).toContain(expected);
    // One line, naming the variable: what the process prints before it stops.
    expect(e.message).toMatch(new RegExp(`^Invalid configuration: ${variable}: `));
    expect(e.message).not.toContain("\n");
  });

  it("the command-line tools need no token", () => {
    expect(parseCliConfig({}).DATABASE_URL).toBe("file:./data/cchc.db");
    expect(parseCliConfig({ BOT_USERNAME: "@cchc_bot" }).BOT_USERNAME).toBe("cchc_bot");
    // Backups copy the files: the command line knows where they are.
    expect(parseCliConfig({ DATABASE_URL: "file:/srv/cchc.db" })).toMatchObject({
      FILE_STORAGE: "local",
      FILES_DIR: "/srv/files",
      MAX_FILE_MB: 20,
    });
  });
});

describe("npm start with a wrong setting", () => {
  it("stops with one line naming the variable", async () => {
    const { execFile } = await import("node:child_process");
    const { resolve } = await import("node:path");
    const cwd = tempDir("config");
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, BOT_TOKEN: TOKEN, BOT_MODE: "webhook" };
    const result = await new Promise<{ code: number | null; stderr: string; stdout: string }>((done) => {
      const child = execFile(
        resolve("node_modules/.bin/tsx"),
        [resolve("src/main.ts")],
        { cwd, env, timeout: 20_000 },
        (_err, stdout, stderr) => done({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("Invalid configuration: WEBHOOK_URL: required when BOT_MODE=webhook");
  });
});
