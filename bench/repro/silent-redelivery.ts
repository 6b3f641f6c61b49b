/**
 * Reproduction (found by the kill drill, bench/drills.ts): an answer stored just before the
 * process died gets no reply at all, ever.
 *
 *   npx tsx bench/repro/silent-redelivery.ts      exits 1 while the bug is there
 *
 * The bot commits the answer (with its update id, src/db/exactly-once.ts) and dies before its
 * reply reaches Telegram. Telegram delivers the update again; the restarted bot finds the id
 * recorded and drops the update as a duplicate without a word ("duplicate update dropped"):
 * the officer sees their message unanswered, and typing it again may file it under the next
 * question (the cursor moved with the answer). The replay of pending updates tells the person
 * "saved after a restart" (tellSavedAfterCrash), but a redelivery does not.
 *
 * Same silence after a database outage (PostgreSQL drill): when a transient error hits after
 * the answer's commit (while showing the next question), the officer is told "not saved yet,
 * it will be handled again" (errors.try_again), the webhook answers 503, and the redelivery is
 * dropped as a duplicate: "not saved" about a saved answer, then nothing.
 *
 * Here the dying process is a bot whose Bot API calls never return (it is stuck exactly where
 * a kill -9 would have stopped it); the restarted process is a second bot on the same database.
 */
import type { Transformer } from "grammy";
import pino from "pino";
import { createBot } from "../../src/bot/index.ts";
import { parseConfig } from "../../src/config.ts";
import { startFakeBotApi } from "../../src/dev/fake-bot-api.ts";
import { setCursor } from "../../src/domain/assessment.ts";
import { createI18n } from "../../src/i18n.ts";
import {
  answerPlans,
  BENCH_TOKEN,
  benchFileStore,
  createBenchDatabase,
  createOfficers,
  importBundledCampaign,
} from "../lib.ts";

const database = await createBenchDatabase("sqlite", "");
const fake = await startFakeBotApi({ recordCalls: true });
try {
  const db = database.db;
  const campaign = await importBundledCampaign(db);
  const [officer] = await createOfficers(db, campaign.id, 1);
  const plan = (await answerPlans(db, campaign.questionnaireId!)).find((p) => p.how === "type")!;
  const config = parseConfig({ BOT_TOKEN: BENCH_TOKEN, DATABASE_URL: database.url, TELEGRAM_API_ROOT: fake.url });
  const deps = { db, logger: pino({ level: "silent" }), i18n: createI18n("vi"), store: benchFileStore() };

  // The officer has question `plan.code` on screen: their cursor points at it.
  const unitKind = (await db.unit.findUniqueOrThrow({ where: { id: officer!.unitId } })).kind;
  await setCursor(db, officer!.personId, { campaign, unitId: officer!.unitId, unitKind }, plan.questionId);
  const update = fake.sendUserMessage(officer!.user, plan.input());

  // 1. The first process stores the answer, then dies before any reply gets out.
  const stuck: Transformer = () => new Promise(() => {});
  const dying = createBot(config, deps, { botInfo: fake.botInfo, transformers: [stuck] });
  void dying.handleUpdate(update);
  for (let i = 0; i < 200 && (await db.answer.count()) === 0; i++) await new Promise((r) => setTimeout(r, 25));
  const stored = await db.answer.count();

  // 2. Telegram got no answer from the webhook, so it delivers the update again, to the restarted process.
  const restarted = createBot(config, deps, { botInfo: fake.botInfo });
  fake.clearCalls();
  await restarted.handleUpdate(update);
  const replies = fake.calls.filter((c) => c.payload.chat_id === officer!.user.id);

  console.log(`answer to ${plan.code} stored by the first process: ${stored === 1 ? "yes" : "no"}`);
  console.log(`messages to the officer after the redelivery: ${replies.length}`);
  if (stored === 1 && replies.length === 0) {
    console.log("REPRODUCED: the answer is stored, but the officer never hears about it");
    process.exitCode = 1;
  } else console.log("not reproduced");
} finally {
  await fake.close();
  await database.destroy();
}
