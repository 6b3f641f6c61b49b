/**
 * The register of a provincial office (issue 10, "Wording"), kept: every Vietnamese text of
 * locales/vi, rendered with sample values, and the texts of the bundled data file, checked
 * for what a Sở Nội vụ would never write; then the changed behaviour through the real bot.
 */

import { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLED_CAMPAIGN_FILE } from "../src/app.ts";
import { forgetCached } from "../src/db/read-cache.ts";
import { type FakeBotApi, startFakeBotApi } from "../src/dev/fake-bot-api.ts";
import { formatNumber } from "../src/domain/answers.ts";
import { AREA_SHORT_TITLE_MAX } from "../src/domain/campaign-file.ts";
import { loadDataFile } from "../src/domain/data-file.ts";
import { createInvites } from "../src/domain/invites.ts";
import { buttonLabel, formatFileSize } from "../src/domain/text.ts";
import { readViDateTime } from "../src/domain/time.ts";
import { createI18n, loadResources } from "../src/i18n.ts";
import { createHarness, type Harness, TEST_TOKEN } from "./support/harness.ts";
import { testSender } from "./support/sender.ts";
import { user } from "./support/updates.ts";

type Tree = { [k: string]: string | Tree };
function leaves(tree: Tree, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === "string" ? [[`${prefix}${k}`, v] as [string, string]] : leaves(v, `${prefix}${k}.`),
  );
}

const vi = leaves((loadResources() as unknown as Record<"vi", Tree>).vi);

/**
 * Texts that may say "bạn", with the reason. None today: the bot addresses officers and
 * coordinators as "đồng chí", and the playground's own lines use no pronoun at all.
 */
const BAN_ALLOWED = new Map<string, string>([]);

/** The new-style tone mark on "oa", "oe", "uy" ending a syllable ("hoá", "Huỷ"); "quý" is not one. */
const NEW_STYLE_MARK = /\p{L}*(?<![qQ])(?:o[àáảãạ]|o[èéẻẽẹ]|u[ỳýỷỹỵ])(?!\p{L})/giu;
/** A decimal point between digits ("10.3", "0.5"); "1.234" (thousands, in vi) and "15/03/2019" are fine. */
const DECIMAL_POINT = /\d\.\d{1,2}(?!\d)/u;
/** Question and criterion codes ("câu 3.2.2") are names, not numbers. */
const withoutCodes = (text: string) => text.replace(/(câu|lĩnh vực|tiêu chí)\s+\d+(?:\.\d+)+/giu, "$1 ‹mã›");

describe("every Vietnamese text", () => {
  it("addresses people as «đồng chí», never «bạn» (unless listed with a reason)", () => {
    const found = vi.filter(([key, text]) => /(?<!\p{L})bạn(?!\p{L})/iu.test(text) && !BAN_ALLOWED.has(key));
    expect(found).toEqual([]);
    expect(vi.filter(([, text]) => /đồng chí/iu.test(text)).length).toBeGreaterThan(40);
  });

  it("shows formats as examples (ngày/tháng/năm, 15/03/2019 08:00), never dd/MM/yyyy or HH:mm", () => {
    const found = vi.filter(([, text]) => /dd\/mm|yyyy|hh:mm|\bHH\b/iu.test(text));
    expect(found).toEqual([]);
  });

  it("names an impossible date instead of «Ngày giờ không có thật»", () => {
    const found = vi.filter(([, text]) => /không có thật|không có trên lịch/iu.test(text));
    expect(found).toEqual([]);
    expect(new Map(vi).get("schedule.errors.date")).toBe(
      "❌ Không có ngày {{date}}. Đồng chí vui lòng kiểm tra lại ngày, tháng, năm (ví dụ 15/03/2019).",
    );
  });

  it("uses one tone-mark style, the classic one (Xóa, Hủy, hóa, Thủy)", () => {
    const found = vi.flatMap(([key, text]) => [...text.matchAll(NEW_STYLE_MARK)].map((m) => `${key}: ${m[0]}`));
    expect(found).toEqual([]);
    const all = vi.map(([, text]) => text).join("\n");
    for (const word of ["Xóa", "Hủy"]) expect(all).toContain(word);
  });

  it("writes out what a terse slash would leave to guess («chưa tự chấm (tối đa 0,5 điểm)»)", () => {
    const found = vi.filter(([, text]) => /chưa (tự )?chấm\s*\/|\(\/\{\{/u.test(text));
    expect(found).toEqual([]);
  });

  it("names the coordinators as «công chức Phòng CCHC, Sở Nội vụ», never «điều phối viên»", () => {
    expect(vi.filter(([, text]) => /điều phối viên/iu.test(text))).toEqual([]);
    expect(new Map(vi).get("roles.COORDINATOR")).toBe("công chức Phòng CCHC, Sở Nội vụ");
  });

  it("rendered with sample values: decimal commas, no decimal point, no placeholder or key left", () => {
    const t = createI18n("vi", { plainText: true }).forLocale("vi");
    let formatted = 0;
    for (const [key, text] of vi) {
      // Numbers the text formats itself ({{n, number}}) get a fraction and thousands; the
      // others are strings the code formats, so a sample without digits keeps the check on the text.
      const vars: Record<string, unknown> = {};
      for (const m of text.matchAll(/\{\{-?\s*(\w+)\s*(,[^}]*)?\}\}/g)) {
        vars[m[1]!] = m[2] ? 1234.56 : `‹${m[1]}›`;
        if (m[2]) formatted++;
      }
      const base = key.replace(/_(zero|one|two|few|many|other)$/, "");
      if (base !== key) vars.count = 3;
      const shown = t(base, vars);
      expect(shown, key).not.toMatch(/\{\{|\}\}|undefined|NaN|\$t\(/);
      expect(shown, key).not.toBe(key);
      expect(withoutCodes(shown), key).not.toMatch(DECIMAL_POINT);
      if (/\{\{\s*\w+\s*,\s*number/.test(text)) expect(shown, key).toMatch(/1\.234(,\d)?/);
    }
    expect(formatted).toBeGreaterThan(5);
    expect(t("answer.errors.score_range", { min: 0, max: 0.5 })).toBe("Điểm tự chấm phải từ 0 đến 0,5.");
  });

  it("one number style: 10,3 điểm, 1.234,5, 12,5 MB (and 10.3, 1,234.5 in English)", () => {
    expect(formatNumber(10.3, "vi")).toBe("10,3");
    expect(formatNumber(0.5, "vi")).toBe("0,5");
    expect(formatNumber(1234.5, "vi")).toBe("1.234,5");
    expect(formatNumber(1234.5, "en")).toBe("1,234.5");
    expect(formatFileSize(12.5 * 1024 * 1024, (n) => formatNumber(n, "vi"))).toBe("12,5 MB");
    const t = createI18n("vi", { plainText: true }).forLocale("vi");
    expect(t("playground.size.mb", { value: 12.5 })).toBe("12,5 MB");
  });
});

describe("the bundled data file's texts", () => {
  it("use the same tone marks and decimal commas; every area has a short title that fits a button", async () => {
    const data = await loadDataFile(BUNDLED_CAMPAIGN_FILE);
    const texts: string[] = [];
    const walk = (v: unknown, key: string) => {
      if (typeof v === "string" && key !== "code" && key !== "deadline" && !/^\d/.test(v)) texts.push(v);
      else if (Array.isArray(v)) for (const x of v) walk(x, key);
      else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
    };
    walk(data, "");
    expect(texts.length).toBeGreaterThan(200);
    expect(texts.flatMap((t) => [...t.matchAll(NEW_STYLE_MARK)].map((m) => m[0]))).toEqual([]);
    expect(texts.filter((t) => DECIMAL_POINT.test(withoutCodes(t).replace(/\d+\/\d+\/\d+/g, "")))).toEqual([]);
    for (const area of data.questionnaire!.areas) {
      expect(area.shortTitle, area.code).toBeDefined();
      expect(area.shortTitle!.length, area.code).toBeLessThanOrEqual(AREA_SHORT_TITLE_MAX);
    }
  });
});

describe("button labels", () => {
  it("are cut between words, never inside one", () => {
    expect(buttonLabel("Sở Tài nguyên và Môi trường", 20)).toBe("Sở Tài nguyên và…");
    expect(buttonLabel("Lò Văn Minh · Sở Tài nguyên và Môi trường", 30)).toBe("Lò Văn Minh · Sở Tài nguyên…");
    expect(buttonLabel("Công tác chỉ đạo, điều hành cải cách hành chính", 28)).toBe("Công tác chỉ đạo, điều hành…");
    expect(buttonLabel("Sông Mã", 28)).toBe("Sông Mã");
    // One word longer than the button: cut it must be.
    expect(buttonLabel("12345678901234567890", 10)).toBe("123456789…");
  });
});

describe("the date parser says what does not exist", () => {
  it("an impossible day, month or time, as the person wrote it", () => {
    const tz = "Asia/Ho_Chi_Minh";
    expect(readViDateTime("31/02/2027 08:00", tz)).toEqual({ ok: false, error: "date", date: "31/02/2027" });
    expect(readViDateTime("29/2/2027", tz)).toEqual({ ok: false, error: "date", date: "29/02/2027" });
    expect(readViDateTime("12/13/2027", tz)).toEqual({ ok: false, error: "date", date: "12/13/2027" });
    expect(readViDateTime("15/03/2027 25:00", tz)).toEqual({ ok: false, error: "time", time: "25:00" });
    expect(readViDateTime("ngày mai", tz)).toEqual({ ok: false, error: "format" });
    expect(readViDateTime("29/02/2028 08:00", tz)).toMatchObject({ ok: true });
  });
});

// ---------------------------------------------------------------- through the real bot

let h: Harness;
let fake: FakeBotApi;
const thuy = user(9101, "Nguyễn Thị Bích Thủy"); // Phòng CCHC, Sở Nội vụ (COORDINATOR_IDS)
const minh = user(9102, "Lò Văn Minh"); // Sông Mã
const NOW = new Date("2019-03-01T03:00:00Z"); // Friday 01/03/2019 10:00 in Hà Nội

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(thuy.id) } });
  await h.openSelfAssessment();
  fake = await startFakeBotApi();
  h.clock.fixed = NOW;
  const unit = await h.unit("song-ma");
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
  await h.send(minh, `/start ${invite!.code}`);
  await h.send(thuy, "/start");
});
afterAll(async () => {
  await fake?.close();
  await h?.close();
});

/** The inline keyboard of the last message sent or edited, as labels. */
function labels(): string[] {
  const call = h.recorder.calls
    .filter((c) => (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.reply_markup)
    .at(-1);
  const markup = call?.payload.reply_markup as { inline_keyboard: { text: string }[][] } | undefined;
  return markup?.inline_keyboard.flat().map((b) => b.text) ?? [];
}

async function questionId(code: string): Promise<number> {
  return (await h.db.question.findFirstOrThrow({ where: { code } })).id;
}

describe("through the bot", () => {
  it("an impossible date or time in /lichmoi and /lichsua is named, with the form as an example", async () => {
    const [date] = await h.send(thuy, "/lichmoi Sông Mã 31/02/2027 08:00 Hội trường UBND huyện");
    expect(date).toContain("❌ Không có ngày 31/02/2027.");
    expect(date).toContain("&lt;ngày/tháng/năm&gt; &lt;giờ:phút&gt;");
    expect(date).toContain("Ví dụ: <code>/lichmoi Sông Mã 15/03/2019 08:00 Hội trường UBND huyện</code>");
    expect(date).not.toMatch(/dd\/MM|HH:mm|không có thật/);
    const [time] = await h.send(thuy, "/lichmoi Sông Mã 15/03/2019 25:00 Hội trường");
    expect(time).toContain("❌ Không có giờ 25:00");
    expect((await h.send(thuy, "/lichsua #1 30/04/2019 7:75"))[0]).toContain("❌ Không có giờ 07:75");
    expect((await h.send(thuy, "/lichsua #1 31/04/2019 08:00"))[0]).toContain("❌ Không có ngày 31/04/2019.");
    expect(await h.db.inspectionVisit.count({ where: { place: "Hội trường" } })).toBe(0);
  });

  it("a self-score shows a decimal comma: «từ 0 đến 0,5 điểm», «chưa tự chấm (tối đa 0,5 điểm)», 0,5/0,5", async () => {
    // Real time: the bot compares when a message was sent with when the question was shown.
    h.clock.fixed = null;
    // 1.5.2 is scored by the inspection team (teamScored); here it stands for a text question
    // the officer scores by hand, worth 0,5.
    await h.db.question.updateMany({ where: { code: "1.5.2" }, data: { teamScored: false } });
    forgetCached(h.db); // the bot keeps the questionnaire in memory
    await h.press(minh, `sa:q:${await questionId("1.5.2")}`, 800);
    const asked = h.recorder.lastText();
    expect(asked).toContain("— tối đa 0,5 điểm");
    // Unanswered: the button leaves it so.
    expect(labels()).toContain("Bỏ qua ➡️");
    const [saved] = await h.send(
      minh,
      "Sáng kiến tiếp nhận hồ sơ qua mạng tại bộ phận một cửa, giảm thời gian chờ của người dân.",
    );
    expect(saved).toContain("— chưa tự chấm (tối đa 0,5 điểm).");
    expect(saved).toContain("Câu này do đơn vị tự chấm: đồng chí gõ số điểm tự chấm, từ 0 đến 0,5 điểm.");
    expect(saved).not.toMatch(/0\.5|chưa chấm\//);
    const [scored] = await h.send(minh, "0,5");
    expect(scored).toContain("0,5/0,5 điểm");
    expect(scored).not.toContain("0.5");
    // Answered: the button moves on, nothing is skipped.
    await h.press(minh, `sa:q:${await questionId("1.5.2")}`, 801);
    expect(h.recorder.lastText()).toContain("✍️ <i>Trả lời hiện tại:</i>");
    expect(labels()).toContain("Câu sau ➡️");
    expect(labels()).not.toContain("Bỏ qua ➡️");
  });

  it("area buttons carry whole short titles, never a word cut short", async () => {
    await h.send(minh, "/tudanhgia");
    const areas = labels();
    expect(areas).toHaveLength(7);
    expect(areas.map((l) => l.replace(/^\S+ /, ""))).toEqual([
      "1. Công tác chỉ đạo, điều hành",
      "2. Cải cách thể chế",
      "3. Cải cách thủ tục hành chính",
      "4. Cải cách tổ chức bộ máy",
      "5. Xây dựng đội ngũ CBCCVC",
      "6. Cải cách tài chính công",
      "7. Hiện đại hóa hành chính",
    ]);
    for (const label of areas) expect(label).not.toContain("…");
  });

  it("a reminder reads as the office's request: «Sở Nội vụ đề nghị đồng chí …», signed by the office", async () => {
    h.recorder.clear();
    await h.send(thuy, "/nhacnho Sông Mã");
    expect(h.recorder.lastText()).toContain("🔔 Đã nhắc 1 đơn vị");
    await testSender(h, new Api(TEST_TOKEN, { apiRoot: fake.url })).drain();
    const text = fake.chatState(minh.id)?.botMessages.at(-1)?.message.text ?? "";
    expect(text).toContain("Đề nghị hoàn thành tự đánh giá, chấm điểm CCHC");
    expect(text).toContain("Người gửi: Nguyễn Thị Bích Thủy, công chức Phòng CCHC, Sở Nội vụ.");
    expect(text).toContain(
      "Sở Nội vụ đề nghị đồng chí gõ /tudanhgia để hoàn thành và nộp các lĩnh vực còn lại đúng hạn.",
    );
    expect(text).not.toMatch(/(?<!\p{L})bạn(?!\p{L})/u);
  });
});
