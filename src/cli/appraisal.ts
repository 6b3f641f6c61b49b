/**
 * Appraisal commands of the command line (npm run cli -- <command>):
 *   phase [<phase> --as <telegram id> [--deadline "dd/MM/yyyy HH:mm"]]
 *   appraisers [list | add <key> <name> [--title <t>] | assign|unassign <key> [--unit <u>]… [--area <code>]…]
 *   progress [--round 1|2]
 *   adjust [list | bonus|penalty <unit> <points> <reason…> --as <id> | remove <id> --as <id>]
 *   recognize [list | commend|criticise <unit> <reason…> --as <id> | withdraw <unit> --as <id>]
 * Moves and adjustments act as a coordinator named by their Telegram id (--as): the same
 * check and the same audit entry as in chat, so the log names a person, not a shell.
 */
import { parseArgs } from "node:util";
import type { CampaignStatus, Db, RecognitionKind } from "../db/client.ts";
import { parseLocaleNumber } from "../domain/answers.ts";
import { appraisalProgress } from "../domain/appraisal.ts";
import { moveCampaignPhase } from "../domain/appraisal-phases.ts";
import { AppraisalRefused, nextPhase, PHASES, phaseReached, refusalText } from "../domain/appraisal-rules.ts";
import { assignAppraiser, listAppraisers, saveAppraiser, unassignAppraiser } from "../domain/appraisers.ts";
import { activeCampaign } from "../domain/people.ts";
import {
  addAdjustment,
  adjustmentsOf,
  decideRecognition,
  finalRanking,
  proposeRecognitions,
  recognitionsOf,
  removeAdjustment,
} from "../domain/ranking.ts";
import { campaignShape } from "../domain/status.ts";
import { formatDateTime, parseViDateTime } from "../domain/time.ts";
import { findUnits } from "../domain/units.ts";
import { createI18n } from "../i18n.ts";

/** A mistake in the command line: printed with the usage. */
export class AppraisalUsageError extends Error {}

export const APPRAISAL_USAGE = `  phase                Show the campaign's phase and its dates.
  phase <phase> --as <telegram id> [--deadline "dd/MM/yyyy HH:mm"]
                       Move to the next phase (appraisal, explanation, final-appraisal, published,
                       closed, or "next"), as that coordinator; closing round 1 needs --deadline.
  appraisers           List the appraisal council and what each appraises.
  appraisers add <key> <name> [--title <title>]
  appraisers assign|unassign <key> [--unit <unit>]... [--area <code>]...
                       Units alone: every area of them; areas alone: those areas of every unit.
  progress [--round 1|2]
                       Items appraised / to appraise, per appraiser and per unit.
  adjust               List bonus and penalty points.
  adjust bonus|penalty <unit> <points> <reason...> --as <telegram id>
  adjust remove <id> --as <telegram id>
  recognize            Commend / criticise: the ranking's proposals and the decisions taken.
  recognize commend|criticise <unit> <reason...> --as <telegram id>
  recognize withdraw <unit> --as <telegram id>`;

interface Context {
  db: Db;
  timeZone: string;
  locale: "vi" | "en";
  coordinatorIds: readonly bigint[];
}

const PHASE_NAMES: Record<string, CampaignStatus> = {
  "self-assessment": "SELF_ASSESSMENT",
  appraisal: "APPRAISAL",
  explanation: "EXPLANATION",
  "final-appraisal": "FINAL_APPRAISAL",
  published: "PUBLISHED",
  closed: "CLOSED",
};
const nameOf = (phase: CampaignStatus) => phase.toLowerCase().replace("_", "-");

async function campaignOrFail(db: Db) {
  const campaign = await activeCampaign(db);
  if (!campaign) throw new AppraisalUsageError("no active campaign: import one first");
  return campaign;
}

/** The person a coordinator's Telegram id names. */
async function personOf(db: Db, telegramId: string | undefined): Promise<number> {
  if (!telegramId || !/^\d{1,20}$/.test(telegramId))
    throw new AppraisalUsageError("--as <telegram user id> of a coordinator");
  const account = await db.personChannel.findUnique({
    where: { channel_externalId: { channel: "telegram", externalId: telegramId } },
  });
  if (!account) throw new AppraisalUsageError(`no one with Telegram id ${telegramId} has used the bot`);
  return account.personId;
}

async function oneUnit(db: Db, campaignId: number, query: string) {
  const units = await findUnits(db, campaignId, query);
  if (units.length !== 1)
    throw new AppraisalUsageError(
      units.length === 0
        ? `no unit matches "${query}"`
        : `"${query}" matches ${units.length} units: ${units.map((u) => u.shortName).join("; ")}`,
    );
  return units[0]!;
}

/** A refusal in DEFAULT_LOCALE, as the bot would say it (plain text). */
function refused(ctx: Context, e: AppraisalRefused): string {
  const t = createI18n(ctx.locale, { plainText: true }).forLocale(ctx.locale);
  return refusalText(e.refusal, t, ctx.locale, ctx.timeZone);
}

async function runPhase(ctx: Context, args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: { as: { type: "string" }, deadline: { type: "string" } },
    allowPositionals: true,
  });
  const campaign = await campaignOrFail(ctx.db);
  if (positionals.length === 0) {
    const date = (d: Date | null) => (d ? formatDateTime(d, ctx.timeZone) : "-");
    console.log(
      `${campaign.code}: ${nameOf(campaign.status)} (next: ${nameOf(nextPhase(campaign.status) ?? "CLOSED")})`,
    );
    console.log(`  self-assessment deadline   ${date(campaign.selfAssessmentDeadline)}`);
    console.log(`  appraisal round 1 opened   ${date(campaign.appraisalOpenedAt)}`);
    console.log(`  appraisal round 1 closed   ${date(campaign.appraisalClosedAt)}`);
    console.log(`  explanation deadline       ${date(campaign.explanationDeadline)}`);
    console.log(`  appraisal round 2 opened   ${date(campaign.finalAppraisalOpenedAt)}`);
    console.log(`  published                  ${date(campaign.publishedAt)}`);
    return;
  }
  const wanted = positionals[0]!.toLowerCase();
  const to = wanted === "next" ? nextPhase(campaign.status) : PHASE_NAMES[wanted];
  if (!to) throw new AppraisalUsageError(`unknown phase "${wanted}" (${PHASES.slice(1).map(nameOf).join(", ")}, next)`);
  let explanationDeadline: Date | undefined;
  if (values.deadline) {
    const parsed = parseViDateTime(values.deadline, ctx.timeZone, [23, 59]);
    if (!parsed) throw new AppraisalUsageError(`--deadline "${values.deadline}" is not a date as dd/MM/yyyy HH:mm`);
    explanationDeadline = parsed;
  }
  const personId = await personOf(ctx.db, values.as);
  const result = await moveCampaignPhase(ctx.db, {
    campaignId: campaign.id,
    to,
    personId,
    coordinatorIds: ctx.coordinatorIds,
    now: new Date(),
    explanationDeadline,
  });
  console.log(`${campaign.code}: ${nameOf(result.from)} -> ${nameOf(result.to)} (${result.notices} notices)`);
}

/** --unit and --area values, each a list. */
async function scopeArgs(ctx: Context, campaignId: number, questionnaireId: number | null, args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: { unit: { type: "string", multiple: true }, area: { type: "string", multiple: true } },
    allowPositionals: true,
  });
  const unitIds: number[] = [];
  for (const u of values.unit ?? []) unitIds.push((await oneUnit(ctx.db, campaignId, u)).id);
  const areaIds: number[] = [];
  for (const code of values.area ?? []) {
    const area = await ctx.db.reformArea.findFirst({ where: { questionnaireId: questionnaireId ?? -1, code } });
    if (!area) throw new AppraisalUsageError(`no area ${code} in the campaign's questionnaire`);
    areaIds.push(area.id);
  }
  if (unitIds.length + areaIds.length === 0) throw new AppraisalUsageError("name --unit or --area (or both)");
  return { positionals, scope: { unitIds, areaIds } };
}

async function runAppraisers(ctx: Context, args: string[], by: string) {
  const campaign = await campaignOrFail(ctx.db);
  const [sub = "list", ...rest] = args;
  if (sub === "list") {
    for (const a of await listAppraisers(ctx.db, campaign.id)) {
      const scopes = a.assignments.map((s) => `${s.unit?.shortName ?? "*"}/${s.area?.code ?? "*"}`).join(", ");
      console.log(
        [a.key, a.name, a.person ? `linked: ${a.person.displayName}` : "not linked", scopes || "-"].join("\t"),
      );
    }
    return;
  }
  if (sub === "add") {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { title: { type: "string" } },
      allowPositionals: true,
    });
    const [key, ...name] = positionals;
    if (!key || !/^[a-z0-9][a-z0-9-]*$/.test(key) || name.length === 0)
      throw new AppraisalUsageError("appraisers add <key: lower-case letters, digits, dashes> <name>");
    const row = await saveAppraiser(ctx.db, campaign.id, { key, name: name.join(" "), title: values.title }, by);
    console.log(`appraiser ${row.key}: ${row.name}`);
    return;
  }
  if (sub === "assign" || sub === "unassign") {
    const { positionals, scope } = await scopeArgs(ctx, campaign.id, campaign.questionnaireId, rest);
    const key = positionals[0];
    if (!key || positionals.length > 1) throw new AppraisalUsageError(`appraisers ${sub} <key> --unit … --area …`);
    const result =
      sub === "assign"
        ? await assignAppraiser(ctx.db, campaign.id, key, scope, by)
        : await unassignAppraiser(ctx.db, campaign.id, key, scope, by);
    if (!result) throw new AppraisalUsageError(`no appraiser ${key} (appraisers add ${key} <name>)`);
    console.log(
      `appraiser ${key}: ${"added" in result ? `${result.added} assignments added` : `${result.removed} removed`}`,
    );
    return;
  }
  throw new AppraisalUsageError(`unknown appraisers command "${sub}"`);
}

async function runProgress(ctx: Context, args: string[]) {
  const { values } = parseArgs({ args, options: { round: { type: "string" } } });
  if (values.round !== undefined && values.round !== "1" && values.round !== "2")
    throw new AppraisalUsageError("--round 1 or 2");
  const campaign = await campaignOrFail(ctx.db);
  const progress = await appraisalProgress(
    ctx.db,
    await campaignShape(ctx.db, campaign),
    values.round ? (Number(values.round) as 1 | 2) : undefined,
  );
  console.log(`round ${progress.round}: appraisers (done/assigned, by them)`);
  for (const a of progress.appraisers) console.log(`  ${a.key}\t${a.name}\t${a.done}/${a.assigned}\t${a.byThem}`);
  console.log(`round ${progress.round}: units (done/assigned)`);
  for (const u of progress.units) console.log(`  ${u.name}\t${u.done}/${u.assigned}`);
}

async function runAdjust(ctx: Context, args: string[]) {
  const campaign = await campaignOrFail(ctx.db);
  const { values, positionals } = parseArgs({ args, options: { as: { type: "string" } }, allowPositionals: true });
  const [sub = "list", ...rest] = positionals;
  if (sub === "list") {
    for (const a of await adjustmentsOf(ctx.db, campaign.id))
      console.log(
        [`#${a.id}`, a.unit.shortName, a.kind.toLowerCase(), a.points, a.reason, a.by.displayName].join("\t"),
      );
    return;
  }
  const act = {
    campaignId: campaign.id,
    personId: await personOf(ctx.db, values.as),
    coordinatorIds: ctx.coordinatorIds,
    now: new Date(),
  };
  if (sub === "remove") {
    const id = Number(rest[0]?.replace(/^#/, ""));
    if (!Number.isSafeInteger(id) || id <= 0) throw new AppraisalUsageError("adjust remove <id> --as <telegram id>");
    const row = await removeAdjustment(ctx.db, { ...act, adjustmentId: id });
    console.log(`#${row.id} removed`);
    return;
  }
  if (sub !== "bonus" && sub !== "penalty") throw new AppraisalUsageError(`unknown adjust command "${sub}"`);
  const [unitName, pointsText, ...reason] = rest;
  const points = pointsText ? parseLocaleNumber(pointsText, "plain") : { ok: false as const };
  if (!unitName || !points.ok)
    throw new AppraisalUsageError(`adjust ${sub} <unit> <points> <reason…> --as <telegram id>`);
  const unit = await oneUnit(ctx.db, campaign.id, unitName);
  const row = await addAdjustment(ctx.db, {
    ...act,
    unitId: unit.id,
    kind: sub === "bonus" ? "BONUS" : "PENALTY",
    points: points.value,
    reason: reason.join(" "),
  });
  console.log(`#${row.id} ${unit.shortName}: ${sub} ${row.points}`);
}

async function runRecognize(ctx: Context, args: string[]) {
  const campaign = await campaignOrFail(ctx.db);
  const { values, positionals } = parseArgs({ args, options: { as: { type: "string" } }, allowPositionals: true });
  const [sub = "list", unitName, ...reason] = positionals;
  if (sub === "list") {
    // Proposals exist once round 1 is closed: before, the ranking is by self-score.
    if (phaseReached(campaign.status, "EXPLANATION")) {
      const ranking = await finalRanking(ctx.db, await campaignShape(ctx.db, campaign));
      for (const p of proposeRecognitions(ranking)) {
        const basis = p.basis.complete ? `group ${p.basis.group}, rank ${p.basis.rank}` : "not ranked";
        console.log(["proposed", p.kind.toLowerCase(), p.name, basis].join("\t"));
      }
    }
    for (const r of await recognitionsOf(ctx.db, campaign.id))
      console.log(["decided", r.kind.toLowerCase(), r.unit.shortName, r.reason, r.by.displayName].join("\t"));
    return;
  }
  const kinds: Record<string, RecognitionKind | null> = { commend: "COMMEND", criticise: "CRITICISE", withdraw: null };
  if (!(sub in kinds) || !unitName)
    throw new AppraisalUsageError("recognize commend|criticise <unit> <reason…> --as <telegram id>");
  const kind = kinds[sub]!;
  const unit = await oneUnit(ctx.db, campaign.id, unitName);
  await decideRecognition(ctx.db, {
    campaignId: campaign.id,
    personId: await personOf(ctx.db, values.as),
    coordinatorIds: ctx.coordinatorIds,
    now: new Date(),
    unitId: unit.id,
    kind,
    // A withdrawal needs no reason of its own; the audit log keeps the decision withdrawn.
    reason: kind === null ? "withdrawn" : reason.join(" "),
  });
  console.log(`${unit.shortName}: ${kind === null ? "decision withdrawn" : sub}`);
}

export const APPRAISAL_COMMANDS = ["phase", "appraisers", "progress", "adjust", "recognize"] as const;

/** Runs one appraisal command; a refusal is printed in DEFAULT_LOCALE and exits 1. */
export async function runAppraisalCommand(ctx: Context, command: string, args: string[], by: string): Promise<number> {
  try {
    if (command === "phase") await runPhase(ctx, args);
    else if (command === "appraisers") await runAppraisers(ctx, args, by);
    else if (command === "progress") await runProgress(ctx, args);
    else if (command === "recognize") await runRecognize(ctx, args);
    else await runAdjust(ctx, args);
    return 0;
  } catch (e) {
    if (!(e instanceof AppraisalRefused)) throw e;
    console.error(refused(ctx, e));
    return 1;
  }
}
