/** People who use the bot and their role in the current campaign. */
import type { Campaign, Db, Membership, Person, Prisma, Role, Unit } from "../db/client.ts";
import { cached } from "../db/read-cache.ts";

/** The chat channels a person can use. */
export const CHANNELS = ["telegram", "zalo"] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** Who is writing, as a channel knows them: the same shape from Telegram and from Zalo. */
export interface ChannelAccount {
  channel: ChannelName;
  /** The account's id on that channel (Telegram's numeric user id as text). */
  externalId: string;
  /** Where the bot writes back to them. */
  chatId: string;
  displayName: string;
  username: string | null;
}

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

/** A Telegram user writing in their private chat with the bot. */
export function telegramAccount(user: TelegramUser): ChannelAccount {
  const id = String(user.id);
  return {
    channel: "telegram",
    externalId: id,
    chatId: id,
    displayName: displayNameOf(user),
    username: user.username ?? null,
  };
}

/** A person as the bot sees them on this update: with the account they wrote from. */
export interface KnownPerson extends Person {
  /** The PersonChannel row of the account this update came from. */
  accountId: number;
  /** Their Telegram user id, when they have a Telegram account (COORDINATOR_IDS name people by it). */
  telegramUserId: bigint | null;
  /**
   * Whether a visit step (VisitCursor) was waiting when the update began: read in the same
   * statement, so the common update (no step) costs no second read to find out.
   */
  hasVisitCursor: boolean;
}

interface PersonRow extends Omit<KnownPerson, "telegramUserId" | "hasVisitCursor"> {
  accountSeenAt: Date | string | number;
  accountUnreachable: boolean | number;
  accountChatId: string;
  telegramUserId: string | null;
  hasVisitCursor: boolean | number | bigint;
}

const asDate = (d: Date | string | number) => (d instanceof Date ? d : new Date(d));

function known(row: PersonRow): KnownPerson {
  const { accountSeenAt: _s, accountUnreachable: _u, accountChatId: _c, hasVisitCursor, ...person } = row;
  return {
    ...person,
    telegramUserId: row.telegramUserId === null ? null : BigInt(row.telegramUserId),
    // SQLite gives 0/1, PostgreSQL a boolean.
    hasVisitCursor: Boolean(Number(hasVisitCursor)),
  };
}

async function personByAccount(db: Db, channel: ChannelName, externalId: string): Promise<PersonRow | undefined> {
  const [row] = await db.$queryRaw<PersonRow[]>`
    SELECT p.*, a."id" AS "accountId", a."lastSeenAt" AS "accountSeenAt", a."unreachable" AS "accountUnreachable",
      a."chatId" AS "accountChatId",
      (SELECT tg."externalId" FROM "PersonChannel" tg WHERE tg."personId" = p."id" AND tg."channel" = 'telegram')
        AS "telegramUserId",
      EXISTS (SELECT 1 FROM "VisitCursor" vc WHERE vc."personId" = p."id") AS "hasVisitCursor"
    FROM "PersonChannel" a JOIN "Person" p ON p."id" = a."personId"
    WHERE a."channel" = ${channel} AND a."externalId" = ${externalId}`;
  return row;
}

/**
 * The Person for a channel account, created on first contact. Names and last-seen are
 * written only when they changed or are stale, so most updates cost one read.
 *
 * Read from the database on every update, not from memory: with several bot instances a
 * cached person or membership misfiled answers and ignored an invite redeemed on the
 * other instance. The read is one indexed raw statement (a third of an ORM call's CPU).
 */
export async function ensurePerson(db: Db, account: ChannelAccount, defaultLocale: string): Promise<KnownPerson> {
  const { channel, externalId, chatId, displayName, username } = account;
  const existing = await personByAccount(db, channel, externalId);
  if (!existing) {
    try {
      // Person and account in one statement: a person never exists without a way to reach them.
      await db.person.create({
        data: { displayName, username, locale: defaultLocale, channels: { create: { channel, externalId, chatId } } },
      });
    } catch (e) {
      // Another instance created them at the same moment: theirs is the one.
      if ((e as { code?: string }).code !== "P2002") throw e;
    }
    const created = await personByAccount(db, channel, externalId);
    if (!created) throw new Error(`person for ${channel} account not found after creating it`);
    return known(created);
  }
  const stale = Date.now() - asDate(existing.accountSeenAt).getTime() > SEEN_REFRESH_MS;
  const unreachable = Boolean(existing.accountUnreachable);
  if (stale || unreachable || existing.accountChatId !== chatId) {
    // A message from them proves this account can be reached again; its last-seen time
    // decides which channel notices take.
    await db.personChannel.update({
      where: { id: existing.accountId },
      data: { lastSeenAt: new Date(), unreachable: false, chatId },
    });
  }
  if (stale || existing.displayName !== displayName || existing.username !== username) {
    const person = await db.person.update({
      where: { id: existing.id },
      data: { displayName, username, lastSeenAt: new Date() },
    });
    const { telegramUserId, hasVisitCursor } = known(existing);
    return { ...person, accountId: existing.accountId, telegramUserId, hasVisitCursor };
  }
  return known(existing);
}

/** Whether COORDINATOR_IDS names one of these accounts (people are named by their Telegram id). */
export function namedCoordinator(
  accounts: readonly { channel: string; externalId: string }[],
  coordinatorIds: readonly bigint[],
): boolean {
  return accounts.some((a) => a.channel === "telegram" && coordinatorIds.includes(BigInt(a.externalId)));
}

/** Whether COORDINATOR_IDS names this person (by their Telegram account). */
export async function isConfiguredCoordinator(
  db: Db | Prisma.TransactionClient,
  personId: number,
  coordinatorIds: readonly bigint[],
): Promise<boolean> {
  if (coordinatorIds.length === 0) return false;
  const count = await db.personChannel.count({
    where: { personId, channel: "telegram", externalId: { in: coordinatorIds.map(String) } },
  });
  return count > 0;
}

/** The person behind a channel account, if the bot has met them. */
export async function personOfAccount(
  db: Db,
  channel: ChannelName,
  externalId: string,
): Promise<Pick<Person, "id" | "locale"> | null> {
  const account = await db.personChannel.findUnique({
    where: { channel_externalId: { channel, externalId } },
    select: { person: { select: { id: true, locale: true } } },
  });
  return account?.person ?? null;
}

/** An account as far as sending to it goes. */
export interface DeliveryAccount {
  channel: string;
  chatId: string;
  unreachable: boolean;
  lastSeenAt: Date;
}

/**
 * Where a message to a person goes, so that each notice reaches them once, on one channel:
 * among the channels this process can send on, a reachable account first, the channel the
 * person chose if any, else the one they wrote from last. An unreachable account is still
 * tried when it is the only one (they may have unblocked the bot).
 */
export function deliveryAccount<T extends DeliveryAccount>(
  accounts: readonly T[],
  preferredChannel: string | null,
  available: readonly string[],
): T | null {
  const usable = accounts.filter((a) => available.includes(a.channel));
  const rank = (a: T) => [a.unreachable ? 0 : 1, a.channel === preferredChannel ? 1 : 0, a.lastSeenAt.getTime()];
  let best: T | null = null;
  for (const a of usable) {
    if (!best) best = a;
    else {
      const [x, y] = [rank(a), rank(best)];
      const i = x.findIndex((v, k) => v !== y[k]);
      if (i >= 0 && x[i]! > y[i]!) best = a;
    }
  }
  return best;
}

/** A person's accounts with what deliveryAccount needs. */
export async function accountsOf(db: Db, personId: number) {
  const person = await db.person.findUnique({
    where: { id: personId },
    select: {
      locale: true,
      preferredChannel: true,
      channels: { select: { channel: true, chatId: true, unreachable: true, lastSeenAt: true } },
    },
  });
  return person;
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
  person: KnownPerson,
  campaign: Campaign | null,
  coordinatorIds: readonly bigint[],
): Promise<Standing> {
  let membership: Standing["membership"] = null;
  if (campaign) {
    const [row] = await db.$queryRaw<Membership[]>`
      SELECT * FROM "Membership" WHERE "campaignId" = ${campaign.id} AND "personId" = ${person.id}`;
    if (row) membership = { ...row, unit: row.unitId === null ? null : await unitById(db, row.unitId) };
  }
  if (person.telegramUserId !== null && coordinatorIds.includes(person.telegramUserId))
    return { role: "COORDINATOR", membership };
  return { role: membership?.role ?? null, membership };
}

function unitById(db: Db, id: number): Promise<Unit | null> {
  return cached(db, `unit:${id}`, UNIT_TTL_MS, () => db.unit.findUnique({ where: { id } }));
}

export async function setLocale(db: Db, personId: number, locale: string): Promise<void> {
  await db.person.update({ where: { id: personId }, data: { locale } });
}
