import { Composer, InlineKeyboard } from "grammy";
import { redeemInvite } from "../../domain/invites.ts";
import { standingOf } from "../../domain/people.ts";
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
  const result = await redeemInvite(ctx.deps.db, code, ctx.person.id, ctx.now());
  if (!result.ok) {
    const key = {
      unknown: "start.invite_unknown",
      used: "start.invite_used",
      usedBySelf: "start.invite_used_self",
      expired: "start.invite_expired",
    }[result.reason];
    await ctx.reply(ctx.t(key, { code: code.slice(0, 64) }));
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
