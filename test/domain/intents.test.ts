import { describe, expect, it } from "vitest";
import { commandFor, type Intent, parseIntent } from "../../src/domain/intents.ts";

/** What coordinators type, with and without diacritics, and what they mean. */
const PHRASINGS: [string, Intent][] = [
  // late units
  ["Đơn vị nào chưa nộp?", { kind: "late" }],
  ["don vi nao chua nop", { kind: "late" }],
  ["Những đơn vị nào chậm?", { kind: "late" }],
  ["ai chưa làm xong", { kind: "late" }],
  ["Đơn vị nào quá hạn?", { kind: "late" }],
  ["còn đơn vị nào chưa tự đánh giá không", { kind: "late" }],
  ["lĩnh vực 3 ai chưa làm?", { kind: "late", area: "3" }],
  ["linh vuc 3 ai chua lam", { kind: "late", area: "3" }],
  ["LV3 chưa nộp", { kind: "late", area: "3" }],
  ["lv 5 còn thiếu đơn vị nào", { kind: "late", area: "5" }],
  // progress
  ["tiến độ", { kind: "progress" }],
  ["Tiến độ chung thế nào?", { kind: "progress" }],
  ["tien do", { kind: "progress" }],
  ["Tình hình tự đánh giá hiện nay ra sao?", { kind: "progress" }],
  ["đã nộp bao nhiêu phần trăm rồi", { kind: "progress" }],
  // one unit
  ["tiến độ Sở Tư pháp", { kind: "unit", unit: "Sở Tư pháp", focus: "progress" }],
  ["tien do so tu phap", { kind: "unit", unit: "so tu phap", focus: "progress" }],
  ["tiến độ tp. sơn la", { kind: "unit", unit: "tp sơn la", focus: "progress" }],
  ["điểm huyện Sông Mã", { kind: "unit", unit: "huyện Sông Mã", focus: "score" }],
  ["diem huyen song ma", { kind: "unit", unit: "huyen song ma", focus: "score" }],
  ["Sở TNMT được bao nhiêu điểm?", { kind: "unit", unit: "Sở TNMT", focus: "score" }],
  ["điểm tự chấm của Sở Nội vụ", { kind: "unit", unit: "Sở Nội vụ", focus: "score" }],
  ["Sông Mã đã nộp chưa?", { kind: "unit", unit: "Sông Mã", focus: "late" }],
  ["thông tin kh&đt", { kind: "unit", unit: "kh&đt", focus: "info" }],
  ["đơn vị tp sơn la thế nào", { kind: "unit", unit: "tp sơn la", focus: "info" }],
  ["chi tiết Ban Dân tộc", { kind: "unit", unit: "Ban Dân tộc", focus: "info" }],
  ["điểm sở", { kind: "unit", unit: "sở", focus: "score" }],
  // ranking
  ["xếp hạng", { kind: "ranking" }],
  ["xep hang", { kind: "ranking" }],
  ["Bảng xếp hạng lĩnh vực 2", { kind: "ranking", area: "2" }],
  ["điểm lĩnh vực 5", { kind: "ranking", area: "5" }],
  ["đơn vị nào điểm cao nhất?", { kind: "ranking" }],
  ["điểm số các đơn vị", { kind: "ranking" }],
  ["xếp loại các đơn vị", { kind: "ranking" }],
  // deadline
  ["còn mấy ngày nữa hết hạn?", { kind: "deadline" }],
  ["con may ngay nua het han", { kind: "deadline" }],
  ["hạn chót là ngày nào", { kind: "deadline" }],
  ["Bao giờ hết hạn nộp?", { kind: "deadline" }],
  // suggested only
  ["nhắc nhở Sông Mã", { kind: "remind", unit: "Sông Mã", all: false }],
  ["nhắc tất cả", { kind: "remind", all: true }],
  ["nhac cac don vi chua nop", { kind: "remind", all: true }],
  ["mở lại lĩnh vực 3 Sở Tư pháp", { kind: "reopen", unit: "Sở Tư pháp", area: "3" }],
  // export
  ["xuất excel", { kind: "export", format: "xlsx" }],
  ["xuat file csv", { kind: "export", format: "csv" }],
  ["Tải file kết quả", { kind: "export", format: "xlsx" }],
];

describe("parseIntent", () => {
  it("has at least 30 phrasings", () => {
    expect(PHRASINGS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(PHRASINGS)("%s", (text, intent) => {
    expect(parseIntent(text)).toEqual(intent);
  });

  it.each(["xin chào", "cảm ơn", "hôm nay trời đẹp", "ok", "/tiendo", "", "   ", "x".repeat(400)])(
    "leaves %j alone",
    (text) => {
      expect(parseIntent(text)).toBeNull();
    },
  );

  it("tells 'chấm' (score) from 'chậm' (late) when typed with diacritics", () => {
    expect(parseIntent("đơn vị nào chậm")).toEqual({ kind: "late" });
    expect(parseIntent("điểm chấm của Sông Mã")).toEqual({ kind: "unit", unit: "Sông Mã", focus: "score" });
  });
});

describe("commandFor", () => {
  it.each([
    [{ kind: "progress" }, "/tiendo"],
    [{ kind: "late", area: "3" }, "/chuanop 3"],
    [{ kind: "unit", unit: "Sông Mã", focus: "info" }, "/donvi Sông Mã"],
    [{ kind: "ranking" }, "/diem"],
    [{ kind: "remind", all: true }, "/nhacnho tatca"],
    [{ kind: "remind", unit: "Sông Mã", all: false }, "/nhacnho Sông Mã"],
    [{ kind: "reopen", unit: "Sông Mã", area: "3" }, "/molai Sông Mã 3"],
    [{ kind: "export", format: "csv" }, "/xuat csv"],
  ] as [Intent, string][])("%j -> %s", (intent, command) => {
    expect(commandFor(intent)).toBe(command);
  });
});
