/**
 * The format of campaign data files under data/ (YAML or JSON), checked with zod.
 * A file may hold any of the sections; `npm run cli -- import <file>` upserts what it finds.
 * Every error names the file, the path inside it and the problem.
 */
import { z } from "zod";
import { RULES_BY_ANSWER_TYPE, ruleCeiling, ScoringRuleSchema } from "./scoring-rules.ts";

// Bounds keep what the file says storable and showable on both databases: codes are
// unique keys (an index entry has a size limit on PostgreSQL), texts are shown in Telegram
// messages (4,096 characters), NUL is refused by PostgreSQL, and INT columns hold 32 bits.
const code = z
  .string()
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "lower-case letters, digits and dashes");
const dotted = z
  .string()
  .max(100)
  .regex(/^\d+(\.\d+)*$/, 'a dotted number such as "3" or "3.2.1"');
const viDate = z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/, "a date as dd/MM/yyyy");
const viDateTime = z
  .string()
  .regex(/^\d{2}\/\d{2}\/\d{4}( \d{2}:\d{2})?$/, "a date as dd/MM/yyyy, optionally with HH:mm");
const text = z
  .string()
  .trim()
  .min(1)
  .max(2000)
  .refine((s) => !s.includes("\u0000"), "contains a NUL character");
const INT_MAX = 2 ** 31 - 1;
const version = z.number().int().positive().max(INT_MAX);
const points = z.number().positive().multipleOf(0.05);

export const UnitKindSchema = z.enum(["DISTRICT", "CITY", "DEPARTMENT", "BOARD", "OFFICE"]);
export const AnswerTypeSchema = z.enum(["YES_NO", "NUMBER", "PERCENT", "CHOICE", "DATE", "TEXT"]);
/** How "never issued / never sent" reads on a DATE question that allows it. */
export const NoDateSchema = z.enum(["NOT_ISSUED", "NOT_SENT"]);
/**
 * What a "not applicable" answer does: EXCLUDED takes the item out of the unit's maximum
 * (it scores nothing, and the unit's score is a percentage of what is left); SCORED keeps
 * it in, scored by the boolean rule's `na` points. Without it, N/A is not an answer.
 */
export const NotApplicableSchema = z.enum(["EXCLUDED", "SCORED"]);

export const UnitFileSchema = z.object({
  code,
  name: text,
  shortName: text,
  kind: UnitKindSchema,
  aliases: z.array(text).default([]),
});

export const QuestionFileSchema = z
  .object({
    code: dotted,
    text,
    maxPoints: points,
    answerType: AnswerTypeSchema,
    choices: z
      .array(z.object({ key: code, label: text }))
      .min(2)
      .optional(),
    scoring: ScoringRuleSchema,
    scoringText: text,
    evidence: z.object({ required: z.boolean(), hint: text.optional() }).default({ required: false }),
    required: z.boolean().default(true),
    /** NUMBER: what the question counts ("báo cáo"): a whole number, named in refusals. */
    countOf: text.optional(),
    /** NUMBER with countOf: the most there can be (4 periodic reports a year). */
    countMax: z.number().int().positive().optional(),
    /** DATE: "không ban hành" / "không gửi" is an answer (a button and typed words). */
    noDate: NoDateSchema.optional(),
    notApplicable: NotApplicableSchema.optional(),
    /** The unit kinds asked this question; absent: every kind. */
    appliesTo: z.array(UnitKindSchema).min(1).optional(),
    /**
     * Scored by the inspection team in appraisal ("Đoàn kiểm tra đánh giá"), not by the unit:
     * the unit answers it and the team sets its score. Only a manual rule leaves the score open.
     */
    teamScored: z.boolean().default(false),
  })
  .superRefine((q, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (q.answerType !== "NUMBER" && (q.countOf !== undefined || q.countMax !== undefined))
      issue(q.countOf !== undefined ? "countOf" : "countMax", "only a NUMBER question counts");
    if (q.countMax !== undefined && q.countOf === undefined) issue("countMax", "say what is counted (countOf)");
    if (q.countMax !== undefined && q.scoring.kind === "per_item" && q.countMax * q.scoring.pointsEach < q.maxPoints)
      issue("countMax", `${q.countMax} items never reach maxPoints (${q.maxPoints})`);
    if (q.noDate !== undefined && q.answerType !== "DATE") issue("noDate", "only a DATE question has no date");
    if (q.notApplicable !== undefined && q.answerType === "TEXT") issue("notApplicable", "a TEXT answer can say so");
    const na = q.scoring.kind === "boolean" ? q.scoring.na : undefined;
    if (q.notApplicable === "SCORED" && na === undefined)
      issue("notApplicable", "SCORED needs a boolean rule with its na points");
    // N/A points nobody can choose, or that would score an item taken out of the maximum.
    if (na !== undefined && q.notApplicable !== "SCORED")
      issue("scoring", "na points need notApplicable: SCORED (EXCLUDED scores nothing)");
    if (q.appliesTo && new Set(q.appliesTo).size !== q.appliesTo.length) issue("appliesTo", "a unit kind twice");
    if (q.teamScored && q.scoring.kind !== "manual")
      issue("teamScored", "only a manual rule is scored by the team (the others score the answer)");
    const allowed: readonly string[] = RULES_BY_ANSWER_TYPE[q.answerType];
    if (!allowed.includes(q.scoring.kind)) {
      ctx.addIssue({
        code: "custom",
        path: ["scoring", "kind"],
        message: `"${q.scoring.kind}" does not score a ${q.answerType} answer (use ${allowed.join(", ")})`,
      });
    }
    if (q.answerType === "CHOICE") {
      if (!q.choices) ctx.addIssue({ code: "custom", path: ["choices"], message: "a CHOICE question needs choices" });
      else if (q.scoring.kind === "choice") {
        const keys = new Set(q.choices.map((c) => c.key));
        for (const key of Object.keys(q.scoring.points)) {
          if (!keys.has(key))
            ctx.addIssue({ code: "custom", path: ["scoring", "points", key], message: `no choice "${key}"` });
        }
      }
    }
    if (ruleCeiling(q.scoring, q.maxPoints) > q.maxPoints + 1e-9) {
      ctx.addIssue({ code: "custom", path: ["scoring"], message: `gives more than maxPoints (${q.maxPoints})` });
    }
  });

const sumOf = (items: { maxPoints: number }[]) => Math.round(items.reduce((s, i) => s + i.maxPoints, 0) * 100) / 100;

/** Children's max points must add up to their parent's. */
function pointsAddUp(label: string, key: "questions" | "criteria" | "areas") {
  return (parent: { maxPoints: number } & Record<string, unknown>, ctx: z.RefinementCtx) => {
    const children = parent[key] as { maxPoints: number }[];
    const total = sumOf(children);
    if (Math.abs(total - parent.maxPoints) > 1e-9) {
      ctx.addIssue({
        code: "custom",
        path: ["maxPoints"],
        message: `${label} maxPoints is ${parent.maxPoints} but its ${key} add up to ${total}`,
      });
    }
  };
}

/** Codes must be unique among siblings and (when `nested`) start with the parent's code. */
function codesNested(key: "questions" | "criteria" | "areas", nested = true) {
  return (parent: { code?: string } & Record<string, unknown>, ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    (parent[key] as { code: string }[]).forEach((child, i) => {
      if (seen.has(child.code))
        ctx.addIssue({ code: "custom", path: [key, i, "code"], message: `duplicate code ${child.code}` });
      seen.add(child.code);
      if (nested && parent.code && child.code !== parent.code && !child.code.startsWith(`${parent.code}.`)) {
        ctx.addIssue({ code: "custom", path: [key, i, "code"], message: `${child.code} is not under ${parent.code}` });
      }
    });
  };
}

export const CriterionFileSchema = z
  .object({ code: dotted, title: text, maxPoints: points, questions: z.array(QuestionFileSchema).min(1) })
  .superRefine(pointsAddUp("criterion", "questions"))
  .superRefine(codesNested("questions"));

/** The longest short title of an area: it labels a button with the area's code and state before it. */
export const AREA_SHORT_TITLE_MAX = 28;

export const AreaFileSchema = z
  .object({
    code: dotted,
    title: text,
    /** "Cải cách TTHC": the area on buttons, in whole words (none: the title, cut at a word). */
    shortTitle: text.max(AREA_SHORT_TITLE_MAX).optional(),
    maxPoints: points,
    criteria: z.array(CriterionFileSchema).min(1),
  })
  .superRefine(pointsAddUp("area", "criteria"))
  .superRefine(codesNested("criteria"));

export const QuestionnaireFileSchema = z
  .object({
    code,
    version,
    title: text,
    basis: text.optional(),
    maxPoints: points,
    areas: z.array(AreaFileSchema).min(1),
  })
  .superRefine(pointsAddUp("questionnaire", "areas"))
  .superRefine(codesNested("areas", false));

/**
 * Ranking groups of the campaign, highest first: a unit is in the first group whose `min`
 * (percent of its own maximum) it reaches. The last group starts at 0, so every ranked unit
 * has one; a unit whose assessment is incomplete is in none ("chưa xếp loại").
 */
export const RankGroupsSchema = z
  .array(z.object({ code: z.string().trim().min(1).max(20), min: z.number().min(0).max(100), label: text.optional() }))
  .min(1)
  .superRefine((groups, ctx) => {
    groups.forEach((g, i) => {
      if (i > 0 && g.min >= groups[i - 1]!.min)
        ctx.addIssue({ code: "custom", path: [i, "min"], message: "groups go from the highest min down" });
      if (groups.findIndex((o) => o.code === g.code) !== i)
        ctx.addIssue({ code: "custom", path: [i, "code"], message: `group ${g.code} twice` });
    });
    if (groups[groups.length - 1]!.min !== 0)
      ctx.addIssue({
        code: "custom",
        path: [groups.length - 1, "min"],
        message: "the last group starts at 0 (every ranked unit is in a group)",
      });
  });

/**
 * A requirement of an inspected content (a directive's task, an item of the PAPI plan),
 * marked by the team at each visit and named when a finding is tied to it: "26.1",
 * "09.2", "PAPI.3". Unique across the campaign's contents, since a person types it alone.
 */
const itemCode = z
  .string()
  .max(20)
  .regex(/^[A-Z0-9]{1,10}(\.\d{1,3}){1,2}$/, 'a code such as "26.1" or "PAPI.2" (capitals, digits and dots)');

export const InspectedContentFileSchema = z.object({
  code,
  title: text,
  reference: text.optional(),
  items: z.array(z.object({ code: itemCode, title: text })).default([]),
});

export const CampaignFileSchema = z.object({
  code,
  title: text,
  decision: z.object({ number: text, date: viDate, issuer: text }),
  announcedBy: text.optional(),
  province: text,
  year: z.number().int().min(2000).max(2100),
  purpose: text.optional(),
  status: z.enum(["DRAFT", "SELF_ASSESSMENT", "APPRAISAL", "PUBLISHED", "CLOSED"]).default("SELF_ASSESSMENT"),
  selfAssessment: z.object({ opens: viDateTime, deadline: viDateTime }).optional(),
  /** Unit codes inspected directly by the plan. */
  units: z.array(code).min(1),
  /** Questionnaire used by the campaign: its code and version. */
  questionnaire: z.object({ code, version }).optional(),
  /** Content inspected beyond the questionnaire: the PAPI plan, directives. */
  inspectedContents: z
    .array(InspectedContentFileSchema)
    .default([])
    .superRefine((contents, ctx) => {
      const seen = new Map<string, string>();
      for (const [i, c] of contents.entries()) {
        for (const [j, item] of c.items.entries()) {
          const other = seen.get(item.code);
          if (other)
            ctx.addIssue({
              code: "custom",
              path: [i, "items", j, "code"],
              message: `item ${item.code} twice (also under ${other}): item codes are typed alone, so each is unique in the campaign`,
            });
          seen.set(item.code, c.code);
        }
      }
    }),
  /** Ranking groups (A ≥ 90 %, B 80 % to under 90 %, …); absent: the province's default. */
  groups: RankGroupsSchema.optional(),
});

/**
 * A member of the appraisal council and what they appraise: units (every area of them),
 * areas (of every unit), or both (those areas of those units). Linked to the person by an
 * invite made for them (npm run cli -- invites --role appraiser), or by their Telegram id.
 */
export const AppraiserFileSchema = z
  .object({
    /** Stable key in the campaign. */
    key: code,
    /** The campaign's code; default the file's campaign. */
    campaign: code.optional(),
    name: text,
    title: text.optional(),
    telegramId: z.number().int().positive().optional(),
    units: z.array(code).min(1).optional(),
    areas: z.array(dotted).min(1).optional(),
  })
  .refine((a) => a.units || a.areas, { message: "name the units or areas the appraiser appraises", path: ["units"] });

/** An inspection visit of the plan: unit, date and time, place, team, contents. */
export const VisitFileSchema = z.object({
  /** Stable key in the campaign; default the unit's code (one visit per unit). */
  key: code.optional(),
  /** The campaign's code; default the file's campaign. */
  campaign: code.optional(),
  unit: code,
  startsAt: z.string().regex(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/, "a date and time as dd/MM/yyyy HH:mm"),
  place: text,
  contents: text.optional(),
  team: z
    .array(
      z.object({
        name: text,
        title: text.optional(),
        /** Links the member to the person once they use the bot. */
        telegramId: z.number().int().positive().optional(),
      }),
    )
    .optional(),
});

export const DataFileSchema = z
  .object({
    units: z.array(UnitFileSchema).default([]),
    questionnaire: QuestionnaireFileSchema.optional(),
    campaign: CampaignFileSchema.optional(),
    visits: z.array(VisitFileSchema).default([]),
    appraisers: z.array(AppraiserFileSchema).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.units.forEach((u, i) => {
      if (seen.has(u.code))
        ctx.addIssue({ code: "custom", path: ["units", i, "code"], message: `duplicate unit ${u.code}` });
      seen.add(u.code);
    });
    const visitKeys = new Set<string>();
    file.visits.forEach((v, i) => {
      const key = `${v.campaign ?? file.campaign?.code ?? ""}/${v.key ?? v.unit}`;
      if (visitKeys.has(key))
        ctx.addIssue({
          code: "custom",
          path: ["visits", i, "key"],
          message: `two visits with key ${v.key ?? v.unit}: give each a distinct key`,
        });
      visitKeys.add(key);
      if (!v.campaign && !file.campaign)
        ctx.addIssue({
          code: "custom",
          path: ["visits", i, "campaign"],
          message: "name the campaign (no campaign in this file)",
        });
    });
    const appraiserKeys = new Set<string>();
    file.appraisers.forEach((a, i) => {
      const key = `${a.campaign ?? file.campaign?.code ?? ""}/${a.key}`;
      if (appraiserKeys.has(key))
        ctx.addIssue({ code: "custom", path: ["appraisers", i, "key"], message: `two appraisers with key ${a.key}` });
      appraiserKeys.add(key);
      if (!a.campaign && !file.campaign)
        ctx.addIssue({
          code: "custom",
          path: ["appraisers", i, "campaign"],
          message: "name the campaign (no campaign in this file)",
        });
    });
  });

export type DataFile = z.infer<typeof DataFileSchema>;
export type UnitFile = z.infer<typeof UnitFileSchema>;
export type QuestionnaireFile = z.infer<typeof QuestionnaireFileSchema>;
export type CampaignFile = z.infer<typeof CampaignFileSchema>;
export type VisitFile = z.infer<typeof VisitFileSchema>;
export type InspectedContentFile = z.infer<typeof InspectedContentFileSchema>;
export type AppraiserFile = z.infer<typeof AppraiserFileSchema>;
