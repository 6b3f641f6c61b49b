/**
 * Imports a campaign data file into the database. Idempotent: rows are matched by their
 * stable codes, written only when something differs, so a second run changes nothing and
 * editing a criterion's text updates it in place without touching its answers.
 */
import { isDeepStrictEqual } from "node:util";
import { clientProvider, type Db, type Prisma } from "../db/client.ts";
import { forgetCached } from "../db/read-cache.ts";
import { linkAppraisersByTelegram, scopeKeyOf } from "./appraisers.ts";
import { audit } from "./audit.ts";
import type { CampaignFile, DataFile, QuestionnaireFile, UnitFile } from "./campaign-file.ts";
import { changeVisitTx, createVisitTx, type ReminderSettings } from "./schedule.ts";
import { fold } from "./text.ts";
import { parseViDateTime } from "./time.ts";

type Tx = Prisma.TransactionClient;

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Rows whose file values were not applied because they were changed in chat (visits). */
  kept: number;
}

export const IMPORT_SECTIONS = ["units", "questionnaire", "campaign", "visits", "appraisers"] as const;

export type ImportReport = Record<(typeof IMPORT_SECTIONS)[number], ImportCounts> & {
  /** What happened to each visit of the file that was not left as it was. */
  visitOutcomes: VisitOutcome[];
  /** onlyIfEmpty, and the database had a campaign: nothing was imported. */
  skipped: boolean;
};

const emptyCounts = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0, removed: 0, kept: 0 });

const VISIT_FIELDS = ["startsAt", "place", "contents"] as const;
type VisitField = (typeof VISIT_FIELDS)[number];
type VisitValues = Record<VisitField, Date | string | null>;

/** One visit of the file: created, changed (fields from → to) and/or fields left as chat made them. */
export interface VisitOutcome {
  key: string;
  unit: string;
  created: boolean;
  applied: { field: VisitField; from: Date | string | null; to: Date | string | null }[];
  /** Why the file's value was not applied: changed in chat, or the visit was cancelled or done in chat. */
  kept: {
    field: VisitField;
    current: Date | string | null;
    file: Date | string | null;
    why: "chat" | "cancelled" | "done";
  }[];
  /** Notices written (officers and team). */
  notified: number;
}

/** A file that cannot be imported as it is: the message names the path inside it and the problem. */
export class ImportError extends Error {
  override name = "ImportError";
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  // Key order is not kept by PostgreSQL's jsonb: compare structure, not text.
  if (typeof a === "object" && a !== null) return isDeepStrictEqual(a, b);
  return a === b || (a == null && b == null);
}

/** Fields of `want` that differ from `row`, or null when none do. */
function changes<T extends Record<string, unknown>>(row: Record<string, unknown>, want: T): Partial<T> | null {
  const diff: Partial<T> = {};
  let any = false;
  for (const [k, v] of Object.entries(want)) {
    if (!same(row[k], v)) {
      (diff as Record<string, unknown>)[k] = v;
      any = true;
    }
  }
  return any ? diff : null;
}

/**
 * Finds a row by `find`, creates it from `data` when missing, updates only what differs.
 * Returns the row's id.
 */
async function sync<Row extends { id: number }>(
  counts: ImportCounts,
  find: () => Promise<Row | null>,
  create: () => Promise<Row>,
  update: (id: number, diff: Record<string, unknown>) => Promise<unknown>,
  data: Record<string, unknown>,
): Promise<number> {
  const row = await find();
  if (!row) {
    counts.created++;
    return (await create()).id;
  }
  const diff = changes(row, data);
  if (diff) {
    await update(row.id, diff);
    counts.updated++;
  } else counts.unchanged++;
  return row.id;
}

export function unitSearchText(u: Pick<UnitFile, "name" | "shortName" | "aliases">): string {
  return [u.name, u.shortName, ...u.aliases].map(fold).join(" | ");
}

async function importUnits(tx: Tx, units: UnitFile[], counts: ImportCounts) {
  for (const u of units) {
    const data = {
      code: u.code,
      name: u.name,
      shortName: u.shortName,
      kind: u.kind,
      aliases: u.aliases,
      searchText: unitSearchText(u),
    };
    await sync(
      counts,
      () => tx.unit.findUnique({ where: { code: u.code } }),
      () => tx.unit.create({ data }),
      (id, diff) => tx.unit.update({ where: { id }, data: diff }),
      data,
    );
  }
}

async function importQuestionnaire(tx: Tx, q: QuestionnaireFile, counts: ImportCounts): Promise<number> {
  const head = { code: q.code, version: q.version, title: q.title, basis: q.basis ?? null, maxPoints: q.maxPoints };
  const questionnaireId = await sync(
    counts,
    () => tx.questionnaire.findUnique({ where: { code_version: { code: q.code, version: q.version } } }),
    () => tx.questionnaire.create({ data: head }),
    (id, diff) => tx.questionnaire.update({ where: { id }, data: diff }),
    head,
  );
  const keptQuestionCodes: string[] = [];
  const keptAreaIds: number[] = [];
  const keptCriterionIds: number[] = [];
  let questionOrder = 0;
  for (const [ai, area] of q.areas.entries()) {
    const areaData = {
      questionnaireId,
      code: area.code,
      title: area.title,
      shortTitle: area.shortTitle ?? null,
      maxPoints: area.maxPoints,
      order: ai + 1,
    };
    const areaId = await sync(
      counts,
      () => tx.reformArea.findUnique({ where: { questionnaireId_code: { questionnaireId, code: area.code } } }),
      () => tx.reformArea.create({ data: areaData }),
      (id, diff) => tx.reformArea.update({ where: { id }, data: diff }),
      areaData,
    );
    keptAreaIds.push(areaId);
    for (const [ci, criterion] of area.criteria.entries()) {
      const criterionData = {
        areaId,
        code: criterion.code,
        title: criterion.title,
        maxPoints: criterion.maxPoints,
        order: ci + 1,
      };
      const criterionId = await sync(
        counts,
        () => tx.criterion.findUnique({ where: { areaId_code: { areaId, code: criterion.code } } }),
        () => tx.criterion.create({ data: criterionData }),
        (id, diff) => tx.criterion.update({ where: { id }, data: diff }),
        criterionData,
      );
      keptCriterionIds.push(criterionId);
      for (const question of criterion.questions) {
        const questionData = {
          questionnaireId,
          criterionId,
          code: question.code,
          text: question.text,
          maxPoints: question.maxPoints,
          answerType: question.answerType,
          choices: question.choices ?? null,
          scoringRule: question.scoring,
          scoringText: question.scoringText,
          evidenceRequired: question.evidence.required,
          evidenceHint: question.evidence.hint ?? null,
          required: question.required,
          order: ++questionOrder,
          countOf: question.countOf ?? null,
          countMax: question.countMax ?? null,
          noDate: question.noDate ?? null,
          notApplicable: question.notApplicable ?? null,
          appliesTo: question.appliesTo ?? null,
          teamScored: question.teamScored,
        };
        // Prisma wants JsonNull rather than null for an empty Json column.
        const writable = {
          ...questionData,
          choices: questionData.choices ?? undefined,
          appliesTo: questionData.appliesTo ?? undefined,
        };
        await sync(
          counts,
          () => tx.question.findUnique({ where: { questionnaireId_code: { questionnaireId, code: question.code } } }),
          () => tx.question.create({ data: writable }),
          (id, diff) => tx.question.update({ where: { id }, data: diff }),
          questionData,
        );
        keptQuestionCodes.push(question.code);
      }
    }
  }
  await removeDropped(tx, questionnaireId, keptQuestionCodes, keptCriterionIds, keptAreaIds, counts);
  return questionnaireId;
}

/** Questions no longer in the file go, unless someone answered them (make a new version). */
async function removeDropped(
  tx: Tx,
  questionnaireId: number,
  questionCodes: string[],
  criterionIds: number[],
  areaIds: number[],
  counts: ImportCounts,
) {
  const dropped = await tx.question.findMany({
    where: { questionnaireId, code: { notIn: questionCodes } },
    select: { id: true, code: true, _count: { select: { answers: true, evidence: true } } },
  });
  const answered = dropped.filter((d) => d._count.answers + d._count.evidence > 0);
  if (answered.length > 0) {
    throw new ImportError(
      `questions ${answered.map((d) => d.code).join(", ")} are no longer in the file but have answers: keep them, or import the change as a new questionnaire version`,
    );
  }
  const removed = await tx.question.deleteMany({ where: { id: { in: dropped.map((d) => d.id) } } });
  const removedCriteria = await tx.criterion.deleteMany({
    where: { area: { questionnaireId }, id: { notIn: criterionIds } },
  });
  const removedAreas = await tx.reformArea.deleteMany({ where: { questionnaireId, id: { notIn: areaIds } } });
  counts.removed += removed.count + removedCriteria.count + removedAreas.count;
}

async function importCampaign(tx: Tx, c: CampaignFile, timeZone: string, counts: ImportCounts) {
  const date = (s: string, field: string, endOfDay = false) => {
    const d = parseViDateTime(s, timeZone, endOfDay ? [23, 59] : [0, 0]);
    if (!d) throw new ImportError(`campaign.${field}: "${s}" is not a real date`);
    return d;
  };
  let questionnaireId: number | null = null;
  if (c.questionnaire) {
    const q = await tx.questionnaire.findUnique({ where: { code_version: c.questionnaire } });
    if (!q)
      throw new ImportError(
        `campaign.questionnaire: no questionnaire ${c.questionnaire.code} version ${c.questionnaire.version}`,
      );
    questionnaireId = q.id;
  }
  // The phase is moved by coordinators (audited, in order, with notices: appraisal-phases.ts):
  // the file's status is the phase a new campaign starts in, and an import never moves it.
  const data = {
    code: c.code,
    title: c.title,
    decisionNumber: c.decision.number,
    decisionDate: date(c.decision.date, "decision.date"),
    issuer: c.decision.issuer,
    announcedBy: c.announcedBy ?? null,
    province: c.province,
    year: c.year,
    purpose: c.purpose ?? null,
    rankGroups: c.groups ?? null,
    selfAssessmentOpensAt: c.selfAssessment ? date(c.selfAssessment.opens, "selfAssessment.opens") : null,
    selfAssessmentDeadline: c.selfAssessment ? date(c.selfAssessment.deadline, "selfAssessment.deadline", true) : null,
    questionnaireId,
  };
  const campaignId = await sync(
    counts,
    () => tx.campaign.findUnique({ where: { code: c.code } }),
    () => tx.campaign.create({ data: { ...data, status: c.status, rankGroups: data.rankGroups ?? undefined } }),
    async (id, { rankGroups, ...diff }) => {
      await tx.campaign.update({ where: { id }, data: rankGroups === null ? diff : { ...diff, rankGroups } });
      // Groups taken out of the file: back to the default (a Json column is emptied by SQL,
      // as the two providers' clients each want their own null marker).
      if (rankGroups === null) await tx.$executeRaw`UPDATE "Campaign" SET "rankGroups" = NULL WHERE "id" = ${id}`;
    },
    data,
  );

  const units = await tx.unit.findMany({ where: { code: { in: c.units } }, select: { id: true, code: true } });
  const missing = c.units.filter((code) => !units.some((u) => u.code === code));
  if (missing.length) throw new ImportError(`campaign.units: unknown unit ${missing.join(", ")} (list it under units)`);
  for (const u of units) {
    await sync(
      counts,
      async () => {
        const row = await tx.campaignUnit.findUnique({ where: { campaignId_unitId: { campaignId, unitId: u.id } } });
        return row ? { ...row, id: u.id } : null;
      },
      async () => ({ ...(await tx.campaignUnit.create({ data: { campaignId, unitId: u.id } })), id: u.id }),
      async () => {},
      {},
    );
  }
  const gone = await tx.campaignUnit.deleteMany({ where: { campaignId, unitId: { notIn: units.map((u) => u.id) } } });
  counts.removed += gone.count;

  for (const [i, content] of c.inspectedContents.entries()) {
    const contentData = {
      campaignId,
      code: content.code,
      title: content.title,
      reference: content.reference ?? null,
      order: i + 1,
    };
    const contentId = await sync(
      counts,
      () => tx.inspectionContent.findUnique({ where: { campaignId_code: { campaignId, code: content.code } } }),
      () => tx.inspectionContent.create({ data: contentData }),
      (id, diff) => tx.inspectionContent.update({ where: { id }, data: diff }),
      contentData,
    );
    await importItems(tx, contentId, content, counts);
  }
  await checkItemCodes(tx, campaignId, questionnaireId, c);
}

/**
 * The requirements of one inspected content, matched by code: a changed title or order is
 * updated in place (the team's marks and the findings tied to it keep their item); an item
 * no longer in the file goes only if nothing was recorded on it.
 */
async function importItems(
  tx: Tx,
  contentId: number,
  content: CampaignFile["inspectedContents"][number],
  counts: ImportCounts,
) {
  for (const [i, item] of content.items.entries()) {
    const data = { contentId, code: item.code, title: item.title, order: i + 1 };
    await sync(
      counts,
      () => tx.inspectionItem.findUnique({ where: { contentId_code: { contentId, code: item.code } } }),
      () => tx.inspectionItem.create({ data }),
      (id, diff) => tx.inspectionItem.update({ where: { id }, data: diff }),
      data,
    );
  }
  const dropped = await tx.inspectionItem.findMany({
    where: { contentId, code: { notIn: content.items.map((item) => item.code) } },
    select: { id: true, code: true, _count: { select: { checks: true, findings: true } } },
  });
  const used = dropped.filter((d) => d._count.checks + d._count.findings > 0);
  if (used.length > 0) {
    throw new ImportError(
      `campaign.inspectedContents ${content.code}: items ${used.map((d) => d.code).join(", ")} are no longer in the file but the team has marked them or tied findings to them: keep them in the file`,
    );
  }
  const removed = await tx.inspectionItem.deleteMany({ where: { id: { in: dropped.map((d) => d.id) } } });
  counts.removed += removed.count;
}

/** An item code that is also a criterion code would make "1.1: …" mean two things. */
async function checkItemCodes(tx: Tx, campaignId: number, questionnaireId: number | null, c: CampaignFile) {
  const codes = c.inspectedContents.flatMap((content) => content.items.map((item) => item.code));
  if (codes.length === 0) return;
  const clash = questionnaireId
    ? await tx.criterion.findMany({
        where: { area: { questionnaireId }, code: { in: codes } },
        select: { code: true },
      })
    : [];
  if (clash.length > 0) {
    throw new ImportError(
      `campaign.inspectedContents: items ${clash.map((x) => x.code).join(", ")} have the code of a criterion of the questionnaire: give them another code`,
    );
  }
  // Items of contents kept from an earlier import (not in this file) must not clash either.
  const elsewhere = await tx.inspectionItem.findMany({
    where: {
      code: { in: codes },
      content: { campaignId, code: { notIn: c.inspectedContents.map((content) => content.code) } },
    },
    select: { code: true },
  });
  if (elsewhere.length > 0) {
    throw new ImportError(
      `campaign.inspectedContents: items ${elsewhere.map((x) => x.code).join(", ")} are already items of another content of the campaign`,
    );
  }
}

/**
 * Visits of the file: created when missing (matched by campaign and key), never removed
 * (cancel in chat: /lichhuy). Visits still to come notify their unit and team, as when made
 * in chat.
 *
 * Chat changes win unless the file says otherwise explicitly. Each visit keeps the file's
 * values of its last import (importedStartsAt, importedPlace, importedContents), and a
 * field is changed only when the file's value itself changed since that import: importing
 * the same file again after a /lichsua leaves the visit as chat made it and notifies nobody,
 * while a file that now says another time (or place, or contents) applies that field alone.
 * A visit cancelled or done in chat is never brought back. Visits imported before these
 * values were kept: one never changed since (revision 1) takes its current values as the
 * file's; one changed since keeps them, as chat may have made the change.
 */
async function importVisits(
  tx: Tx,
  file: DataFile,
  timeZone: string,
  options: ImportOptions,
  counts: ImportCounts,
  outcomes: VisitOutcome[],
): Promise<void> {
  const now = options.now ?? new Date();
  const settings: ReminderSettings = {
    timeZone,
    visitDays: options.visitReminderDays ?? [7, 1],
    reminderTime: options.reminderTime ?? "08:00",
  };
  for (const [i, v] of file.visits.entries()) {
    const where = `visits[${i}]`;
    const campaignCode = v.campaign ?? file.campaign?.code ?? "";
    const campaign = await tx.campaign.findUnique({ where: { code: campaignCode } });
    if (!campaign) throw new ImportError(`${where}.campaign: no campaign ${campaignCode}`);
    const unit = await tx.unit.findUnique({ where: { code: v.unit } });
    const inspected =
      unit &&
      (await tx.campaignUnit.findUnique({
        where: { campaignId_unitId: { campaignId: campaign.id, unitId: unit.id } },
      }));
    if (!unit || !inspected)
      throw new ImportError(`${where}.unit: ${v.unit} is not a unit of campaign ${campaign.code}`);
    const startsAt = parseViDateTime(v.startsAt, timeZone);
    if (!startsAt) throw new ImportError(`${where}.startsAt: "${v.startsAt}" is not a real date and time`);
    const key = v.key ?? v.unit;
    const fromFile: VisitValues = { startsAt, place: v.place, contents: v.contents ?? null };
    const imported = {
      importedStartsAt: startsAt,
      importedPlace: v.place,
      importedContents: fromFile.contents as string | null,
    };
    const outcome: VisitOutcome = { key, unit: unit.code, created: false, applied: [], kept: [], notified: 0 };
    const existing = await tx.inspectionVisit.findUnique({
      where: { campaignId_key: { campaignId: campaign.id, key } },
    });
    if (!existing) {
      const team = v.team
        ? await Promise.all(
            v.team.map(async (m) => ({
              name: m.name,
              title: m.title ?? null,
              personId: m.telegramId
                ? ((
                    await tx.personChannel.findUnique({
                      where: { channel_externalId: { channel: "telegram", externalId: String(m.telegramId) } },
                    })
                  )?.personId ?? null)
                : null,
            })),
          )
        : undefined;
      const { visit, notified } = await createVisitTx(
        tx,
        { campaign, unitId: unit.id, startsAt, place: v.place, contents: v.contents ?? null, team, key },
        null,
        settings,
        now,
      );
      await tx.inspectionVisit.update({ where: { id: visit.id }, data: imported });
      outcomes.push({ ...outcome, created: true, notified });
      counts.created++;
      continue;
    }

    const current: VisitValues = { startsAt: existing.startsAt, place: existing.place, contents: existing.contents };
    const last: VisitValues | null = existing.importedStartsAt
      ? { startsAt: existing.importedStartsAt, place: existing.importedPlace, contents: existing.importedContents }
      : existing.revision === 1
        ? current
        : null;
    const closed = existing.status === "CANCELLED" ? "cancelled" : existing.status === "DONE" ? "done" : null;
    const apply: Partial<VisitValues> = {};
    for (const field of VISIT_FIELDS) {
      const [wanted, value] = [fromFile[field], current[field]];
      if (same(wanted, value)) continue;
      if (closed) outcome.kept.push({ field, current: value, file: wanted, why: closed });
      // The file says what it said last time: the difference was made in chat.
      else if (!last || same(wanted, last[field]))
        outcome.kept.push({ field, current: value, file: wanted, why: "chat" });
      else {
        apply[field] = wanted;
        outcome.applied.push({ field, from: value, to: wanted });
      }
    }
    if (outcome.applied.length > 0) {
      const result = await changeVisitTx(
        tx,
        campaign.id,
        existing.id,
        apply as { startsAt?: Date; place?: string; contents?: string | null },
        null,
        settings,
        now,
      );
      outcome.notified = result?.notified ?? 0;
    }
    if (changes(existing, imported)) await tx.inspectionVisit.update({ where: { id: existing.id }, data: imported });
    if (outcome.applied.length > 0) counts.updated++;
    else if (outcome.kept.length > 0) counts.kept++;
    else counts.unchanged++;
    if (outcome.applied.length + outcome.kept.length > 0) outcomes.push(outcome);
  }
}

/**
 * The appraisal council of the file (`appraisers:`): each appraiser is matched by campaign
 * and key, its name, title and Telegram id kept as the file says, and its assignments made
 * to be exactly the file's (units × areas); assignments made with the CLI are left alone.
 * An appraiser no longer in the file keeps its row (its appraisals name the person), only
 * its file assignments go.
 */
async function importAppraisers(tx: Tx, file: DataFile, counts: ImportCounts): Promise<void> {
  const campaignIds = new Set<number>();
  for (const [i, a] of file.appraisers.entries()) {
    const where = `appraisers[${i}]`;
    const campaignCode = a.campaign ?? file.campaign?.code ?? "";
    const campaign = await tx.campaign.findUnique({ where: { code: campaignCode } });
    if (!campaign) throw new ImportError(`${where}.campaign: no campaign ${campaignCode}`);
    campaignIds.add(campaign.id);
    const units = a.units
      ? await tx.unit.findMany({
          where: { code: { in: a.units }, campaigns: { some: { campaignId: campaign.id } } },
          select: { id: true, code: true },
        })
      : null;
    const strayUnit = a.units?.find((code) => !units?.some((u) => u.code === code));
    if (strayUnit) throw new ImportError(`${where}.units: ${strayUnit} is not a unit of campaign ${campaign.code}`);
    const areas = a.areas
      ? await tx.reformArea.findMany({
          where: { code: { in: a.areas }, questionnaireId: campaign.questionnaireId ?? -1 },
          select: { id: true, code: true },
        })
      : null;
    const strayArea = a.areas?.find((code) => !areas?.some((x) => x.code === code));
    if (strayArea) throw new ImportError(`${where}.areas: no area ${strayArea} in the campaign's questionnaire`);
    const data = {
      campaignId: campaign.id,
      key: a.key,
      name: a.name,
      title: a.title ?? null,
      telegramId: a.telegramId === undefined ? null : String(a.telegramId),
      fromFile: true,
    };
    const row = await tx.appraiser.findUnique({ where: { campaignId_key: { campaignId: campaign.id, key: a.key } } });
    let state: "created" | "updated" | "unchanged" = "unchanged";
    let appraiserId: number;
    if (!row) {
      appraiserId = (await tx.appraiser.create({ data })).id;
      state = "created";
    } else {
      appraiserId = row.id;
      const diff = changes(row, data);
      if (diff) {
        await tx.appraiser.update({ where: { id: row.id }, data: diff });
        state = "updated";
      }
    }
    // The file's scopes: every listed area of every listed unit; null stands for "any".
    const wanted = (units ?? [null]).flatMap((u) =>
      (areas ?? [null]).map((x) => ({ unitId: u?.id ?? null, areaId: x?.id ?? null })),
    );
    const keys = wanted.map((w) => scopeKeyOf(w.unitId, w.areaId));
    const existing = await tx.appraisalAssignment.findMany({ where: { appraiserId }, select: { scopeKey: true } });
    const have = new Set(existing.map((e) => e.scopeKey));
    const fresh = wanted.filter((_, j) => !have.has(keys[j]!));
    if (fresh.length > 0) {
      await tx.appraisalAssignment.createMany({
        data: fresh.map((w) => ({ appraiserId, ...w, scopeKey: scopeKeyOf(w.unitId, w.areaId), fromFile: true })),
      });
    }
    const gone = await tx.appraisalAssignment.deleteMany({
      where: { appraiserId, fromFile: true, scopeKey: { notIn: keys } },
    });
    counts.removed += gone.count;
    if (state === "unchanged" && (fresh.length > 0 || gone.count > 0)) state = "updated";
    counts[state]++;
  }
  for (const campaignId of campaignIds) await linkAppraisersByTelegram(tx, campaignId);
}

export interface ImportOptions {
  /** The application's clock (visits in the past notify nobody). */
  now?: Date;
  visitReminderDays?: readonly number[];
  reminderTime?: string;
  /** Import only into a database without any campaign (the bot's first start); else skip. */
  onlyIfEmpty?: boolean;
  /** For the audit log: the file's name and who imports it ("cli:user@host", "bot start"). */
  source?: { file: string; by: string };
}

/**
 * Every import holds this PostgreSQL advisory lock for its whole transaction (the CLI's,
 * and the bot's seeding at its first start), so two at once wait for each other instead of
 * both creating the same rows. Next to the key of Prisma's migration lock (72707369).
 */
export const IMPORT_LOCK_KEY = 72707370;
/** How long an import waits for another one (or for SQLite's write lock) before giving up. */
const IMPORT_WAIT_MS = 120_000;
/** How long an import itself may take, once it has the lock. */
const IMPORT_RUN_MS = 120_000;

/** Prisma's "timed out" (SQLite busy past busy_timeout) or PostgreSQL's lock_timeout. */
function isLockWait(e: unknown): boolean {
  const error = e as { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string } } } };
  return error?.code === "P1008" || error?.meta?.driverAdapterError?.cause?.originalCode === "55P03";
}

/** Runs `work` in a transaction that no other import runs beside. */
async function importTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  const giveUpAt = Date.now() + IMPORT_WAIT_MS;
  for (;;) {
    let began = false;
    try {
      return await db.$transaction(
        async (tx) => {
          began = true;
          if (clientProvider(tx) === "postgresql") {
            // Bounded, so that a stuck import ends this one with a message, not a timeout.
            await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${IMPORT_WAIT_MS}`);
            await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${IMPORT_LOCK_KEY})`);
          }
          return work(tx);
        },
        { timeout: IMPORT_WAIT_MS + IMPORT_RUN_MS, maxWait: 30_000 },
      );
    } catch (e) {
      // SQLite: the transaction begins IMMEDIATE, taking the database's one write lock, and
      // waits busy_timeout (5 s) for it; another import may hold it longer. Nothing has run
      // yet, so it simply begins again.
      if (!began && isLockWait(e) && Date.now() < giveUpAt) continue;
      if (isLockWait(e))
        throw new ImportError(
          "another import (or the bot's first start) is still writing after 2 minutes: try again when it has finished",
        );
      throw e;
    }
  }
}

export async function importData(
  db: Db,
  file: DataFile,
  timeZone: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const report: ImportReport = {
    units: emptyCounts(),
    questionnaire: emptyCounts(),
    campaign: emptyCounts(),
    visits: emptyCounts(),
    appraisers: emptyCounts(),
    visitOutcomes: [],
    skipped: false,
  };
  await importTransaction(db, async (tx) => {
    // Checked under the lock: two bots starting on an empty database seed it once.
    if (options.onlyIfEmpty && (await tx.campaign.count()) > 0) {
      report.skipped = true;
      return;
    }
    await importUnits(tx, file.units, report.units);
    if (file.questionnaire) await importQuestionnaire(tx, file.questionnaire, report.questionnaire);
    if (file.campaign) await importCampaign(tx, file.campaign, timeZone, report.campaign);
    await importVisits(tx, file, timeZone, options, report.visits, report.visitOutcomes);
    await importAppraisers(tx, file, report.appraisers);
    await audit(tx, {
      actorId: null,
      action: "campaign.import",
      entity: "DataFile",
      entityId: options.source?.file ?? "",
      after: {
        by: options.source?.by ?? null,
        campaignCode: file.campaign?.code ?? null,
        counts: Object.fromEntries(IMPORT_SECTIONS.map((section) => [section, report[section]])),
        visitsChanged: report.visitOutcomes.filter((o) => o.applied.length > 0).map((o) => o.key),
        visitsLeftAsChangedInChat: report.visitOutcomes.filter((o) => o.kept.length > 0).map((o) => o.key),
      },
    });
  });
  // Campaign, questionnaire, units and people may all have changed.
  forgetCached(db);
  return report;
}
