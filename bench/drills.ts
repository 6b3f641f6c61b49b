/**
 * Fault drills of issue 9 (numbers and their meaning in bench/RELIABILITY.md).
 *
 * The bot runs as `npm start` runs it (dist/src/main.js, webhook mode, configured by its
 * environment). Officers answer the self-assessment through the loopback fake Bot API, which
 * delivers their updates to the webhook as Telegram does: one at a time per chat, and again
 * after a growing delay until the webhook answers 2xx. A relay in front of the bot records
 * every delivery (bench/lib.ts, WebhookRelay), so an answer counts as accepted once the webhook
 * answered 2xx for it, at the first delivery or a later one. Meanwhile the drill breaks things:
 *
 *   kill  kill -9 of the bot three times at random moments during 1,000 answers, each time
 *         restarted at once on the same database (SQLite and PostgreSQL)
 *   pair  two bot processes on one database, started together on the empty database (both
 *         seed it), each officer's updates alternating between them; half of the officers
 *         join by invite on one instance and go on on the other
 *   pg    PostgreSQL restarted during load, the bot process must stay up:
 *         restart    a private PostgreSQL server (same binaries, own data folder and port,
 *                    made for the drill and removed after it) stopped and started for real;
 *         terminate  on the shared server, every backend of the drill's own database
 *                    terminated (pg_terminate_backend), as a restart does to its clients;
 *                    the shared server is never restarted: other people's tests use it
 *
 *   npm run bench -- drills [all|kill|pair|pg] [options]      (or npx tsx bench/drills.ts …)
 *
 *   --db sqlite|postgresql|both   kill and pair: databases (default both; pg is PostgreSQL)
 *   --officers 40                 simulated officers per drill, one unit each
 *   --answers 1000                kill: answers in all (officers answer distinct questions)
 *   --kills 3                     kill: kill -9 count
 *   --pair-answers 800            pair: answers in all
 *   --pg-answers 600              pg: answers per mode
 *   --pg-modes restart,terminate  pg: disruptions to run
 *   --pg-disruptions 4            pg: restarts (or terminations) per mode
 *   --pg-down-ms 2000             pg restart: time the server stays down between stop and start
 *   --pg-url URL                  shared PostgreSQL server (default $BENCH_PG_URL or
 *                                 postgresql://postgres@127.0.0.1:5432/postgres)
 *   --pg-bin DIR                  PostgreSQL binaries for the private server (default: the
 *                                 newest /usr/lib/postgresql/<version>/bin)
 *   --json FILE                   also write the results as JSON
 *
 * Each drill prints a table; the process exits 1 if a target is missed. The bot processes'
 * logs are kept in a folder printed at the start.
 */
import { execFile } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import type { Update } from "grammy/types";
import { parseAction } from "../src/bot/features/self-assessment/callback-data.ts";
import type { Question } from "../src/db/client.ts";
import { connectPg } from "../src/db/pg-connection.ts";
import type { Provider } from "../src/db/url.ts";
import type { FakeBotApi, FakeUser } from "../src/dev/fake-bot-api.ts";
import { parseAnswer } from "../src/domain/answers.ts";
import { createInvites } from "../src/domain/invites.ts";
import { createI18n } from "../src/i18n.ts";
import { PROJECT_ROOT } from "../src/paths.ts";
import {
  type AnswerPlan,
  answerPlans,
  type BenchDatabase,
  BotProcess,
  createBenchDatabase,
  createOfficers,
  createUnits,
  findButtons,
  freePort,
  importBundledCampaign,
  lastBotMessageId,
  mb,
  newProcessLog,
  type Officer,
  openWindow,
  type ProcessLog,
  startDeliveringFake,
  TIME_ZONE,
  WebhookRelay,
} from "./lib.ts";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

/** Resolves true once `ready()` holds, false after `timeoutMs`. */
async function until(ready: () => boolean, timeoutMs: number, stepMs = 25): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!ready()) {
    if (performance.now() >= deadline) return false;
    await sleep(stepMs);
  }
  return true;
}

/** How long an officer waits for the webhook to accept an update (redeliveries included). */
const ACCEPT_WITHIN_MS = 240_000;
/** How long an officer waits for an opened question to appear before pressing again. */
const SHOWN_WITHIN_MS = 15_000;

// ─── What the bot says, and what the drills look for in it ───────────────────────────────────

/** The bot's texts in Vietnamese (the officers' language), cut before their first variable. */
function replyTexts() {
  const t = createI18n("vi").forLocale("vi");
  const MARK = "\u0001";
  const before = (key: string, vars: Record<string, string> = {}) => t(key, vars).split(MARK)[0]!;
  return {
    saved: (code: string) => before("assessment.saved", { code, value: MARK, score: MARK, max: MARK }),
    savedAfterRestart: before("errors.saved_after_restart", { when: MARK }),
    notUnderstood: t("fallback.text"),
    internal: before("errors.internal", { ref: MARK }),
    tryAgain: t("errors.try_again"),
    stale: t("assessment.refused.stale"),
    sentBeforeShown: before("assessment.sent_before_shown", { code: MARK }),
    linked: before("start.linked_unit", { role: MARK, unit: MARK, campaign: MARK }),
    areaList: before("assessment.list_title", { unit: MARK }),
  };
}
const TEXTS = replyTexts();
/** What the bot answers to an input it refuses (parseAnswer's error, in Vietnamese). */
const VI = createI18n("vi").forLocale("vi");

/** Every text the bot sent or edited into each chat, in order, with its time. */
class ChatTexts {
  readonly byChat = new Map<number, Array<{ at: number; text: string }>>();

  constructor(fake: FakeBotApi) {
    fake.onCall((call) => {
      const chat = Number(call.payload.chat_id);
      const text = call.payload.text;
      if (!call.ok || !Number.isFinite(chat) || typeof text !== "string") return;
      const list = this.byChat.get(chat) ?? [];
      list.push({ at: call.startedAt, text });
      this.byChat.set(chat, list);
    });
  }

  /** Texts in `chat` sent at or after `since` (Date.now() time) that contain `part`. */
  find(chat: number, part: string, since = 0) {
    return (this.byChat.get(chat) ?? []).filter((m) => m.at >= since && m.text.includes(part));
  }

  /** Texts in all chats that contain `part`. */
  count(part: string): number {
    let n = 0;
    for (const list of this.byChat.values()) for (const m of list) if (m.text.includes(part)) n++;
    return n;
  }
}

/** The question whose keyboard is on the newest bot message that shows one (its "back" button). */
function shownQuestion(fake: FakeBotApi, chatId: number): number | undefined {
  const b = findButtons(fake, chatId, "sa:b:");
  return b ? Number(b.data[0]!.slice("sa:b:".length)) : undefined;
}

// ─── A drill's world: database, fake Telegram, relay, bot processes ─────────────────────────

interface Scene {
  label: string;
  database: BenchDatabase;
  campaignId: number;
  questions: Map<number, Question>;
  plans: AnswerPlan[];
  fake: FakeBotApi;
  relay: WebhookRelay;
  texts: ChatTexts;
  log: ProcessLog;
  ports: number[];
  bots: BotProcess[];
  /** Starts (or restarts) bot process `i` on its port. */
  startBot(i: number): Promise<BotProcess>;
}

let logDir = "";

async function openScene(
  label: string,
  database: BenchDatabase,
  instances: number,
  route?: (chatId: number, nth: number, attempt: number) => number,
): Promise<Scene> {
  const fake = await startDeliveringFake();
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()));
  const relay = new WebhookRelay(ports, route);
  await relay.start();
  const log = newProcessLog(join(logDir, `${label.replace(/[^a-z0-9]+/gi, "-")}.log`));
  const scene: Scene = {
    label,
    database,
    campaignId: 0,
    questions: new Map(),
    plans: [],
    fake,
    relay,
    texts: new ChatTexts(fake),
    log,
    ports,
    bots: [],
    async startBot(i) {
      const bot = await BotProcess.start({
        databaseUrl: database.url,
        apiRoot: fake.url,
        port: ports[i]!,
        webhookUrl: relay.url,
        log,
        name: `${label} #${i + 1}`,
      });
      scene.bots[i] = bot;
      return bot;
    },
  };
  return scene;
}

/** The bundled campaign, its window open now, and what officers can answer in one step. */
async function loadCampaign(scene: Scene, importIt: boolean) {
  const db = scene.database.db;
  const campaign = importIt
    ? await importBundledCampaign(db)
    : await openWindow(db, (await db.campaign.findUniqueOrThrow({ where: { code: "son-la-2019" } })).id);
  scene.campaignId = campaign.id;
  const questions = await db.question.findMany({ where: { questionnaireId: campaign.questionnaireId! } });
  scene.questions = new Map(questions.map((q) => [q.id, q]));
  scene.plans = await answerPlans(db, campaign.questionnaireId!);
}

/** Waits until Telegram has nothing left to deliver and no acknowledged update waits for a replay. */
async function settle(scene: Scene): Promise<{ pendingLeft: number; seconds: number }> {
  const start = performance.now();
  await scene.fake.waitForIdle({ quietMs: 1500, timeoutMs: 600_000 });
  // A slow update answered at 9 s and lost with its process is replayed by the next one
  // (every minute, once it is 60 s old).
  const deadline = performance.now() + 180_000;
  let pendingLeft = await scene.database.db.pendingUpdate.count();
  while (pendingLeft > 0 && performance.now() < deadline) {
    await sleep(2000);
    pendingLeft = await scene.database.db.pendingUpdate.count();
  }
  if (pendingLeft === 0) await scene.fake.waitForIdle({ quietMs: 1000, timeoutMs: 60_000 });
  return { pendingLeft, seconds: (performance.now() - start) / 1000 };
}

async function closeScene(scene: Scene) {
  await Promise.all(scene.bots.map((b) => b.stop()));
  await scene.relay.close();
  await scene.fake.close();
}

// ─── Officers ────────────────────────────────────────────────────────────────────────────────

/** One answer an officer gave: what, where, and the update that carried it. */
interface Given {
  chatId: number;
  unitId: number;
  questionId: number;
  code: string;
  how: "type" | "tap";
  /** The answer as the bot stores it (parseAnswer of what was typed or tapped). */
  expected: string;
  /**
   * When what was typed is not a valid answer to the question (the bot refuses it by design,
   * e.g. a count above the item's maximum): the refusal the bot should send. Such an answer
   * is "refused" when that refusal was sent, not "lost".
   */
  refusal?: string;
  updateId: number;
  /** Date.now() when the officer sent it. */
  sentAt: number;
}

interface OfficerStats {
  /** Updates the webhook had not accepted after ACCEPT_WITHIN_MS: the officer gave up. */
  stalled: number;
  /** An opened question did not appear within SHOWN_WITHIN_MS; the officer pressed again. */
  reopened: number;
  /** The question never appeared after three presses: not answered. */
  notShown: number;
  /** The question's answer buttons were not there. */
  missingButtons: number;
}

const newStats = (): OfficerStats => ({ stalled: 0, reopened: 0, notShown: 0, missingButtons: 0 });

/**
 * An officer at work, as a person would: sends `opening` (for example "/tudanhgia"), then for
 * each planned question presses "go to question" on the newest bot message, waits until the
 * question is on screen, and types or taps an answer. Every update waits until the webhook has
 * accepted it (with Telegram's redeliveries), as the person waits for the bot's reply.
 */
async function officerSession(
  scene: Scene,
  user: FakeUser,
  unitId: number,
  plans: AnswerPlan[],
  opening: string[],
  given: Given[],
  stats: OfficerStats,
  onAnswered: () => void,
): Promise<void> {
  const { fake, relay } = scene;
  const send = async (update: Update) => {
    if (await relay.accepted(update.update_id, ACCEPT_WITHIN_MS)) return true;
    stats.stalled++;
    return false;
  };
  for (const text of opening) if (!(await send(fake.sendUserMessage(user, text)))) return;
  for (const plan of plans) {
    let shown = false;
    for (let press = 0; press < 3 && !shown; press++) {
      if (press > 0) stats.reopened++;
      const on = lastBotMessageId(fake, user.id);
      const update =
        on === undefined
          ? fake.sendUserMessage(user, "/tudanhgia")
          : fake.pressButton(user, user.id, on, `sa:q:${plan.questionId}`);
      if (!(await send(update))) return;
      shown = await until(() => shownQuestion(fake, user.id) === plan.questionId, SHOWN_WITHIN_MS);
    }
    if (!shown) {
      stats.notShown++;
      continue;
    }
    let input: string;
    let update: Update;
    if (plan.how === "type") {
      input = plan.input();
      update = fake.sendUserMessage(user, input);
    } else {
      const buttons = findButtons(fake, user.id, `sa:v:${plan.questionId}:`);
      if (!buttons) {
        stats.missingButtons++;
        continue;
      }
      const data = buttons.data[randomInt(0, buttons.data.length - 1)]!;
      const action = parseAction(data);
      input = action?.kind === "answer" ? action.value : "";
      update = fake.pressButton(user, user.id, buttons.messageId, data);
    }
    const parsed = parseAnswer(scene.questions.get(plan.questionId)!, input, { timeZone: TIME_ZONE });
    given.push({
      chatId: user.id,
      unitId,
      questionId: plan.questionId,
      code: plan.code,
      how: plan.how,
      expected: parsed.ok ? parsed.value : `(invalid input ${input})`,
      refusal: parsed.ok ? undefined : VI(parsed.error.key, parsed.error.vars),
      updateId: update.update_id,
      sentAt: Date.now(),
    });
    if (!(await send(update))) return;
    onAnswered();
  }
}

/** `count` distinct questions for officer `index`, in questionnaire order from a different start each. */
function plansFor(plans: AnswerPlan[], index: number, count: number): AnswerPlan[] {
  if (count > plans.length) throw new Error(`${count} answers per officer: only ${plans.length} questions`);
  return Array.from({ length: count }, (_, i) => plans[(index * 7 + i) % plans.length]!);
}

/** Splits `total` answers over `officers`: the first ones get one more when it does not divide. */
const share = (total: number, officers: number, i: number) =>
  Math.floor(total / officers) + (i < total % officers ? 1 : 0);

// ─── Checking what was stored ────────────────────────────────────────────────────────────────

interface AnswerCheck {
  /** Answers the officers sent. */
  sent: number;
  /** Sent, and the webhook answered 2xx for them (at the first delivery or a redelivery). */
  accepted: number;
  /** Of those, delivered more than once (Telegram redelivered them). */
  redelivered: number;
  /** Accepted and stored under their question with their value, written once. */
  stored: number;
  /** Accepted and stored nowhere, the officer not told why. */
  lost: number;
  /** Accepted, not stored, the officer told why ("sent before shown", a stale button, an input the question does not allow). */
  refused: number;
  /** Answers under a question their officer did not answer, or with another answer's value. */
  misfiled: number;
  /** Writes beyond one per answer: revisions, and audit entries beyond one per answer. */
  twice: number;
  /** Accepted and stored answers whose officer never got the confirmation (nor "saved after restart"). */
  noReply: number;
  /** Officers with at least one such answer. */
  officersNoReply: number;
  /** The answers behind lost, misfiled, refused and no reply, for the report. */
  evidence: string[];
}

async function checkAnswers(scene: Scene, given: Given[]): Promise<AnswerCheck> {
  const db = scene.database.db;
  const rows = await db.answer.findMany({
    where: { campaignId: scene.campaignId },
    select: { id: true, unitId: true, questionId: true, value: true, _count: { select: { revisions: true } } },
  });
  const audits = await db.auditLog.findMany({
    where: { action: { startsWith: "answer." } },
    select: { entityId: true },
  });
  const auditsOf = new Map<string, number>();
  for (const a of audits) auditsOf.set(a.entityId, (auditsOf.get(a.entityId) ?? 0) + 1);
  const key = (unitId: number, questionId: number) => `${unitId}:${questionId}`;
  const rowAt = new Map(rows.map((r) => [key(r.unitId, r.questionId), r]));
  const givenAt = new Set(given.map((g) => key(g.unitId, g.questionId)));

  const check: AnswerCheck = {
    sent: given.length,
    accepted: 0,
    redelivered: 0,
    stored: 0,
    lost: 0,
    refused: 0,
    misfiled: 0,
    twice: 0,
    noReply: 0,
    officersNoReply: 0,
    evidence: [],
  };
  const droppedAsDuplicate = new Set(scene.log.updateIds.get("info: duplicate update dropped") ?? []);
  const note = (what: string, g: Given, extra = "") => {
    const d = scene.relay.deliveries.get(g.updateId);
    check.evidence.push(
      `${what}: update ${g.updateId}, chat ${g.chatId}, question ${g.code} (${g.how} "${g.expected}"), webhook answers ${d?.statuses.join(",") ?? "none"}${droppedAsDuplicate.has(g.updateId) ? ', bot logged "duplicate update dropped"' : ""}${extra}`,
    );
  };
  const silentOfficers = new Set<number>();
  for (const g of given) {
    const delivery = scene.relay.deliveries.get(g.updateId);
    if (delivery?.acceptedAt === undefined) continue;
    check.accepted++;
    if (delivery.statuses.length > 1) check.redelivered++;
    const row = rowAt.get(key(g.unitId, g.questionId));
    const told = (part: string) => scene.texts.find(g.chatId, part, g.sentAt - 1000).length > 0;
    if (!row) {
      if (told(TEXTS.stale) || told(TEXTS.sentBeforeShown) || (g.refusal !== undefined && told(g.refusal))) {
        check.refused++;
        note("refused", g);
      } else {
        check.lost++;
        note("lost", g);
      }
      continue;
    }
    if (row.value !== g.expected) {
      check.misfiled++;
      note("misfiled", g, `; stored there: "${row.value}"`);
      continue;
    }
    if (row._count.revisions === 0 && (auditsOf.get(String(row.id)) ?? 0) === 1) check.stored++;
    if (!told(TEXTS.saved(g.code)) && !told(TEXTS.savedAfterRestart)) {
      check.noReply++;
      silentOfficers.add(g.chatId);
      note("no reply", g, told(TEXTS.tryAgain) ? '; the officer was told "not saved yet, will be handled again"' : "");
    }
  }
  for (const r of rows) {
    // Stored under a question that no officer of the unit answered: it belongs elsewhere.
    if (!givenAt.has(key(r.unitId, r.questionId))) {
      check.misfiled++;
      check.evidence.push(
        `misfiled: "${r.value}" stored for unit ${r.unitId} under question id ${r.questionId}, which its officer did not answer`,
      );
    }
    check.twice += r._count.revisions + Math.max(0, (auditsOf.get(String(r.id)) ?? 0) - 1);
  }
  check.officersNoReply = silentOfficers.size;
  return check;
}

/** Replies that should never appear in a drill, in all chats. */
function replyCensus(scene: Scene) {
  return {
    notUnderstood: scene.texts.count(TEXTS.notUnderstood),
    internalError: scene.texts.count(TEXTS.internal),
    tryAgain: scene.texts.count(TEXTS.tryAgain),
    savedAfterRestart: scene.texts.count(TEXTS.savedAfterRestart),
    refusedStale: scene.texts.count(TEXTS.stale),
    sentBeforeShown: scene.texts.count(TEXTS.sentBeforeShown),
  };
}

function logSummary(log: ProcessLog) {
  const top = [...log.messages.entries()]
    .filter(([m]) => !m.startsWith("info: ") || m.includes("duplicate") || m.includes("pending"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([m, n]) => `${n}× ${m}`);
  return {
    file: log.file,
    warn: log.byLevel.warn,
    error: log.byLevel.error,
    fatal: log.byLevel.fatal,
    unstructured: log.unstructured.lines,
    /** What a crash printed outside the logger: the error's name and message lines. */
    crash: log.unstructured.first.filter((l) => /Error|error|failed|Unique/.test(l) && !l.startsWith(" ")).slice(0, 3),
    top,
  };
}

// ─── Tables ──────────────────────────────────────────────────────────────────────────────────

type Cell = string | number;

function table(head: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

const verdicts: Array<{ drill: string; target: string; ok: boolean }> = [];
function target(drill: string, name: string, ok: boolean) {
  verdicts.push({ drill, target: name, ok });
  return ok;
}

function answerTargets(drill: string, c: AnswerCheck) {
  target(drill, "every sent answer accepted", c.accepted === c.sent);
  target(drill, "0 lost", c.lost === 0);
  target(drill, "0 misfiled", c.misfiled === 0);
  target(drill, "0 stored twice", c.twice === 0);
}

// ─── Load with disruptions, common to the drills ─────────────────────────────────────────────

/** Someone who answers: their Telegram user, their unit, and what they send before the questions. */
interface Answerer {
  user: FakeUser;
  unitId: number;
  opening: string[];
}

/** What every drill reports, besides its own numbers. */
interface Outcome {
  check: AnswerCheck;
  stats: OfficerStats;
  replies: ReturnType<typeof replyCensus>;
  /** Webhook answers by HTTP status, redeliveries included. */
  deliveries: Record<string, number>;
  settle: { pendingLeft: number; seconds: number };
  /** One line per disruption: after how many answers, and how it went. */
  disruptions: string[];
  seconds: number;
  log: ReturnType<typeof logSummary>;
}

/**
 * The answerers give `total` answers between them, all at once, each to distinct questions;
 * whenever the answers accepted reach one of `points` (plus 0–250 ms), `disrupt` runs while
 * the load goes on and returns a line for the report. Then Telegram and the replay of pending
 * updates settle, `beforeStop` looks at the bots, the bots stop, and what was stored is checked.
 */
async function answerThrough(
  scene: Scene,
  answerers: Answerer[],
  total: number,
  disruption: { points: number[]; disrupt: (answered: number) => Promise<string> } | null,
  started: number,
  beforeStop: () => void = () => {},
): Promise<Outcome> {
  const given: Given[] = [];
  const stats = newStats();
  const disruptions: string[] = [];
  let answered = 0;
  let loadDone = false;
  const chaos = (async () => {
    for (const point of disruption?.points ?? []) {
      await until(() => answered >= point || loadDone, 3_600_000, 10);
      if (loadDone) break;
      await sleep(randomInt(0, 250));
      disruptions.push(`${answered}: ${await disruption!.disrupt(answered)}`);
      console.error(`   ${scene.label} after ${disruptions.at(-1)}`);
    }
  })();
  await Promise.all(
    answerers.map((a, i) =>
      officerSession(
        scene,
        a.user,
        a.unitId,
        plansFor(scene.plans, i, share(total, answerers.length, i)),
        a.opening,
        given,
        stats,
        () => answered++,
      ),
    ),
  );
  loadDone = true;
  await chaos;
  const settled = await settle(scene);
  beforeStop();
  await closeScene(scene);
  return {
    check: await checkAnswers(scene, given),
    stats,
    replies: replyCensus(scene),
    deliveries: Object.fromEntries(scene.relay.statusCounts()),
    settle: settled,
    disruptions,
    seconds: (performance.now() - started) / 1000,
    log: logSummary(scene.log),
  };
}

/** `n` random answer counts between 10 % and 90 % of `total`, at least 10 % apart. */
function disruptionPoints(total: number, n: number): number[] {
  for (;;) {
    const points = Array.from({ length: n }, () => randomInt(Math.ceil(total * 0.1), Math.floor(total * 0.9))).sort(
      (a, b) => a - b,
    );
    if (points.every((p, i) => i === 0 || p - points[i - 1]! >= total * 0.1) || n * 0.1 > 0.8) return points;
  }
}

const withOpening = (officers: Officer[]): Answerer[] =>
  officers.map((o) => ({ user: o.user, unitId: o.unitId, opening: ["/tudanhgia"] }));

/** The answer-check columns every drill's table has. */
const CHECK_HEAD = ["answers sent", "accepted", "redelivered", "stored right", "lost", "misfiled", "stored twice"];
const checkCells = (c: AnswerCheck): Cell[] => [
  c.sent,
  c.accepted,
  c.redelivered,
  c.stored,
  c.lost,
  c.misfiled,
  c.twice,
];

function printDetails(label: string, r: Outcome) {
  const d = Object.entries(r.deliveries)
    .map(([s, n]) => `${s}: ${n}`)
    .join(", ");
  console.log(`\n-- ${label}`);
  console.log(`   webhook answers by status: ${d}`);
  console.log(
    `   officers: ${r.stats.stalled} updates never accepted, ${r.stats.reopened} questions opened again, ${r.stats.notShown} never shown, ${r.stats.missingButtons} missing buttons`,
  );
  console.log(
    `   replies: ${r.replies.notUnderstood} not understood, ${r.replies.internalError} internal error, ${r.replies.tryAgain} try again, ${r.replies.savedAfterRestart} saved after restart, ${r.replies.refusedStale} stale, ${r.replies.sentBeforeShown} sent before shown; answers refused ${r.check.refused}, without a reply ${r.check.noReply} (${r.check.officersNoReply} officers)`,
  );
  console.log(
    `   after the load: settled in ${r.settle.seconds.toFixed(1)} s, ${r.settle.pendingLeft} pending updates left`,
  );
  console.log(
    `   bot log (${r.log.file}): ${r.log.warn} warn, ${r.log.error} error, ${r.log.fatal} fatal, ${r.log.unstructured} lines not from the logger`,
  );
  for (const line of r.log.crash) console.log(`     printed outside the logger: ${line}`);
  for (const line of r.log.top) console.log(`     ${line}`);
  if (r.check.evidence.length) console.log(`   answers to look at (${r.check.evidence.length}):`);
  for (const line of r.check.evidence.slice(0, 10)) console.log(`     ${line}`);
}

// ─── Drill 1: kill -9 ×3 during 1,000 answers ────────────────────────────────────────────────

type KillResult = Outcome & { provider: Provider };

async function drillKill(provider: Provider): Promise<KillResult> {
  const started = performance.now();
  const database = await createBenchDatabase(provider, pgUrl);
  const scene = await openScene(`kill-${provider}`, database, 1);
  try {
    await loadCampaign(scene, true);
    const officers = await createOfficers(database.db, scene.campaignId, opts.officers);
    await scene.startBot(0);
    const outcome = await answerThrough(
      scene,
      withOpening(officers),
      opts.answers,
      {
        points: disruptionPoints(opts.answers, opts.kills),
        async disrupt() {
          await scene.bots[0]!.kill();
          const t0 = performance.now();
          await scene.startBot(0);
          return `back in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
        },
      },
      started,
    );
    return { provider, ...outcome };
  } finally {
    await closeScene(scene).catch(() => {});
    await database.destroy();
  }
}

function printKill(results: KillResult[]) {
  console.log(`\n== Drill 1: kill -9 ×${opts.kills} during ${opts.answers} answers (${opts.officers} officers)\n`);
  console.log(
    table(
      ["database", ...CHECK_HEAD, "refused", "no reply", "kill -9 (after answers: restart)", "drill s"],
      results.map((r) => [
        r.provider,
        ...checkCells(r.check),
        r.check.refused,
        `${r.check.noReply} (${r.check.officersNoReply} officers)`,
        r.disruptions.join("; "),
        r.seconds.toFixed(0),
      ]),
    ),
  );
  for (const r of results) {
    printDetails(r.provider, r);
    answerTargets(`kill ${r.provider}`, r.check);
    target(`kill ${r.provider}`, `${opts.kills} kills done`, r.disruptions.length === opts.kills);
  }
}

// ─── Drill 2: two instances on one database ──────────────────────────────────────────────────

type PairResult = Outcome & {
  provider: Provider;
  /** Both processes started at once on the empty database (both seed it): did both come up? */
  startedTogether: string;
  invites: { officers: number; redeemed: number; knownToOther: number };
  /** Updates accepted by each instance. */
  perInstance: number[];
};

async function drillPair(provider: Provider): Promise<PairResult> {
  const started = performance.now();
  // Migrated but empty: the two processes find no campaign and both import it at once.
  const database = await createBenchDatabase(provider, pgUrl);
  // Each officer's updates alternate between the instances (a random one first), and so do
  // redeliveries: the "go to question" press on one, the answer on the other.
  const offset = new Map<number, number>();
  const route = (chatId: number, nth: number, attempt: number) => {
    if (!offset.has(chatId)) offset.set(chatId, randomInt(0, 1));
    return offset.get(chatId)! + nth + attempt;
  };
  const scene = await openScene(`pair-${provider}`, database, 2, route);
  try {
    const starts = await Promise.allSettled([scene.startBot(0), scene.startBot(1)]);
    const failed = starts.filter((s) => s.status === "rejected").length;
    for (const [i, s] of starts.entries()) {
      if (s.status === "fulfilled") continue;
      console.error(
        `   instance ${i + 1} did not start with the other: ${(s.reason as Error).message}; starting it again`,
      );
      await scene.startBot(i);
    }
    await loadCampaign(scene, false);
    // The campaign just opened is cached for 5 s by each process (src/domain/people.ts).
    await sleep(5_500);
    const db = database.db;
    const byInvite = Math.floor(opts.officers / 2);
    const seeded = await createOfficers(db, scene.campaignId, opts.officers - byInvite);
    const inviteUnits = await createUnits(db, scene.campaignId, byInvite, opts.officers - byInvite + 1);
    const invites = await createInvites(db, { campaignId: scene.campaignId, role: "OFFICER", unitIds: inviteUnits });
    const codeOf = new Map(invites.map((inv) => [inv.unit!.id, inv.code]));
    const joining: Answerer[] = inviteUnits.map((unitId, i) => ({
      user: { id: 6_000_000 + i, first_name: `Cán bộ mời ${i + 1}`, language_code: "vi" },
      unitId,
      opening: [`/start ${codeOf.get(unitId)}`, "/tudanhgia"],
    }));
    const outcome = await answerThrough(scene, [...withOpening(seeded), ...joining], opts.pairAnswers, null, started);
    // Redeemed on one instance (the welcome), then /tudanhgia on the other showed the unit's areas.
    const chats = joining.map((a) => a.user.id);
    const saw = (part: string) => chats.filter((c) => scene.texts.find(c, part).length > 0).length;
    const perInstance = [0, 0];
    for (const d of scene.relay.deliveries.values()) {
      const ok = d.statuses.findIndex((s) => s >= 200 && s < 300);
      if (ok >= 0) perInstance[d.targets[ok]!]!++;
    }
    return {
      provider,
      ...outcome,
      startedTogether: failed === 0 ? "both up" : `${failed} of 2 failed`,
      invites: { officers: chats.length, redeemed: saw(TEXTS.linked), knownToOther: saw(TEXTS.areaList) },
      perInstance,
    };
  } finally {
    await closeScene(scene).catch(() => {});
    await database.destroy();
  }
}

function printPair(results: PairResult[]) {
  console.log(
    `\n== Drill 2: two instances on one database, updates alternating (${opts.pairAnswers} answers, ${opts.officers} officers, half by invite)\n`,
  );
  console.log(
    table(
      [
        "database",
        "start together on empty db",
        ...CHECK_HEAD,
        '"not understood"',
        "invites redeemed / known to the other",
        "updates per instance",
        "drill s",
      ],
      results.map((r) => [
        r.provider,
        r.startedTogether,
        ...checkCells(r.check),
        r.replies.notUnderstood,
        `${r.invites.redeemed} / ${r.invites.knownToOther} of ${r.invites.officers}`,
        r.perInstance.join(" + "),
        r.seconds.toFixed(0),
      ]),
    ),
  );
  for (const r of results) {
    printDetails(r.provider, r);
    const drill = `pair ${r.provider}`;
    target(drill, "both instances start together on an empty database", r.startedTogether === "both up");
    answerTargets(drill, r.check);
    target(drill, '0 "not understood"', r.replies.notUnderstood === 0);
    target(
      drill,
      "every invite redeemed and known to the other instance",
      r.invites.redeemed === r.invites.officers && r.invites.knownToOther === r.invites.officers,
    );
  }
}

// ─── Drill 3: PostgreSQL restarted during load ───────────────────────────────────────────────

/**
 * A PostgreSQL server of the drill's own: a new data folder in a temporary directory, on a
 * free port, run by the `postgres` user when this process is root (initdb refuses root).
 * Nobody else connects to it, so it can be restarted for real.
 */
class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  get url() {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static binDir(): string {
    if (opts.pgBin) return opts.pgBin;
    const root = "/usr/lib/postgresql";
    const versions = existsSync(root)
      ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
      : [];
    const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
    if (!newest) throw new Error(`no PostgreSQL binaries under ${root} (use --pg-bin DIR)`);
    return join(root, newest, "bin");
  }

  static async create(): Promise<PrivatePostgres> {
    const bin = PrivatePostgres.binDir();
    const dir = mkdtempSync(join(tmpdir(), "cchc-drill-pg-"));
    if (process.getuid?.() === 0) chownSync(dir, ...(await postgresIds()));
    const server = new PrivatePostgres(dir, await freePort(), bin);
    await server.ctl(`"${bin}/initdb" -D "${dir}/data" -A trust -U postgres --no-sync > "${dir}/initdb.log" 2>&1`);
    await server.start();
    return server;
  }

  private async ctl(command: string) {
    const asRoot = process.getuid?.() === 0;
    await run(asRoot ? "su" : "/bin/sh", asRoot ? ["postgres", "-s", "/bin/sh", "-c", command] : ["-c", command]);
  }

  start() {
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c shared_buffers=32MB`;
    return this.ctl(`"${this.bin}/pg_ctl" -D "${this.dir}/data" -o "${options}" -l "${this.dir}/server.log" -w start`);
  }

  stop() {
    return this.ctl(`"${this.bin}/pg_ctl" -D "${this.dir}/data" -m fast -w stop`);
  }

  async destroy() {
    await this.stop().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Resident set size of a process, bytes (0 when unknown). */
function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function postgresIds(): Promise<[number, number]> {
  const { stdout } = await run("id", ["postgres"]);
  const uid = Number(/uid=(\d+)/.exec(stdout)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(stdout)?.[1]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error("no postgres user to run the private server");
  return [uid, gid];
}

/** Terminates every backend connected to `database` on the server of `serverUrl`; how many. */
async function terminateBackends(serverUrl: string, database: string): Promise<number> {
  const client = await connectPg(serverUrl);
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [database],
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

type PgResult = Outcome & { mode: "restart" | "terminate"; survived: boolean; pid: number; rssAfter: number };

async function drillPg(mode: "restart" | "terminate"): Promise<PgResult> {
  const started = performance.now();
  const server = mode === "restart" ? await PrivatePostgres.create() : null;
  const database = await createBenchDatabase("postgresql", server?.url ?? pgUrl);
  const dbName = new URL(database.url).pathname.slice(1);
  const scene = await openScene(`pg-${mode}`, database, 1);
  try {
    await loadCampaign(scene, true);
    const officers = await createOfficers(database.db, scene.campaignId, opts.officers);
    const bot = await scene.startBot(0);
    let rssAfter = 0;
    const outcome = await answerThrough(
      scene,
      withOpening(officers),
      opts.pgAnswers,
      {
        points: disruptionPoints(opts.pgAnswers, opts.pgDisruptions),
        async disrupt() {
          if (!server) return `${await terminateBackends(pgUrl, dbName)} backends terminated`;
          const t0 = performance.now();
          await server.stop();
          await sleep(opts.pgDownMs);
          await server.start();
          return `down ${((performance.now() - t0) / 1000).toFixed(1)} s`;
        },
      },
      started,
      () => {
        rssAfter = rssOf(bot.pid);
      },
    );
    const survived = scene.bots[0] === bot && !bot.exitedUnasked;
    return { mode, ...outcome, survived, pid: bot.pid, rssAfter };
  } finally {
    await closeScene(scene).catch(() => {});
    await database.destroy();
    await server?.destroy();
  }
}

function printPg(results: PgResult[]) {
  console.log(
    `\n== Drill 3: PostgreSQL restarted during load (${opts.pgAnswers} answers, ${opts.officers} officers)\n`,
  );
  console.log(
    table(
      [
        "disruption",
        "bot process",
        ...CHECK_HEAD,
        '"try again" / internal error replies',
        "when (after answers)",
        "drill s",
      ],
      results.map((r) => [
        r.mode === "restart"
          ? `private server stopped, ${opts.pgDownMs} ms, started ×${r.disruptions.length}`
          : `pg_terminate_backend ×${r.disruptions.length}`,
        r.survived ? `survived (pid ${r.pid}, RSS ${mb(r.rssAfter)})` : "DIED",
        ...checkCells(r.check),
        `${r.replies.tryAgain} / ${r.replies.internalError}`,
        r.disruptions.join("; "),
        r.seconds.toFixed(0),
      ]),
    ),
  );
  for (const r of results) {
    printDetails(`pg ${r.mode}`, r);
    const drill = `pg ${r.mode}`;
    target(drill, "bot process survives (same pid)", r.survived);
    answerTargets(drill, r.check);
    target(drill, `${opts.pgDisruptions} disruptions done`, r.disruptions.length === opts.pgDisruptions);
  }
}

// ─── Command line ────────────────────────────────────────────────────────────────────────────

const { values, positionals } = parseArgs({
  args: process.argv.slice(process.argv[2] === "drills" ? 3 : 2),
  allowPositionals: true,
  options: {
    db: { type: "string", default: "both" },
    officers: { type: "string", default: "40" },
    answers: { type: "string", default: "1000" },
    kills: { type: "string", default: "3" },
    "pair-answers": { type: "string", default: "800" },
    "pg-answers": { type: "string", default: "600" },
    "pg-modes": { type: "string", default: "restart,terminate" },
    "pg-disruptions": { type: "string", default: "4" },
    "pg-down-ms": { type: "string", default: "2000" },
    "pg-url": { type: "string", default: process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
    "pg-bin": { type: "string" },
    json: { type: "string" },
  },
});

function count(name: keyof typeof values, min: number, max: number): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} ${values[name]}: a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
}

const opts = {
  officers: count("officers", 1, 1000),
  answers: count("answers", 1, 100_000),
  kills: count("kills", 0, 8),
  pairAnswers: count("pair-answers", 1, 100_000),
  pgAnswers: count("pg-answers", 1, 100_000),
  pgDisruptions: count("pg-disruptions", 0, 8),
  pgDownMs: count("pg-down-ms", 0, 60_000),
  pgBin: values["pg-bin"],
};
const pgUrl = values["pg-url"]!;
const what = positionals[0] ?? "all";
if (!["all", "kill", "pair", "pg"].includes(what)) {
  console.error(`unknown drill "${what}": all | kill | pair | pg`);
  process.exit(2);
}
const providers: Provider[] =
  values.db === "both"
    ? ["sqlite", "postgresql"]
    : values.db === "sqlite" || values.db === "postgresql"
      ? [values.db]
      : [];
const pgModes = values["pg-modes"]!.split(",").map((m) => m.trim());
if (providers.length === 0 || pgModes.some((m) => m !== "restart" && m !== "terminate")) {
  console.error("--db sqlite|postgresql|both, --pg-modes restart,terminate");
  process.exit(2);
}
const needsSharedPg = providers.includes("postgresql") || what === "all" || what === "pg";
if (needsSharedPg) {
  try {
    await (await connectPg(pgUrl, { connectionTimeoutMillis: 5000 })).end();
  } catch (e) {
    console.error(`PostgreSQL at ${pgUrl} does not answer (${(e as Error).message}); use --db sqlite or --pg-url`);
    process.exit(1);
  }
}

/** dist/ must hold the bot as it is now: build when a source file is newer than the build. */
async function ensureBuilt() {
  const built = join(PROJECT_ROOT, "dist", "src", "main.js");
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(PROJECT_ROOT, "src"))) return;
  console.error("building dist/ (npm run build) …");
  await run("npm", ["run", "build"], { cwd: PROJECT_ROOT });
}

function loadAverage(): string {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

await ensureBuilt();
const started = new Date();
logDir = join(tmpdir(), `cchc-drills-${started.toISOString().replace(/[:.]/g, "-")}`);
mkdirSync(logDir, { recursive: true });
console.log(`cchc-bot fault drills — ${started.toISOString()}`);
console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${mb(totalmem())} RAM; load average at start ${loadAverage()}`,
);
console.log(`args: ${process.argv.slice(2).join(" ") || "(none)"}; bot logs in ${logDir}`);

const results: { kill?: KillResult[]; pair?: PairResult[]; pg?: PgResult[] } = {};
if (what === "all" || what === "kill") {
  results.kill = [];
  for (const p of providers) {
    console.error(`drill kill on ${p} …`);
    results.kill.push(await drillKill(p));
  }
  printKill(results.kill);
}
if (what === "all" || what === "pair") {
  results.pair = [];
  for (const p of providers) {
    console.error(`drill pair on ${p} …`);
    results.pair.push(await drillPair(p));
  }
  printPair(results.pair);
}
if (what === "all" || what === "pg") {
  results.pg = [];
  for (const mode of pgModes as Array<"restart" | "terminate">) {
    console.error(`drill pg ${mode} …`);
    results.pg.push(await drillPg(mode));
  }
  printPg(results.pg);
}

const missed = verdicts.filter((v) => !v.ok);
console.log(
  `\n${verdicts.length - missed.length} of ${verdicts.length} targets met${missed.length ? `; MISSED: ${missed.map((v) => `${v.drill}: ${v.target}`).join("; ")}` : ""}`,
);
console.log(`done in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
if (values.json) {
  const replacer = (_: string, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v);
  writeFileSync(values.json, `${JSON.stringify({ started, node: process.version, results, verdicts }, replacer, 2)}\n`);
}
process.exit(missed.length ? 1 : 0);
