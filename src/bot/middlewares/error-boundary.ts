import { randomBytes } from "node:crypto";
import type { BotError } from "grammy";
import { isTransientDbError } from "../../db/errors.ts";
import { DuplicateDelivery, FailedAfterSaving } from "../../db/exactly-once.ts";
import type { BotContext } from "../context.ts";
import { answerButtonOnce } from "../messages.ts";

/**
 * The update could not be handled because the database was unavailable; nothing of it was
 * kept. Thrown out of `handleUpdate` so that the webhook answers 503 and Telegram delivers
 * the update again (src/server/webhook.ts), and so that polling retries it.
 */
export class UpdateNotHandled extends Error {
  constructor(readonly updateId: number) {
    super(`update ${updateId} not handled: the database is unavailable`);
    this.name = "UpdateNotHandled";
  }
}

/** Updates whose sender was already asked to wait: a redelivery does not say it again. */
const told = new Set<number>();
const TOLD_MAX = 10_000;

/**
 * Last line of defence, around every handler: an error is logged by its own fields with the
 * update id and a short reference, and the person is told politely, in their language.
 * - Another delivery of the update won the race: nothing to say (it answered).
 * - The database is unavailable (locked, restarting, full): the person hears once that it
 *   was not saved and will be handled shortly; the update is handed back as not handled.
 * - Its effect was saved, then showing the next step failed: the person hears it was saved.
 * - Anything else: an apology with a reference the person can quote.
 */
export async function handleBotError(err: BotError<BotContext>): Promise<void> {
  const ctx = err.ctx;
  const updateId = ctx.update.update_id;
  const logger = ctx.logger ?? ctx.deps.logger;
  if (err.error instanceof DuplicateDelivery) {
    logger.info("duplicate update dropped: another delivery was handled first");
    return;
  }
  const t = ctx.t ?? ctx.deps.i18n.forLocale(ctx.config.DEFAULT_LOCALE);
  if (err.error instanceof FailedAfterSaving) {
    // Saved: handing it back would only have its redelivery dropped. Say what is true.
    logger.warn({ err: err.error.failure }, "update saved, then its handling failed");
    await tell(ctx, t("errors.saved_then_failed"));
    return;
  }
  if (isTransientDbError(err.error)) {
    logger.warn({ err: err.error }, "database unavailable: update left for redelivery");
    if (!told.has(updateId)) {
      if (told.size >= TOLD_MAX) told.clear();
      told.add(updateId);
      await tell(ctx, t("errors.try_again"));
    }
    throw new UpdateNotHandled(updateId);
  }
  const ref = randomBytes(3).toString("hex").toUpperCase();
  logger.error({ err: err.error, ref }, "update failed");
  await tell(ctx, t("errors.internal", { ref }));
}

async function tell(ctx: BotContext, text: string): Promise<void> {
  try {
    await answerButtonOnce(ctx);
    if (ctx.chat) await ctx.reply(text);
  } catch (replyError) {
    (ctx.logger ?? ctx.deps.logger).warn({ err: replyError }, "could not tell the person about the error");
  }
}

/**
 * For errors that escape the boundary (the update was handed back as not handled, or the
 * boundary itself failed): logged by their own fields, never rethrown into the runner.
 */
export function logEscapedError(err: BotError<BotContext>): void {
  const logger = err.ctx.logger ?? err.ctx.deps.logger;
  if (err.error instanceof UpdateNotHandled) logger.warn({ err: err.error }, "update not handled");
  else logger.error({ err: err.error }, "update failed outside the error boundary");
}
