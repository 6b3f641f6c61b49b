import { Composer } from "grammy";
import type { BotContext } from "../../context.ts";

/** Inspection schedule: visits, notices and their acknowledgement. */
export const scheduleFeature = new Composer<BotContext>();
