import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvites } from "../src/domain/invites.ts";
import { pdf } from "./storage/samples.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { documentUpdate, textUpdate, user } from "./support/updates.ts";

/**
 * What people type may hold NUL characters (PostgreSQL refuses them in text and JSON), and
 * Telegram may declare a document larger than an INT column holds. Through the real bot,
 * on both databases: stored without the NUL, or refused in Vietnamese, never an error.
 */
let h: Harness;
const coordinator = user(7401, "Điều phối");
const minh = user(7402, "Lò\u0000Văn Minh", { last_name: "\u0000", username: "minh\u0000lv" });
const Y = new Date().getFullYear() + 1;
const INTERNAL_ERROR = /lỗi|error/i;

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) }, telegramFiles: true });
  await h.openSelfAssessment();
  const unit = await h.unit("song-ma");
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
  expect((await h.send(minh, `/start ${invite!.code}`)).join("\n")).toContain("Ủy ban nhân dân huyện Sông Mã");
});
afterAll(() => h.close());

const question = (code: string) => h.db.question.findFirstOrThrow({ where: { code } });

describe("NUL characters in what people type", () => {
  it("a name with NUL: the person is linked and stored without it", async () => {
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(minh.id)) });
    expect([person.displayName, person.username]).toEqual(["LòVăn Minh", "minhlv"]);
    expect(await h.db.membership.count({ where: { personId: person.id } })).toBe(1);
  });

  it("a typed answer with NUL is stored without it", async () => {
    const q = await question("1.5.2"); // a TEXT question
    await h.press(minh, `sa:q:${q.id}`);
    const replies = await h.send(minh, "Đơn vị\u0000 áp dụng phần mềm một cửa\u0000 điện tử.");
    expect(replies[0]).toContain("✅ Đã lưu câu 1.5.2: <b>Đơn vị áp dụng phần mềm một cửa điện tử.</b>");
    const answer = await h.db.answer.findFirstOrThrow({ where: { questionId: q.id } });
    expect(answer.value).toBe("Đơn vị áp dụng phần mềm một cửa điện tử.");
  });

  it("a command after NUL characters still works: its entity moves with the text", async () => {
    const base = textUpdate(minh, "x");
    const update: Update = {
      ...base,
      message: {
        ...base.message!,
        text: "\u0000\u0000/tudanhgia",
        entities: [{ type: "bot_command", offset: 2, length: 10 }],
      },
    };
    h.recorder.clear();
    await h.handle(update);
    expect(h.recorder.texts()[0]).toContain("<b>Tự đánh giá, chấm điểm CCHC — Ủy ban nhân dân huyện Sông Mã</b>");
  });

  it("a place with NUL in /lichmoi: the visit and its notices are stored without it", async () => {
    const replies = await h.send(coordinator, `/lichmoi Sông Mã 15/03/${Y} 08:00 Hội trường\u0000 UBND huyện`);
    expect(replies.join("\n")).toContain("Hội trường UBND huyện");
    const visit = await h.db.inspectionVisit.findFirstOrThrow({ where: { place: "Hội trường UBND huyện" } });
    const notice = await h.db.notice.findFirstOrThrow({ where: { visitId: visit.id, kind: "visit.created" } });
    expect(notice.payload).toMatchObject({ place: "Hội trường UBND huyện" });
  });
});

describe("evidence whose declared size is beyond 2^31 bytes", () => {
  it("is refused in Vietnamese before any download, nothing stored; a file with NUL in its name is kept", async () => {
    const q = await question("1.1.1"); // needs evidence
    await h.press(minh, `sa:e:${q.id}`);
    h.recorder.clear();
    await h.handle(documentUpdate(minh, "ban-scan-4gb.pdf", "application/pdf", 3_000_000_000, "u-huge"));
    const [refusal] = h.recorder.texts();
    expect(refusal).toBe(
      "Tệp <b>ban-scan-4gb.pdf</b> quá lớn (2,8 GB): mỗi tệp tài liệu kiểm chứng tối đa 20 MB. Đồng chí vui lòng nén hoặc chia nhỏ tệp rồi gửi lại.",
    );
    expect(refusal).not.toMatch(INTERNAL_ERROR);
    expect(await h.db.evidence.count()).toBe(0);

    h.recorder.clear();
    const bytes = pdf();
    await h.handle(h.files!.sendUserDocument(minh, { fileName: "ke-hoach\u0000.pdf", bytes }));
    expect(h.recorder.lastText()).toContain("📎 Đã nhận tệp <b>ke-hoach.pdf</b> cho câu 1.1.1 (tổng 1 tệp).");
    expect(await h.db.evidence.findFirstOrThrow({ where: { fileName: "ke-hoach.pdf" } })).toMatchObject({
      size: bytes.length,
    });
  });
});
