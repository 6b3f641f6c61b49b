/**
 * Receiving an evidence file, whichever way it comes (Telegram, the upload page, Zalo): the
 * bytes are streamed into the province's own store, their type is read from the content, and
 * the evidence row is written with who, when, where from, size, sha256 and the original name.
 * A refused file (a type not allowed, over the size limit) leaves nothing behind; the same
 * file sent again for the same question is kept once. A visit's self-inspection report
 * (src/domain/visits.ts) is received the same way, into rows of the visit.
 */
import type { Readable } from "node:stream";
import type { Db, Evidence } from "../db/client.ts";
import { addExplanationEvidence, type ExplanationEvidenceInput } from "../domain/appraisal.ts";
import { addEvidence, type QuestionWithContext, type Scope } from "../domain/assessment.ts";
import { type Actor, type AddReportResult, addReportFile, type StoredFile } from "../domain/visits.ts";
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

/** A file copied into the store with its type read from the content, or why it was refused. */
type Stored =
  | { ok: true; object: Awaited<ReturnType<FileStore["put"]>>; type: SniffedType }
  | { ok: false; reason: "too_large"; maxBytes: number }
  | { ok: false; reason: "type" };

/**
 * The name kept for a file sent without one (a photo in chat): "anh-3f9a1c2b.jpg", a picture
 * told apart from the unit's other pictures by its content, as people read it in chat, on the
 * evidence pages and in downloads (the type's label, "jpeg.jpg", said nothing).
 */
function unnamedFileName(type: SniffedType, sha256: string): string {
  const stem = type.mime.startsWith("image/") ? "anh" : type.label.toLowerCase().replace(/\s+/g, "-");
  return `${stem}-${sha256.slice(0, 8)}.${type.ext}`;
}

/**
 * The steps every received file takes, whatever it becomes (a question's evidence, a visit's
 * report): streamed into the store, its type read from the content, the row written by
 * `write`; a refused type, a refusal of `write`, a duplicate or a failure leaves no copy.
 */
export async function receiveFile<R extends { ok: boolean }>(
  deps: EvidenceDeps,
  file: IncomingFile,
  write: (stored: StoredFields, type: SniffedType) => Promise<R & { duplicate?: boolean }>,
): Promise<R | Exclude<Stored, { ok: true }>> {
  const stored = await store(deps, file.stream);
  if (!stored.ok) return stored;
  const { object, type } = stored;
  try {
    const result = await write(
      {
        fileId: file.fileId ?? null,
        fileUniqueId: file.fileUniqueId ?? null,
        fileName: file.fileName ?? unnamedFileName(type, object.sha256),
        mimeType: type.mime,
        size: object.size,
        storageKey: object.key,
        sha256: object.sha256,
        note: file.note ?? null,
        source: file.source,
      },
      type,
    );
    // Kept once: the copy just made of a file already kept goes; so does a refused one's.
    if (!result.ok || result.duplicate) await deps.store.delete(object.key);
    return result;
  } catch (e) {
    // Refused (deadline, submitted area) or failed: the copy must not linger unreferenced.
    await deps.store.delete(object.key).catch(() => {});
    throw e;
  }
}

/** The row fields of a stored copy (the same for evidence and a report). */
export type StoredFields = StoredFile & { source: IncomingFile["source"] };

async function store(deps: EvidenceDeps, stream: Readable): Promise<Stored> {
  let object: Awaited<ReturnType<FileStore["put"]>>;
  try {
    object = await deps.store.put(stream, { maxBytes: deps.maxBytes });
  } catch (e) {
    if (e instanceof TooLarge) return { ok: false, reason: "too_large", maxBytes: deps.maxBytes };
    throw e;
  }
  const type = await sniffStoredFile(deps.store, object);
  if (!type) {
    await deps.store.delete(object.key);
    return { ok: false, reason: "type" };
  }
  return { ok: true, object, type };
}

export async function receiveEvidenceFile(
  deps: EvidenceDeps,
  scope: Scope,
  question: QuestionWithContext,
  file: IncomingFile,
  personId: number,
  now: Date,
): Promise<ReceiveResult> {
  return receiveFile(deps, file, async (fields, type) => {
    const { evidence, duplicate } = await addEvidence(deps.db, scope, question, fields, personId, now);
    return { ok: true as const, evidence, duplicate, type };
  });
}

export type ReportReceiveResult =
  | (Extract<AddReportResult, { ok: true }> & { type: SniffedType })
  | Exclude<AddReportResult, { ok: true }>
  | Exclude<Stored, { ok: true }>;

/**
 * A file of a unit's self-inspection report for the visit the officer's /baocao step names
 * (src/domain/visits.ts): the same copy, type check and refusals as evidence.
 */
export async function receiveReportFile(
  deps: EvidenceDeps,
  campaignId: number,
  actor: Actor,
  file: IncomingFile,
  now: Date,
): Promise<ReportReceiveResult> {
  return receiveFile(deps, file, async (fields, type) => {
    const result = await addReportFile(deps.db, campaignId, actor, fields, now);
    return result.ok ? { ...result, type } : result;
  });
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
  return receiveFile(deps, file, async (fields, type) => {
    const evidence = await addExplanationEvidence(deps.db, { ...target, file: fields });
    // The explanation already had these bytes: the row returned is the one kept before.
    return { ok: true as const, evidence, duplicate: evidence.storageKey !== fields.storageKey, type };
  });
}
