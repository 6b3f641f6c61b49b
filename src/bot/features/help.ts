import { Composer } from "grammy";
import { commandsFor } from "../commands.ts";
import type { BotContext } from "../context.ts";

/** The commands this person's role may use: exactly those, nothing more. */
export function helpText(ctx: BotContext): string {
  const role = ctx.standing.role;
  const lines = [ctx.t("help.title", { role: ctx.t(`roles.${role ?? "GUEST"}`) }), ""];
  for (const command of commandsFor(role)) {
    lines.push(ctx.t("help.line", { command, description: ctx.t(`commands.${command}`) }));
  }
  if (!role) lines.push("", ctx.t("help.guest_hint"));
  return lines.join("\n");
}

export const helpFeature = new Composer<BotContext>();
helpFeature.command(["help", "trogiup"], (ctx) => ctx.reply(helpText(ctx)));
