/**
 * The fake Bot API driven by real grammY bots: if grammY is happy with it, the real bot will be.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { Bot, GrammyError, InlineKeyboard, InputFile, webhookCallback } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type FakeBotApi,
  type FakeBotApiOptions,
  type FakeUser,
  parseTelegramHtml,
  startFakeBotApi,
  type UploadedFile,
} from "../../src/dev/fake-bot-api.ts";
import { renderEntities, runTerminalChat } from "../../src/dev/terminal-chat.ts";

const TOKEN = "123:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz";
const alice: FakeUser = {
  id: 1001,
  first_name: "Lan",
  last_name: "Nguyễn",
  username: "lan_songma",
  language_code: "vi",
};
const bob: FakeUser = { id: 1002, first_name: "Hùng", language_code: "vi" };

let api: FakeBotApi;
let running: Array<{ bot: Bot; done: Promise<void> }> = [];
let servers: Server[] = [];

async function useApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  await api?.close();
  api = await startFakeBotApi(options);
  return api;
}

function makeBot(): Bot {
  return new Bot(TOKEN, { client: { apiRoot: api.url } });
}

/** Starts long polling and resolves once the bot is actually polling. */
async function startPolling(bot: Bot): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const done = bot.start({ onStart: () => resolve() }).catch(reject);
    running.push({ bot, done });
  });
}

const idle = () => api.waitForIdle({ quietMs: 30, timeoutMs: 3000 });

beforeEach(async () => {
  api = await startFakeBotApi();
});

afterEach(async () => {
  for (const { bot, done } of running) {
    if (bot.isRunning()) await bot.stop();
    await done;
  }
  running = [];
  await api.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

describe("fake Bot API with grammY", () => {
  it("serves an echo bot over long polling and records the reply", async () => {
    const bot = makeBot();
    bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    await startPolling(bot);
    expect(bot.botInfo.username).toBe("cchc_demo_bot");

    api.sendUserMessage(alice, "xin chào");
    expect(await idle()).toBe(true);

    const send = api.calls.find((c) => c.method === "sendMessage");
    expect(send?.payload).toMatchObject({ chat_id: alice.id, text: "echo: xin chào" });
    expect(send?.result).toMatchObject({
      message_id: 2, // the user's message took id 1 in the same chat
      from: { id: 7000000001, is_bot: true, username: "cchc_demo_bot" },
      chat: { id: alice.id, type: "private", first_name: "Lan" },
      text: "echo: xin chào",
    });
    expect(api.calls.map((c) => c.method)).toEqual(expect.arrayContaining(["getMe", "deleteWebhook", "getUpdates"]));
    expect(api.chatState(alice.id)?.botMessages.map((m) => m.message.text)).toEqual(["echo: xin chào"]);
    expect(api.pendingUpdateCount()).toBe(0);
  });

  it("round-trips a callback query: inline keyboard, press, answer, edit", async () => {
    const bot = makeBot();
    bot.command("start", (ctx) =>
      ctx.reply("<b>Câu 1</b>: Có niêm yết TTHC?", {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().text("Có", "a:yes").text("Không", "a:no"),
      }),
    );
    bot.callbackQuery(/^a:/, async (ctx) => {
      await ctx.answerCallbackQuery({ text: `Đã chọn ${ctx.callbackQuery.data}` });
      await ctx.editMessageText(`Đã trả lời: ${ctx.callbackQuery.data}`);
    });
    await startPolling(bot);

    api.sendUserMessage(alice, "/start");
    expect(await idle()).toBe(true);
    const [question] = api.chatState(alice.id)?.botMessages ?? [];
    expect(question?.message.text).toBe("Câu 1: Có niêm yết TTHC?");
    expect(question?.message.entities).toEqual([{ type: "bold", offset: 0, length: 5 }]);
    expect(question?.rawText).toBe("<b>Câu 1</b>: Có niêm yết TTHC?");
    expect(question?.message.reply_markup?.inline_keyboard[0]?.map((b) => b.text)).toEqual(["Có", "Không"]);

    const update = api.pressButton(alice, alice.id, question?.messageId ?? 0, "a:yes");
    expect(update.callback_query).toMatchObject({
      data: "a:yes",
      from: { id: alice.id },
      message: { message_id: question?.messageId },
    });
    expect(await idle()).toBe(true);

    const answer = api.calls.find((c) => c.method === "answerCallbackQuery");
    expect(answer).toMatchObject({
      ok: true,
      payload: { callback_query_id: update.callback_query?.id, text: "Đã chọn a:yes" },
    });
    const after = api.getMessage(alice.id, question?.messageId ?? 0);
    expect(after?.message.text).toBe("Đã trả lời: a:yes");
    expect(after?.editCount).toBe(1);
    expect(after?.message.edit_date).toBeTypeOf("number");
    // Telegram drops the inline keyboard when an edit omits reply_markup.
    expect(after?.message.reply_markup).toBeUndefined();
    // A callback query can be answered only once.
    await expect(bot.api.answerCallbackQuery(update.callback_query?.id ?? "")).rejects.toThrow(/query is too old/);
  });

  it("applies editMessageText in place and refuses no-op edits like Telegram", async () => {
    const bot = makeBot();
    const sent = await bot.api.sendMessage(alice.id, "Bản nháp", {
      reply_markup: new InlineKeyboard().text("OK", "ok"),
    });
    await expect(
      bot.api.editMessageText(alice.id, sent.message_id, "Bản nháp", {
        reply_markup: new InlineKeyboard().text("OK", "ok"),
      }),
    ).rejects.toThrow(/message is not modified/);
    const edited = await bot.api.editMessageText(alice.id, sent.message_id, "Bản <i>chính thức</i>", {
      parse_mode: "HTML",
    });
    expect(edited).toMatchObject({
      message_id: sent.message_id,
      text: "Bản chính thức",
      entities: [{ type: "italic", offset: 4, length: 10 }],
    });
    const state = api.chatState(alice.id);
    expect(state?.botMessages).toHaveLength(1);
    expect(state?.botMessages[0]?.message.text).toBe("Bản chính thức");
    // The result handed out earlier is a snapshot, not mutated by the edit.
    expect(sent.text).toBe("Bản nháp");
    await expect(bot.api.editMessageText(alice.id, 999, "x")).rejects.toThrow(/message to edit not found/);
    await bot.api.deleteMessage(alice.id, sent.message_id);
    expect(api.getMessage(alice.id, sent.message_id)?.deleted).toBe(true);
    await expect(bot.api.deleteMessage(alice.id, sent.message_id)).rejects.toThrow(/message to delete not found/);
  });

  it("stores multipart uploads (name, mime, size, bytes) and serves them back via getFile", async () => {
    const bot = makeBot();
    const msg = await bot.api.sendDocument(alice.id, new InputFile(Buffer.from("x"), "a.txt"), {
      caption: "<b>Biên bản</b>",
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Đã nhận", "ack"),
    });
    expect(msg.document).toMatchObject({ file_name: "a.txt", mime_type: "text/plain", file_size: 1 });
    expect(msg.caption).toBe("Biên bản");
    expect(msg.reply_markup?.inline_keyboard[0]?.[0]?.text).toBe("Đã nhận");
    const call = api.calls.find((c) => c.method === "sendDocument");
    const upload = call?.payload.document as UploadedFile;
    expect(upload.fileName).toBe("a.txt");
    expect(upload.bytes.toString()).toBe("x");
    expect(call?.payload.chat_id).toBe(alice.id); // form strings coerced back to numbers

    const file = await bot.api.getFile(msg.document?.file_id ?? "");
    const res = await fetch(`${api.url}/file/bot${TOKEN}/${file.file_path}`);
    expect(await res.text()).toBe("x");

    const pdf = await bot.api.sendDocument(alice.id, new InputFile(Buffer.from("%PDF-1.4"), "Báo cáo quý 1.pdf"));
    expect(pdf.document).toMatchObject({ file_name: "Báo cáo quý 1.pdf", mime_type: "application/pdf", file_size: 8 });
    const photo = await bot.api.sendPhoto(alice.id, new InputFile(Buffer.alloc(2048, 1), "p.jpg"));
    expect(photo.photo?.at(-1)?.file_size).toBe(2048);
    expect(api.fileBytes(photo.photo?.at(-1)?.file_id ?? "")?.length).toBe(2048);
    // Re-sending by file_id works; unknown ids fail like Telegram.
    await expect(bot.api.sendDocument(bob.id, msg.document?.file_id ?? "")).resolves.toMatchObject({
      document: { file_name: "a.txt" },
    });
    await expect(bot.api.sendDocument(bob.id, "nonsense")).rejects.toThrow(/wrong file identifier/);
  });

  it("answers 429 with a whole-second retry_after beyond the rate limit", async () => {
    await useApi({ rateLimit: { perSecond: 100, perChatPerSecond: 2 } });
    const bot = makeBot();
    await bot.api.sendMessage(alice.id, "1");
    await bot.api.sendMessage(alice.id, "2");
    const err = await bot.api.sendMessage(alice.id, "3").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GrammyError);
    expect((err as GrammyError).error_code).toBe(429);
    const retryAfter = (err as GrammyError).parameters.retry_after ?? 0;
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect((err as GrammyError).description).toBe(`Too Many Requests: retry after ${retryAfter}`);
    // Other chats have their own budget; the HTTP status is 429 too.
    await bot.api.sendMessage(bob.id, "ok");
    await bot.api.sendMessage(bob.id, "ok");
    const res = await fetch(`${api.url}/bot${TOKEN}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: bob.id, text: "3" }),
    });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ ok: false, error_code: 429, parameters: { retry_after: retryAfter } });
  });

  it("injects failures with failNext and blocks chats", async () => {
    const bot = makeBot();
    api.failNext("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    await expect(bot.api.sendMessage(alice.id, "a")).rejects.toMatchObject({
      error_code: 403,
      description: "Forbidden: bot was blocked by the user",
    });
    await expect(bot.api.sendMessage(alice.id, "b")).resolves.toMatchObject({ text: "b" });

    api.failNext("*", { error_code: 502, times: 2 });
    const res = await fetch(`${api.url}/bot${TOKEN}/getMe`);
    expect(res.status).toBe(502);
    await expect(bot.api.getMe()).rejects.toMatchObject({ error_code: 502, description: "Bad Gateway" });
    await expect(bot.api.getMe()).resolves.toMatchObject({ id: 7000000001 });

    api.blockedChats.add(bob.id);
    await expect(bot.api.sendMessage(bob.id, "c")).rejects.toMatchObject({ error_code: 403 });
  });

  it("validates like Telegram: HTML entities, callback_data size, empty text", async () => {
    const bot = makeBot();
    await expect(bot.api.sendMessage(alice.id, "Điểm < 5", { parse_mode: "HTML" })).rejects.toThrow(
      /can't parse entities/,
    );
    await expect(bot.api.sendMessage(alice.id, "<b>x</i>", { parse_mode: "HTML" })).rejects.toThrow(
      /Unmatched end tag/,
    );
    const long = "Tiêu chí 3.2: Công khai thủ tục hành chính đầy đủ, đúng hạn"; // 49 characters but 71 bytes of UTF-8
    expect(Buffer.byteLength(long)).toBeGreaterThan(64);
    await expect(
      bot.api.sendMessage(alice.id, "?", { reply_markup: new InlineKeyboard().text("x", long) }),
    ).rejects.toThrow(/BUTTON_DATA_INVALID/);
    await expect(bot.api.sendMessage(alice.id, "")).rejects.toThrow(/message text is empty/);
    expect(parseTelegramHtml('A &amp; <a href="https://x.vn/?a=1&amp;b=2">link</a> &lt;3')).toEqual({
      text: "A & link <3",
      entities: [{ type: "text_link", offset: 4, length: 4, url: "https://x.vn/?a=1&b=2" }],
    });
    const { text, entities } = parseTelegramHtml('<b>Đậm</b> <a href="https://cchc.vn">đây</a>');
    expect(renderEntities(text, entities, false)).toBe("Đậm đây (https://cchc.vn)");
    expect(renderEntities(text, entities, true)).toContain("\x1b[1mĐậm\x1b[0m");
  });

  it("long-polls: getUpdates waits for a pushed update and offset confirms", async () => {
    const get = async (q: string) =>
      (await (await fetch(`${api.url}/bot${TOKEN}/getUpdates?${q}`)).json()) as {
        result: Array<{ update_id: number }>;
      };
    const started = Date.now();
    const pending = get("timeout=5");
    setTimeout(() => api.sendUserMessage(alice, "muộn"), 50);
    const first = await pending;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(first.result).toHaveLength(1);
    const id = first.result[0]?.update_id ?? 0;
    // Not confirmed yet: served again. Confirmed by offset: gone.
    expect((await get("timeout=0")).result).toHaveLength(1);
    expect((await get(`offset=${id + 1}&timeout=0`)).result).toHaveLength(0);
    expect(api.pendingUpdateCount()).toBe(0);
  });

  it("treats hand-built updates like the helpers' ones", async () => {
    const bot = makeBot();
    const chat = { id: alice.id, type: "private" as const, first_name: alice.first_name };
    api.pushUpdate({
      message: { message_id: 40, date: 1, chat, from: { id: alice.id, is_bot: false, first_name: "Lan" }, text: "hi" },
    });
    // The bot can reply to it, and its own message gets the next id of that chat.
    const reply = await bot.api.sendMessage(alice.id, "trả lời", { reply_parameters: { message_id: 40 } });
    expect(reply).toMatchObject({ message_id: 41, reply_to_message: { message_id: 40, text: "hi" } });
    await expect(bot.api.sendMessage(alice.id, "x", { reply_parameters: { message_id: 999 } })).rejects.toThrow(
      /message to be replied not found/,
    );
    api.pushUpdate({
      callback_query: {
        id: "cb-1",
        from: { id: alice.id, is_bot: false, first_name: "Lan" },
        chat_instance: "1",
        data: "d",
      },
    });
    await expect(bot.api.answerCallbackQuery("cb-1")).resolves.toBe(true);
  });

  it("delivers updates to a webhook with the secret header, retrying failures", async () => {
    await useApi({ webhookBackoffMs: 20 });
    const bot = makeBot();
    bot.on("message:text", (ctx) => ctx.reply(`webhook: ${ctx.message.text}`));
    const handle = webhookCallback(bot, "http", { secretToken: "s3cret-token_123" });
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      if (seen.length === 1) {
        // First delivery fails: the fake must retry, not give up or crash.
        res.writeHead(500).end();
        return;
      }
      void handle(req, res);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await bot.api.setWebhook(url, { secret_token: "s3cret-token_123" });
    await expect(bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409 });

    api.sendUserMessage(alice, "qua webhook");
    expect(await idle()).toBe(true);
    expect(seen).toHaveLength(2);
    expect(seen[1]?.["x-telegram-bot-api-secret-token"]).toBe("s3cret-token_123");
    expect(api.chatState(alice.id)?.botMessages[0]?.message.text).toBe("webhook: qua webhook");
    const info = await bot.api.getWebhookInfo();
    expect(info).toMatchObject({ url, pending_update_count: 0 });
    expect(info.last_error_message).toMatch(/500/);

    // A dead webhook never crashes the server; after deleteWebhook, polling gets the updates.
    await new Promise((r) => server.close(r));
    servers = [];
    await bot.api.setWebhook("http://127.0.0.1:9/nowhere");
    api.sendUserMessage(bob, "lạc");
    await bot.api.deleteWebhook();
    // The in-flight attempt fails, sees the webhook gone and hands the update back to polling.
    await vi.waitFor(() => expect(api.pendingUpdateCount()).toBe(1), { timeout: 3000, interval: 10 });
    const updates = await bot.api.getUpdates({ timeout: 0 });
    expect(updates.map((u) => u.message?.text)).toEqual(["lạc"]);
  });

  it("stores bot commands per scope and language", async () => {
    const bot = makeBot();
    await bot.api.setMyCommands([{ command: "start", description: "Bắt đầu" }]);
    await bot.api.setMyCommands([{ command: "baocao", description: "Báo cáo" }], {
      scope: { type: "chat", chat_id: alice.id },
      language_code: "vi",
    });
    expect(await bot.api.getMyCommands()).toEqual([{ command: "start", description: "Bắt đầu" }]);
    expect(await bot.api.getMyCommands({ scope: { type: "chat", chat_id: alice.id }, language_code: "vi" })).toEqual([
      { command: "baocao", description: "Báo cáo" },
    ]);
    await bot.api.deleteMyCommands();
    expect(await bot.api.getMyCommands()).toEqual([]);
    await expect(bot.api.setChatMenuButton({ menu_button: { type: "commands" } })).resolves.toBe(true);
    // Methods the fake does not model answer true instead of failing the bot.
    const raw = bot.api.raw as unknown as Record<string, (p: object) => Promise<unknown>>;
    await expect(raw.setMyProfilePhoto?.({})).resolves.toBe(true);
  });
});

/** Runs the terminal chat on `lines` as piped input and returns what it printed. */
async function chatTranscript(lines: string[], options: { locale?: "vi" | "en" } = {}): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (c: Buffer) => {
    text += c.toString();
  });
  input.end(`${lines.join("\n")}\n`);
  await runTerminalChat({
    api,
    users: [
      { label: "Cán bộ Sông Mã", user: alice },
      { label: "Điều phối viên", user: bob },
    ],
    input,
    output,
    quietMs: 50,
    ...options,
  });
  return text;
}

/** The playground's own texts come from locales/: never a raw key, never "undefined". */
function expectNoLeaks(text: string): void {
  expect(text).not.toMatch(/playground\.\w/);
  expect(text).not.toContain("undefined");
}

const VIETNAMESE = /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i;

describe("terminal chat", () => {
  it("shows numbered buttons and presses them from piped input", async () => {
    const bot = makeBot();
    bot.command("start", (ctx) =>
      ctx.reply("Đơn vị có <b>niêm yết</b> TTHC?", {
        parse_mode: "HTML",
        reply_markup: new InlineKeyboard().text("Có", "yes").text("Không", "no").row().text("Không áp dụng", "na"),
      }),
    );
    bot.callbackQuery("yes", async (ctx) => {
      await ctx.answerCallbackQuery({ text: "Đã ghi nhận: Có", show_alert: true });
      await ctx.editMessageText("Đã trả lời: Có");
    });
    bot.on("message:document", (ctx) => ctx.reply(`Đã nhận ${ctx.message.document.file_name}`));
    await startPolling(bot);

    const text = await chatTranscript([
      "/start",
      "1",
      ":tep bao-cao.pdf",
      ":nguoi 2",
      ":khongco",
      ":giup",
      ":ds",
      ':tep "Biên bản <1> & 2.docx"',
      ":ds",
      ":thoat",
    ]);

    expect(text).not.toContain("\x1b["); // not a TTY: no colour codes
    expect(text).toContain("Cán bộ Sông Mã > /start");
    expect(text).toContain("Đơn vị có niêm yết TTHC?");
    expect(text).toContain("  [1] Có  [2] Không\n  [3] Không áp dụng");
    expect(text).toContain("⚠ Hộp thoại: Đã ghi nhận: Có");
    expect(text).toMatch(/#1 \(đã sửa\)\nĐã trả lời: Có/);
    expect(text).toContain("📎 (đã gửi tệp bao-cao.pdf, application/pdf");
    expect(text).toContain("Đã nhận bao-cao.pdf");
    expect(text).toContain("Đã chuyển sang: Điều phối viên");
    expect(text).toContain('Không hiểu lệnh ":khongco". Gõ :giup để xem hướng dẫn.');
    // The playground's own texts, from locales/vi/playground.json.
    expect(text).toContain("Sân thử CCHC Bot — trò chuyện với bot ngay trong cửa sổ dòng lệnh.");
    expect(text).toContain("Hướng dẫn dùng sân thử (playground):");
    expect(text).toContain("  • :tep <tệp> [kiểu MIME] [chú thích] — gửi tệp: đường dẫn một tệp có trong máy");
    expect(text).toContain("  • \\<nội dung> — gửi nguyên văn khi nội dung bắt đầu bằng");
    expect(text).toContain("  • :thoat — thoát (hoặc Ctrl+D, Ctrl+C).");
    expect(text).toContain("Bot chưa gửi tin nào trong cuộc trò chuyện này.");
    // Plain text, not HTML: what the person typed shows as typed.
    expect(text).toContain("📎 (đã gửi tệp Biên bản <1> & 2.docx, application/vnd.");
    expect(text).toMatch(/📎 \(đã gửi tệp bao-cao\.pdf, application\/pdf, \d+(,\d)? (B|KB|MB)\)/);
    expect(text).toContain("Đã nhận Biên bản <1> & 2.docx");
    expect(text).toContain("Tạm biệt!");
    expect(text).not.toContain("&lt;");
    expect(text).not.toContain("&amp;");
    const help = text.slice(text.indexOf("Hướng dẫn dùng sân thử"), text.indexOf("Điều phối viên > :ds"));
    expect(help.split("\n").filter((l) => l.includes("•")).length).toBe(10);
    for (const line of help.split("\n").filter((l) => l.includes("•"))) expect(line).toMatch(VIETNAMESE);
    expectNoLeaks(text);
    const press = api.calls.find((c) => c.method === "answerCallbackQuery");
    expect(press?.ok).toBe(true);
  });

  it("explains wrong presses, lists messages, commands and users in Vietnamese", async () => {
    const bot = makeBot();
    bot.command("start", async (ctx) => {
      await ctx.api.setMyCommands([{ command: "start", description: "Bắt đầu" }], {
        scope: { type: "all_private_chats" },
      });
      await ctx.reply("Chọn:", { reply_markup: new InlineKeyboard().text("Có", "yes") });
      await ctx.replyWithLocation(21.3256, 103.9188);
    });
    await startPolling(bot);
    const text = await chatTranscript(["/start", "5", ":9 1", ":ds", ":lenh", ":nguoi", ":nguoi Ai đó", ":tep", ":q"]);
    expect(text).toContain("Tin #1 chỉ có 1 nút. Muốn gửi số 5 như tin nhắn thì gõ \\5");
    expect(text).toContain("Không có tin #9. Gõ :ds để xem các tin gần đây.");
    expect(text).toContain("#1 Chọn: [1 nút]");
    expect(text).toContain("📍 vị trí 21.3256, 103.9188");
    expect(text).toContain("#2 (không có chữ)");
    expect(text).toContain("  /start — Bắt đầu");
    expect(text).toContain("ℹ Bot đặt menu lệnh (mọi cuộc trò chuyện riêng): /start");
    expect(text).toContain("▶ 1. Cán bộ Sông Mã (id 1001)");
    expect(text).toContain("Gõ :nguoi <số> để chuyển người dùng.");
    expect(text).toContain('Không có người dùng "Ai đó". Gõ :nguoi để xem danh sách.');
    expect(text).toContain("Cần tên tệp, ví dụ: :tep bao-cao.pdf");
    expect(text).toContain("Tạm biệt!");
    expectNoLeaks(text);
  });

  it("speaks English when its locale is English, with the same commands", async () => {
    const bot = makeBot();
    bot.command("start", (ctx) => ctx.reply("Chọn:", { reply_markup: new InlineKeyboard().text("Có", "yes") }));
    await startPolling(bot);
    const text = await chatTranscript(["/start", "3", ":giup", ":khongco", ":thoat"], { locale: "en" });
    expect(text).toContain("CCHC Bot playground — chat with the bot right in your terminal.");
    expect(text).toContain("How to use the playground:");
    expect(text).toContain("  • :thoat — quit (or Ctrl+D, Ctrl+C).");
    expect(text).toContain("Message #1 has only 1 button. To send the number 3 as a message, type \\3");
    expect(text).toContain('Unknown command ":khongco". Type :giup for help.');
    expect(text).toContain("Goodbye!");
    expect(text).not.toContain("Tạm biệt");
    expectNoLeaks(text);
  });
});
