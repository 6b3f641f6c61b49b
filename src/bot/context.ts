import type { Readable } from "node:stream";
import type { Context } from "grammy";
import type { Config } from "../config.ts";
import type { Campaign, Db } from "../db/client.ts";
import type { KeptUpdate } from "../db/exactly-once.ts";
import type { ChannelAccount, ChannelName, KnownPerson, Standing } from "../domain/people.ts";
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

/**
 * The channel an update came from (Telegram, Zalo): who wrote it, its de-duplication key
 * and how to fetch a file they sent. The features are the same on every channel; only
 * these and the API behind `ctx.api` differ (src/bot/channel.ts, src/channels/zalo/).
 */
export interface Channel {
  name: ChannelName;
  /** The account that wrote this update; null when it is not from a person. */
  accountOf(ctx: BotContext): ChannelAccount | null;
  /** The update's key in the exactly-once record (src/db/exactly-once.ts). */
  keyOf(ctx: BotContext): string;
  /**
   * The update's pending record when the channel kept it before handling (Zalo's webhook is
   * answered at once): it goes in the commit that records the update. Null: not kept.
   */
  keptOf?(ctx: BotContext): KeptUpdate | null;
  /**
   * The person and language of this update are known, or the language just changed: the
   * Zalo bridge writes its numbered-choice lines in that language without reading it again.
   */
  onReader?(ctx: BotContext): void;
  /** A file the person sent, as a stream; throws DownloadFailed (src/bot/telegram-files.ts). */
  openFile(ctx: BotContext, fileId: string): Promise<Readable>;
  /** The largest file the bot may fetch from the channel; null: only the province's limit. */
  downloadLimit: number | null;
}

export interface BotContextExtras {
  /** Where this update came from. */
  channel: Channel;
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
