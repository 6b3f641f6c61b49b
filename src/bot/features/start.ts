import { Composer, InlineKeyboard } from "grammy";
import { type AccessStamp, stampOfAccess } from "../../domain/access.ts";
import { type OpenResult, openInvite } from "../../domain/invites.ts";
import { noticesEnqueued } from "../../domain/notices.ts";
import { standingOf } from "../../domain/people.ts";
import { formatDateTime } from "../../domain/time.ts";
import { setPersonalMenu } from "../commands.ts";
import type { BotContext } from "../context.ts";
import { sendLong } from "../messages.ts";
import { encodeAction as encodeAccessAction } from "./access/callback-data.ts";
import { accessText, type View } from "./access/views.ts";
import { encodeAction } from "./self-assessment/callback-data.ts";

/**
 * /start and /start <code> (deep link from an invite). A person who has a role already is
 * asked before a code moves them to another unit or role (the buttons are answered in
 * src/bot/features/access/).
 */
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

/** What the person reads when the code did not link them (or not yet: a move to confirm). */
function notLinkedView(ctx: BotContext, result: Exclude<OpenResult, { ok: true }>, code: string): View {
  switch (result.reason) {
    case "usedBySelf":
      return { text: ctx.t("start.invite_used_self") };
    case "configuredCoordinator":
      return { text: ctx.t("start.invite_configured_coordinator") };
    case "throttled": {
      const at = new Date(Math.ceil(result.retryAt.getTime() / MINUTE) * MINUTE);
      const [date, time] = formatDateTime(at, ctx.config.TZ).split(" ");
      return { text: ctx.t("start.invite_throttled", { date, time }) };
    }
    case "confirm": {
      // Both buttons carry the code the person already has in this chat, and the access
      // they agree to leave: a press after it changed asks again.
      const current = accessText(ctx, result.current);
      const keyboard = new InlineKeyboard()
        .text(
          ctx.t("start.move.confirm_button"),
          encodeAccessAction({
            kind: "move",
            code: result.code,
            access: stampOfAccess(result.current),
          }),
        )
        .text(ctx.t("start.move.keep_button"), encodeAccessAction({ kind: "keep" }));
      const text = ctx.t("start.move.ask", {
        current,
        next: accessText(ctx, result.next),
        campaign: ctx.campaign!.title,
      });
      return { text, keyboard };
    }
    default:
      // A wrong code, one someone else used, an expired one and a revoked one get the same
      // answer: told apart, the answer would confirm that a guess hit a real code (and,
      // for a used one, that someone joined with it), which is what a guesser looks for.
      // The person holding a real code needs the same advice in every case: check it, or
      // ask for a new one. Only the person who used a code hears that it is theirs.
      return { text: ctx.t("start.invite_invalid", { code: code.slice(0, 64) }) };
  }
}

/**
 * A person opens an invite code (typed after /start, or confirmed with a button): throttled,
 * then linked, refused, or asked to confirm a move. `confirmed` is the access the person
 * agreed to leave.
 */
export async function useInvite(ctx: BotContext, code: string, confirmed: AccessStamp | null = null): Promise<void> {
  if (!ctx.campaign) return sendLong(ctx, ctx.t("start.no_campaign"));
  const result = await openInvite(ctx.deps.db, code, ctx.person.id, {
    now: ctx.now(),
    coordinatorIds: ctx.config.COORDINATOR_IDS,
    confirmed,
  });
  if (!result.ok) {
    ctx.logger.info({ person: ctx.person.id, reason: result.reason }, "invite not used");
    const view = notLinkedView(ctx, result, code);
    return sendLong(ctx, view.text, view.keyboard);
  }
  ctx.standing = await standingOf(ctx.deps.db, ctx.person, ctx.campaign, ctx.config.COORDINATOR_IDS);
  const role = ctx.t(`roles.${ctx.standing.role ?? result.role}`);
  const vars = { role, campaign: ctx.campaign.title };
  const lines = [
    result.unit ? ctx.t("start.linked_unit", { ...vars, unit: result.unit.name }) : ctx.t("start.linked", vars),
  ];
  if (result.moved && result.previous) {
    lines.push(ctx.t("start.move.done", { previous: accessText(ctx, result.previous) }));
    noticesEnqueued();
  }
  lines.push(ctx.t("start.next_steps"));
  ctx.logger.info(
    { person: ctx.person.id, role: result.role, unit: result.unit?.code, moved: result.moved },
    "invite redeemed",
  );
  await sendLong(ctx, lines.join("\n\n"), startKeyboard(ctx));
  await setPersonalMenu(ctx.api, ctx.deps.i18n, ctx.from!.id, ctx.locale, ctx.standing.role);
}

/** «Keep as now» under a move question: nothing changes, the code stays unused. */
export async function keepAccess(ctx: BotContext): Promise<void> {
  const { role, membership } = ctx.standing;
  const text = role
    ? ctx.t("start.move.kept", { current: accessText(ctx, { role, unit: membership?.unit ?? null }) })
    : ctx.t("start.move.kept_none");
  await sendLong(ctx, text);
}

startFeature.command("start", async (ctx) => {
  const code = ctx.match.trim();
  if (code) return useInvite(ctx, code);
  await ctx.reply(greeting(ctx), { reply_markup: startKeyboard(ctx) });
  await setPersonalMenu(ctx.api, ctx.deps.i18n, ctx.from!.id, ctx.locale, ctx.standing.role);
});
