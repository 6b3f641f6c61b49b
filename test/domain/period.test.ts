import { describe, expect, it } from "vitest";
import type { Period } from "../../src/domain/intents.ts";
import { periodWindow } from "../../src/domain/schedule.ts";

const TZ = "Asia/Ho_Chi_Minh";
/** Local midnight of dd/MM/yyyy in Hà Nội (UTC+7), as an instant. */
const midnight = (day: number, month: number, year = 2019) => new Date(Date.UTC(year, month - 1, day) - 7 * 3_600_000);

describe("periodWindow: the stretch of time a schedule question means, in the province's time", () => {
  // Thursday 14/03/2019 10:00 in Hà Nội.
  const thursday = new Date("2019-03-14T03:00:00Z");

  it.each([
    ["today", midnight(14, 3), midnight(15, 3)],
    ["tomorrow", midnight(15, 3), midnight(16, 3)],
    ["this_week", midnight(11, 3), midnight(18, 3)],
    ["next_week", midnight(18, 3), midnight(25, 3)],
    ["this_month", midnight(1, 3), midnight(1, 4)],
    ["next_month", midnight(1, 4), midnight(1, 5)],
  ] as [Period, Date, Date][])("%s", (period, from, to) => {
    expect(periodWindow(period, thursday, TZ)).toEqual({ from, to });
  });

  it("'upcoming' runs from now, with no end", () => {
    expect(periodWindow("upcoming", thursday, TZ)).toEqual({ from: thursday });
  });

  it("weeks run Monday to Sunday: a Sunday evening is still in the week that began on Monday", () => {
    // Sunday 17/03/2019 23:30 in Hà Nội is already Sunday 16:30 UTC, Monday in no zone yet.
    const sunday = new Date("2019-03-17T16:30:00Z");
    expect(periodWindow("this_week", sunday, TZ)).toEqual({ from: midnight(11, 3), to: midnight(18, 3) });
    // Monday 18/03/2019 00:30 in Hà Nội is still Sunday in UTC.
    const monday = new Date("2019-03-17T17:30:00Z");
    expect(periodWindow("this_week", monday, TZ)).toEqual({ from: midnight(18, 3), to: midnight(25, 3) });
  });

  it("crosses months and years", () => {
    const lastOfYear = new Date("2019-12-31T10:00:00Z"); // Tuesday 31/12/2019
    expect(periodWindow("tomorrow", lastOfYear, TZ)).toEqual({ from: midnight(1, 1, 2020), to: midnight(2, 1, 2020) });
    expect(periodWindow("next_week", lastOfYear, TZ)).toEqual({
      from: midnight(6, 1, 2020),
      to: midnight(13, 1, 2020),
    });
    expect(periodWindow("next_month", lastOfYear, TZ)).toEqual({
      from: midnight(1, 1, 2020),
      to: midnight(1, 2, 2020),
    });
  });
});
