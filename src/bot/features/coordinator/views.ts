/** What coordinators see: texts, keyboards and charts of their screens, from locales/. */
import { InlineKeyboard } from "grammy";
import type { Unit } from "../../../db/client.ts";
import { formatNumber } from "../../../domain/answers.ts";
import {
  type AreaInfo,
  type CampaignShape,
  groupOf,
  type Overview,
  type Page,
  RANK_GROUPS,
  type Ranking,
  type UnitStatus,
} from "../../../domain/status.ts";
import { escapeHtml } from "../../../domain/text.ts";
import { deadlineStatus, formatDateTime } from "../../../domain/time.ts";
import type { BarItem } from "../../../reports/chart.ts";
import type { BotContext } from "../../context.ts";
import { type CoordinatorAction, encodeAction } from "./callback-data.ts";

const num = (ctx: BotContext, n: number) => formatNumber(n, ctx.locale === "en" ? "en" : "vi");
/** 45,7 — one decimal. */
const pct = (ctx: BotContext, n: number) => num(ctx, Math.round(n * 10) / 10);
const when = (ctx: BotContext, d: Date) => formatDateTime(d, ctx.config.TZ);

/** Buttons to the previous and next pages, when there are several. */
export function pager(
  ctx: BotContext,
  page: Pick<Page<unknown>, "page" | "pages">,
  to: (page: number) => CoordinatorAction,
): InlineKeyboard | undefined {
  if (page.pages <= 1) return undefined;
  const kb = new InlineKeyboard();
  if (page.page > 0) kb.text(ctx.t("coordinator.buttons.prev"), encodeAction(to(page.page - 1)));
  kb.text(ctx.t("coordinator.buttons.page", { page: page.page + 1, pages: page.pages }), encodeAction(to(page.page)));
  if (page.page < page.pages - 1) kb.text(ctx.t("coordinator.buttons.next"), encodeAction(to(page.page + 1)));
  return kb;
}

export function deadlineLine(ctx: BotContext): string {
  const campaign = ctx.campaign!;
  const deadline = campaign.selfAssessmentDeadline;
  if (!deadline) return ctx.t("coordinator.deadline.none");
  const { passed, days } = deadlineStatus(deadline, ctx.now(), ctx.config.TZ);
  const at = when(ctx, deadline);
  if (passed && days === 0) return ctx.t("coordinator.deadline.passed_today", { when: at });
  if (passed) return ctx.t("coordinator.deadline.passed", { when: at, count: days });
  if (days === 0) return ctx.t("coordinator.deadline.today", { when: at });
  return ctx.t("coordinator.deadline.left", { when: at, count: days });
}

const icons = (ctx: BotContext, s: UnitStatus) =>
  s.areas.map((a) => ctx.t(`coordinator.state_icon.${a.state}`)).join("");

/** Share of the questions the unit is asked that it has answered, 0..100. */
const answeredPercent = (s: UnitStatus) => (s.tally.total ? (s.tally.answered / s.tally.total) * 100 : 0);

// ---------------------------------------------------------------- /tiendo

export function progressView(ctx: BotContext, shape: CampaignShape, o: Overview, page: Page<UnitStatus>) {
  const t = ctx.t;
  const lines = [
    t("coordinator.progress.title", { campaign: shape.campaign.title }),
    deadlineLine(ctx),
    t("coordinator.progress.units", {
      units: num(ctx, o.unitCount),
      done: num(ctx, o.unitsDone),
      notStarted: num(ctx, o.unitsNotStarted),
    }),
    t("coordinator.progress.answers", {
      answered: num(ctx, o.answered),
      expected: num(ctx, o.expected),
      percent: pct(ctx, o.percent),
    }),
    t("coordinator.progress.areas_submitted", {
      submitted: num(ctx, o.submittedAreas),
      expected: num(ctx, o.expectedAreas),
    }),
    "",
    t("coordinator.progress.by_area"),
    ...o.areas.map((a) =>
      t("coordinator.progress.area_line", {
        code: a.area.code,
        title: a.area.title,
        submitted: num(ctx, a.submitted),
        inProgress: num(ctx, a.inProgress),
        notStarted: num(ctx, a.notStarted),
      }),
    ),
    "",
  ];
  if (page.total === 0) lines.push(t("coordinator.progress.no_units"));
  else {
    lines.push(t("coordinator.progress.by_unit", { last: shape.areas.at(-1)?.code ?? "" }));
    if (page.pages > 1) lines.push(t("coordinator.page", { page: page.page + 1, pages: page.pages }));
    page.items.forEach((s, i) => {
      lines.push(
        t("coordinator.progress.unit_line", {
          index: page.page * page.size + i + 1,
          name: s.unit.shortName,
          icons: icons(ctx, s),
          percent: pct(ctx, answeredPercent(s)),
          answered: s.tally.answered,
          total: s.tally.total,
        }),
      );
    });
    lines.push("", t("coordinator.legend"));
  }
  return { text: lines.join("\n"), keyboard: pager(ctx, page, (p) => ({ kind: "progress", page: p })) };
}

const STATE_COLORS = { done: "#2e7d32", started: "#2f6fb3", none: "#c62828" };

export function progressChart(ctx: BotContext, shape: CampaignShape, page: Page<UnitStatus>) {
  const items: BarItem[] = page.items.map((s) => {
    const percent = answeredPercent(s);
    return {
      label: s.unit.shortName,
      value: percent,
      text: `${pct(ctx, percent)}%`,
      color:
        s.submittedAreas === s.areas.length && s.areas.length > 0
          ? STATE_COLORS.done
          : s.tally.answered === 0
            ? STATE_COLORS.none
            : STATE_COLORS.started,
    };
  });
  return {
    items,
    options: {
      title: ctx.t("coordinator.progress.chart_title"),
      subtitle: ctx.t("coordinator.progress.chart_subtitle", {
        campaign: shape.campaign.title,
        when: when(ctx, ctx.now()),
      }),
      max: 100,
    },
  };
}

// ---------------------------------------------------------------- /chuanop

function officersText(s: UnitStatus): string {
  return s.officers.map((o) => escapeHtml(o.username ? `${o.name} (@${o.username})` : o.name)).join(", ");
}

export function lateView(
  ctx: BotContext,
  shape: CampaignShape,
  page: Page<UnitStatus>,
  unitCount: number,
  notSubmittedByArea: Map<number, number>,
  area: AreaInfo | null,
) {
  const t = ctx.t;
  const lines: string[] = [];
  if (page.total === 0) {
    lines.push(
      area
        ? t("coordinator.late.none_area", { total: unitCount, area: `${area.code}. ${area.title}` })
        : t("coordinator.late.none", { total: unitCount }),
    );
    return { text: lines.join("\n"), keyboard: undefined };
  }
  lines.push(
    area
      ? t("coordinator.late.title_area", {
          area: `${area.code}. ${area.title}`,
          late: num(ctx, page.total),
          total: num(ctx, unitCount),
        })
      : t("coordinator.late.title", { late: num(ctx, page.total), total: num(ctx, unitCount) }),
    deadlineLine(ctx),
  );
  if (!area) {
    const list = shape.areas
      .map((a) => t("coordinator.late.by_area_item", { code: a.code, n: num(ctx, notSubmittedByArea.get(a.id) ?? 0) }))
      .join(" · ");
    lines.push(t("coordinator.late.by_area", { list }));
  }
  if (page.pages > 1) lines.push(t("coordinator.page", { page: page.page + 1, pages: page.pages }));
  page.items.forEach((s, i) => {
    const missing = s.areas
      .filter((a) => a.state !== "SUBMITTED" && (!area || a.area.id === area.id))
      .map((a) => t("coordinator.late.missing_item", { code: a.area.code, answered: a.answered, total: a.total }))
      .join(", ");
    lines.push(
      "",
      t("coordinator.late.unit", { index: page.page * page.size + i + 1, name: s.unit.name }),
      t("coordinator.late.missing", { list: missing }),
      s.officers.length ? t("coordinator.late.officers", { list: officersText(s) }) : t("coordinator.late.no_officer"),
      s.lastActivity
        ? t("coordinator.late.activity", { when: when(ctx, s.lastActivity) })
        : t("coordinator.late.no_activity"),
    );
  });
  lines.push("", t("coordinator.late.hint"));
  return {
    text: lines.join("\n"),
    keyboard: pager(ctx, page, (p) => ({ kind: "late", areaId: area?.id ?? 0, page: p })),
  };
}

// ---------------------------------------------------------------- /donvi

/**
 * One unit for a coordinator. `evidenceLinks`: per area id, a signed link to the page of the
 * unit's evidence for that area (src/bot/links.ts), shown for areas that have evidence.
 */
export function unitView(ctx: BotContext, s: UnitStatus, evidenceLinks?: Map<number, string>): string {
  const t = ctx.t;
  const { tally } = s;
  const lines = [
    t("coordinator.unit.title", { name: s.unit.name }),
    t("coordinator.unit.progress", {
      answered: tally.answered,
      total: tally.total,
      percent: pct(ctx, answeredPercent(s)),
      submitted: s.submittedAreas,
      areas: s.areas.length,
    }),
    t("coordinator.unit.score", {
      score: num(ctx, tally.score),
      max: num(ctx, tally.max),
      percent: pct(ctx, tally.percent),
      group: groupOf(tally.percent),
    }),
    ...(tally.excluded > 0
      ? [
          t("assessment.max_reduced", {
            count: tally.excluded,
            points: num(ctx, tally.excludedPoints),
            max: num(ctx, tally.max),
          }),
        ]
      : []),
    t("coordinator.unit.evidence", { count: s.evidence, missing: s.missingExplanations }),
    s.lastActivity
      ? t("coordinator.unit.activity", { when: when(ctx, s.lastActivity) })
      : t("coordinator.unit.no_activity"),
    s.officers.length ? t("coordinator.unit.officers", { list: officersText(s) }) : t("coordinator.unit.no_officer"),
    deadlineLine(ctx),
  ];
  for (const a of s.areas) {
    let detail = t("coordinator.unit.area_line_percent", {
      answered: a.answered,
      total: a.total,
      score: num(ctx, a.score),
      max: num(ctx, a.max),
      percent: pct(ctx, a.percent),
      evidence: a.evidence,
    });
    if (a.missingExplanations > 0) detail += t("coordinator.unit.area_missing", { count: a.missingExplanations });
    if (a.submittedAt) detail += t("coordinator.unit.area_submitted", { when: when(ctx, a.submittedAt) });
    const link = evidenceLinks?.get(a.area.id);
    if (link) detail += `\n${t("coordinator.unit.area_evidence_link", { url: link })}`;
    lines.push(
      "",
      t("coordinator.unit.area", {
        icon: t(`coordinator.state_icon.${a.state}`),
        code: a.area.code,
        title: a.area.title,
      }),
      detail,
    );
  }
  lines.push("", t("coordinator.legend"));
  return lines.join("\n");
}

const MAX_CHOICES = 10;

/** Several units match: one button each (the first ten). */
export function chooseUnitView(
  ctx: BotContext,
  query: string,
  units: Unit[],
  action: (unit: Unit) => CoordinatorAction,
) {
  const shown = units.slice(0, MAX_CHOICES);
  const kb = new InlineKeyboard();
  for (const u of shown) kb.text(u.shortName, encodeAction(action(u))).row();
  const text =
    units.length > shown.length
      ? ctx.t("coordinator.unit.choose_more", { count: units.length, query, shown: shown.length })
      : ctx.t("coordinator.unit.choose", { count: units.length, query });
  return { text, keyboard: kb };
}

/** Nothing matches: say so, with the closest names as buttons. */
export function notFoundView(
  ctx: BotContext,
  query: string,
  suggestions: Unit[],
  action: (unit: Unit) => CoordinatorAction,
) {
  const lines = [ctx.t("coordinator.unit.not_found", { query })];
  if (suggestions.length === 0) return { text: lines.join("\n"), keyboard: undefined };
  lines.push(
    ctx.t("coordinator.unit.suggest", { list: suggestions.map((u) => `<b>${escapeHtml(u.shortName)}</b>`).join(", ") }),
  );
  const kb = new InlineKeyboard();
  for (const u of suggestions) kb.text(u.shortName, encodeAction(action(u))).row();
  return { text: lines.join("\n"), keyboard: kb };
}

// ---------------------------------------------------------------- /diem

export const RANK_PAGE_SIZE = 30;

export function rankingView(ctx: BotContext, r: Ranking, page: number) {
  const t = ctx.t;
  const pages = Math.max(1, Math.ceil(r.entries.length / RANK_PAGE_SIZE));
  const p = Math.min(Math.max(0, page), pages - 1);
  const entries = r.entries.slice(p * RANK_PAGE_SIZE, (p + 1) * RANK_PAGE_SIZE);
  const lines = [
    r.area
      ? t("coordinator.ranking.title_area", { code: r.area.code, title: r.area.title, max: num(ctx, r.max) })
      : t("coordinator.ranking.title"),
    t("coordinator.ranking.self_only"),
    t("coordinator.ranking.groups", Object.fromEntries(RANK_GROUPS.map((g) => [g.group, num(ctx, r.groups[g.group])]))),
    t("coordinator.ranking.unranked_note"),
    "",
  ];
  if (pages > 1) lines.push(t("coordinator.page", { page: p + 1, pages }));
  let section: string | null = null;
  for (const e of entries) {
    // Each section under its own heading (again at the top of a page).
    if (e.section !== section) {
      if (section !== null) lines.push("");
      lines.push(t(`coordinator.ranking.section.${e.section}`));
      section = e.section;
    }
    const vars = { name: e.name, score: num(ctx, e.score), max: num(ctx, e.max), percent: pct(ctx, e.percent) };
    lines.push(
      e.rank === null
        ? t("coordinator.ranking.line_unranked", vars)
        : t("coordinator.ranking.line", { ...vars, rank: e.rank, group: e.group }),
    );
  }
  return {
    text: lines.join("\n"),
    keyboard: pager(ctx, { page: p, pages }, (n) => ({ kind: "ranking", areaId: r.area?.id ?? 0, page: n })),
    entries,
  };
}

const GROUP_COLORS: Record<string, string> = { A: "#2e7d32", B: "#2f6fb3", C: "#f9a825", D: "#c62828" };
const UNRANKED_COLOR = "#9e9e9e";

export function rankingChart(ctx: BotContext, shape: CampaignShape, r: Ranking, entries: Ranking["entries"]) {
  return {
    items: entries.map(
      (e): BarItem => ({
        label: e.rank === null ? e.name : `${e.rank}. ${e.name}`,
        value: e.percent,
        text: `${num(ctx, e.score)} · ${e.group ?? ctx.t("coordinator.ranking.unranked_short")}`,
        color: e.group ? GROUP_COLORS[e.group] : UNRANKED_COLOR,
      }),
    ),
    options: {
      title: r.area
        ? ctx.t("coordinator.ranking.chart_title_area", { code: r.area.code })
        : ctx.t("coordinator.ranking.chart_title"),
      subtitle: ctx.t("coordinator.ranking.chart_subtitle", { campaign: shape.campaign.title }),
      max: 100,
      marks: RANK_GROUPS.filter((g) => g.min > 0).map((g) => ({
        value: g.min,
        label: ctx.t("coordinator.ranking.mark", { group: g.group }),
      })),
    },
  };
}
