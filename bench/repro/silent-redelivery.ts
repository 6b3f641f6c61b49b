/**
 * Reproduction (found by the kill and PostgreSQL drills, bench/drills.ts): an answer stored
 * just before its reply could go out gets no reply at all, ever.
 *
 *   npx tsx bench/repro/silent-redelivery.ts      exits 1 while the bug is there
 *
 * The bot commits the answer (with its update id, src/db/exactly-once.ts); then something
 * stops it before its reply reaches Telegram, and Telegram delivers the update again, which
 * the bot drops as a duplicate ("duplicate update dropped", src/bot/middlewares/once-only.ts).
 * Four cases, an answer typed or tapped, each after one of two interruptions:
 *
 * - **kill**: the process dies after the commit (here: a bot whose Bot API calls never
 *   return, stuck exactly where a kill -9 would have stopped it); the redelivery goes to a
 *   second bot on the same database, as to the restarted process.
 * - **outage**: a transient database error (here "database is locked", once) hits the first
 *   statement after the commit, while the bot shows the next question (in the PostgreSQL
 *   drill: 57P03 "the database system is shutting down" on a `$queryRaw`). The error
 *   boundary tells the officer "not saved yet, it will be handled again" (errors.try_again)
 *   about the saved answer, and hands the update back (the webhook answers 503).
 *
 * Since 15f1466 a redelivered *message* is answered "saved after a restart"
 * (errors.saved_after_restart); a redelivered *button press* only has its spinner stopped
 * (answerCallbackQuery without text): the officer who tapped an answer hears nothing, and
 * after an outage was last told that it was not saved. The drills count these as "no reply"
 * (kill: 0–2 per 1,000 answers; PostgreSQL restart: 2–6 per 600, every one a tap).
 */
import type { Transformer } from "grammy";
import pino from "pino";
import { createBot } from "../../src/bot/index.ts";
import { parseConfig } from "../../src/config.ts";
import type { Db } from "../../src/db/client.ts";
import { type FakeBotApi, startFakeBotApi } from "../../src/dev/fake-bot-api.ts";
import { createI18n } from "../../src/i18n.ts";
import {
  answerPlans,
  BENCH_TOKEN,
  benchFileStore,
  createBenchDatabase,
  createOfficers,
  findButtons,
  importBundledCampaign,
  lastBotMessageId,
} from "../lib.ts";

type How = "type" | "tap";
type Interruption = "kill" | "outage";

const t = createI18n("vi").forLocale("vi");
const MARK = "\u0001";
const TRY_AGAIN = t("errors.try_again");
const SAVED_AFTER_RESTART = t("errors.saved_after_restart", { when: MARK }).split(MARK)[0]!;
/** What a redelivered press, and an update saved before its next step failed, are told. */
const SAVED_PRESS = t("errors.saved_press_after_restart");
const SAVED_THEN_FAILED = t("errors.saved_then_failed");
const savedText = (code: string) =>
  t("assessment.saved", { code, value: MARK, score: MARK, max: MARK }).split(MARK)[0]!;

/**
 * `db`, except that once armed, the first raw statement after a committed transaction fails
 * with a transient error ("database is locked"), as a database restart does to the statements
 * that follow an answer's commit. `injected` tells whether it did.
 */
function failingOnceAfterCommit(db: Db) {
  const state = { armed: false, committed: false, injected: false };
  const RAW = new Set(["$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"]);
  const proxy = new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === "$transaction")
        return async (...args: unknown[]) => {
          const result = await fn.apply(target, args);
          if (state.armed) state.committed = true;
          return result;
        };
      if (typeof prop === "string" && RAW.has(prop))
        return (...args: unknown[]) => {
          if (state.committed && !state.injected) {
            state.injected = true;
            return Promise.reject(new Error("SQLITE_BUSY: database is locked"));
          }
          return fn.apply(target, args);
        };
      return fn.bind(target);
    },
  });
  return { db: proxy as Db, state };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One case on a fresh database. The officer opens each candidate question in turn and answers
 * it on the interrupted bot; the first answer whose handling was interrupted after its commit
 * (with an outage: the first one that touches the database after the commit; some next steps
 * are drawn from what the transaction returned) is the case.
 */
async function scenario(how: How, interruption: Interruption): Promise<boolean> {
  const database = await createBenchDatabase("sqlite", "");
  const fake: FakeBotApi = await startFakeBotApi({ recordCalls: true });
  try {
    const db = database.db;
    const campaign = await importBundledCampaign(db);
    const [officer] = await createOfficers(db, campaign.id, 1);
    const user = officer!.user;
    const plans = (await answerPlans(db, campaign.questionnaireId!)).filter((p) => p.how === how);
    const config = parseConfig({ BOT_TOKEN: BENCH_TOKEN, DATABASE_URL: database.url, TELEGRAM_API_ROOT: fake.url });
    const deps = { db, logger: pino({ level: "silent" }), i18n: createI18n("vi"), store: benchFileStore() };
    const healthy = createBot(config, deps, { botInfo: fake.botInfo });
    const failing = failingOnceAfterCommit(db);
    const outage = createBot(config, { ...deps, db: failing.db }, { botInfo: fake.botInfo });
    const stuck: Transformer = () => new Promise(() => {});
    const dying = createBot(config, deps, { botInfo: fake.botInfo, transformers: [stuck] });
    await healthy.handleUpdate(fake.sendUserMessage(user, "/tudanhgia"));

    for (const plan of plans) {
      // The officer opens the question on a healthy bot: it is on screen.
      await healthy.handleUpdate(
        fake.pressButton(user, user.id, lastBotMessageId(fake, user.id)!, `sa:q:${plan.questionId}`),
      );
      let update: ReturnType<FakeBotApi["sendUserMessage"]>;
      if (how === "type") update = fake.sendUserMessage(user, plan.input());
      else {
        const buttons = findButtons(fake, user.id, `sa:v:${plan.questionId}:`);
        if (!buttons) throw new Error(`question ${plan.code}: no answer buttons on screen`);
        // "No" where there is one: worth 0 points, it asks for no evidence and moves on to what is next.
        const no = buttons.data.find((d) => d.endsWith(":no"));
        update = fake.pressButton(user, user.id, buttons.messageId, no ?? buttons.data.at(-1)!);
      }
      const answersBefore = await db.answer.count();

      // 1. The first delivery: the answer is committed, then the process dies or the database goes away.
      fake.clearCalls();
      let handedBack = false;
      if (interruption === "kill") {
        void dying.handleUpdate(update);
        for (let i = 0; i < 200 && (await db.answer.count()) === answersBefore; i++) await sleep(25);
      } else {
        failing.state.armed = true;
        await outage.handleUpdate(update).catch(() => {
          handedBack = true; // the webhook answers 503: Telegram delivers it again
        });
        failing.state.armed = false;
        failing.state.committed = false;
        if (!failing.state.injected) continue; // nothing touched the database after the commit: answered normally
      }
      const stored = (await db.answer.count()) === answersBefore + 1;
      const texts = () =>
        fake.calls
          .filter((c) => c.payload.chat_id === user.id && typeof c.payload.text === "string")
          .map((c) => String(c.payload.text));
      const toldNotSaved = texts().some((x) => x === TRY_AGAIN);

      // 2. Telegram delivers the update again, to the restarted process (or the same one, the database back).
      await healthy.handleUpdate(update);
      const after = texts();
      const confirmed = after.some((x) =>
        [savedText(plan.code), SAVED_AFTER_RESTART, SAVED_PRESS, SAVED_THEN_FAILED].some((s) => x.includes(s)),
      );
      const reproduced = stored && !confirmed;
      console.log(
        `${how === "type" ? "typed" : "tapped"} answer to ${plan.code}, ${interruption}: stored ${stored ? "yes" : "no"}` +
          (interruption === "outage"
            ? `; first delivery handed back ${handedBack ? "yes (503)" : "no"}, officer told "not saved yet" ${toldNotSaved ? "yes" : "no"}`
            : "") +
          `; after the redelivery: ${after.length} message(s) to the officer, confirmed ${confirmed ? "yes" : "NO"}` +
          ` — ${reproduced ? "REPRODUCED" : "not reproduced"}`,
      );
      return reproduced;
    }
    console.log(`${how}, ${interruption}: no answer touched the database after its commit — case not exercised`);
    return false;
  } finally {
    await fake.close();
    await database.destroy();
  }
}

let reproduced = 0;
for (const how of ["type", "tap"] as const)
  for (const interruption of ["kill", "outage"] as const) if (await scenario(how, interruption)) reproduced++;
if (reproduced > 0) {
  console.log(`REPRODUCED in ${reproduced} of 4 cases: an answer is stored, but the officer never hears about it`);
  process.exitCode = 1;
} else console.log("not reproduced");
