/**
 * The inspection team at a visit (src/domain/findings.ts): /tontai shows a unit's findings
 * (tồn tại, hạn chế); «➕ Ghi tồn tại» makes the member's next typed text a finding, tied
 * to a criterion, a content or an item when it starts with one ("1.1: …", "26.1 - …",
 * "Chỉ thị 26: …"); then their photos and files are its photos until «Xong» or another
 * command. /kiemtra shows the checklist of the inspected contents (Directives 26, 25, 09,
 * the PAPI plan) with a mark per item and, after a mark, takes the next typed text as its
 * note; coordinators without a unit see the coverage across units. What a typed message
 * or file means is the VisitCursor row (FINDING, ITEM_NOTE), never memory.
 */
import { Composer, InlineKeyboard } from "grammy";
import { receiveFindingFile } from "../../../app/finding-files.ts";
import {
  beginFinding,
  checklistOf,
  checkTeamVisit,
  coverage,
  type FindingRefusal,
  findingsOf,
  markItem,
  noteItem,
  recordTypedFinding,
  splitTarget,
  teamVisitsOf,
  withdrawFinding,
} from "../../../domain/findings.ts";
import { shorten } from "../../../domain/text.ts";
import { matchUnits } from "../../../domain/units.ts";
import type { TeamActor } from "../../../domain/visit-team.ts";
import { clearCursor } from "../../../domain/visits.ts";
import type { BotContext } from "../../context.ts";
import { replyLong } from "../../messages.ts";
import { receiveSentFile } from "../../sent-files.ts";
import { forgetVisitCursor, visitCursorOf } from "../visits/cursor.ts";
import { checklistButtons, findingButtons } from "./callback-data.ts";
import {
  asTied,
  checklistScreen,
  contentScreen,
  coverageScreen,
  findingsScreen,
  markLabel,
  targetForms,
  targetLine,
  type VisitHead,
  visitPicker,
} from "./views.ts";

export const findingsFeature = new Composer<BotContext>();

const actorOf = (ctx: BotContext): TeamActor => ({ personId: ctx.person.id, role: ctx.standing.role });
const onTeamSide = (ctx: BotContext) => ctx.standing.role === "INSPECTOR" || ctx.standing.role === "COORDINATOR";
const refused = (ctx: BotContext, reason: FindingRefusal) => ctx.reply(ctx.t(`findings.refused.${reason}`));

// ---------------------------------------------------------------- which visit

type Screen = "findings" | "checklist";

/**
 * The visit a command names: the unit's visit the person is on the team of, or one of
 * their team visits to pick (buttons); null after saying why there is none.
 */
async function pickVisit(ctx: BotContext, screen: Screen, query: string): Promise<number | null> {
  const campaign = ctx.campaign!;
  const db = ctx.deps.db;
  const actor = actorOf(ctx);
  let unitIds: number[] | undefined;
  if (query) {
    const { matches, suggestions } = await matchUnits(db, campaign.id, query);
    if (matches.length === 0) {
      const near = suggestions.map((u) => u.shortName).join(", ");
      await ctx.reply(
        ctx.t(near ? "findings.unit_unknown_near" : "findings.unit_unknown", { query: shorten(query, 60), near }),
      );
      return null;
    }
    unitIds = matches.map((u) => u.id);
  }
  const visits = await teamVisitsOf(db, campaign.id, actor, unitIds);
  if (visits.length === 0) {
    if (!unitIds) {
      await ctx.reply(ctx.t("findings.no_team_visits"));
      return null;
    }
    const any = await db.inspectionVisit.count({
      where: { campaignId: campaign.id, unitId: { in: unitIds }, status: { not: "CANCELLED" } },
    });
    await (any ? refused(ctx, "not_team") : ctx.reply(ctx.t("findings.no_visit", { query: shorten(query, 60) })));
    return null;
  }
  if (visits.length === 1) return visits[0]!.id;
  const encode =
    screen === "findings"
      ? (visitId: number) => findingButtons.encode({ kind: "show", visitId })
      : (visitId: number) => checklistButtons.encode({ kind: "visit", visitId });
  await replyLong(ctx, ctx.t("findings.pick_visit"), visitPicker(ctx, visits, encode));
  return null;
}

/** The visit, checked for the person (team, not cancelled); null after saying why not. */
async function teamVisit(ctx: BotContext, visitId: number): Promise<VisitHead | null> {
  const checked = await checkTeamVisit(ctx.deps.db, ctx.campaign!.id, visitId, actorOf(ctx));
  if (!checked.ok) {
    await refused(ctx, checked.reason);
    return null;
  }
  return checked.visit;
}

async function showFindings(ctx: BotContext, visitId: number, head?: string) {
  const visit = await teamVisit(ctx, visitId);
  if (!visit) return;
  const { text, keyboard } = await findingsScreen(ctx, visit, await findingsOf(ctx.deps.db, visitId), head);
  await replyLong(ctx, text, keyboard);
}

async function showChecklist(ctx: BotContext, visitId: number) {
  const visit = await teamVisit(ctx, visitId);
  if (!visit) return;
  const { text, keyboard } = checklistScreen(ctx, visit, await checklistOf(ctx.deps.db, visitId));
  await replyLong(ctx, text, keyboard);
}

async function showContent(ctx: BotContext, visitId: number, contentId: number, head?: string) {
  const visit = await teamVisit(ctx, visitId);
  if (!visit) return;
  const content = (await checklistOf(ctx.deps.db, visitId)).find((c) => c.id === contentId);
  if (!content) return void (await refused(ctx, "not_found"));
  const { text, keyboard } = contentScreen(ctx, visit, content, head);
  await replyLong(ctx, text, keyboard);
}

/** Team side and a campaign; else says why not. */
async function ready(ctx: BotContext): Promise<boolean> {
  if (!ctx.campaign) {
    await ctx.reply(ctx.t("schedule.no_campaign"));
    return false;
  }
  if (!onTeamSide(ctx)) {
    await refused(ctx, "not_team");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- commands

findingsFeature.command("tontai", (ctx) => showFindingsOf(ctx, ctx.match.trim()));

/** /tontai [đơn vị], and the plain question that asks it ("tồn tại của Sông Mã"). */
export async function showFindingsOf(ctx: BotContext, query: string) {
  if (!(await ready(ctx))) return;
  const visitId = await pickVisit(ctx, "findings", query);
  if (visitId) await showFindings(ctx, visitId);
}

findingsFeature.command("kiemtra", async (ctx) => {
  if (!(await ready(ctx))) return;
  const query = ctx.match.trim();
  if (!query && ctx.standing.role === "COORDINATOR") {
    const campaignId = ctx.campaign!.id;
    const [cov, visits] = await Promise.all([
      coverage(ctx.deps.db, campaignId),
      teamVisitsOf(ctx.deps.db, campaignId, actorOf(ctx)),
    ]);
    const { text, keyboard } = coverageScreen(ctx, cov, visits);
    return replyLong(ctx, text, keyboard);
  }
  const visitId = await pickVisit(ctx, "checklist", query);
  if (visitId) await showChecklist(ctx, visitId);
});

// ---------------------------------------------------------------- buttons

findingsFeature.callbackQuery(findingButtons.filter, async (ctx) => {
  const action = findingButtons.parse(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  if (!(await ready(ctx))) return;
  const db = ctx.deps.db;
  const campaignId = ctx.campaign!.id;
  switch (action.kind) {
    case "show":
      return showFindings(ctx, action.visitId);
    case "add": {
      const result = await beginFinding(db, campaignId, action.visitId, actorOf(ctx), ctx.now());
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result.reason));
      const text = [
        ctx.t("findings.ask_text", { id: result.visit.id, unit: result.visit.unit.name }),
        "",
        await targetForms(ctx, campaignId),
      ].join("\n");
      return replyLong(ctx, text, doneKeyboard(ctx, result.visit.id, "findings.buttons.stop"));
    }
    case "done":
      await clearCursor(db, ctx.person.id);
      forgetVisitCursor(ctx);
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      return showFindings(ctx, action.visitId, ctx.t("findings.done"));
    case "withdrawList": {
      const visit = await teamVisit(ctx, action.visitId);
      if (!visit) return;
      const findings = await findingsOf(db, action.visitId);
      const checked = await checkTeamVisit(db, campaignId, action.visitId, actorOf(ctx));
      const lead = checked.ok && checked.standing === "lead";
      const mine = findings.filter((f) => lead || f.by.id === ctx.person.id);
      if (mine.length === 0) return void (await ctx.reply(ctx.t("findings.withdraw_none")));
      const kb = new InlineKeyboard();
      for (const f of mine.slice(0, 30)) {
        kb.text(
          ctx.t("findings.buttons.withdraw_item", { id: f.id, text: shorten(f.text, 28) }),
          findingButtons.encode({ kind: "withdraw", findingId: f.id }),
        ).row();
      }
      return void (await ctx.reply(ctx.t("findings.withdraw_pick"), { reply_markup: kb }));
    }
    case "withdraw": {
      const result = await withdrawFinding(db, campaignId, actorOf(ctx), action.findingId, ctx.now());
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result.reason));
      ctx.logger.info({ finding: result.finding.id }, "finding withdrawn");
      return showFindings(ctx, result.finding.visitId, ctx.t("findings.withdrawn", { id: result.finding.id }));
    }
  }
});

function doneKeyboard(ctx: BotContext, visitId: number, label: "findings.buttons.stop" | "findings.buttons.done") {
  return new InlineKeyboard().text(ctx.t(label), findingButtons.encode({ kind: "done", visitId }));
}

findingsFeature.callbackQuery(checklistButtons.filter, async (ctx) => {
  const action = checklistButtons.parse(ctx.callbackQuery.data);
  if (!action) return void (await ctx.answerCallbackQuery({ text: ctx.t("errors.bad_button") }));
  if (!(await ready(ctx))) return;
  switch (action.kind) {
    case "visit":
      return showChecklist(ctx, action.visitId);
    case "content":
      return showContent(ctx, action.visitId, action.contentId);
    case "mark": {
      const result = await markItem(ctx.deps.db, {
        campaignId: ctx.campaign!.id,
        visitId: action.visitId,
        actor: actorOf(ctx),
        item: { id: action.itemId },
        result: action.result,
        now: ctx.now(),
        askNote: true,
      });
      forgetVisitCursor(ctx);
      if (!result.ok) return void (await refused(ctx, result.reason));
      const head = ctx.t("findings.checklist.marked", {
        code: result.item.code,
        mark: markLabel(ctx, result.check.result),
      });
      return showContent(
        ctx,
        action.visitId,
        result.item.contentId,
        `${head}\n${ctx.t("findings.checklist.ask_note")}`,
      );
    }
  }
});

// ---------------------------------------------------------------- typed text and files

/** A typed text in a FINDING step is a finding; in an ITEM_NOTE step, the mark's note. */
findingsFeature.on("message:text", async (ctx, next) => {
  const cursor = await visitCursorOf(ctx);
  if (!cursor || (cursor.mode !== "FINDING" && cursor.mode !== "ITEM_NOTE") || !ctx.campaign) return next();
  if (!onTeamSide(ctx)) return next();
  const db = ctx.deps.db;
  const campaignId = ctx.campaign.id;
  const typed = ctx.message.text;
  if (cursor.mode === "ITEM_NOTE") {
    const result = await noteItem(db, campaignId, actorOf(ctx), typed, ctx.now(), cursor);
    forgetVisitCursor(ctx);
    if (!result.ok) return void (await refused(ctx, result.reason));
    const head = ctx.t("findings.checklist.noted", {
      code: result.item.code,
      note: shorten(result.check.note ?? "", 200),
    });
    return showContent(ctx, result.visit.id, result.item.contentId, head);
  }
  const result = await recordTypedFinding(db, campaignId, actorOf(ctx), typed, ctx.now());
  forgetVisitCursor(ctx);
  if (!result.ok) {
    if (result.reason === "unknown_target") {
      const target = splitTarget(typed).target ?? "";
      return replyLong(
        ctx,
        [ctx.t("findings.refused.unknown_target", { target }), "", await targetForms(ctx, campaignId)].join("\n"),
      );
    }
    return void (await refused(ctx, result.reason));
  }
  const { finding, target } = result;
  ctx.logger.info({ finding: finding.id, visit: finding.visitId }, "finding recorded");
  const lines = [ctx.t("findings.recorded", { id: finding.id })];
  lines.push(target ? (targetLine(ctx, asTied(target), 300) ?? "") : ctx.t("findings.target.none"));
  lines.push("", ctx.t("findings.ask_photos"));
  await ctx.reply(lines.join("\n"), { reply_markup: doneKeyboard(ctx, finding.visitId, "findings.buttons.done") });
});

const FINDING_FILE_TEXTS = {
  tooLarge: "findings.file.too_large",
  downloadFailed: "findings.file.download_failed",
  wrongType: "findings.file.wrong_type",
  photo: "findings.photo",
};

/** A photo or file in a FINDING step: a photo of the finding just recorded. */
findingsFeature.on(["message:document", "message:photo"], async (ctx, next) => {
  if (!onTeamSide(ctx) || !ctx.campaign) return next();
  const cursor = await visitCursorOf(ctx);
  if (cursor?.mode !== "FINDING") return next();
  if (!cursor.targetId) return void (await refused(ctx, "no_finding"));
  const campaignId = ctx.campaign.id;
  const received = await receiveSentFile(ctx, FINDING_FILE_TEXTS, (file, maxBytes) =>
    receiveFindingFile(
      { db: ctx.deps.db, store: ctx.deps.store, maxBytes },
      campaignId,
      actorOf(ctx),
      file,
      ctx.sentAt,
    ),
  );
  if (!received) return;
  const { result, name } = received;
  if (!result.ok) return void (await refused(ctx, result.reason));
  await ctx.reply(
    ctx.t(result.duplicate ? "findings.file.duplicate" : "findings.file.saved", {
      name: result.evidence.fileName ?? name,
      id: result.finding.id,
      count: result.count,
    }),
    { reply_markup: doneKeyboard(ctx, result.finding.visitId, "findings.buttons.done") },
  );
});
