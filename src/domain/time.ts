/**
 * Dates as Vietnamese users read and write them: dd/MM/yyyy and HH:mm, in the configured
 * time zone (Asia/Ho_Chi_Minh by default), whatever the server's own zone is.
 */

// Building an Intl.DateTimeFormat costs far more than using one: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `instant` in `timeZone`, as numbers. */
function zonedFields(instant: Date, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/**
 * The wall-clock time of `instant` in `timeZone`, as a Date whose UTC fields read that
 * time: for places that have no notion of zones, such as Excel cells.
 */
export function wallClock(instant: Date, timeZone: string): Date {
  const f = zonedFields(instant, timeZone);
  return new Date(Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second));
}

/** Offset of `timeZone` from UTC at `instant`, in minutes (Asia/Ho_Chi_Minh: +420). */
function offsetMinutes(instant: Date, timeZone: string): number {
  const f = zonedFields(instant, timeZone);
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
}

/** The instant of a wall-clock time in `timeZone`. */
export function zonedTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetMinutes(new Date(guess), timeZone) * 60000;
  // Once more in case the first guess crossed an offset change.
  return new Date(guess - offsetMinutes(new Date(first), timeZone) * 60000);
}

const DATE_TIME = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2})[:hg](\d{2}))?\s*$/;

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A typed date and time, or what is wrong with it: not in the form at all, or a day that is
 * not on the calendar ("31/02/2027", as people write it back: "Không có ngày 31/02/2027"), or
 * a time that is not on the clock ("25:00").
 */
export type ViDateTime =
  | { ok: true; date: Date }
  | { ok: false; error: "format" }
  | { ok: false; error: "date"; date: string }
  | { ok: false; error: "time"; time: string };

/**
 * "15/03/2019" or "15/03/2019 08:00" -> Date, or why not. A date without a time means
 * `defaultTime` (start of day unless told otherwise).
 */
export function readViDateTime(text: string, timeZone: string, defaultTime: [number, number] = [0, 0]): ViDateTime {
  const m = DATE_TIME.exec(text);
  if (!m) return { ok: false, error: "format" };
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = m[4] === undefined ? defaultTime[0] : Number(m[4]);
  const minute = m[5] === undefined ? defaultTime[1] : Number(m[5]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  // Month 13, day 0, 31/02 and the like.
  if (month < 1 || month > 12 || day < 1 || probe.getUTCDate() !== day) {
    return { ok: false, error: "date", date: `${pad(day)}/${pad(month)}/${year}` };
  }
  if (hour > 23 || minute > 59) return { ok: false, error: "time", time: `${pad(hour)}:${pad(minute)}` };
  return { ok: true, date: zonedTime(year, month, day, hour, minute, timeZone) };
}

/** "15/03/2019" or "15/03/2019 08:00" -> Date, or null when it is not a real date and time. */
export function parseViDateTime(text: string, timeZone: string, defaultTime: [number, number] = [0, 0]): Date | null {
  const read = readViDateTime(text, timeZone, defaultTime);
  return read.ok ? read.date : null;
}

function parts(date: Date, timeZone: string) {
  const f = zonedFields(date, timeZone);
  return { day: pad(f.day), month: pad(f.month), year: String(f.year), hour: pad(f.hour), minute: pad(f.minute) };
}

/** 15/03/2019 */
export function formatDate(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  return `${p.day}/${p.month}/${p.year}`;
}

/** 15/03/2019 08:00 */
export function formatDateTime(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** The calendar day of `instant` in `timeZone`. */
export function localDay(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  const { year, month, day } = zonedFields(instant, timeZone);
  return { year, month, day };
}

/**
 * Whether `at` is past a deadline. Deadlines are set to the minute ("15/03/2019 17:00", a
 * date alone meaning 23:59): the whole of that minute still counts as on time.
 */
export function isPastDeadline(deadline: Date, at: Date): boolean {
  return at.getTime() >= deadline.getTime() + 60_000;
}

/** Whole calendar days in `timeZone` from the day of `from` to the day of `to` (negative if before). */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  const day = (d: Date) => {
    const f = zonedFields(d, timeZone);
    return Date.UTC(f.year, f.month - 1, f.day) / 86_400_000;
  };
  return day(to) - day(from);
}

export interface DeadlineStatus {
  passed: boolean;
  /** Calendar days to the deadline's day (0: today), or since it when passed. */
  days: number;
}

/**
 * The one rule for "days left", used by every screen and reminder: calendar days in the
 * configured zone ("Còn 3 ngày" on the 12th for a deadline on the 15th, whatever the hour),
 * and passed only after the deadline's minute.
 */
export function deadlineStatus(deadline: Date, now: Date, timeZone: string): DeadlineStatus {
  const days = calendarDaysBetween(now, deadline, timeZone);
  return isPastDeadline(deadline, now) ? { passed: true, days: -days } : { passed: false, days: Math.max(0, days) };
}

/**
 * A due date `days` calendar days after `from`, at the end of the office day (17:00) in
 * `timeZone`: "15 ngày kể từ ngày ban hành thông báo kết luận" read as an office reads it.
 */
export function dueDateAfter(from: Date, days: number, timeZone: string): Date {
  const day = localDay(from, timeZone);
  const target = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return zonedTime(target.getUTCFullYear(), target.getUTCMonth() + 1, target.getUTCDate(), 17, 0, timeZone);
}
