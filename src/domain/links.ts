/**
 * Signed links: how a person opens the province's files from any phone or office PC without
 * logging in. A link names one person, one purpose and one object or scope, expires (24 h by
 * default) and can be revoked. No Telegram or HTTP in here.
 *
 * The token (128 bits of randomness, base64url) is given to the person once and never stored
 * or logged: the database keeps its SHA-256, so a copy of the database opens nothing. A token
 * is found by its hash (an index lookup) and the hashes compared again in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db, Prisma } from "../db/client.ts";
import { audit } from "./audit.ts";

export type LinkPurpose = "file" | "evidence" | "upload" | "export";

/** What a link opens. */
export type LinkScope =
  /** One evidence file. */
  | { purpose: "file"; evidenceId: number }
  /** A unit's evidence for one area, as a page with download links. */
  | { purpose: "evidence"; campaignId: number; unitId: number; areaId: number }
  /** Upload files to one question of a unit. */
  | { purpose: "upload"; campaignId: number; unitId: number; questionId: number }
  /** A generated export or chart kept in the file store. */
  | { purpose: "export"; fileKey: string; name: string; mime: string };

export interface IssuedLink {
  token: string;
  expiresAt: Date;
}

export const DEFAULT_LINK_HOURS = 24;
/** 16 bytes = 128 bits; base64url keeps the URL short (22 characters). */
const TOKEN_BYTES = 16;
const TOKEN_FORM = /^[A-Za-z0-9_-]{22}$/;

const hashOf = (token: string) => createHash("sha256").update(token).digest();

export async function issueLink(
  db: Db,
  personId: number,
  scope: LinkScope,
  options: { now: Date; hours?: number },
): Promise<IssuedLink> {
  return (await issueLinks(db, personId, [scope], options))[0]!;
}

/** Several links for one person at once (one statement): e.g. one per evidence file of an export. */
export async function issueLinks(
  db: Db,
  personId: number,
  scopes: LinkScope[],
  options: { now: Date; hours?: number },
): Promise<IssuedLink[]> {
  const expiresAt = new Date(options.now.getTime() + (options.hours ?? DEFAULT_LINK_HOURS) * 3_600_000);
  const tokens = scopes.map(() => randomBytes(TOKEN_BYTES).toString("base64url"));
  if (scopes.length === 0) return [];
  await db.accessLink.createMany({
    data: scopes.map((scope, i) => ({
      tokenHash: hashOf(tokens[i]!).toString("hex"),
      personId,
      purpose: scope.purpose,
      scope: JSON.stringify(scope),
      expiresAt,
      createdAt: options.now,
    })),
  });
  return tokens.map((token) => ({ token, expiresAt }));
}

export type OpenedLink =
  | { ok: true; linkId: number; personId: number; scope: LinkScope; expiresAt: Date }
  | { ok: false; reason: "unknown" | "expired" | "revoked"; expiredAt?: Date };

/** The link a token opens, if it is valid now. */
export async function openLink(db: Db, token: string, now: Date): Promise<OpenedLink> {
  if (!TOKEN_FORM.test(token)) return { ok: false, reason: "unknown" };
  const hash = hashOf(token);
  const link = await db.accessLink.findUnique({ where: { tokenHash: hash.toString("hex") } });
  // The lookup found the row by its hash; comparing the bytes again in constant time keeps
  // the answer independent of how much of a guess matched.
  if (!link || !timingSafeEqual(Buffer.from(link.tokenHash, "hex"), hash)) return { ok: false, reason: "unknown" };
  if (link.revokedAt) return { ok: false, reason: "revoked" };
  if (link.expiresAt <= now) return { ok: false, reason: "expired", expiredAt: link.expiresAt };
  return {
    ok: true,
    linkId: link.id,
    personId: link.personId,
    scope: JSON.parse(link.scope) as LinkScope,
    expiresAt: link.expiresAt,
  };
}

/** Revokes every link a person holds (e.g. their access was removed), audited; inside a transaction or not. */
export async function revokeLinksOf(
  db: Db | Prisma.TransactionClient,
  personId: number,
  actorId: number | null,
  now: Date,
): Promise<number> {
  const { count } = await db.accessLink.updateMany({
    where: { personId, revokedAt: null, expiresAt: { gt: now } },
    data: { revokedAt: now },
  });
  if (count > 0) {
    await audit(db, { actorId, action: "links.revoke", entity: "Person", entityId: personId, after: { count } });
  }
  return count;
}

/** Revokes one link, audited. */
export async function revokeLink(db: Db, linkId: number, actorId: number | null, now: Date): Promise<boolean> {
  const { count } = await db.accessLink.updateMany({
    where: { id: linkId, revokedAt: null },
    data: { revokedAt: now },
  });
  if (count > 0) await audit(db, { actorId, action: "link.revoke", entity: "AccessLink", entityId: linkId });
  return count > 0;
}
