import { describe, expect, it } from "vitest";
import { encodeAction, parseAction } from "../src/bot/features/coordinator/callback-data.ts";
import { MESSAGE_LIMIT, splitMessage } from "../src/bot/messages.ts";
import { groupOf, pageOf, RANK_GROUPS } from "../src/domain/status.ts";

describe("splitMessage", () => {
  it("keeps a short message whole", () => {
    expect(splitMessage("<b>a</b>\nb")).toEqual(["<b>a</b>\nb"]);
  });

  it("cuts long messages between lines, every part under the limit", () => {
    const lines = Array.from({ length: 400 }, (_, i) => `<b>${i + 1}. Ủy ban nhân dân xã Số ${i + 1}</b> — 45%`);
    const parts = splitMessage(lines.join("\n"));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
      // Every part starts and ends on a whole line: tags stay balanced.
      expect(p.split("\n").every((l) => lines.includes(l))).toBe(true);
    }
    expect(parts.join("\n")).toBe(lines.join("\n"));
  });

  it("cuts a single overlong line at a space", () => {
    const line = "từ ".repeat(3000).trim();
    const parts = splitMessage(line, 100);
    expect(parts.every((p) => p.length <= 100)).toBe(true);
    expect(parts.join(" ")).toBe(line);
  });

  it("never cuts an HTML entity or tag in two", () => {
    const line = `<b>Trả lời:</b> ${"&amp;".repeat(300)}`;
    for (const limit of [100, 101, 102, 103, 104]) {
      for (const part of splitMessage(line, limit)) {
        expect(part.length).toBeLessThanOrEqual(limit);
        expect(part.replaceAll("&amp;", "").replace(/<\/?b>/g, "")).not.toMatch(/[&<>]/);
      }
    }
  });

  it("drops empty parts", () => {
    expect(splitMessage(`a\n\n${"x".repeat(10)}`, 5)).toEqual(["a", "xxxxx", "xxxxx"]);
  });
});

describe("callback data", () => {
  it.each([
    { kind: "progress", page: 0 },
    { kind: "late", areaId: 3, page: 12 },
    { kind: "ranking", areaId: 0, page: 499 },
    { kind: "unit", unitId: 1_000_123 },
    { kind: "remind", unitId: 5 },
    { kind: "remindAll" },
    { kind: "reopen", unitId: 2_147_483_647, areaId: 2_147_483_647, draftId: 2_147_483_647 },
  ] as const)("round-trips %j within 64 bytes", (action) => {
    const data = encodeAction(action);
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(64);
    expect(parseAction(data)).toEqual(action);
  });

  it.each([
    "co:tp:",
    "co:tp:-1",
    "co:tp:01",
    "co:dv:0",
    "co:dv:1;DROP",
    "co:ml:1",
    "co:cn:1",
    "co:xx:1",
    "sa:l",
    `co:dv:${"9".repeat(20)}`,
    "co:dv:2147483648", // beyond PostgreSQL's integer: refused before any query
    "co:ml:1:9999999999",
    "co:na:1",
  ])("refuses %j", (data) => {
    expect(parseAction(data)).toBeNull();
  });
});

describe("groups and pages", () => {
  it("groups by percent of the maximum: A ≥ 90, B 80–<90, C 65–<80, D < 65", () => {
    expect(RANK_GROUPS.map((g) => g.min)).toEqual([90, 80, 65, 0]);
    expect([100, 90, 89.99, 80, 79.99, 65, 64.99, 0].map(groupOf)).toEqual(["A", "A", "B", "B", "C", "C", "D", "D"]);
    expect(groupOf(89.9999999)).toBe("A"); // float sums
  });

  it("clamps pages", () => {
    expect(pageOf(0, 0)).toEqual({ page: 0, pages: 1, skip: 0 });
    expect(pageOf(7, 45, 20)).toEqual({ page: 2, pages: 3, skip: 40 });
    expect(pageOf(-3, 45, 20)).toEqual({ page: 0, pages: 3, skip: 0 });
  });
});
