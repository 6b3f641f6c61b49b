import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, parseViDateTime, zonedTime } from "../../src/domain/time.ts";

const VN = "Asia/Ho_Chi_Minh";

describe("Vietnamese dates and times", () => {
  it("reads dd/MM/yyyy [HH:mm] as local time in the zone", () => {
    expect(parseViDateTime("15/03/2019 08:00", VN)?.toISOString()).toBe("2019-03-15T01:00:00.000Z");
    expect(parseViDateTime("7/1/2019", VN)?.toISOString()).toBe("2019-01-06T17:00:00.000Z");
    expect(parseViDateTime("15/03/2019", VN, [17, 0])?.toISOString()).toBe("2019-03-15T10:00:00.000Z");
    expect(parseViDateTime("15/03/2019 8h30", VN)?.toISOString()).toBe("2019-03-15T01:30:00.000Z");
  });

  it("refuses what is not a real date or time", () => {
    for (const bad of [
      "31/02/2019",
      "29/02/2019",
      "15/13/2019",
      "00/01/2019",
      "15/03/2019 24:00",
      "15/03/2019 08:60",
      "2019-03-15",
      "hôm nay",
    ]) {
      expect(parseViDateTime(bad, VN), bad).toBeNull();
    }
    expect(parseViDateTime("29/02/2020", VN)).not.toBeNull();
  });

  it("formats in the zone, whatever the server's zone", () => {
    const instant = new Date("2019-03-14T17:30:00Z");
    expect(formatDate(instant, VN)).toBe("15/03/2019");
    expect(formatDateTime(instant, VN)).toBe("15/03/2019 00:30");
    expect(formatDateTime(instant, "Europe/Paris")).toBe("14/03/2019 18:30");
  });

  it("handles zones with daylight saving time", () => {
    // 31/03/2019 was the spring-forward day in Paris (UTC+1 -> UTC+2).
    expect(zonedTime(2019, 3, 31, 12, 0, "Europe/Paris").toISOString()).toBe("2019-03-31T10:00:00.000Z");
    expect(zonedTime(2019, 1, 15, 12, 0, "Europe/Paris").toISOString()).toBe("2019-01-15T11:00:00.000Z");
  });
});
