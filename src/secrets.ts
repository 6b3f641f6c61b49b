/**
 * The values that must never be rendered, stored or logged — the bot token (full control of
 * the bot: its webhook, every officer's messages, every evidence file), the webhook secret,
 * the database password — and one way to scrub them from any text.
 */

export interface Redactor {
  /** `text` with every secret value replaced by "[redacted]". */
  redact(text: string): string;
}

/** Shorter values are not treated as secrets: replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;
const MASK = "[redacted]";

/**
 * The secrets a configuration holds, each also in the forms it takes inside other text: a
 * bot token's secret half alone (after the bot id), URL-encoded, and a database URL's
 * password.
 */
export function secretsOf(config: {
  BOT_TOKEN?: string;
  WEBHOOK_SECRET?: string;
  DATABASE_URL?: string;
  ZALO_BOT_TOKEN?: string;
  ZALO_WEBHOOK_SECRET?: string;
}): string[] {
  const values: string[] = [];
  for (const token of [config.BOT_TOKEN, config.ZALO_BOT_TOKEN]) {
    if (!token) continue;
    values.push(token);
    const half = token.slice(token.indexOf(":") + 1);
    if (half !== token) values.push(half);
  }
  for (const secret of [config.WEBHOOK_SECRET, config.ZALO_WEBHOOK_SECRET]) if (secret) values.push(secret);
  const url = config.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//i.test(url)) {
    try {
      const password = new URL(url).password;
      if (password) values.push(password, decodeURIComponent(password));
    } catch {
      // A URL that does not parse was refused by the configuration already.
    }
  }
  return values;
}

export function redactorFor(secrets: readonly (string | undefined)[]): Redactor {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(encodeURIComponent(s));
  }
  // Longest first, so a token is masked whole rather than around its secret half.
  const list = [...forms].sort((a, b) => b.length - a.length);
  if (list.length === 0) return { redact: (text) => text };
  return {
    redact(text) {
      let out = text;
      // split/join: no regular expression built from a secret, and fast on short lines.
      for (const s of list) if (out.includes(s)) out = out.split(s).join(MASK);
      return out;
    },
  };
}
