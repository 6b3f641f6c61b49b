/**
 * createBot: the whole bot, built from its parts. It knows nothing of how updates arrive
 * (long polling, webhook, tests); see src/main.ts and src/server/.
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type Transformer } from "grammy";
import { type Config, telegramToken } from "../config.ts";
import { telegramChannel } from "./channel.ts";
import type { BotContext, BotDeps, Channel } from "./context.ts";
import { accessFeature } from "./features/access/index.ts";
import { actionsFeature } from "./features/actions/index.ts";
import { appraisalFeature } from "./features/appraisal/index.ts";
import { coordinatorFeature } from "./features/coordinator/index.ts";
import { explanationFeature } from "./features/explanation/index.ts";
import { fallbackFeature } from "./features/fallback.ts";
import { findingsFeature } from "./features/findings/index.ts";
import { helpFeature } from "./features/help.ts";
import { languageFeature } from "./features/language.ts";
import { linkChannelFeature } from "./features/link-channel.ts";
import { minutesFeature } from "./features/minutes/index.ts";
import { resultsFeature } from "./features/results/index.ts";
import { scheduleFeature } from "./features/schedule/index.ts";
import { selfAssessmentFeature } from "./features/self-assessment/index.ts";
import { startFeature } from "./features/start.ts";
import { visitsFeature } from "./features/visits/index.ts";
import { answerPressesOnce } from "./middlewares/answer-presses.ts";
import { handleBotError, logEscapedError } from "./middlewares/error-boundary.ts";
import { onceOnly } from "./middlewares/once-only.ts";
import { loadPerson } from "./middlewares/person.ts";
import { stripNulFromUpdates } from "./middlewares/strip-nul.ts";
import { updateLogger } from "./middlewares/update-logger.ts";

export type { BotContext, BotDeps } from "./context.ts";

/** Messages are written in Telegram HTML; set the parse mode once for every call. */
const htmlByDefault: Transformer = (prev, method, payload, signal) => {
  if ((method === "sendMessage" || method === "editMessageText") && payload && !("parse_mode" in payload)) {
    return prev(method, { ...payload, parse_mode: "HTML", link_preview_options: { is_disabled: true } }, signal);
  }
  return prev(method, payload, signal);
};

export interface CreateBotOptions {
  /** Skip getMe (tests, or when the caller already knows the bot). */
  botInfo?: BotConfig<BotContext>["botInfo"];
  /** API transformers installed before the bot's own (tests record calls here). */
  transformers?: Transformer[];
  /** The channel the bot serves (default Telegram); Zalo runs the same bot with its own. */
  channel?: Channel;
  /** The token grammY is built with, when it is not Telegram's (the Zalo channel's bot). */
  token?: string;
}

export function createBot(config: Config, deps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  const channel = options.channel ?? telegramChannel;
  const bot = new Bot<BotContext>(options.token ?? telegramToken(config), {
    botInfo: options.botInfo,
    client: { apiRoot: config.TELEGRAM_API_ROOT },
  });
  for (const t of options.transformers ?? []) bot.api.config.use(t);
  bot.api.config.use(htmlByDefault);
  if (channel.name === "telegram") {
    // A reply Telegram refuses with 429 is sent again after retry_after when that is short
    // (an answer late by a few seconds beats no answer); longer waits, 5xx and network
    // errors fail the update as before (the webhook hands it back for redelivery). The
    // outbox has its own retries (src/jobs/sender.ts).
    bot.api.config.use(
      autoRetry({
        maxRetryAttempts: 2,
        maxDelaySeconds: 5,
        rethrowInternalServerErrors: true,
        rethrowHttpErrors: true,
      }),
    );
  }

  const now = deps.now ?? (() => new Date());
  // First: no NUL character of an update reaches a handler, a log line or the database.
  bot.use(stripNulFromUpdates());
  bot.use((ctx, next) => {
    ctx.config = config;
    ctx.channel = channel;
    ctx.deps = deps;
    ctx.now = now;
    // When the person sent it (Telegram's date, to the second): a message sent before a
    // deadline counts as on time even if it is handled after it (a queue, an outage).
    // A pressed button carries no time of its own.
    ctx.sentAt = ctx.message ? new Date(ctx.message.date * 1000) : now();
    ctx.logger = deps.logger;
    return next();
  });
  bot.use(updateLogger());
  // Everything below is behind the boundary: an error in the duplicate check or the
  // person loader (a database restart) is handled like one in a feature, never logged
  // with the whole context, and a database outage hands the update back for redelivery.
  const guarded = bot.errorBoundary(handleBotError);
  // One update at a time per chat: answers to one questionnaire never race each other.
  guarded.use(sequentialize((ctx) => ctx.chat?.id.toString() ?? ctx.from?.id.toString()));
  guarded.use(onceOnly());
  guarded.use(answerPressesOnce());

  // The bot works in private chats; in groups it only says so when addressed.
  guarded
    .chatType(["group", "supergroup"])
    .command(["start", "help"], (ctx) => ctx.reply(ctx.deps.i18n.t(config.DEFAULT_LOCALE, "fallback.group")));
  const chat = guarded.chatType("private");
  chat.use(loadPerson());
  chat.use(
    startFeature,
    helpFeature,
    languageFeature,
    linkChannelFeature,
    // Before the self-assessment: a reason awaited for a visit is not an answer, and files
    // after /baocao are the report, not a question's evidence.
    visitsFeature,
    // After the visit's own steps, before the self-assessment: text and files of a corrective
    // action's step (src/bot/features/actions/) are the action's, not an answer or evidence.
    actionsFeature,
    // The team's findings and checklist: their typed texts and photos (FINDING, ITEM_NOTE steps).
    findingsFeature,
    // The minutes' steps and the signed scan (MINUTES, SIGNED_MINUTES cursors), after the
    // visit's own steps and before the self-assessment takes texts and files.
    minutesFeature,
    // Before the self-assessment: an officer explaining an item after appraisal round 1
    // (an EXPLAIN cursor newer than their self-assessment cursor) gets their text and files
    // filed there; otherwise it passes them on untouched.
    explanationFeature,
    selfAssessmentFeature,
    scheduleFeature,
    // Before the coordinators' plain questions: a number typed on an item is its score.
    appraisalFeature,
    coordinatorFeature,
    resultsFeature,
    accessFeature,
  );
  chat.use(fallbackFeature);

  // What escapes the boundary (an update handed back as not handled) is logged, never
  // thrown into the runner; the webhook sees it through handleUpdate's rejection.
  bot.catch(logEscapedError);
  return bot;
}
