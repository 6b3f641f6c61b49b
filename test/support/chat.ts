/**
 * What the visit's tests do in chat, written once: link a person with an invite, press a
 * button and read everything the bot said, send a document or a photo at the test clock's
 * time, read a person's chat as the sender delivered it, find the button of a notice, run
 * the sender. Bound to the harness (and the fake Bot API's client) by getters, since both
 * are made in `beforeAll`.
 */
import type { Api } from "grammy";
import type { User } from "grammy/types";
import { createInvites } from "../../src/domain/invites.ts";
import type { Harness } from "./harness.ts";
import { telegramUser } from "./people.ts";
import { testSender } from "./sender.ts";

/** 2019-03-dd hh:mm in Asia/Ho_Chi_Minh (UTC+7): the Sơn La inspection's month (day 32 is 1 April). */
export const local = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2019, 2, day, hour - 7, minute));

type Button = { text: string; callback_data: string };

/** The texts (and captions) of the recorded calls, joined. */
const said = (calls: { payload: Record<string, unknown> }[]) =>
  calls
    .map((c) => String(c.payload.text ?? c.payload.caption ?? ""))
    .filter(Boolean)
    .join("\n");

export function chatHelpers(harness: () => Harness, botApi: () => Api | undefined = () => undefined) {
  const h = harness;
  /** Messages the sender delivered to a person, newest last. */
  const inbox = (u: User) => h().files!.chatState(u.id)?.botMessages ?? [];
  const buttonsOf = (m: ReturnType<typeof inbox>[number]) =>
    (m.message.reply_markup?.inline_keyboard.flat() ?? []) as Button[];

  const sendAt = async (update: ReturnType<NonNullable<Harness["files"]>["sendUserDocument"]>) => {
    update.message!.date = Math.floor(h().clock.now().getTime() / 1000);
    h().recorder.clear();
    await h().handle(update);
    return h().recorder.lastText();
  };

  return {
    inbox,
    buttonsOf,
    personOf: (u: User) => h().db.person.findFirstOrThrow({ where: telegramUser(BigInt(u.id)) }),
    audits: (action: string) => h().db.auditLog.findMany({ where: { action }, orderBy: { id: "asc" } }),
    /** The notices waiting, delivered by the real sender to the fake Bot API. */
    drain: () => testSender(h(), botApi()!).drain(),
    /** Links a Telegram user in a role (an officer or inspector of a unit) through an invite and /start. */
    async link(person: User, role: "OFFICER" | "INSPECTOR", unitCode?: string) {
      const unitIds = unitCode ? [(await h().unit(unitCode)).id] : undefined;
      const [invite] = await createInvites(h().db, { campaignId: h().campaign.id, role, unitIds });
      await h().send(person, `/start ${invite!.code}`);
    },
    /** The button labelled `label` on the latest message in `u`'s chat about `text`. */
    noticeButton(u: User, text: string, label: string): string {
      const notice = inbox(u).findLast((m) => m.message.text?.includes(text));
      const button = notice && buttonsOf(notice).find((b) => b.text === label);
      if (!button) throw new Error(`no «${label}» on a notice about «${text}» to ${u.first_name}`);
      return button.callback_data;
    },
    /** Everything the bot said for a press of `data`, answers to the press included. */
    pressSays: async (u: User, data: string) => said(await h().press(u, data, 900)),
    /** Everything the bot said for a press of the last keyboard's button labelled like `label`. */
    tapSays: async (u: User, label: string | RegExp) => said(await h().tap(u, label)),
    /** A document sent at the test clock's time; the bot's last text. */
    sendDocument: (u: User, fileName: string, bytes: Buffer) =>
      sendAt(h().files!.sendUserDocument(u, { fileName, bytes })),
    /** A photo sent at the test clock's time; the bot's last text. */
    sendPhoto: (u: User, bytes: Buffer) => sendAt(h().files!.sendUserPhoto(u, { bytes })),
  };
}
