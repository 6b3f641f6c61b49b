import type { Context } from "grammy";
import type { Config } from "../config.ts";
import type { Campaign, Db } from "../db/client.ts";
import type { KnownPerson, Standing } from "../domain/people.ts";
import type { I18n, Translate } from "../i18n.ts";
import type { Logger } from "../logger.ts";
import type { FileStore } from "../storage/file-store.ts";

/** What the bot needs from the outside world; tests pass their own. */
export interface BotDeps {
  db: Db;
  logger: Logger;
  i18n: I18n;
  /** The province's copies of evidence files and exports (src/storage/). */
  store: FileStore;
  /** Current time; tests control it. */
  now?: () => Date;
}

export interface BotContextExtras {
  config: Config;
  deps: BotDeps;
  /** Logger for this update (carries update_id). */
  logger: Logger;
  now: () => Date;
  /** When the person sent this update (a message's date), or when it arrived. */
  sentAt: Date;
  /** Set by the person loader for updates that come from a user. */
  person: KnownPerson;
  campaign: Campaign | null;
  standing: Standing;
  locale: string;
  t: Translate;
}

export type BotContext = Context & BotContextExtras;
