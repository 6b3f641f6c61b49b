/**
 * Signed links in chat: a page or file of the bot's web server, for the person reading the
 * message (src/domain/links.ts), at PUBLIC_URL.
 */
import { publicBaseUrl } from "../config.ts";
import { issueLink, type LinkScope } from "../domain/links.ts";
import type { BotContext } from "./context.ts";

const PATH_OF: Record<LinkScope["purpose"], string> = { file: "f", evidence: "e", upload: "u", export: "x" };

export interface ChatLink {
  url: string;
  expiresAt: Date;
}

export async function linkFor(ctx: BotContext, scope: LinkScope): Promise<ChatLink> {
  const { token, expiresAt } = await issueLink(ctx.deps.db, ctx.person.id, scope, {
    now: ctx.now(),
    hours: ctx.config.LINK_TTL_HOURS,
  });
  return { url: `${publicBaseUrl(ctx.config)}/${PATH_OF[scope.purpose]}/${token}`, expiresAt };
}
