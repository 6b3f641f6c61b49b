/**
 * How long the visit's documents take to write (issue 14; numbers in bench/MINUTES.md):
 *
 *   npx tsx bench/run.ts minutes [--runs 30] [--findings 30] [--actions 20]
 *
 * The minutes (biên bản kiểm tra) and the conclusion notice (thông báo kết luận) of one
 * visit with 30 findings (a third tied to a criterion, a third to a directive's item) and
 * 20 corrective actions, each text a realistic two lines, built by the same builders the
 * bot calls (src/documents/) to DOCX bytes. No database: the builders take plain data, and
 * reading that data is a handful of indexed queries of one visit. After three untimed
 * runs (JIT, the translator's first load), N timed runs of each; the bot answers the
 * lead's «Lập biên bản» within one update, so the target is well under a second.
 */
import { parseArgs } from "node:util";
import { buildConclusionDocx, buildMinutesDocx } from "../src/documents/index.ts";
import type { CampaignInfo, ConclusionData, FindingLine, MinutesData } from "../src/documents/types.ts";
import { elapsedMs, formatSummary, mb, summarize, TIME_ZONE } from "./lib.ts";

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: {
    runs: { type: "string", default: "30" },
    findings: { type: "string", default: "30" },
    actions: { type: "string", default: "20" },
  },
});
const RUNS = Number(values.runs);
const FINDINGS = Number(values.findings);
const ACTIONS = Number(values.actions);
const TARGET_MS = 500;

const campaign: CampaignInfo = {
  title: "Kế hoạch kiểm tra công tác cải cách hành chính tỉnh Sơn La năm 2019",
  year: 2019,
  province: "Sơn La",
  decisionNumber: "53/QĐ-UBND",
  decisionDate: new Date(Date.UTC(2019, 0, 6, 17)),
  issuer: "Chủ tịch Ủy ban nhân dân tỉnh Sơn La",
};
const unit = { name: "Ủy ban nhân dân huyện Sông Mã" };
const startsAt = new Date(Date.UTC(2019, 2, 19, 1));
const sentence =
  "Việc cập nhật, công khai thủ tục hành chính trên Cổng dịch vụ công của tỉnh chưa kịp thời, một số thủ tục còn quá hạn giải quyết";
const findings: FindingLine[] = Array.from({ length: FINDINGS }, (_, i) => ({
  text: `${sentence} (${i + 1})`,
  criterion: i % 3 === 0 ? { code: `${1 + (i % 8)}.${1 + (i % 5)}`, title: "Kế hoạch cải cách hành chính năm" } : null,
  content: i % 3 === 1 ? "Chỉ thị số 26/CT-TTg ngày 05/9/2016" : null,
  item: i % 3 === 1 ? { code: `26.${1 + (i % 6)}`, title: "Chấp hành giờ giấc làm việc" } : null,
}));
const minutes: MinutesData = {
  campaign,
  unit,
  visit: { startsAt, place: "Hội trường Ủy ban nhân dân huyện Sông Mã" },
  team: Array.from({ length: 6 }, (_, i) => ({
    name: `Thành viên ${i + 1}`,
    title: i === 0 ? "Trưởng đoàn" : "Thành viên",
  })),
  attendees: Array.from({ length: 8 }, (_, i) => `Ông Nguyễn Văn ${i + 1}, Trưởng phòng`).join("\n"),
  checkedContents:
    "Công tác chỉ đạo, điều hành CCHC\nCải cách thủ tục hành chính\nChỉ thị 26/CT-TTg, 25-CT/TU, 09/CT-UBND",
  results: Array.from({ length: 10 }, () => `${sentence}.`).join("\n"),
  selfScore: { score: 86.5, max: 100 },
  findings,
  checklist: { met: 20, notMet: 4, partial: 6 },
  lead: "Nguyễn Thị Bích Thủy",
};
const conclusion: ConclusionData = {
  campaign,
  unit,
  visit: { startsAt },
  number: "125/TB-SNV",
  issuedAt: new Date(Date.UTC(2019, 2, 25, 2)),
  scores: { self: { score: 86.5, max: 100 }, final: { score: 84.25, max: 100, percent: 84.25 }, group: "Nhóm B" },
  results: minutes.results,
  findings,
  actions: Array.from({ length: ACTIONS }, (_, i) => ({
    text: `Khắc phục: ${sentence.toLowerCase()} (${i + 1})`,
    dueAt: i % 2 ? new Date(Date.UTC(2019, 3, 9, 10)) : null,
  })),
  actionDueDays: 15,
  signer: "Nguyễn Thị Bích Thủy",
};

async function measure(name: string, build: () => Promise<Buffer>) {
  for (let i = 0; i < 3; i++) await build();
  const samples: number[] = [];
  let size = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    size = (await build()).length;
    samples.push(elapsedMs(start));
  }
  const s = summarize(samples);
  console.log(`${name}: ${formatSummary(s)} · ${(size / 1024).toFixed(1)} KB`);
  return { name, s, size };
}

console.log(`DOCX generation: ${FINDINGS} findings, ${ACTIONS} actions, ${RUNS} runs (Node ${process.version})`);
const results = [
  await measure("minutes", () => buildMinutesDocx(minutes, { timeZone: TIME_ZONE })),
  await measure("conclusion", () => buildConclusionDocx(conclusion, { timeZone: TIME_ZONE })),
];
console.log(`RSS at the end: ${mb(process.memoryUsage().rss)}`);
process.exit(results.some((r) => r.s.p50 >= TARGET_MS) ? 1 : 0);
