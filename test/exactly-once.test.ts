/**
 * No answer lost, none misfiled: an update whose handling failed or was cut off is handled
 * again, one whose effect was committed never twice; several bot instances agree on where
 * an answer goes; text sent before a question was shown is never filed under it.
 * Through the real bot and the real webhook server, on the test database (SQLite or PostgreSQL).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Update, User } from "grammy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBot } from "../src/bot/index.ts";
import { openDatabase } from "../src/db/client.ts";
import { createInvites } from "../src/domain/invites.ts";
import { closeServer, createHttpServer, listen } from "../src/server/http.ts";
import { replayPendingUpdates } from "../src/server/webhook.ts";
import { TEST_BOT } from "./support/api-recorder.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { callbackUpdate, textUpdate, user } from "./support/updates.ts";

const SECRET = "exactly-once-secret-0123";
let h: Harness;
const minh = user(8101, "Lò Văn Minh");
const hoa = user(8102, "Cầm Thị Hoa");
const lan = user(8103, "Đinh Thị Lan");

async function link(person: User, unitCode: string) {
  const [invite] = await createInvites(h.db, {
    campaignId: h.campaign.id,
    role: "OFFICER",
    unitIds: [(await h.unit(unitCode)).id],
  });
  await h.send(person, `/start ${invite!.code}`);
}

async function answerOf(code: string, unitCode: string) {
  const unit = await h.unit(unitCode);
  return h.db.answer.findFirst({ where: { unitId: unit.id, question: { code } }, include: { revisions: true } });
}

/** Opens area 1 for `person`, on the harness bot: the cursor is on 1.1.1. */
async function openArea1(person: User) {
  await h.send(person, "/tudanhgia");
  await h.tap(person, "1. Công tác");
}

beforeAll(async () => {
  h = await createHarness();
  await h.openSelfAssessment();
  await link(minh, "song-ma");
  await link(hoa, "quynh-nhai");
  await link(lan, "thuan-chau");
});
afterAll(() => h.close());
beforeEach(() => {
  h.clock.fixed = null;
  h.recorder.hanging.clear();
});

async function webhookServer(options: { answerWithinMs?: number } = {}) {
  const server = createHttpServer({
    bot: h.bot,
    db: h.db,
    secretToken: SECRET,
    webhookPath: "/hook",
    ping: h.database.ping,
    logger: h.logger,
    ...options,
  });
  const port = await listen(server, 0, "127.0.0.1");
  const post = (update: Update) =>
    fetch(`http://127.0.0.1:${port}/hook`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET },
      body: JSON.stringify(update),
    });
  return { server, post, close: () => closeServer(server) };
}

/**
 * Makes the database unavailable for writes of answers, the way it really happens: on
 * SQLite another process holds the write lock (the bot waits busy_timeout, then gives up);
 * on PostgreSQL the server ends the connection in the middle of the answer's transaction
 * (what a restart does: 57P01), while the statement is running.
 */
async function withDatabaseUnavailable<T>(run: () => Promise<T>): Promise<T> {
  if (h.database.provider === "sqlite") {
    const Libsql = (await import("libsql")).default;
    const path = h.database.url.replace(/^file:/, "");
    const lock = new Libsql(path);
    lock.exec("BEGIN EXCLUSIVE");
    try {
      return await run();
    } finally {
      lock.exec("ROLLBACK");
      lock.close();
    }
  }
  await h.db.$executeRawUnsafe(`CREATE TABLE IF NOT EXISTS "SlowAnswers" ("on" boolean)`);
  await h.db.$executeRawUnsafe(`INSERT INTO "SlowAnswers" VALUES (true)`);
  await h.db.$executeRawUnsafe(`
    CREATE OR REPLACE FUNCTION slow_answer() RETURNS trigger AS $$
    BEGIN IF EXISTS (SELECT 1 FROM "SlowAnswers") THEN PERFORM pg_sleep(5); END IF; RETURN NEW; END $$
    LANGUAGE plpgsql`);
  await h.db.$executeRawUnsafe(
    `CREATE OR REPLACE TRIGGER slow_answer BEFORE INSERT ON "Answer" FOR EACH ROW EXECUTE FUNCTION slow_answer()`,
  );
  const pg = (await import("pg")).default;
  const admin = new pg.Client({ connectionString: h.database.url });
  await admin.connect();
  const killer = (async () => {
    for (let i = 0; i < 100; i++) {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO "Answer"%'`,
      );
      if (rowCount) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    return await run();
  } finally {
    await killer;
    await admin.query(`DELETE FROM "SlowAnswers"`);
    await admin.end();
  }
}

describe("the database unavailable while an answer is saved", () => {
  it("tells the officer once, answers 503, keeps nothing; the redelivery is stored and answered", async () => {
    await openArea1(minh);
    const hook = await webhookServer();
    try {
      const update = textUpdate(minh, "10/01/2019");
      h.recorder.clear();
      const first = await withDatabaseUnavailable(() => hook.post(update));
      expect(first.status).toBe(503);
      expect(h.recorder.texts()).toEqual([expect.stringContaining("chưa lưu được tin nhắn này")]);
      expect(await answerOf("1.1.1", "song-ma")).toBeNull();
      expect(await h.db.processedUpdate.count({ where: { key: `tg:${update.update_id}` } })).toBe(0);

      // Telegram delivers it again once the database is back.
      h.recorder.clear();
      expect((await hook.post(update)).status).toBe(200);
      expect(h.recorder.texts()[0]).toContain("✅ Đã lưu câu 1.1.1: <b>10/01/2019</b>");
      expect(await answerOf("1.1.1", "song-ma")).toMatchObject({ value: "2019-01-10", revisions: [] });
      // A third delivery changes nothing; the officer is only told it was saved (the first
      // reply may never have reached them).
      h.recorder.clear();
      expect((await hook.post(update)).status).toBe(200);
      expect(h.recorder.texts()).toEqual([expect.stringMatching(/^✅ Tin nhắn đồng chí gửi lúc .* đã được lưu\./)]);
      expect(await h.db.answer.count({ where: { unitId: (await h.unit("song-ma")).id } })).toBe(1);
    } finally {
      await hook.close();
    }
  });
});

describe("an update still running when the webhook answers", () => {
  it("is kept before the 200, and after a crash handled again by the next process", async () => {
    await openArea1(hoa);
    const hook = await webhookServer({ answerWithinMs: 100 });
    try {
      // The bot never hears back from Telegram: the process is as good as dead after the 200.
      h.recorder.hanging.add("editMessageText").add("sendMessage").add("answerCallbackQuery");
      const skip = h.recorder.button("Bỏ qua");
      const press = callbackUpdate(hoa, skip, 777);
      expect((await hook.post(press)).status).toBe(200);
      const kept = await h.db.pendingUpdate.findUnique({ where: { key: `tg:${press.update_id}` } });
      expect(kept).not.toBeNull();

      // A new process on the same database (nothing of the old one in memory).
      h.recorder.hanging.clear();
      h.restart();
      h.recorder.clear();
      expect(await replayPendingUpdates(h.bot, replayDeps(), 0)).toBe(1);
      expect(h.recorder.lastText()).toContain("Câu 1.1.2");
      expect(await h.db.pendingUpdate.count()).toBe(0);
    } finally {
      await hook.close();
    }
  });

  it("whose answer was committed before the crash: not saved twice, and the officer is told it was saved", async () => {
    // Cursor of Hòa is on 1.1.2 after the previous test.
    const hook = await webhookServer({ answerWithinMs: 100 });
    try {
      h.recorder.hanging.add("sendMessage");
      const update = textUpdate(hoa, "90");
      expect((await hook.post(update)).status).toBe(200);
      await waitFor(async () => (await answerOf("1.1.2", "quynh-nhai")) !== null);
      h.recorder.hanging.clear();
      h.restart();
      h.recorder.clear();
      expect(await replayPendingUpdates(h.bot, replayDeps(), 0)).toBe(1);
      expect(h.recorder.texts()).toEqual([expect.stringContaining("đã được lưu")]);
      expect(await answerOf("1.1.2", "quynh-nhai")).toMatchObject({ value: "90", revisions: [] });
    } finally {
      await hook.close();
    }
  });
});

describe("a press whose answer was saved before the reply went out", () => {
  it("delivered again, is answered with what is true: the choice was saved", async () => {
    const tuyet = user(8111, "Lường Thị Tuyết");
    await link(tuyet, "so-ngoai-vu");
    await openArea1(tuyet);
    const press = callbackUpdate(tuyet, h.recorder.button("Không ban hành"), 777);
    await h.handle(press);
    expect(await answerOf("1.1.1", "so-ngoai-vu")).toMatchObject({ value: "none" });
    h.recorder.clear();
    await h.handle(press);
    expect(h.recorder.texts()).toEqual([expect.stringContaining("Lựa chọn đồng chí vừa bấm đã được lưu.")]);
    expect(h.recorder.of("answerCallbackQuery")).toHaveLength(1);
    expect((await answerOf("1.1.1", "so-ngoai-vu"))!.revisions).toHaveLength(0);
  });

  it("whose next step failed on the database: the officer hears it was saved, and the update is not handed back", async () => {
    const dao = user(8112, "Đào Văn Tâm");
    await link(dao, "so-cong-thuong");
    await openArea1(dao);
    h.recorder.clear();
    // The answer commits; showing what comes next meets a database that went away.
    const gone = Object.assign(new Error("Can't reach database server"), { code: "P1001" });
    h.recorder.failWith("sendMessage", gone);
    await h.send(dao, "15/01/2019");
    expect(await answerOf("1.1.1", "so-cong-thuong")).toMatchObject({ value: "2019-01-15" });
    const told = h.recorder.texts().at(-1)!;
    expect(told).toContain("✅ Đã lưu.");
    expect(told).not.toContain("chưa lưu được");
    expect(h.logs.some((l) => l.msg === "update saved, then its handling failed")).toBe(true);
  });
});

describe("two bot instances on one database", () => {
  it("file every answer under the question its officer was shown, whichever instance hears it", async () => {
    const other = await openDatabase(h.database.url, { migrate: false });
    const second = createBot(
      h.config,
      { db: other.db, logger: h.logger, i18n: h.i18n, store: h.store, now: h.clock.now },
      { botInfo: TEST_BOT, transformers: [h.recorder.transformer] },
    );
    try {
      // An invite redeemed through instance A is known to instance B at once.
      const tuan = user(8110, "Quàng Văn Tuấn");
      const [invite] = await createInvites(h.db, {
        campaignId: h.campaign.id,
        role: "OFFICER",
        unitIds: [(await h.unit("so-noi-vu")).id],
      });
      await second.handleUpdate(textUpdate(tuan, "/tudanhgia")); // B reads (and would have cached) a guest
      await h.send(tuan, `/start ${invite!.code}`); // A
      h.recorder.clear();
      await second.handleUpdate(textUpdate(tuan, "/tudanhgia")); // B
      expect(h.recorder.lastText()).toContain("Tự đánh giá, chấm điểm CCHC — Sở Nội vụ");

      // Lan alternates between the instances as Telegram's load balancer would.
      const instances = [h.bot, second];
      let turn = 0;
      const next = () => instances[turn++ % 2]!;
      const say = async (text: string) => {
        h.recorder.clear();
        await next().handleUpdate(textUpdate(lan, text));
        return h.recorder.texts().join("\n");
      };
      const tap = async (label: string) => {
        const data = h.recorder.button(label);
        h.recorder.clear();
        await next().handleUpdate(callbackUpdate(lan, data, 777));
      };
      await say("/tudanhgia");
      await tap("1. Công tác");
      const steps: [string, string][] = [
        ["10/01/2019", "1.1.1"],
        ["90", "1.1.2"],
        ["3", "1.2"],
        ["25", "1.3.1"],
      ];
      for (const [text, code] of steps) {
        expect(await say(text)).toContain(`✅ Đã lưu câu ${code}`);
        await tap("Câu sau");
      }
      for (const [text, code] of steps) {
        const row = await answerOf(code, "thuan-chau");
        expect(row?.value, code).toBe(code === "1.1.1" ? "2019-01-10" : text);
      }
      expect(await h.db.answer.count({ where: { unitId: (await h.unit("thuan-chau")).id } })).toBe(4);
    } finally {
      await other.close();
    }
  });
});

describe("text sent before the question it would answer was shown", () => {
  it("is not filed under that question", async () => {
    const tuyet = user(8120, "Lường Thị Tuyết");
    await link(tuyet, "tp-son-la");
    await openArea1(tuyet);
    // Typed 10 s ago (say, while the bot was down), delivered now that 1.1.1 is showing.
    const late = textUpdate(tuyet, "15/01/2019");
    late.message!.date -= 10;
    h.recorder.clear();
    await h.handle(late);
    expect(h.recorder.lastText()).toContain("được gửi trước khi câu 1.1.1 hiện ra");
    expect(await answerOf("1.1.1", "tp-son-la")).toBeNull();
    // Typed now: stored.
    expect((await h.send(tuyet, "15/01/2019"))[0]).toContain("✅ Đã lưu câu 1.1.1");
  });
});

describe("the self-assessment deadline", () => {
  it("counts the last minute, and the time the message was sent rather than handled", async () => {
    const deadline = new Date(Date.now() + 60 * 60_000);
    deadline.setUTCSeconds(0, 0);
    await h.db.campaign.update({ where: { id: h.campaign.id }, data: { selfAssessmentDeadline: deadline } });
    try {
      const kim = user(8130, "Hà Thị Kim");
      await link(kim, "so-tu-phap");
      await openArea1(kim);
      // Sent at hh:mm:40 of the deadline minute: on time.
      h.clock.fixed = new Date(deadline.getTime() + 40_000);
      expect((await h.send(kim, "10/01/2019"))[0]).toContain("✅ Đã lưu câu 1.1.1");
      // Sent in the deadline minute, handled two minutes later (a queue, an outage): on time.
      h.clock.fixed = new Date(deadline.getTime() + 50_000);
      const sent = textUpdate(kim, "x");
      h.clock.fixed = new Date(deadline.getTime() + 170_000);
      await h.tap(kim, "Câu sau");
      sent.message!.text = "85";
      sent.message!.date = Math.floor((deadline.getTime() + 50_000) / 1000);
      // It was sent before 1.1.2 was shown here only because the clock moved: show it again "now".
      await h.db.assessmentCursor.updateMany({ data: { updatedAt: new Date(deadline.getTime()) } });
      h.recorder.clear();
      await h.handle(sent);
      expect(h.recorder.lastText()).toContain("✅ Đã lưu câu 1.1.2");
      // Sent after the minute: refused, with the deadline.
      await h.tap(kim, "Câu sau");
      expect((await h.send(kim, "3"))[0]).toContain("Đã hết hạn");
      expect(await answerOf("1.2", "so-tu-phap")).toBeNull();
    } finally {
      await h.openSelfAssessment();
    }
  });
});

describe("the code", () => {
  it("opens every transaction of the bot and its domain through transaction(), which records the update", () => {
    const offenders: string[] = [];
    for (const dir of ["src/bot", "src/domain"]) {
      for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
        if (!file.endsWith(".ts")) continue;
        const source = readFileSync(join(dir, file), "utf8");
        if (source.includes(".$transaction(")) offenders.push(join(dir, file));
      }
    }
    // The importer runs from the CLI and at start-up only, never while an update is handled.
    expect(offenders).toEqual(["src/domain/importer.ts"]);
  });
});

function replayDeps() {
  return { db: h.db, i18n: h.i18n, logger: h.logger, defaultLocale: "vi", timeZone: h.config.TZ };
}

async function waitFor(check: () => Promise<boolean>, ms = 5_000) {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
