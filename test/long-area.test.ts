/**
 * An area far longer than the 2019 plan's (200 questions): its review does not fit in one
 * Telegram message nor one keyboard, and must still reach the officer whole.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { longQuestionnaireFile } from "../src/dev/long-questionnaire.ts";
import { importData } from "../src/domain/importer.ts";
import { createInvites } from "../src/domain/invites.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { user } from "./support/updates.ts";

const officer = user(7001, "Lường Văn Dũng");
let h: Harness;

beforeAll(async () => {
  h = await createHarness();
  await importData(h.db, longQuestionnaireFile(20, 10), h.config.TZ);
  const campaign = await h.openSelfAssessment("bench-long");
  const unit = await h.unit("bench-long-a");
  const [invite] = await createInvites(h.db, { campaignId: campaign.id, role: "OFFICER", unitIds: [unit.id] });
  await h.send(officer, `/start ${invite!.code}`);
  // Every question but the last already answered.
  const questions = await h.db.question.findMany({
    where: { questionnaireId: campaign.questionnaireId! },
    orderBy: { order: "asc" },
  });
  const person = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(officer.id)) });
  await h.db.answer.createMany({
    data: questions.slice(0, -1).map((q) => ({
      campaignId: campaign.id,
      unitId: unit.id,
      questionId: q.id,
      value: "75",
      selfScore: 0.5,
      answeredById: person.id,
    })),
  });
});
afterAll(() => h.close());

describe("a 200-question area", () => {
  it("answers the last question and shows the review in several messages, with a bounded keyboard", async () => {
    await h.send(officer, "/tudanhgia");
    const area = h.recorder.calls.at(-1)!.payload.reply_markup as { inline_keyboard: { callback_data: string }[][] };
    await h.press(officer, area.inline_keyboard[0]![0]!.callback_data, 800);
    expect(h.recorder.lastText()).toContain("Câu 1.20.10</b> (200/200)");

    await h.send(officer, "75");
    const sent = h.recorder.of("sendMessage");
    expect(sent.length).toBeGreaterThan(1);
    for (const m of sent) expect((m.text as string).length).toBeLessThanOrEqual(4096);
    const all = sent.map((m) => m.text as string).join("\n");
    expect(all).toMatch(/^✅ Đã lưu câu 1\.20\.10: <b>75%<\/b>/);
    expect(all).toContain("<b>Xem lại lĩnh vực 1. Lĩnh vực dài</b>");
    for (let c = 1; c <= 20; c++) for (let n = 1; n <= 10; n++) expect(all).toContain(`<b>1.${c}.${n}</b> 75%`);
    // Only the last message carries the keyboard, within Telegram's limits.
    expect(sent.slice(0, -1).every((m) => m.reply_markup === undefined)).toBe(true);
    const keyboard = (sent.at(-1)!.reply_markup as { inline_keyboard: { text: string }[][] }).inline_keyboard;
    expect(keyboard.flat().length).toBeLessThanOrEqual(100);
    expect(keyboard.flat().map((b) => b.text)).toContain("📤 Nộp lĩnh vực này");
    expect(await h.db.answer.count({ where: { unit: { code: "bench-long-a" } } })).toBe(200);
  });
});
