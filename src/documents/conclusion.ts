/**
 * The conclusion notice of an inspection (thông báo kết luận kiểm tra) for one unit as a
 * DOCX, issued by Sở Nội vụ: general results (self-score, the final score once published,
 * the ranking group), what the unit achieved (the minutes' results), the shortcomings
 * (findings), the corrective actions with their due dates, the requests; "Nơi nhận" and the
 * signature. A draft (no number yet) leaves the number and the date blank to fill in.
 */
import type { Paragraph, Table } from "docx";
import { formatDate } from "../domain/time.ts";
import { decisionLine, findingText } from "./common.ts";
import {
  body,
  bodyLines,
  documentTranslator,
  gap,
  heading,
  pack,
  recipients,
  score,
  sectionHead,
  signatures,
  title,
  type WriteOptions,
} from "./layout.ts";
import type { ConclusionData } from "./types.ts";

/** The DOCX bytes of the conclusion notice. */
export async function buildConclusionDocx(data: ConclusionData, options: WriteOptions): Promise<Buffer> {
  const t = options.t ?? documentTranslator();
  const tz = options.timeZone;
  const k = (key: string, vars?: Record<string, unknown>) => t(`documents.conclusion.${key}`, vars);
  const { campaign, unit } = data;
  const points = (s: { score: number; max: number }) =>
    t("documents.common.score", { score: score(s.score), max: score(s.max) });
  const children: (Paragraph | Table)[] = [
    heading(
      t,
      {
        province: campaign.province,
        team: false,
        number: data.number,
        symbol: k("symbol"),
        place: campaign.province,
        date: data.number ? data.issuedAt : null,
        year: campaign.year,
      },
      tz,
    ),
    ...title(k("title"), k("subject", { year: campaign.year, unit: unit.name })),
    body(decisionLine(t, campaign, tz)),
    body(k("opening", { date: formatDate(data.visit.startsAt, tz), unit: unit.name })),
    sectionHead(t, 1, k("s1")),
    body(data.scores.self ? k("self_score", { score: points(data.scores.self) }) : k("self_score_unknown")),
    body(
      data.scores.final
        ? k("final_score", {
            score: t("documents.common.score_percent", {
              score: score(data.scores.final.score),
              max: score(data.scores.final.max),
              percent: score(data.scores.final.percent),
            }),
          })
        : k("final_score_pending"),
    ),
    body(data.scores.group ? k("group", { group: data.scores.group }) : k("group_none")),
    sectionHead(t, 2, k("s2")),
    ...(data.results?.trim() ? bodyLines(data.results) : [body(k("no_results"))]),
    sectionHead(t, 3, k("s3")),
  ];
  if (data.findings.length === 0) children.push(body(t("documents.common.none")));
  children.push(...data.findings.map((f, i) => body(findingText(t, f, i + 1))));
  children.push(sectionHead(t, 4, k("s4")));
  if (data.actions.length === 0) children.push(body(t("documents.common.none")));
  data.actions.forEach((a, i) => {
    const text = a.text.trim().replace(/[.;]?$/, ".");
    if (a.dueAt) {
      children.push(body(k("action", { n: i + 1, text, due: formatDate(a.dueAt, tz) })));
    } else children.push(body(k("action_after", { n: i + 1, text, days: data.actionDueDays })));
  });
  children.push(
    sectionHead(t, 5, k("s5")),
    body(k("request_report", { unit: unit.name })),
    body(k("request_bot")),
    gap(),
    signatures(
      recipients(k("recipients"), [
        k("recipient_unit", { unit: unit.name }),
        k("recipient_ubnd"),
        k("recipient_director"),
        k("recipient_team"),
        k("recipient_archive"),
      ]),
      { title: k("sign_title"), hint: t("documents.common.sign_hint"), name: data.signer },
    ),
  );
  return pack(children, { title: `${k("title")} - ${unit.name}`, creator: t("documents.heading.body") });
}
