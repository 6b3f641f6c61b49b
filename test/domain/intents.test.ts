import { describe, expect, it } from "vitest";
import {
  commandFor,
  type Intent,
  nameAlone,
  parseIntent,
  parseScheduleQuery,
  type ScheduleQuery,
} from "../../src/domain/intents.ts";

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

  // the schedule (/lich), for a stretch of time or a unit
  ["xem lịch kiểm tra", { kind: "schedule" }],
  ["xem lich kiem tra", { kind: "schedule" }],
  ["lichkiemtra", { kind: "schedule" }],
  ["lịch kiểm tra tuần sau", { kind: "schedule", period: "next_week" }],
  ["lich kiem tra tuan sau", { kind: "schedule", period: "next_week" }],
  ["Lịch kiểm tra tuần tới thế nào?", { kind: "schedule", period: "next_week" }],
  ["lịch kt tuần sau", { kind: "schedule", period: "next_week" }],
  ["lịch kiễm tra tuần này", { kind: "schedule", period: "this_week" }],
  ["lịch tháng này", { kind: "schedule", period: "this_month" }],
  ["lich thang sau", { kind: "schedule", period: "next_month" }],
  ["lịch kiểm tra hôm nay", { kind: "schedule", period: "today" }],
  ["ngày mai đoàn kiểm tra làm việc ở đâu?", { kind: "schedule", period: "tomorrow" }],
  ["tuần sau kiểm tra đơn vị nào", { kind: "schedule", period: "next_week" }],
  ["lịch kiểm tra sắp tới", { kind: "schedule", period: "upcoming" }],
  ["tuần sau", { kind: "schedule", period: "next_week" }],
  ["tháng này?", { kind: "schedule", period: "this_month" }],
  ["lịch kiểm tra Sông Mã", { kind: "schedule", unit: "Sông Mã" }],
  ["lich kiem tra song ma", { kind: "schedule", unit: "song ma" }],
  ["Khi nào kiểm tra Sở Tư pháp?", { kind: "schedule", unit: "Sở Tư pháp" }],
  ["bao giờ đoàn về Quỳnh Nhai", { kind: "schedule", unit: "Quỳnh Nhai" }],
  ["đoàn kiểm tra làm việc với sở tư pháp ngày nào", { kind: "schedule", unit: "sở tư pháp" }],
  ["lịch kiểm tra tháng này của Thuận Châu", { kind: "schedule", period: "this_month", unit: "Thuận Châu" }],
  ["lich kieemr tra tuaanf sau", { kind: "schedule", period: "next_week" }],
  // acknowledgements (/xacnhan)
  ["ai chưa xác nhận", { kind: "acknowledgements" }],
  ["ai chua xac nhan", { kind: "acknowledgements" }],
  ["ai chưa nhận thông báo", { kind: "acknowledgements" }],
  ["những ai chưa xác nhận lịch kiểm tra", { kind: "acknowledgements" }],
  ["Ai đã đọc thông báo chưa?", { kind: "acknowledgements" }],
  ["xacnhan", { kind: "acknowledgements" }],
  ["ai chuwa xacs nhaanj", { kind: "acknowledgements" }],
  // corrective actions (/kiennghi) and findings (/tontai) after the visit
  ["đơn vị nào còn kiến nghị quá hạn?", { kind: "actions", overdue: true }],
  ["kien nghi qua han", { kind: "actions", overdue: true }],
  ["còn bao nhiêu kiến nghị quá hạn", { kind: "actions", overdue: true }],
  ["Sông Mã đã khắc phục chưa?", { kind: "actions", overdue: false, unit: "Sông Mã" }],
  ["Sở Tư pháp khắc phục xong chưa", { kind: "actions", overdue: false, unit: "Sở Tư pháp" }],
  ["kiến nghị của Sở Tư pháp", { kind: "actions", overdue: false, unit: "Sở Tư pháp" }],
  ["Sông Mã còn kiến nghị nào chưa khắc phục", { kind: "actions", overdue: false, unit: "Sông Mã" }],
  ["tồn tại của Sông Mã", { kind: "findings", unit: "Sông Mã" }],
  ["những hạn chế của Quỳnh Nhai", { kind: "findings", unit: "Quỳnh Nhai" }],
  // "quá hạn" alone is still the self-assessment's late units
  ["quá hạn", { kind: "late" }],
  // counts
  ["có bao nhiêu đơn vị nộp đủ rồi?", { kind: "count", what: "done" }],
  ["co bao nhieu don vi nop du roi", { kind: "count", what: "done" }],
  ["đã có bao nhiêu đơn vị nộp", { kind: "count", what: "done" }],
  ["số đơn vị đã hoàn thành", { kind: "count", what: "done" }],
  ["bao nhiêu đơn vị đã nộp lĩnh vực 2", { kind: "count", what: "done", area: "2" }],
  ["mấy đơn vị chưa nộp", { kind: "count", what: "late" }],
  ["may dv chua nop", { kind: "count", what: "late" }],
  ["bao nhieu so chua nop", { kind: "count", what: "late" }],
  ["bao nhiêu đơn vị chưa nộp lĩnh vực 3", { kind: "count", what: "late", area: "3" }],
  ["có mấy đơn vị chưa bắt đầu", { kind: "count", what: "not_started" }],
  ["tổng số đơn vị", { kind: "count", what: "all" }],
  // lists
  ["danh sách đơn vị chưa nộp lĩnh vực 7", { kind: "late", area: "7" }],
  ["danh sach don vi chua nop linh vuc 7", { kind: "late", area: "7" }],
  ["liệt kê các đơn vị chưa nộp", { kind: "late" }],
  ["ds đơn vị chậm nộp", { kind: "late" }],
  ["danh sách đơn vị", { kind: "progress" }],
  ["danh sách xếp hạng", { kind: "ranking" }],
  ["đơn vị nào chưa nộp lĩnh vực 7?", { kind: "late", area: "7" }],
  // a unit's progress
  ["sở tư pháp đã làm đến đâu rồi", { kind: "unit", unit: "sở tư pháp", focus: "progress" }],
  ["so tu phap da lam den dau roi", { kind: "unit", unit: "so tu phap", focus: "progress" }],
  ["Sông Mã làm tới đâu rồi?", { kind: "unit", unit: "Sông Mã", focus: "progress" }],
  ["tiến độ Sông Mã", { kind: "unit", unit: "Sông Mã", focus: "progress" }],
  ["kiểm tra tiến độ Sông Mã", { kind: "unit", unit: "Sông Mã", focus: "progress" }],
  ["tiến độ Sở Tư pháp tuần này", { kind: "unit", unit: "Sở Tư pháp", focus: "progress" }],
  ["Sông Mã còn thiếu mấy lĩnh vực", { kind: "unit", unit: "Sông Mã", focus: "late" }],
  // typos: wrong or missing marks, Telex typed in English, misspelt names (matched later)
  ["tiến đọ", { kind: "progress" }],
  ["tiendo", { kind: "progress" }],
  ["tiens ddooj", { kind: "progress" }],
  ["chưa nôp", { kind: "late" }],
  ["don vi nao chua nôp", { kind: "late" }],
  ["xếp hang", { kind: "ranking" }],
  ["xep hạng lĩnh vực 4", { kind: "ranking", area: "4" }],
  ["điễm sông mã", { kind: "unit", unit: "sông mã", focus: "score" }],
  ["ddiem song ma", { kind: "unit", unit: "song ma", focus: "score" }],
  ["tiến đọ sông mã", { kind: "unit", unit: "sông mã", focus: "progress" }],
  ["tiến độ sở tư pháb", { kind: "unit", unit: "sở tư pháb", focus: "progress" }],
  ["sở tư pháb đã nộp chưa", { kind: "unit", unit: "sở tư pháb", focus: "late" }],
  ["tieens ddooj sowr tuw phaps", { kind: "unit", unit: "so tu phap", focus: "progress" }],
  ["còn bao lâu nữa hết hạn", { kind: "deadline" }],
  ["con may ngay", { kind: "deadline" }],
  // "Du lịch" (tourism) is no schedule
  ["tiến độ sở du lịch", { kind: "unit", unit: "sở du lịch", focus: "progress" }],
  // suggested only: the unit as typed, without the words around it
  ["nhắc Sở Tư pháp nộp đi", { kind: "remind", unit: "Sở Tư pháp", all: false }],
  ["nhac so tu phap nop di", { kind: "remind", unit: "so tu phap", all: false }],
  ["nhắc Sông Mã nộp nhanh giúp", { kind: "remind", unit: "Sông Mã", all: false }],
  ["giục sở tư pháp", { kind: "remind", unit: "sở tư pháp", all: false }],
  ["nhắc tất cả đơn vị chưa nộp", { kind: "remind", all: true }],
  ["mở lại lĩnh vực 3 cho Sông Mã", { kind: "reopen", unit: "Sông Mã", area: "3" }],
  ["mo lai linh vuc 3 cho song ma", { kind: "reopen", unit: "song ma", area: "3" }],
  ["mở lại lv3 sở tư pháp", { kind: "reopen", unit: "sở tư pháp", area: "3" }],
  ["cho Sông Mã nộp lại lĩnh vực 1", { kind: "reopen", unit: "Sông Mã", area: "1" }],
];

/** A unit's name alone: parseIntent leaves it; nameAlone offers it, to be matched against the units. */
const NAMES_ALONE: [string, { name: string; unitLike: boolean }][] = [
  ["Sông Mã", { name: "Sông Mã", unitLike: false }],
  ["song ma", { name: "song ma", unitLike: false }],
  ["kh&đt", { name: "kh&đt", unitLike: false }],
  ["Sông Mã thì sao?", { name: "Sông Mã", unitLike: false }],
  ["Quỳnh Nhai thế nào rồi", { name: "Quỳnh Nhai", unitLike: false }],
  ["Sở Tư pháp", { name: "Sở Tư pháp", unitLike: true }],
  ["sở tư pháb", { name: "sở tư pháb", unitLike: true }],
  ["huyen thuan chau", { name: "huyen thuan chau", unitLike: true }],
  ["UBND tp Sơn La", { name: "UBND tp Sơn La", unitLike: true }],
  ["Văn phòng Ủy ban nhân dân tỉnh", { name: "Văn phòng Ủy ban nhân dân tỉnh", unitLike: true }],
  ["Ủy ban nhân dân thành phố Sơn La", { name: "Ủy ban nhân dân thành phố Sơn La", unitLike: true }],
  // Anything else is offered too: only a unit matching it makes it a question.
  ["xin chào", { name: "xin chào", unitLike: false }],
];

describe("parseIntent", () => {
  it("has at least 60 phrasings, besides names alone", () => {
    expect(PHRASINGS.length).toBeGreaterThanOrEqual(60);
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

describe("nameAlone", () => {
  it.each(NAMES_ALONE)("%s", (text, alone) => {
    expect(parseIntent(text)).toBeNull();
    expect(nameAlone(text)).toEqual(alone);
  });

  it.each([
    "/donvi Sông Mã",
    "",
    "  ?  ",
    "12",
    "x".repeat(101),
    "một hai ba bốn năm sáu bảy tám chín mười mười một mười hai",
  ])("offers nothing for %j", (text) => {
    expect(nameAlone(text)).toBeNull();
  });
});

describe("parseScheduleQuery (what follows /lich)", () => {
  it.each([
    ["", {}],
    ["tuần sau", { period: "next_week" }],
    ["tuan sau", { period: "next_week" }],
    ["tháng này", { period: "this_month" }],
    ["sắp tới", { period: "upcoming" }],
    ["Sông Mã", { unit: "Sông Mã" }],
    ["kiểm tra sở tư pháp", { unit: "sở tư pháp" }],
    ["tháng này Thuận Châu", { period: "this_month", unit: "Thuận Châu" }],
  ] as [string, ScheduleQuery][])("%j -> %j", (text, query) => {
    expect(parseScheduleQuery(text)).toEqual(query);
  });
});

describe("commandFor", () => {
  it.each(PHRASINGS.filter(([, intent]) => intent.kind === "schedule"))(
    "%s: the /lich it names reads back as the same question",
    (_, intent) => {
      const { kind: _kind, ...query } = intent as Intent & { kind: "schedule" };
      expect(parseScheduleQuery(commandFor(intent).replace(/^\/lich/, ""))).toEqual(query);
    },
  );

  it.each([
    [{ kind: "progress" }, "/tiendo"],
    [{ kind: "late", area: "3" }, "/chuanop 3"],
    [{ kind: "unit", unit: "Sông Mã", focus: "info" }, "/donvi Sông Mã"],
    [{ kind: "ranking" }, "/diem"],
    [{ kind: "remind", all: true }, "/nhacnho tatca"],
    [{ kind: "remind", unit: "Sông Mã", all: false }, "/nhacnho Sông Mã"],
    [{ kind: "reopen", unit: "Sông Mã", area: "3" }, "/molai Sông Mã 3"],
    [{ kind: "export", format: "csv" }, "/xuat csv"],
    [{ kind: "schedule" }, "/lich"],
    [{ kind: "schedule", period: "next_week", unit: "Sông Mã" }, "/lich tuần sau Sông Mã"],
    [{ kind: "acknowledgements" }, "/xacnhan"],
    [{ kind: "count", what: "late", area: "3" }, "/chuanop 3"],
    [{ kind: "count", what: "done" }, "/tiendo"],
    [{ kind: "actions", overdue: true }, "/kiennghi"],
    [{ kind: "actions", overdue: false, unit: "Sông Mã" }, "/kiennghi Sông Mã"],
    [{ kind: "findings", unit: "Sông Mã" }, "/tontai Sông Mã"],
  ] as [Intent, string][])("%j -> %s", (intent, command) => {
    expect(commandFor(intent)).toBe(command);
  });
});
