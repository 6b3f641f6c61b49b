import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { User } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvites } from "../src/domain/invites.ts";
import { editedCampaign } from "./support/campaign.ts";
import { runCli } from "./support/cli.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { tempDir } from "./support/temp.ts";
import { user } from "./support/updates.ts";

/**
 * Importing the campaign file again (the real CLI, as a child process) after coordinators
 * changed or cancelled visits in chat (the real bot): chat wins unless the file itself
 * changed, nobody gets a contradictory notice, and the CLI says what it did and left.
 */
let h: Harness;
const tmp = tempDir("reimport");
const thuy = user(7301, "Nguyễn Thị Bích Thủy"); // coordinator
const minh = user(7302, "Lò Văn Minh"); // officer, Quỳnh Nhai
const hoa = user(7303, "Cầm Thị Hoa"); // officer, Thuận Châu
// The CLI runs on the real clock: the visits of the file are next year's.
const Y = new Date().getFullYear() + 1;

/** The bundled campaign with its visits in year Y, edited further by `edit`. */
function campaignFile(name: string, edit: (visits: Record<string, Record<string, string>>) => void = () => {}) {
  const file = join(tmp, name);
  writeFileSync(
    file,
    editedCampaign((doc) => {
      const byUnit = Object.fromEntries(doc.visits.map((v: { unit: string }) => [v.unit, v]));
      for (const v of doc.visits) v.startsAt = v.startsAt.replace("2019", String(Y));
      edit(byUnit);
    }),
  );
  return file;
}

async function importFile(file: string) {
  const result = await runCli(["import", file], { DATABASE_URL: h.database.url });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.split("\n").filter((l) => l.startsWith("visits:") || l.startsWith("  "));
}

const visitOf = (unit: string) =>
  h.db.inspectionVisit.findFirstOrThrow({ where: { unit: { code: unit } }, include: { unit: true } });
const noticesOf = (visitId: number, kind: string) =>
  h.db.notice.findMany({ where: { visitId, kind }, orderBy: { id: "asc" } });

async function link(person: User, unitCode: string) {
  const unit = await h.unit(unitCode);
  const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
  await h.send(person, `/start ${invite!.code}`);
}

const F1 = () => campaignFile("f1.yaml");
let qn: Awaited<ReturnType<typeof visitOf>>;

beforeAll(async () => {
  h = await createHarness({ env: { COORDINATOR_IDS: String(thuy.id) } });
  await link(minh, "quynh-nhai");
  await link(hoa, "thuan-chau");
});
afterAll(() => h.close());

// Each case starts the CLI (a few seconds each on a busy machine).
describe("a visit changed in chat, then the same file imported again", { timeout: 120_000 }, () => {
  it("the file's new dates are applied and announced once", async () => {
    const file = F1();
    expect(await importFile(file)).toEqual([
      "visits: 0 created, 3 updated, 0 unchanged",
      `  quynh-nhai: changed time 19/03/2019 08:00 -> 19/03/${Y} 08:00 (1 notice)`,
      `  thuan-chau: changed time 21/03/2019 08:00 -> 21/03/${Y} 08:00 (1 notice)`,
      `  so-cong-thuong: changed time 26/03/2019 14:00 -> 26/03/${Y} 14:00 (0 notices)`,
    ]);
    qn = await visitOf("quynh-nhai");
    expect(await noticesOf(qn.id, "visit.changed")).toHaveLength(1);
    // The import is in the audit log: which file, who ran it, what it counted.
    const entry = await h.db.auditLog.findFirstOrThrow({ where: { action: "campaign.import", entityId: file } });
    expect(entry.actorId).toBeNull();
    expect(entry.after).toMatchObject({
      by: expect.stringMatching(/^cli:.+@.+$/),
      campaignCode: "son-la-2019",
      counts: {
        units: { created: 0, updated: 0, unchanged: 12 },
        visits: { created: 0, updated: 3, unchanged: 0, kept: 0 },
      },
      visitsChanged: ["quynh-nhai", "thuan-chau", "so-cong-thuong"],
      visitsLeftAsChangedInChat: [],
    });
  });

  it("/lichsua and /lichhuy in chat survive the re-import; nobody is told anything new", async () => {
    const changed = await h.send(thuy, `/lichsua #${qn.id} 16/03/${Y} 14:00 Phòng họp số 2`);
    expect(changed.join("\n")).toContain("✅ Đã đổi lịch kiểm tra");
    const tc = await visitOf("thuan-chau");
    await h.send(thuy, `/lichhuy #${tc.id} Đơn vị xin lùi lịch`);
    const confirm = h.recorder.of("sendMessage").at(-1)!.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    await h.press(thuy, confirm.inline_keyboard[0]![0]!.callback_data);
    expect((await visitOf("thuan-chau")).status).toBe("CANCELLED");
    const notices = await h.db.notice.count();
    const before = await visitOf("quynh-nhai");

    expect(await importFile(F1())).toEqual([
      "visits: 0 created, 0 updated, 2 unchanged, 1 left as changed in chat",
      `  quynh-nhai: left time at 16/03/${Y} 14:00, changed in chat (the file says 19/03/${Y} 08:00)`,
      '  quynh-nhai: left place at "Phòng họp số 2", changed in chat (the file says "Hội trường Ủy ban nhân dân huyện Quỳnh Nhai")',
    ]);
    const after = await visitOf("quynh-nhai");
    expect([after.startsAt, after.place, after.revision]).toEqual([before.startsAt, "Phòng họp số 2", before.revision]);
    expect((await visitOf("thuan-chau")).status).toBe("CANCELLED");
    expect(await h.db.notice.count()).toBe(notices);
  });

  it("a field the file changes is applied alone, in one notice that agrees with chat", async () => {
    const F2 = campaignFile("f2.yaml", (v) => {
      v["quynh-nhai"]!.place = "Hội trường mới";
      v["thuan-chau"]!.startsAt = `22/03/${Y} 08:00`;
    });
    expect(await importFile(F2)).toEqual([
      "visits: 0 created, 1 updated, 1 unchanged, 1 left as changed in chat",
      `  quynh-nhai: changed place "Phòng họp số 2" -> "Hội trường mới" (1 notice)`,
      `  quynh-nhai: left time at 16/03/${Y} 14:00, changed in chat (the file says 19/03/${Y} 08:00)`,
      `  thuan-chau: left time at 21/03/${Y} 08:00, cancelled in chat (the file says 22/03/${Y} 08:00)`,
    ]);
    const visit = await visitOf("quynh-nhai");
    expect(visit.place).toBe("Hội trường mới");
    expect(visit.startsAt.toISOString()).toBe(new Date(Date.UTC(Y, 2, 16, 7)).toISOString());
    const last = (await noticesOf(visit.id, "visit.changed")).at(-1)!;
    expect(last.payload).toMatchObject({ place: "Hội trường mới", startsAt: visit.startsAt.toISOString() });
    expect((await visitOf("thuan-chau")).status).toBe("CANCELLED");
    expect(await noticesOf((await visitOf("thuan-chau")).id, "visit.changed")).toHaveLength(1);

    // The same file once more: nothing to do.
    const notices = await h.db.notice.count();
    expect((await importFile(F2))[0]).toBe("visits: 0 created, 0 updated, 1 unchanged, 2 left as changed in chat");
    expect(await h.db.notice.count()).toBe(notices);
  });

  it("visits imported before the file's values were kept: untouched ones follow the file, changed ones keep chat's", async () => {
    const forget = { importedStartsAt: null, importedPlace: null, importedContents: null };
    await h.db.inspectionVisit.updateMany({ data: forget });
    // Imported, never changed since: as if the file said what the visit says.
    const sct = await visitOf("so-cong-thuong");
    await h.db.inspectionVisit.update({ where: { id: sct.id }, data: { revision: 1 } });
    const F3 = campaignFile("f3.yaml", (v) => {
      v["so-cong-thuong"]!.startsAt = `27/03/${Y} 14:00`;
      v["quynh-nhai"]!.place = "Hội trường khác";
    });
    expect(await importFile(F3)).toEqual([
      "visits: 0 created, 1 updated, 1 unchanged, 1 left as changed in chat",
      `  quynh-nhai: left time at 16/03/${Y} 14:00, changed in chat (the file says 19/03/${Y} 08:00)`,
      `  quynh-nhai: left place at "Hội trường mới", changed in chat (the file says "Hội trường khác")`,
      `  so-cong-thuong: changed time 26/03/${Y} 14:00 -> 27/03/${Y} 14:00 (0 notices)`,
    ]);
  });
});
