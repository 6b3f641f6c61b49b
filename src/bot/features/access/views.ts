/** What coordinators see when they take access away: texts and keyboards, from locales/. */
import { InlineKeyboard } from "grammy";
import type { Person, Role, Unit } from "../../../db/client.ts";
import { type Member, removalRefusal, stampOf } from "../../../domain/access.ts";
import type { InvitePage, InviteWithPeople } from "../../../domain/invites.ts";
import { buttonLabel, escapeHtml } from "../../../domain/text.ts";
import { formatDateTime } from "../../../domain/time.ts";
import type { BotContext } from "../../context.ts";
import { type AccessAction, encodeAction } from "./callback-data.ts";

const BUTTON_TITLE_MAX = 40;
export const INVITE_PAGE_SIZE = 10;

const when = (ctx: BotContext, d: Date) => formatDateTime(d, ctx.config.TZ);

/** "<b>Lò Văn Minh</b> (@minh)", escaped. */
export function who(person: Pick<Person, "displayName" | "username">): string {
  const name = `<b>${escapeHtml(person.displayName)}</b>`;
  return person.username ? `${name} (@${escapeHtml(person.username)})` : name;
}

/** "<b>cán bộ đầu mối</b> của <b>Ủy ban nhân dân huyện Sông Mã</b>", in the reader's language. */
export function accessText(ctx: BotContext, access: { role: Role; unit: Pick<Unit, "name"> | null }): string {
  const role = ctx.t(`roles.${access.role}`);
  return access.unit
    ? ctx.t("access.with_unit", { role, unit: access.unit.name })
    : ctx.t("access.without_unit", { role });
}

const close = (ctx: BotContext) => ({ text: ctx.t("access.buttons.keep"), data: encodeAction({ kind: "close" }) });

export interface View {
  text: string;
  keyboard?: InlineKeyboard;
}

/** Several people named: one button each ("Lò Văn Minh · Sông Mã"). */
export function chooseMemberView(ctx: BotContext, query: string, members: Member[], max: number): View {
  const shown = members.slice(0, max);
  const kb = new InlineKeyboard();
  for (const m of shown) {
    const where = m.unit?.shortName ?? ctx.t(`roles.${m.role}`);
    kb.text(buttonLabel(`${m.person.displayName} · ${where}`, BUTTON_TITLE_MAX), encodeAction(actionOf(m))).row();
  }
  const vars = { count: members.length, query, shown: shown.length };
  const text = members.length > shown.length ? ctx.t("access.choose_more", vars) : ctx.t("access.choose", vars);
  return { text, keyboard: kb };
}

const actionOf = (m: Member): AccessAction => ({ kind: "member", membershipId: m.id });

/** Ask to confirm removing a member, or say why they cannot be removed. */
export function confirmMemberView(ctx: BotContext, m: Member): View {
  const vars = { who: who(m.person), access: accessText(ctx, m) };
  const refusal = removalRefusal(m, ctx.person.id, ctx.config.COORDINATOR_IDS);
  if (refusal === "self") return { text: ctx.t("access.refused_self") };
  if (refusal === "configured") return { text: ctx.t("access.refused_configured", vars) };
  const c = close(ctx);
  const kb = new InlineKeyboard()
    .text(ctx.t("access.buttons.revoke"), encodeAction({ kind: "revoke", membershipId: m.id, access: stampOf(m) }))
    .text(c.text, c.data);
  return { text: ctx.t("access.confirm", vars), keyboard: kb };
}

/** Open invites, numbered, with a revoke button per number and pages. */
export function invitesView(ctx: BotContext, page: InvitePage, scope: Unit | null): View {
  const t = ctx.t;
  const lines = [
    t("access.invites.title", {
      scope: scope ? `<b>${escapeHtml(scope.name)}</b>` : t("access.invites.all"),
      count: page.total,
    }),
    "",
  ];
  if (page.total === 0) return { text: [...lines, t("access.invites.none")].join("\n") };
  const kb = new InlineKeyboard();
  page.invites.forEach((invite, i) => {
    const n = page.page * INVITE_PAGE_SIZE + i + 1;
    const vars = { n, role: t(`roles.${invite.role}`), code: invite.code, expires: when(ctx, invite.expiresAt) };
    lines.push(
      invite.unit
        ? t("access.invites.line_unit", { ...vars, unit: invite.unit.shortName })
        : t("access.invites.line", vars),
    );
    kb.text(t("access.buttons.invite_n", { n }), encodeAction({ kind: "invite", inviteId: invite.id }));
    if (i % 5 === 4) kb.row();
  });
  lines.push("", t("access.invites.hint"));
  if (page.pages > 1) {
    lines.push(t("access.invites.page", { page: page.page + 1, pages: page.pages }));
    const to = (p: number) => encodeAction({ kind: "invites", unitId: scope?.id ?? 0, page: p });
    kb.row();
    if (page.page > 0) kb.text(t("access.buttons.prev"), to(page.page - 1));
    if (page.page < page.pages - 1) kb.text(t("access.buttons.next"), to(page.page + 1));
  }
  return { text: lines.join("\n"), keyboard: kb };
}

/** Several units named in /mamoi: one button each. */
export function chooseUnitView(ctx: BotContext, query: string, units: Unit[]): View {
  const kb = new InlineKeyboard();
  for (const u of units.slice(0, 20)) {
    kb.text(buttonLabel(u.shortName, BUTTON_TITLE_MAX), encodeAction({ kind: "invites", unitId: u.id, page: 0 })).row();
  }
  return { text: ctx.t("access.invites.choose_unit", { count: units.length, query }), keyboard: kb };
}

/**
 * An invite a coordinator named (by code or button): ask to confirm revoking it if it can
 * still be used; else say what became of it (used: by whom, with a button to remove them).
 */
export function inviteView(ctx: BotContext, invite: InviteWithPeople, usedByMember: Member | null): View {
  const t = ctx.t;
  const code = invite.code;
  if (invite.revokedAt)
    return { text: t("access.invite.already_revoked", { code, when: when(ctx, invite.revokedAt) }) };
  if (invite.usedAt) {
    const vars = { code, who: invite.usedBy ? who(invite.usedBy) : "?", when: when(ctx, invite.usedAt) };
    if (!usedByMember) return { text: t("access.invite.used_gone", vars) };
    const kb = new InlineKeyboard().text(
      buttonLabel(t("access.buttons.revoke_of", { name: usedByMember.person.displayName }), BUTTON_TITLE_MAX + 20),
      encodeAction(actionOf(usedByMember)),
    );
    return { text: t("access.invite.used", vars), keyboard: kb };
  }
  if (invite.expiresAt <= ctx.now())
    return { text: t("access.invite.expired", { code, when: when(ctx, invite.expiresAt) }) };
  const c = close(ctx);
  const kb = new InlineKeyboard()
    .text(t("access.buttons.revoke_invite"), encodeAction({ kind: "revokeInvite", inviteId: invite.id }))
    .text(c.text, c.data);
  return {
    text: t("access.invite.confirm", { code, access: accessText(ctx, invite), expires: when(ctx, invite.expiresAt) }),
    keyboard: kb,
  };
}
