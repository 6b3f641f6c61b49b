import { describe, expect, it } from "vitest";
import { holidayOn, weekdayOf } from "../../src/domain/holidays.ts";

describe("public holidays", () => {
  it.each([
    [2019, 1, 1, "new_year"],
    [2019, 2, 4, "tet"], // 30 Tết
    [2019, 2, 5, "tet"], // mùng 1
    [2019, 2, 9, "tet"], // mùng 5
    [2019, 2, 10, null],
    [2019, 4, 14, "hung_kings"],
    [2019, 4, 30, "reunification"],
    [2019, 5, 1, "labour"],
    [2019, 9, 2, "national"],
    [2027, 2, 6, "tet"],
    [2027, 4, 16, "hung_kings"],
    [2019, 3, 15, null],
  ])("%i-%i-%i is %s", (y, m, d, expected) => {
    expect(holidayOn(y, m, d)).toBe(expected);
  });

  it("knows the weekday", () => {
    expect(weekdayOf(2019, 3, 15)).toBe(5); // Friday
    expect(weekdayOf(2027, 3, 13)).toBe(6); // Saturday
  });
});
