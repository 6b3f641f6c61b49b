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

export async function currentMenu(db: Db, chatId: string): Promise<ChatMenu | null> {
  const row = await db.chatMenu.findUnique({ where: { channel_chatId: { channel: "zalo", chatId } } });
  if (!row || row.menuMessageId === null) return null;
  return {
    messageId: row.menuMessageId,
    items: JSON.parse(row.items) as MenuItem[],
    shownAt: row.shownAt,
    text: row.text,
  };
}

/**
 * Numbers a message the bot sends to `chatId`; with `menu`, it becomes the chat's current
 * menu. A message without buttons leaves the menu as it was ("Đã nhận tệp" does not take
 * the question's choices away).
 */
export async function recordSent(
  db: Db,
  chatId: string,
  sent: { menu: MenuItem[] | null; text: string },
): Promise<number> {
  const key = { channel_chatId: { channel: "zalo", chatId } };
  const row = await db.chatMenu.upsert({
    where: key,
    create: { channel: "zalo", chatId, lastMessageId: 1, items: "[]", text: "", shownAt: new Date() },
    update: { lastMessageId: { increment: 1 } },
  });
  const messageId = row.lastMessageId;
  if (sent.menu && sent.menu.length > 0) {
    await db.chatMenu.update({
      where: key,
      data: { menuMessageId: messageId, items: JSON.stringify(sent.menu), text: sent.text, shownAt: new Date() },
    });
  }
  return messageId;
}

/** The buttons of message `messageId` were taken away: its menu is no longer current. */
export async function dropMenu(db: Db, chatId: string, messageId: number): Promise<void> {
  await db.chatMenu.updateMany({
    where: { channel: "zalo", chatId, menuMessageId: messageId },
    data: { menuMessageId: null, items: "[]" },
  });
}
