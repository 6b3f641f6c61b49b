/**
 * Evidence files through the HTTP server (issue 11): a 10 MB file uploaded through the upload
 * page (a multipart POST to /u/<token>, as a browser sends the plain form) and downloaded
 * through the evidence page's link (/e/<token>/<id>), for each file store (local folder,
 * database) on each database. The bot runs alone in its own process (bench/server.ts, as
 * `npm start` runs it), so the RSS measured is the server's: its growth during each transfer
 * above where it was just before (after GCs). Target: under 10 MB — the file is streamed
 * through busboy into the store and from the store to the socket, never held whole.
 *
 * The client streams the body as it makes it and hashes the download as it arrives, so this
 * process holds no copy of the file either; every upload differs (the duplicate check would
 * otherwise keep one). Results recorded in bench/FILES.md.
 */
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Provider } from "../src/db/url.ts";
import { issueLinks } from "../src/domain/links.ts";
import { appliesToKind } from "../src/domain/progress.ts";
import {
  type BotServer,
  createBenchDatabase,
  createOfficers,
  importBundledCampaign,
  type LogCounts,
  type RssWatch,
  startBotServer,
  startFake,
} from "./lib.ts";

export type FileStorage = "local" | "database";

export interface HttpFilesOptions {
  pgUrl: string;
  /** Size of the file, MB. */
  mb: number;
  /** Measured runs per direction (after a 1 MB warm-up). */
  runs: number;
  stores: FileStorage[];
}

export interface Transfer {
  seconds: number;
  mbPerSecond: number;
  /** Peak RSS of the server process during the transfer above its RSS just before, bytes. */
  rssGrowth: number;
  rss: RssWatch;
}

export interface HttpFilesResult {
  provider: Provider;
  store: FileStorage;
  bytes: number;
  uploads: Transfer[];
  downloads: Transfer[];
  log: LogCounts;
}

const MB = 1024 * 1024;
/** Random 64 KB pieces made before the clock starts and sent in turn (as bench/file-store.ts). */
const PIECES = Array.from({ length: 32 }, () => randomBytes(64 * 1024));
const BOUNDARY = `----cchc-bench-${randomBytes(8).toString("hex")}`;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * POSTs one PDF of `bytes` bytes as the upload form's "files" field, streamed with
 * backpressure; resolves with the response status, page and the file's sha256.
 */
async function upload(port: number, path: string, bytes: number, name: string) {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\n` +
      "Content-Type: application/pdf\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  // A PDF header makes the content sniff as a PDF; the tag makes each upload a new file.
  const pdfHead = Buffer.from(`%PDF-1.7\n%${randomBytes(8).toString("hex")}\n`);
  const hash = createHash("sha256");
  const req = http.request({
    host: "127.0.0.1",
    port,
    path,
    method: "POST",
    headers: {
      "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
      "content-length": head.length + bytes + tail.length,
    },
  });
  const response = new Promise<{ status: number; page: string }>((resolve, reject) => {
    req.once("error", reject);
    req.once("response", async (res) => {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      resolve({ status: res.statusCode ?? 0, page: Buffer.concat(chunks).toString("utf8") });
    });
  });
  const write = async (b: Buffer) => {
    if (!req.write(b)) await Promise.race([once(req, "drain"), response]);
  };
  await write(head);
  let sent = 0;
  for (let i = 0; sent < bytes; i++) {
    const whole = i === 0 ? Buffer.concat([pdfHead, PIECES[0]!]) : PIECES[i % PIECES.length]!;
    const piece = whole.subarray(0, Math.min(whole.length, bytes - sent));
    hash.update(piece);
    sent += piece.length;
    await write(piece);
  }
  req.end(tail);
  return { ...(await response), sha256: hash.digest("hex") };
}

/** GETs `path`, hashing the body as it arrives. */
function download(port: number, path: string): Promise<{ status: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path }, async (res) => {
        const hash = createHash("sha256");
        let bytes = 0;
        try {
          for await (const c of res) {
            hash.update(c as Buffer);
            bytes += (c as Buffer).length;
          }
          resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest("hex") });
        } catch (e) {
          reject(e);
        }
      })
      .once("error", reject);
  });
}

async function measured<T>(server: BotServer, bytes: number, work: () => Promise<T>) {
  const watch = await server.watchRss();
  const start = performance.now();
  const result = await work();
  const seconds = (performance.now() - start) / 1000;
  const rss = await watch.stop();
  const transfer: Transfer = { seconds, mbPerSecond: bytes / MB / seconds, rssGrowth: rss.peak - rss.before, rss };
  return { result, transfer };
}

export async function runHttpFiles(
  provider: Provider,
  store: FileStorage,
  options: HttpFilesOptions,
): Promise<HttpFilesResult> {
  const bytes = Math.round(options.mb * MB);
  const database = await createBenchDatabase(provider, options.pgUrl);
  const filesDir = mkdtempSync(join(tmpdir(), "cchc-bench-http-files-"));
  try {
    const db = database.db;
    const campaign = await importBundledCampaign(db);
    const [officer] = await createOfficers(db, campaign.id, 1, { firstTelegramId: 8_000_000 });
    const unit = await db.unit.findUniqueOrThrow({ where: { id: officer!.unitId } });
    const question = (
      await db.question.findMany({
        where: { questionnaireId: campaign.questionnaireId! },
        orderBy: { order: "asc" },
        include: { criterion: true },
      })
    ).find((q) => appliesToKind(q, unit.kind))!;
    const [uploadLink, listLink] = await issueLinks(
      db,
      officer!.personId,
      [
        { purpose: "upload", campaignId: campaign.id, unitId: unit.id, questionId: question.id },
        { purpose: "evidence", campaignId: campaign.id, unitId: unit.id, areaId: question.criterion.areaId },
      ],
      { now: new Date() },
    );

    const fake = await startFake();
    const server = await startBotServer({
      mode: "app",
      databaseUrl: database.url,
      apiRoot: fake.url,
      botInfo: fake.botInfo,
      fileStorage: store,
      filesDir,
      maxFileMb: Math.max(20, Math.ceil(options.mb) + 1),
    });
    try {
      let n = 0;
      const roundTrip = async (size: number) => {
        const name = `Báo cáo CCHC ${++n}.pdf`;
        const up = await measured(server, size, () => upload(server.port, `/u/${uploadLink!.token}`, size, name));
        if (up.result.status !== 200 || !up.result.page.includes("Đã nhận 1 tệp")) {
          throw new Error(`upload ${n}: ${up.result.status} ${up.result.page.slice(0, 300)}`);
        }
        const row = await db.evidence.findFirstOrThrow({ where: { sha256: up.result.sha256 } });
        const down = await measured(server, size, () => download(server.port, `/e/${listLink!.token}/${row.id}`));
        if (down.result.status !== 200 || down.result.bytes !== size || down.result.sha256 !== up.result.sha256) {
          throw new Error(`download ${n}: ${down.result.status}, ${down.result.bytes} bytes, sha256 differs`);
        }
        return { up: up.transfer, down: down.transfer };
      };
      await roundTrip(MB); // warm-up: modules, JIT, prepared statements, pool connections
      const uploads: Transfer[] = [];
      const downloads: Transfer[] = [];
      for (let run = 0; run < options.runs; run++) {
        const { up, down } = await roundTrip(bytes);
        uploads.push(up);
        downloads.push(down);
      }
      const { log } = await server.stats();
      return { provider, store, bytes, uploads, downloads, log };
    } finally {
      await server.stop();
      await fake.close();
    }
  } finally {
    await database.destroy();
    rmSync(filesDir, { recursive: true, force: true });
  }
}
