import type { User } from "grammy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { answerStamp } from "../src/domain/assessment.ts";
import { createInvites } from "../src/domain/invites.ts";
import { docx, pdf } from "./storage/samples.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { callbackUpdate, stickerUpdate, textUpdate, user } from "./support/updates.ts";

let h: Harness;
const minh = user(6001, "Lò Văn Minh");
const hoa = user(6002, "Cầm Thị Hoa"); // a second officer of Sông Mã
const lan = user(6003, "Đinh Thị Lan"); // officer of Sở Tư pháp
const guest = user(6004, "Khách");
const coordinator = user(6005, "Điều phối");
const dung = user(6020, "Lò Văn Dũng"); // officer of Quỳnh Nhai (a district)
const ha = user(6021, "Vì Thị Hà"); // officer of Sở Công Thương (a department)
const DAY = 86_400_000;

async function link(person: User, unitCode: string) {
  const unit = await h.unit(unitCode);
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
  await h.send(person, `/start ${invite!.code}`);
}

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) }, telegramFiles: true });
  await h.openSelfAssessment();
  await link(minh, "song-ma");
  await link(hoa, "song-ma");
  await link(lan, "so-tu-phap");
  await link(dung, "quynh-nhai");
  await link(ha, "so-cong-thuong");
});
afterAll(() => h.close());
beforeEach(() => {
  h.clock.fixed = null;
});

/** The inline keyboard of the last message sent or edited. */
function lastKeyboard(): { text: string; callback_data: string }[][] {
  const withMarkup = h.recorder.calls.filter(
    (c) => (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.reply_markup,
  );
  const markup = withMarkup.at(-1)?.payload.reply_markup as {
    inline_keyboard: { text: string; callback_data: string }[][];
  };
  return markup?.inline_keyboard ?? [];
}

function button(label: string | RegExp): string {
  const all = lastKeyboard().flat();
  const found = all.find((b) => (typeof label === "string" ? b.text.includes(label) : label.test(b.text)));
  if (!found) throw new Error(`no button "${label}" among ${all.map((b) => b.text).join(" | ")}`);
  return found.callback_data;
}

async function tap(person: User, label: string | RegExp) {
  const data = button(label);
  return h.press(person, data, 777);
}

const texts = () => h.recorder.texts().join("\n---\n");
const songMa = () => h.unit("song-ma");

async function answerRow(questionCode: string, unitCode = "song-ma") {
  const unit = await h.unit(unitCode);
  return h.db.answer.findFirst({
    where: { unitId: unit.id, question: { code: questionCode } },
    include: { revisions: true },
  });
}

describe("the area list", () => {
  it("shows every reform area with its progress and state", async () => {
    await h.send(minh, "/tudanhgia");
    const text = h.recorder.texts()[0]!;
    expect(text).toContain("<b>Tự đánh giá, chấm điểm CCHC — Ủy ban nhân dân huyện Sông Mã</b>");
    expect(text).toMatch(/⏰ Hạn chót: \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(còn 30 ngày\)/);
    // Sông Mã is a district: it is not asked 3.2.1 (departments only), which used to be in its
    // 70 questions and 100 points, answered "không áp dụng" for a free point.
    expect(text).toContain("Tổng: 0/69 câu, 0/99 điểm (0%)");
    expect(text).toContain("<b>1. Công tác chỉ đạo, điều hành cải cách hành chính</b>");
    expect(text).toContain("⬜ Chưa bắt đầu · 0/11 câu · 0/14 điểm");
    expect(lastKeyboard()).toHaveLength(7);
  });

  it("is one tap away after the invite is redeemed", async () => {
    const tuan = user(6010, "Quàng Văn Tuấn");
    const unit = await h.unit("thuan-chau");
    const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
    await h.send(tuan, `/start ${invite!.code}`);
    await tap(tuan, "Bắt đầu tự đánh giá");
    expect(h.recorder.lastText()).toContain("<b>Tự đánh giá, chấm điểm CCHC — Ủy ban nhân dân huyện Thuận Châu</b>");
  });

  it("refuses people without a unit, and coordinators, with guidance", async () => {
    expect(await h.send(guest, "/tudanhgia")).toEqual([expect.stringContaining("Đồng chí chưa thuộc đơn vị nào")]);
    expect(await h.send(coordinator, "/tudanhgia")).toEqual([
      "Chỉ cán bộ đầu mối của đơn vị được trả lời phiếu tự đánh giá.",
    ]);
    expect(await h.db.answer.count()).toBe(0);
  });
});

describe("answering area 1 end to end", () => {
  it("walks through the questions with buttons and typed answers, evidence and explanations, then submits", async () => {
    await h.send(minh, "/tudanhgia");
    await tap(minh, "1. Công tác");
    // 1.1.1 is a date, scored by a deadline.
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 1 · Câu 1.1.1</b> (1/11) — tối đa 1 điểm");
    expect(h.recorder.lastText()).toContain("👉 Gõ ngày theo dạng ngày/tháng/năm");

    expect((await h.send(minh, "31/02/2019"))[0]).toBe(
      "Không có ngày 31/02/2019. Đồng chí vui lòng kiểm tra lại ngày, tháng, năm.",
    );
    expect(await answerRow("1.1.1")).toBeNull();

    const saved = await h.send(minh, "10/01/2019");
    expect(saved[0]).toBe(
      "✅ Đã lưu câu 1.1.1: <b>10/01/2019</b> — 1/1 điểm.\n\n📎 Câu này cần tài liệu kiểm chứng: " +
        saved[0]!.split("tài liệu kiểm chứng: ")[1],
    );
    expect(await answerRow("1.1.1")).toMatchObject({ value: "2019-01-10", selfScore: 1 });

    // Evidence: a document for 1.1.1.
    h.recorder.clear();
    const plan = pdf();
    await h.handle(h.files!.sendUserDocument(minh, { fileName: "ke-hoach-cchc-2019.pdf", bytes: plan }));
    expect(h.recorder.lastText()).toContain("📎 Đã nhận tệp <b>ke-hoach-cchc-2019.pdf</b> cho câu 1.1.1 (tổng 1 tệp).");
    const evidence = await h.db.evidence.findFirstOrThrow({ where: { fileName: "ke-hoach-cchc-2019.pdf" } });
    expect(evidence).toMatchObject({
      fileName: "ke-hoach-cchc-2019.pdf",
      mimeType: "application/pdf",
      size: plan.length,
      removedAt: null,
    });
    await tap(minh, "Câu sau");

    // Then every other question of area 1, each by its type.
    for (let guard = 0; guard < 40; guard++) {
      const last = h.recorder.lastText();
      if (last.includes("Xem lại lĩnh vực 1.")) break;
      const code = /Câu (\d+(?:\.\d+)*)<\/b>/.exec(last)?.[1];
      if (!code) throw new Error(`unexpected screen:\n${texts()}`);
      await answerCurrent(minh, last);
      // What the bot asks next: a self-score, evidence, or the next question.
      for (let follow = 0; follow < 3; follow++) {
        const next = h.recorder.lastText();
        if (next.includes("gõ số điểm tự chấm")) await h.send(minh, "0,5");
        else if (next.includes("Câu này cần tài liệu kiểm chứng")) {
          await tap(minh, "Giải trình");
          await h.send(minh, "Đơn vị đang tập hợp văn bản, sẽ bổ sung trước khi kiểm tra.");
        } else break;
      }
    }
    const review = h.recorder.lastText();
    expect(review).toContain("<b>Xem lại lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính</b>");
    expect(review).toContain("Đã đủ thông tin.");

    await tap(minh, "Nộp lĩnh vực này");
    expect(h.recorder.lastText()).toContain("Nộp lĩnh vực <b>1. Công tác chỉ đạo");
    await tap(minh, "Xác nhận nộp");
    expect(h.recorder.texts().join("\n")).toContain(
      "📤 Đã nộp lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính",
    );

    const unit = await songMa();
    const answers = await h.db.answer.findMany({
      where: { unitId: unit.id, question: { criterion: { area: { code: "1" } } } },
    });
    expect(answers).toHaveLength(11);
    const submission = await h.db.areaSubmission.findFirstOrThrow({ where: { unitId: unit.id } });
    expect(submission.selfScore).toBeCloseTo(
      answers.reduce((s, a) => s + (a.selfScore ?? 0), 0),
      5,
    );
    expect(h.recorder.lastText()).toContain("✅ Đã nộp · 11/11 câu");

    // Submitted: the area is locked for the unit, also for a colleague.
    const q = await h.db.question.findFirstOrThrow({ where: { code: "1.7.1" } });
    const before = await answerRow("1.7.1");
    await h.press(hoa, `sa:v:${q.id}:${answerStamp(before)}:no`);
    expect(h.recorder.texts().join("\n")).toContain(
      "🔒 Lĩnh vực 1. Công tác chỉ đạo, điều hành cải cách hành chính đã nộp lúc",
    );
    expect(await answerRow("1.7.1")).toEqual(before);
  });
});

/** Gives a valid answer to the question on screen, by its prompt. */
async function answerCurrent(person: User, screen: string) {
  if (screen.includes("Bấm một nút để trả lời")) return tap(person, "Có");
  if (screen.includes("Bấm một lựa chọn")) return h.press(person, lastKeyboard()[0]![0]!.callback_data, 777);
  if (screen.includes("Gõ tỷ lệ phần trăm")) return h.send(person, "95%");
  if (screen.includes("Gõ một số") || screen.includes("👉 Gõ số")) return h.send(person, "4");
  if (screen.includes("Gõ ngày")) return h.send(person, "20/01/2019");
  if (screen.includes("Gõ câu trả lời")) return h.send(person, "Đơn vị áp dụng phần mềm một cửa điện tử.");
  throw new Error(`no prompt on screen:\n${screen}`);
}

describe("typed answers", () => {
  it("keeps the question open on wrong input and says what is expected", async () => {
    await h.send(lan, "/tudanhgia");
    await tap(lan, "3. Cải cách thủ tục");
    const screen = h.recorder.lastText();
    expect(screen).toContain("Câu 3.1");
    const percentQuestion = await h.db.question.findFirstOrThrow({
      where: { answerType: "PERCENT", criterion: { area: { code: "3" } } },
      orderBy: { order: "asc" },
    });
    await h.press(lan, `sa:q:${percentQuestion.id}`, 900);
    for (const wrong of ["abc", "120", "-5", "x".repeat(5000)]) {
      const [reply] = await h.send(lan, wrong);
      expect(reply, wrong).toBeTruthy();
      expect(reply).not.toContain("✅");
    }
    expect(await answerRow(percentQuestion.code, "so-tu-phap")).toBeNull();
    const [ok] = await h.send(lan, "85,5 %");
    expect(ok).toContain(`✅ Đã lưu câu ${percentQuestion.code}: <b>85,5%</b>`);
    expect(await answerRow(percentQuestion.code, "so-tu-phap")).toMatchObject({ value: "85.5" });
  });

  it("confirms an answer and asks the next question in one message; a tap is acknowledged once", async () => {
    // Auto-scored questions whose evidence is optional: nothing else to ask after them.
    const typed = await h.db.question.findFirstOrThrow({ where: { code: "7.3.2" } });
    const tapped = await h.db.question.findFirstOrThrow({ where: { code: "5.6.1" } });
    expect([typed.evidenceRequired, tapped.evidenceRequired]).toEqual([false, false]);
    await h.press(lan, `sa:q:${typed.id}`, 901);
    await h.send(lan, "12");
    expect(h.recorder.calls.map((c) => c.method)).toEqual(["sendMessage"]);
    const [message] = h.recorder.texts();
    expect(message).toMatch(/^✅ Đã lưu câu 7\.3\.2: <b>12<\/b>/);
    expect(message).toMatch(/\n\n<b>Lĩnh vực 7 · Câu 7\.[\d.]+<\/b> \(\d+\/\d+\)/);

    await h.press(lan, `sa:q:${tapped.id}`, 902);
    const yes = lastKeyboard()
      .flat()
      .find((b) => b.text.endsWith("Có"))!;
    await h.press(lan, yes.callback_data, 902);
    expect(h.recorder.calls.map((c) => c.method).sort()).toEqual(["answerCallbackQuery", "sendMessage"]);
    expect(h.recorder.lastText()).toMatch(/^✅ Đã lưu câu 5\.6\.1: /);
    expect(h.recorder.lastText()).toMatch(/\n\n<b>Lĩnh vực 5 · Câu 5\.6\.[23]<\/b>/);
    expect(await answerRow("5.6.1", "so-tu-phap")).toMatchObject({ value: "yes" });
  });

  it("measures a text answer as it is shown: one full of & is refused or fits every view", async () => {
    const question = await h.db.question.findFirstOrThrow({ where: { code: "1.5.2" } });
    expect(question.answerType).toBe("TEXT");
    await h.press(lan, `sa:q:${question.id}`, 903);
    // 401 × "&" is 2,005 characters once escaped: over the 2,000 allowed.
    const [refused] = await h.send(lan, "&".repeat(401));
    expect(refused).toContain("Nội dung quá dài: 2.005 ký tự khi hiển thị");
    expect(await answerRow("1.5.2", "so-tu-phap")).toBeNull();

    const [saved] = await h.send(lan, "&".repeat(400));
    expect(saved).toContain(`✅ Đã lưu câu 1.5.2: <b>${"&amp;".repeat(400)}</b>`);
    expect(saved!.length).toBeLessThanOrEqual(4096);
    // Its screen later shows it whole, in one valid message.
    await h.press(lan, `sa:q:${question.id}`, 904);
    const [screen] = h.recorder.texts();
    expect(screen).toContain("&amp;".repeat(400));
    expect(screen!.length).toBeLessThanOrEqual(4096);
  });

  it("guides on stickers in the middle of a question", async () => {
    h.recorder.clear();
    await h.handle(stickerUpdate(lan));
    expect(h.recorder.lastText()).toContain("Tôi chỉ đọc được tin nhắn chữ");
  });
});

describe("evidence", () => {
  it("lists files, keeps a duplicate once, removes one with an audit entry", async () => {
    const q = await h.db.question.findFirstOrThrow({ where: { code: "2.1.2" } });
    await h.press(lan, `sa:q:${q.id}`);
    const report = docx("Báo cáo kết quả cải cách hành chính năm 2019", 20_000);
    await h.handle(h.files!.sendUserDocument(lan, { fileName: "bao-cao.docx", bytes: report }));
    h.recorder.clear();
    // The same bytes again: kept once.
    await h.handle(h.files!.sendUserDocument(lan, { fileName: "bao-cao.docx", bytes: report }));
    expect(h.recorder.lastText()).toContain("đã có trong tài liệu của câu 2.1.2");
    await h.handle(h.files!.sendUserDocument(lan, { fileName: "quyet-dinh.pdf", bytes: pdf() }));
    const unit = await h.unit("so-tu-phap");
    expect(await h.db.evidence.count({ where: { unitId: unit.id, questionId: q.id, removedAt: null } })).toBe(2);

    await h.press(lan, `sa:e:${q.id}`);
    expect(h.recorder.lastText()).toContain(`1. bao-cao.docx (${Math.round(report.length / 1024)} KB,`);
    expect(h.recorder.lastText()).toContain("2. quyet-dinh.pdf (1 KB,");
    await tap(lan, "Xóa tệp 1");
    expect(h.recorder.lastText()).toContain("🗑 Đã xóa tệp <b>bao-cao.docx</b>.");
    expect(await h.db.evidence.count({ where: { unitId: unit.id, questionId: q.id, removedAt: null } })).toBe(2 - 1);
    expect(await h.db.auditLog.count({ where: { action: "evidence.remove" } })).toBe(1);

    // Another unit's evidence cannot be removed by forging its id.
    const other = await h.db.evidence.findFirstOrThrow({ where: { fileName: "ke-hoach-cchc-2019.pdf" } });
    await h.press(lan, `sa:ex:${other.id}`);
    expect(h.recorder.of("answerCallbackQuery")[0]).toMatchObject({
      text: "Nút này đã cũ, vui lòng dùng tin nhắn mới nhất.",
    });
    expect((await h.db.evidence.findUniqueOrThrow({ where: { id: other.id } })).removedAt).toBeNull();
  });

  it("asks which question a file is for when none is open", async () => {
    await h.send(lan, "/tudanhgia"); // the area list clears the cursor
    await h.handle(h.files!.sendUserDocument(lan, { fileName: "lac.pdf", bytes: pdf() }));
    expect(h.recorder.lastText()).toContain("Tôi chưa biết tệp này dùng cho câu hỏi nào.");
  });
});

describe("robustness", () => {
  it("resumes at the first unanswered question after a restart", async () => {
    const q = await h.db.question.findFirstOrThrow({ where: { code: "2.1.1" } });
    await h.press(lan, `sa:q:${q.id}`);
    await h.send(lan, "100");
    h.restart();
    await h.send(lan, "/tudanhgia");
    await tap(lan, "2. Cải cách thể chế");
    // 2.1.1 answered: the bot continues at the next question without an answer.
    expect(h.recorder.lastText()).toMatch(/Câu 2\.1\.2<\/b>|Câu 2\.2\.1<\/b>/);
  });

  it("processes a redelivered update once", async () => {
    const q = await h.db.question.findFirstOrThrow({ where: { code: "2.3" } });
    await h.press(lan, `sa:q:${q.id}`);
    const update = textUpdate(lan, "70");
    h.recorder.clear();
    await h.handle(update);
    await h.handle(structuredClone(update));
    expect(h.recorder.texts().filter((t) => t.startsWith("✅ Đã lưu câu 2.3"))).toHaveLength(1);
    const row = await answerRow("2.3", "so-tu-phap");
    expect(row!.revisions).toHaveLength(0);
    // Recorded once, with the time the bot received it (read back through Prisma).
    const recorded = await h.db.processedUpdate.findUnique({ where: { key: `tg:${update.update_id}` } });
    expect(recorded!.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await h.db.processedUpdate.count({ where: { key: `tg:${update.update_id}` } })).toBe(1);
  });

  it("refuses a stale button after a colleague changed the answer, and writes nothing", async () => {
    const q = await h.db.question.findFirstOrThrow({ where: { code: "4.1.1" } });
    expect(q.answerType).toBeDefined();
    await h.press(minh, `sa:q:${q.id}`);
    const stale = lastKeyboard().flat()[0]!.callback_data;
    // Hoa answers the same question first.
    await h.press(hoa, `sa:q:${q.id}`);
    await h.press(hoa, lastKeyboard().flat()[0]!.callback_data);
    const before = await answerRow("4.1.1");
    await h.press(minh, stale, 777);
    expect(h.recorder.texts().join("\n")).toContain("nút đồng chí bấm đã cũ");
    const after = await answerRow("4.1.1");
    expect(after!.updatedAt).toEqual(before!.updatedAt);
    expect(after!.revisions).toHaveLength(0);
  });

  it("refuses forged and malformed buttons without effect", async () => {
    const count = await h.db.answer.count();
    for (const data of ["sa:v:999999:0:yes", "sa:v:1:0:<script>", "sa:q:abc", "sa:zz", "sa:ex:0", `sa:a:${2 ** 40}`]) {
      await h.press(lan, data);
      const answered = h.recorder.of("answerCallbackQuery")[0];
      expect(answered, data).toBeDefined();
    }
    expect(await h.db.answer.count()).toBe(count);
  });

  it("two officers answering one question at the same moment make one row", async () => {
    const q = await h.db.question.findFirstOrThrow({ where: { code: "5.1.1" } });
    await h.press(minh, `sa:q:${q.id}`);
    await h.press(hoa, `sa:q:${q.id}`);
    const input =
      q.answerType === "YES_NO"
        ? "có"
        : q.answerType === "PERCENT"
          ? "90"
          : q.answerType === "NUMBER"
            ? "3"
            : q.answerType === "DATE"
              ? "01/02/2019"
              : "1";
    await Promise.all([h.handle(textUpdate(minh, input)), h.handle(textUpdate(hoa, input))]);
    const unit = await songMa();
    expect(await h.db.answer.count({ where: { unitId: unit.id, questionId: q.id } })).toBe(1);
    const row = await answerRow("5.1.1");
    expect(row!.revisions.length).toBeLessThanOrEqual(1);
  });

  it("writes every change to the audit log with who, old and new", async () => {
    const q = await h.db.question.findFirstOrThrow({ where: { code: "2.3" } });
    await h.press(lan, `sa:q:${q.id}`);
    await h.send(lan, "80");
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(lan.id)) });
    const entry = await h.db.auditLog.findFirstOrThrow({
      where: { action: "answer.update", actorId: person.id },
      orderBy: { id: "desc" },
    });
    expect(entry.before).toMatchObject({ value: "70" });
    expect(entry.after).toMatchObject({ value: "80", question: "2.3" });
    const row = await answerRow("2.3", "so-tu-phap");
    expect(row!.revisions.map((r) => r.value)).toEqual(["70"]);
  });

  it("refuses answers after the deadline, giving the deadline", async () => {
    h.clock.fixed = new Date(Date.now() + 40 * DAY);
    const q = await h.db.question.findFirstOrThrow({ where: { code: "2.4" } });
    await h.press(lan, `sa:q:${q.id}`);
    const [reply] = await h.send(lan, "50");
    expect(reply).toMatch(/^⛔ Đã hết hạn tự đánh giá \(hạn chót \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}\)/);
    expect(await answerRow("2.4", "so-tu-phap")).toBeNull();
  });
});

// Keep `callbackUpdate` referenced for readers looking for how presses are built.
void callbackUpdate;

// ------------------------------------------------------------------ issue 10: answers and scores

const questionOf = (code: string) => h.db.question.findFirstOrThrow({ where: { code } });
/** Opens a question as its button in the review does; its keyboard has no empty row (Telegram refuses one). */
async function open(person: User, code: string) {
  const calls = await h.press(person, `sa:q:${(await questionOf(code)).id}`, 800);
  expect(lastKeyboard().filter((row) => row.length === 0)).toEqual([]);
  return calls;
}
const labels = () =>
  lastKeyboard()
    .flat()
    .map((b) => b.text);

describe("counts: what can be counted, and how officers write it", () => {
  it("1.2 refuses more reports than a year has (5, 1.234), in plain Vietnamese; '4 báo cáo' is 4", async () => {
    await open(dung, "1.2");
    const screen = h.recorder.lastText();
    for (const typed of ["5", "1.234", "5 báo cáo", "12"]) {
      expect(await h.send(dung, typed), typed).toEqual(["Câu 1.2 tính tối đa 4 báo cáo; đồng chí nhập số từ 0 đến 4."]);
    }
    expect(await h.send(dung, "1,5")).toEqual(["Câu hỏi này đếm số lượng: vui lòng nhập số nguyên, ví dụ 3."]);
    expect(await answerRow("1.2", "quynh-nhai")).toBeNull();
    // The question said so.
    expect(screen).toContain("👉 Gõ số báo cáo, từ 0 đến 4 (ví dụ: 3).");

    const [saved] = await h.send(dung, "4 báo cáo");
    expect(saved).toMatch(/^✅ Đã lưu câu 1\.2: <b>4<\/b> — 1\/1 điểm\./);
    expect(await answerRow("1.2", "quynh-nhai")).toMatchObject({ value: "4", selfScore: 1 });
  });

  it("1.4 takes '3 hình thức' as 3 and asks again on 'khoảng 3'", async () => {
    await open(dung, "1.4");
    const [vague] = await h.send(dung, "khoảng 3");
    expect(vague).toBe(
      "Câu này cần một số chính xác, không ghi ước lượng hay khoảng («khoảng 3», «hơn 5», «3-4»). Đồng chí vui lòng nhập đúng một số, ví dụ 3.",
    );
    expect(await h.send(dung, "3 hình thức trở lên")).toEqual([vague]);
    expect(await answerRow("1.4", "quynh-nhai")).toBeNull();
    const [saved] = await h.send(dung, "3 hình thức");
    expect(saved).toMatch(/^✅ Đã lưu câu 1\.4: <b>3<\/b> — 1,5\/1,5 điểm\./);
    expect(await answerRow("1.4", "quynh-nhai")).toMatchObject({ value: "3", selfScore: 1.5 });
  });

  it("dates as officers write them: 15/1/19, 15/01/2019, 15-1-2019, 15.1.2019", async () => {
    for (const typed of ["15/1/19", "15/01/2019", "15-1-2019", "15.1.2019", "15/01/19"]) {
      await open(dung, "1.1.1");
      const [saved] = await h.send(dung, typed);
      expect(saved, typed).toMatch(/^✅ Đã lưu câu 1\.1\.1: <b>15\/01\/2019<\/b> — 1\/1 điểm\./);
    }
    const row = await answerRow("1.1.1", "quynh-nhai");
    expect(row).toMatchObject({ value: "2019-01-15", selfScore: 1 });
    expect(row!.revisions.map((r) => r.value)).toEqual(Array(4).fill("2019-01-15"));
  });
});

describe("answers beyond a question's type: 'không ban hành', 'không áp dụng'", () => {
  it("a DATE question that allows it offers 'Không ban hành' as a button and as typed words", async () => {
    await open(dung, "2.2.1");
    expect(h.recorder.lastText()).toContain(
      "Nếu đơn vị không ban hành, bấm <b>Không ban hành</b> (hoặc gõ: không ban hành).",
    );
    expect(labels()).toContain("Không ban hành");
    await tap(dung, "Không ban hành");
    expect(h.recorder.lastText()).toMatch(/^✅ Đã lưu câu 2\.2\.1: <b>Không ban hành<\/b> — 0\/0,5 điểm\./);
    expect(await answerRow("2.2.1", "quynh-nhai")).toMatchObject({ value: "none", selfScore: 0 });
    // Typed, without diacritics, on another plan; and 5.4.2 (a report) reads "Không gửi".
    await open(dung, "5.5.1");
    expect((await h.send(dung, "khong ban hanh"))[0]).toMatch(/^✅ Đã lưu câu 5\.5\.1: <b>Không ban hành<\/b>/);
    await open(dung, "5.4.2");
    expect(labels()).toContain("Không gửi");
    expect((await h.send(dung, "không gửi"))[0]).toMatch(/^✅ Đã lưu câu 5\.4\.2: <b>Không gửi<\/b>/);
  });

  it("a percentage whose item may not arise offers 'Không áp dụng'; one that always applies refuses it", async () => {
    await open(ha, "3.5");
    expect(labels()).toContain("Không áp dụng");
    expect(h.recorder.lastText()).toContain(
      "Nếu nội dung này không phát sinh ở đơn vị, bấm <b>Không áp dụng</b>: câu này khi đó không tính điểm và được trừ khỏi điểm tối đa của đơn vị.",
    );
    const [saved] = await h.send(ha, "không áp dụng");
    expect(saved).toMatch(
      /^✅ Đã lưu câu 3\.5: <b>Không áp dụng<\/b> — câu này không tính vào điểm tối đa của đơn vị\./,
    );
    expect(await answerRow("3.5", "so-cong-thuong")).toMatchObject({ value: "na", selfScore: 0 });

    await open(ha, "1.1.2");
    expect(labels()).not.toContain("Không áp dụng");
    expect(await h.send(ha, "khong ap dung")).toEqual([
      "Câu này không có phương án «Không áp dụng»: đồng chí vui lòng trả lời theo thực tế của đơn vị.",
    ]);
    expect(await answerRow("1.1.2", "so-cong-thuong")).toBeNull();
    // Nor does a yes/no question that every unit answers.
    await open(ha, "4.1.1");
    expect(labels().slice(0, 2)).toEqual(["Có", "Không"]);
    expect(labels()).not.toContain("Không áp dụng");
    expect(h.recorder.lastText()).toContain("👉 Bấm một nút để trả lời (hoặc gõ: có / không).");
  });
});

describe("an answer worth 0 points", () => {
  it("does not ask for evidence: 'Không' goes straight on to the next question", async () => {
    await open(dung, "1.7.1");
    await tap(dung, /^Không$/);
    const [message] = h.recorder.texts();
    expect(message).toMatch(
      /^✅ Đã lưu câu 1\.7\.1: <b>Không<\/b> — 0\/0,5 điểm\.\n\n<b>Lĩnh vực 1 · Câu 1\.7\.2<\/b>/,
    );
    expect(message).not.toContain("cần tài liệu kiểm chứng");
    // Nor does the review list it as missing evidence, while a "Có" without a file is.
    const area1 = await h.db.reformArea.findFirstOrThrow({ where: { code: "1" } });
    await h.press(dung, `sa:r:${area1.id}`);
    const review = h.recorder.lastText();
    const evidenceLine = review.split("\n").find((l) => l.startsWith("• Chưa có tài liệu kiểm chứng"))!;
    expect(evidenceLine).toContain("1.2");
    expect(evidenceLine).not.toContain("1.7.1");
  });
});

describe("not applicable takes the item out of the unit's maximum", () => {
  it("a district is not asked a department-only item (3.2.1): 69 questions, 99 points", async () => {
    await h.send(dung, "/tudanhgia");
    const list = h.recorder.texts()[0]!;
    expect(list).toMatch(/Tổng: \d+\/69 câu, [\d,]+\/99 điểm \([\d,]+%\)/);
    expect(list).toContain("⬜ Chưa bắt đầu · 0/10 câu · 0/17 điểm (0%)");
    await tap(dung, "3. Cải cách thủ tục");
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 3 · Câu 3.1.1</b> (1/10)");
    await open(dung, "3.1.2");
    await tap(dung, "Bỏ qua");
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 3 · Câu 3.2.2</b> (3/10)");
    // Neither a forged button nor an old one reaches 3.2.1.
    const q321 = await questionOf("3.2.1");
    for (const data of [`sa:q:${q321.id}`, `sa:v:${q321.id}:0:na`, `sa:v:${q321.id}:0:yes`]) {
      await h.press(dung, data);
      expect(h.recorder.of("answerCallbackQuery")[0], data).toMatchObject({ show_alert: true });
      expect(h.recorder.texts(), data).toEqual([]);
    }
    expect(await answerRow("3.2.1", "quynh-nhai")).toBeNull();
  });

  it("a department's area with N/A answers: review, submission and every total out of what is left", async () => {
    await h.send(ha, "/tudanhgia");
    expect(h.recorder.texts()[0]).toContain("⬜ Chưa bắt đầu · 0/7 câu · 0/10 điểm (0%)");
    await tap(ha, "6. Cải cách tài chính");
    // 6.1: "Không", worth 0: no evidence asked, on to 6.2.
    expect(labels()).not.toContain("Không áp dụng");
    await tap(ha, /^Không$/);
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 6 · Câu 6.2</b>");
    await tap(ha, "Không ban hành");
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 6 · Câu 6.3.1</b>");
    // No public service units: the choice that used to be worth full marks is N/A now.
    expect(labels()).not.toContain("Không có đơn vị sự nghiệp trực thuộc");
    await tap(ha, "Không áp dụng");
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 6 · Câu 6.3.2</b>");
    await h.send(ha, "không áp dụng");
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 6 · Câu 6.4</b>");
    await h.send(ha, "50");
    await h.send(ha, "khong ap dung");
    expect(h.recorder.lastText()).toContain("<b>Lĩnh vực 6 · Câu 6.6</b>");
    await tap(ha, /^Có$/);
    expect(h.recorder.lastText()).toContain("Câu này cần tài liệu kiểm chứng");
    await tap(ha, "Giải trình");
    await h.send(ha, "Quy chế đang trình ký, đơn vị sẽ bổ sung trước khi kiểm tra.");

    const review = h.recorder.lastText();
    expect(review).toContain("<b>Xem lại lĩnh vực 6. Cải cách tài chính công</b>");
    // 10 points less 6.3.1 (1), 6.3.2 (1) and 6.5 (2): 1,5 of 6.
    expect(review).toContain("Tự chấm: 1,5/6 điểm (25%)");
    expect(review).toContain("ℹ️ 3 câu không áp dụng (4 điểm) được trừ khỏi điểm tối đa: còn 6 điểm.");
    expect(review).toContain("<b>6.3.1</b> Không áp dụng — không tính điểm");
    expect(review).toContain("<b>6.1</b> Không — 0/1,5");
    expect(review).toContain("Đã đủ thông tin.");

    await tap(ha, "Nộp lĩnh vực này");
    expect(h.recorder.lastText()).toContain("với điểm tự chấm <b>1,5/6</b>");
    await tap(ha, "Xác nhận nộp");
    expect(h.recorder.texts()[0]).toBe("📤 Đã nộp lĩnh vực 6. Cải cách tài chính công — tự chấm 1,5/6 điểm (25%).");
    const list = h.recorder.texts().at(-1)!;
    expect(list).toContain("Tổng: 8/70 câu, 1,5/94 điểm (1,6%)");
    expect(list).toContain("ℹ️ 4 câu không áp dụng (6 điểm) được trừ khỏi điểm tối đa: còn 94 điểm.");
    expect(list).toContain("✅ Đã nộp · 7/7 câu · 1,5/6 điểm (25%)");

    const unit = await h.unit("so-cong-thuong");
    const submission = await h.db.areaSubmission.findFirstOrThrow({ where: { unitId: unit.id } });
    expect(submission.selfScore).toBe(1.5);
    const entry = await h.db.auditLog.findFirstOrThrow({
      where: { action: "area.submit", entityId: String(submission.id) },
    });
    expect(entry.after).toMatchObject({ area: "6", score: 1.5, max: 6 });

    // Coordinators see the same: the unit's own maximum and the percentage of it.
    const [detail] = await h.send(coordinator, "/donvi công thương");
    expect(detail).toContain("Điểm tự chấm: <b>1,5/94</b> (1,6%) — nhóm D");
    expect(detail).toContain("   7/7 câu · 1,5/6 điểm (25%) · 📎 0");
    const [rank] = await h.send(coordinator, "/diem 6");
    expect(rank).toContain("1. Sở Công Thương — 1,5/6 (25%) · D");
  });
});
