/**
 * The last step of every file a visit's people send outside the questionnaire (a unit's
 * self-inspection report, a finding's photo, a file of an action's report): an Evidence row
 * of its owner, the same bytes kept once per owner, audited. The file is already in the
 * store (src/app/evidence.ts receiveFile); a duplicate's new copy is dropped there.
 */
import type { Evidence, Prisma } from "../db/client.ts";
import { audit } from "./audit.ts";
import type { StoredFile } from "./visits.ts";

type Tx = Prisma.TransactionClient;

/** The one column that names the file's owner. */
export type FileOwner = { visitId: number } | { findingId: number } | { actionReportId: number };

export async function keepOwnedFile(
  tx: Tx,
  input: {
    owner: FileOwner;
    campaignId: number;
    unitId: number;
    file: StoredFile & { source?: string };
    personId: number;
    /** When it was sent (default: the database's now). */
    now?: Date;
    /** The audit action ("finding.photo.add") and what it records beside the file's own fields. */
    action: string;
    about: Record<string, unknown>;
  },
): Promise<{ evidence: Evidence; duplicate: boolean }> {
  const { owner, file } = input;
  const existing = await tx.evidence.findFirst({ where: { ...owner, sha256: file.sha256, removedAt: null } });
  if (existing) return { evidence: existing, duplicate: true };
  const evidence = await tx.evidence.create({
    data: {
      ...file,
      ...owner,
      campaignId: input.campaignId,
      unitId: input.unitId,
      kind: "FILE",
      uploadedById: input.personId,
      ...(input.now ? { createdAt: input.now } : {}),
    },
  });
  await audit(tx, {
    actorId: input.personId,
    action: input.action,
    entity: "Evidence",
    entityId: evidence.id,
    after: { ...input.about, fileName: file.fileName, size: file.size, sha256: file.sha256, source: file.source },
  });
  return { evidence, duplicate: false };
}
