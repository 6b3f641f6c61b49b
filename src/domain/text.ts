/** Text helpers for Vietnamese input: people type with or without diacritics. */

/** "Sông Mã" -> "song ma"; "KH&ĐT" -> "kh&dt". Lower-case ASCII, single spaces. */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Escapes text for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
