/**
 * Which commands each role may use: the single source for /help and for the command
 * menus Telegram shows (setMyCommands). Features add their commands here.
 */
import type { Api } from "grammy";
import type { Role } from "../db/client.ts";
import { type I18n, LOCALES } from "../i18n.ts";

export type Audience = Role | "GUEST";

const EVERYONE: readonly Audience[] = ["GUEST", "OFFICER", "INSPECTOR", "APPRAISER", "COORDINATOR"];

interface CommandSpec {
  /** ASCII name, 1-32 of a-z 0-9 _ (Telegram's rule). */
  name: string;
  audience: readonly Audience[];
}

export const COMMANDS: readonly CommandSpec[] = [
  { name: "start", audience: EVERYONE },
  { name: "help", audience: EVERYONE },
  { name: "ngonngu", audience: EVERYONE },
  { name: "lienket", audience: ["OFFICER", "INSPECTOR", "APPRAISER", "COORDINATOR"] },
  { name: "tudanhgia", audience: ["OFFICER"] },
  { name: "giaitrinh", audience: ["OFFICER"] },
  ...[
    "tiendo",
    "chuanop",
    "donvi",
    "diem",
    "nhacnho",
    "molai",
    "xuat",
    "thuongphat",
    "bieuduong",
    "phebinh",
    "suadiem",
  ].map((name) => ({
    name,
    audience: ["COORDINATOR"] as const,
  })),
  { name: "lich", audience: ["OFFICER", "INSPECTOR", "COORDINATOR"] },
  { name: "lichmoi", audience: ["COORDINATOR"] },
  { name: "lichsua", audience: ["COORDINATOR"] },
  { name: "lichhuy", audience: ["COORDINATOR"] },
  { name: "xacnhan", audience: ["COORDINATOR"] },
  { name: "baocao", audience: ["OFFICER"] },
  { name: "doilich", audience: ["COORDINATOR"] },
  { name: "tontai", audience: ["INSPECTOR", "COORDINATOR"] },
  { name: "kiemtra", audience: ["INSPECTOR", "COORDINATOR"] },
  { name: "bienban", audience: ["INSPECTOR", "COORDINATOR"] },
  { name: "ketluan", audience: ["COORDINATOR"] },
  { name: "kiennghi", audience: ["COORDINATOR"] },
  { name: "khacphuc", audience: ["OFFICER"] },
  { name: "thuhoi", audience: ["COORDINATOR"] },
  { name: "mamoi", audience: ["COORDINATOR"] },
  { name: "giaidoan", audience: ["COORDINATOR"] },
  { name: "thamdinh", audience: ["APPRAISER", "COORDINATOR"] },
];

export function audienceOf(role: Role | null): Audience {
  return role ?? "GUEST";
}

export function commandsFor(role: Role | null): string[] {
  const audience = audienceOf(role);
  return COMMANDS.filter((c) => c.audience.includes(audience)).map((c) => c.name);
}

export function commandMenu(i18n: I18n, locale: string, role: Role | null) {
  return commandsFor(role).map((command) => ({ command, description: i18n.t(locale, `commands.${command}`) }));
}

/**
 * The menu everyone sees before the bot knows them: guest commands in the default language.
 * Not one per Telegram app language: a Vietnamese officer whose phone is set to English
 * must still read Vietnamese until they choose otherwise with /ngonngu (menus set per
 * language by earlier versions are removed).
 */
export async function setDefaultMenus(api: Api, i18n: I18n, defaultLocale: string): Promise<void> {
  await api.setMyCommands(commandMenu(i18n, defaultLocale, null), { scope: { type: "all_private_chats" } });
  for (const locale of LOCALES) {
    await api.deleteMyCommands({ scope: { type: "all_private_chats" }, language_code: locale });
  }
}

/** A person's own menu, in their language, for their role. */
export async function setPersonalMenu(
  api: Api,
  i18n: I18n,
  chatId: number,
  locale: string,
  role: Role | null,
): Promise<void> {
  await api.setMyCommands(commandMenu(i18n, locale, role), { scope: { type: "chat", chat_id: chatId } });
}
