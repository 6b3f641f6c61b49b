import type { Prisma } from "../db/client.ts";

type Tx = Pick<Prisma.TransactionClient, "auditLog">;

export interface AuditEntry {
  actorId: number | null;
  action: string; // "invite.redeem", "answer.update", ...
  entity: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
}

/** JSON-safe copy (BigInt and Date become strings) for the audit log's Json columns. */
function jsonSafe(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}

/** Writes one audit entry; call it inside the transaction that makes the change. */
export async function audit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      entity: entry.entity,
      entityId: String(entry.entityId),
      before: jsonSafe(entry.before),
      after: jsonSafe(entry.after),
    },
  });
}
