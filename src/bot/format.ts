/**
 * Numbers and refusals in the reader's words, the same in every feature: the decimal comma
 * of their language (src/domain/answers.ts), appraisal refusals from the domain's texts.
 */
import { type AnswerLocale, formatNumber } from "../domain/answers.ts";
import { type AppraisalRefusal, refusalText } from "../domain/appraisal-rules.ts";
import type { BotContext } from "./context.ts";

/** The reader's language as the number formatter takes it (anything but English reads as Vietnamese). */
export const answerLocale = (ctx: BotContext): AnswerLocale => (ctx.locale === "en" ? "en" : "vi");

/** "12,5" for a Vietnamese reader, "12.5" for an English one. */
export const num = (ctx: BotContext, n: number) => formatNumber(n, answerLocale(ctx));

/** An appraisal refusal (src/domain/appraisal-rules.ts) in the reader's words and time zone. */
export const appraisalRefusalText = (ctx: BotContext, refusal: AppraisalRefusal) =>
  refusalText(refusal, ctx.t, answerLocale(ctx), ctx.config.TZ);
