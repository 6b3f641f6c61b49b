import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/bot/commands.ts";
import { createI18n, loadResources } from "../src/i18n.ts";

type Tree = { [k: string]: string | Tree };
function leaves(tree: Tree, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "string" ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`),
  );
}

const resources = loadResources() as unknown as Record<"vi" | "en", Tree>;
const vi = new Map(leaves(resources.vi));
const en = new Map(leaves(resources.en));

describe("locales", () => {
  it("Vietnamese and English have the same keys", () => {
    expect([...en.keys()].sort()).toEqual([...vi.keys()].sort());
  });

  it("no text is empty, and placeholders match between languages", () => {
    for (const [key, text] of vi) {
      expect(text.trim(), key).not.toBe("");
      const names = (s: string) => [...s.matchAll(/\{\{-?\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
      expect(names(en.get(key)!), key).toEqual(names(text));
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
    expect(i18n.t("vi", "start.invite_unknown", { code: "<b>&" })).toContain("<code>&lt;b&gt;&amp;</code>");
  });
});
