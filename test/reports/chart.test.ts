import { describe, expect, it } from "vitest";
import { barChartPng, barChartSvg } from "../../src/reports/chart.ts";

const items = [
  { label: "Quỳnh Nhai", value: 100, text: "100%" },
  { label: "Sở Tài nguyên và Môi trường", value: 45.5, text: "45,5%", color: "#c62828" },
];

describe("bar chart", () => {
  it("draws Vietnamese labels into the SVG", () => {
    const svg = barChartSvg(items, { title: "Tiến độ tự đánh giá", max: 100, marks: [{ value: 90, label: "A" }] });
    expect(svg).toContain("Tiến độ tự đánh giá");
    expect(svg).toContain("Sở Tài nguyên và Môi trường");
    expect(svg).toContain("45,5%");
  });

  it("renders a PNG whose height follows the number of bars", () => {
    const png = barChartPng(items, { title: "Điểm tự chấm", subtitle: "nhóm A ≥ 90%", max: 100 });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBe(900);
    expect(height).toBe(110 + 2 * 26);
    const taller = barChartPng([...items, ...items], { title: "x", max: 100 });
    expect(taller.readUInt32BE(20)).toBe(110 + 4 * 26);
  });

  it("copes with no bars and values out of range", () => {
    expect(barChartPng([], { title: "x", max: 100 }).length).toBeGreaterThan(100);
    expect(barChartSvg([{ label: "a", value: 250 }], { title: "x", max: 100 })).toContain("250");
  });
});
