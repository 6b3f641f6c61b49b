/**
 * A generated questionnaire with one very long area (criteria × perCriterion PERCENT
 * questions), its campaign ("bench-long", year 2030) and two units, checked like any data
 * file: for the flat-cost benchmark and for tests of long areas.
 */
import { DataFileSchema } from "../domain/campaign-file.ts";

export function longQuestionnaireFile(criteria: number, perCriterion: number) {
  const q = (c: number, n: number) => ({
    code: `1.${c}.${n}`,
    text: `Tỷ lệ hồ sơ của nhóm ${c}, mục ${n} được giải quyết đúng hạn (%)`,
    maxPoints: 0.5,
    answerType: "PERCENT",
    scoring: { kind: "bands", bands: [{ min: 50, points: 0.5 }] },
    scoringText: "Từ 50% trở lên: 0,5 điểm; dưới 50%: 0 điểm",
  });
  const unit = (code: string, name: string) => ({ code, name, shortName: name, kind: "DEPARTMENT", aliases: [] });
  return DataFileSchema.parse({
    units: [unit("bench-long-a", "Đơn vị A"), unit("bench-long-b", "Đơn vị B")],
    questionnaire: {
      code: "bench-long",
      version: 1,
      title: "Bộ câu hỏi dài (thử hiệu năng)",
      maxPoints: criteria * perCriterion * 0.5,
      areas: [
        {
          code: "1",
          title: "Lĩnh vực dài",
          maxPoints: criteria * perCriterion * 0.5,
          criteria: Array.from({ length: criteria }, (_, ci) => ({
            code: `1.${ci + 1}`,
            title: `Nhóm tiêu chí ${ci + 1}`,
            maxPoints: perCriterion * 0.5,
            questions: Array.from({ length: perCriterion }, (_, qi) => q(ci + 1, qi + 1)),
          })),
        },
      ],
    },
    campaign: {
      code: "bench-long",
      title: "Chiến dịch thử hiệu năng",
      decision: { number: "1/QĐ-BENCH", date: "01/01/2030", issuer: "Benchmark" },
      province: "Sơn La",
      year: 2030,
      units: ["bench-long-a", "bench-long-b"],
      questionnaire: { code: "bench-long", version: 1 },
    },
  });
}
