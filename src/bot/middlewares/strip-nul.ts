import type { NextFunction } from "grammy";
import type { MessageEntity } from "grammy/types";
import type { BotContext } from "../context.ts";

const NUL = "\u0000";

/** NUL characters before `offset` in `text`. */
function nulsBefore(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf(NUL); i >= 0 && i < offset; i = text.indexOf(NUL, i + 1)) n++;
  return n;
}

/** Shifts entities (commands, mentions, formatting) to where they are once NULs are gone. */
function shiftEntities(text: string, entities: MessageEntity[]): void {
  for (const e of entities) {
    const start = nulsBefore(text, e.offset);
    const end = nulsBefore(text, e.offset + e.length);
    e.offset -= start;
    e.length -= end - start;
  }
}

/**
 * Removes NUL characters from every string of an update, in place: texts, captions, names,
 * file names, callback data. PostgreSQL refuses NUL in text and JSON columns (SQLite keeps
 * it), so a name or an answer holding one failed with an internal error; no one means to
 * type it. Entities of a text (`entities`, `caption_entities`, `*_entities`) are shifted
 * with it, so a command or a link still covers the same characters. Returns the update.
 */
export function stripNul<T extends object>(update: T): T {
  const stack: object[] = [update];
  for (let node = stack.pop(); node; node = stack.pop()) {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === "string") {
        if (!value.includes(NUL)) continue;
        const entities = record[key === "text" ? "entities" : `${key}_entities`];
        if (Array.isArray(entities)) shiftEntities(value, entities as MessageEntity[]);
        record[key] = value.replaceAll(NUL, "");
      } else if (value && typeof value === "object") stack.push(value);
    }
  }
  return update;
}

/** stripNul() on every incoming update, before anything reads or stores it. */
export function stripNulFromUpdates() {
  return (ctx: BotContext, next: NextFunction) => {
    stripNul(ctx.update);
    return next();
  };
}
