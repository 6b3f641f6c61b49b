/**
 * What the inspection team records at a visit (issue 14): findings (tồn tại, hạn chế) with
 * their photos, each optionally tied to what it concerns — a criterion of the campaign's
 * questionnaire ("1.1"), an inspected content (Chỉ thị 26/CT-TTg, the PAPI plan) or one of
 * its items ("26.1") — and the checklist of the inspected contents: each item marked đạt /
 * chưa đạt / đạt một phần with a note; coordinators read the coverage across units.
 *
 * Only the visit's team records (src/domain/visit-team.ts), never on a cancelled visit.
 * Every change is audited. Refusals a person can fix come back as `{ ok: false, reason }`.
 * No Telegram in here; the minutes, exports and plain questions read findingsOf,
 * checklistOf and coverage.
 */
import type { CheckResult, Db, Evidence, Prisma, VisitCursor } from "../db/client.ts";
import { transaction } from "../db/exactly-once.ts";
import { audit } from "./audit.ts";
import { keepOwnedFile } from "./owned-files.ts";
import { fold, letters } from "./text.ts";
import { standingAmong, type TeamActor, type TeamStanding, teamStanding } from "./visit-team.ts";
import { clearCursor, type StoredFile, setCursor } from "./visits.ts";

type Tx = Prisma.TransactionClient;

/** The longest finding kept (a paragraph of the minutes, not a report). */
export const FINDING_MAX = 1500;
/** As for a corrective action's text: the shortest finding worth recording has words in it. */
const FINDING_MIN_LETTERS = 5;
/** The longest note on a checklist mark. */
export const NOTE_MAX = 500;
/** The longest leading text read as a target ("Chỉ thị số 26/CT-TTg"). */
const TARGET_MAX = 40;

export const CHECK_RESULTS = ["MET", "NOT_MET", "PARTIAL"] as const satisfies readonly CheckResult[];

export type FindingRefusal =
  /** No such visit, finding or item in the campaign. */
  | "not_found"
  /** Not on the visit's team (an officer, an inspector of another team, a guest). */
  | "not_team"
  | "cancelled"
  /** A target that looks like a code but names nothing of the campaign. */
  | "unknown_target"
  /** No text (or only a target). */
  | "empty"
  /** Fewer letters than a finding can be said in ("ok", "5": a slip, often a choice typed on Zalo). */
  | "too_short"
  | "too_long"
  /** Withdrawing someone else's finding without leading the team. */
  | "not_author"
  /** The finding was withdrawn already. */
  | "withdrawn"
  /** The step waiting for text or photos lapsed, or was never begun. */
  | "no_step"
  /** A photo sent before the finding's text. */
  | "no_finding";

export type FindingRefused = { ok: false; reason: FindingRefusal };

// ---------------------------------------------------------------- targets

/** What a finding concerns, resolved to rows of the campaign. */
export interface FindingTarget {
  criterionId: number | null;
  contentId: number | null;
  itemId: number | null;
  /** As people read it: "tiêu chí 1.1", "26.1", the content's reference. */
  kind: "criterion" | "content" | "item";
  code: string;
  title: string;
  /** The content's reference ("Chỉ thị số 26/CT-TTg ngày 05/9/2016") for a content or an item. */
  reference: string | null;
  /** The content, for a content or an item. */
  content: { code: string; title: string; reference: string | null } | null;
}

const DOTTED = /^(?:[a-z]{1,10}|\d{1,3})(?:\.\d{1,3}){1,3}$/i;
/** Words before a code that say what it is ("tiêu chí 1.1", "mục 26.1", "yêu cầu PAPI.2"). */
const LEAD_WORDS = /^(?:tieu chi|muc|yeu cau|noi dung)\s+/;

/**
 * A typed finding split into its leading target and its text: "1.1: Chưa ban hành…",
 * "26.1 - Còn cán bộ…", "Chỉ thị 26: …", "PAPI: …". Only a leading part that looks like
 * a code counts ("Niêm yết TTHC: …" is text, not a target); it is not checked here.
 */
export function splitTarget(typed: string): { target: string | null; text: string } {
  const text = typed.trim();
  const m = /^(.{1,60}?)\s*(?::|\s[-–—]\s|\s?[-–—]\s)\s*([\s\S]*)$/u.exec(text);
  if (!m) return { target: null, text };
  const head = m[1]!.trim();
  if (head.length > TARGET_MAX || !looksLikeTarget(head)) return { target: null, text };
  return { target: head, text: m[2]!.trim() };
}

function looksLikeTarget(head: string): boolean {
  const f = fold(head).replace(LEAD_WORDS, "");
  if (DOTTED.test(f)) return true;
  if (/^(?:chi thi|ct)\s*(?:so\s*)?\d/.test(f)) return true;
  return /(?:^|[^a-z])papi(?:[^a-z]|$)/.test(f) && f.split(/\s+/).length <= 4;
}

/** Words of a content's name that say nothing of which one it is. */
const FILLER = new Set(["so", "ke", "hoach", "kh", "nam", "noi", "dung"]);

const tokensOf = (s: string) =>
  fold(s)
    .replace(/\bngay\b.*$/, "")
    .split(/[^a-z0-9]+/)
    .filter((w) => w && !FILLER.has(w))
    .map((w) => (/^\d+$/.test(w) ? String(Number(w)) : w));

interface TargetIndex {
  criteria: { id: number; code: string; title: string }[];
  contents: {
    id: number;
    code: string;
    title: string;
    reference: string | null;
    items: { id: number; code: string; title: string }[];
  }[];
}

/** What a campaign's findings may be tied to: its questionnaire's criteria, its contents and their items. */
export async function targetIndex(db: Db | Tx, campaignId: number): Promise<TargetIndex> {
  const campaign = await db.campaign.findUnique({ where: { id: campaignId }, select: { questionnaireId: true } });
  const [criteria, contents] = await Promise.all([
    campaign?.questionnaireId
      ? db.criterion.findMany({
          where: { area: { questionnaireId: campaign.questionnaireId } },
          select: { id: true, code: true, title: true },
          orderBy: [{ area: { order: "asc" } }, { order: "asc" }],
        })
      : [],
    db.inspectionContent.findMany({
      where: { campaignId },
      select: {
        id: true,
        code: true,
        title: true,
        reference: true,
        items: { select: { id: true, code: true, title: true }, orderBy: { order: "asc" } },
      },
      orderBy: { order: "asc" },
    }),
  ]);
  return { criteria, contents };
}

/** The campaign's row a typed target names, or null. */
export function resolveTarget(index: TargetIndex, target: string): FindingTarget | null {
  const f = fold(target).replace(LEAD_WORDS, "");
  if (DOTTED.test(f)) {
    for (const c of index.contents) {
      const item = c.items.find((i) => i.code.toLowerCase() === f);
      if (item) {
        return {
          criterionId: null,
          contentId: c.id,
          itemId: item.id,
          kind: "item",
          code: item.code,
          title: item.title,
          reference: c.reference ?? c.title,
          content: { code: c.code, title: c.title, reference: c.reference },
        };
      }
    }
    const criterion = index.criteria.find((c) => c.code === f);
    return criterion
      ? {
          criterionId: criterion.id,
          contentId: null,
          itemId: null,
          kind: "criterion",
          code: criterion.code,
          title: criterion.title,
          reference: null,
          content: null,
        }
      : null;
  }
  const words = tokensOf(f);
  if (words.length === 0) return null;
  const found = index.contents.filter((c) => {
    const own = new Set(tokensOf(c.code.replace(/-/g, " ")));
    return words.every((w) => own.has(w));
  });
  if (found.length !== 1) return null;
  const c = found[0]!;
  return {
    criterionId: null,
    contentId: c.id,
    itemId: null,
    kind: "content",
    code: c.code,
    title: c.title,
    reference: c.reference ?? c.title,
    content: { code: c.code, title: c.title, reference: c.reference },
  };
}

// ---------------------------------------------------------------- the visit and the team

async function teamVisit(tx: Db | Tx, campaignId: number, visitId: number, actor: TeamActor) {
  const visit = await tx.inspectionVisit.findUnique({
    where: { id: visitId },
    include: { unit: { select: { id: true, name: true, shortName: true } } },
  });
  if (!visit || visit.campaignId !== campaignId) return { ok: false as const, reason: "not_found" as const };
  const standing = await teamStanding(tx, visitId, actor.personId, actor.role);
  if (!standing) return { ok: false as const, reason: "not_team" as const };
  if (visit.status === "CANCELLED") return { ok: false as const, reason: "cancelled" as const };
  return { ok: true as const, visit, standing };
}

export type TeamVisit = Extract<Awaited<ReturnType<typeof teamVisit>>, { ok: true }>["visit"];

/** Whether the person may record at the visit (its team, not cancelled). */
export async function checkTeamVisit(
  db: Db,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
): Promise<{ ok: true; visit: TeamVisit; standing: Exclude<TeamStanding, null> } | FindingRefused> {
  return teamVisit(db, campaignId, visitId, actor);
}

/**
 * The campaign's visits (not cancelled) the person is on the team of, soonest first: what
 * /tontai and /kiemtra offer when no unit is named. `unitIds`: only those units' visits.
 */
export async function teamVisitsOf(db: Db, campaignId: number, actor: TeamActor, unitIds?: number[]) {
  const visits = await db.inspectionVisit.findMany({
    where: { campaignId, status: { not: "CANCELLED" }, ...(unitIds ? { unitId: { in: unitIds } } : {}) },
    include: {
      unit: { select: { id: true, name: true, shortName: true } },
      members: { select: { personId: true, title: true } },
    },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
  });
  return visits.filter((v) => standingAmong(v.members, actor.personId, actor.role) !== null);
}

// ---------------------------------------------------------------- findings

export interface FindingView {
  id: number;
  visitId: number;
  unitId: number;
  text: string;
  createdAt: Date;
  by: { id: number; name: string };
  /** The criterion it concerns ("1.1"), if tied to one. */
  criterion: { code: string; title: string } | null;
  /** The inspected content it concerns (directly or through its item). */
  content: { code: string; title: string; reference: string | null } | null;
  /** The content's item it concerns ("26.1"), if tied to one. */
  item: { code: string; title: string } | null;
  photos: {
    id: number;
    fileName: string | null;
    mimeType: string | null;
    size: number | null;
    storageKey: string | null;
  }[];
  removedAt: Date | null;
}

const findingInclude = {
  by: { select: { id: true, displayName: true } },
  criterion: { select: { code: true, title: true } },
  content: { select: { code: true, title: true, reference: true } },
  item: { select: { code: true, title: true } },
  photos: {
    where: { removedAt: null },
    select: { id: true, fileName: true, mimeType: true, size: true, storageKey: true },
    orderBy: { id: "asc" as const },
  },
} as const;

type FindingRow = Prisma.FindingGetPayload<{ include: typeof findingInclude }>;

const viewOf = (f: FindingRow): FindingView => ({
  id: f.id,
  visitId: f.visitId,
  unitId: f.unitId,
  text: f.text,
  createdAt: f.createdAt,
  by: { id: f.by.id, name: f.by.displayName },
  criterion: f.criterion,
  content: f.content,
  item: f.item,
  photos: f.photos,
  removedAt: f.removedAt,
});

/** The findings of a visit (or of several), oldest first; withdrawn ones only when asked. */
export async function findingsOf(
  db: Db | Tx,
  visitIds: number | number[],
  options: { withdrawn?: boolean } = {},
): Promise<FindingView[]> {
  const ids = Array.isArray(visitIds) ? visitIds : [visitIds];
  if (ids.length === 0) return [];
  const rows = await db.finding.findMany({
    where: { visitId: { in: ids }, ...(options.withdrawn ? {} : { removedAt: null }) },
    include: findingInclude,
    orderBy: { id: "asc" },
  });
  return rows.map(viewOf);
}

/** Every finding of a campaign (export sheets, plain questions), by unit then time. */
export async function findingsOfCampaign(db: Db, campaignId: number, unitId?: number): Promise<FindingView[]> {
  const rows = await db.finding.findMany({
    where: { campaignId, removedAt: null, visit: { status: { not: "CANCELLED" } }, ...(unitId ? { unitId } : {}) },
    include: findingInclude,
    orderBy: [{ unitId: "asc" }, { id: "asc" }],
  });
  return rows.map(viewOf);
}

export type RecordResult = { ok: true; finding: FindingView; target: FindingTarget | null } | FindingRefused;

/**
 * A finding recorded by a member of the visit's team: text trimmed and required (at most
 * FINDING_MAX characters), `target` (a criterion, content or item code as typed) resolved
 * or refused; audited. `awaitPhotos`: the person's FINDING step then names the finding, so
 * their next photos are its photos.
 */
export async function recordFinding(
  db: Db,
  input: {
    campaignId: number;
    visitId: number;
    actor: TeamActor;
    text: string;
    target?: string | null;
    now: Date;
    awaitPhotos?: boolean;
  },
): Promise<RecordResult> {
  const { campaignId, visitId, actor, now } = input;
  return transaction(db, async (tx) => {
    const checked = await teamVisit(tx, campaignId, visitId, actor);
    if (!checked.ok) return checked;
    let target: FindingTarget | null = null;
    let text = input.text.trim();
    if (input.target?.trim()) {
      target = resolveTarget(await targetIndex(tx, campaignId), input.target);
      if (!target) return { ok: false, reason: "unknown_target" };
    } else {
      // "26.1 Chưa niêm yết…" (a code, a space, the text): tied when the code is one of the
      // campaign's; "1.000 hồ sơ…" is no code and stays text.
      const bare = /^(\S{1,20})\s+(\S[\s\S]*)$/u.exec(text);
      if (bare && DOTTED.test(fold(bare[1]!))) {
        const found = resolveTarget(await targetIndex(tx, campaignId), bare[1]!);
        if (found) [target, text] = [found, bare[2]!.trim()];
      }
    }
    if (!/[\p{L}\p{N}]/u.test(text)) return { ok: false, reason: "empty" };
    if (letters(text) < FINDING_MIN_LETTERS) return { ok: false, reason: "too_short" };
    if (text.length > FINDING_MAX) return { ok: false, reason: "too_long" };
    const { visit } = checked;
    const row = await tx.finding.create({
      data: {
        campaignId,
        unitId: visit.unitId,
        visitId,
        text,
        criterionId: target?.criterionId ?? null,
        contentId: target?.contentId ?? null,
        itemId: target?.itemId ?? null,
        byId: actor.personId,
        createdAt: now,
      },
      include: findingInclude,
    });
    if (input.awaitPhotos) {
      await setCursor(tx, actor.personId, {
        mode: "FINDING",
        visitId,
        revision: visit.revision,
        targetId: row.id,
        createdAt: now,
      });
    }
    await audit(tx, {
      actorId: actor.personId,
      action: "finding.record",
      entity: "Finding",
      entityId: row.id,
      after: { visitId, unitId: visit.unitId, text, target: target ? { kind: target.kind, code: target.code } : null },
    });
    return { ok: true, finding: viewOf(row), target };
  });
}

/** «➕ Ghi tồn tại»: the person's next typed text is a finding of the visit. */
export async function beginFinding(
  db: Db,
  campaignId: number,
  visitId: number,
  actor: TeamActor,
  now: Date,
): Promise<{ ok: true; visit: TeamVisit } | FindingRefused> {
  const checked = await teamVisit(db, campaignId, visitId, actor);
  if (!checked.ok) return checked;
  await setCursor(db, actor.personId, { mode: "FINDING", visitId, revision: checked.visit.revision, createdAt: now });
  return { ok: true, visit: checked.visit };
}

/**
 * A text typed in the FINDING step: its leading target split off (splitTarget), recorded,
 * and the step then waits for its photos (a next text is another finding). A refusal keeps
 * the step, so the person can type it again.
 */
export async function recordTypedFinding(
  db: Db,
  campaignId: number,
  actor: TeamActor,
  typed: string,
  now: Date,
): Promise<RecordResult> {
  const cursor = await db.visitCursor.findUnique({ where: { personId: actor.personId } });
  if (cursor?.mode !== "FINDING") return { ok: false, reason: "no_step" };
  const { target, text } = splitTarget(typed);
  return recordFinding(db, { campaignId, visitId: cursor.visitId, actor, text, target, now, awaitPhotos: true });
}

export type PhotoResult =
  | { ok: true; evidence: Evidence; duplicate: boolean; finding: FindingView; count: number }
  | FindingRefused;

/**
 * A photo or file of a finding (the one the person's FINDING step names, or `findingId`):
 * an Evidence row of the finding's unit with findingId (no question, no visit: it is not
 * the unit's report), the same bytes once per finding, audited.
 */
export async function addFindingPhoto(
  db: Db,
  campaignId: number,
  actor: TeamActor,
  file: StoredFile,
  now: Date,
  findingId?: number,
): Promise<PhotoResult> {
  return transaction(db, async (tx) => {
    let id = findingId;
    if (id === undefined) {
      const cursor = await tx.visitCursor.findUnique({ where: { personId: actor.personId } });
      if (cursor?.mode !== "FINDING") return { ok: false, reason: "no_step" };
      if (!cursor.targetId) return { ok: false, reason: "no_finding" };
      id = cursor.targetId;
    }
    const finding = await tx.finding.findUnique({ where: { id } });
    if (!finding || finding.campaignId !== campaignId) return { ok: false, reason: "not_found" };
    const checked = await teamVisit(tx, campaignId, finding.visitId, actor);
    if (!checked.ok) return checked;
    if (finding.removedAt) return { ok: false, reason: "withdrawn" };
    const { evidence, duplicate } = await keepOwnedFile(tx, {
      owner: { findingId: id },
      campaignId,
      unitId: finding.unitId,
      file,
      personId: actor.personId,
      now,
      action: "finding.photo.add",
      about: { findingId: id },
    });
    const view = viewOf(await tx.finding.findUniqueOrThrow({ where: { id }, include: findingInclude }));
    return { ok: true, evidence, duplicate, finding: view, count: view.photos.length };
  });
}

/** A finding withdrawn by its author or the team's lead: kept, marked removed, audited. */
export async function withdrawFinding(
  db: Db,
  campaignId: number,
  actor: TeamActor,
  findingId: number,
  now: Date,
): Promise<{ ok: true; finding: FindingView } | FindingRefused> {
  return transaction(db, async (tx) => {
    const finding = await tx.finding.findUnique({ where: { id: findingId } });
    if (!finding || finding.campaignId !== campaignId) return { ok: false, reason: "not_found" };
    const checked = await teamVisit(tx, campaignId, finding.visitId, actor);
    if (!checked.ok) return checked;
    if (finding.byId !== actor.personId && checked.standing !== "lead") return { ok: false, reason: "not_author" };
    const updated = await tx.finding.updateMany({
      where: { id: findingId, removedAt: null },
      data: { removedAt: now },
    });
    if (updated.count === 0) return { ok: false, reason: "withdrawn" };
    // Its photos step ends with it.
    await tx.visitCursor.deleteMany({ where: { personId: actor.personId, mode: "FINDING", targetId: findingId } });
    await audit(tx, {
      actorId: actor.personId,
      action: "finding.withdraw",
      entity: "Finding",
      entityId: findingId,
      before: { removedAt: null, text: finding.text },
      after: { removedAt: now },
    });
    const row = await tx.finding.findUniqueOrThrow({ where: { id: findingId }, include: findingInclude });
    return { ok: true, finding: viewOf(row) };
  });
}

// ---------------------------------------------------------------- checklist

export interface ItemMark {
  result: CheckResult;
  note: string | null;
  by: string;
  updatedAt: Date;
}

export interface ChecklistContent {
  id: number;
  code: string;
  title: string;
  reference: string | null;
  items: { id: number; code: string; title: string; check: ItemMark | null }[];
}

/** The inspected contents of a visit's campaign, their items and the visit's marks. */
export async function checklistOf(db: Db | Tx, visitId: number): Promise<ChecklistContent[]> {
  const visit = await db.inspectionVisit.findUnique({ where: { id: visitId }, select: { campaignId: true } });
  if (!visit) return [];
  const contents = await db.inspectionContent.findMany({
    where: { campaignId: visit.campaignId },
    include: {
      items: {
        orderBy: { order: "asc" },
        include: { checks: { where: { visitId }, include: { by: { select: { displayName: true } } } } },
      },
    },
    orderBy: { order: "asc" },
  });
  return contents.map((c) => ({
    id: c.id,
    code: c.code,
    title: c.title,
    reference: c.reference,
    items: c.items.map((i) => {
      const check = i.checks[0];
      return {
        id: i.id,
        code: i.code,
        title: i.title,
        check: check
          ? { result: check.result, note: check.note, by: check.by.displayName, updatedAt: check.updatedAt }
          : null,
      };
    }),
  }));
}

export type MarkResult =
  | {
      ok: true;
      visit: TeamVisit;
      item: { id: number; code: string; title: string; contentId: number };
      check: { result: CheckResult; note: string | null };
      changed: boolean;
    }
  | FindingRefused;

/**
 * The team marks one item at a visit (the last mark counts): upserted, audited with what it
 * was before. `note`: undefined keeps the note there is, null clears it. `askNote`: the
 * person's next typed text is the note (an ITEM_NOTE step, `step` = the mark).
 */
export async function markItem(
  db: Db,
  input: {
    campaignId: number;
    visitId: number;
    actor: TeamActor;
    item: { id: number } | { code: string };
    result: CheckResult;
    note?: string | null;
    now: Date;
    askNote?: boolean;
  },
): Promise<MarkResult> {
  const { campaignId, visitId, actor, result, now } = input;
  const note = input.note === undefined ? undefined : input.note === null ? null : input.note.trim() || null;
  if (note && note.length > NOTE_MAX) return { ok: false, reason: "too_long" };
  return transaction(db, async (tx) => {
    const checked = await teamVisit(tx, campaignId, visitId, actor);
    if (!checked.ok) return checked;
    const item = await tx.inspectionItem.findFirst({
      where: {
        content: { campaignId },
        ...("id" in input.item ? { id: input.item.id } : { code: { equals: input.item.code } }),
      },
      select: { id: true, code: true, title: true, contentId: true },
    });
    if (!item) return { ok: false, reason: "not_found" };
    const before = await tx.itemCheck.findUnique({ where: { visitId_itemId: { visitId, itemId: item.id } } });
    const after = { result, note: note === undefined ? (before?.note ?? null) : note };
    const changed = !before || before.result !== after.result || before.note !== after.note;
    if (changed) {
      await tx.itemCheck.upsert({
        where: { visitId_itemId: { visitId, itemId: item.id } },
        create: { visitId, itemId: item.id, ...after, byId: actor.personId, updatedAt: now },
        update: { ...after, byId: actor.personId, updatedAt: now },
      });
      await audit(tx, {
        actorId: actor.personId,
        action: "checklist.mark",
        entity: "ItemCheck",
        entityId: `${visitId}:${item.id}`,
        before: before ? { result: before.result, note: before.note } : null,
        after: { visitId, item: item.code, ...after },
      });
    }
    if (input.askNote) {
      await setCursor(tx, actor.personId, {
        mode: "ITEM_NOTE",
        visitId,
        revision: checked.visit.revision,
        targetId: item.id,
        step: result,
        createdAt: now,
      });
    } else await tx.visitCursor.deleteMany({ where: { personId: actor.personId, mode: "ITEM_NOTE" } });
    return { ok: true, visit: checked.visit, item, check: after, changed };
  });
}

/** The text typed in an ITEM_NOTE step: the note of the mark just made; the step ends. */
export async function noteItem(
  db: Db,
  campaignId: number,
  actor: TeamActor,
  typed: string,
  now: Date,
  cursor?: VisitCursor | null,
): Promise<MarkResult> {
  const step = cursor === undefined ? await db.visitCursor.findUnique({ where: { personId: actor.personId } }) : cursor;
  if (step?.mode !== "ITEM_NOTE" || !step.targetId || !isResult(step.step)) return { ok: false, reason: "no_step" };
  if (!/[\p{L}\p{N}]/u.test(typed)) return { ok: false, reason: "empty" };
  const result = await markItem(db, {
    campaignId,
    visitId: step.visitId,
    actor,
    item: { id: step.targetId },
    result: step.step,
    note: typed,
    now,
  });
  if (result.ok || result.reason !== "too_long") await clearCursor(db, actor.personId);
  return result;
}

const isResult = (s: string | null): s is CheckResult => (CHECK_RESULTS as readonly string[]).includes(s ?? "");

// ---------------------------------------------------------------- coverage

export interface CoverageCounts {
  met: number;
  notMet: number;
  partial: number;
  /** Units (or items) not marked yet. */
  notYet: number;
}

export interface CoverageUnit {
  unitId: number;
  name: string;
  shortName: string;
  /** The unit's visits that are not cancelled (marks of any of them count, the latest first). */
  visitIds: number[];
}

export interface ItemCoverage extends CoverageCounts {
  id: number;
  code: string;
  title: string;
  /** Per unit (in `Coverage.units` order): its mark, or null. */
  byUnit: { unitId: number; result: CheckResult | null; note: string | null }[];
}

export interface ContentCoverage {
  id: number;
  code: string;
  title: string;
  reference: string | null;
  /** Units whose every item of the content is marked. */
  assessed: number;
  /** Units with at least one item marked. */
  begun: number;
  /** Units with at least one item marked chưa đạt. */
  notMetUnits: number;
  items: ItemCoverage[];
  /** Per unit: how its items of this content stand. */
  byUnit: (CoverageCounts & { unitId: number })[];
}

export interface Coverage {
  units: CoverageUnit[];
  contents: ContentCoverage[];
}

/**
 * How far the team has marked the inspected contents across the campaign's units with a
 * visit (not cancelled): per content and item, how many units are marked đạt / chưa đạt /
 * một phần / not yet, and per unit. A unit's mark of an item is its latest at any of its visits.
 */
export async function coverage(db: Db, campaignId: number): Promise<Coverage> {
  const [visits, contents] = await Promise.all([
    db.inspectionVisit.findMany({
      where: { campaignId, status: { not: "CANCELLED" } },
      select: { id: true, unit: { select: { id: true, name: true, shortName: true } } },
      orderBy: [{ unitId: "asc" }, { id: "asc" }],
    }),
    db.inspectionContent.findMany({
      where: { campaignId },
      include: { items: { orderBy: { order: "asc" }, select: { id: true, code: true, title: true } } },
      orderBy: { order: "asc" },
    }),
  ]);
  const units = new Map<number, CoverageUnit>();
  const unitOfVisit = new Map<number, number>();
  for (const v of visits) {
    const u = units.get(v.unit.id) ?? {
      unitId: v.unit.id,
      name: v.unit.name,
      shortName: v.unit.shortName,
      visitIds: [],
    };
    u.visitIds.push(v.id);
    units.set(u.unitId, u);
    unitOfVisit.set(v.id, u.unitId);
  }
  const checks = visits.length
    ? await db.itemCheck.findMany({
        where: { visitId: { in: visits.map((v) => v.id) } },
        select: { visitId: true, itemId: true, result: true, note: true, updatedAt: true },
        orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
      })
    : [];
  // unit:item → the latest mark (ordered ascending, so later ones overwrite).
  const marks = new Map<string, { result: CheckResult; note: string | null }>();
  for (const c of checks) marks.set(`${unitOfVisit.get(c.visitId)}:${c.itemId}`, { result: c.result, note: c.note });
  const unitList = [...units.values()];
  const tally = (results: (CheckResult | null)[]): CoverageCounts => ({
    met: results.filter((r) => r === "MET").length,
    notMet: results.filter((r) => r === "NOT_MET").length,
    partial: results.filter((r) => r === "PARTIAL").length,
    notYet: results.filter((r) => r === null).length,
  });
  return {
    units: unitList,
    contents: contents.map((c) => {
      const items: ItemCoverage[] = c.items.map((item) => {
        const byUnit = unitList.map((u) => {
          const mark = marks.get(`${u.unitId}:${item.id}`);
          return { unitId: u.unitId, result: mark?.result ?? null, note: mark?.note ?? null };
        });
        return { ...item, ...tally(byUnit.map((b) => b.result)), byUnit };
      });
      const byUnit = unitList.map((u, i) => ({ unitId: u.unitId, ...tally(items.map((it) => it.byUnit[i]!.result)) }));
      return {
        id: c.id,
        code: c.code,
        title: c.title,
        reference: c.reference,
        assessed: byUnit.filter((b) => items.length > 0 && b.notYet === 0).length,
        begun: byUnit.filter((b) => b.notYet < items.length).length,
        notMetUnits: byUnit.filter((b) => b.notMet > 0).length,
        items,
        byUnit,
      };
    }),
  };
}

/**
 * A content's name as lists and buttons show it: "Chỉ thị 26/CT-TTg" from its reference,
 * "Kế hoạch PAPI" from a plan's reference and the acronym of its title; else its title.
 */
export function contentShortName(content: { title: string; reference: string | null }): string {
  const source = content.reference ?? content.title;
  const numbered = /(Chỉ thị|Kế hoạch|Quyết định|Nghị quyết|Công văn)\s+(?:số\s+)?([\p{L}\d./-]*\d[\p{L}\d./-]*)/u.exec(
    source,
  );
  if (numbered) return `${numbered[1]} ${numbered[2]}`;
  const acronym = /\(([\p{Lu}\d]{2,10})\)/u.exec(content.title);
  if (acronym) return `${source.split(/\s+/).slice(0, 2).join(" ")} ${acronym[1]}`;
  return content.title;
}
