import { describe, expect, it } from "vitest";
import { checkHours, readHoursPath, parseWords, settingsFieldOf } from "./settings-errors";

describe("business hours in the settings form", () => {
  it("accepts closed days and well-formed openings", () => {
    expect(checkHours("mon", "")).toBeNull();
    expect(checkHours("mon", "09:00-12:00, 13:00-17:00")).toBeNull();
  });

  it("names the opening and what is wrong with it", () => {
    expect(checkHours("mon", "09:00-12:00, 17:00-13:00")).toEqual({ day: "mon", opening: 2, kind: "endBeforeStart" });
    expect(checkHours("tue", "9-5")).toEqual({ day: "tue", opening: 1, kind: "badTime" });
    expect(checkHours("wed", "09:00")).toEqual({ day: "wed", opening: 1, kind: "malformed" });
    expect(checkHours("thu", "09:00-09:00")).toEqual({ day: "thu", opening: 1, kind: "endBeforeStart" });
    expect(checkHours("fri", Array.from({ length: 7 }, (_, h) => `0${h}:00-0${h}:30`).join(","))).toEqual({
      day: "fri",
      opening: null,
      kind: "tooMany",
    });
  });

  it("reads the server's paths as a day and an opening", () => {
    expect(readHoursPath("businessHours.mon.0.end")).toEqual({ day: "mon", opening: 1 });
    expect(readHoursPath("businessHours.sun")).toEqual({ day: "sun", opening: null });
    expect(readHoursPath("timeZone")).toBeNull();
    expect(readHoursPath("businessHours.xyz.0")).toBeNull();
  });

  it("reads the flows' escape words as a list, and places a word's error on its field", () => {
    expect(parseWords(" stop, cancel ,, Parar ")).toEqual(["stop", "cancel", "Parar"]);
    expect(parseWords("")).toEqual([]);
    expect(settingsFieldOf("flowEscape.stopWords.2")).toBe("flowStopWords");
    expect(settingsFieldOf("flowEscape.menuFlowId")).toBe("flowMenuFlowId");
    expect(settingsFieldOf("replyCapLimit")).toBe("replyCapLimit");
    expect(settingsFieldOf("nothing.0")).toBeUndefined();
  });
});
