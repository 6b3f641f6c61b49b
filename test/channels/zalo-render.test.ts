/**
 * What a Zalo reader sees of the features' messages: plain text, numbered choices, keyword
 * actions; and what a typed text presses. Pure functions (src/channels/zalo/render.ts).
 */
import { describe, expect, it } from "vitest";
import { foldKeyword, htmlToPlain, type MenuItem, readTyped, renderMessage } from "../../src/channels/zalo/render.ts";

const texts = {
  chooseByNumber: "— gõ số để chọn",
  keywordLine: (keyword: string, label: string) => `Gõ «${keyword}»: ${label}`,
};
const keywords: Record<string, string[]> = {
  "sa:k:1": ["tiếp", "tiep", "câu sau"],
  "sa:b:1": ["lùi", "lui"],
  "sa:v:1:n:na": ["không áp dụng", "khong ap dung", "kad"],
};
const keywordsOf = (data: string) => keywords[data] ?? null;

describe("htmlToPlain", () => {
  it("drops the markup, keeps the words, decodes entities and shows link addresses", () => {
    expect(htmlToPlain("<b>Câu 1.1</b> — <i>Kế hoạch</i> &amp; báo cáo &lt;2019&gt;")).toBe(
      "Câu 1.1 — Kế hoạch & báo cáo <2019>",
    );
    expect(htmlToPlain('📂 <a href="https://cchc.example.vn/e/abc?x=1&amp;y=2">Xem tài liệu</a>')).toBe(
      "📂 Xem tài liệu: https://cchc.example.vn/e/abc?x=1&y=2",
    );
    expect(htmlToPlain('<a href="https://a.vn/x">https://a.vn/x</a>')).toBe("https://a.vn/x");
    expect(htmlToPlain("<code>/start ABC123</code>")).toBe("/start ABC123");
  });
});

describe("renderMessage", () => {
  it("numbers the choices and lists keyword actions with their first word", () => {
    const { text, menu } = renderMessage(
      "<b>Câu 1.1.1</b>\nĐơn vị có ban hành kế hoạch?",
      [
        [
          { text: "Có", callback_data: "sa:v:1:n:yes" },
          { text: "Không", callback_data: "sa:v:1:n:no" },
        ],
        [{ text: "Không áp dụng", callback_data: "sa:v:1:n:na" }],
        [
          { text: "⬅️ Câu trước", callback_data: "sa:b:1" },
          { text: "Câu sau ➡️", callback_data: "sa:k:1" },
        ],
        [{ text: "Mở trang", url: "https://cchc.example.vn/u/t" }],
      ],
      keywordsOf,
      texts,
    );
    expect(text).toBe(
      [
        "Câu 1.1.1\nĐơn vị có ban hành kế hoạch?",
        "1. Có\n2. Không\n— gõ số để chọn",
        "Gõ «không áp dụng»: Không áp dụng\nGõ «lùi»: ⬅️ Câu trước\nGõ «tiếp»: Câu sau ➡️",
        "Mở trang: https://cchc.example.vn/u/t",
      ].join("\n\n"),
    );
    expect(menu.map((m) => [m.number, m.data])).toEqual([
      [1, "sa:v:1:n:yes"],
      [2, "sa:v:1:n:no"],
      [null, "sa:v:1:n:na"],
      [null, "sa:b:1"],
      [null, "sa:k:1"],
    ]);
    expect(menu[2]!.keywords).toEqual(["khong ap dung", "khong ap dung", "kad"]);
  });

  it("keeps a message without buttons as it is", () => {
    expect(renderMessage("Đã lưu.", undefined, keywordsOf, texts)).toEqual({ text: "Đã lưu.", menu: [] });
  });
});

describe("readTyped", () => {
  const choices: MenuItem[] = [
    { number: 1, keywords: [], label: "Có", data: "yes" },
    { number: 2, keywords: [], label: "Không", data: "no" },
    { number: null, keywords: ["tiep", "cau sau"], label: "Câu sau", data: "next" },
  ];
  const navigationOnly: MenuItem[] = [
    { number: null, keywords: ["tiep"], label: "Câu sau", data: "next" },
    { number: null, keywords: ["khong ap dung"], label: "Không áp dụng", data: "na" },
  ];

  it("takes a number for a numbered choice, and a keyword with or without diacritics", () => {
    expect(readTyped("2", choices)).toEqual({ kind: "press", item: choices[1] });
    expect(readTyped(" 1 ", choices)).toEqual({ kind: "press", item: choices[0] });
    expect(readTyped("Tiếp", choices)).toEqual({ kind: "press", item: choices[2] });
    expect(readTyped("câu sau!", choices)).toEqual({ kind: "press", item: choices[2] });
  });

  it("refuses a number that is not among the choices shown", () => {
    expect(readTyped("7", choices)).toEqual({ kind: "no_such_choice", number: 7, count: 2 });
  });

  it("leaves a number as the answer where the screen has no numbered choice", () => {
    expect(readTyped("3", navigationOnly)).toEqual({ kind: "text" });
    expect(readTyped("15/01/2019", navigationOnly)).toEqual({ kind: "text" });
    expect(readTyped("Không áp dụng", navigationOnly)).toEqual({ kind: "press", item: navigationOnly[1] });
    expect(readTyped("3", [])).toEqual({ kind: "text" });
  });

  it("passes any other text on", () => {
    expect(readTyped("có bao nhiêu đơn vị nộp đủ rồi?", choices)).toEqual({ kind: "text" });
  });
});

describe("foldKeyword", () => {
  it("compares words without case, diacritics or quotes", () => {
    expect(foldKeyword("«Đã nhận»")).toBe("da nhan");
    expect(foldKeyword("  XEM   lại ")).toBe("xem lai");
  });
});
