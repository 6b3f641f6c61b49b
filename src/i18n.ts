/**
 * Every word a person reads comes from locales/<lang>/*.json (Vietnamese first, English
 * second). Interpolated values are HTML-escaped, since messages use Telegram's HTML parse
 * mode; pass pre-rendered HTML with {{- value}}. Texts that are not HTML (the terminal
 * playground) use createI18n(locale, { plainText: true }), which leaves values as they are.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type i18n } from "i18next";
import { escapeHtml } from "./domain/text.ts";
import { LOCALES_DIR } from "./paths.ts";

export const LOCALES = ["vi", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export type Vars = Record<string, unknown> & { count?: number };
export type Translate = (key: string, vars?: Vars) => string;

export interface I18n {
  t(locale: string, key: string, vars?: Vars): string;
  forLocale(locale: string, channel?: string): Translate;
  instance: i18n;
}

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

type Tree = { [key: string]: string | Tree };

/** Merges `source` into `target`; a text defined twice is an error, not a silent win. */
function mergeInto(target: Tree, source: Tree, where: string): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else if (typeof existing === "object" && typeof value === "object") mergeInto(existing, value, `${where}${key}.`);
    else throw new Error(`${where}${key} is defined twice`);
  }
}

/**
 * Every JSON file in locales/<lang>/ (translation.json, and one per feature where that keeps
 * features apart, e.g. coordinator.json adding its own commands.* and coordinator.*),
 * merged into one tree.
 */
export function loadResources(): Record<Locale, Record<string, unknown>> {
  return Object.fromEntries(
    LOCALES.map((lng) => {
      const dir = join(LOCALES_DIR, lng);
      const merged: Tree = {};
      for (const file of readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()) {
        mergeInto(merged, JSON.parse(readFileSync(join(dir, file), "utf8")) as Tree, `locales/${lng}/${file}: `);
      }
      return [lng, merged];
    }),
  ) as Record<Locale, Record<string, unknown>>;
}

export interface I18nOptions {
  /** For plain-text output such as a terminal: interpolated values are not HTML-escaped. */
  plainText?: boolean;
}

export function createI18n(defaultLocale: Locale = "vi", options: I18nOptions = {}): I18n {
  const instance = i18next.createInstance();
  const resources = loadResources();
  void instance.init({
    initAsync: false,
    showSupportNotice: false,
    lng: defaultLocale,
    fallbackLng: "vi",
    supportedLngs: [...LOCALES],
    resources: Object.fromEntries(Object.entries(resources).map(([lng, translation]) => [lng, { translation }])),
    interpolation: options.plainText ? { escapeValue: false } : { escapeValue: true, escape: escapeHtml },
    returnNull: false,
    returnEmptyString: false,
    // A missing key is a bug: make it loud in logs and tests rather than showing the key.
    saveMissing: true,
    missingKeyHandler: (lngs, _ns, key) => {
      throw new Error(`missing translation "${key}" for ${lngs.join(",")}`);
    },
  });
  const forLocale = (locale: string, channel?: string): Translate => {
    const fixed = instance.getFixedT(isLocale(locale) ? locale : defaultLocale) as unknown as (
      k: string,
      o: object,
    ) => string;
    // On a channel other than Telegram, a text may have a variant of its own ("<key>_zalo",
    // i18next's context): "bấm nút" where Zalo has no buttons. Without one, the text is shared.
    if (channel && channel !== "telegram") return (key, vars) => fixed(key, { context: channel, ...vars });
    return (key, vars) => fixed(key, vars ?? {});
  };
  return { instance, forLocale, t: (locale, key, vars) => forLocale(locale)(key, vars) };
}
