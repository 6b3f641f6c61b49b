/**
 * saveAnswer under contention, on the real database (SQLite and PostgreSQL): officers of one
 * unit answering one question at the same instant. One row, every change kept as a
 * revision, every write audited, and no change lost (each audit entry starts from the state
 * the previous one left).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Campaign } from "../../src/db/client.ts";
import { findQuestion, saveAnswer } from "../../src/domain/assessment.ts";
import { createHarness, type Harness } from "../support/harness.ts";
import { withTelegram } from "../support/people.ts";

let h: Harness;
let campaign: Campaign;

beforeAll(async () => {
  h = await createHarness();
  campaign = await h.openSelfAssessment();
});
afterAll(() => h.close());

describe("saveAnswer", () => {
  it("keeps one row and loses no change when eight officers answer one question at once", async () => {
    const unit = await h.unit("quynh-nhai");
    const scope = { campaign, unitId: unit.id, unitKind: unit.kind };
    const q = await h.db.question.findFirstOrThrow({ where: { code: "2.3" } });
    const question = (await findQuestion(h.db, scope, q.id))!;
    const officers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => h.db.person.create({ data: withTelegram(9100 + i, `Cán bộ ${i + 1}`) })),
    );
    const values = officers.map((_, i) => String(10 * (i + 1)));
    const saved = await Promise.all(
      officers.map((o, i) =>
        saveAnswer(h.db, scope, question, { value: values[i]!, selfScore: i }, o.id, { now: new Date() }),
      ),
    );
    expect(saved).toHaveLength(8);

    const rows = await h.db.answer.findMany({
      where: { campaignId: campaign.id, unitId: unit.id, questionId: q.id },
      include: { revisions: true },
    });
    expect(rows).toHaveLength(1);
    const [answer] = rows;
    expect(answer!.revisions).toHaveLength(7);

    const log = await h.db.auditLog.findMany({
      where: { entity: "Answer", entityId: String(answer!.id) },
      orderBy: { id: "asc" },
    });
    expect(log.map((e) => e.action)).toEqual(["answer.create", ...Array(7).fill("answer.update")]);
    // Each change starts from what the one before it wrote: none was overwritten unseen.
    for (let i = 1; i < log.length; i++) {
      expect((log[i]!.before as { value: string }).value).toBe((log[i - 1]!.after as { value: string }).value);
    }
    expect(answer!.value).toBe((log.at(-1)!.after as { value: string }).value);
    expect(new Set(log.map((e) => (e.after as { value: string }).value))).toEqual(new Set(values));
  });
});
