import { describe, expect, it } from "vitest";
import type { TBusinessHours } from "~/server/settings/schema";
import { instantOf, isOpenAt, localDaysBetween, medianOf, nextOpeningAt, roundWait } from "./hours";

const NINE_TO_FIVE: TBusinessHours = {
  mon: [{ start: "09:00", end: "17:00" }],
  tue: [{ start: "09:00", end: "17:00" }],
  wed: [{ start: "09:00", end: "17:00" }],
  thu: [{ start: "09:00", end: "17:00" }],
  fri: [{ start: "09:00", end: "17:00" }],
  sat: [],
  sun: [],
};
const CLOSED: TBusinessHours = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
/** A night desk: Monday to Friday 22:00 to 06:00 the next morning. */
const NIGHTS: TBusinessHours = {
  mon: [{ start: "22:00", end: "23:59" }],
  tue: [
    { start: "00:00", end: "06:00" },
    { start: "22:00", end: "23:59" },
  ],
  wed: [
    { start: "00:00", end: "06:00" },
    { start: "22:00", end: "23:59" },
  ],
  thu: [
    { start: "00:00", end: "06:00" },
    { start: "22:00", end: "23:59" },
  ],
  fri: [
    { start: "00:00", end: "06:00" },
    { start: "22:00", end: "23:59" },
  ],
  sat: [{ start: "00:00", end: "06:00" }],
  sun: [],
};
const at = (iso: string) => new Date(iso);

describe("business hours", () => {
  it("[hours] open inside an interval, closed at its end, before its start and on closed days", () => {
    // 2026-12-07 is a Monday; Berlin is UTC+1 in December.
    expect(isOpenAt(at("2026-12-07T08:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toBe(true); // 09:00
    expect(isOpenAt(at("2026-12-07T07:59:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toBe(false); // 08:59
    expect(isOpenAt(at("2026-12-07T16:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toBe(false); // 17:00
    expect(isOpenAt(at("2026-12-12T10:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toBe(false); // Saturday
    expect(isOpenAt(at("2026-12-07T10:00:00Z"), "Europe/Berlin", CLOSED)).toBe(false);
  });

  it("[hours] the weekday is the time zone's: Monday 08:00 in Tokyo is Sunday in UTC", () => {
    expect(isOpenAt(at("2026-12-06T23:30:00Z"), "Asia/Tokyo", NINE_TO_FIVE)).toBe(false); // Mon 08:30
    expect(isOpenAt(at("2026-12-07T00:30:00Z"), "Asia/Tokyo", NINE_TO_FIVE)).toBe(true); // Mon 09:30
    expect(isOpenAt(at("2026-12-07T00:30:00Z"), "UTC", NINE_TO_FIVE)).toBe(false); // Mon 00:30 UTC
  });

  it("[hours] next opening: later today, tomorrow, after the weekend, never", () => {
    expect(nextOpeningAt(at("2026-12-07T06:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toEqual(
      at("2026-12-07T08:00:00Z"),
    );
    expect(nextOpeningAt(at("2026-12-07T17:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toEqual(
      at("2026-12-08T08:00:00Z"),
    );
    // Friday evening: Monday morning.
    expect(nextOpeningAt(at("2026-12-11T18:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toEqual(
      at("2026-12-14T08:00:00Z"),
    );
    // Only Monday open, asked on Monday after closing: next Monday.
    const mondays = { ...CLOSED, mon: [{ start: "09:00", end: "12:00" }] };
    expect(nextOpeningAt(at("2026-12-07T12:00:00Z"), "Europe/Berlin", mondays)).toEqual(at("2026-12-14T08:00:00Z"));
    expect(nextOpeningAt(at("2026-12-07T12:00:00Z"), "Europe/Berlin", CLOSED)).toBeNull();
  });

  it("[hours] overnight as two intervals: open across midnight (23:59 runs to midnight), closed on the night off", () => {
    expect(isOpenAt(at("2026-12-07T22:59:30Z"), "Europe/Berlin", NIGHTS)).toBe(true); // Mon 23:59:30
    expect(isOpenAt(at("2026-12-07T23:00:00Z"), "Europe/Berlin", NIGHTS)).toBe(true); // Tue 00:00
    expect(isOpenAt(at("2026-12-08T04:59:00Z"), "Europe/Berlin", NIGHTS)).toBe(true); // Tue 05:59
    expect(isOpenAt(at("2026-12-08T05:00:00Z"), "Europe/Berlin", NIGHTS)).toBe(false); // Tue 06:00
    expect(isOpenAt(at("2026-12-12T23:00:00Z"), "Europe/Berlin", NIGHTS)).toBe(false); // Sun 00:00
    // Saturday morning after the shift: Monday 22:00.
    expect(nextOpeningAt(at("2026-12-12T06:00:00Z"), "Europe/Berlin", NIGHTS)).toEqual(at("2026-12-14T21:00:00Z"));
  });

  it("[hours] DST: the opening after the spring change is at the new offset, the wall clock unchanged", () => {
    // Europe/Berlin moves to UTC+2 on Sunday 2026-03-29 at 02:00. Friday 27th after 17:00 → Monday 09:00 CEST.
    expect(nextOpeningAt(at("2026-03-27T17:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toEqual(
      at("2026-03-30T07:00:00Z"),
    );
    expect(isOpenAt(at("2026-03-30T07:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toBe(true);
    expect(isOpenAt(at("2026-03-30T15:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toBe(false); // 17:00 CEST
    // New York moves to UTC-4 on 2026-03-08: Friday evening → Monday 09:00 EDT = 13:00 UTC.
    expect(nextOpeningAt(at("2026-03-06T23:00:00Z"), "America/New_York", NINE_TO_FIVE)).toEqual(
      at("2026-03-09T13:00:00Z"),
    );
    // And back to UTC+1 on 2026-10-25: Friday 23rd after closing → Monday 09:00 CET = 08:00 UTC.
    expect(nextOpeningAt(at("2026-10-23T16:00:00Z"), "Europe/Berlin", NINE_TO_FIVE)).toEqual(
      at("2026-10-26T08:00:00Z"),
    );
  });

  it("[hours] DST: an opening in the skipped hour is read as the moment the clock would show it; a repeated hour, the first", () => {
    const date = { year: 2026, month: 3, day: 29 };
    expect(instantOf(date, 2 * 60 + 30, "Europe/Berlin")).toEqual(at("2026-03-29T01:30:00Z")); // 03:30 CEST
    expect(instantOf({ year: 2026, month: 10, day: 25 }, 2 * 60 + 30, "Europe/Berlin")).toEqual(
      at("2026-10-25T00:30:00Z"), // the first 02:30 (CEST)
    );
    // Opening later on the day of the change itself: the offset after it.
    const sundayMornings = { ...CLOSED, sun: [{ start: "09:00", end: "12:00" }] };
    expect(nextOpeningAt(at("2026-03-28T12:00:00Z"), "Europe/Berlin", sundayMornings)).toEqual(
      at("2026-03-29T07:00:00Z"),
    );
    expect(nextOpeningAt(at("2026-10-24T12:00:00Z"), "Europe/Berlin", sundayMornings)).toEqual(
      at("2026-10-25T08:00:00Z"),
    );
    const sunday = { ...CLOSED, sun: [{ start: "02:30", end: "05:00" }] };
    expect(nextOpeningAt(at("2026-03-28T12:00:00Z"), "Europe/Berlin", sunday)).toEqual(at("2026-03-29T01:30:00Z"));
  });

  it("[hours] local days between two instants count calendar days of the zone", () => {
    expect(localDaysBetween(at("2026-12-07T22:30:00Z"), at("2026-12-07T23:30:00Z"), "Europe/Berlin")).toBe(1);
    expect(localDaysBetween(at("2026-12-07T22:30:00Z"), at("2026-12-07T23:30:00Z"), "UTC")).toBe(0);
  });

  it("[hours] waits are rounded: a few minutes, fives, hours, days", () => {
    const minutes = (n: number) => n * 60_000;
    expect(roundWait(minutes(2))).toEqual({ unit: "few" });
    expect(roundWait(minutes(6))).toEqual({ unit: "minutes", count: 5 });
    expect(roundWait(minutes(13))).toEqual({ unit: "minutes", count: 15 });
    expect(roundWait(minutes(58))).toEqual({ unit: "hours", count: 1 });
    expect(roundWait(minutes(150))).toEqual({ unit: "hours", count: 3 });
    expect(roundWait(minutes(60 * 30))).toEqual({ unit: "days", count: 1 });
    expect(medianOf([])).toBeNull();
    expect(medianOf([5, 1, 3])).toBe(3);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
  });
});
