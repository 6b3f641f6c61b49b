/** People who use the bot and their role in the current campaign. */
import type { Campaign, Db, Membership, Person, Role, Unit } from "../db/client.ts";
import { cached, forgetCached, remember } from "../db/read-cache.ts";

export interface TelegramUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

const SEEN_REFRESH_MS = 5 * 60_000;
/** How long who-is-who may be served from memory (see src/db/read-cache.ts). */
const PERSON_TTL_MS = 60_000;
const CAMPAIGN_TTL_MS = 5_000;
const personKey = (telegramId: bigint) => `person:${telegramId}`;
const membershipKey = (campaignId: number, personId: number) => `membership:${campaignId}:${personId}`;

export function displayNameOf(user: TelegramUser): string {
  return [user.first_name, user.last_name].filter(Boolean).join(" ").slice(0, 128);
}

/**
 * The Person for a Telegram user, created on first contact. Names and last-seen are
 * written only when they changed or are stale, so most updates cost one read.
 */
export async function ensurePerson(db: Db, user: TelegramUser, defaultLocale: string): Promise<Person> {
  const telegramId = BigInt(user.id);
  const displayName = displayNameOf(user);
  const username = user.username ?? null;
  const existing = await cached(db, personKey(telegramId), PERSON_TTL_MS, () =>
    db.person.findUnique({ where: { telegramId } }),
  );
  if (!existing) {
    return rememberPerson(
      db,
      await db.person.upsert({
        where: { telegramId },
        create: { telegramId, displayName, username, locale: defaultLocale },
        update: {},
      }),
    );
  }
  const stale = Date.now() - existing.lastSeenAt.getTime() > SEEN_REFRESH_MS;
  if (stale || existing.displayName !== displayName || existing.username !== username || existing.unreachable) {
    // A message from them proves they can be reached again.
    return rememberPerson(
      db,
      await db.person.update({
        where: { id: existing.id },
        data: { displayName, username, lastSeenAt: new Date(), unreachable: false },
      }),
    );
  }
  return existing;
}

function rememberPerson(db: Db, person: Person): Person {
  remember(db, personKey(person.telegramId), PERSON_TTL_MS, person);
  return person;
}

/** After writing people or memberships outside this module: the next update reads them again. */
export function forgetPeople(db: Db): void {
  forgetCached(db, "person:");
  forgetCached(db, "membership:");
}

/** After an invite gave a person a role or unit: their next update sees it. */
export function forgetMembership(db: Db, campaignId: number, personId: number): void {
  forgetCached(db, membershipKey(campaignId, personId));
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
 * everyone else has the role their invite gave them in the campaign.
 */
export async function standingOf(
  db: Db,
  person: Person,
  campaign: Campaign | null,
  coordinatorIds: readonly bigint[],
): Promise<Standing> {
  const membership = campaign
    ? await cached(db, membershipKey(campaign.id, person.id), PERSON_TTL_MS, () =>
        db.membership.findUnique({
          where: { campaignId_personId: { campaignId: campaign.id, personId: person.id } },
          include: { unit: true },
        }),
      )
    : null;
  if (coordinatorIds.includes(person.telegramId)) return { role: "COORDINATOR", membership };
  return { role: membership?.role ?? null, membership };
}

export async function setLocale(db: Db, personId: number, locale: string): Promise<void> {
  rememberPerson(db, await db.person.update({ where: { id: personId }, data: { locale } }));
}
