import { Composer } from "grammy";
import type { BotContext } from "../../context.ts";

/** Coordinators (Sở Nội vụ): status, late units, unit detail, ranking, reminders, export. */
export const coordinatorFeature = new Composer<BotContext>();
