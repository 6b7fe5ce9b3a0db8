import { describe, expect, it } from "vitest";
import { colorLevel } from "../../../src/ui/color.js";
import { formatGoTime } from "../../../src/ui/log-time.js";

describe("colorLevel", () => {
  it("auto follows the terminal", () => {
    expect(colorLevel({ mode: "auto", isTTY: true, env: {} })).toBe(1);
    expect(colorLevel({ mode: "auto", isTTY: false, env: {} })).toBe(0);
  });

  it("auto: NO_COLOR (non-empty) and TERM=dumb turn colour off; an empty NO_COLOR does not", () => {
    expect(colorLevel({ mode: "auto", isTTY: true, env: { NO_COLOR: "1" } })).toBe(0);
    expect(colorLevel({ mode: "auto", isTTY: true, env: { NO_COLOR: "" } })).toBe(1);
    expect(colorLevel({ mode: "auto", isTTY: true, env: { TERM: "dumb" } })).toBe(0);
  });

  it("auto: FORCE_COLOR wins over the pipe and over NO_COLOR; 0 and false turn it off", () => {
    expect(colorLevel({ mode: "auto", isTTY: false, env: { FORCE_COLOR: "" } })).toBe(1);
    expect(colorLevel({ mode: "auto", isTTY: false, env: { FORCE_COLOR: "3", NO_COLOR: "1" } })).toBe(3);
    expect(colorLevel({ mode: "auto", isTTY: true, env: { FORCE_COLOR: "0" } })).toBe(0);
    expect(colorLevel({ mode: "auto", isTTY: true, env: { FORCE_COLOR: "false" } })).toBe(0);
  });

  it("an explicit --log-color-mode wins over the environment", () => {
    expect(colorLevel({ mode: "on", isTTY: false, env: { NO_COLOR: "1", FORCE_COLOR: "0" } })).toBe(1);
    expect(colorLevel({ mode: "on", isTTY: false, env: { FORCE_COLOR: "2" } })).toBe(2);
    expect(colorLevel({ mode: "off", isTTY: true, env: { FORCE_COLOR: "3" } })).toBe(0);
  });
});

describe("formatGoTime", () => {
  const t = Date.UTC(2026, 11, 3, 9, 5, 7, 40);
  it("formats RFC 3339 with Z in UTC and a numeric offset elsewhere", () => {
    expect(formatGoTime(t, "2006-01-02T15:04:05Z07:00", 0)).toBe("2026-12-03T09:05:07Z");
    expect(formatGoTime(t, "2006-01-02T15:04:05Z07:00", 180)).toBe("2026-12-03T12:05:07+03:00");
    expect(formatGoTime(t, "2006-01-02T15:04:05-0700", -330)).toBe("2026-12-03T03:35:07-0530");
  });

  it("knows names, 12-hour clocks, padding and fractions", () => {
    expect(formatGoTime(t, "Mon Jan _2 3:04:05 PM MST 2006", 0)).toBe("Thu Dec  3 9:05:07 AM UTC 2026");
    expect(formatGoTime(t, "Monday, 02-January-06 03PM", 0)).toBe("Thursday, 03-December-26 09AM");
    expect(formatGoTime(t, "15:04:05.000", 0)).toBe("09:05:07.040");
    expect(formatGoTime(t, "15:04:05.999999", 0)).toBe("09:05:07.04");
    expect(formatGoTime(Date.UTC(2026, 0, 1), "05.999|002", 0)).toBe("00|001");
  });

  it("leaves other characters alone", () => {
    expect(formatGoTime(t, "[at 15h]", 0)).toBe("[at 09h]");
  });
});
