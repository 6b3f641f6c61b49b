/**
 * The outbox of notices to people (Notice rows): written in the same transaction as the
 * change that causes them, delivered later by the sender (src/jobs/sender.ts), rendered at
 * send time in the recipient's language from `kind` + `payload`, acknowledged with the
 * "Đã nhận" button. No Telegram in here except the shape of the button.
 */
import { z } from "zod";
import { type CampaignStatus, clientProvider, type Db, type Prisma } from "../db/client.ts";
import type { Translate } from "../i18n.ts";
import { formatNumber } from "./answers.ts";
import { PHASES } from "./appraisal-rules.ts";
import { escapeHtml, shorten } from "./text.ts";
import { calendarDaysBetween, deadlineStatus, formatDate, formatDateTime } from "./time.ts";

type Tx = Prisma.TransactionClient;

export interface NoticeInput {
  recipientId: number;
  campaignId?: number | null;
  kind: string;
  payload: Record<string, unknown>;
  dueAt: Date;
  idempotencyKey: string;
  visitId?: number | null;
}

export const NOTICE_KINDS = [
  "visit.created",
  "visit.changed",
  "visit.cancelled",
  "visit.reminder",
  "deadline.reminder",
  "assessment.reminder",
  "recipient.unreachable",
  "access.revoked",
  "access.moved",
  "area.reopened",
  "campaign.phase",
  "appraisal.round1_closed",
  "appraisal.reopened",
  "visit.request",
  "visit.request_answered",
  "visit.report_missing",
  "action.created",
  "action.due",
  "action.reported",
  "action.closed",
  "action.reopened",
  "action.overdue_digest",
  "visit.concluded",
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** Listeners told after notices were written (the sender in this process wakes up). */
const enqueueListeners = new Set<() => void>();

/** Calls `listener` whenever this process enqueued notices; returns the unsubscribe function. */
export function onNoticesEnqueued(listener: () => void): () => void {
  enqueueListeners.add(listener);
  return () => enqueueListeners.delete(listener);
}

/** Tells this process's sender that notices may be waiting (e.g. after a transaction committed). */
export function noticesEnqueued(): void {
  for (const l of enqueueListeners) l();
}

/** Prisma's Json input from a plain object (dates become ISO strings). */
function jsonOf(value: Record<string, unknown>): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value));
}

/**
 * Writes notices to the outbox inside the caller's transaction (or db); existing
 * idempotency keys are skipped. Returns how many were created.
 */
export async function enqueueNotices(tx: Tx | Db, notices: NoticeInput[]): Promise<number> {
  if (notices.length === 0) return 0;
  const unique = [...new Map(notices.map((n) => [n.idempotencyKey, n])).values()];
  let created = 0;
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const existing = await tx.notice.findMany({
      where: { idempotencyKey: { in: chunk.map((n) => n.idempotencyKey) } },
      select: { idempotencyKey: true },
    });
    const seen = new Set(existing.map((e) => e.idempotencyKey));
    const data = chunk
      .filter((n) => !seen.has(n.idempotencyKey))
      .map((n) => ({
        recipientId: n.recipientId,
        campaignId: n.campaignId ?? null,
        kind: n.kind,
        payload: jsonOf(n.payload),
        dueAt: n.dueAt,
        idempotencyKey: n.idempotencyKey,
        visitId: n.visitId ?? null,
      }));
    if (data.length === 0) continue;
    // PostgreSQL: INSERT … ON CONFLICT DO NOTHING, so a key written meanwhile by another
    // process is skipped without aborting the caller's transaction. SQLite has one writer
    // at a time, so the keys read above cannot be taken meanwhile.
    // (The client type is SQLite's, which has no skipDuplicates; the PostgreSQL client does.)
    const args = clientProvider(tx) === "postgresql" ? { data, skipDuplicates: true } : { data };
    const result = await tx.notice.createMany(args as { data: typeof data });
    created += result.count;
  }
  return created;
}

/** Pending notices of a visit become CANCELLED (inside the caller's transaction). */
export async function cancelPendingNotices(tx: Tx | Db, visitId: number, kinds?: string[]): Promise<number> {
  const result = await tx.notice.updateMany({
    where: { visitId, status: "PENDING", ...(kinds ? { kind: { in: kinds } } : {}) },
    data: { status: "CANCELLED" },
  });
  return result.count;
}

/** Who coordinates a campaign: COORDINATOR members and the people named in COORDINATOR_IDS. */
export async function coordinatorIdsOf(
  db: Tx | Db,
  campaignId: number | null,
  coordinatorTelegramIds: readonly bigint[],
): Promise<number[]> {
  const people = await db.person.findMany({
    where: {
      OR: [
        ...(campaignId ? [{ memberships: { some: { campaignId, role: "COORDINATOR" as const } } }] : []),
        { channels: { some: { channel: "telegram", externalId: { in: coordinatorTelegramIds.map(String) } } } },
      ],
    },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return people.map((p) => p.id);
}

// ---------------------------------------------------------------- payloads

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "an ISO date");

const VisitPayload = z.object({
  visitId: z.number().int(),
  unitName: z.string(),
  startsAt: iso,
  place: z.string(),
  contents: z.string().nullish(),
  team: z.array(z.string()).default([]),
  /** The visit's revision the notice tells of (notices written before it was kept have none). */
  revision: z.number().int().optional(),
  /** To an officer of the unit: the notice asks them to confirm or ask to move (src/domain/visits.ts). */
  respond: z.boolean().optional(),
});
export type VisitPayload = z.infer<typeof VisitPayload>;

/** A role and its unit's name (officers), as src/domain/access.ts accessPayload writes it. */
const AccessPayload = z.object({
  role: z.enum(["COORDINATOR", "INSPECTOR", "OFFICER", "APPRAISER"]),
  unitName: z.string().nullable(),
});

/** A corrective action as its notices carry it (src/domain/actions.ts). */
const ActionPayload = z.object({
  actionId: z.number().int(),
  unitName: z.string(),
  text: z.string(),
  dueAt: iso.nullable(),
});

const MissingArea = z.object({ area: z.string(), answered: z.number(), total: z.number() });

const Phase = z.enum(PHASES as readonly CampaignStatus[] as [CampaignStatus, ...CampaignStatus[]]);

export const PAYLOADS = {
  "visit.created": VisitPayload,
  "visit.changed": VisitPayload.extend({ before: z.object({ startsAt: iso, place: z.string() }) }),
  "visit.cancelled": VisitPayload.extend({ reason: z.string().nullish() }),
  "visit.reminder": VisitPayload.extend({ days: z.number().int() }),
  "deadline.reminder": z.object({
    unitName: z.string(),
    deadline: iso,
    days: z.number().int(),
    missing: z.array(MissingArea),
  }),
  "assessment.reminder": z.object({
    unitName: z.string(),
    deadline: iso.nullable(),
    missing: z.array(MissingArea),
    sentBy: z.string(),
  }),
  "recipient.unreachable": z.object({
    personName: z.string(),
    username: z.string().nullish(),
    unitName: z.string().nullish(),
    role: z.string().nullish(),
    error: z.string(),
  }),
  "access.revoked": AccessPayload.extend({ campaign: z.string() }),
  "access.moved": z.object({
    personName: z.string(),
    username: z.string().nullish(),
    from: AccessPayload,
    to: AccessPayload,
  }),
  "area.reopened": z.object({
    unitName: z.string(),
    areaCode: z.string(),
    areaTitle: z.string(),
    reason: z.string(),
    by: z.string(),
  }),
  "campaign.phase": z.object({
    campaign: z.string(),
    phase: Phase,
    explanationDeadline: iso.nullable(),
    /** Officers' notices name their unit; appraisers' do not. */
    unitName: z.string().optional(),
  }),
  "appraisal.round1_closed": z.object({
    unitName: z.string(),
    deadline: iso.nullable(),
    items: z.array(
      z.object({
        code: z.string(),
        selfScore: z.number().nullable(),
        score: z.number(),
        comment: z.string().nullable(),
      }),
    ),
  }),
  "appraisal.reopened": z.object({
    unitName: z.string(),
    code: z.string(),
    before: z.number().nullable(),
    score: z.number(),
    reason: z.string(),
    by: z.string(),
  }),
  /** To coordinators: a unit asks to move its visit; the notice carries «Chấp nhận» / «Không chấp nhận». */
  "visit.request": VisitPayload.extend({
    requestId: z.number().int(),
    reason: z.string(),
    proposedAt: iso.nullable(),
    by: z.string(),
  }),
  /** To the unit's officers: the coordinators' answer to their request. */
  "visit.request_answered": VisitPayload.extend({
    accepted: z.boolean(),
    reason: z.string(),
    note: z.string().nullable(),
    by: z.string(),
  }),
  /** To coordinators, two days before a visit: the unit has sent no self-inspection report. */
  "visit.report_missing": VisitPayload,
  /** To the unit's officers: a corrective action with its due date (src/domain/actions.ts); `changed`: a new date. */
  "action.created": ActionPayload.extend({ changed: z.boolean().default(false) }),
  /** To the unit's officers, 7, 3 and 1 days before the due date. */
  "action.due": ActionPayload.extend({ days: z.number().int() }),
  /** To coordinators: the unit reported what it did. */
  "action.reported": ActionPayload.extend({ report: z.string(), files: z.number().int(), by: z.string() }),
  "action.closed": ActionPayload.extend({ by: z.string() }),
  "action.reopened": ActionPayload.extend({ reason: z.string(), by: z.string() }),
  /** To coordinators, once a day: units with overdue actions (the first DIGEST_UNITS of them). */
  "action.overdue_digest": z.object({
    day: z.string(),
    units: z.array(z.object({ unitName: z.string(), count: z.number().int(), oldestDueAt: iso })),
    unitCount: z.number().int(),
    actionCount: z.number().int(),
  }),
  /** To the unit's officers: the conclusion notice was issued (src/domain/minutes.ts); the actions' clocks run. */
  "visit.concluded": VisitPayload.extend({
    number: z.string(),
    issuedAt: iso,
    actions: z.number().int(),
    earliestDue: iso.nullable(),
  }),
} satisfies Record<NoticeKind, z.ZodType>;

/** The most changed items one round-1 notice lists (a message stays under Telegram's 4,096 characters). */
export const ROUND1_NOTICE_ITEMS = 25;

/** Notices to coordinators about people, or to people about their access: not in /xacnhan's report. */
const NOT_ACKNOWLEDGEMENT_REPORTED: NoticeKind[] = [
  "recipient.unreachable",
  "access.revoked",
  "access.moved",
  "visit.request",
  "visit.report_missing",
  // Corrective actions: followed in /kiennghi, not by acknowledgement.
  "action.created",
  "action.due",
  "action.reported",
  "action.closed",
  "action.reopened",
  "action.overdue_digest",
];

// ---------------------------------------------------------------- rendering

export class NoticeRenderError extends Error {
  override name = "NoticeRenderError";
}

export interface RenderOptions {
  t: Translate;
  locale: string;
  timeZone: string;
  /** When the notice is sent: "còn N ngày" counts from here. */
  now: Date;
}

/** Thứ Sáu / Friday, in the recipient's language and the configured zone. */
function weekday(date: Date, locale: string, timeZone: string): string {
  const name = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "vi-VN", { weekday: "long", timeZone }).format(date);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function when(date: Date, o: RenderOptions): string {
  return `${formatDateTime(date, o.timeZone)} (${weekday(date, o.locale, o.timeZone)})`;
}

function visitLines(p: VisitPayload, o: RenderOptions): string[] {
  const { t } = o;
  const lines = [
    t("notices.visit.unit", { unit: p.unitName }),
    t("notices.visit.when", { when: when(new Date(p.startsAt), o) }),
    t("notices.visit.place", { place: p.place }),
  ];
  if (p.team.length) lines.push(t("notices.visit.team", { team: p.team.join(", ") }));
  if (p.contents) lines.push(t("notices.visit.contents", { contents: p.contents }));
  return lines;
}

/** The line asking an officer of the unit for its answer (confirm, or ask to move). */
function respond(p: VisitPayload, t: Translate): string[] {
  return p.respond && p.revision ? [t("notices.visit.respond")] : [];
}

/** "Lò Văn Minh (@minhlv)", escaped for HTML. */
function personLabel(name: string, username: string | null | undefined): string {
  return username ? `${escapeHtml(name)} (@${escapeHtml(username)})` : escapeHtml(name);
}

/** "<b>cán bộ đầu mối</b> của <b>Ủy ban nhân dân huyện Sông Mã</b>", in the reader's language. */
function accessLine(a: z.infer<typeof AccessPayload>, t: Translate): string {
  const role = t(`roles.${a.role}`);
  return a.unitName ? t("access.with_unit", { role, unit: a.unitName }) : t("access.without_unit", { role });
}

/**
 * A failed notice's stored error (src/jobs/sender.ts: "<Telegram code>: <description>",
 * "network: <system code>" or "render: …") in the reader's words. Telegram's descriptions
 * are English, so only the known ones are read ("Forbidden: user is deactivated"), and never
 * shown; rows stored before the sender kept codes only may still hold a request URL.
 */
export function deliveryErrorText(t: Translate, stored: string): string {
  const network = /^network: ([A-Z0-9_]{2,40})$/.exec(stored);
  if (stored.startsWith("network:")) return t("schedule.report.errors.network", { code: network?.[1] ?? "?" });
  const status = /^(\d{3}):/.exec(stored)?.[1];
  if (status === "403") {
    if (/user is deactivated/i.test(stored)) return t("schedule.report.errors.deactivated");
    if (/can't initiate conversation/i.test(stored)) return t("schedule.report.errors.not_started");
    return t("schedule.report.errors.blocked");
  }
  if (status === "429") return t("schedule.report.errors.rate_limited");
  if (status?.startsWith("5")) return t("schedule.report.errors.telegram_down", { code: status });
  if (status) return t("schedule.report.errors.refused", { code: status });
  return t("schedule.report.errors.internal");
}

function missingLines(missing: z.infer<typeof MissingArea>[], t: Translate): string[] {
  return missing.map((m) => t("notices.missing_line", { area: m.area, answered: m.answered, total: m.total }));
}

/** The text of a notice in the recipient's language (Telegram HTML). */
export function renderNotice(kind: string, payload: unknown, o: RenderOptions): string {
  const schema = PAYLOADS[kind as NoticeKind];
  if (!schema) throw new NoticeRenderError(`unknown notice kind "${kind}"`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new NoticeRenderError(`bad payload for ${kind}: ${parsed.error.issues[0]?.message}`);
  const { t } = o;
  const k = kind as NoticeKind;
  switch (k) {
    case "visit.created": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.created"]>;
      return [
        t("notices.visit.created_title"),
        "",
        ...visitLines(p, o),
        "",
        t("notices.visit.prepare"),
        ...respond(p, t),
      ].join("\n");
    }
    case "visit.changed": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.changed"]>;
      const before = t("notices.visit.before", {
        when: formatDateTime(new Date(p.before.startsAt), o.timeZone),
        place: p.before.place,
      });
      return [t("notices.visit.changed_title"), "", ...visitLines(p, o), `<i>${before}</i>`, ...respond(p, t)].join(
        "\n",
      );
    }
    case "visit.cancelled": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.cancelled"]>;
      const lines = [
        t("notices.visit.cancelled_title"),
        "",
        t("notices.visit.cancelled_body", {
          unit: p.unitName,
          when: formatDateTime(new Date(p.startsAt), o.timeZone),
          place: p.place,
        }),
      ];
      if (p.reason) lines.push(t("notices.visit.reason", { reason: p.reason }));
      lines.push("", t("notices.visit.cancelled_next"));
      return lines.join("\n");
    }
    case "visit.reminder": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.reminder"]>;
      const days = Math.max(0, calendarDaysBetween(o.now, new Date(p.startsAt), o.timeZone));
      const title =
        days === 0
          ? t("notices.visit.reminder_today")
          : days === 1
            ? t("notices.visit.reminder_tomorrow")
            : t("notices.visit.reminder_title", { count: days });
      return [title, "", ...visitLines(p, o), "", t("notices.visit.prepare"), ...respond(p, t)].join("\n");
    }
    case "visit.request": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.request"]>;
      const lines = [
        t("notices.visit_request.title"),
        "",
        t("notices.visit_request.body", { by: p.by, unit: p.unitName, id: p.visitId }),
        ...visitLines(p, o),
        t("notices.visit_request.reason", { reason: p.reason }),
      ];
      if (p.proposedAt) lines.push(t("notices.visit_request.proposed", { when: when(new Date(p.proposedAt), o) }));
      lines.push("", t("notices.visit_request.action"));
      return lines.join("\n");
    }
    case "visit.request_answered": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.request_answered"]>;
      const lines = [
        t(p.accepted ? "notices.visit_request.accepted_title" : "notices.visit_request.declined_title"),
        "",
        ...visitLines(p, o),
        t("notices.visit_request.your_reason", { reason: p.reason }),
      ];
      if (p.note) lines.push(t("notices.visit_request.note", { note: p.note, by: p.by }));
      lines.push("", t(p.accepted ? "notices.visit_request.accepted_next" : "notices.visit_request.declined_next"));
      return lines.join("\n");
    }
    case "visit.report_missing": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.report_missing"]>;
      return [
        t("notices.report_missing.title"),
        "",
        t("notices.report_missing.body", { unit: p.unitName, id: p.visitId }),
        ...visitLines(p, o),
        "",
        t("notices.report_missing.action"),
      ].join("\n");
    }
    case "action.created":
    case "action.due":
    case "action.reported":
    case "action.closed":
    case "action.reopened":
    case "action.overdue_digest":
      return renderActionNotice(k, parsed.data, o);
    case "visit.concluded": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["visit.concluded"]>;
      const lines = [
        t("notices.concluded.title"),
        "",
        t("notices.concluded.body", {
          number: p.number,
          date: formatDate(new Date(p.issuedAt), o.timeZone),
          unit: p.unitName,
          id: p.visitId,
        }),
      ];
      if (p.actions > 0 && p.earliestDue) {
        lines.push(
          t("notices.concluded.actions", {
            count: p.actions,
            due: formatDate(new Date(p.earliestDue), o.timeZone),
          }),
        );
      } else lines.push(t("notices.concluded.no_actions"));
      return lines.join("\n");
    }
    case "deadline.reminder": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["deadline.reminder"]>;
      const deadline = new Date(p.deadline);
      const days = deadlineStatus(deadline, o.now, o.timeZone).days;
      return [
        days === 0
          ? t("notices.deadline.title_today")
          : days === 1
            ? t("notices.deadline.title_tomorrow")
            : t("notices.deadline.title", { count: days }),
        "",
        t("notices.deadline.body", { unit: p.unitName, deadline: formatDateTime(deadline, o.timeZone) }),
        ...missingLines(p.missing, t),
        "",
        t("notices.deadline.action"),
      ].join("\n");
    }
    case "assessment.reminder": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["assessment.reminder"]>;
      const lines = [t("notices.assessment.title"), "", t("notices.assessment.body", { unit: p.unitName })];
      if (p.deadline) {
        lines.push(t("notices.assessment.deadline", { deadline: formatDateTime(new Date(p.deadline), o.timeZone) }));
      }
      if (p.missing.length) lines.push(t("notices.assessment.missing_title"), ...missingLines(p.missing, t));
      lines.push("", t("notices.assessment.sent_by", { name: p.sentBy }));
      lines.push(t("notices.deadline.action"));
      return lines.join("\n");
    }
    case "recipient.unreachable": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["recipient.unreachable"]>;
      const who = personLabel(p.personName, p.username);
      const lines = [t("notices.unreachable.title"), "", t("notices.unreachable.body", { who })];
      if (p.unitName) lines.push(t("notices.unreachable.unit", { unit: p.unitName }));
      // Telegram's own words are English ("Forbidden: bot was blocked by the user"): the reason is told in the reader's.
      lines.push(t("notices.unreachable.error", { error: deliveryErrorText(t, p.error) }));
      lines.push("", t("notices.unreachable.action"));
      return lines.join("\n");
    }
    case "access.revoked": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["access.revoked"]>;
      const vars = { role: t(`roles.${p.role}`), unit: p.unitName, campaign: p.campaign };
      return [
        t("notices.access.revoked_title"),
        "",
        t(p.unitName ? "notices.access.revoked_body_unit" : "notices.access.revoked_body", vars),
        "",
        t("notices.access.revoked_next"),
      ].join("\n");
    }
    case "area.reopened": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["area.reopened"]>;
      return [
        t("notices.reopened.title"),
        "",
        t("notices.reopened.body", { area: `${p.areaCode}. ${p.areaTitle}`, unit: p.unitName, by: p.by }),
        t("notices.reopened.reason", { reason: p.reason }),
        "",
        t("notices.reopened.action"),
      ].join("\n");
    }
    case "campaign.phase": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["campaign.phase"]>;
      const lines = [
        t("notices.phase.title"),
        "",
        t("notices.phase.body", { campaign: p.campaign, phase: t(`appraisal.phases.${p.phase}`) }),
      ];
      if (p.unitName) lines.push(t("notices.phase.unit", { unit: p.unitName }));
      if (p.phase === "EXPLANATION" && p.explanationDeadline)
        lines.push(
          t("notices.phase.deadline", { deadline: formatDateTime(new Date(p.explanationDeadline), o.timeZone) }),
        );
      lines.push("", t(`notices.phase.next.${p.phase}`));
      return lines.join("\n");
    }
    case "appraisal.round1_closed": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["appraisal.round1_closed"]>;
      const num = (n: number) => formatNumber(n, o.locale === "en" ? "en" : "vi");
      const lines = [t("notices.round1.title"), "", t("notices.round1.body", { unit: p.unitName })];
      if (p.items.length === 0) lines.push(t("notices.round1.none"));
      else {
        lines.push(t("notices.round1.changed", { count: p.items.length }));
        for (const item of p.items.slice(0, ROUND1_NOTICE_ITEMS)) {
          const self = item.selfScore === null ? t("notices.round1.team_scored") : num(item.selfScore);
          lines.push(t("notices.round1.item", { code: item.code, self, score: num(item.score) }));
          if (item.comment) lines.push(t("notices.round1.comment", { comment: shorten(item.comment, 300) }));
        }
        if (p.items.length > ROUND1_NOTICE_ITEMS)
          lines.push(t("notices.round1.more", { count: p.items.length - ROUND1_NOTICE_ITEMS }));
        if (p.deadline)
          lines.push("", t("notices.round1.deadline", { deadline: formatDateTime(new Date(p.deadline), o.timeZone) }));
      }
      return lines.join("\n");
    }
    case "appraisal.reopened": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["appraisal.reopened"]>;
      const num = (n: number | null) => (n === null ? "—" : formatNumber(n, o.locale === "en" ? "en" : "vi"));
      return [
        t("notices.appraisal_reopened.title"),
        "",
        t("notices.appraisal_reopened.body", {
          unit: p.unitName,
          code: p.code,
          before: num(p.before),
          score: num(p.score),
          by: p.by,
        }),
        t("notices.appraisal_reopened.reason", { reason: p.reason }),
      ].join("\n");
    }
    case "access.moved": {
      const p = parsed.data as z.infer<(typeof PAYLOADS)["access.moved"]>;
      const who = personLabel(p.personName, p.username);
      return [
        t("notices.access.moved_title"),
        "",
        t("notices.access.moved_body", { who }),
        t("notices.access.moved_from", { access: accessLine(p.from, t) }),
        t("notices.access.moved_to", { access: accessLine(p.to, t) }),
        "",
        t("notices.access.moved_action"),
      ].join("\n");
    }
  }
}

/** "quá hạn 3 ngày" / "còn 5 ngày" / "hạn hôm nay" of a due date, in the reader's words. */
export function dueText(t: Translate, dueAt: Date, now: Date, timeZone: string): string {
  const s = deadlineStatus(dueAt, now, timeZone);
  if (s.passed) return s.days === 0 ? t("actions.due.overdue_today") : t("actions.due.overdue", { count: s.days });
  return s.days === 0 ? t("actions.due.today") : t("actions.due.left", { count: s.days });
}

function renderActionNotice(kind: NoticeKind, data: unknown, o: RenderOptions): string {
  const { t } = o;
  if (kind === "action.overdue_digest") {
    const p = data as z.infer<(typeof PAYLOADS)["action.overdue_digest"]>;
    const lines = [
      t("notices.action.digest_title"),
      "",
      t("notices.action.digest_body", { units: p.unitCount, actions: p.actionCount }),
      ...p.units.map((u) =>
        t("notices.action.digest_line", {
          unit: u.unitName,
          n: u.count,
          oldest: formatDate(new Date(u.oldestDueAt), o.timeZone),
        }),
      ),
    ];
    if (p.unitCount > p.units.length)
      lines.push(t("notices.action.digest_more", { count: p.unitCount - p.units.length }));
    lines.push("", t("notices.action.digest_action"));
    return lines.join("\n");
  }
  const p = data as z.infer<typeof ActionPayload> & Record<string, unknown>;
  const due = p.dueAt
    ? t("notices.action.due_line", {
        due: formatDate(new Date(p.dueAt), o.timeZone),
        left: dueText(t, new Date(p.dueAt), o.now, o.timeZone),
      })
    : t("notices.action.no_due");
  const head = [
    t("notices.action.unit", { unit: p.unitName }),
    t("notices.action.text", { id: p.actionId, text: shorten(p.text, 600) }),
    due,
  ];
  switch (kind) {
    case "action.created":
      return [
        t(p.changed ? "notices.action.changed_title" : "notices.action.created_title"),
        "",
        ...head,
        "",
        t("notices.action.report_next"),
      ].join("\n");
    case "action.due":
      return [t("notices.action.due_title"), "", ...head, "", t("notices.action.report_next")].join("\n");
    case "action.reported":
      return [
        t("notices.action.reported_title"),
        "",
        ...head,
        t("notices.action.reported_by", { by: p.by as string }),
        t("notices.action.report", { report: shorten(p.report as string, 800) }),
        t("notices.action.files", { count: p.files as number }),
        "",
        t("notices.action.reported_next", { id: p.actionId }),
      ].join("\n");
    case "action.closed":
      return [
        t("notices.action.closed_title"),
        "",
        ...head.slice(0, 2),
        t("notices.action.closed_by", { by: p.by as string }),
      ].join("\n");
    default:
      return [
        t("notices.action.reopened_title"),
        "",
        ...head,
        t("notices.action.reopened_reason", { reason: p.reason as string, by: p.by as string }),
        "",
        t("notices.action.report_next"),
      ].join("\n");
  }
}

export type AckResult =
  | { ok: true; acknowledgedAt: Date; first: boolean }
  | { ok: false; reason: "unknown" | "not_yours" | "not_sent" };

/** The recipient confirms they received a notice; only they can, once (later presses are no-ops). */
export async function acknowledgeNotice(db: Db, noticeId: number, personId: number, now: Date): Promise<AckResult> {
  const notice = await db.notice.findUnique({
    where: { id: noticeId },
    select: { recipientId: true, status: true, acknowledgedAt: true },
  });
  if (!notice) return { ok: false, reason: "unknown" };
  if (notice.recipientId !== personId) return { ok: false, reason: "not_yours" };
  if (notice.acknowledgedAt) return { ok: true, acknowledgedAt: notice.acknowledgedAt, first: false };
  // A notice whose send was not recorded (killed mid-send) still reached the person.
  if (notice.status !== "SENT" && notice.status !== "SENDING") return { ok: false, reason: "not_sent" };
  const updated = await db.notice.updateMany({
    where: { id: noticeId, recipientId: personId, acknowledgedAt: null },
    data: { acknowledgedAt: now },
  });
  if (updated.count === 0) {
    const again = await db.notice.findUniqueOrThrow({ where: { id: noticeId }, select: { acknowledgedAt: true } });
    return { ok: true, acknowledgedAt: again.acknowledgedAt ?? now, first: false };
  }
  return { ok: true, acknowledgedAt: now, first: true };
}

// ---------------------------------------------------------------- acknowledgement report

export interface AckGroup {
  kind: string;
  visitId: number | null;
  /** A visit notice's unit, or the unit named in the payload. */
  label: string;
  total: number;
  sent: number;
  acknowledged: number;
  pending: number;
  cancelled: number;
  /** Sent, not acknowledged yet. */
  unacknowledged: { name: string; sentAt: Date | null }[];
  failed: { name: string; error: string }[];
}

export interface AckReport {
  groups: AckGroup[];
  unreachable: { name: string; username: string | null; unit: string | null }[];
}

/** For coordinators: per notice kind and visit, who has not acknowledged, who failed and why. */
export async function acknowledgementReport(db: Db, campaignId: number): Promise<AckReport> {
  const notices = await db.notice.findMany({
    where: { campaignId, kind: { notIn: NOT_ACKNOWLEDGEMENT_REPORTED } },
    select: {
      kind: true,
      visitId: true,
      status: true,
      sentAt: true,
      acknowledgedAt: true,
      lastError: true,
      payload: true,
      dueAt: true,
      recipient: { select: { displayName: true } },
      visit: { select: { startsAt: true, status: true, unit: { select: { shortName: true } } } },
    },
    orderBy: [{ dueAt: "desc" }, { id: "asc" }],
  });
  const groups = new Map<string, AckGroup>();
  for (const n of notices) {
    // A cancelled visit's earlier notices and reminders no longer matter; its cancellation does.
    if (n.visit?.status === "CANCELLED" && n.kind !== "visit.cancelled") continue;
    // Visit notices group per visit and kind; reminders per send time and unit, so that
    // everyone is listed under their own unit (a reminder to all units is one send time).
    const payload = (n.payload ?? {}) as { unitName?: string; days?: number };
    const unitName = n.visitId ? "" : (payload.unitName ?? "");
    const key = `${n.kind}|${n.visitId ?? ""}|${n.visitId ? "" : n.dueAt.toISOString()}|${unitName}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        kind: n.kind,
        visitId: n.visitId,
        label: n.visit?.unit.shortName ?? unitName,
        total: 0,
        sent: 0,
        acknowledged: 0,
        pending: 0,
        cancelled: 0,
        unacknowledged: [],
        failed: [],
      };
      groups.set(key, g);
    }
    g.total++;
    const name = n.recipient.displayName;
    if (n.status === "SENT") {
      g.sent++;
      if (n.acknowledgedAt) g.acknowledged++;
      else g.unacknowledged.push({ name, sentAt: n.sentAt });
    } else if (n.status === "FAILED") g.failed.push({ name, error: n.lastError ?? "?" });
    else if (n.status === "CANCELLED") g.cancelled++;
    else g.pending++;
  }
  const unreachable = await db.person.findMany({
    // No account that can be reached (a person on Telegram and Zalo who blocked one is not lost).
    where: { channels: { some: {}, every: { unreachable: true } }, memberships: { some: { campaignId } } },
    select: {
      displayName: true,
      username: true,
      memberships: { where: { campaignId }, select: { unit: { select: { shortName: true } } } },
    },
    orderBy: { displayName: "asc" },
  });
  return {
    groups: [...groups.values()].filter((g) => g.total > g.cancelled),
    unreachable: unreachable.map((p) => ({
      name: p.displayName,
      username: p.username,
      unit: p.memberships[0]?.unit?.shortName ?? null,
    })),
  };
}
