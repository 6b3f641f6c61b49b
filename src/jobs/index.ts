/**
 * Background jobs of the bot process: the notice sender (continuous) and the reminder
 * planner (every minute). Started and stopped with the bot (src/main.ts, src/dev/demo.ts).
 */
import { Api } from "grammy";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { noticesEnqueued } from "../domain/notices.ts";
import type { I18n } from "../i18n.ts";
import type { Logger } from "../logger.ts";
import { type FileStore, maxFileBytes } from "../storage/index.ts";
import { backfillEvidence } from "./evidence-backfill.ts";
import { type PlannerSettings, planReminders } from "./planner.ts";
import { NoticeSender, type SenderOptions } from "./sender.ts";

export interface Jobs {
  sender: NoticeSender;
  /** Runs the planner now (also done every minute). */
  plan(): Promise<void>;
  stop(): Promise<void>;
}

export function plannerSettings(config: Config): PlannerSettings {
  return {
    timeZone: config.TZ,
    visitDays: config.VISIT_REMINDER_DAYS,
    deadlineDays: config.DEADLINE_REMINDER_DAYS,
    reminderTime: config.REMINDER_TIME,
    coordinatorIds: config.COORDINATOR_IDS,
  };
}

export interface JobsOptions {
  config: Config;
  db: Db;
  i18n: I18n;
  logger: Logger;
  /** Default: an Api of its own on TELEGRAM_API_ROOT, with a 30 s timeout. */
  api?: Api;
  /** The Zalo channel's bot API, when Zalo is on: notices reach people there too. */
  zaloApi?: Api;
  /** With it, evidence sent before copies were kept is fetched into it (evidence-backfill.ts). */
  store?: FileStore;
  now?: () => Date;
  plannerEveryMs?: number;
  sender?: Partial<SenderOptions>;
}

export function startJobs(options: JobsOptions): Jobs {
  const { config, db, logger } = options;
  const now = options.now ?? (() => new Date());
  // Telegram's API when Telegram is on (a bot on Zalo only has none).
  const api =
    options.api ??
    (config.BOT_TOKEN
      ? new Api(config.BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT, timeoutSeconds: 30 })
      : undefined);
  const sender = new NoticeSender({
    db,
    api,
    zaloApi: options.zaloApi,
    i18n: options.i18n,
    logger,
    timeZone: config.TZ,
    coordinatorIds: config.COORDINATOR_IDS,
    now,
    ratePerSecond: config.NOTICE_RATE,
    maxAttempts: config.NOTICE_MAX_ATTEMPTS,
    ...options.sender,
  });
  const settings = plannerSettings(config);
  let planning: Promise<void> | null = null;
  const plan = () => {
    planning ??= planReminders(db, settings, now())
      .then((report) => {
        if (report.visitReminders + report.deadlineReminders > 0) {
          logger.info(report, "reminders planned");
          noticesEnqueued();
        }
      })
      .catch((e) => logger.error({ err: e }, "reminder planner failed"))
      .finally(() => {
        planning = null;
      });
    return planning;
  };
  const timer = setInterval(() => void plan(), options.plannerEveryMs ?? 60_000);
  timer.unref();
  void plan();
  // Copies of old evidence: a batch now, then every 10 minutes while any is left.
  let copying: Promise<unknown> | null = null;
  const copy = () => {
    const store = options.store;
    if (!store || !api || !config.BOT_TOKEN || copying) return;
    copying = backfillEvidence({
      db,
      store,
      api,
      connection: { token: config.BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT },
      logger,
      maxBytes: maxFileBytes(config),
    })
      .catch((e) => logger.warn({ err: e }, "evidence backfill failed; will try again"))
      .finally(() => {
        copying = null;
      });
  };
  const copyTimer = setInterval(copy, 10 * 60_000);
  copyTimer.unref();
  copy();
  if (config.NOTICE_SENDER === "on") sender.start();
  logger.info({ sender: config.NOTICE_SENDER, id: sender.id, rate: config.NOTICE_RATE }, "jobs started");
  return {
    sender,
    plan,
    async stop() {
      clearInterval(timer);
      clearInterval(copyTimer);
      await copying;
      await planning;
      await sender.stop();
    },
  };
}
