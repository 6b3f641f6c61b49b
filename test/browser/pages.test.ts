/**
 * The bot's web pages in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) against the real HTTP server and the real bot, on the test database
 * (SQLite, or PostgreSQL with TEST_DATABASE_URL) and both file stores.
 *
 * On a phone (360×740, touch) with JavaScript off, as on a cheap phone or a locked-down
 * office PC: the upload page shows the question and the files already attached, takes
 * several files through the plain form, refuses a wrong type in Vietnamese, the chat
 * confirms and the rows are stored; the evidence page lists the files and a download gives
 * the exact bytes; expired, revoked and unknown links say so. Every page fits the phone: no
 * sideways scrolling, readable text, tap targets a finger can hit. Then once on a desktop
 * with JavaScript on (the pages have no script, so there is no progress bar to test).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Server } from "node:http";
import { join } from "node:path";
import type { Browser, BrowserContext, Download, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { appWebRoutes } from "../../src/app.ts";
import { createInvites } from "../../src/domain/invites.ts";
import { closeServer, createHttpServer, listen } from "../../src/server/http.ts";
import { exe, jpeg, pdf } from "../storage/samples.ts";
import { createHarness, type Harness } from "../support/harness.ts";
import { user } from "../support/updates.ts";
import { describeWithChromium, launchChromium } from "./chromium.ts";

let shots = 0;
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const squash = (s: string) => s.replace(/\s+/g, " ").trim();

const PHONE = {
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  javaScriptEnabled: false,
  locale: "vi-VN",
};
const DESKTOP = { viewport: { width: 1280, height: 800 }, javaScriptEnabled: true, locale: "vi-VN" };

/** A PDF of `bytes` size or more (a real one, padded in a comment), unique by `tag`. */
function bigPdf(tag: string, bytes: number): Buffer {
  const head = pdf();
  const pad = Buffer.alloc(Math.max(0, bytes - head.length), 0x20);
  return Buffer.concat([head, Buffer.from(`%${tag}\n`), pad]);
}

interface Layout {
  lang: string;
  innerWidth: number;
  scrollWidth: number;
  bodyFontPx: number;
  /** Main text (not the muted meta lines) smaller than 16 px. */
  smallText: string[];
  /** The smallest muted (secondary) text. */
  mutedFontPx: number;
  /** Links, buttons and the file picker less than 44 px tall. */
  smallTargets: string[];
  scripts: number;
}

/** Measured in the page (page.evaluate runs even with the page's own JavaScript off). */
const MEASURE = readFileSync(new URL("./measure-page.js", import.meta.url), "utf8");
function layoutOf(page: Page): Promise<Layout> {
  return page.evaluate(MEASURE) as Promise<Layout>;
}

/**
 * Fits a 360 px phone: Vietnamese, nothing wider than the screen, readable, tappable. With
 * BROWSER_SCREENSHOTS=<dir> each page checked is also saved there, to look at.
 */
async function expectFitsPhone(page: Page) {
  if (process.env.BROWSER_SCREENSHOTS) {
    const name = `${String(++shots).padStart(2, "0")}-${new URL(page.url()).pathname.split("/")[1]}.png`;
    await page.screenshot({ path: join(process.env.BROWSER_SCREENSHOTS, name), fullPage: true });
  }
  const l = await layoutOf(page);
  expect(l.lang).toBe("vi");
  // A page wider than the device would make a mobile browser zoom out (innerWidth grows).
  expect(l.innerWidth).toBe(PHONE.viewport.width);
  expect(l.scrollWidth).toBeLessThanOrEqual(l.innerWidth);
  expect(l.bodyFontPx).toBeGreaterThanOrEqual(16);
  expect(l.smallText).toEqual([]);
  expect(l.mutedFontPx).toBeGreaterThanOrEqual(14);
  expect(l.smallTargets).toEqual([]);
  expect(l.scripts).toBe(0);
}

/** The text a person sees on the page (Playwright's innerText: laid out, hidden text left out), spaces squashed. */
async function visibleText(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node
  return squash(await page.locator("main").innerText());
}

async function bytesOf(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFile(path);
}

for (const fileStorage of ["local", "database"] as const) {
  describeWithChromium(`the web pages in Chromium (${fileStorage} store)`, () => {
    let h: Harness;
    let server: Server;
    let base: string;
    let browser: Browser;
    const minh = user(9601, "Lò Văn Minh"); // Sông Mã

    /** The signed links in the last message, as paths on the test server. */
    function linksInLastMessage(): string[] {
      return [...h.recorder.lastText().matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1]!).pathname);
    }

    /** Opens question `code` for Minh and asks for its evidence: the upload and list links. */
    async function linksFor(code: string) {
      const q = await h.db.question.findFirstOrThrow({ where: { code } });
      await h.press(minh, `sa:q:${q.id}`, 600);
      await h.tap(minh, "📎 Tài liệu");
      const links = linksInLastMessage();
      return {
        question: q,
        upload: links.find((p) => p.startsWith("/u/"))!,
        list: links.find((p) => p.startsWith("/e/"))!,
      };
    }

    async function withContext<T>(options: object, work: (page: Page, context: BrowserContext) => Promise<T>) {
      const context = await browser.newContext({ ...options, acceptDownloads: true });
      try {
        return await work(await context.newPage(), context);
      } finally {
        await context.close();
      }
    }

    /** Chooses files in the picker and sends the plain form; resolves on the result page. */
    async function submit(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
      await page.locator("input[type=file]").setInputFiles(files);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.locator("button[type=submit]").click(),
      ]);
      await page.waitForLoadState("load");
      return response;
    }

    beforeAll(async () => {
      h = await createHarness({
        fileStorage,
        telegramFiles: true,
        env: { MAX_FILE_MB: "1", PUBLIC_URL: "https://cchc.example.vn" },
      });
      await h.openSelfAssessment();
      const [invite] = await createInvites(h.db, {
        campaignId: h.campaign.id,
        role: "OFFICER",
        unitIds: [(await h.unit("song-ma")).id],
      });
      await h.send(minh, `/start ${invite!.code}`);
      server = createHttpServer({ ping: h.database.ping, logger: h.logger, web: appWebRoutes(h.app()) });
      base = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      if (server) await closeServer(server);
      await h?.close();
    });

    it("on a phone without JavaScript: upload several files, see the refusals, and download them back", async () => {
      // A file already attached in the chat.
      const q = await h.db.question.findFirstOrThrow({ where: { code: "1.3.1" } });
      await h.press(minh, `sa:q:${q.id}`, 600);
      await h.handle(h.files!.sendUserDocument(minh, { fileName: "Kế hoạch CCHC năm 2019.pdf", bytes: pdf() }));
      const { upload, list, question } = await linksFor("1.3.1");

      const report = bigPdf("bao-cao", 300_000);
      const photo = jpeg();
      // A long name with no space in it must wrap, not push the page sideways.
      const longName = `Bao_cao_ket_qua_thuc_hien_cong_tac_cai_cach_hanh_chinh_quy_I_nam_2019_${"x".repeat(40)}.pdf`;
      const long = bigPdf("dai", 2_000);

      await withContext(PHONE, async (page) => {
        const opened = await page.goto(`${base}${upload}`);
        expect(opened!.status()).toBe(200);
        const text = await visibleText(page);
        expect(text).toContain("Câu 1.3.1");
        expect(text).toContain(squash(question.text));
        expect(text).toContain("Tài liệu đã có");
        expect(text).toContain("Kế hoạch CCHC năm 2019.pdf");
        // Attached and kept: not marked as a file whose copy was lost.
        expect(text).not.toContain("bản lưu không còn");
        await expectFitsPhone(page);

        h.recorder.clear();
        const posted = await submit(page, [
          { name: "Báo cáo quý I.pdf", mimeType: "application/pdf", buffer: report },
          { name: "ảnh hội nghị.jpg", mimeType: "image/jpeg", buffer: photo },
          { name: longName, mimeType: "application/pdf", buffer: long },
          { name: "virus.pdf", mimeType: "application/pdf", buffer: exe() },
        ]);
        expect(posted.status()).toBe(200);
        const result = await visibleText(page);
        expect(result).toContain("✅ Đã nhận 3 tệp.");
        expect(result).toContain("Các tệp sau không được nhận:");
        expect(result).toContain("virus.pdf: không phải loại tệp được nhận");
        for (const name of ["Kế hoạch CCHC năm 2019.pdf", "Báo cáo quý I.pdf", "ảnh hội nghị.jpg", longName]) {
          expect(result).toContain(name);
        }
        await expectFitsPhone(page);
      });

      // The chat confirms, and the rows are the province's copies of exactly those bytes.
      expect(h.recorder.texts()).toEqual(["📎 Đã nhận 3 tệp cho câu 1.3.1 qua trang tải lên."]);
      const rows = await h.db.evidence.findMany({
        where: { questionId: question.id, removedAt: null, source: "web" },
        orderBy: { id: "asc" },
      });
      expect(rows.map((r) => [r.fileName, r.mimeType, r.size, r.sha256])).toEqual([
        ["Báo cáo quý I.pdf", "application/pdf", report.length, sha(report)],
        ["ảnh hội nghị.jpg", "image/jpeg", photo.length, sha(photo)],
        [longName, "application/pdf", long.length, sha(long)],
      ]);

      await withContext(PHONE, async (page) => {
        const opened = await page.goto(`${base}${list}`);
        expect(opened!.status()).toBe(200);
        const text = await visibleText(page);
        expect(text).toContain("Câu 1.3.1");
        for (const name of ["Kế hoạch CCHC năm 2019.pdf", "Báo cáo quý I.pdf", "ảnh hội nghị.jpg", longName]) {
          expect(text).toContain(name);
        }
        await expectFitsPhone(page);
        for (const [name, bytes] of [
          ["Báo cáo quý I.pdf", report],
          ["ảnh hội nghị.jpg", photo],
        ] as const) {
          const [download] = await Promise.all([
            page.waitForEvent("download"),
            page.getByRole("link", { name, exact: true }).click(),
          ]);
          expect(download.suggestedFilename()).toBe(name);
          expect(sha(await bytesOf(download))).toBe(sha(bytes));
        }
      });
    });

    it("on a phone: a file over the size limit is refused with a message, the others kept", async () => {
      const { upload, question } = await linksFor("1.4");
      const small = bigPdf("nho", 10_000);
      await withContext(PHONE, async (page) => {
        await page.goto(`${base}${upload}`);
        h.recorder.clear();
        const posted = await submit(page, [
          { name: "quá lớn.pdf", mimeType: "application/pdf", buffer: bigPdf("lon", 1_500_000) },
          { name: "nhỏ.pdf", mimeType: "application/pdf", buffer: small },
        ]);
        expect(posted.status()).toBe(200);
        const result = await visibleText(page);
        expect(result).toContain("quá lớn.pdf: lớn hơn 1 MB");
        expect(result).toContain("✅ Đã nhận 1 tệp.");
        await expectFitsPhone(page);
      });
      expect(h.recorder.texts()).toEqual(["📎 Đã nhận 1 tệp cho câu 1.4 qua trang tải lên."]);
      const rows = await h.db.evidence.findMany({ where: { questionId: question.id, removedAt: null } });
      expect(rows.map((r) => r.fileName)).toEqual(["nhỏ.pdf"]);
    });

    it("on a phone: expired, revoked and unknown links say so in Vietnamese", async () => {
      const { list } = await linksFor("1.1.1");
      const stored = await h.db.accessLink.findFirstOrThrow({
        where: { purpose: "evidence" },
        orderBy: { id: "desc" },
      });
      await withContext(PHONE, async (page) => {
        await h.db.accessLink.update({ where: { id: stored.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
        const expired = await page.goto(`${base}${list}`);
        expect(expired!.status()).toBe(410);
        expect(await page.title()).toBe("Không mở được đường link");
        expect(await visibleText(page)).toMatch(
          /Đường link đã hết hạn lúc \d{2}\/\d{2}\/\d{4}.*dùng lệnh tương ứng để nhận đường link mới/,
        );
        await expectFitsPhone(page);

        await h.db.accessLink.update({
          where: { id: stored.id },
          data: { expiresAt: new Date(Date.now() + 60_000), revokedAt: new Date() },
        });
        const revoked = await page.goto(`${base}${list}`);
        expect(revoked!.status()).toBe(410);
        expect(await visibleText(page)).toContain("Đường link đã bị thu hồi.");
        await expectFitsPhone(page);

        const unknown = await page.goto(`${base}/u/${"A".repeat(22)}`);
        expect(unknown!.status()).toBe(404);
        expect(await visibleText(page)).toContain("Đường link không đúng hoặc không còn tồn tại.");
        await expectFitsPhone(page);
      });
    });

    it("on a desktop with JavaScript on: the same form uploads and the file downloads", async () => {
      const { upload, list } = await linksFor("1.2");
      const plan = bigPdf("ke-hoach", 500_000);
      await withContext(DESKTOP, async (page) => {
        expect((await page.goto(`${base}${upload}`))!.status()).toBe(200);
        // No script on the pages (their policy forbids one): no progress bar to test.
        expect((await layoutOf(page)).scripts).toBe(0);
        h.recorder.clear();
        await submit(page, [{ name: "Kế hoạch kiểm tra.pdf", mimeType: "application/pdf", buffer: plan }]);
        expect(await visibleText(page)).toContain("✅ Đã nhận 1 tệp.");
        expect(h.recorder.texts()).toEqual(["📎 Đã nhận 1 tệp cho câu 1.2 qua trang tải lên."]);
        const l = await layoutOf(page);
        expect(l.scrollWidth).toBeLessThanOrEqual(l.innerWidth);

        await page.goto(`${base}${list}`);
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.getByRole("link", { name: "Kế hoạch kiểm tra.pdf", exact: true }).click(),
        ]);
        expect(download.suggestedFilename()).toBe("Kế hoạch kiểm tra.pdf");
        expect(sha(await bytesOf(download))).toBe(sha(plan));
      });
    });
  });
}
