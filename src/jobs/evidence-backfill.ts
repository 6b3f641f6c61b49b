/**
 * Evidence sent before the bot kept its own copies is stored only as Telegram file ids: a new
 * bot token would orphan it, and coordinators cannot open it. This job fetches each such file
 * once into the file store. A file Telegram no longer has (or one over its 20 MB download
 * limit) is marked unavailable, and the officer sees that it must be sent again; a network
 * failure leaves the row for the next round.
 */
import type { Api } from "grammy";
import { DownloadFailed, openTelegramFile } from "../bot/telegram-files.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import { type FileStore, sniffStoredFile, TooLarge } from "../storage/index.ts";

export interface BackfillReport {
  stored: number;
  unavailable: number;
  /** Left for a later round (network trouble). */
  retry: number;
}

export async function backfillEvidence(
  deps: {
    db: Db;
    store: FileStore;
    api: Api;
    connection: { token: string; apiRoot: string };
    logger: Logger;
    maxBytes: number;
  },
  options: { batch?: number; now?: Date } = {},
): Promise<BackfillReport> {
  const report: BackfillReport = { stored: 0, unavailable: 0, retry: 0 };
  const rows = await deps.db.evidence.findMany({
    where: { kind: "FILE", storageKey: null, unavailableAt: null, fileId: { not: null } },
    select: { id: true, fileId: true },
    orderBy: { id: "asc" },
    take: options.batch ?? 50,
  });
  for (const row of rows) {
    try {
      const stream = await openTelegramFile(deps.api, deps.connection, row.fileId!);
      const object = await deps.store.put(stream, { maxBytes: deps.maxBytes });
      // Accepted before types were checked: kept whatever it is, with the type it really has.
      const type = await sniffStoredFile(deps.store, object);
      const updated = await deps.db.evidence.updateMany({
        where: { id: row.id, storageKey: null },
        data: {
          storageKey: object.key,
          sha256: object.sha256,
          size: object.size,
          ...(type ? { mimeType: type.mime } : {}),
        },
      });
      // Another instance got there first: its copy is the one the row names.
      if (updated.count === 0) await deps.store.delete(object.key);
      else report.stored++;
    } catch (e) {
      if ((e instanceof DownloadFailed && e.reason !== "unavailable") || e instanceof TooLarge) {
        await deps.db.evidence.update({ where: { id: row.id }, data: { unavailableAt: options.now ?? new Date() } });
        report.unavailable++;
      } else if (e instanceof DownloadFailed) {
        report.retry++;
      } else throw e;
    }
  }
  if (rows.length > 0) deps.logger.info(report, "evidence copies made of files sent before");
  return report;
}
