/**
 * Completing an inspection visit (issue 14): the team's lead types who attended for the
 * unit, the contents checked and the results, step by step (a MINUTES VisitCursor holds
 * the draft, so a restart loses nothing); «Lập biên bản» then makes the visit DONE, stops
 * its pending reminders, and writes the minutes (biên bản kiểm tra) as a DOCX kept in the
 * province's file store as a VisitDocument. The scan of the signed minutes is attached the
 * same way (SIGNED_MINUTES). A coordinator drafts the conclusion notice (thông báo kết luận)
 * from the visit, its findings, actions and scores, and issues it with its number: that
 * sets the actions' due dates and tells the unit's officers through the outbox.
 *
 * No Telegram in here. Refusals a person can fix come back as `{ ok: false, reason }`.
 * Files are put in the store outside transactions (src/storage/file-store.ts says why).
 */

import { Readable } from "node:stream";
import type { Db, Prisma, VisitCursor, VisitDocumentKind } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { buildConclusionDocx } from "../documents/conclusion.ts";
import { DOCX_MIME } from "../documents/index.ts";
import { documentTranslator } from "../documents/layout.ts";
import { buildMinutesDocx } from "../documents/minutes.ts";
import type { CampaignInfo, ConclusionData, FindingLine, MinutesData, Score } from "../documents/types.ts";
import type { FileStore } from "../storage/index.ts";
import { phaseReached } from "./appraisal-rules.ts";
import { audit } from "./audit.ts";
import { findingsOf } from "./findings.ts";
import { cancelPendingNotices, enqueueNotices } from "./notices.ts";
import { unitResult } from "./ranking.ts";
import { findVisit, type VisitWithUnit, visitAudience, visitNotices } from "./schedule.ts";
import { campaignShape } from "./status.ts";
import { letters } from "./text.ts";
import { dueDateAfter } from "./time.ts";
import { isLeadTitle, type TeamActor, teamStanding } from "./visit-team.ts";
import { clearCursor, type StoredFile, setCursor } from "./visits.ts";

type Tx = Prisma.TransactionClient;
export type VisitDocument = Prisma.VisitDocumentGetPayload<object>;

/** Longest text kept per step (a page of the minutes). */
export const MINUTES_TEXT_MAX = 3000;
/** A step's text needs at least this many letters ("ok" or "." is not who attended). */
const MIN_LETTERS = 3;
/** The kinds of notice a completed visit no longer needs. */
export const VISIT_PENDING_KINDS = ["visit.reminder", "visit.report_missing"];

export type MinutesRefusal =
  | "not_found"
  | "cancelled"
  /** The visit has not begun: no minutes of it yet. */
  | "not_started"
  /** Not the team's lead (nor a coordinator). */
  | "not_lead"
  /** The visit is DONE already: the person is asked whether to make the minutes again. */
  | "done"
  /** The step waiting for text lapsed, or was never begun. */
  | "no_step"
  | "too_short"
  /** The conclusion needs a DONE visit. */
  | "not_done"
  /** The conclusion was issued already. */
  | "issued"
  | "bad_number"
  | "not_coordinator";

export type MinutesRefused = { ok: false; reason: MinutesRefusal; visit?: VisitWithUnit };

/** What the lead typed so far, kept in the cursor's `step` as JSON (the step and the texts). */
export interface MinutesDraft {
  step: "attendees" | "contents" | "results" | "summary" | "number";
  attendees?: string;
  checkedContents?: string;
  results?: string;
}

export function draftOf(cursor: Pick<VisitCursor, "step">): MinutesDraft {
  try {
    const parsed = JSON.parse(cursor.step ?? "") as MinutesDraft;
    if (parsed && typeof parsed.step === "string") return parsed;
  } catch {}
  return { step: "attendees" };
}

/** The visit a lead may complete, in the order of checks that decides the words they read. */
async function checkLead(
  tx: Db | Tx,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
  now: Date,
): Promise<{ ok: true; visit: VisitWithUnit } | MinutesRefused> {
  const visit = await findVisit(tx, campaignId, visitId);
  if (!visit) return { ok: false, reason: "not_found" };
  if (visit.status === "CANCELLED") return { ok: false, reason: "cancelled", visit };
  if (visit.startsAt > now) return { ok: false, reason: "not_started", visit };
  if ((await teamStanding(tx, visitId, actor.personId, actor.role)) !== "lead") {
    return { ok: false, reason: "not_lead", visit };
  }
  return { ok: true, visit };
}

/** The contents offered by default: the visit's own, else the campaign's inspected contents. */
export async function defaultContents(db: Db | Tx, visit: VisitWithUnit): Promise<string> {
  if (visit.contents?.trim()) return visit.contents.trim();
  const contents = await db.inspectionContent.findMany({
    where: { campaignId: visit.campaignId },
    orderBy: { order: "asc" },
    select: { title: true },
  });
  return contents.map((c) => c.title).join("\n");
}

export type StartResult = { ok: true; visit: VisitWithUnit } | MinutesRefused;

/**
 * /bienban: the lead begins the minutes of a visit that has begun. A DONE visit is refused
 * with "done" unless `redo` (the minutes are made again: a new version, audited).
 */
export async function startMinutes(
  db: Db,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
  now: Date,
  options: { redo?: boolean } = {},
): Promise<StartResult> {
  const checked = await checkLead(db, campaignId, visitId, actor, now);
  if (!checked.ok) return checked;
  const { visit } = checked;
  if (visit.status === "DONE" && !options.redo) return { ok: false, reason: "done", visit };
  const draft: MinutesDraft = { step: "attendees" };
  await setCursor(db, actor.personId, {
    mode: "MINUTES",
    visitId,
    revision: visit.revision,
    step: JSON.stringify(draft),
    createdAt: now,
  });
  return checked;
}

export type StepResult =
  | { ok: true; visit: VisitWithUnit; draft: MinutesDraft; defaultContents: string }
  | MinutesRefused;

/**
 * A typed text while the minutes are being made: who attended, then the contents checked
 * (or «Giữ nội dung này»: `keep`), then the results; each moves the draft one step on.
 */
export async function minutesStep(
  db: Db,
  campaignId: number,
  actor: TeamActor,
  input: { text: string } | { keep: true },
  now: Date,
): Promise<StepResult> {
  return transaction(db, async (tx) => {
    const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
    if (cursor?.mode !== "MINUTES") return { ok: false, reason: "no_step" };
    const draft = draftOf(cursor);
    if (draft.step === "summary" || draft.step === "number") return { ok: false, reason: "no_step" };
    const checked = await checkLead(tx, campaignId, cursor.visitId, actor, now);
    if (!checked.ok) return checked;
    const { visit } = checked;
    const fallback = await defaultContents(tx, visit);
    let text: string;
    if ("keep" in input) {
      if (draft.step !== "contents" || !fallback) return { ok: false, reason: "no_step" };
      text = fallback;
    } else {
      text = input.text.trim().slice(0, MINUTES_TEXT_MAX);
      if (letters(text) < MIN_LETTERS) return { ok: false, reason: "too_short", visit };
    }
    const next: MinutesDraft =
      draft.step === "attendees"
        ? { ...draft, step: "contents", attendees: text }
        : draft.step === "contents"
          ? { ...draft, step: "results", checkedContents: text }
          : { ...draft, step: "summary", results: text };
    await tx.visitCursor.update({ where: { personId: actor.personId }, data: { step: JSON.stringify(next) } });
    return { ok: true, visit, draft: next, defaultContents: fallback };
  });
}

export interface FileDeps {
  db: Db;
  store: FileStore;
}

export interface MadeDocument {
  document: VisitDocument;
  bytes: Buffer;
}

export type CompleteResult =
  | ({ ok: true; visit: VisitWithUnit; version: number; cancelledNotices: number } & MadeDocument)
  | MinutesRefused;

/**
 * «Lập biên bản»: in one transaction the visit takes the draft (attendees, contents checked,
 * results), becomes DONE (completed by the lead, now), its pending reminders are cancelled
 * and the step ends, audited; then the minutes are written as a DOCX and kept in the store
 * as a MINUTES document (a redo adds a new version; the old ones stay).
 */
export async function completeVisit(
  deps: FileDeps,
  campaignId: number,
  actor: TeamActor,
  visitId: number,
  options: { now: Date; timeZone: string },
): Promise<CompleteResult> {
  const { db } = deps;
  const { now } = options;
  const done = await transaction(db, async (tx) => {
    const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
    if (cursor?.mode !== "MINUTES" || cursor.visitId !== visitId)
      return { ok: false as const, reason: "no_step" as const };
    const draft = draftOf(cursor);
    if (draft.step !== "summary" || !draft.attendees || !draft.checkedContents || !draft.results) {
      return { ok: false as const, reason: "no_step" as const };
    }
    const checked = await checkLead(tx, campaignId, visitId, actor, now);
    if (!checked.ok) return checked;
    const before = checked.visit;
    const version = (await tx.visitDocument.count({ where: { visitId, kind: "MINUTES" } })) + 1;
    await tx.inspectionVisit.update({
      where: { id: visitId },
      data: {
        status: "DONE",
        attendees: draft.attendees,
        checkedContents: draft.checkedContents,
        results: draft.results,
        completedAt: now,
        completedById: actor.personId,
      },
    });
    const cancelledNotices = await cancelPendingNotices(tx, visitId, VISIT_PENDING_KINDS);
    await clearCursor(tx, actor.personId);
    await audit(tx, {
      actorId: actor.personId,
      action: version > 1 ? "visit.minutes.redo" : "visit.complete",
      entity: "InspectionVisit",
      entityId: visitId,
      before: {
        status: before.status,
        attendees: before.attendees,
        checkedContents: before.checkedContents,
        results: before.results,
        completedAt: before.completedAt,
      },
      after: { status: "DONE", ...draft, step: undefined, version, cancelledNotices },
    });
    return { ok: true as const, version, cancelledNotices };
  });
  if (!done.ok) return done;
  const visit = (await findVisit(db, campaignId, visitId))!;
  const bytes = await buildMinutesDocx(await minutesData(db, visit), { timeZone: options.timeZone });
  const document = await keepDocument(deps, visit, "MINUTES", bytes, actor.personId, now, done.version);
  return { ok: true, visit, version: done.version, cancelledNotices: done.cancelledNotices, document, bytes };
}

/** "bien-ban-kiem-tra-song-ma.docx", "…-lan-2.docx" for a second version. */
function fileNameOf(kind: VisitDocumentKind, unitCode: string, version: number, draft = false): string {
  const t = documentTranslator();
  const stem = t(`documents.files.${kind === "CONCLUSION" && draft ? "draft" : kind.toLowerCase()}`);
  const again = version > 1 ? t("documents.files.version", { n: version }) : "";
  return `${stem}-${unitCode}${again}.docx`;
}

/** Puts generated bytes in the store (outside any transaction), then writes the row, audited. */
async function keepDocument(
  deps: FileDeps,
  visit: VisitWithUnit,
  kind: VisitDocumentKind,
  bytes: Buffer,
  personId: number,
  now: Date,
  version: number,
  draft = false,
): Promise<VisitDocument> {
  const unit = await deps.db.unit.findUniqueOrThrow({ where: { id: visit.unitId }, select: { code: true } });
  const stored = await deps.store.put(Readable.from([bytes]), { maxBytes: bytes.length + 1 });
  try {
    return await transaction(deps.db, async (tx) => {
      const document = await tx.visitDocument.create({
        data: {
          visitId: visit.id,
          kind,
          fileName: fileNameOf(kind, unit.code, version, draft),
          mimeType: DOCX_MIME,
          size: stored.size,
          storageKey: stored.key,
          sha256: stored.sha256,
          createdById: personId,
          createdAt: now,
        },
      });
      await audit(tx, {
        actorId: personId,
        action: "visit.document.add",
        entity: "VisitDocument",
        entityId: document.id,
        after: {
          visitId: visit.id,
          kind,
          fileName: document.fileName,
          size: stored.size,
          sha256: stored.sha256,
          version,
        },
      });
      return document;
    });
  } catch (e) {
    await deps.store.delete(stored.key).catch(() => {});
    throw e;
  }
}

// ---------------------------------------------------------------- the data of the documents

/** The campaign's fields the documents name (picked from its row, nothing else carried along). */
function campaignInfo(c: CampaignInfo): CampaignInfo {
  return {
    title: c.title,
    year: c.year,
    province: c.province,
    decisionNumber: c.decisionNumber,
    decisionDate: c.decisionDate,
    issuer: c.issuer,
  };
}

/** The visit's findings (not withdrawn), oldest first, with what each concerns, as the documents list them. */
async function findingLines(db: Db | Tx, visitId: number): Promise<FindingLine[]> {
  return (await findingsOf(db, visitId)).map((f) => ({
    text: f.text,
    criterion: f.criterion,
    content: f.content ? (f.content.reference ?? f.content.title) : null,
    item: f.item,
  }));
}

/** The unit's scores: self-score when it answered anything; the final score and group once published. */
async function unitScores(
  db: Db,
  visit: VisitWithUnit,
): Promise<{ self: Score | null; final: (Score & { percent: number }) | null; group: string | null }> {
  const campaign = await db.campaign.findUniqueOrThrow({ where: { id: visit.campaignId } });
  const unit = await db.unit.findUniqueOrThrow({ where: { id: visit.unitId } });
  if (!campaign.questionnaireId) return { self: null, final: null, group: null };
  const result = await unitResult(db, await campaignShape(db, campaign), unit);
  const self = result.self.answered > 0 ? { score: result.self.score, max: result.self.max } : null;
  if (!phaseReached(campaign.status, "PUBLISHED")) return { self, final: null, group: null };
  const e = result.entry;
  const group = e.group ? (e.group.label ?? e.group.code) : null;
  return { self, final: { score: e.total, max: e.max, percent: e.percent }, group };
}

/** The name of whoever signs for the team: the member titled Trưởng đoàn, else who completed it. */
async function leadName(db: Db, visit: VisitWithUnit): Promise<string | null> {
  const lead = visit.members.find((m) => isLeadTitle(m.title));
  if (lead) return lead.name;
  if (!visit.completedById) return null;
  return (await db.person.findUnique({ where: { id: visit.completedById } }))?.displayName ?? null;
}

/** The minutes' data from a completed visit. */
export async function minutesData(db: Db, visit: VisitWithUnit): Promise<MinutesData> {
  const [campaign, findings, checks, scores, lead] = await Promise.all([
    db.campaign.findUniqueOrThrow({ where: { id: visit.campaignId } }),
    findingLines(db, visit.id),
    db.itemCheck.groupBy({ by: ["result"], where: { visitId: visit.id }, _count: { _all: true } }),
    unitScores(db, visit),
    leadName(db, visit),
  ]);
  const count = (r: string) => checks.find((c) => c.result === r)?._count._all ?? 0;
  return {
    campaign: campaignInfo(campaign),
    unit: { name: visit.unit.name },
    visit: { startsAt: visit.startsAt, place: visit.place },
    team: visit.members.map((m) => ({ name: m.name, title: m.title })),
    attendees: visit.attendees ?? "",
    checkedContents: visit.checkedContents ?? visit.contents ?? "",
    results: visit.results ?? "",
    selfScore: scores.self,
    findings,
    checklist: checks.length ? { met: count("MET"), notMet: count("NOT_MET"), partial: count("PARTIAL") } : null,
    lead,
  };
}

/** The conclusion's data: the visit, its findings, its actions (open ones and closed), the scores. */
export async function conclusionData(db: Db, visit: VisitWithUnit): Promise<ConclusionData> {
  const [campaign, findings, actions, scores, lead] = await Promise.all([
    db.campaign.findUniqueOrThrow({ where: { id: visit.campaignId } }),
    findingLines(db, visit.id),
    db.correctiveAction.findMany({ where: { visitId: visit.id }, orderBy: { id: "asc" } }),
    unitScores(db, visit),
    leadName(db, visit),
  ]);
  return {
    campaign: campaignInfo(campaign),
    unit: { name: visit.unit.name },
    visit: { startsAt: visit.startsAt },
    number: visit.conclusionNumber,
    issuedAt: visit.conclusionIssuedAt,
    scores,
    results: visit.results,
    findings,
    actions: actions.map((a) => ({ text: a.text, dueAt: a.dueAt })),
    actionDueDays: campaign.actionDueDays,
    signer: lead,
  };
}

// ---------------------------------------------------------------- signed minutes

/** «Đính kèm biên bản đã ký»: the lead's next file is the scan of the signed minutes. */
export async function beginSignedMinutes(
  db: Db,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
  now: Date,
): Promise<StartResult> {
  const checked = await checkLead(db, campaignId, visitId, actor, now);
  if (!checked.ok) return checked;
  if (checked.visit.status !== "DONE") return { ok: false, reason: "not_done", visit: checked.visit };
  await setCursor(db, actor.personId, {
    mode: "SIGNED_MINUTES",
    visitId,
    revision: checked.visit.revision,
    createdAt: now,
  });
  return checked;
}

export type SignedResult =
  | { ok: true; document: VisitDocument; duplicate: boolean; visit: VisitWithUnit }
  | MinutesRefused
  | { ok: false; reason: "type" };

/** Types a scan may be: PDF or a photo. */
const SCAN_TYPES = /^(application\/pdf|image\/(jpeg|png|webp|heic|heif|tiff))$/;

/**
 * One file of the signed minutes (stored already by src/app/evidence.ts receiveFile): a
 * SIGNED_MINUTES document of the visit the lead's step names, the same bytes once, audited.
 */
export async function addSignedMinutes(
  db: Db,
  campaignId: number,
  actor: TeamActor,
  file: StoredFile,
  now: Date,
): Promise<SignedResult> {
  if (!SCAN_TYPES.test(file.mimeType)) return { ok: false, reason: "type" };
  return transaction(db, async (tx) => {
    const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
    if (cursor?.mode !== "SIGNED_MINUTES") return { ok: false, reason: "no_step" };
    const checked = await checkLead(tx, campaignId, cursor.visitId, actor, now);
    if (!checked.ok) return checked;
    const { visit } = checked;
    if (visit.status !== "DONE") return { ok: false, reason: "not_done", visit };
    const existing = await tx.visitDocument.findFirst({
      where: { visitId: visit.id, kind: "SIGNED_MINUTES", sha256: file.sha256 },
    });
    if (existing) return { ok: true, document: existing, duplicate: true, visit };
    const document = await tx.visitDocument.create({
      data: {
        visitId: visit.id,
        kind: "SIGNED_MINUTES",
        fileName: file.fileName,
        mimeType: file.mimeType,
        size: file.size,
        storageKey: file.storageKey,
        sha256: file.sha256,
        createdById: actor.personId,
        createdAt: now,
      },
    });
    await audit(tx, {
      actorId: actor.personId,
      action: "visit.document.add",
      entity: "VisitDocument",
      entityId: document.id,
      after: {
        visitId: visit.id,
        kind: "SIGNED_MINUTES",
        fileName: file.fileName,
        size: file.size,
        sha256: file.sha256,
      },
    });
    return { ok: true, document, duplicate: false, visit };
  });
}

// ---------------------------------------------------------------- the conclusion notice

/** The visit a coordinator may conclude: found, DONE. */
async function checkConclusion(
  tx: Db | Tx,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
): Promise<{ ok: true; visit: VisitWithUnit } | MinutesRefused> {
  if (actor.role !== "COORDINATOR") return { ok: false, reason: "not_coordinator" };
  const visit = await findVisit(tx, campaignId, visitId);
  if (!visit) return { ok: false, reason: "not_found" };
  if (visit.status === "CANCELLED") return { ok: false, reason: "cancelled", visit };
  if (visit.status !== "DONE") return { ok: false, reason: "not_done", visit };
  return { ok: true, visit };
}

export type DraftResult = ({ ok: true; visit: VisitWithUnit; actions: number } & MadeDocument) | MinutesRefused;

/**
 * /ketluan: the conclusion notice written from the visit (a draft without number, or the
 * issued one with its number), kept as a CONCLUSION document, for the coordinator to edit.
 */
export async function draftConclusion(
  deps: FileDeps,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
  options: { now: Date; timeZone: string },
): Promise<DraftResult> {
  const checked = await checkConclusion(deps.db, campaignId, visitId, actor);
  if (!checked.ok) return checked;
  return writeConclusion(deps, checked.visit, actor.personId, options);
}

async function writeConclusion(
  deps: FileDeps,
  visit: VisitWithUnit,
  personId: number,
  options: { now: Date; timeZone: string },
) {
  const data = await conclusionData(deps.db, visit);
  const bytes = await buildConclusionDocx(data, { timeZone: options.timeZone });
  const version = (await deps.db.visitDocument.count({ where: { visitId: visit.id, kind: "CONCLUSION" } })) + 1;
  const draft = !visit.conclusionNumber;
  const document = await keepDocument(
    deps,
    visit,
    "CONCLUSION",
    bytes,
    personId,
    options.now,
    draft ? version : 1,
    draft,
  );
  return { ok: true as const, visit, actions: data.actions.length, document, bytes };
}

/** «Ban hành»: the coordinator's next typed text is the notice's number. */
export async function beginIssue(
  db: Db,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
  now: Date,
): Promise<StartResult> {
  const checked = await checkConclusion(db, campaignId, visitId, actor);
  if (!checked.ok) return checked;
  if (checked.visit.conclusionIssuedAt) return { ok: false, reason: "issued", visit: checked.visit };
  await setCursor(db, actor.personId, {
    mode: "MINUTES",
    visitId,
    revision: checked.visit.revision,
    step: JSON.stringify({ step: "number" } satisfies MinutesDraft),
    createdAt: now,
  });
  return checked;
}

/** "125/TB-SNV": digits, a slash, a symbol of capitals, digits and hyphens. */
const NUMBER_FORM = /^\d{1,6}\/[\p{Lu}\d]+(?:-[\p{Lu}\d]+)*$/u;

export function readConclusionNumber(text: string): string | null {
  const n = text
    .trim()
    .replace(/^số[:\s]*/iu, "")
    .replace(/\s+/g, "")
    .normalize("NFC")
    .toLocaleUpperCase("vi");
  return NUMBER_FORM.test(n) ? n : null;
}

export type IssueResult =
  | ({
      ok: true;
      visit: VisitWithUnit;
      number: string;
      dated: number;
      earliestDue: Date | null;
      notified: number;
    } & MadeDocument)
  | MinutesRefused;

/**
 * The number typed after «Ban hành»: in one transaction the visit takes the number and the
 * issue date (once: a second issue is refused), every action of the visit not yet given a
 * date by a coordinator and not closed is due `actionDueDays` after today (17:00), the
 * unit's officers are told through the outbox, audited; then the issued notice is written
 * with its number and kept as a CONCLUSION document.
 */
export async function issueConclusion(
  deps: FileDeps,
  campaignId: number,
  actor: TeamActor,
  text: string,
  options: { now: Date; timeZone: string; byName: string },
): Promise<IssueResult> {
  const { now, timeZone } = options;
  const issued = await transaction(deps.db, async (tx) => {
    const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
    if (cursor?.mode !== "MINUTES" || draftOf(cursor).step !== "number")
      return { ok: false as const, reason: "no_step" as const };
    const checked = await checkConclusion(tx, campaignId, cursor.visitId, actor);
    if (!checked.ok) return checked;
    const { visit } = checked;
    if (visit.conclusionIssuedAt) {
      await clearCursor(tx, actor.personId);
      return { ok: false as const, reason: "issued" as const, visit };
    }
    const number = readConclusionNumber(text);
    if (!number) return { ok: false as const, reason: "bad_number" as const, visit };
    // Conditional on not issued: two coordinators issuing at once cannot both win.
    const updated = await tx.inspectionVisit.updateMany({
      where: { id: visit.id, conclusionIssuedAt: null },
      data: { conclusionNumber: number, conclusionIssuedAt: now, conclusionIssuedById: actor.personId },
    });
    if (updated.count === 0) return { ok: false as const, reason: "issued" as const, visit };
    const campaign = await tx.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    const dueAt = dueDateAfter(now, campaign.actionDueDays, timeZone);
    const dated = await tx.correctiveAction.updateMany({
      where: { visitId: visit.id, dueChosen: false, status: { not: "CLOSED" } },
      data: { dueAt, version: { increment: 1 } },
    });
    const open = await tx.correctiveAction.findMany({
      where: { visitId: visit.id, status: { not: "CLOSED" } },
      select: { dueAt: true },
    });
    const dues = open.flatMap((a) => (a.dueAt ? [a.dueAt.getTime()] : []));
    const earliestDue = dues.length ? new Date(Math.min(...dues)) : null;
    const { officers } = await visitAudience(tx, visit);
    const notified = await enqueueNotices(
      tx,
      visitNotices(
        visit,
        officers,
        "visit.concluded",
        {
          number,
          issuedAt: now.toISOString(),
          actions: open.length,
          earliestDue: earliestDue?.toISOString() ?? null,
        },
        now,
        { key: (recipientId) => `visit:${visit.id}:concluded:${recipientId}` },
      ),
    );
    await clearCursor(tx, actor.personId);
    await audit(tx, {
      actorId: actor.personId,
      action: "visit.conclusion.issue",
      entity: "InspectionVisit",
      entityId: visit.id,
      before: { conclusionNumber: null },
      after: { conclusionNumber: number, issuedAt: now, actionsDated: dated.count, dueAt, notified },
    });
    return { ok: true as const, visitId: visit.id, number, dated: dated.count, earliestDue, notified };
  });
  if (!issued.ok) return issued;
  const { visitId, ...told } = issued;
  const visit = (await findVisit(deps.db, campaignId, visitId))!;
  const written = await writeConclusion(deps, visit, actor.personId, { now, timeZone });
  return { ...told, visit, document: written.document, bytes: written.bytes };
}

/** A visit's documents, newest first. */
export function documentsOf(db: Db, visitId: number, kind?: VisitDocumentKind) {
  return db.visitDocument.findMany({ where: { visitId, ...(kind ? { kind } : {}) }, orderBy: { id: "desc" } });
}
