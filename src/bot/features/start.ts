import { Composer, InlineKeyboard } from "grammy";
import { type OpenResult, openInvite } from "../../domain/invites.ts";
import { standingOf } from "../../domain/people.ts";
import { formatDateTime } from "../../domain/time.ts";
import { setPersonalMenu } from "../commands.ts";
import type { BotContext } from "../context.ts";
import { encodeAction } from "./self-assessment/callback-data.ts";

/** /start and /start <code> (deep link from an invite). */
export const startFeature = new Composer<BotContext>();

/** What a person can do first, as buttons: officers start their self-assessment. */
function startKeyboard(ctx: BotContext): InlineKeyboard | undefined {
  if (ctx.standing.role !== "OFFICER") return undefined;
  return new InlineKeyboard().text(ctx.t("start.begin_assessment"), encodeAction({ kind: "list" }));
}

function greeting(ctx: BotContext): string {
  const name = ctx.person.displayName;
  const campaign = ctx.campaign?.title;
  const { role, membership } = ctx.standing;
  if (!campaign) return ctx.t("start.greeting_guest_no_campaign", { name });
  if (!role) return ctx.t("start.greeting_guest", { name, campaign });
  const roleName = ctx.t(`roles.${role}`);
  const unit = membership?.unit?.name;
  const text = unit
    ? ctx.t("start.greeting_member_unit", { name, role: roleName, unit, campaign })
    : ctx.t("start.greeting_member", { name, role: roleName, campaign });
  return `${text}\n\n${ctx.t("start.next_steps")}`;
}

/** A minute rounded up: "from 08:05" never names a time the person is still refused. */
const MINUTE = 60_000;

/**
 * Why a code did not link the person. A wrong code, one someone else used, an expired one
 * (and a revoked one) get the same answer: told apart, the answer would confirm that a
 * guess hit a real code (and, for a used one, that someone joined with it), which is what
 * a guesser looks for. The person holding a real code needs the same advice in every case:
 * check it, or ask for a new one. Only the person who used a code hears that it is theirs.
 */
function refusal(ctx: BotContext, result: Exclude<OpenResult, { ok: true }>, code: string): string {
  switch (result.reason) {
    case "usedBySelf":
      return ctx.t("start.invite_used_self");
    case "throttled": {
      const at = new Date(Math.ceil(result.retryAt.getTime() / MINUTE) * MINUTE);
      const [date, time] = formatDateTime(at, ctx.config.TZ).split(" ");
      return ctx.t("start.invite_throttled", { date, time });
    }
    default:
      return ctx.t("start.invite_invalid", { code: code.slice(0, 64) });
  }
}

startFeature.command("start", async (ctx) => {
  const code = ctx.match.trim();
  if (!code) {
    await ctx.reply(greeting(ctx), { reply_markup: startKeyboard(ctx) });
    await setPersonalMenu(ctx.api, ctx.deps.i18n, ctx.from!.id, ctx.locale, ctx.standing.role);
    return;
  }
  if (!ctx.campaign) {
    await ctx.reply(ctx.t("start.no_campaign"));
    return;
  }
  const result = await openInvite(ctx.deps.db, code, ctx.person.id, ctx.now());
  if (!result.ok) {
    ctx.logger.info({ person: ctx.person.id, reason: result.reason }, "invite refused");
    await ctx.reply(refusal(ctx, result, code));
    return;
  }
  ctx.standing = await standingOf(ctx.deps.db, ctx.person, ctx.campaign, ctx.config.COORDINATOR_IDS);
  const role = ctx.t(`roles.${ctx.standing.role ?? result.role}`);
  const vars = { role, campaign: ctx.campaign.title };
  const lines = [
    result.unit ? ctx.t("start.linked_unit", { ...vars, unit: result.unit.name }) : ctx.t("start.linked", vars),
  ];
  if (result.previousRole && result.previousRole !== result.role) {
    lines.push(ctx.t("start.role_changed", { previous: ctx.t(`roles.${result.previousRole}`) }));
  }
  lines.push(ctx.t("start.next_steps"));
  ctx.logger.info({ person: ctx.person.id, role: result.role, unit: result.unit?.code }, "invite redeemed");
  await ctx.reply(lines.join("\n\n"), { reply_markup: startKeyboard(ctx) });
  await setPersonalMenu(ctx.api, ctx.deps.i18n, ctx.from!.id, ctx.locale, ctx.standing.role);
});
