/**
 * Evidence the province owns: a file an officer sends in Telegram is copied into the bot's
 * own store and opens, byte for byte, through the signed link the bot gives; wrong types,
 * files over the limit, expired, revoked and other units' links are refused with a
 * Vietnamese page; the upload page takes several files and the chat confirms. On both
 * databases (TEST_DATABASE_URL) and both file stores.
 */
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import { Api } from "grammy";
import type { User } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appWebRoutes } from "../src/app.ts";
import { createInvites } from "../src/domain/invites.ts";
import { backfillEvidence } from "../src/jobs/evidence-backfill.ts";
import { closeServer, createHttpServer, listen } from "../src/server/http.ts";
import { exe, jpeg, pdf, randomish } from "./storage/samples.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { user } from "./support/updates.ts";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe.each(["local", "database"] as const)("evidence files in the %s store", (fileStorage) => {
  let h: Harness;
  let server: Server;
  let base: string;
  const minh = user(9501, "Lò Văn Minh"); // Sông Mã
  const lan = user(9502, "Đinh Thị Lan"); // Sở Tư pháp
  const coordinator = user(9503, "Nguyễn Thị Bích Thủy");

  async function link(person: User, unitCode: string) {
    const [invite] = await createInvites(h.db, {
      campaignId: h.campaign.id,
      role: "OFFICER",
      unitIds: [(await h.unit(unitCode)).id],
    });
    await h.send(person, `/start ${invite!.code}`);
  }

  /** Opens question `code` for `person` (its cursor then takes files). */
  async function openQuestion(person: User, code: string) {
    const q = await h.db.question.findFirstOrThrow({ where: { code } });
    await h.press(person, `sa:q:${q.id}`, 600);
  }

  /** The signed links in the last message: href="…" → a path on the test server. */
  function linksInLastMessage(): string[] {
    return [...h.recorder.lastText().matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1]!).pathname);
  }

  const get = (path: string) => fetch(`${base}${path}`);

  beforeAll(async () => {
    h = await createHarness({
      fileStorage,
      telegramFiles: true,
      env: { COORDINATOR_IDS: String(coordinator.id), MAX_FILE_MB: "1", PUBLIC_URL: "https://cchc.example.vn" },
    });
    await h.openSelfAssessment();
    await link(minh, "song-ma");
    await link(lan, "so-tu-phap");
    server = createHttpServer({ ping: h.database.ping, logger: h.logger, web: appWebRoutes(h.app()) });
    base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await h.close();
  });

  it("keeps a Telegram document and opens it byte for byte through the officer's link", async () => {
    await openQuestion(minh, "1.1.1");
    const bytes = pdf();
    h.recorder.clear();
    await h.handle(
      h.files!.sendUserDocument(minh, { fileName: "Kế hoạch CCHC 2019.pdf", bytes, caption: "Bản ký số" }),
    );
    expect(h.recorder.lastText()).toContain("📎 Đã nhận tệp <b>Kế hoạch CCHC 2019.pdf</b> cho câu 1.1.1");
    const row = await h.db.evidence.findFirstOrThrow({ where: { fileName: "Kế hoạch CCHC 2019.pdf" } });
    expect(row).toMatchObject({
      mimeType: "application/pdf",
      size: bytes.length,
      sha256: sha(bytes),
      note: "Bản ký số",
      source: "telegram",
      kind: "FILE",
    });
    expect(row.storageKey).toMatch(/^[0-9a-f]{32}$/);

    const [view] = linksInLastMessage();
    const page = await get(view!);
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain("Tài liệu kiểm chứng của <b>Ủy ban nhân dân huyện Sông Mã</b>");
    expect(html).toContain("Ghi chú: Bản ký số");
    const href = /href="(\/e\/[^"]+\/\d+)"/.exec(html)![1]!;
    const file = await get(href);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("application/pdf");
    expect(file.headers.get("content-disposition")).toBe(
      `attachment; filename="Ke hoach CCHC 2019.pdf"; filename*=UTF-8''K%E1%BA%BF%20ho%E1%BA%A1ch%20CCHC%202019.pdf`,
    );
    expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
  });

  it("keeps a photo, and the same file sent again once", async () => {
    await openQuestion(minh, "1.1.2");
    const bytes = jpeg();
    await h.handle(h.files!.sendUserPhoto(minh, { bytes }));
    expect(h.recorder.lastText()).toContain("cho câu 1.1.2");
    await h.handle(h.files!.sendUserDocument(minh, { fileName: "anh-chup.jpg", bytes }));
    expect(h.recorder.lastText()).toContain("đã có trong tài liệu của câu 1.1.2");
    const rows = await h.db.evidence.findMany({ where: { question: { code: "1.1.2" }, removedAt: null } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ mimeType: "image/jpeg", sha256: sha(bytes) });
    // The duplicate's copy was not kept either.
    const keys: string[] = [];
    for await (const k of h.store.keys()) keys.push(k);
    expect(keys.filter((k) => k === rows[0]!.storageKey)).toHaveLength(1);
  });

  it("refuses a program named like a document, and a file over the limit, keeping nothing", async () => {
    await openQuestion(minh, "1.2");
    const before = await h.db.evidence.count();
    await h.handle(h.files!.sendUserDocument(minh, { fileName: "bao-cao.pdf", bytes: exe() }));
    expect(h.recorder.lastText()).toContain("không được nhận làm tài liệu kiểm chứng");
    // Declared over the limit (1 MB here): refused before any download.
    await h.handle(h.files!.sendUserDocument(minh, { fileName: "lon.pdf", bytes: randomish(1_500_000) }));
    expect(h.recorder.lastText()).toMatch(/Tệp <b>lon\.pdf<\/b> quá lớn/);
    expect(await h.db.evidence.count()).toBe(before);
  });

  it("keeps a link typed as evidence", async () => {
    await openQuestion(minh, "1.2");
    await h.send(minh, "2");
    await h.send(minh, "Tin trên cổng thông tin https://sonla.gov.vn/tin-tuc/cchc-2019");
    expect(h.recorder.lastText()).toContain("🔗 Đã ghi đường link làm tài liệu kiểm chứng cho câu 1.2");
    const row = await h.db.evidence.findFirstOrThrow({ where: { kind: "LINK" } });
    expect(row).toMatchObject({ url: "https://sonla.gov.vn/tin-tuc/cchc-2019", note: "Tin trên cổng thông tin" });
  });

  it("says what to do with an expired, a revoked or an unknown link", async () => {
    await openQuestion(minh, "1.1.1");
    await h.tap(minh, "📎 Tài liệu");
    const [view] = linksInLastMessage();
    const token = view!.split("/")[2]!;
    const stored = await h.db.accessLink.findFirstOrThrow({ where: { purpose: "evidence" }, orderBy: { id: "desc" } });
    // Only the token's hash is kept.
    expect(stored.tokenHash).not.toContain(token);
    await h.db.accessLink.update({ where: { id: stored.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const expired = await get(view!);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("Đường link đã hết hạn lúc");
    await h.db.accessLink.update({
      where: { id: stored.id },
      data: { expiresAt: new Date(Date.now() + 60_000), revokedAt: new Date() },
    });
    expect(await (await get(view!)).text()).toContain("Đường link đã bị thu hồi.");
    const unknown = await get(`/e/${"A".repeat(22)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("Đường link không đúng hoặc không còn tồn tại.");
  });

  it("never opens another unit's file through an officer's link", async () => {
    await openQuestion(lan, "1.1.1");
    await h.handle(h.files!.sendUserDocument(lan, { fileName: "stp.pdf", bytes: pdf() }));
    const lanFile = await h.db.evidence.findFirstOrThrow({ where: { fileName: "stp.pdf" } });
    await openQuestion(minh, "1.1.1");
    await h.tap(minh, "📎 Tài liệu");
    const [minhView] = linksInLastMessage();
    const res = await get(`${minhView}/${lanFile.id}`);
    expect(res.status).toBe(404);
    // Moved to another unit since the link was made: the link no longer opens Sông Mã's page.
    const lanPerson = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(lan.id)) });
    await openQuestion(lan, "1.1.1");
    await h.tap(lan, "📎 Tài liệu");
    const [lanView] = linksInLastMessage();
    await h.db.membership.updateMany({
      where: { personId: lanPerson.id },
      data: { unitId: (await h.unit("quynh-nhai")).id },
    });
    const moved = await get(lanView!);
    expect(moved.status).toBe(403);
    expect(await moved.text()).toContain("không có quyền xem nội dung này");
    await h.db.membership.updateMany({
      where: { personId: lanPerson.id },
      data: { unitId: (await h.unit("so-tu-phap")).id },
    });
  });

  it("takes several files on the upload page, refuses the wrong ones, and confirms in the chat", async () => {
    await openQuestion(minh, "1.3.1");
    await h.tap(minh, "📎 Tài liệu");
    const upload = linksInLastMessage().find((p) => p.startsWith("/u/"))!;
    const form = await get(upload);
    const page = await form.text();
    expect(page).toContain("Câu 1.3.1");
    expect(page).toContain('enctype="multipart/form-data"');
    const body = new FormData();
    body.append("files", new Blob([pdf()], { type: "application/pdf" }), "Báo cáo quý I.pdf");
    body.append("files", new Blob([jpeg()], { type: "image/jpeg" }), "ảnh hội nghị.jpg");
    body.append("files", new Blob([exe()], { type: "application/pdf" }), "virus.pdf");
    h.recorder.clear();
    const posted = await fetch(`${base}${upload}`, { method: "POST", body });
    expect(posted.status).toBe(200);
    const result = await posted.text();
    expect(result).toContain("✅ Đã nhận 2 tệp.");
    expect(result).toContain("virus.pdf: không phải loại tệp được nhận");
    expect(result).toContain("Báo cáo quý I.pdf");
    expect(h.recorder.texts()).toEqual(["📎 Đã nhận 2 tệp cho câu 1.3.1 qua trang tải lên."]);
    const rows = await h.db.evidence.findMany({ where: { question: { code: "1.3.1" }, removedAt: null } });
    expect(rows.map((r) => [r.fileName, r.source]).sort()).toEqual([
      ["Báo cáo quý I.pdf", "web"],
      ["ảnh hội nghị.jpg", "web"],
    ]);
  });

  it("gives a coordinator, in /donvi, a link to the unit's evidence of each area, which opens the files", async () => {
    const [text] = await h.send(coordinator, "/donvi song ma");
    expect(text).toContain("📂 <a href=");
    const [area1] = [...text!.matchAll(/href="([^"]+)">Xem tài liệu kiểm chứng/g)].map((m) => new URL(m[1]!).pathname);
    const page = await (await get(area1!)).text();
    expect(page).toContain("Kế hoạch CCHC 2019.pdf");
    const href = /href="(\/e\/[^"]+\/\d+)"/.exec(page)![1]!;
    expect((await get(href)).status).toBe(200);
  });

  it("fetches evidence sent before copies were kept, once; a file Telegram no longer has is marked so", async () => {
    const q = await h.db.question.findFirstOrThrow({ where: { code: "1.4" } });
    const unit = await h.unit("song-ma");
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(minh.id)) });
    const old = pdf();
    const sent = h.files!.sendUserDocument(minh, { fileName: "cu.pdf", bytes: old }).message!.document!;
    const base = { campaignId: h.campaign.id, unitId: unit.id, questionId: q.id, uploadedById: person.id };
    const kept = await h.db.evidence.create({
      data: { ...base, fileId: sent.file_id, fileUniqueId: sent.file_unique_id, fileName: "cu.pdf" },
    });
    const lost = await h.db.evidence.create({
      data: { ...base, fileId: "gone-file-id", fileUniqueId: "gone", fileName: "mat.pdf" },
    });
    const deps = {
      db: h.db,
      store: h.store,
      api: new Api(h.config.BOT_TOKEN!, { apiRoot: h.files!.url }),
      connection: { token: h.config.BOT_TOKEN!, apiRoot: h.files!.url },
      logger: h.logger,
      maxBytes: 1024 * 1024,
    };
    expect(await backfillEvidence(deps)).toEqual({ stored: 1, unavailable: 1, retry: 0 });
    const copied = await h.db.evidence.findUniqueOrThrow({ where: { id: kept.id } });
    expect(copied).toMatchObject({ sha256: sha(old), size: old.length, mimeType: "application/pdf" });
    const stream = (await h.store.get(copied.storageKey!))!;
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks)).toEqual(old);
    expect((await h.db.evidence.findUniqueOrThrow({ where: { id: lost.id } })).unavailableAt).not.toBeNull();
    // Nothing left to do the second time.
    expect(await backfillEvidence(deps)).toEqual({ stored: 0, unavailable: 0, retry: 0 });
    // The officer sees which file must be sent again.
    await h.press(minh, `sa:e:${q.id}`, 610);
    expect(h.recorder.lastText()).toContain("mat.pdf (—,");
    expect(h.recorder.lastText()).toContain("không còn bản lưu");
  });

  it("closes a person's pages when a coordinator takes their access away", async () => {
    await h.send(coordinator, "/start");
    await openQuestion(lan, "1.1.1");
    await h.tap(lan, "📎 Tài liệu");
    const [view] = linksInLastMessage();
    expect((await get(view!)).status).toBe(200);
    await h.send(coordinator, "/thuhoi Đinh Thị Lan");
    const markup = h.recorder.calls.filter((c) => c.payload.reply_markup).at(-1)!.payload.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    const confirm = markup.inline_keyboard.flat().find((b) => b.text.includes("Thu hồi quyền"))!;
    await h.press(coordinator, confirm.callback_data);
    expect(h.recorder.lastText()).toContain("✅ Đã thu hồi quyền");
    const closed = await get(view!);
    expect(closed.status).toBe(410);
    expect(await closed.text()).toContain("Đường link đã bị thu hồi.");
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(BigInt(lan.id)) });
    const links = await h.db.accessLink.findMany({ where: { personId: person.id } });
    expect(links.length).toBeGreaterThan(0);
    expect(links.every((l) => l.revokedAt !== null)).toBe(true);
  });
});
