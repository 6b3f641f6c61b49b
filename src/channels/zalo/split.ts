/**
 * Splits a long plain text into messages Zalo accepts (at most 2,000 characters each).
 *
 * Where to cut, in order of preference, so each part still reads well on a phone:
 * 1. between lines (a list item or a paragraph stays whole);
 * 2. for a single line longer than the limit, between words;
 * 3. for a "word" longer than the limit (a long URL), anywhere — but never inside a surrogate
 *    pair (an emoji would turn into two broken characters) and never before a combining mark
 *    (Vietnamese typed in decomposed form would lose its tone mark to the next message).
 *
 * Lengths are UTF-16 code units, as in api.ts: never less than the character count, so a part
 * that fits here fits Zalo whichever way it counts.
 */
import { ZALO_TEXT_LIMIT } from "./api.ts";

/**
 * The parts of `text`, each 1–`limit` characters, in order. The line breaks and spaces where a
 * cut falls are dropped (the message boundary replaces them), as are blank lines at the edges
 * of a part. Empty (or only blank lines) text gives no parts.
 */
export function splitText(text: string, limit: number = ZALO_TEXT_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`limit must be an integer ≥ 2, got ${limit}`);
  const parts: string[] = [];
  let current = "";
  const flush = () => {
    const part = trimBlankLines(current);
    // A part of only spaces would be an empty-looking message (and may be refused as empty).
    if (part.trim()) parts.push(part);
    current = "";
  };
  for (const line of text.split("\n")) {
    // The line joins the current part if it fits with its line break.
    const joined = current ? `${current}\n${line}` : line;
    if (joined.length <= limit) {
      current = joined;
      continue;
    }
    flush();
    if (line.length <= limit) {
      current = line;
      continue;
    }
    // One line longer than a message: every piece but the last is a part of its own; the last
    // may share its part with the lines that follow.
    const pieces = splitLongLine(line, limit);
    current = pieces.pop() ?? "";
    for (const piece of pieces) parts.push(piece);
  }
  flush();
  return parts;
}

/** Pieces of one line, each at most `limit` long, cut at the last space that fits. */
function splitLongLine(line: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    // A space at index `limit` still works: the piece before it is exactly `limit` long.
    const window = rest.slice(0, limit + 1);
    const space = lastWhitespace(window);
    if (space > 0) {
      pieces.push(rest.slice(0, space).trimEnd());
      rest = rest.slice(space + 1).trimStart();
    } else {
      const cut = safeCut(rest, limit);
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
  }
  if (rest) pieces.push(rest);
  return pieces.filter((p) => p.length > 0);
}

function lastWhitespace(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) if (/\s/.test(s[i] as string)) return i;
  return -1;
}

/** The largest cut ≤ `at` that falls neither inside a surrogate pair nor before a combining mark. */
function safeCut(s: string, at: number): number {
  let cut = at;
  while (cut > 0 && (isLowSurrogate(s.charCodeAt(cut)) || /\p{M}/u.test(s[cut] ?? ""))) cut--;
  if (cut > 0) return cut;
  // A run of combining marks longer than a message: cut inside it, but still keep pairs whole.
  return isLowSurrogate(s.charCodeAt(at)) ? at - 1 : at;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function trimBlankLines(s: string): string {
  return s.replace(/^(?:[ \t]*\n)+/, "").replace(/(?:\n[ \t]*)+$/, "");
}
