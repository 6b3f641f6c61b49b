import type { Server } from "node:http";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServer, createHttpServer, fifoGate, listen } from "../src/server/http.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser, telegramUsers } from "./support/people.ts";
import { textUpdate, user } from "./support/updates.ts";

const SECRET = "webhook-secret-0123456789";
let h: Harness;
let server: Server;
let base: string;

beforeAll(async () => {
  h = await createHarness();
  server = createHttpServer({
    bot: h.bot,
    db: h.db,
    secretToken: SECRET,
    webhookPath: "/telegram/webhook",
    ping: h.database.ping,
    logger: pino({ level: "silent" }),
  });
  const port = await listen(server, 0, "127.0.0.1");
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await closeServer(server);
  await h.close();
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("the webhook", () => {
  it("handles an update that carries the secret token", async () => {
    h.recorder.clear();
    const res = await post(textUpdate(user(4001, "An"), "/help"), { "X-Telegram-Bot-Api-Secret-Token": SECRET });
    expect(res.status).toBe(200);
    expect(h.recorder.lastText()).toContain("<b>Các lệnh đồng chí được dùng</b>");
  });

  it.each([
    ["a wrong secret", { "X-Telegram-Bot-Api-Secret-Token": "not-the-secret-at-all" }],
    ["no secret", {}],
  ])("answers 401 to %s and does nothing", async (_what, headers) => {
    h.recorder.clear();
    const res = await post(textUpdate(user(4002, "Kẻ Lạ"), "/help"), headers);
    expect(res.status).toBe(401);
    expect(h.recorder.calls).toEqual([]);
    expect(await h.db.person.count({ where: telegramUser(4002n) })).toBe(0);
  });

  it("answers 405 to GET and 404 elsewhere", async () => {
    expect((await fetch(`${base}/telegram/webhook`)).status).toBe(405);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });
});

describe("GET /healthz", () => {
  it("says the database is up", async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: "up" });
  });

  it("answers 503 when the database does not answer", async () => {
    const failing = createHttpServer({
      ping: () => Promise.reject(new Error("connection refused")),
      logger: pino({ level: "silent" }),
    });
    const port = await listen(failing, 0, "127.0.0.1");
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false, database: "down" });
    } finally {
      await closeServer(failing);
    }
  });
});

describe("a burst of updates", () => {
  it("is handled a few at a time, in arrival order", async () => {
    const gate = fifoGate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return i;
    };
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => gate(task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    // A failing task frees its slot too.
    await expect(gate(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate(async () => "still serving")).toBe("still serving");
  });

  it("through a server that handles two at once: every update answered and stored", async () => {
    const narrow = createHttpServer({
      bot: h.bot,
      db: h.db,
      secretToken: SECRET,
      webhookPath: "/telegram/webhook",
      ping: h.database.ping,
      logger: pino({ level: "silent" }),
      maxConcurrentUpdates: 2,
    });
    const port = await listen(narrow, 0, "127.0.0.1");
    try {
      h.recorder.clear();
      const people = Array.from({ length: 12 }, (_, i) => user(4100 + i, `Cán bộ ${i + 1}`));
      const statuses = await Promise.all(
        people.map(async (p) => {
          const res = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
            method: "POST",
            headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
            body: JSON.stringify(textUpdate(p, "/help")),
          });
          return res.status;
        }),
      );
      expect(statuses).toEqual(people.map(() => 200));
      const answered = h.recorder.of("sendMessage").map((m) => m.chat_id);
      expect(answered.sort()).toEqual(people.map((p) => p.id).sort());
      expect(await h.db.person.count({ where: telegramUsers(Array.from({ length: 12 }, (_, i) => 4100 + i)) })).toBe(
        12,
      );
    } finally {
      await closeServer(narrow);
    }
  });
});
