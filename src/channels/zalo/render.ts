/**
 * What the features show, made into what Zalo can carry: plain text (no markup, no
 * buttons, no edits). Buttons become numbered choices typed as a number, or keywords for
 * the actions that move around (next, back, evidence, review, …), so that a question
 * expecting a typed number never mistakes the answer for a menu choice.
 *
 * Pure functions: the bridge (bridge.ts) keeps the menu they return per chat.
 */
import { fold } from "../../domain/text.ts";

/** A button as features declare it (Telegram's inline keyboard button, the common form). */
export interface Button {
  text: string;
  callback_data?: string;
  url?: string;
}

/** One entry of a chat's current menu: what typing its number or keyword presses. */
export interface MenuItem {
  /** The number to type; null for an action reached by keyword only. */
  number: number | null;
  /** The words that press it (folded, no diacritics), for keyword actions. */
  keywords: string[];
  label: string;
  data: string;
}

export interface RenderTexts {
  /** "— gõ số để chọn" after the numbered line. */
  chooseByNumber: string;
  /** "Gõ «{{keyword}}»: {{label}}" for each keyword action. */
  keywordLine: (keyword: string, label: string) => string;
}

/** Words a keyword action answers to, by the action's keyword key; the first is shown. */
export type KeywordsOf = (data: string) => string[] | null;

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&#39;": "'" };

/**
 * The project's small HTML subset (b, i, u, s, code, pre, blockquote, a) as plain text.
 * A link keeps its address beside its text, since Zalo shows no hidden links.
 */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<a\s+href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_, href: string, text: string) => {
      const url = decode(href);
      const label = text.replace(/<[^>]+>/g, "").trim();
      return label && decode(label) !== url ? `${label}: ${url}` : url;
    })
    .replace(/<\/?(b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|span|tg-spoiler)(\s[^>]*)?>/gi, "")
    .replace(/&(lt|gt|amp|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

function decode(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

/** A button's label without the decoration that means nothing in plain text. */
function cleanLabel(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The text of a message with its buttons: numbered choices on one line each ("1. Có"),
 * then "— gõ số để chọn"; keyword actions as "Gõ «tiếp»: Câu sau ➡️"; links with their
 * address. Returns the text and the menu a typed number or keyword then refers to.
 */
export function renderMessage(
  html: string,
  buttons: Button[][] | undefined,
  keywordsOf: KeywordsOf,
  texts: RenderTexts,
): { text: string; menu: MenuItem[] } {
  const body = htmlToPlain(html);
  const menu: MenuItem[] = [];
  const numbered: string[] = [];
  const byKeyword: string[] = [];
  const links: string[] = [];
  for (const button of (buttons ?? []).flat()) {
    const label = cleanLabel(button.text);
    if (button.url) {
      links.push(`${label}: ${button.url}`);
      continue;
    }
    if (!button.callback_data) continue;
    const keywords = keywordsOf(button.callback_data);
    if (keywords && keywords.length > 0) {
      menu.push({ number: null, keywords: keywords.map(foldKeyword), label, data: button.callback_data });
      byKeyword.push(texts.keywordLine(keywords[0]!, label));
    } else {
      const number = numbered.length + 1;
      menu.push({ number, keywords: [], label, data: button.callback_data });
      numbered.push(`${number}. ${label}`);
    }
  }
  const blocks = [body];
  if (numbered.length) blocks.push(`${numbered.join("\n")}\n${texts.chooseByNumber}`);
  if (byKeyword.length) blocks.push(byKeyword.join("\n"));
  if (links.length) blocks.push(links.join("\n"));
  return { text: blocks.filter((b) => b.trim()).join("\n\n"), menu };
}

/** How typed keywords are compared: the domain's fold, without quotes and end marks. */
export function foldKeyword(text: string): string {
  return fold(text.replace(/[«»"'.!?]/g, ""));
}

/** What a typed text means against the chat's current menu. */
export type Typed =
  | { kind: "press"; item: MenuItem }
  /** A number where the menu has numbered choices, but not this one. */
  | { kind: "no_such_choice"; number: number; count: number }
  /** Anything else: the text itself (an answer, a command, a plain question). */
  | { kind: "text" };

/**
 * A typed number picks a numbered choice only when the menu has numbered choices; where
 * it has none (a question expecting a typed number, percentage or date) the number is the
 * answer. A keyword presses its action wherever it is in the menu.
 */
export function readTyped(text: string, menu: readonly MenuItem[]): Typed {
  const folded = foldKeyword(text);
  if (/^\d{1,3}$/.test(folded)) {
    const numbered = menu.filter((m) => m.number !== null);
    if (numbered.length === 0) return { kind: "text" };
    const n = Number(folded);
    const item = numbered.find((m) => m.number === n);
    return item ? { kind: "press", item } : { kind: "no_such_choice", number: n, count: numbered.length };
  }
  const item = menu.find((m) => m.keywords.includes(folded));
  return item ? { kind: "press", item } : { kind: "text" };
}
