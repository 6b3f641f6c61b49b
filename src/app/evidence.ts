/**
 * Receiving an evidence file, whichever way it comes (Telegram, the upload page, Zalo), for
 * a self-assessment question or for a unit's explanation after appraisal round 1: the
 * bytes are streamed into the province's own store, their type is read from the content, and
 * the evidence row is written with who, when, where from, size, sha256 and the original name.
 * A refused file (a type not allowed, over the size limit) leaves nothing behind; the same
 * file sent again for the same question is kept once.
 */
import type { Readable } from "node:stream";
import type { Db, Evidence } from "../db/client.ts";
import { addExplanationEvidence, type ExplanationEvidenceInput } from "../domain/appraisal.ts";
import { addEvidence, type EvidenceFile, type QuestionWithContext, type Scope } from "../domain/assessment.ts";
import { type FileStore, type SniffedType, sniffStoredFile, TooLarge } from "../storage/index.ts";

export interface IncomingFile {
  stream: Readable;
  /** The name the person's device gave it (shown, never used as a path). */
  fileName: string | null;
  source: "telegram" | "web" | "zalo";
  /** A caption sent with it. */
  note?: string | null;
  /** Telegram's ids, when it came through Telegram. */
  fileId?: string | null;
  fileUniqueId?: string | null;
}

export type ReceiveResult =
  | { ok: true; evidence: Evidence; duplicate: boolean; type: SniffedType }
  | { ok: false; reason: "too_large"; maxBytes: number }
  | { ok: false; reason: "type" };

export interface EvidenceDeps {
  db: Db;
  store: FileStore;
  maxBytes: number;
}

export async function receiveEvidenceFile(
  deps: EvidenceDeps,
  scope: Scope,
  question: QuestionWithContext,
  file: IncomingFile,
  personId: number,
  now: Date,
): Promise<ReceiveResult> {
  return receiveFile(deps, file, (stored) => addEvidence(deps.db, scope, question, stored, personId, now));
}

/** The item an explanation's file is for, and who sends it when (src/domain/appraisal.ts). */
export type ExplanationTarget = Omit<ExplanationEvidenceInput, "file">;

/**
 * A file given with a unit's explanation after appraisal round 1 (addExplanationEvidence):
 * stored and checked exactly as self-assessment evidence is; refused (AppraisalRefused:
 * deadline, no explanation yet, …) with nothing left behind.
 */
export async function receiveExplanationFile(
  deps: EvidenceDeps,
  target: ExplanationTarget,
  file: IncomingFile,
): Promise<ReceiveResult> {
  return receiveFile(deps, file, async (stored) => {
    const evidence = await addExplanationEvidence(deps.db, { ...target, file: stored });
    // The explanation already had these bytes: the row returned is the one kept before.
    return { evidence, duplicate: evidence.storageKey !== stored.storageKey };
  });
}

/**
 * The steps every received file goes through: streamed into the store within the size
 * limit, its type read from the content, then recorded by `record`; a copy that is refused,
 * fails, or duplicates one already kept is deleted.
 */
async function receiveFile(
  deps: EvidenceDeps,
  file: IncomingFile,
  record: (stored: EvidenceFile & { storageKey: string }) => Promise<{ evidence: Evidence; duplicate: boolean }>,
): Promise<ReceiveResult> {
  let object: Awaited<ReturnType<FileStore["put"]>>;
  try {
    object = await deps.store.put(file.stream, { maxBytes: deps.maxBytes });
  } catch (e) {
    if (e instanceof TooLarge) return { ok: false, reason: "too_large", maxBytes: deps.maxBytes };
    throw e;
  }
  const type = await sniffStoredFile(deps.store, object);
  if (!type) {
    await deps.store.delete(object.key);
    return { ok: false, reason: "type" };
  }
  try {
    const { evidence, duplicate } = await record({
      fileId: file.fileId ?? null,
      fileUniqueId: file.fileUniqueId ?? null,
      fileName: file.fileName ?? `${type.label.toLowerCase().replace(/\s+/g, "-")}.${type.ext}`,
      mimeType: type.mime,
      size: object.size,
      storageKey: object.key,
      sha256: object.sha256,
      note: file.note ?? null,
      source: file.source,
    });
    // Kept once: the copy just made of a file the question already has goes.
    if (duplicate) await deps.store.delete(object.key);
    return { ok: true, evidence, duplicate, type };
  } catch (e) {
    // Refused (deadline, submitted area) or failed: the copy must not linger unreferenced.
    await deps.store.delete(object.key).catch(() => {});
    throw e;
  }
}
