/**
 * People in tests: a person is found and created through their Telegram account (the
 * PersonChannel row), as the bot itself does.
 */

/** `where` for the person behind a Telegram user id. */
export const telegramUser = (id: number | bigint) => ({
  channels: { some: { channel: "telegram", externalId: String(id) } },
});

/** `where` for the people behind several Telegram user ids. */
export const telegramUsers = (ids: readonly (number | bigint)[]) => ({
  channels: { some: { channel: "telegram", externalId: { in: ids.map(String) } } },
});

/** `data` for a person with a Telegram account. */
export const withTelegram = (id: number | bigint, displayName: string) => ({
  displayName,
  channels: { create: { channel: "telegram", externalId: String(id), chatId: String(id) } },
});
