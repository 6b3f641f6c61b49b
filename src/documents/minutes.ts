/**
 * The minutes of an inspection visit (biên bản kiểm tra) as a DOCX: the heading of the
 * inspection team of Sở Nội vụ, "BIÊN BẢN KIỂM TRA" and its subject, the decision carried
 * out, when and where, who took part on both sides, the contents checked, the results
 * (with the unit's self-score and the checklist when known), the findings, the closing
 * line and both signatures. Plain data in, bytes out (src/documents/types.ts).
 */
import type { Paragraph, Table } from "docx";
import { formatDate, formatDateTime } from "../domain/time.ts";
import { decisionLine, findingText } from "./common.ts";
import {
  body,
  bodyLines,
  documentTranslator,
  gap,
  heading,
  pack,
  score,
  sectionHead,
  signatures,
  title,
  type WriteOptions,
} from "./layout.ts";
import type { MinutesData } from "./types.ts";

const two = (n: number) => String(n).padStart(2, "0");

/** The DOCX bytes of the minutes. */
export async function buildMinutesDocx(data: MinutesData, options: WriteOptions): Promise<Buffer> {
  const t = options.t ?? documentTranslator();
  const tz = options.timeZone;
  const k = (key: string, vars?: Record<string, unknown>) => t(`documents.minutes.${key}`, vars);
  const { campaign, unit, visit } = data;
  const [hour, minute] = formatDateTime(visit.startsAt, tz).slice(-5).split(":");
  const copies = data.copies ?? { total: 2, team: 1, unit: 1 };
  const children: (Paragraph | Table)[] = [
    heading(
      t,
      {
        province: campaign.province,
        team: true,
        number: null,
        symbol: k("symbol"),
        place: campaign.province,
        date: visit.startsAt,
        year: campaign.year,
      },
      tz,
    ),
    ...title(k("title"), k("subject", { year: campaign.year, unit: unit.name })),
    body(decisionLine(t, campaign, tz)),
    body(
      k("opening", {
        hour,
        minute,
        date: formatDate(visit.startsAt, tz),
        place: visit.place,
        unit: unit.name,
      }),
    ),
    sectionHead(t, 1, k("s1")),
    body(k("team_head"), { bold: true }),
    ...data.team.map((m) =>
      body(m.title ? k("member", { name: m.name, title: m.title }) : k("member_plain", { name: m.name })),
    ),
    body(k("unit_head"), { bold: true }),
    ...bodyLines(data.attendees),
    sectionHead(t, 2, k("s2")),
    ...bodyLines(data.checkedContents),
    sectionHead(t, 3, k("s3")),
    body(k("results_head"), { bold: true }),
    ...bodyLines(data.results),
    body(
      data.selfScore
        ? k("self_score", {
            score: t("documents.common.score", { score: score(data.selfScore.score), max: score(data.selfScore.max) }),
          })
        : k("self_score_unknown"),
    ),
  ];
  const c = data.checklist;
  if (c && c.met + c.notMet + c.partial > 0) {
    children.push(
      body(k("checklist_head", { total: c.met + c.notMet + c.partial })),
      body(k("checklist_met", { count: c.met })),
      body(k("checklist_partial", { count: c.partial })),
      body(k("checklist_not_met", { count: c.notMet })),
    );
  }
  children.push(sectionHead(t, 4, k("s4")));
  if (data.findings.length === 0) children.push(body(t("documents.common.none")));
  else {
    children.push(body(k("findings_lead")));
    children.push(...data.findings.map((f, i) => body(findingText(t, f, i + 1))));
  }
  children.push(
    sectionHead(t, 5, k("s5")),
    body(k("conclusion", { unit: unit.name })),
    body(k("closing", { copies: two(copies.total), team: two(copies.team), unit: two(copies.unit) })),
    gap(),
    signatures(
      { title: k("sign_unit"), hint: t("documents.common.sign_hint"), name: null },
      { title: k("sign_team"), hint: t("documents.common.sign_hint"), name: data.lead },
    ),
  );
  return pack(children, { title: `${k("title")} - ${unit.name}`, creator: t("documents.heading.body") });
}
