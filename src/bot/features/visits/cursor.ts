/**
 * The person's visit step (VisitCursor: a reason, a report, a finding, the minutes, an
 * action…), read once per update and shared by every feature of the visit, so a typed text
 * passing through them costs one read, not one per feature.
 */
import type { VisitCursor } from "../../../db/client.ts";
import { currentCursor } from "../../../domain/visits.ts";
import type { BotContext } from "../../context.ts";

const read = new WeakMap<BotContext, Promise<VisitCursor | null>>();
/** Updates in which the step changed: the person loader's "none waiting" no longer holds. */
const changed = new WeakSet<BotContext>();

/** The person's current visit step, if any and not lapsed (read once per update). */
export function visitCursorOf(ctx: BotContext): Promise<VisitCursor | null> {
  let cursor = read.get(ctx);
  if (!cursor) {
    // Most updates have no step: the person loader said so in its own statement.
    cursor =
      ctx.person.hasVisitCursor || changed.has(ctx)
        ? currentCursor(ctx.deps.db, ctx.person.id, ctx.now())
        : Promise.resolve(null);
    read.set(ctx, cursor);
  }
  return cursor;
}

/** After the step was changed or cleared in this update: the next look reads it again. */
export function forgetVisitCursor(ctx: BotContext): void {
  read.delete(ctx);
  changed.add(ctx);
}
