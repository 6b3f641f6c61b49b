/**
 * Signed links in chat: a page or file of the bot's web server, for the person reading the
 * message (src/domain/links.ts), at PUBLIC_URL.
 */
import { publicBaseUrl } from "../config.ts";
import { issueLinks, type LinkScope } from "../domain/links.ts";
import type { BotContext } from "./context.ts";

const PATH_OF: Record<LinkScope["purpose"], string> = { file: "f", evidence: "e", upload: "u", export: "x" };

export interface ChatLink {
  url: string;
  expiresAt: Date;
}

export async function linkFor(ctx: BotContext, scope: LinkScope): Promise<ChatLink> {
  return (await linksFor(ctx, [scope]))[0]!;
}

/** Several links at once (one statement), in the order of `scopes`. */
export async function linksFor(ctx: BotContext, scopes: LinkScope[]): Promise<ChatLink[]> {
  const issued = await issueLinks(ctx.deps.db, ctx.person.id, scopes, {
    now: ctx.now(),
    hours: ctx.config.LINK_TTL_HOURS,
  });
  const base = publicBaseUrl(ctx.config);
  return issued.map(({ token, expiresAt }, i) => ({
    url: `${base}/${PATH_OF[scopes[i]!.purpose]}/${token}`,
    expiresAt,
  }));
}

/** A signed link to each evidence file (one statement), by the file's id; none for none. */
export async function fileLinks(ctx: BotContext, files: readonly { id: number }[]): Promise<Map<number, ChatLink>> {
  if (files.length === 0) return new Map();
  const links = await linksFor(
    ctx,
    files.map((f) => ({ purpose: "file" as const, evidenceId: f.id })),
  );
  return new Map(files.map((f, i) => [f.id, links[i]!]));
}
