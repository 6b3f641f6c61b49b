/**
 * Plain Vietnamese questions ("Đơn vị nào chưa nộp?", "tiến độ Sở Tư pháp", "lịch kiểm
 * tra tuần sau", "ai chưa xác nhận?") turned into what they ask for: one of the bot's
 * commands with its arguments. With or without diacritics, and with the wrong tone marks
 * ("tiến đọ", "chưa nôp": only the letters count). Pure: no database; the unit named is
 * returned as typed, to be matched by src/domain/units.ts (which forgives typos in names).
 */
import { fold } from "./text.ts";

/** A stretch of time people ask the schedule about ("tuần sau"); see periodWindow in schedule.ts. */
export type Period = "today" | "tomorrow" | "this_week" | "next_week" | "this_month" | "next_month" | "upcoming";

/** What people want of the schedule: a stretch of time, a unit, both or neither. */
export interface ScheduleQuery {
  period?: Period;
  unit?: string;
}

export type Intent =
  /** /tiendo */
  | { kind: "progress" }
  /** /chuanop [area] */
  | { kind: "late"; area?: string }
  /** /donvi <unit>; `focus` says what was asked about the unit. */
  | { kind: "unit"; unit: string; focus: "progress" | "score" | "late" | "info" }
  /** /diem [area] */
  | { kind: "ranking"; area?: string }
  /** Days to the self-assessment deadline. */
  | { kind: "deadline" }
  /** /nhacnho [unit|tatca]: suggested, never run from a plain question. */
  | { kind: "remind"; unit?: string; all: boolean }
  /** /molai <unit> <area>: suggested, never run from a plain question. */
  | { kind: "reopen"; unit?: string; area?: string }
  /** /xuat [csv] */
  | { kind: "export"; format: "xlsx" | "csv" }
  /** /lich [period] [unit]: the schedule, as the asker's role may see it. */
  | ({ kind: "schedule" } & ScheduleQuery)
  /** /xacnhan: who has not acknowledged a notice. */
  | { kind: "acknowledgements" }
  /**
   * "How many units …?": answered by the screen whose headline counts them (/chuanop
   * for units not submitted, /tiendo for those done, not started or all).
   */
  | { kind: "count"; what: "done" | "late" | "not_started" | "all"; area?: string }
  /** /kiennghi [unit]: corrective actions (overdue ones first), a unit's or every unit's. */
  | { kind: "actions"; unit?: string; overdue: boolean }
  /** /tontai [unit]: the findings of the visit. */
  | { kind: "findings"; unit?: string };

interface Token {
  /** As typed (NFC). */
  raw: string;
  /** Folded: lower-case ASCII. */
  f: string;
  /** Folded as if typed the Telex way with the keyboard left in English ("tiens ddooj" -> "tien do"). */
  telex: string;
}

/**
 * A folded word with Telex's keys undone: no Vietnamese word ends in s, f, r, x or j (they
 * are tone keys), has "aa", "ee", "oo" (â, ê, ô) or a "w" (ă, ơ, ư), or starts with "dd" (đ).
 */
function untelex(folded: string): string {
  return folded
    .replace(/^dd/, "d")
    .replace(/([aeiouy][a-z]*)[sfrxj]$/, "$1")
    .replace(/aa|ee|oo/g, (v) => v[0]!)
    .replace(/w/g, "");
}

/** Words whose diacritics decide what they mean: "chấm" (score) / "chậm" (late), "số" / "sở". */
const KEEP_MARKS = new Set(["chấm", "số"]);

function tokenize(text: string): Token[] {
  const tokens = text
    .normalize("NFC")
    .split(/[\s,;!?…"“”()]+/u)
    .map((raw) => raw.replace(/^[.:'-]+|[.:'-]+$/g, ""))
    .filter(Boolean)
    .map((raw) => {
      const f = KEEP_MARKS.has(raw.toLowerCase()) ? raw.toLowerCase() : fold(raw);
      return { raw, f, telex: untelex(f) };
    });
  // One token each, which no keyword matches.
  for (let m = find(tokens, COMPOUNDS); m; m = find(tokens, COMPOUNDS)) {
    const words = tokens.slice(m.at, m.at + m.length);
    const f = words.map((t) => t.f).join("_");
    tokens.splice(m.at, m.length, { raw: words.map((t) => t.raw).join(" "), f, telex: f });
  }
  return tokens;
}

type Phrase = string[];
/** Longest first, so "chưa làm xong" wins over "chưa làm". */
const phrases = (...list: string[]): Phrase[] => list.map((p) => p.split(" ")).sort((a, b) => b.length - a.length);

/** Whether the tokens from `at` are the phrase's words (as folded, or typed the Telex way). */
function isAt(tokens: Token[], at: number, phrase: Phrase): boolean {
  return phrase.every((w, j) => tokens[at + j]?.f === w || tokens[at + j]?.telex === w);
}

/** Index of the first occurrence of any phrase (folded words), with its length. */
function find(tokens: Token[], list: Phrase[]): { at: number; length: number } | null {
  for (let i = 0; i < tokens.length; i++) {
    for (const p of list) {
      if (isAt(tokens, i, p)) return { at: i, length: p.length };
    }
  }
  return null;
}

/** Removes every occurrence of the phrases; true if one was there. */
function take(tokens: Token[], list: Phrase[]): boolean {
  let found = false;
  for (let m = find(tokens, list); m; m = find(tokens, list)) {
    tokens.splice(m.at, m.length);
    found = true;
  }
  return found;
}

/** Words that hold a keyword without meaning it: "Du lịch" (tourism) is no schedule ("lịch"). */
const COMPOUNDS = phrases("du lich", "lich su");

const DEADLINE = phrases(
  "het han",
  "han chot",
  "han cuoi",
  "han nop",
  "thoi han",
  "deadline",
  "con may ngay",
  "con bao nhieu ngay",
  "bao gio het",
  "den han",
  "may ngay nua",
  "con bao lau",
);
const EXPORT = phrases("xuat", "excel", "xlsx", "csv", "tai file", "tai bao cao", "file ket qua", "bang tong hop");
const REMIND = phrases("nhac nho", "nhacnho", "nhac", "doc thuc", "giuc");
const REOPEN = phrases("mo lai", "molai", "mo khoa", "cho sua lai", "sua lai", "tra lai", "nop lai");
const LATE = phrases(
  "chua nop",
  "chuanop",
  "chua lam",
  "chua lam xong",
  "chua xong",
  "chua hoan thanh",
  "chua bat dau",
  "chua tra loi",
  "chua tu danh gia",
  "chua cham",
  "nop cham",
  "nop muon",
  "tre han",
  "qua han",
  "cham tre",
  "cham nop",
  "con thieu",
  "thieu",
  "cham",
  "nop chua",
  "xong chua",
  "lam chua",
  "da nop chua",
  "con no",
);
const RANKING = phrases(
  "xep hang",
  "xephang",
  "bang xep hang",
  "xep loai",
  "phan loai",
  "bang diem",
  "thu hang",
  "dung dau",
  "cao nhat",
  "thap nhat",
  "top",
  "ranking",
);
const SCORE = phrases("diem số", "diem tu cham", "tu cham", "diem", "bao nhieu diem", "duoc bao nhieu diem");
/** "tự chấm", "chấm điểm": about scores, never "chậm" (late). */
const SELF_SCORE = phrases("diem tu cham", "tu cham", "tu chấm", "chấm diem", "cham diem", "chấm");
const PROGRESS = phrases(
  "tien do",
  "tiendo",
  "tinh hinh",
  "tien trien",
  "tong quan",
  "bao nhieu phan tram",
  "may phan tram",
  "da nop bao nhieu",
  "hoan thanh bao nhieu",
  "den dau",
  "toi dau",
  "lam den dau",
  "lam toi dau",
  "progress",
  "status",
);
const INFO = phrases("thong tin", "chi tiet", "ho so", "tinh trang", "xem don vi", "don vi", "donvi");
const ALL = phrases("tat ca", "toan bo", "het", "ca", "moi don vi", "cac don vi");
/** "danh sách …": every screen is a list already. */
const LIST = phrases("danh sach", "liet ke", "ds", "list", "cho xem", "cho toi xem");

/** Who has not acknowledged a notice (/xacnhan). */
const ACKNOWLEDGE = phrases(
  "xac nhan",
  "xacnhan",
  "chua nhan",
  "da nhan",
  "nhan thong bao",
  "nhan duoc thong bao",
  "doc thong bao",
  "xem thong bao",
  "chua doc",
  "da doc",
);
/** Corrective actions after the visit (/kiennghi): "đã khắc phục chưa", "kiến nghị quá hạn". */
const ACTIONS = phrases("kien nghi", "kiennghi", "khac phuc", "khacphuc", "chan chinh", "sua chua");
/** What is asked of actions: only those late, or not closed. */
const ACTION_STATE = phrases("qua han", "tre han", "het han", "tre", "dang mo", "chua dong", "chua xong", "con");
const OVERDUE = phrases("qua han", "tre han", "het han", "tre");
/** The team's findings at the visit (/tontai). */
const FINDINGS = phrases("ton tai", "tontai", "han che", "thieu sot", "sai sot", "phat hien");
/** The inspection schedule (/lich). "kiểm tra" alone is not: "kiểm tra tiến độ" checks progress. */
const SCHEDULE = phrases(
  "lich kiem tra",
  "lichkiemtra",
  "lich kt",
  "lich lam viec",
  "lich cong tac",
  "lich doan",
  "lich",
  "doan kiem tra",
  "doan kt",
  "doan ve",
  "doan den",
  "doan xuong",
  "buoi kiem tra",
  "buoi lam viec",
  "khi nao kiem tra",
  "bao gio kiem tra",
  "ngay nao kiem tra",
  "kiem tra ngay nao",
  "kiem tra khi nao",
  "kiem tra luc nao",
  "kiem tra bao gio",
  "kiem tra vao ngay nao",
  "kiem tra vao khi nao",
);
/** With a stretch of time, these make a question about the schedule: "tuần sau kiểm tra ở đâu?". */
const VISIT_WORDS = phrases("kiem tra", "kt", "lam viec", "di kiem tra", "doan");
/** Words of a schedule question around the unit's name. */
const SCHEDULE_NOISE = phrases(
  "khi nao",
  "bao gio",
  "ngay nao",
  "luc nao",
  "hom nao",
  "thoi gian",
  "o dau",
  "dia diem",
  "nhung dau",
  "noi nao",
  "lam viec",
  "kiem tra",
  "cu the",
);
const PERIODS: [Phrase, Period][] = (
  [
    ["hom nay", "today"],
    ["ngay hom nay", "today"],
    ["bua nay", "today"],
    ["ngay mai", "tomorrow"],
    ["tuan nay", "this_week"],
    ["trong tuan", "this_week"],
    ["tuan sau", "next_week"],
    ["tuan toi", "next_week"],
    ["tuan ke", "next_week"],
    ["tuan ke tiep", "next_week"],
    ["tuan tiep theo", "next_week"],
    ["thang nay", "this_month"],
    ["trong thang", "this_month"],
    ["thang sau", "next_month"],
    ["thang toi", "next_month"],
    ["thang tiep theo", "next_month"],
    ["sap toi", "upcoming"],
    ["sap den", "upcoming"],
    ["tiep theo", "upcoming"],
    ["sap", "upcoming"],
  ] as const
)
  .map(([p, period]): [Phrase, Period] => [p.split(" "), period])
  .sort((a, b) => b[0].length - a[0].length);

/** "Bao nhiêu đơn vị", "mấy đơn vị", "số đơn vị": a question that counts units. */
const HOW_MANY = phrases("bao nhieu", "bn", "may", "so luong", "tong số", "tong so", "số");
const UNIT_NOUN = phrases("don vi", "dv", "co quan", "huyen", "so", "noi");
const NOT_STARTED = phrases("chua bat dau", "chua lam gi", "chua dong", "chua tra loi cau nao");
const DONE = phrases("nop du", "nop het", "nop xong", "nop roi", "da nop", "hoan thanh", "lam xong", "xong", "nop");

/** Words around a unit's name that are not part of it (stripped from both ends only). */
const FILLER = new Set(
  (
    "cua cho ve xem voi nhe a oi bot hay giup di the nao ra sao hien nay hien tai bay gio " +
    "nao ai nhung cac mot toi minh em anh chi muon biet kiem tra hoi gi bao nhieu nhu xong het " +
    "da duoc roi chua dang con chung tong số sao vay thi nua cchc " +
    "may co khong ko k hom nay theo tung moi o trong tai va " +
    "nop du lam den vao xuong dau luc ngay gio dum ho nhanh gap som len coi j"
  ).split(" "),
);

/** "lĩnh vực 3", "lv3", "lv 3", "LV.3" -> "3" (and removes it). */
function takeArea(tokens: Token[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!.f;
    const glued = /^(?:lv|linhvuc)\.?(\d{1,2})$/.exec(t);
    if (glued) {
      tokens.splice(i, 1);
      return glued[1];
    }
    const lengths = t === "lv" ? 1 : t === "linh" && tokens[i + 1]?.f === "vuc" ? 2 : 0;
    const n = lengths ? /^(\d{1,2})$/.exec(tokens[i + lengths]?.f ?? "") : null;
    if (n) {
      tokens.splice(i, lengths + 1);
      return n[1];
    }
  }
  return undefined;
}

/** The stretch of time asked about ("tuần sau"), removed from the tokens. */
function takePeriod(tokens: Token[]): Period | undefined {
  for (let i = 0; i < tokens.length; i++) {
    for (const [p, period] of PERIODS) {
      if (isAt(tokens, i, p)) {
        tokens.splice(i, p.length);
        return period;
      }
    }
  }
  return undefined;
}

/** "bao nhiêu đơn vị", "mấy đơn vị" (removed); "bao nhiêu" with "đơn vị" anywhere counts too. */
function takeCount(tokens: Token[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    for (const q of HOW_MANY) {
      if (!isAt(tokens, i, q)) continue;
      const rest = tokens.slice(i + q.length);
      const noun = find(rest, UNIT_NOUN);
      if (noun?.at === 0) {
        tokens.splice(i, q.length + noun.length);
        return true;
      }
    }
  }
  const howMany = find(tokens, phrases("bao nhieu"));
  const noun = find(tokens, phrases("don vi", "dv"));
  if (!howMany || !noun) return false;
  take(tokens, phrases("bao nhieu", "don vi", "dv"));
  return true;
}

const EDGE_PHRASES = phrases(
  "don vi",
  "the nao",
  "ra sao",
  "hien nay",
  "bay gio",
  "cho toi",
  "nhu the nao",
  "tu danh gia",
  "danh gia",
  "cai cach hanh chinh",
  "toan tinh",
  "ca tinh",
  "ket qua",
  "lam xong",
  "phan tram",
  "chua nop",
  "chua lam",
  "linh vuc",
  "cau hoi",
);

/** What is left once the keywords are gone: a unit's name as typed, or "". */
function remainder(tokens: Token[]): string {
  const rest = [...tokens];
  for (let changed = true; changed && rest.length > 0; ) {
    changed = false;
    const head = find(rest, EDGE_PHRASES);
    if (head?.at === 0) {
      rest.splice(0, head.length);
      changed = true;
    } else if (rest.length > 0 && FILLER.has(rest[0]!.f)) {
      rest.shift();
      changed = true;
    }
    for (const p of EDGE_PHRASES) {
      const at = rest.length - p.length;
      if (at >= 0 && isAt(rest, at, p)) {
        rest.splice(at, p.length);
        changed = true;
      }
    }
    if (rest.length > 0 && FILLER.has(rest[rest.length - 1]!.f)) {
      rest.pop();
      changed = true;
    }
  }
  // A word typed the Telex way in English ("sowr") is read as its letters ("so").
  return rest.map((t) => (t.telex !== t.f && /^[a-z]+$/i.test(t.raw) ? t.telex : t.raw)).join(" ");
}

/** The period and unit of a schedule question whose schedule words are gone. */
function scheduleQueryOf(tokens: Token[], taken?: Period): ScheduleQuery {
  const period = taken ?? takePeriod(tokens);
  take(tokens, SCHEDULE_NOISE);
  const unit = remainder(tokens);
  return { ...(period ? { period } : {}), ...(unit ? { unit } : {}) };
}

/** What follows /lich: "tuần sau", "Sông Mã", "tháng này sở tư pháp", or nothing. */
export function parseScheduleQuery(text: string): ScheduleQuery {
  const tokens = tokenize(text.slice(0, 300));
  take(tokens, SCHEDULE);
  return scheduleQueryOf(tokens);
}

/** The intent of a message, or null when it is not one of the questions the bot answers. */
export function parseIntent(text: string): Intent | null {
  if (text.length > 300 || text.trimStart().startsWith("/")) return null;
  const tokens = tokenize(text);
  if (tokens.length === 0) return null;
  const area = takeArea(tokens);
  const scoreWords = take(tokens, SELF_SCORE);
  const listed = take(tokens, LIST);
  const period = takePeriod(tokens);

  if (take(tokens, DEADLINE)) return { kind: "deadline" };
  if (find(tokens, EXPORT)) {
    const csv = tokens.some((t) => t.f === "csv");
    return { kind: "export", format: csv ? "csv" : "xlsx" };
  }
  if (take(tokens, ACTIONS)) {
    const overdue = !!find(tokens, OVERDUE);
    take(tokens, ACTION_STATE);
    take(tokens, LATE);
    const unit = remainder(tokens);
    return { kind: "actions", overdue, ...(unit ? { unit } : {}) };
  }
  if (take(tokens, FINDINGS)) {
    const unit = remainder(tokens);
    return { kind: "findings", ...(unit ? { unit } : {}) };
  }
  if (take(tokens, ACKNOWLEDGE)) return { kind: "acknowledgements" };
  if (take(tokens, SCHEDULE) || (period && take(tokens, VISIT_WORDS))) {
    return { kind: "schedule", ...scheduleQueryOf(tokens, period) };
  }
  if (take(tokens, REOPEN)) {
    const unit = remainder(tokens);
    return { kind: "reopen", ...(unit ? { unit } : {}), ...(area ? { area } : {}) };
  }
  if (take(tokens, REMIND)) {
    const all = take(tokens, ALL);
    const unit = remainder(tokens);
    return { kind: "remind", all: all || !unit, ...(unit ? { unit } : {}) };
  }
  if (takeCount(tokens) && !scoreWords && !find(tokens, RANKING) && !find(tokens, SCORE)) {
    const what = take(tokens, NOT_STARTED)
      ? "not_started"
      : take(tokens, LATE)
        ? "late"
        : take(tokens, DONE)
          ? "done"
          : "all";
    return { kind: "count", what, ...(area ? { area } : {}) };
  }
  if (take(tokens, LATE)) {
    const unit = remainder(tokens);
    if (unit) return { kind: "unit", unit, focus: "late" };
    return { kind: "late", ...(area ? { area } : {}) };
  }
  if (take(tokens, RANKING)) {
    take(tokens, SCORE);
    const unit = remainder(tokens);
    if (unit) return { kind: "unit", unit, focus: "score" };
    return { kind: "ranking", ...(area ? { area } : {}) };
  }
  if (take(tokens, SCORE) || scoreWords) {
    const unit = remainder(tokens);
    if (unit) return { kind: "unit", unit, focus: "score" };
    return { kind: "ranking", ...(area ? { area } : {}) };
  }
  if (take(tokens, PROGRESS)) {
    const unit = remainder(tokens);
    if (unit) return { kind: "unit", unit, focus: "progress" };
    if (area) return { kind: "late", area };
    return { kind: "progress" };
  }
  if (take(tokens, INFO) || listed) {
    const unit = remainder(tokens);
    if (unit) return { kind: "unit", unit, focus: "info" };
    if (listed) return area ? { kind: "late", area } : { kind: "progress" };
  }
  // "tuần sau", "tháng này?": only the schedule is about stretches of time.
  if (period && !remainder(tokens)) return { kind: "schedule", period };
  return null;
}

/** Words that start a unit's name ("sở", "huyện", "UBND"): a message starting so names a unit. */
const UNIT_HEADS = phrases(
  "so",
  "huyen",
  "ubnd",
  "uy ban",
  "tp",
  "thanh pho",
  "thi xa",
  "van phong",
  "vp",
  "xa",
  "phuong",
  "thi tran",
  "chi cuc",
  "trung tam",
);

/**
 * A message that may be only a unit's name ("Sông Mã", "kh&đt", "Sông Mã thì sao?"), for
 * when parseIntent understood nothing: the name, to be checked against the units (only a
 * match makes it a question), and whether it starts like a unit's name ("sở tư pháb"),
 * which makes the closest names worth offering when nothing matches.
 */
export function nameAlone(text: string): { name: string; unitLike: boolean } | null {
  if (text.length > 100 || text.trimStart().startsWith("/")) return null;
  const tokens = tokenize(text);
  if (tokens.length === 0 || tokens.length > 12) return null;
  const name = remainder(tokens);
  // "Ủy ban nhân dân thành phố Sơn La" has 8 words; a sentence has more.
  if (!/\p{L}/u.test(name) || name.split(" ").length > 10) return null;
  const head = find(tokenize(name), UNIT_HEADS);
  return { name, unitLike: head?.at === 0 };
}

/** Canonical words for each period, as /lich takes them. */
const PERIOD_WORDS: Record<Period, string> = {
  today: "hôm nay",
  tomorrow: "ngày mai",
  this_week: "tuần này",
  next_week: "tuần sau",
  this_month: "tháng này",
  next_month: "tháng sau",
  upcoming: "sắp tới",
};

/** The command that does what `intent` asks: "/donvi Sông Mã". */
export function commandFor(intent: Intent): string {
  switch (intent.kind) {
    case "progress":
      return "/tiendo";
    case "late":
      return intent.area ? `/chuanop ${intent.area}` : "/chuanop";
    case "unit":
      return `/donvi ${intent.unit}`;
    case "ranking":
      return intent.area ? `/diem ${intent.area}` : "/diem";
    case "deadline":
      return "/tiendo";
    case "remind":
      return intent.unit ? `/nhacnho ${intent.unit}` : "/nhacnho tatca";
    case "reopen":
      return `/molai ${intent.unit ?? "<đơn vị>"} ${intent.area ?? "<lĩnh vực>"}`;
    case "export":
      return intent.format === "csv" ? "/xuat csv" : "/xuat";
    case "schedule":
      return ["/lich", intent.period && PERIOD_WORDS[intent.period], intent.unit].filter(Boolean).join(" ");
    case "acknowledgements":
      return "/xacnhan";
    case "count":
      if (intent.what === "late") return intent.area ? `/chuanop ${intent.area}` : "/chuanop";
      return "/tiendo";
    case "actions":
      return intent.unit ? `/kiennghi ${intent.unit}` : "/kiennghi";
    case "findings":
      return intent.unit ? `/tontai ${intent.unit}` : "/tontai";
  }
}

/** The command's name alone ("lich"): who may ask is who may use it. */
export const commandNameOf = (intent: Intent): string => commandFor(intent).slice(1).split(" ")[0]!;
