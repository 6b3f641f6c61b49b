/**
 * The unit's side of the explanation (giải trình) after appraisal round 1: which of its
 * items round 1 changed, which are explained already and with how many files, and one item
 * with everything the officer needs to explain it. Reads only: the writes (explainItem,
 * addExplanationEvidence) and their refusals are in appraisal.ts. No Telegram in here.
 */
import type { Db, Evidence } from "../db/client.ts";
import { type AppraisalItem, appraisalItem } from "./appraisal.ts";
import { type ChangedItem, round1Changes } from "./appraisal-phases.ts";

export interface ExplanationEntry extends ChangedItem {
  explained: boolean;
  /** Files and links given with the explanation. */
  files: number;
}

/** The unit's items whose round-1 score changed (round1Changes), in questionnaire order, with their explanations. */
export async function unitExplanations(db: Db, campaignId: number, unitId: number): Promise<ExplanationEntry[]> {
  const where = { campaignId, unitId };
  const [changes, explained, files] = await Promise.all([
    round1Changes(db, campaignId, [unitId]),
    db.explanation.findMany({ where, select: { questionId: true } }),
    db.evidence.groupBy({
      by: ["questionId"],
      where: { ...where, removedAt: null, explanationId: { not: null } },
      _count: { _all: true },
    }),
  ]);
  const done = new Set(explained.map((e) => e.questionId));
  const counts = new Map(files.map((f) => [f.questionId, f._count._all]));
  return (changes.get(unitId) ?? []).map((c) => ({
    ...c,
    explained: done.has(c.questionId),
    files: counts.get(c.questionId) ?? 0,
  }));
}

export interface ExplanationItem {
  item: AppraisalItem;
  /** The explanation's files and links, oldest first. */
  files: Evidence[];
  /** Where the item is among the unit's changed items (1-based), and its neighbours there. */
  index: number;
  total: number;
  previous: number | null;
  next: number | null;
}

/**
 * One changed item of the unit, as the officer explains it: the question and the unit's
 * answer, self-score and round-1 score with the appraiser's comment, the explanation and
 * its files. Null when round 1 did not change this item of the unit (nothing to explain).
 */
export async function explanationItem(
  db: Db,
  campaignId: number,
  unitId: number,
  questionId: number,
): Promise<ExplanationItem | null> {
  const entries = await unitExplanations(db, campaignId, unitId);
  const at = entries.findIndex((e) => e.questionId === questionId);
  if (at < 0) return null;
  const [item, files] = await Promise.all([
    appraisalItem(db, campaignId, unitId, questionId),
    db.evidence.findMany({
      where: { campaignId, unitId, questionId, removedAt: null, explanationId: { not: null } },
      orderBy: { id: "asc" },
    }),
  ]);
  return {
    item,
    files,
    index: at + 1,
    total: entries.length,
    previous: entries[at - 1]?.questionId ?? null,
    next: entries[at + 1]?.questionId ?? null,
  };
}
