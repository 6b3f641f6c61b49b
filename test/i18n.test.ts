import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/bot/commands.ts";
import { createI18n, LOCALES, loadResources } from "../src/i18n.ts";
import { LOCALES_DIR } from "../src/paths.ts";

type Tree = { [k: string]: string | Tree };
function leaves(tree: Tree, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "string" ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`),
  );
}

const resources = loadResources() as unknown as Record<"vi" | "en", Tree>;
const vi = new Map(leaves(resources.vi));
const en = new Map(leaves(resources.en));

/**
 * i18next plural forms ("x_one", "x_other"): each language has exactly the forms its plural
 * rules use (Vietnamese only "other", English "one" and "other"), so keys are compared by base.
 */
const PLURAL = /_(zero|one|two|few|many|other)$/;
const pluralBase = (key: string) => key.replace(PLURAL, "");
function keysByBase(keys: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of keys) {
    const base = pluralBase(key);
    out.set(base, [...(out.get(base) ?? []), key === base ? "" : (PLURAL.exec(key)?.[1] ?? "")].sort());
  }
  return out;
}

/** Same keys in both languages, plural forms as each language's rules need. */
function expectSameKeys(byLocale: Record<"vi" | "en", Iterable<string>>, where: string): void {
  const [viKeys, enKeys] = [keysByBase(byLocale.vi), keysByBase(byLocale.en)];
  expect([...enKeys.keys()].sort(), where).toEqual([...viKeys.keys()].sort());
  for (const lng of LOCALES) {
    const categories = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
    for (const [base, forms] of (lng === "vi" ? viKeys : enKeys).entries()) {
      const plural = forms.some(Boolean) || (lng === "vi" ? enKeys : viKeys).get(base)?.some(Boolean);
      if (plural) expect(forms, `${where} ${lng}: ${base}`).toEqual([...categories].sort());
    }
  }
}

describe("locales", () => {
  it("Vietnamese and English have the same keys", () => {
    expectSameKeys({ vi: vi.keys(), en: en.keys() }, "all files");
  });

  it("every file in locales/vi/ has its English counterpart with the same keys, and vice versa", () => {
    const files = (lng: string) =>
      readdirSync(join(LOCALES_DIR, lng))
        .filter((f) => f.endsWith(".json"))
        .sort();
    expect(files("en")).toEqual(files("vi"));
    expect(files("vi")).toContain("playground.json");
    for (const file of files("vi")) {
      const keys = (lng: string) =>
        leaves(JSON.parse(readFileSync(join(LOCALES_DIR, lng, file), "utf8")) as Tree).map(([k]) => k);
      expectSameKeys({ vi: keys("vi"), en: keys("en") }, file);
    }
  });

  it("no text is empty, and placeholders match between languages", () => {
    const names = (s: string) => [...s.matchAll(/\{\{-?\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of vi) {
      expect(text.trim(), key).not.toBe("");
      expect(names(en.get(key)!), key).toEqual(names(text));
    }
    // English plural forms Vietnamese does not have ("x_one") match Vietnamese "x_other".
    for (const [key, text] of en) {
      expect(text.trim(), key).not.toBe("");
      const viText = vi.get(key) ?? vi.get(`${pluralBase(key)}_other`);
      expect(viText, key).toBeDefined();
      expect(names(text), key).toEqual(names(viText!));
    }
  });

  it("Vietnamese is written with its diacritics", () => {
    const withDiacritics = [...vi.values()].filter((t) =>
      /[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]/i.test(t),
    );
    expect(withDiacritics.length / vi.size).toBeGreaterThan(0.9);
  });

  it("every command has a description of at most 256 characters in both languages", () => {
    for (const { name } of COMMANDS) {
      expect(name).toMatch(/^[a-z0-9_]{1,32}$/);
      for (const map of [vi, en]) {
        const d = map.get(`commands.${name}`);
        expect(d, name).toBeDefined();
        expect(d!.length).toBeLessThanOrEqual(256);
      }
    }
  });

  it("a missing key is an error, never a raw key shown to a person", () => {
    const i18n = createI18n("vi");
    expect(() => i18n.t("vi", "no.such.key")).toThrow('missing translation "no.such.key"');
  });

  it("interpolated values are escaped for Telegram HTML", () => {
    const i18n = createI18n("vi");
    expect(i18n.t("vi", "start.invite_invalid", { code: "<b>&" })).toContain("<code>&lt;b&gt;&amp;</code>");
  });

  it("plain text (the terminal playground) keeps values as they are, and counts pick plural forms", () => {
    const vi = createI18n("vi", { plainText: true }).forLocale("vi");
    expect(vi("playground.unknown_command", { command: "<b>&" })).toBe(
      'Không hiểu lệnh ":<b>&". Gõ :giup để xem hướng dẫn.',
    );
    expect(vi("playground.buttons", { count: 1 })).toBe("[1 nút]");
    expect(vi("playground.size.kb", { value: 1.54 })).toBe("1,5 KB");
    const en = createI18n("en", { plainText: true }).forLocale("en");
    expect(en("playground.buttons", { count: 1 })).toBe("[1 button]");
    expect(en("playground.buttons", { count: 2 })).toBe("[2 buttons]");
    expect(en("playground.size.kb", { value: 1.54 })).toBe("1.5 KB");
    // The bot's own translator still escapes.
    expect(createI18n("vi").t("vi", "playground.unknown_command", { command: "<b>" })).toContain('":&lt;b&gt;"');
  });
});
