import type { Prisma } from "../db/client.ts";

type Tx = Pick<Prisma.TransactionClient, "$executeRaw">;

export interface AuditEntry {
  actorId: number | null;
  action: string; // "invite.redeem", "answer.update", ...
  entity: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
}

/** JSON text for the audit log's Json columns (BigInt becomes a string, Date ISO text). */
function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Writes one audit entry; call it inside the transaction that makes the change. A raw
 * statement (what `auditLog.create` would store, read back by Prisma in the tests): it is
 * on the path of every answer, and costs a third of an ORM call (bench/RESULTS.md).
 */
export async function audit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "AuditLog" ("actorId", "action", "entity", "entityId", "before", "after", "createdAt")
    VALUES (${entry.actorId}, ${entry.action}, ${entry.entity}, ${String(entry.entityId)},
            ${jsonText(entry.before)}, ${jsonText(entry.after)}, ${new Date()})`;
}
