import type { NextFunction } from "grammy";
import { activeCampaign, ensurePerson, standingOf } from "../../domain/people.ts";
import type { BotContext } from "../context.ts";

/**
 * Loads who is speaking: the Person (created on first contact), the active campaign,
 * their role, and a translator in their language. Updates without a user (channel posts
 * and the like) stop here.
 */
export function loadPerson() {
  return async (ctx: BotContext, next: NextFunction) => {
    const account = ctx.channel.accountOf(ctx);
    if (!account) return;
    const { db, i18n } = ctx.deps;
    const [person, campaign] = await Promise.all([
      ensurePerson(db, account, ctx.config.DEFAULT_LOCALE),
      activeCampaign(db),
    ]);
    ctx.person = person;
    ctx.campaign = campaign;
    ctx.standing = await standingOf(db, person, campaign, ctx.config.COORDINATOR_IDS);
    ctx.locale = person.locale;
    ctx.t = i18n.forLocale(person.locale, ctx.channel.name);
    ctx.channel.onReader?.(ctx);
    await next();
  };
}
