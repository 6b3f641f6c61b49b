/**
 * Downloading a file a person sent, from Telegram, as a stream.
 *
 * The download address holds the bot token (`<root>/file/bot<token>/<path>`): it is built
 * here, used for one request, and never put in an error, a log line or a row.
 */
import { Readable } from "node:stream";
import { type Api, GrammyError } from "grammy";
import type { Message } from "grammy/types";
import type { IncomingFile } from "../app/evidence.ts";
import type { BotContext } from "./context.ts";

/** Telegram lets bots download files up to 20 MB; larger ones go through the upload page. */
export const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

export type DownloadFailure =
  /** Telegram no longer has the file (or never had it for this bot token). */
  | "gone"
  /** Over Telegram's 20 MB download limit. */
  | "too_big"
  /** Network or server trouble: worth trying again later. */
  | "unavailable";

export class DownloadFailed extends Error {
  constructor(readonly reason: DownloadFailure) {
    super(`the file could not be downloaded from Telegram (${reason})`);
    this.name = "DownloadFailed";
  }
}

export async function openTelegramFile(
  api: Api,
  connection: { token: string; apiRoot: string },
  fileId: string,
): Promise<Readable> {
  let path: string | undefined;
  try {
    path = (await api.getFile(fileId)).file_path;
  } catch (e) {
    if (e instanceof GrammyError && /too big/i.test(e.description)) throw new DownloadFailed("too_big");
    if (e instanceof GrammyError && e.error_code === 400) throw new DownloadFailed("gone");
    throw new DownloadFailed("unavailable");
  }
  if (!path) throw new DownloadFailed("gone");
  let res: Response;
  try {
    res = await fetch(`${connection.apiRoot}/file/bot${connection.token}/${path}`, {
      signal: AbortSignal.timeout(120_000),
    });
  } catch {
    // fetch's own error may name the address: it is not passed on.
    throw new DownloadFailed("unavailable");
  }
  if (res.status === 404) throw new DownloadFailed("gone");
  if (!res.ok || !res.body) throw new DownloadFailed("unavailable");
  return Readable.fromWeb(res.body as import("node:stream/web").ReadableStream);
}

/** A file in a message, as Telegram describes it: documents, and photos at their largest size. */
export interface SentFile {
  fileId: string;
  fileUniqueId: string;
  fileName: string | null;
  size: number | null;
}

export function sentFileOf(message: Message): SentFile | null {
  if (message.document) {
    const d = message.document;
    return {
      fileId: d.file_id,
      fileUniqueId: d.file_unique_id,
      fileName: d.file_name ?? null,
      size: d.file_size ?? null,
    };
  }
  if (message.photo?.length) {
    const p = message.photo[message.photo.length - 1]!;
    return { fileId: p.file_id, fileUniqueId: p.file_unique_id, fileName: null, size: p.file_size ?? null };
  }
  return null;
}

/**
 * Opens a file the person sent through the update's channel; a file the channel cannot give
 * (gone, too big, the network) is logged with `what` and comes back as the reason, for the
 * feature to say what to do instead.
 */
export async function openSentFile(
  ctx: BotContext,
  fileId: string,
  what: string,
): Promise<{ ok: true; stream: Readable } | { ok: false; reason: DownloadFailure }> {
  try {
    return { ok: true, stream: await ctx.channel.openFile(ctx, fileId) };
  } catch (e) {
    if (!(e instanceof DownloadFailed)) throw e;
    ctx.logger.warn({ reason: e.reason, channel: ctx.channel.name }, `${what} could not be downloaded`);
    return { ok: false, reason: e.reason };
  }
}

/** A sent file as the receiving use case takes it (src/app/evidence.ts): with its caption and channel. */
export function incomingFile(ctx: BotContext, sent: SentFile, stream: Readable): IncomingFile {
  return {
    stream,
    fileName: sent.fileName,
    source: ctx.channel.name,
    note: ctx.message?.caption?.trim() || null,
    fileId: sent.fileId,
    fileUniqueId: sent.fileUniqueId,
  };
}
