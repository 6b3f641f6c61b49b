/**
 * The Zalo Bot API client against the loopback fake: each method, each kind of failure, the
 * limits it checks before calling, and the token, which must never appear in an error.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  classifyZaloError,
  createZaloApi,
  parseZaloEvent,
  type ZaloApi,
  ZaloApiError,
} from "../../src/channels/zalo/api.ts";
import { type FakeZaloApi, startFakeZaloApi } from "../../src/dev/fake-zalo-api.ts";
import { serializeError } from "../../src/logger.ts";

// A recognisable token: any trace of it (or of its secret half) in an error is a leak.
const TOKEN = "3141592653:LEAKCANARY-zalo-token-QQrrSSttUU";
const TOKEN_HALF = "LEAKCANARY-zalo-token-QQrrSSttUU";
const lan = { id: "5a1b2c3d4e5f6071", display_name: "Nguyễn Thị Lan" };

let fake: FakeZaloApi;
let api: ZaloApi;

beforeEach(async () => {
  fake = await startFakeZaloApi({ token: TOKEN });
  api = createZaloApi({ token: TOKEN, apiRoot: fake.url, timeoutMs: 2000 });
});

afterEach(async () => {
  await fake.close();
});

/** The rejection of `p`, which must be a ZaloApiError. */
async function failure(p: Promise<unknown>): Promise<ZaloApiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ZaloApiError);
  return e as ZaloApiError;
}

/** Every way an error can be shown or logged, searched for the token. */
function expectNoToken(e: ZaloApiError): void {
  const shown = [
    String(e),
    e.message,
    e.description,
    e.stack ?? "",
    JSON.stringify(e),
    JSON.stringify(serializeError(e)),
    JSON.stringify(Object.entries(e)),
    String((e as { cause?: unknown }).cause ?? ""),
  ].join("\n");
  expect(shown).not.toContain(TOKEN_HALF);
  expect(shown).not.toContain(encodeURIComponent(TOKEN_HALF));
}

describe("methods against the fake", () => {
  it("getMe answers the bot's account", async () => {
    const me = await api.getMe();
    expect(me.id).toBe("2000000000000000001");
    expect(me.account_name).toBe("bot.cchc_demo");
  });

  it("sendMessage sends plain text and returns the message id", async () => {
    const sent = await api.sendMessage({ chat_id: lan.id, text: "Xin chào chị Lan" });
    expect(sent.message_id).toMatch(/^[0-9a-f]{32}$/);
    expect(fake.messagesTo(lan.id)).toMatchObject([{ text: "Xin chào chị Lan", message_id: sent.message_id }]);
    // Only the documented fields travel.
    expect(fake.calls.at(-1)?.payload).toEqual({ chat_id: lan.id, text: "Xin chào chị Lan" });
  });

  it("sendPhoto sends a photo by URL with a caption", async () => {
    await api.sendPhoto({ chat_id: lan.id, photo: "https://example.org/chart.png", caption: "Biểu đồ tiến độ" });
    expect(fake.messagesTo(lan.id)).toMatchObject([
      { photo: "https://example.org/chart.png", caption: "Biểu đồ tiến độ" },
    ]);
  });

  it("sendChatAction sends typing", async () => {
    await api.sendChatAction({ chat_id: lan.id, action: "typing" });
    expect(fake.calls.at(-1)).toMatchObject({ method: "sendChatAction", ok: true });
  });

  it("setWebhook, getWebhookInfo and deleteWebhook round-trip", async () => {
    const url = "https://cchc.example.vn/zalo/webhook";
    expect((await api.setWebhook({ url, secret_token: "s3cret-s3cret" })).url).toBe(url);
    expect((await api.getWebhookInfo()).url).toBe(url);
    expect(fake.webhook).toEqual({ url, secret_token: "s3cret-s3cret" });
    await api.deleteWebhook();
    expect(await api.getWebhookInfo()).toEqual({ url: "" });
    expect(fake.webhook).toBeUndefined();
  });

  it("getUpdates returns one event per call, then none", async () => {
    fake.userSends(lan, "MOI ABC123");
    fake.userSends(lan, "1");
    const first = await api.getUpdates({ timeout: 0 });
    const second = await api.getUpdates({ timeout: 0 });
    expect(first).toMatchObject({
      kind: "event",
      event_name: "message.text.received",
      message: { text: "MOI ABC123", from: lan, chat: { id: lan.id, chat_type: "PRIVATE" } },
    });
    expect(second).toMatchObject({ kind: "event", message: { text: "1" } });
    expect(await api.getUpdates({ timeout: 0 })).toBeUndefined();
  });

  it("getUpdates long-polls and returns as soon as an event arrives", async () => {
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 5 });
    setTimeout(() => fake.userSends(lan, "tiếp"), 100);
    expect(await poll).toMatchObject({ kind: "event", message: { text: "tiếp" } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("getUpdates ends empty when the long poll times out", async () => {
    const started = Date.now();
    expect(await api.getUpdates({ timeout: 1 })).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("getUpdates hands over unknown event names as a typed unknown, without throwing", async () => {
    fake.pushEvent({ event_name: "message.location.received", message: { foo: 1 } });
    expect(await api.getUpdates({ timeout: 0 })).toMatchObject({
      kind: "unknown",
      reason: "unknown_event",
      event_name: "message.location.received",
    });
  });

  it("getUpdates while a webhook is set fails permanently", async () => {
    await api.setWebhook({ url: "https://cchc.example.vn/zalo", secret_token: "12345678" });
    const e = await failure(api.getUpdates({ timeout: 0 }));
    expect(e).toMatchObject({ method: "getUpdates", error_code: 409, kind: "permanent" });
  });

  it("a caller's signal stops a waiting long poll", async () => {
    const ac = new AbortController();
    const poll = api.getUpdates({ timeout: 30 }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const e = await failure(poll);
    expect(e).toMatchObject({ error_code: undefined, kind: "transient" });
    expect(e.description).toMatch(/aborted/);
  });
});

describe("limits checked before calling", () => {
  it("sendMessage refuses an empty text and one over 2,000 characters without a request", async () => {
    expect(await failure(api.sendMessage({ chat_id: lan.id, text: "" }))).toMatchObject({ kind: "permanent" });
    const long = await failure(api.sendMessage({ chat_id: lan.id, text: "a".repeat(2001) }));
    expect(long).toMatchObject({ kind: "permanent", error_code: undefined });
    expect(long.description).toMatch(/2001 characters/);
    expect(fake.calls).toHaveLength(0);
    // Exactly 2,000 is fine.
    await api.sendMessage({ chat_id: lan.id, text: "a".repeat(2000) });
    expect(fake.messagesTo(lan.id)).toHaveLength(1);
  });

  it("sendPhoto refuses a photo that is not an http(s) URL, and an over-long caption", async () => {
    await failure(api.sendPhoto({ chat_id: lan.id, photo: "/tmp/chart.png" }));
    await failure(api.sendPhoto({ chat_id: lan.id, photo: "https://x.vn/a.png", caption: "c".repeat(2001) }));
    expect(fake.calls).toHaveLength(0);
  });
});

describe("failures and their kind", () => {
  it("429 is rate_limited, 5xx transient, other 4xx permanent", async () => {
    fake.failNext("sendMessage", 429, "Too Many Requests");
    fake.failNext("sendMessage", 502, "Bad Gateway");
    fake.failNext("sendMessage", 400, "Bad Request: something");
    const send = () => api.sendMessage({ chat_id: lan.id, text: "x" });
    expect(await failure(send())).toMatchObject({ method: "sendMessage", error_code: 429, kind: "rate_limited" });
    expect(await failure(send())).toMatchObject({ error_code: 502, kind: "transient" });
    expect(await failure(send())).toMatchObject({
      error_code: 400,
      description: "Bad Request: something",
      kind: "permanent",
    });
  });

  it("a user who blocked the bot is 'blocked' only when the description says so", async () => {
    fake.blockedUsers.add(lan.id);
    const e = await failure(api.sendMessage({ chat_id: lan.id, text: "Thông báo" }));
    expect(e).toMatchObject({ error_code: 403, kind: "blocked" });
    // A bare 403 could be a permission problem: not enough to stop writing to a person.
    expect(classifyZaloError(403, "Forbidden")).toBe("permanent");
    expect(classifyZaloError(400, "Bot is not allowed to send messages to this user")).toBe("blocked");
    expect(classifyZaloError(undefined, "network error (ECONNRESET)")).toBe("transient");
    expect(classifyZaloError(408, "Request timeout")).toBe("transient");
  });

  it("a wrong token is 401, permanent", async () => {
    const other = createZaloApi({ token: "1:WRONG-TOKEN-xxxxxxxx", apiRoot: fake.url });
    expect(await failure(other.getMe())).toMatchObject({ error_code: 401, kind: "permanent" });
  });

  it("an unreadable answer is judged by its HTTP status", async () => {
    const answer = (status: number, body: string) =>
      createZaloApi({ token: TOKEN, fetch: async () => new Response(body, { status }) });
    const gateway = await failure(answer(502, "<html>Bad Gateway</html>").getMe());
    expect(gateway).toMatchObject({ error_code: 502, kind: "transient" });
    const garbage = await failure(answer(200, "not json").getMe());
    expect(garbage).toMatchObject({ error_code: undefined, kind: "transient" });
    const wrongShape = await failure(answer(200, JSON.stringify({ result: 1 })).getMe());
    expect(wrongShape.description).toMatch(/unreadable answer \(HTTP 200\)/);
  });

  it("an error code sent as a string is read as a number", async () => {
    const api2 = createZaloApi({
      token: TOKEN,
      fetch: async () => Response.json({ ok: false, error_code: "429", description: "quota" }),
    });
    expect(await failure(api2.getMe())).toMatchObject({ error_code: 429, kind: "rate_limited" });
  });

  it("a server that does not answer in time is a transient timeout", async () => {
    // Accepts the connection and never answers.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const slow = createZaloApi({ token: TOKEN, apiRoot: `http://127.0.0.1:${port}`, timeoutMs: 200 });
      const e = await failure(slow.sendMessage({ chat_id: lan.id, text: "x" }));
      expect(e).toMatchObject({ error_code: undefined, kind: "transient" });
      expect(e.description).toBe("no answer within 200 ms");
      expectNoToken(e);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
  });

  it("a refused connection is a transient network error with its code", async () => {
    await fake.close();
    const e = await failure(api.sendMessage({ chat_id: lan.id, text: "x" }));
    expect(e).toMatchObject({ error_code: undefined, kind: "transient" });
    expect(e.description).toBe("network error (ECONNREFUSED)");
    expectNoToken(e);
  });
});

describe("the token never appears in an error", () => {
  it("not when fetch throws with the URL in its message or its cause", async () => {
    const throwing = createZaloApi({
      token: TOKEN,
      fetch: async (input) => {
        const url = String(input);
        throw new TypeError(`fetch failed: ${url}`, {
          cause: Object.assign(new Error(`connect ECONNRESET ${url}`), { code: "ECONNRESET" }),
        });
      },
    });
    const e = await failure(throwing.sendMessage({ chat_id: lan.id, text: "x" }));
    expect(e.description).toBe("network error (ECONNRESET)");
    expect(e.cause).toBeUndefined();
    expectNoToken(e);
  });

  it("not when the server's description quotes it, whole, halved or URL-encoded", async () => {
    fake.failNext("sendMessage", 400, `Bad Request: invalid token ${TOKEN} (${TOKEN_HALF})`);
    fake.failNext("getMe", 500, `upstream /bot${encodeURIComponent(TOKEN)}/getMe failed`);
    const e1 = await failure(api.sendMessage({ chat_id: lan.id, text: "x" }));
    const e2 = await failure(api.getMe());
    expect(e1.description).toContain("[redacted]");
    expectNoToken(e1);
    expectNoToken(e2);
  });

  it("not in any error of this file's failure paths (refused before calling)", async () => {
    expectNoToken(await failure(api.sendMessage({ chat_id: lan.id, text: "" })));
    expectNoToken(await failure(api.sendPhoto({ chat_id: lan.id, photo: `file:///bot${TOKEN}` })));
  });
});

describe("parseZaloEvent", () => {
  const message = {
    from: { id: "u1", display_name: "Lò Văn Minh" },
    chat: { id: "u1", chat_type: "PRIVATE" },
    message_id: "m1",
    date: 1767225600000,
  };

  it("reads each documented event", () => {
    for (const event_name of [
      "message.text.received",
      "message.image.received",
      "message.sticker.received",
      "message.voice.received",
      "message.unsupported.received",
    ]) {
      expect(parseZaloEvent({ event_name, message })).toMatchObject({ kind: "event", event_name });
    }
    expect(
      parseZaloEvent({ event_name: "message.image.received", message: { ...message, photo: "https://p/1.jpg" } }),
    ).toMatchObject({ message: { photo: "https://p/1.jpg" } });
  });

  it("turns numeric ids into strings and keeps only the documented fields", () => {
    const parsed = parseZaloEvent({
      event_name: "message.text.received",
      message: {
        ...message,
        from: { id: 123456789012, name: "Minh" },
        chat: { id: 123456789012, chat_type: "GROUP" },
        text: "hi",
        extra: 1,
      },
    });
    expect(parsed).toEqual({
      kind: "event",
      event_name: "message.text.received",
      message: {
        from: { id: "123456789012", display_name: "Minh" },
        chat: { id: "123456789012", chat_type: "GROUP" },
        message_id: "m1",
        date: 1767225600000,
        text: "hi",
      },
    });
  });

  it("never throws: unknown names, malformed messages and non-objects are 'unknown'", () => {
    expect(parseZaloEvent({ event_name: "user.follow", message })).toMatchObject({
      kind: "unknown",
      reason: "unknown_event",
    });
    expect(parseZaloEvent({ event_name: "message.text.received", message: { text: "x" } })).toMatchObject({
      kind: "unknown",
      reason: "malformed",
      event_name: "message.text.received",
    });
    expect(
      parseZaloEvent({
        event_name: "message.text.received",
        message: { ...message, chat: { id: "c", chat_type: "OA" } },
      }),
    ).toMatchObject({ kind: "unknown", reason: "malformed" });
    for (const raw of [null, undefined, 42, "text", [], { message }]) {
      expect(parseZaloEvent(raw)).toMatchObject({ kind: "unknown", reason: "malformed", event_name: undefined });
    }
  });
});
