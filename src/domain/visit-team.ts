/**
 * Who is on a visit's inspection team (Đoàn kiểm tra), and who leads it: findings, the
 * checklist and the minutes are the team's to record, the minutes its lead's to complete.
 *
 * The team of a visit is its VisitMember rows linked to a person. Coordinators (Sở Nội vụ)
 * organise every team and lead it in the Sơn La plan, so they count as its lead. A visit
 * whose members are only names (a data file without ids, as Sơn La's) is open to the
 * campaign's inspectors, so a team is never locked out because the file did not say who
 * they are in the bot.
 */
import type { Db, Prisma, Role } from "../db/client.ts";

type Tx = Prisma.TransactionClient;

/** Who acts on a visit: the person and their role in the campaign (their place on the team is decided per visit). */
export interface TeamActor {
  personId: number;
  role: Role | null;
}

export type TeamStanding = "lead" | "member" | null;

/** A member title that makes them the team's lead ("Trưởng đoàn", "Phó Trưởng đoàn" is not). */
export function isLeadTitle(title: string | null | undefined): boolean {
  if (!title) return false;
  const t = title.normalize("NFC").toLocaleLowerCase("vi");
  return t.includes("trưởng đoàn") && !t.includes("phó trưởng đoàn");
}

/**
 * The person's place on the visit's team: "lead" (the member titled Trưởng đoàn, or a
 * coordinator), "member", or null (not on the team: officers, appraisers, inspectors of
 * other teams).
 */
export async function teamStanding(
  db: Db | Tx,
  visitId: number,
  personId: number,
  role: Role | null | undefined,
): Promise<TeamStanding> {
  if (role === "COORDINATOR") return "lead";
  const members = await db.visitMember.findMany({
    where: { visitId, personId: { not: null } },
    select: { personId: true, title: true },
  });
  return standingAmong(members, personId, role);
}

/**
 * teamStanding's rule on members already read (a list of visits read at once):
 * `members` are the visit's VisitMember rows (those without a person are ignored).
 */
export function standingAmong(
  members: readonly { personId: number | null; title: string | null }[],
  personId: number,
  role: Role | null | undefined,
): TeamStanding {
  if (role === "COORDINATOR") return "lead";
  const linked = members.filter((m) => m.personId !== null);
  const seat = linked.find((m) => m.personId === personId);
  if (seat) return isLeadTitle(seat.title) ? "lead" : "member";
  if (role === "INSPECTOR" && linked.length === 0) return "member";
  return null;
}

/**
 * Whether an inspector sits on the team of one of the unit's visits (not a cancelled one):
 * what lets them open the unit's files (its self-inspection report, the findings' photos)
 * through a signed link. Coordinators need no such check.
 */
export async function inspectsUnit(
  db: Db | Tx,
  campaignId: number,
  personId: number,
  unitId: number,
): Promise<boolean> {
  const visits = await db.inspectionVisit.findMany({
    where: { campaignId, unitId, status: { not: "CANCELLED" } },
    select: { members: { where: { personId: { not: null } }, select: { personId: true, title: true } } },
  });
  return visits.some((v) => standingAmong(v.members, personId, "INSPECTOR") !== null);
}
