/**
 * A document or photo a person sent, up to the moment its bytes can be read: what the
 * message says of it, the province's size limit, the channel's download limit, and the
 * download itself. Shared by every feature that keeps files (self-assessment evidence,
 * explanations), which then store it through src/app/evidence.ts and word the outcome.
 */
import type { Readable } from "node:stream";
import type { Message } from "grammy/types";
import type { IncomingFile } from "../app/evidence.ts";
import { formatFileSize } from "../domain/text.ts";
import { maxFileBytes } from "../storage/index.ts";
import type { BotContext } from "./context.ts";
import { num } from "./format.ts";
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

/** A refusal of the store itself (src/app/evidence.ts), before any row is written. */
type StoreRefusal = { ok: false; reason: "too_large"; maxBytes: number } | { ok: false; reason: "type" };

/** The locale keys a step words a refused file with: `tooLarge` ({name, max}), `downloadFailed` and `wrongType` ({name}), `photo` (a photo's name). */
export interface SentFileTexts {
  tooLarge: string;
  downloadFailed: string;
  wrongType: string;
  photo: string;
}

/**
 * A file sent in a step that keeps files but has no upload page (a visit's report, a
 * finding's photos, the signed minutes, an action's report): opened within the smaller of
 * the province's and the channel's limits, handed to `receive` (which stores it and writes
 * its row), and the person told when it is too large, cannot be downloaded, or is of a type
 * not kept. Returns what `receive` returned otherwise (its own refusals included) with the
 * file's name as shown, or null once the person has been answered.
 */
export async function receiveSentFile<R extends { ok: boolean }>(
  ctx: BotContext,
  texts: SentFileTexts,
  receive: (file: IncomingFile, maxBytes: number) => Promise<R | StoreRefusal>,
): Promise<{ result: R; name: string } | null> {
  const sent = sentFileOf(ctx.message!)!;
  const name = sent.fileName ?? ctx.t(texts.photo);
  const maxBytes = maxFileBytes(ctx.config);
  // The limit said is the smaller one: there is no upload page to send a larger file through.
  const limit = Math.min(maxBytes, ctx.channel.downloadLimit ?? maxBytes);
  const tooLarge = async () => {
    await ctx.reply(ctx.t(texts.tooLarge, { name, max: formatFileSize(limit, (n) => num(ctx, n)) }));
    return null;
  };
  const opened = await openSentFile(ctx, sent);
  if (!opened.ok) {
    if (opened.reason === "too_large" || opened.reason === "channel_limit") return tooLarge();
    await ctx.reply(ctx.t(texts.downloadFailed, { name }));
    return null;
  }
  const result = await receive(incomingFileOf(ctx, sent, opened.stream), maxBytes);
  if (!result.ok && "reason" in result) {
    if (result.reason === "type") {
      await ctx.reply(ctx.t(texts.wrongType, { name }));
      return null;
    }
    if (result.reason === "too_large") return tooLarge();
  }
  return { result: result as R, name };
}
