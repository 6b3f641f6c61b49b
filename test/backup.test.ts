/**
 * Backup and restore through the real CLI (npm run cli -- backup|restore), on the database of
 * this run (SQLite, or PostgreSQL with TEST_DATABASE_URL) and with both file stores: a
 * database with answers and evidence files sent through the bot is backed up while open,
 * then changed (an answer edited, one deleted, an evidence row and a file gone, a file
 * added); refusals print their Vietnamese message and change nothing; the restore brings
 * every answer and every file's bytes back, into either store.
 */
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.ts";
import { createInvites } from "../src/domain/invites.ts";
import { createFileStore, type FileStore } from "../src/storage/index.ts";
import { jpeg, pdf, randomish } from "./storage/samples.ts";
import { bytesOfStream } from "./storage/support.ts";
import { runCli } from "./support/cli.ts";
import { createHarness, type Harness } from "./support/harness.ts";
import { telegramUser } from "./support/people.ts";
import { tempDir } from "./support/temp.ts";
import { user } from "./support/updates.ts";

const OTHER_KIND = { sqlite: "postgresql", postgresql: "sqlite" } as const;
const KIND_NAME = { sqlite: "SQLite", postgresql: "PostgreSQL" } as const;

describe.each(["local", "database"] as const)("backup and restore, files in the %s store", (fileStorage) => {
  let h: Harness;
  let env: Record<string, string>;
  const backups = tempDir(`backups-${fileStorage}`);
  const minh = user(9701, "Lò Văn Minh");
  /** The evidence files as sent: key → bytes. */
  const sent = new Map<string, Buffer>();
  let answersBefore: { questionId: number; value: string }[];

  const answersOf = (db: Database["db"]) =>
    db.answer.findMany({ select: { questionId: true, value: true }, orderBy: { questionId: "asc" } });

  /** What a refusal must leave as it was: answers, evidence rows, the store's keys. */
  async function state() {
    const keys: string[] = [];
    for await (const key of h.store.keys()) keys.push(key);
    return {
      answers: await answersOf(h.db),
      evidence: await h.db.evidence.count(),
      keys: keys.sort(),
    };
  }

  async function sendFile(code: string, fileName: string, bytes: Buffer) {
    const q = await h.db.question.findFirstOrThrow({ where: { code } });
    await h.press(minh, `sa:q:${q.id}`, 600);
    await h.handle(h.files!.sendUserDocument(minh, { fileName, bytes }));
    const row = await h.db.evidence.findFirstOrThrow({ where: { fileName } });
    sent.set(row.storageKey!, bytes);
  }

  beforeAll(async () => {
    h = await createHarness({ fileStorage, telegramFiles: true });
    env = { DATABASE_URL: h.database.url, FILE_STORAGE: fileStorage, FILES_DIR: h.config.FILES_DIR };
    await h.openSelfAssessment();
    const unit = await h.unit("song-ma");
    const [invite] = await createInvites(h.db, { campaignId: h.campaign.id, role: "OFFICER", unitIds: [unit.id] });
    await h.send(minh, `/start ${invite!.code}`);
    const person = await h.db.person.findFirstOrThrow({ where: telegramUser(minh.id) });
    const questions = await h.db.question.findMany({ take: 3, orderBy: { id: "asc" } });
    for (const [i, q] of questions.entries()) {
      await h.db.answer.create({
        data: {
          campaignId: h.campaign.id,
          unitId: unit.id,
          questionId: q.id,
          value: `Câu trả lời ${i + 1}`,
          answeredById: person.id,
        },
      });
    }
    await sendFile("1.1.1", "Kế hoạch CCHC 2019.pdf", Buffer.concat([pdf(), randomish(3 * 1024 * 1024)]));
    await sendFile("1.1.2", "Ảnh hội nghị.jpg", jpeg());
    await sendFile("1.1.2", "Báo cáo quý I.pdf", Buffer.concat([pdf(), randomish(200_000)]));
    answersBefore = await answersOf(h.db);
  });
  afterAll(async () => {
    await h?.close();
  });

  // Each case starts the CLI (a few seconds each on a busy machine).
  it("backs up the open database and its files, and says what it wrote", { timeout: 120_000 }, async () => {
    const dir = join(backups, "nightly");
    const result = await runCli(["backup", dir], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const kind = h.database.provider;
    expect(result.stdout).toMatch(new RegExp(`^Đã sao lưu xong vào thư mục ${dir} \\(mất [\\d,]+ giây\\)\\.`));
    expect(result.stdout).toContain(`• Cơ sở dữ liệu ${KIND_NAME[kind]}:`);
    expect(result.stdout).toContain("• Tài liệu kiểm chứng: 3 bản ghi, đủ tệp tương ứng.");
    // Sizes with a decimal comma: 3 MB and a bit.
    expect(result.stdout).toMatch(/• Tệp tài liệu: 3 tệp, tổng 3,\d MB/);
    if (fileStorage === "database") expect(result.stdout).toContain("đã có trong bản sao cơ sở dữ liệu");
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    console.info(
      `[${kind}/${fileStorage}] ${result.stdout.split("\n")[0]} database copy ${manifest.database.bytes} B, files ${manifest.counts.bytes} B`,
    );
    expect(manifest).toMatchObject({
      format: 1,
      database: { kind, file: kind === "sqlite" ? "database.sqlite" : "database.pgdump" },
      fileStore: fileStorage,
      counts: { evidence: 3, files: 3 },
      missing: [],
    });
    expect(manifest.counts.bytes).toBe([...sent.values()].reduce((n, b) => n + b.length, 0));
    const inBackup = existsSync(join(dir, "files"))
      ? readdirSync(join(dir, "files"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      : [];
    expect(inBackup.map((e) => e.name).sort()).toEqual(fileStorage === "local" ? [...sent.keys()].sort() : []);
    // No temporary folder is left beside it.
    expect(readdirSync(backups)).toEqual(["nightly"]);
    const logged = await h.db.auditLog.findFirstOrThrow({ where: { action: "backup.create" } });
    expect(logged.after).toMatchObject({ dir, files: 3, evidence: 3 });
  });

  it("refuses what it must, changing nothing", { timeout: 180_000 }, async () => {
    const dir = join(backups, "nightly");
    // Change the data after the backup: edit an answer, delete one, lose a row and a file, add a file.
    const [first, second] = await h.db.answer.findMany({ orderBy: { questionId: "asc" } });
    await h.db.answer.update({ where: { id: first!.id }, data: { value: "Đã sửa sau khi sao lưu" } });
    await h.db.answer.delete({ where: { id: second!.id } });
    const [lostFile, lostRow] = [...sent.keys()];
    await h.store.delete(lostFile!);
    await h.db.evidence.deleteMany({ where: { storageKey: lostRow } });
    await h.store.put(Readable.from([Buffer.from("thêm sau khi sao lưu")]), { maxBytes: 1000 });
    const before = await state();
    const manifestText = readFileSync(join(dir, "manifest.json"), "utf8");

    const again = await runCli(["backup", dir], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(
        `^Thư mục ${dir} đã chứa một bản sao lưu \\(tạo lúc \\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d\\)\\. Không ghi đè`,
      ),
    );
    expect(readFileSync(join(dir, "manifest.json"), "utf8")).toBe(manifestText);

    const notEmpty = await runCli(["restore", dir], env);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toContain("Nơi khôi phục đang có dữ liệu: cơ sở dữ liệu ");
    expect(notEmpty.stderr).toContain("1 đợt kiểm tra");
    expect(notEmpty.stderr).toContain("2 câu trả lời");
    expect(notEmpty.stderr).toContain("hãy dừng bot rồi chạy lại lệnh với --force");
    if (fileStorage === "local") expect(notEmpty.stderr).toMatch(/thư mục tệp .+ có 3 tệp/);

    const damaged = join(backups, "damaged");
    cpSync(dir, damaged, { recursive: true });
    const copy = join(damaged, h.database.provider === "sqlite" ? "database.sqlite" : "database.pgdump");
    const bytes = readFileSync(copy);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(copy, bytes);
    const refusedDamaged = await runCli(["restore", damaged, "--force"], env);
    expect(refusedDamaged.code).toBe(1);
    expect(refusedDamaged.stderr).toBe(
      `Bản sao cơ sở dữ liệu ${copy} đã bị hỏng hoặc bị sửa (mã sha256 không khớp với manifest.json). Không khôi phục, không có gì bị thay đổi; hãy dùng một bản sao lưu khác.\n`,
    );

    const otherKind = join(backups, "other-kind");
    cpSync(dir, otherKind, { recursive: true });
    const manifest = JSON.parse(manifestText);
    manifest.database.kind = OTHER_KIND[h.database.provider];
    writeFileSync(join(otherKind, "manifest.json"), JSON.stringify(manifest));
    const refusedKind = await runCli(["restore", otherKind, "--force"], env);
    expect(refusedKind.code).toBe(1);
    expect(refusedKind.stderr).toBe(
      `Bản sao lưu này là của cơ sở dữ liệu ${KIND_NAME[OTHER_KIND[h.database.provider]]}, còn DATABASE_URL đang trỏ tới cơ sở dữ liệu ${KIND_NAME[h.database.provider]}. Không khôi phục sang loại cơ sở dữ liệu khác; không có gì bị thay đổi.\n`,
    );

    if (h.database.provider === "postgresql") {
      // No pg_dump on PATH (only node, which runs the CLI): a clear message, no backup folder.
      const bin = tempDir("bin-without-pg");
      symlinkSync(process.execPath, join(bin, "node"));
      const noTool = await runCli(["backup", join(backups, "no-pg-dump")], { ...env, PATH: bin });
      expect(noTool.code).toBe(1);
      expect(noTool.stderr).toMatch(/^Không tìm thấy chương trình pg_dump trên máy này/);
    }
    expect(await state()).toEqual(before);

    // A file its row still names is gone from the store: the backup is written, and says so.
    const withMissing = join(backups, "with-missing");
    const warned = await runCli(["backup", withMissing], env);
    expect(warned.code).toBe(1);
    expect(warned.stdout).toMatch(/^Đã sao lưu xong vào thư mục /);
    expect(warned.stderr).toBe(
      `Cảnh báo: 1 tệp được cơ sở dữ liệu ghi nhận nhưng không có trong kho tệp, nên không có trong bản sao lưu: ${lostFile}. Bản sao lưu vẫn được ghi; đề nghị kiểm tra kho tệp.\n`,
    );
    expect(JSON.parse(readFileSync(join(withMissing, "manifest.json"), "utf8")).missing).toEqual([lostFile]);
    expect(readdirSync(backups).sort()).toEqual(["damaged", "nightly", "other-kind", "with-missing"]);
  });

  it("restores every answer and every file's bytes, and logs it in the restored database", {
    timeout: 180_000,
  }, async () => {
    const dir = join(backups, "nightly");
    // The bot is stopped before a restore.
    await h.store.close();
    await h.database.close();
    const result = await runCli(["restore", dir, "--force"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Đã khôi phục từ bản sao lưu lúc \d\d\/\d\d\/\d{4} \d\d:\d\d trong thư mục /);
    expect(result.stdout).toContain("• Tài liệu kiểm chứng: 3 bản ghi, đủ tệp tương ứng.");
    if (fileStorage === "local")
      expect(result.stdout).toMatch(/• Đã bỏ 1 tệp trong thư mục .+ không có trong bản sao lưu/);
    console.info(`[${h.database.provider}/${fileStorage}] ${result.stdout.split("\n")[0]}`);
    await expectRestored(fileStorage, h.config.FILES_DIR);
  });

  it("restores into the other file store, keeping every key", { timeout: 180_000 }, async () => {
    const other = fileStorage === "local" ? "database" : "local";
    const filesDir = tempDir("restored-files");
    const result = await runCli(["restore", join(backups, "nightly"), "--force"], {
      ...env,
      FILE_STORAGE: other,
      FILES_DIR: filesDir,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      other === "database"
        ? "đã chép vào cơ sở dữ liệu (FILE_STORAGE=database)"
        : `chuyển từ cơ sở dữ liệu sang thư mục ${filesDir}`,
    );
    await expectRestored(other, filesDir);
  });

  /** The data as it was at the backup, read through fresh connections and the `kind` store. */
  async function expectRestored(kind: "local" | "database", filesDir: string) {
    const database = await openDatabase(h.database.url);
    const store: FileStore = createFileStore({ ...h.config, FILE_STORAGE: kind, FILES_DIR: filesDir }, database);
    try {
      expect(await answersOf(database.db)).toEqual(answersBefore);
      const evidence = await database.db.evidence.findMany({ select: { storageKey: true } });
      expect(evidence.map((e) => e.storageKey).sort()).toEqual([...sent.keys()].sort());
      const keys: string[] = [];
      for await (const key of store.keys()) keys.push(key);
      expect(keys.sort()).toEqual([...sent.keys()].sort());
      for (const [key, bytes] of sent) {
        const back = await bytesOfStream((await store.get(key))!);
        expect(back.equals(bytes), key).toBe(true);
      }
      const logged = await database.db.auditLog.findMany({ where: { action: { startsWith: "backup." } } });
      // The backup's own entry came after its copy; the restore's is in the restored database.
      expect(logged.map((l) => l.action)).toContain("backup.restore");
      expect(logged.map((l) => l.action)).not.toContain("backup.create");
    } finally {
      await store.close();
      await database.close();
    }
  }
});
