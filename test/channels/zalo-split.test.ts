/**
 * splitText: every part fits Zalo's 2,000-character limit, cuts fall where a reader expects
 * them (lines, then words), and no character is ever broken in two.
 */
import { describe, expect, it } from "vitest";
import { splitText } from "../../src/channels/zalo/split.ts";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What the reader gets back when the parts are read one after another. */
const words = (parts: string[]) => parts.join(" ").split(/\s+/).filter(Boolean);

describe("splitText", () => {
  it("keeps a short text whole and gives nothing for an empty one", () => {
    expect(splitText("Xin chào")).toEqual(["Xin chào"]);
    expect(splitText("")).toEqual([]);
    expect(splitText("\n\n  \n")).toEqual([]);
  });

  it("keeps a text of exactly the limit in one part", () => {
    const text = "a".repeat(2000);
    expect(splitText(text)).toEqual([text]);
  });

  it("cuts between lines, never inside one, and drops the line break at the cut", () => {
    const line = (i: number) => `${i}. ${"Câu hỏi về cải cách hành chính ".repeat(3)}`.trim();
    const lines = Array.from({ length: 60 }, (_, i) => line(i + 1));
    const parts = splitText(lines.join("\n"), 500);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(500);
    // Every line survives whole, in order.
    expect(parts.flatMap((p) => p.split("\n"))).toEqual(lines);
  });

  it("drops blank lines at the edges of a part", () => {
    const parts = splitText(`${"a".repeat(8)}\n\n\n${"b".repeat(8)}`, 10);
    expect(parts).toEqual(["a".repeat(8), "b".repeat(8)]);
  });

  it("cuts an over-long line between words", () => {
    const line = Array.from({ length: 400 }, (_, i) => `từ${i}`).join(" ");
    const parts = splitText(line, 100);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(100);
      expect(p).toBe(p.trim());
    }
    expect(words(parts)).toEqual(line.split(" "));
  });

  it("lets the tail of an over-long line share its part with the next lines", () => {
    const parts = splitText(`${"x ".repeat(30).trim()}\nend`, 40);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toMatch(/\nend$/);
  });

  it("cuts a word longer than the limit anywhere, but never inside a surrogate pair", () => {
    // Emoji are two UTF-16 units each; with an odd limit a naive cut would split one.
    const text = "😀".repeat(50);
    const parts = splitText(text, 11);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(11);
      expect(p).not.toMatch(LONE_SURROGATE);
    }
    expect(parts.join("")).toBe(text);
  });

  it("never cuts before a combining mark (Vietnamese in decomposed form)", () => {
    const word = "Việt".normalize("NFD").repeat(30); // "e" + two combining marks
    const parts = splitText(word, 7);
    for (const p of parts) expect(p).not.toMatch(/^\p{M}/u);
    expect(parts.join("")).toBe(word);
  });

  it("keeps every part within 2,000 characters on a long mixed text", () => {
    const text = Array.from({ length: 300 }, (_, i) =>
      i % 50 === 0 ? "dài ".repeat(700) : `Dòng ${i}: đơn vị đã nộp báo cáo 😀`,
    ).join("\n");
    const parts = splitText(text);
    for (const p of parts) {
      expect(p.length).toBeGreaterThan(0);
      expect(p.length).toBeLessThanOrEqual(2000);
    }
    expect(words(parts)).toEqual(words([text]));
  });
});
