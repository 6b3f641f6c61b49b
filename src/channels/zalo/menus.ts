/**
 * A Zalo chat's current menu: the numbered choices and keywords of the last message the
 * bot sent with buttons, kept in the database (a restart, or another instance, must read
 * the same menu the person sees), with the counter that numbers the bot's messages in
 * that chat (Zalo has no edits, so a message id only tells which menu a press refers to).
 */
import type { Db } from "../../db/client.ts";
import type { MenuItem } from "./render.ts";

export interface ChatMenu {
  /** The bot's message the menu belongs to. */
  messageId: number;
  items: MenuItem[];
  /** When it was shown. */
  shownAt: Date;
  /** The message's text, to show it again when a number does not fit it. */
  text: string;
}

/** Menus older than this are not acted on: the person is shown where they are instead. */
export const MENU_TTL_MS = 24 * 3_600_000;

interface MenuRow {
  menuMessageId: number | bigint | null;
  items: string;
  text: string;
  shownAt: Date | string | number;
}

/**
 * The chat's current menu. Read on every typed text, so one raw indexed statement rather
 * than an ORM call (a third of its CPU; src/domain/people.ts does the same for the person).
 */
export async function currentMenu(db: Db, chatId: string): Promise<ChatMenu | null> {
  const [row] = await db.$queryRaw<MenuRow[]>`
    SELECT "menuMessageId", "items", "text", "shownAt" FROM "ChatMenu"
    WHERE "channel" = 'zalo' AND "chatId" = ${chatId}`;
  if (!row || row.menuMessageId === null) return null;
  return {
    messageId: Number(row.menuMessageId),
    items: JSON.parse(row.items) as MenuItem[],
    shownAt: row.shownAt instanceof Date ? row.shownAt : new Date(row.shownAt),
    text: row.text,
  };
}

let lastLocalNumber = 0;
/**
 * A number that only grows in this process (at least the seconds since the epoch, so it is
 * not reused after a restart in the common case): for ids nothing looks up.
 */
export function localNumber(): number {
  lastLocalNumber = Math.max(lastLocalNumber + 1, Math.floor(Date.now() / 1000));
  return lastLocalNumber;
}

/**
 * Numbers a message the bot sends to `chatId`; with `menu`, it becomes the chat's current
 * menu. A message without buttons leaves the menu as it was ("Đã nhận tệp" does not take
 * the question's choices away).
 *
 * Only a menu's number is ever looked up (a press names it, and taking its buttons away
 * names it), so only a message with a menu is written: one statement, in which the chat's
 * counter goes up and the menu takes the new number (every SET reads the row as it was, so
 * "lastMessageId" + 1 is the new number on both sides). A message without one gets a local
 * number and costs no write; nothing refers to it later.
 */
export async function recordSent(
  db: Db,
  chatId: string,
  sent: { menu: MenuItem[] | null; text: string },
): Promise<number> {
  if (!sent.menu || sent.menu.length === 0) return localNumber();
  const rows = await db.$queryRaw<{ lastMessageId: number | bigint }[]>`
    INSERT INTO "ChatMenu" ("channel", "chatId", "lastMessageId", "menuMessageId", "items", "text", "shownAt")
    VALUES ('zalo', ${chatId}, 1, 1, ${JSON.stringify(sent.menu)}, ${sent.text}, ${new Date()})
    ON CONFLICT ("channel", "chatId") DO UPDATE SET
      "lastMessageId" = "ChatMenu"."lastMessageId" + 1,
      "menuMessageId" = "ChatMenu"."lastMessageId" + 1,
      "items" = excluded."items",
      "text" = excluded."text",
      "shownAt" = excluded."shownAt"
    RETURNING "lastMessageId"`;
  return Number(rows[0]!.lastMessageId);
}

/** The buttons of message `messageId` were taken away: its menu is no longer current. */
export async function dropMenu(db: Db, chatId: string, messageId: number): Promise<void> {
  await db.chatMenu.updateMany({
    where: { channel: "zalo", chatId, menuMessageId: messageId },
    data: { menuMessageId: null, items: "[]" },
  });
}
