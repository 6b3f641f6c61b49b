/**
 * Downloading a file a person sent, from Telegram, as a stream.
 *
 * The download address holds the bot token (`<root>/file/bot<token>/<path>`): it is built
 * here, used for one request, and never put in an error, a log line or a row.
 */
import { Readable } from "node:stream";
import { type Api, GrammyError } from "grammy";
import type { Message } from "grammy/types";

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
