/** Lines both documents write the same way: the decision the inspection follows, a finding with what it concerns. */

import { formatDate } from "../domain/time.ts";
import type { Translate } from "../i18n.ts";
import type { CampaignInfo, FindingLine } from "./types.ts";

/** "Thực hiện Quyết định số 53/QĐ-UBND ngày 07/01/2019 của Chủ tịch UBND tỉnh về việc ban hành …;" */
export function decisionLine(t: Translate, c: CampaignInfo, timeZone: string): string {
  return t("documents.common.decision", {
    number: c.decisionNumber,
    date: formatDate(c.decisionDate, timeZone),
    issuer: c.issuer,
    title: c.title.charAt(0).toLocaleLowerCase("vi") + c.title.slice(1),
  });
}

/** A finding, numbered, with the criterion or content (and item) it concerns. */
export function findingText(t: Translate, f: FindingLine, n: number): string {
  let text = f.text.trim();
  if (f.criterion) text = t("documents.common.finding_criterion", { text, ...f.criterion });
  else if (f.content && f.item) text = t("documents.common.finding_item", { text, content: f.content, ...f.item });
  else if (f.content) text = t("documents.common.finding_content", { text, content: f.content });
  return t("documents.common.item", { n, text });
}
