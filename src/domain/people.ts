/** People who use the bot and their role in the current campaign. */
import type { Campaign, Db, Membership, Person, Role, Unit } from "../db/client.ts";
import { cached } from "../db/read-cache.ts";

export interface TelegramUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

const SEEN_REFRESH_MS = 5 * 60_000;
const CAMPAIGN_TTL_MS = 5_000;
const UNIT_TTL_MS = 60_000;

export function displayNameOf(user: TelegramUser): string {
  return [user.first_name, user.last_name].filter(Boolean).join(" ").slice(0, 128);
}

/**
 * The Person for a Telegram user, created on first contact. Names and last-seen are
 * written only when they changed or are stale, so most updates cost one read.
 *
 * Read from the database on every update, not from memory: with several bot instances a
 * cached person or membership misfiled answers and ignored an invite redeemed on the
 * other instance. The read is one indexed raw statement (a third of an ORM call's CPU).
 */
export async function ensurePerson(db: Db, user: TelegramUser, defaultLocale: string): Promise<Person> {
  const telegramId = BigInt(user.id);
  const displayName = displayNameOf(user);
  const username = user.username ?? null;
  const [existing] = await db.$queryRaw<Person[]>`SELECT * FROM "Person" WHERE "telegramId" = ${telegramId}`;
  if (!existing) {
    return db.person.upsert({
      where: { telegramId },
      create: { telegramId, displayName, username, locale: defaultLocale },
      update: {},
    });
  }
  const stale = Date.now() - existing.lastSeenAt.getTime() > SEEN_REFRESH_MS;
  if (stale || existing.displayName !== displayName || existing.username !== username || existing.unreachable) {
    // A message from them proves they can be reached again.
    return db.person.update({
      where: { id: existing.id },
      data: { displayName, username, lastSeenAt: new Date(), unreachable: false },
    });
  }
  return existing;
}

/** The campaign the bot works on: the newest one that is not a draft or closed. */
export function activeCampaign(db: Db): Promise<Campaign | null> {
  return cached(db, "campaign:active", CAMPAIGN_TTL_MS, () =>
    db.campaign.findFirst({
      where: { status: { notIn: ["DRAFT", "CLOSED"] } },
      orderBy: [{ year: "desc" }, { id: "desc" }],
    }),
  );
}

export interface Standing {
  /** null: a guest, not linked to the campaign yet. */
  role: Role | null;
  membership: (Membership & { unit: Unit | null }) | null;
}

/**
 * A person's role: coordinators named in COORDINATOR_IDS are coordinators from the start;
 * everyone else has the role their invite gave them in the campaign. The membership is read
 * from the database each time (see ensurePerson); only its unit, which says nothing about
 * who the person is, may come from memory.
 */
export async function standingOf(
  db: Db,
  person: Person,
  campaign: Campaign | null,
  coordinatorIds: readonly bigint[],
): Promise<Standing> {
  let membership: Standing["membership"] = null;
  if (campaign) {
    const [row] = await db.$queryRaw<Membership[]>`
      SELECT * FROM "Membership" WHERE "campaignId" = ${campaign.id} AND "personId" = ${person.id}`;
    if (row) membership = { ...row, unit: row.unitId === null ? null : await unitById(db, row.unitId) };
  }
  if (coordinatorIds.includes(person.telegramId)) return { role: "COORDINATOR", membership };
  return { role: membership?.role ?? null, membership };
}

function unitById(db: Db, id: number): Promise<Unit | null> {
  return cached(db, `unit:${id}`, UNIT_TTL_MS, () => db.unit.findUnique({ where: { id } }));
}

export async function setLocale(db: Db, personId: number, locale: string): Promise<void> {
  await db.person.update({ where: { id: personId }, data: { locale } });
}
