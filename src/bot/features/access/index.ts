/**
 * Access management for coordinators: /thuhoi removes a person's role (and unit) in the
 * campaign, picked by name, @username or unit, after a confirm button; /thuhoi <code>
 * and /mamoi revoke invite codes not used yet. The removed person is told through the
 * notice outbox and their command menu goes back to a guest's. Everyone else is refused,
 * except for the buttons that answer "move to the unit or role of this invite?" (start.ts).
 */
import { Composer } from "grammy";
import type { Person, PersonChannel, Unit } from "../../../db/client.ts";
import {
  findMember,
  findMembers,
  MAX_MEMBERS_FOUND,
  type Member,
  type RevokeResult,
  revokeMembership,
} from "../../../domain/access.ts";
import {
  findInvite,
  findInviteByCode,
  type InviteWithPeople,
  looksLikeCode,
  openInvites,
  revokeInvite,
} from "../../../domain/invites.ts";
import { noticesEnqueued } from "../../../domain/notices.ts";
import { matchUnits } from "../../../domain/units.ts";
import { setPersonalMenu } from "../../commands.ts";
import type { BotContext } from "../../context.ts";
import { answerButtonOnce, sendLong } from "../../messages.ts";
import { shorten } from "../schedule/views.ts";
import { keepAccess, useInvite } from "../start.ts";
import { parseAction } from "./callback-data.ts";
import {
  accessText,
  chooseMemberView,
  chooseUnitView,
  confirmMemberView,
  INVITE_PAGE_SIZE,
  invitesView,
  inviteView,
  type View,
  who,
} from "./views.ts";

export const accessFeature = new Composer<BotContext>();

const isCoordinator = (ctx: BotContext) => ctx.standing.role === "COORDINATOR";
const show = (ctx: BotContext, view: View) => sendLong(ctx, view.text, view.keyboard);
/** What a coordinator typed, as shown back to them. */
const echo = (text: string) => shorten(text, 60);

/** The campaign's id for a coordinator; null after telling anyone else why not. */
async function campaignIdFor(ctx: BotContext): Promise<number | null> {
  const refusal = !isCoordinator(ctx) ? "coordinator.refused" : !ctx.campaign ? "coordinator.no_campaign" : null;
  if (!refusal) return ctx.campaign!.id;
  if (ctx.callbackQuery) await answerButtonOnce(ctx, { text: ctx.t(refusal), show_alert: true });
  else await ctx.reply(ctx.t(refusal));
  return null;
}

async function showInvite(ctx: BotContext, campaignId: number, invite: InviteWithPeople) {
  const usedBy = invite.usedById
    ? await ctx.deps.db.membership.findFirst({
        where: { campaignId, personId: invite.usedById },
        include: { person: { include: { channels: true } }, unit: true },
      })
    : null;
  await show(ctx, inviteView(ctx, invite, usedBy));
}

async function showInvites(ctx: BotContext, campaignId: number, unit: Unit | null, page: number) {
  const invites = await openInvites(ctx.deps.db, campaignId, ctx.now(), {
    unitId: unit?.id,
    page,
    pageSize: INVITE_PAGE_SIZE,
  });
  await show(ctx, invitesView(ctx, invites, unit));
}

/** The member as they are now (the confirmation again), or that they have no access left. */
async function showMember(ctx: BotContext, campaignId: number, membershipId: number, head?: string) {
  const member = await findMember(ctx.deps.db, campaignId, membershipId);
  if (!member) return show(ctx, { text: ctx.t("access.gone") });
  const view = confirmMemberView(ctx, member);
  await show(ctx, head ? { text: `${head}\n\n${view.text}`, keyboard: view.keyboard } : view);
}

/** The removed person's own command menu goes back to a guest's, in their language. */
async function resetMenu(ctx: BotContext, person: Person & { channels: PersonChannel[] }) {
  const telegram = person.channels.find((c) => c.channel === "telegram");
  if (!telegram) return; // menus are Telegram's; other channels have none
  try {
    await setPersonalMenu(ctx.api, ctx.deps.i18n, Number(telegram.chatId), person.locale, null);
  } catch (e) {
    // The removal stands; the menu is only a shortcut, and their commands are refused anyway.
    ctx.logger.warn({ err: e, person: person.id }, "could not reset the removed person's menu");
  }
}

async function revoked(ctx: BotContext, campaignId: number, membershipId: number, result: RevokeResult) {
  if (result.ok) {
    const m: Member = result.member;
    ctx.logger.info({ person: m.personId, role: m.role, unit: m.unitId }, "access revoked");
    noticesEnqueued();
    await resetMenu(ctx, m.person);
    return show(ctx, { text: ctx.t("access.revoked", { access: accessText(ctx, m), who: who(m.person) }) });
  }
  if (result.reason === "gone") return show(ctx, { text: ctx.t("access.gone") });
  // Changed since shown, or not removable: show what is true now.
  return showMember(ctx, campaignId, membershipId, result.reason === "changed" ? ctx.t("access.changed") : undefined);
}

// ---------------------------------------------------------------- commands

accessFeature.command("thuhoi", async (ctx) => {
  const campaignId = await campaignIdFor(ctx);
  if (!campaignId) return;
  const query = ctx.match.trim();
  if (!query) return show(ctx, { text: ctx.t("access.usage") });
  const db = ctx.deps.db;
  if (looksLikeCode(query)) {
    const invite = await findInviteByCode(db, campaignId, query);
    if (invite) return showInvite(ctx, campaignId, invite);
  }
  const members = await findMembers(db, campaignId, query.slice(0, 200));
  if (members.length === 0) return show(ctx, { text: ctx.t("access.not_found", { query: echo(query) }) });
  if (members.length === 1) return show(ctx, confirmMemberView(ctx, members[0]!));
  await show(ctx, chooseMemberView(ctx, echo(query), members, MAX_MEMBERS_FOUND));
});

accessFeature.command("mamoi", async (ctx) => {
  const campaignId = await campaignIdFor(ctx);
  if (!campaignId) return;
  const query = ctx.match.trim();
  if (!query) return showInvites(ctx, campaignId, null, 0);
  const { matches } = await matchUnits(ctx.deps.db, campaignId, query.slice(0, 200));
  if (matches.length === 0) return show(ctx, { text: ctx.t("access.invites.unit_not_found", { query: echo(query) }) });
  if (matches.length === 1) return showInvites(ctx, campaignId, matches[0]!, 0);
  await show(ctx, chooseUnitView(ctx, echo(query), matches));
});

// ---------------------------------------------------------------- buttons

accessFeature.callbackQuery(/^ac:/, async (ctx) => {
  const action = parseAction(ctx.callbackQuery.data);
  if (!action) return void (await answerButtonOnce(ctx, { text: ctx.t("errors.bad_button") }));
  // Anyone's: the answer to "move to the unit or role of this code?"
  if (action.kind === "move") return useInvite(ctx, action.code, action.access);
  if (action.kind === "keep") return keepAccess(ctx);
  const campaignId = await campaignIdFor(ctx);
  if (!campaignId) return;
  const db = ctx.deps.db;
  switch (action.kind) {
    case "close":
      await answerButtonOnce(ctx, { text: ctx.t("access.dismissed") });
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => {});
      return;
    case "member":
      return showMember(ctx, campaignId, action.membershipId);
    case "revoke": {
      const result = await revokeMembership(db, {
        campaignId,
        membershipId: action.membershipId,
        expected: action.access,
        actorId: ctx.person.id,
        coordinatorIds: ctx.config.COORDINATOR_IDS,
        now: ctx.now(),
      });
      return revoked(ctx, campaignId, action.membershipId, result);
    }
    case "invite": {
      const invite = await findInvite(db, campaignId, action.inviteId);
      if (!invite) return void (await answerButtonOnce(ctx, { text: ctx.t("errors.stale_button"), show_alert: true }));
      return showInvite(ctx, campaignId, invite);
    }
    case "revokeInvite": {
      const result = await revokeInvite(db, campaignId, action.inviteId, ctx.person.id, ctx.now());
      if (result.ok) {
        const { invite } = result;
        ctx.logger.info({ invite: invite.id }, "invite revoked");
        return show(ctx, {
          text: ctx.t("access.invite.revoked", { code: invite.code, access: accessText(ctx, invite) }),
        });
      }
      const invite = await findInvite(db, campaignId, action.inviteId);
      return invite ? showInvite(ctx, campaignId, invite) : show(ctx, { text: ctx.t("access.invite.gone") });
    }
    case "invites": {
      const unit = action.unitId
        ? await db.unit.findFirst({ where: { id: action.unitId, campaigns: { some: { campaignId } } } })
        : null;
      if (action.unitId && !unit) {
        return void (await answerButtonOnce(ctx, { text: ctx.t("errors.stale_button"), show_alert: true }));
      }
      return showInvites(ctx, campaignId, unit, action.page);
    }
  }
});
