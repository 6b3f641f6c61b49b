/**
 * Charts as PNG images for Telegram: ECharts draws an SVG on the server (no DOM, no
 * canvas), resvg turns it into a PNG. Text uses DejaVu Sans, which has every Vietnamese
 * letter; the system's fonts are the fallback. Labels come from the caller (locales).
 */
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";

/** Where DejaVu Sans lives on Debian (fonts-dejavu-core); found through the system fonts otherwise. */
const FONT_FILES = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
];
const FONT_FAMILY = "DejaVu Sans";

export interface BarItem {
  /** Unit name as people read it. */
  label: string;
  value: number;
  /** Colour of the bar (e.g. by state or group); a default when missing. */
  color?: string;
  /** Text at the end of the bar ("85%", "91,5"); the value when missing. */
  text?: string;
}

export interface BarChartOptions {
  title: string;
  subtitle?: string;
  /** Upper end of the value axis (100 for percentages). */
  max: number;
  /** Vertical lines, e.g. the group thresholds: [{ value: 90, label: "A" }]. */
  marks?: { value: number; label: string }[];
  width?: number;
}

const ROW_HEIGHT = 26;
const MAX_LABEL = 34;

const shorten = (s: string) => (s.length <= MAX_LABEL ? s : `${s.slice(0, MAX_LABEL - 1)}…`);

/** A horizontal bar chart, one bar per item, top to bottom in the order given. */
export function barChartSvg(items: BarItem[], options: BarChartOptions): string {
  const width = options.width ?? 900;
  const height = 110 + Math.max(1, items.length) * ROW_HEIGHT;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  const reversed = [...items].reverse(); // ECharts draws the category axis bottom-up
  chart.setOption({
    animation: false,
    backgroundColor: "#ffffff",
    textStyle: { fontFamily: FONT_FAMILY },
    title: {
      text: options.title,
      subtext: options.subtitle,
      left: "center",
      textStyle: { fontFamily: FONT_FAMILY, fontSize: 18 },
      subtextStyle: { fontFamily: FONT_FAMILY, fontSize: 13, color: "#555" },
    },
    grid: { left: 16, right: 110, top: options.subtitle ? 85 : 55, bottom: 30, containLabel: true },
    xAxis: {
      type: "value",
      min: 0,
      max: options.max,
      axisLabel: { fontFamily: FONT_FAMILY },
      splitLine: { lineStyle: { color: "#e6e6e6" } },
    },
    yAxis: {
      type: "category",
      data: reversed.map((i) => shorten(i.label)),
      axisLabel: { fontFamily: FONT_FAMILY, fontSize: 13, color: "#222" },
      axisTick: { show: false },
    },
    series: [
      {
        type: "bar",
        barMaxWidth: 18,
        data: reversed.map((i) => ({
          value: Math.max(0, Math.min(options.max, i.value)),
          itemStyle: { color: i.color ?? "#2f6fb3" },
          label: {
            show: true,
            position: "right",
            formatter: i.text ?? String(i.value),
            fontFamily: FONT_FAMILY,
            fontSize: 12,
          },
        })),
        markLine: options.marks?.length
          ? {
              symbol: "none",
              silent: true,
              lineStyle: { type: "dashed", color: "#999" },
              label: { formatter: "{b}", fontFamily: FONT_FAMILY, position: "end" },
              data: options.marks.map((m) => ({ xAxis: m.value, name: m.label })),
            }
          : undefined,
      },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** An SVG as PNG, with fonts that show Vietnamese diacritics. */
export function svgToPng(svg: string): Buffer {
  const fontFiles = FONT_FILES.filter((f) => existsSync(f));
  const resvg = new Resvg(svg, {
    font: { fontFiles, loadSystemFonts: fontFiles.length === 0, defaultFontFamily: FONT_FAMILY },
    background: "#ffffff",
  });
  return resvg.render().asPng();
}

export function barChartPng(items: BarItem[], options: BarChartOptions): Buffer {
  return svgToPng(barChartSvg(items, options));
}
