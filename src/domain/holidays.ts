/**
 * Days offices are closed in Việt Nam, for warning before a visit is scheduled on one
 * (Bộ luật Lao động 2019, Article 112): Tết Dương lịch (1/1), Tết Âm lịch (5 days), Giỗ Tổ
 * Hùng Vương (10/3 âm lịch), Ngày Chiến thắng (30/4), Quốc tế Lao động (1/5) and Quốc khánh
 * (2/9 and a day next to it, which the Government picks each year), besides Saturdays and
 * Sundays.
 *
 * The lunar holidays move every year: their solar dates are listed below for the years the
 * product may be used in (lunar new year's day and 10/3 âm lịch). The Government fixes the
 * exact days off of Tết each year (around the last day of the old year and the first four of
 * the new one); this is a warning, so the usual window is enough. A year not listed warns
 * about the fixed holidays only.
 */

/** Lunar new year's day (mùng 1 Tết) per year. */
const LUNAR_NEW_YEAR: Record<number, [month: number, day: number]> = {
  2019: [2, 5],
  2020: [1, 25],
  2021: [2, 12],
  2022: [2, 1],
  2023: [1, 22],
  2024: [2, 10],
  2025: [1, 29],
  2026: [2, 17],
  2027: [2, 6],
  2028: [1, 26],
  2029: [2, 13],
  2030: [2, 3],
};

/** Giỗ Tổ Hùng Vương (10/3 âm lịch) per year. */
const HUNG_KINGS: Record<number, [month: number, day: number]> = {
  2019: [4, 14],
  2020: [4, 2],
  2021: [4, 21],
  2022: [4, 10],
  2023: [4, 29],
  2024: [4, 18],
  2025: [4, 7],
  2026: [4, 26],
  2027: [4, 16],
  2028: [4, 4],
  2029: [4, 23],
  2030: [4, 12],
};

export type HolidayKey = "new_year" | "tet" | "hung_kings" | "reunification" | "labour" | "national";

const DAY = 86_400_000;
const dayNumber = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day) / DAY;

/** The public holiday a calendar day falls on, or null. */
export function holidayOn(year: number, month: number, day: number): HolidayKey | null {
  const md = `${day}/${month}`;
  if (md === "1/1") return "new_year";
  if (md === "30/4") return "reunification";
  if (md === "1/5") return "labour";
  if (md === "1/9" || md === "2/9" || md === "3/9") return "national";
  const n = dayNumber(year, month, day);
  // Tết falls between 21/1 and 20/2: its days off are always in the same solar year.
  const tet = LUNAR_NEW_YEAR[year];
  if (tet && n >= dayNumber(year, tet[0], tet[1]) - 1 && n <= dayNumber(year, tet[0], tet[1]) + 4) return "tet";
  const hung = HUNG_KINGS[year];
  if (hung && n === dayNumber(year, hung[0], hung[1])) return "hung_kings";
  return null;
}

/** 0 = Sunday … 6 = Saturday, of a calendar day. */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}
