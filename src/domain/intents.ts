/**
 * Plain Vietnamese questions from coordinators ("Đơn vị nào chưa nộp?", "tiến độ Sở Tư
 * pháp", "lĩnh vực 3 ai chưa làm?") turned into what they ask for: one of the
 * coordinator commands with its arguments. With or without diacritics. Pure: no
 * database; the unit named is returned as typed, to be matched by src/domain/units.ts.
 */
import { fold } from "./text.ts";

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
  | { kind: "export"; format: "xlsx" | "csv" };

interface Token {
  /** As typed (NFC). */
  raw: string;
  /** Folded: lower-case ASCII. */
  f: string;
}

/** Words whose diacritics decide what they mean: "chấm" (score) / "chậm" (late), "số" / "sở". */
const KEEP_MARKS = new Set(["chấm", "số"]);

function tokenize(text: string): Token[] {
  return text
    .normalize("NFC")
    .split(/[\s,;!?…"“”()]+/u)
    .map((raw) => raw.replace(/^[.:'-]+|[.:'-]+$/g, ""))
    .filter(Boolean)
    .map((raw) => ({ raw, f: KEEP_MARKS.has(raw.toLowerCase()) ? raw.toLowerCase() : fold(raw) }));
}

type Phrase = string[];
/** Longest first, so "chưa làm xong" wins over "chưa làm". */
const phrases = (...list: string[]): Phrase[] => list.map((p) => p.split(" ")).sort((a, b) => b.length - a.length);

/** Index of the first occurrence of any phrase (folded words), with its length. */
function find(tokens: Token[], list: Phrase[]): { at: number; length: number } | null {
  for (let i = 0; i < tokens.length; i++) {
    for (const p of list) {
      if (p.every((w, j) => tokens[i + j]?.f === w)) return { at: i, length: p.length };
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
const REMIND = phrases("nhac nho", "nhac", "doc thuc", "giuc");
const REOPEN = phrases("mo lai", "mo khoa", "cho sua lai", "tra lai");
const LATE = phrases(
  "chua nop",
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
  "tinh hinh",
  "tien trien",
  "tong quan",
  "bao nhieu phan tram",
  "may phan tram",
  "da nop bao nhieu",
  "hoan thanh bao nhieu",
  "progress",
  "status",
);
const INFO = phrases("thong tin", "chi tiet", "ho so", "tinh trang", "xem don vi", "don vi");
const ALL = phrases("tat ca", "toan bo", "het", "ca", "moi don vi", "cac don vi");

/** Words around a unit's name that are not part of it (stripped from both ends only). */
const FILLER = new Set(
  (
    "cua cho ve xem voi nhe a oi bot hay giup di the nao ra sao hien nay hien tai bay gio " +
    "nao ai nhung cac mot toi minh em anh chi muon biet kiem tra hoi gi bao nhieu nhu xong het " +
    "da duoc roi chua dang con chung tong số sao vay thi nua cchc " +
    "may co khong ko k hom nay theo tung moi o trong tai va"
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
      if (at >= 0 && p.every((w, j) => rest[at + j]!.f === w)) {
        rest.splice(at, p.length);
        changed = true;
      }
    }
    if (rest.length > 0 && FILLER.has(rest[rest.length - 1]!.f)) {
      rest.pop();
      changed = true;
    }
  }
  return rest.map((t) => t.raw).join(" ");
}

/** The intent of a coordinator's message, or null when it is not one of their questions. */
export function parseIntent(text: string): Intent | null {
  if (text.length > 300 || text.trimStart().startsWith("/")) return null;
  const tokens = tokenize(text);
  if (tokens.length === 0) return null;
  const area = takeArea(tokens);
  const scoreWords = take(tokens, SELF_SCORE);

  if (take(tokens, DEADLINE)) return { kind: "deadline" };
  if (find(tokens, EXPORT)) {
    const csv = tokens.some((t) => t.f === "csv");
    return { kind: "export", format: csv ? "csv" : "xlsx" };
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
  if (take(tokens, INFO)) {
    const unit = remainder(tokens);
    if (unit) return { kind: "unit", unit, focus: "info" };
  }
  return null;
}

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
  }
}
