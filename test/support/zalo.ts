/**
 * The Zalo channel in tests: the same bot and database as the harness, talking to the
 * loopback fake Zalo Bot API (src/dev/fake-zalo-api.ts), which refuses what Zalo would
 * (markup, buttons, texts over 2,000 characters) and records it as a violation.
 */
import { createZaloApi } from "../../src/channels/zalo/api.ts";
import { createZaloChannel, type ZaloChannel } from "../../src/channels/zalo/index.ts";
import { type FakeZaloApi, type FakeZaloUser, startFakeZaloApi } from "../../src/dev/fake-zalo-api.ts";
import type { Harness } from "./harness.ts";

export const ZALO_TEST_TOKEN = "2000000000000000001:zalo-test-secret-0123456789";

export interface ZaloSide {
  fake: FakeZaloApi;
  channel: ZaloChannel;
  /** The person writes `text`; returns the texts the bot sent back to them for it. */
  send(user: FakeZaloUser, text: string): Promise<string[]>;
  /** The person sends a photo (its bytes served by the fake); returns the bot's texts. */
  sendPhoto(user: FakeZaloUser, bytes: Buffer, text?: string): Promise<string[]>;
  /** Delivers an event as it is (a duplicate, a sticker, an unknown one). */
  deliver(event: unknown, chatId: string): Promise<string[]>;
  /** Everything the bot sent to a person, in order. */
  inbox(user: FakeZaloUser): string[];
  close(): Promise<void>;
}

export async function zaloSide(h: Harness): Promise<ZaloSide> {
  const fake = await startFakeZaloApi({ token: ZALO_TEST_TOKEN });
  const zalo = createZaloApi({ token: ZALO_TEST_TOKEN, apiRoot: fake.url });
  const channel = createZaloChannel({
    config: { ...h.config, ZALO_BOT_TOKEN: ZALO_TEST_TOKEN, ZALO_API_ROOT: fake.url },
    deps: { db: h.db, logger: h.logger, i18n: h.i18n, store: h.store, now: h.clock.now },
    zalo,
  });
  const texts = (chatId: string) => fake.messagesTo(chatId).map((m) => m.text ?? m.caption ?? "");
  const deliver = async (event: unknown, chatId: string) => {
    const before = texts(chatId).length;
    await channel.handle(event);
    return texts(chatId).slice(before);
  };
  return {
    fake,
    channel,
    deliver,
    send: (user, text) => deliver(fake.userSends(user, text), user.id),
    sendPhoto: (user, bytes, text) => deliver(fake.userSendsPhoto(user, { bytes, text }), user.id),
    inbox: (user) => texts(user.id),
    close: () => fake.close(),
  };
}
