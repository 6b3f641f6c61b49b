/** Text helpers for Vietnamese input: people type with or without diacritics. */

/** "Sông Mã" -> "song ma"; "KH&ĐT" -> "kh&dt". Lower-case ASCII, single spaces. */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Escapes text for Telegram's HTML parse mode. */
/**
 * How many letters a text has (any script): what tells words from "ok", "5" or "…" where a
 * finding, a reason or a report must say something.
 */
export function letters(text: string): number {
  return (text.match(/\p{L}/gu) ?? []).length;
}

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * What a person's text costs in a message once escaped (each &, < and > takes 4–5
 * characters): limits on what people type are measured this way, or a text full of "&"
 * would pass its limit and then overflow every message that shows it.
 */
export function renderedLength(text: string): number {
  return escapeHtml(text).length;
}

/** At most `max` characters, cut with an ellipsis. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * A button's label of at most `max` characters, cut between words ("Sở Tài nguyên và…"),
 * never inside one: a word cut short ("Môi tr…") reads as a different word. A single word
 * longer than `max` (a typed number, say) is cut where it must be.
 */
export function buttonLabel(text: string, max: number): string {
  const clean = text.replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  // The words that fit before "…", up to the last space at or before position max - 1.
  const cut = clean.lastIndexOf(" ", max - 1);
  const head = cut > 0 ? clean.slice(0, cut) : clean.slice(0, max - 1);
  return `${head.replace(/[\s,;:.·\-–—(&/]+$/u, "")}…`;
}

/** 48 KB, 1,4 MB, 2,8 GB: a file's size as people read it, in the locale's number style. */
export function formatFileSize(bytes: number, format: (n: number) => string): string {
  if (bytes < 1024 * 1024) return `${format(Math.max(1, Math.round(bytes / 1024)))} KB`;
  if (bytes < 1024 ** 3) return `${format(Math.round((bytes / 1024 ** 2) * 10) / 10)} MB`;
  return `${format(Math.round((bytes / 1024 ** 3) * 10) / 10)} GB`;
}
