/**
 * The fake Zalo Bot API enforces the documented contract: if the bot gets past it, the real
 * API will not refuse it for these reasons. Requests that the client would refuse before
 * sending go out raw here, so the fake's own checks are what is tested.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createZaloApi, parseZaloEvent, type ZaloApi } from "../../src/channels/zalo/api.ts";
import { type FakeZaloApi, type FakeZaloApiOptions, startFakeZaloApi } from "../../src/dev/fake-zalo-api.ts";

const TOKEN = "271828:fake-zalo-test-token";
const SECRET = "webhook-secret-0123";
const lan = { id: "8f3a9c0d11e2", display_name: "Nguyễn Thị Lan" };
const minh = { id: "0b7e44a1c9d3", display_name: "Lò Văn Minh" };

let fake: FakeZaloApi;
let api: ZaloApi;
let receivers: Server[] = [];

async function useFake(options: FakeZaloApiOptions = {}): Promise<void> {
  await fake?.close();
  fake = await startFakeZaloApi({ token: TOKEN, ...options });
  api = createZaloApi({ token: TOKEN, apiRoot: fake.url, timeoutMs: 2000 });
}

beforeEach(() => useFake());

afterEach(async () => {
  await fake.close();
  for (const s of receivers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  receivers = [];
});

/** A raw call, bypassing the client's own checks. */
async function raw(method: string, body: unknown, contentType = "application/json") {
  const res = await fetch(`${fake.url}/bot${TOKEN}/${method}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error_code?: number; description?: string } };
}

interface Received {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A webhook receiver answering each POST with the next status of `statuses` (then 200). */
async function webhookReceiver(statuses: number[] = []): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  receivers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/zalo`, received };
}

describe("message limits", () => {
  it("accepts 2,000 characters and refuses 2,001, recording the violation", async () => {
    expect((await raw("sendMessage", { chat_id: lan.id, text: "a".repeat(2000) })).body.ok).toBe(true);
    const over = await raw("sendMessage", { chat_id: lan.id, text: "a".repeat(2001) });
    expect(over).toMatchObject({ status: 400, body: { ok: false, error_code: 400 } });
    expect(over.body.description).toMatch(/longer than 2000/);
    expect(fake.violations).toHaveLength(1);
    expect(fake.messagesTo(lan.id)).toHaveLength(1);
  });

  it("refuses an empty text or one that is not a string", async () => {
    expect((await raw("sendMessage", { chat_id: lan.id, text: "" })).status).toBe(400);
    expect((await raw("sendMessage", { chat_id: lan.id })).status).toBe(400);
    expect(fake.violations.map((v) => v.reason)).toEqual([
      "Bad Request: text is empty",
      "Bad Request: text must be a string",
    ]);
  });

  it("refuses buttons, parse modes and fields the method does not have", async () => {
    const keyboard = { inline_keyboard: [[{ text: "Có", callback_data: "y" }]] };
    for (const extra of [{ reply_markup: keyboard }, { parse_mode: "HTML" }, { disable_web_page_preview: true }]) {
      expect((await raw("sendMessage", { chat_id: lan.id, text: "Chọn", ...extra })).status).toBe(400);
    }
    expect(fake.violations.map((v) => v.reason)).toEqual([
      "Bad Request: Zalo has no buttons (reply_markup)",
      "Bad Request: Zalo texts are plain (parse_mode)",
      "Bad Request: unknown field disable_web_page_preview",
    ]);
    expect(fake.messagesTo(lan.id)).toHaveLength(0);
  });

  it("refuses HTML tags and entities, but not a plain '<' or '&'", async () => {
    for (const text of ["<b>Đơn vị</b>", 'Xem <a href="https://x.vn">đây</a>', "dòng 1<br/>dòng 2", "A &amp; B"]) {
      expect((await raw("sendMessage", { chat_id: lan.id, text })).status).toBe(400);
    }
    expect(fake.violations).toHaveLength(4);
    for (const text of ["điểm < 50 & tiến độ > 80%", "1 <2", "Q&A"]) {
      expect((await raw("sendMessage", { chat_id: lan.id, text })).body.ok).toBe(true);
    }
    expect(fake.violations).toHaveLength(4);
  });

  it("checks captions the same way", async () => {
    const photo = "https://cchc.example.vn/chart.png";
    expect((await raw("sendPhoto", { chat_id: lan.id, photo, caption: "<i>x</i>" })).status).toBe(400);
    expect((await raw("sendPhoto", { chat_id: lan.id, photo, caption: "c".repeat(2001) })).status).toBe(400);
    expect((await raw("sendPhoto", { chat_id: lan.id, photo, caption: "Biểu đồ" })).body.ok).toBe(true);
  });

  it("takes photos by http(s) URL only, and JSON bodies only (no uploads)", async () => {
    for (const photo of ["file:///tmp/a.png", "AgACAgIAAxkBAAIB", 42]) {
      expect((await raw("sendPhoto", { chat_id: lan.id, photo })).status).toBe(400);
    }
    const multipart = await raw("sendPhoto", "--x\r\n", "multipart/form-data; boundary=x");
    expect(multipart.body.description).toBe("Bad Request: the body must be a JSON object");
    expect(fake.violations).toHaveLength(4);
  });

  it("wants chat ids as strings, and only the typing action", async () => {
    expect((await raw("sendMessage", { chat_id: 123, text: "x" })).status).toBe(400);
    expect((await raw("sendChatAction", { chat_id: lan.id, action: "upload_photo" })).status).toBe(400);
    expect(fake.violations).toHaveLength(2);
  });

  it("records nothing when the bot keeps to the contract", async () => {
    await api.getMe();
    await api.sendChatAction({ chat_id: lan.id, action: "typing" });
    await api.sendMessage({ chat_id: lan.id, text: "1. Có · 2. Không — gõ số để chọn" });
    await api.sendPhoto({ chat_id: lan.id, photo: "https://cchc.example.vn/a.png" });
    expect(fake.violations).toEqual([]);
    expect(fake.calls.map((c) => c.method)).toEqual(["getMe", "sendChatAction", "sendMessage", "sendPhoto"]);
  });
});

describe("getUpdates", () => {
  it("gives ONE event per call, in order, with string ids and fresh message ids", async () => {
    const sent = [fake.userSends(lan, "MOI ABC"), fake.userSends(minh, "/start XYZ"), fake.userSends(lan, "1")];
    const got = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await raw("getUpdates", { timeout: "0" });
      got.push((body as { result?: unknown }).result);
    }
    expect(got).toEqual(sent);
    expect(new Set(sent.map((e) => e.message.message_id)).size).toBe(3);
    expect(sent[0]?.message.chat).toEqual({ id: lan.id, chat_type: "PRIVATE" });
    // Nothing left: a long poll of 0 s ends at once with Zalo's "no event" answer.
    expect(await raw("getUpdates", { timeout: 0 })).toMatchObject({ status: 408, body: { error_code: 408 } });
  });

  it("long-polls up to `timeout` seconds and answers as soon as an event arrives", async () => {
    const started = Date.now();
    const poll = api.getUpdates({ timeout: 10 });
    await new Promise((r) => setTimeout(r, 100));
    fake.userSends(lan, "tiếp");
    expect(await poll).toMatchObject({ message: { text: "tiếp" } });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("is refused while a webhook is set (a violation), and works again once it is deleted", async () => {
    await api.setWebhook({ url: "https://cchc.example.vn/zalo", secret_token: SECRET });
    expect((await raw("getUpdates", { timeout: 0 })).status).toBe(409);
    expect(fake.violations).toHaveLength(1);
    await api.deleteWebhook();
    fake.userSends(lan, "xin chào");
    expect(await api.getUpdates({ timeout: 0 })).toMatchObject({ message: { text: "xin chào" } });
  });

  it("delivers the other kinds of events the user can send, and group chats", async () => {
    fake.userSendsSticker(lan);
    fake.userSendsVoice(lan);
    fake.userSendsUnsupported(lan);
    fake.userSends(minh, "tiến độ", { chat: { id: "g-1", chat_type: "GROUP" } });
    const names = [];
    for (let i = 0; i < 4; i++) names.push(await api.getUpdates({ timeout: 0 }));
    expect(names.map((e) => e?.kind === "event" && e.event_name)).toEqual([
      "message.sticker.received",
      "message.voice.received",
      "message.unsupported.received",
      "message.text.received",
    ]);
    expect(names[3]).toMatchObject({ message: { chat: { id: "g-1", chat_type: "GROUP" }, from: { id: minh.id } } });
  });
});

describe("photos from users", () => {
  it("serves the bytes of an inbound image at the URL in the event, until the URLs expire", async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    const event = fake.userSendsPhoto(lan, { bytes, text: "minh chứng" });
    expect(event).toMatchObject({ event_name: "message.image.received", message: { text: "minh chứng" } });
    const url = event.message.photo as string;
    expect(url.startsWith(`${fake.url}/photos/`)).toBe(true);
    const res = await fetch(url);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    fake.expirePhotos();
    expect((await fetch(url)).status).toBe(404);
  });

  it("can send a given URL instead", () => {
    const event = fake.userSendsPhoto(lan, { url: "https://photo.zdn.vn/expired.jpg" });
    expect(event.message.photo).toBe("https://photo.zdn.vn/expired.jpg");
  });
});

describe("webhook", () => {
  it("refuses a non-HTTPS URL (except loopback) and a secret outside 8–256 characters", async () => {
    expect((await raw("setWebhook", { url: "http://cchc.example.vn/zalo", secret_token: SECRET })).status).toBe(400);
    expect((await raw("setWebhook", { url: "https://cchc.example.vn/zalo", secret_token: "short" })).status).toBe(400);
    const long = "s".repeat(257);
    expect((await raw("setWebhook", { url: "https://cchc.example.vn/zalo", secret_token: long })).status).toBe(400);
    expect(fake.webhook).toBeUndefined();
    expect((await raw("setWebhook", { url: "http://127.0.0.1:9/zalo", secret_token: SECRET })).body.ok).toBe(true);
  });

  it("POSTs each event with the secret header, and events queued before go there too", async () => {
    const hook = await webhookReceiver();
    const early = fake.userSends(lan, "trước webhook");
    await api.setWebhook({ url: hook.url, secret_token: SECRET });
    const later = fake.userSends(lan, "sau webhook");
    expect(await fake.waitForIdle({ quietMs: 20 })).toBe(true);
    expect(hook.received.map((r) => r.body)).toEqual([early, later]);
    for (const r of hook.received) {
      expect(r.headers["x-bot-api-secret-token"]).toBe(SECRET);
      expect(r.headers["content-type"]).toBe("application/json");
    }
    expect(parseZaloEvent(hook.received[1]?.body)).toMatchObject({ kind: "event", message: { text: "sau webhook" } });
    expect(fake.deliveries.map((d) => d.attempts)).toEqual([[200], [200]]);
  });

  it("retries a failed delivery with backoff, then gives up", async () => {
    await useFake({ webhookAttempts: 3, webhookBackoffMs: 10 });
    const hook = await webhookReceiver([500, 503, 200, 500, 500, 500]);
    await api.setWebhook({ url: hook.url, secret_token: SECRET });
    fake.userSends(lan, "lần 1");
    fake.userSends(lan, "lần 2");
    expect(await fake.waitForIdle({ quietMs: 20 })).toBe(true);
    expect(fake.deliveries.map((d) => [d.attempts, d.delivered])).toEqual([
      [[500, 503, 200], true],
      [[500, 500, 500], false],
    ]);
    expect(hook.received).toHaveLength(6);
  });

  it("keeps each chat's events in order while a delivery is retried", async () => {
    await useFake({ webhookBackoffMs: 30 });
    const hook = await webhookReceiver([500]);
    await api.setWebhook({ url: hook.url, secret_token: SECRET });
    fake.userSends(lan, "a");
    fake.userSends(lan, "b");
    fake.userSends(lan, "c");
    expect(await fake.waitForIdle({ quietMs: 20 })).toBe(true);
    const texts = hook.received.map((r) => (r.body as { message: { text: string } }).message.text);
    expect(texts).toEqual(["a", "a", "b", "c"]);
  });

  it("counts an unreachable webhook as a failed attempt", async () => {
    await useFake({ webhookAttempts: 2, webhookBackoffMs: 5 });
    await api.setWebhook({ url: "http://127.0.0.1:9/zalo", secret_token: SECRET });
    fake.userSends(lan, "x");
    expect(await fake.waitForIdle({ quietMs: 20 })).toBe(true);
    expect(fake.deliveries).toMatchObject([{ attempts: ["network", "network"], delivered: false }]);
  });
});

describe("faults and access", () => {
  it("a send to a user who blocked the bot fails (not a violation)", async () => {
    fake.blockedUsers.add(lan.id);
    const { status, body } = await raw("sendMessage", { chat_id: lan.id, text: "Thông báo" });
    expect(status).toBe(403);
    expect(body.description).toMatch(/blocked/);
    expect(fake.violations).toEqual([]);
    await api.sendMessage({ chat_id: minh.id, text: "Thông báo" });
  });

  it("failNext injects the given error for that many calls", async () => {
    fake.failNext("sendMessage", 429, "Too Many Requests", 2);
    expect((await raw("sendMessage", { chat_id: lan.id, text: "x" })).body).toMatchObject({ error_code: 429 });
    expect((await raw("sendMessage", { chat_id: lan.id, text: "x" })).body).toMatchObject({ error_code: 429 });
    expect((await raw("sendMessage", { chat_id: lan.id, text: "x" })).body.ok).toBe(true);
    fake.failNext("*", 500);
    expect((await raw("getMe", {})).body).toMatchObject({ error_code: 500, description: "Error 500" });
  });

  it("waitForMessages waits for a chat's messages, and says what came when they do not", async () => {
    setTimeout(() => void api.sendMessage({ chat_id: lan.id, text: "một" }), 50);
    expect(await fake.waitForMessages(lan.id, 1, 2000)).toMatchObject([{ text: "một" }]);
    await expect(fake.waitForMessages(lan.id, 2, 100)).rejects.toThrow(/received 1 of 2 messages/);
  });

  it("keeps no call log when recordCalls is off (long benchmarks)", async () => {
    await useFake({ recordCalls: false });
    await api.sendMessage({ chat_id: lan.id, text: "x" });
    expect(fake.calls).toEqual([]);
    expect(fake.messagesTo(lan.id)).toHaveLength(1);
  });

  it("answers 401 to another token and 404 to an unknown method", async () => {
    const res = await fetch(`${fake.url}/bot1:other-token/getMe`, { method: "POST" });
    expect(res.status).toBe(401);
    expect((await raw("editMessageText", { chat_id: lan.id, text: "x" })).status).toBe(404);
  });
});
