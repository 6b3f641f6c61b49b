/**
 * What a new officer and a new coordinator found (issue 10): each finding through the real
 * bot, on the test database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvites } from "../src/domain/invites.ts";
import { renderNotice } from "../src/domain/notices.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { user } from "./support/updates.ts";

let h: Harness;
const coordinator = user(9301, "Nguyễn Thị Bích Thủy");
const officer = user(9302, "Lò Văn Minh");

/** yyyy-mm-dd hh:mm in Asia/Ho_Chi_Minh (UTC+7). */
const local = (y: number, m: number, d: number, hh: number, mm = 0) => new Date(Date.UTC(y, m - 1, d, hh - 7, mm));

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(coordinator.id) } });
  const [invite] = await createInvites(h.db, {
    campaignId: h.campaign.id,
    role: "OFFICER",
    unitIds: [(await h.unit("song-ma")).id],
  });
  await h.send(officer, `/start ${invite!.code}`);
});
afterAll(() => h.close());

describe("days left", () => {
  it("is the same number in the reminder, /tudanhgia and /tiendo at the same moment", async () => {
    const deadline = local(2019, 3, 15, 17);
    await h.db.campaign.update({
      where: { id: h.campaign.id },
      data: { status: "SELF_ASSESSMENT", selfAssessmentOpensAt: local(2019, 1, 15, 0), selfAssessmentDeadline: deadline },
    });
    // 3 days and 9 hours before: "còn 3 ngày" everywhere (calendar days in Hà Nội time).
    h.clock.fixed = local(2019, 3, 12, 8);
    const reminder = renderNotice(
      "deadline.reminder",
      { unitName: "Sông Mã", deadline: deadline.toISOString(), days: 3, missing: [] },
      { t: h.i18n.forLocale("vi"), locale: "vi", timeZone: h.config.TZ, now: h.clock.now() },
    );
    const [areas] = await h.send(officer, "/tudanhgia");
    const [progress] = await h.send(coordinator, "/tiendo");
    expect(reminder).toMatch(/Còn 3 ngày/i);
    expect(areas).toContain("(còn 3 ngày)");
    expect(progress).toContain("(còn 3 ngày)");

    // On the day, before 17:00: the last day; in the minute of the deadline: still open.
    h.clock.fixed = local(2019, 3, 15, 17, 0);
    expect((await h.send(coordinator, "/tiendo"))[0]).toContain("hôm nay là ngày cuối");
    h.clock.fixed = local(2019, 3, 15, 17, 1);
    expect((await h.send(coordinator, "/tiendo"))[0]).toContain("Đã hết hạn tự đánh giá lúc 15/03/2019 17:00 hôm nay");
    h.clock.fixed = null;
  });
});
