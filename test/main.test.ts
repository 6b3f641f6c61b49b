import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeBotApi, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { type FakeZaloApi, startFakeZaloApi } from "../src/dev/fake-zalo-api.ts";
import { createTestDatabase, type TestDatabase } from "./support/database.ts";
import { tempDir } from "./support/temp.ts";

/**
 * npm start as a process: the compiled bot (npm run build, then node dist/src/main.js, as
 * npm start runs it), against a loopback Bot API, then stopped with SIGINT.
 */
beforeAll(() => {
  execFileSync(resolve("node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { stdio: "inherit" });
}, 120_000);

let api: FakeBotApi | undefined;
let child: ChildProcess | undefined;
let db: TestDatabase | undefined;
afterEach(async () => {
  child?.kill("SIGKILL");
  await api?.close();
  await db?.destroy();
});

async function start(env: Record<string, string>, how: "node" | "npm start" = "node") {
  api = await startFakeBotApi();
  db = await createTestDatabase();
  await db.close();
  const cwd = how === "node" ? tempDir("main") : resolve(".");
  const [command, args] =
    how === "node" ? [process.execPath, [resolve("dist/src/main.js")]] : ["npm", ["start", "--silent"]];
  child = spawn(command, args, {
    cwd,
    detached: how === "npm start",
    env: {
      PATH: process.env.PATH,
      BOT_TOKEN: "123456:MAIN-test-token-abcdefghijklmnop",
      TELEGRAM_API_ROOT: api.url,
      DATABASE_URL: db.url,
      LOG_LEVEL: "info",
      ...env,
    },
  });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<number | null>((done) => child!.on("close", (code) => done(code)));
  const waitFor = async (text: string) => {
    for (let i = 0; i < 300 && !log.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
    expect(log, `waiting for "${text}"`).toContain(text);
  };
  return { api, exited, waitFor, log: () => log };
}

describe("npm start", () => {
  it("starts the compiled bot without compiling it again", async () => {
    const run = await start({ BOT_MODE: "polling", PORT: "0" }, "npm start");
    await run.waitFor("polling mode: started");
    expect(run.log()).not.toMatch(/tsc|tsconfig/);
    // npm runs the bot as its child, in the process group started here.
    process.kill(-child!.pid!, "SIGTERM");
    await run.exited;
    expect(run.log()).toContain('"msg":"stopped"');
  });

  it("polls, answers, and stops cleanly on SIGTERM", async () => {
    const run = await start({ BOT_MODE: "polling", PORT: "0" });
    await run.waitFor("polling mode: started");
    run.api.sendUserMessage({ id: 5001, first_name: "Minh" }, "/start");
    await run.api.waitForIdle({ quietMs: 500, timeoutMs: 10_000 });
    const sent = run.api.calls.filter((c) => c.method === "sendMessage");
    expect(String(sent[0]?.payload.text)).toContain("Xin chào <b>Minh</b>");
    // The default command menus for guests, per language.
    expect(run.api.commandsFor({ type: "all_private_chats" }).map((c) => c.command)).toEqual([
      "start",
      "help",
      "ngonngu",
    ]);
    child!.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.log()).toContain("stopped");
  });

  it("in webhook mode registers the webhook with its secret", async () => {
    const run = await start({
      BOT_MODE: "webhook",
      WEBHOOK_URL: "https://cchc.example.vn/hook/telegram",
      WEBHOOK_SECRET: "secret-token-for-tests-123",
      PORT: "0",
      HOST: "127.0.0.1",
    });
    await run.waitFor("webhook mode: listening");
    const hook = run.api.calls.find((c) => c.method === "setWebhook")!;
    expect(hook.payload).toMatchObject({
      url: "https://cchc.example.vn/hook/telegram",
      secret_token: "secret-token-for-tests-123",
      max_connections: 40,
    });
    child!.kill("SIGINT");
    expect(await run.exited).toBe(0);
  });

  /** A fake Zalo Bot API for the process, and its settings; closed after `fn`. */
  async function withZalo(fn: (zalo: FakeZaloApi, env: Record<string, string>) => Promise<void>) {
    const token = "2000000000000000001:main-zalo-secret-xyz";
    const zalo = await startFakeZaloApi({ token });
    try {
      await fn(zalo, { PORT: "0", ZALO_BOT_TOKEN: token, ZALO_API_ROOT: zalo.url });
    } finally {
      await zalo.close();
    }
  }

  it("runs on Zalo alone when BOT_TOKEN is empty", () =>
    withZalo(async (zalo, env) => {
      const run = await start({ ...env, BOT_TOKEN: "" });
      await run.waitFor("serving Zalo only");
      zalo.userSends({ id: "900200", display_name: "Cầm Thị Hoa" }, "/start");
      const [reply] = await zalo.waitForMessages("900200", 1, 10_000);
      expect(reply!.text).toContain("Xin chào Cầm Thị Hoa");
      // Telegram was never called.
      expect(run.api.calls).toEqual([]);
      child!.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    }));

  it("with ZALO_BOT_TOKEN also serves Zalo: polls its events and answers there, in text", () =>
    withZalo(async (zalo, env) => {
      const run = await start({ ...env, BOT_MODE: "polling" });
      await run.waitFor("zalo channel started");
      zalo.userSends({ id: "900100", display_name: "Lò Văn Minh" }, "help");
      const [reply] = await zalo.waitForMessages("900100", 1, 10_000);
      expect(reply!.text).toContain("Các lệnh");
      expect(zalo.violations).toEqual([]);
      // The token is nowhere in what the process wrote.
      expect(run.log()).not.toContain("main-zalo-secret-xyz");
      child!.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    }));
});
