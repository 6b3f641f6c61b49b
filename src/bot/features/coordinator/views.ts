/** What coordinators see: texts, keyboards and charts of their screens, from locales/. */

import { InlineKeyboard } from "grammy";
import type { Unit } from "../../../db/client.ts";
import type { AppraisalProgress } from "../../../domain/appraisal.ts";
import type { RankGroupSpec } from "../../../domain/appraisal-rules.ts";
import type { FinalRanking, UnitResult } from "../../../domain/ranking.ts";
import {
  type AreaInfo,
  type CampaignShape,
  DEFAULT_RANK_GROUPS,
  groupOf,
  type Overview,
  PAGE_SIZE,
  type Page,
  pageOf,
  RANK_GROUPS,
  RANK_SECTIONS,
  type Ranking,
  type UnitStatus,
} from "../../../domain/status.ts";
import { escapeHtml } from "../../../domain/text.ts";
import { deadlineStatus, formatDateTime } from "../../../domain/time.ts";
import type { BarItem } from "../../../reports/chart.ts";
import type { BotContext } from "../../context.ts";
import { num } from "../../format.ts";
import { type CoordinatorAction, encodeAction } from "./callback-data.ts";

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

/** Corrective actions' lines for /tiendo (src/bot/features/actions/): the campaign's, and a unit's when it has any. */
export interface ActionLines {
  total: string | null;
  unit: (unitId: number) => string | null;
}

const withActions = (lines: string[], actions: ActionLines | undefined, unitId: number) => {
  const line = actions?.unit(unitId);
  if (line) lines.push(`   ${line}`);
};

export function progressView(
  ctx: BotContext,
  shape: CampaignShape,
  o: Overview,
  page: Page<UnitStatus>,
  actions?: ActionLines,
) {
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
    ...(actions?.total ? [actions.total] : []),
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
      withActions(lines, actions, s.unit.id);
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
export function unitView(
  ctx: BotContext,
  s: UnitStatus,
  evidenceLinks?: Map<number, string>,
  result?: UnitResult | null,
  /** "Kiến nghị: 3 đang mở · 1 quá hạn" when the unit has corrective actions. */
  actionsLine?: string | null,
): string {
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
    ...(result
      ? resultLines(ctx, result)
      : [
          t("coordinator.unit.score", {
            score: num(ctx, tally.score),
            max: num(ctx, tally.max),
            percent: pct(ctx, tally.percent),
            group: groupOf(tally.percent),
          }),
        ]),
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
    ...(actionsLine ? [actionsLine] : []),
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
    if (result) detail += `\n${areaResultLine(ctx, result, a.area.id)}`;
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

/**
 * A unit's scores once appraisal has begun: self-score, after round 1, after round 2 (once it
 * has begun), bonus and penalty, and the final score with its group (once round 1 is closed).
 */
function resultLines(ctx: BotContext, r: UnitResult): string[] {
  const t = ctx.t;
  const e = r.entry;
  const of = (x: { score: number; max: number; percent: number }) => ({
    score: num(ctx, x.score),
    max: num(ctx, x.max),
    percent: pct(ctx, x.percent),
  });
  const lines = [t("results.unit.self", of(r.self)), t("results.unit.round1", of(r.round1))];
  if (r.round2) lines.push(t("results.unit.round2", of(r.final)));
  if (e.bonus > 0 || e.penalty > 0)
    lines.push(
      t("results.unit.adjustments", { bonus: signed(ctx, e.bonus, "+"), penalty: signed(ctx, e.penalty, "−") }),
    );
  if (!r.appraised) lines.push(t("results.unit.not_final"));
  else {
    const vars = { score: num(ctx, e.total), max: num(ctx, e.max), percent: pct(ctx, e.percent) };
    lines.push(
      e.group
        ? t("results.unit.final", { ...vars, group: e.group.label ?? e.group.code })
        : t("results.unit.final_unranked", vars),
    );
  }
  return lines;
}

/** One area of a unit: self-score → round 1 → round 2 → final. */
function areaResultLine(ctx: BotContext, r: UnitResult, areaId: number): string {
  const score = (tally: UnitResult["self"]) => num(ctx, tally.areas.get(areaId)?.score ?? 0);
  const vars = { self: score(r.self), round1: score(r.round1), final: score(r.final) };
  return ctx.t(r.round2 ? "results.unit.area_rounds2" : "results.unit.area_rounds1", vars);
}

const MAX_CHOICES = 10;

/** A button's data: a coordinator action, or data another feature encoded with its own codec. */
const dataOf = (action: CoordinatorAction | string) => (typeof action === "string" ? action : encodeAction(action));

/** Several units match: one button each (the first ten). */
export function chooseUnitView(
  ctx: BotContext,
  query: string,
  units: Unit[],
  action: (unit: Unit) => CoordinatorAction | string,
) {
  const shown = units.slice(0, MAX_CHOICES);
  const kb = new InlineKeyboard();
  for (const u of shown) kb.text(u.shortName, dataOf(action(u))).row();
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
  action: (unit: Unit) => CoordinatorAction | string,
) {
  const lines = [ctx.t("coordinator.unit.not_found", { query })];
  if (suggestions.length === 0) return { text: lines.join("\n"), keyboard: undefined };
  lines.push(
    ctx.t("coordinator.unit.suggest", { list: suggestions.map((u) => `<b>${escapeHtml(u.shortName)}</b>`).join(", ") }),
  );
  const kb = new InlineKeyboard();
  for (const u of suggestions) kb.text(u.shortName, dataOf(action(u))).row();
  return { text: lines.join("\n"), keyboard: kb };
}

// ---------------------------------------------------------------- /diem

export const RANK_PAGE_SIZE = 30;

/** A page of ranked entries, with the previous-next buttons of /diem. */
function rankPage<T>(ctx: BotContext, entries: T[], page: number, areaId: number) {
  const pages = Math.max(1, Math.ceil(entries.length / RANK_PAGE_SIZE));
  const p = Math.min(Math.max(0, page), pages - 1);
  return {
    p,
    pages,
    shown: entries.slice(p * RANK_PAGE_SIZE, (p + 1) * RANK_PAGE_SIZE),
    keyboard: pager(ctx, { page: p, pages }, (n) => ({ kind: "ranking", areaId, page: n })),
  };
}

/**
 * Entries under their section's heading (districts and the city, then departments), again at
 * the top of a page: `line` writes one entry.
 */
function sectionLines<T extends { section: string }>(ctx: BotContext, entries: T[], line: (e: T) => string): string[] {
  const lines: string[] = [];
  let section: string | null = null;
  for (const e of entries) {
    if (e.section !== section) {
      if (section !== null) lines.push("");
      lines.push(ctx.t(`coordinator.ranking.section.${e.section}`));
      section = e.section;
    }
    lines.push(line(e));
  }
  return lines;
}

/** `appraised`: the scores are an area's final ones (round 1 closed), not self-scores. */
export function rankingView(ctx: BotContext, r: Ranking, page: number, appraised = false) {
  const t = ctx.t;
  const { p, pages, shown, keyboard } = rankPage(ctx, r.entries, page, r.area?.id ?? 0);
  const lines = [
    r.area
      ? t(appraised ? "results.ranking.title_area" : "coordinator.ranking.title_area", {
          code: r.area.code,
          title: r.area.title,
          max: num(ctx, r.max),
        })
      : t("coordinator.ranking.title"),
    t(appraised ? "results.ranking.area_note" : "coordinator.ranking.self_only"),
    t("coordinator.ranking.groups", Object.fromEntries(RANK_GROUPS.map((g) => [g.group, num(ctx, r.groups[g.group])]))),
    t("coordinator.ranking.unranked_note"),
    "",
  ];
  if (pages > 1) lines.push(t("coordinator.page", { page: p + 1, pages }));
  lines.push(
    ...sectionLines(ctx, shown, (e) => {
      const vars = { name: e.name, score: num(ctx, e.score), max: num(ctx, e.max), percent: pct(ctx, e.percent) };
      return e.rank === null
        ? t("coordinator.ranking.line_unranked", vars)
        : t("coordinator.ranking.line", { ...vars, rank: e.rank, group: e.group });
    }),
  );
  return { text: lines.join("\n"), keyboard, entries: shown };
}

/** "A (từ 90%): 2 · B (từ 80% đến dưới 90%): 1 · …": the campaign's groups with their counts. */
function groupCounts(ctx: BotContext, groups: readonly RankGroupSpec[], counts: Record<string, number>): string {
  return groups
    .map((g, i) => {
      const vars = { code: g.label ?? g.code, min: num(ctx, g.min), n: num(ctx, counts[g.code] ?? 0) };
      const above = groups[i - 1];
      if (!above) return ctx.t("results.ranking.group_top", vars);
      return ctx.t(g.min > 0 ? "results.ranking.group_between" : "results.ranking.group_bottom", {
        ...vars,
        below: num(ctx, above.min),
      });
    })
    .join(" · ");
}

/** A signed number of points: "+1,5", "−0,5" (nothing when 0). */
const signed = (ctx: BotContext, n: number, sign: "+" | "−") => `${sign}${num(ctx, n)}`;

/**
 * /diem once round 1 is closed: per section (districts and the city, departments), units by
 * final score as a percentage of their own maximum, with group, self-score, bonus and
 * penalty; the incomplete ones "chưa xếp loại".
 */
export function finalRankingView(ctx: BotContext, r: FinalRanking, page: number) {
  const t = ctx.t;
  const { p, pages, shown, keyboard } = rankPage(ctx, r.entries, page, 0);
  const lines = [t("results.ranking.title"), t("results.ranking.note")];
  for (const section of RANK_SECTIONS) {
    lines.push(
      t("results.ranking.groups", {
        section: t(`results.ranking.section_name.${section}`),
        list: groupCounts(ctx, r.groups, r.counts[section]),
      }),
    );
  }
  lines.push(t("results.ranking.unranked_note"), "");
  if (pages > 1) lines.push(t("coordinator.page", { page: p + 1, pages }));
  lines.push(
    ...sectionLines(ctx, shown, (e) => {
      const extras = [
        t("results.ranking.self", { score: num(ctx, e.selfScore) }),
        ...(e.bonus > 0 ? [t("results.ranking.bonus", { points: signed(ctx, e.bonus, "+") })] : []),
        ...(e.penalty > 0 ? [t("results.ranking.penalty", { points: signed(ctx, e.penalty, "−") })] : []),
      ].join(" · ");
      const vars = {
        name: e.name,
        score: num(ctx, e.total),
        max: num(ctx, e.max),
        percent: pct(ctx, e.percent),
        extras,
      };
      return e.rank === null || !e.group
        ? t("results.ranking.line_unranked", vars)
        : t("results.ranking.line", { ...vars, rank: e.rank, group: e.group.label ?? e.group.code });
    }),
  );
  return { text: lines.join("\n"), keyboard, entries: shown };
}

/** Group colours from the best group down; groups past the palette take its last colour. */
const GROUP_PALETTE = ["#2e7d32", "#2f6fb3", "#f9a825", "#c62828"];
const UNRANKED_COLOR = "#9e9e9e";
const colorOf = (groups: readonly { code: string }[], code: string | null) => {
  if (code === null) return UNRANKED_COLOR;
  const i = groups.findIndex((g) => g.code === code);
  return GROUP_PALETTE[Math.min(Math.max(i, 0), GROUP_PALETTE.length - 1)]!;
};

/** A bar per unit (percent of its own maximum), coloured by group, with the groups' lines. */
function rankBars(
  ctx: BotContext,
  groups: readonly RankGroupSpec[],
  entries: { rank: number | null; name: string; percent: number; score: number; group: string | null }[],
  options: { title: string; subtitle: string },
) {
  return {
    items: entries.map(
      (e): BarItem => ({
        label: e.rank === null ? e.name : `${e.rank}. ${e.name}`,
        value: e.percent,
        text: `${num(ctx, e.score)} · ${e.group ?? ctx.t("coordinator.ranking.unranked_short")}`,
        color: colorOf(groups, e.group),
      }),
    ),
    options: {
      ...options,
      max: 100,
      marks: groups
        .filter((g) => g.min > 0)
        .map((g) => ({ value: g.min, label: ctx.t("coordinator.ranking.mark", { group: g.label ?? g.code }) })),
    },
  };
}

export function rankingChart(
  ctx: BotContext,
  shape: CampaignShape,
  r: Ranking,
  entries: Ranking["entries"],
  appraised = false,
) {
  const title = r.area
    ? ctx.t(appraised ? "results.ranking.chart_title_area" : "coordinator.ranking.chart_title_area", {
        code: r.area.code,
      })
    : ctx.t("coordinator.ranking.chart_title");
  const subtitle = ctx.t("coordinator.ranking.chart_subtitle", { campaign: shape.campaign.title });
  return rankBars(ctx, DEFAULT_RANK_GROUPS, entries, { title, subtitle });
}

/** The chart of the final ranking: the same numbers as finalRankingView, the campaign's groups. */
export function finalRankingChart(
  ctx: BotContext,
  shape: CampaignShape,
  r: FinalRanking,
  entries: FinalRanking["entries"],
) {
  return rankBars(
    ctx,
    r.groups,
    entries.map((e) => ({ ...e, score: e.total, group: e.group?.code ?? null })),
    {
      title: ctx.t("results.ranking.chart_title"),
      subtitle: ctx.t("results.ranking.chart_subtitle", { campaign: shape.campaign.title }),
    },
  );
}

// ---------------------------------------------------------------- /tiendo during appraisal

const share = (done: number, assigned: number) => (assigned ? (done / assigned) * 100 : 0);

/** Appraisal progress: items done / to do in the round, per appraiser and per unit (a page of units). */
export function appraisalProgressView(
  ctx: BotContext,
  shape: CampaignShape,
  p: AppraisalProgress,
  page: number,
  actions?: ActionLines,
) {
  const t = ctx.t;
  const done = p.units.reduce((n, u) => n + u.done, 0);
  const assigned = p.units.reduce((n, u) => n + u.assigned, 0);
  const paging = pageOf(page, p.units.length);
  const lines = [
    t("results.progress.title", { round: p.round, campaign: shape.campaign.title }),
    t("results.progress.phase", { phase: t(`appraisal.phases.${shape.campaign.status}`) }),
    t("results.progress.total", {
      done: num(ctx, done),
      assigned: num(ctx, assigned),
      percent: pct(ctx, share(done, assigned)),
    }),
    "",
    t("results.progress.by_appraiser"),
    ...(p.appraisers.length === 0
      ? [t("results.progress.no_appraisers")]
      : p.appraisers.map((a) =>
          t("results.progress.appraiser_line", {
            name: a.name,
            key: a.key,
            done: num(ctx, a.done),
            assigned: num(ctx, a.assigned),
            percent: pct(ctx, share(a.done, a.assigned)),
            byThem: num(ctx, a.byThem),
          }),
        )),
    "",
    t("results.progress.by_unit"),
  ];
  if (paging.pages > 1) lines.push(t("coordinator.page", { page: paging.page + 1, pages: paging.pages }));
  p.units.slice(paging.skip, paging.skip + PAGE_SIZE).forEach((u, i) => {
    lines.push(
      t("results.progress.unit_line", {
        index: paging.skip + i + 1,
        name: u.name,
        done: num(ctx, u.done),
        assigned: num(ctx, u.assigned),
        percent: pct(ctx, share(u.done, u.assigned)),
      }),
    );
    withActions(lines, actions, u.unitId);
  });
  if (actions?.total) lines.splice(3, 0, actions.total);
  return {
    text: lines.join("\n"),
    keyboard: pager(ctx, { page: paging.page, pages: paging.pages }, (n) => ({ kind: "progress", page: n })),
  };
}
