/**
 * A document or photo a person sent, up to the moment its bytes can be read: what the
 * message says of it, the province's size limit, the channel's download limit, and the
 * download itself. Shared by every feature that keeps files (self-assessment evidence,
 * explanations), which then store it through src/app/evidence.ts and word the outcome.
 */
import type { Readable } from "node:stream";
import type { Message } from "grammy/types";
import type { IncomingFile } from "../app/evidence.ts";
import { maxFileBytes } from "../storage/index.ts";
import type { BotContext } from "./context.ts";
import { DownloadFailed, type DownloadFailure } from "./telegram-files.ts";

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

export type OpenedFile =
  | { ok: true; stream: Readable }
  /** Over the province's limit (MAX_FILE_MB), as the message declares it. */
  | { ok: false; reason: "too_large"; maxBytes: number }
  /** Over what the channel lets a bot download (Telegram's 20 MB): only the upload page takes it. */
  | { ok: false; reason: "channel_limit" }
  | { ok: false; reason: DownloadFailure };

/**
 * The file's bytes as a stream, or why they cannot be had. Sizes are checked first, from
 * what the message declares, so a file that would be refused is never downloaded.
 */
export async function openSentFile(ctx: BotContext, sent: SentFile): Promise<OpenedFile> {
  const maxBytes = maxFileBytes(ctx.config);
  if (sent.size !== null && sent.size > maxBytes) return { ok: false, reason: "too_large", maxBytes };
  const channelLimit = ctx.channel.downloadLimit;
  if (sent.size !== null && channelLimit !== null && sent.size > channelLimit)
    return { ok: false, reason: "channel_limit" };
  try {
    return { ok: true, stream: await ctx.channel.openFile(ctx, sent.fileId) };
  } catch (e) {
    if (!(e instanceof DownloadFailed)) throw e;
    ctx.logger.warn({ reason: e.reason, channel: ctx.channel.name }, "sent file could not be downloaded");
    return { ok: false, reason: e.reason };
  }
}

/** The sent file, its bytes opened, as src/app/evidence.ts receives it (a caption is its note). */
export function incomingFileOf(ctx: BotContext, sent: SentFile, stream: Readable): IncomingFile {
  return {
    stream,
    fileName: sent.fileName,
    source: ctx.channel.name,
    note: ctx.message?.caption?.trim() || null,
    fileId: sent.fileId,
    fileUniqueId: sent.fileUniqueId,
  };
}
