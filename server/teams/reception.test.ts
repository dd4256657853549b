import { describe, expect, it } from "vitest";
import { WEEKDAYS, type TBusinessHours } from "~/server/settings/schema";
import { acknowledgementIdOf, estimateWait, receptionText } from "./reception";

const NINE_TO_FIVE = Object.fromEntries(
  WEEKDAYS.map((day) => [day, day === "sat" || day === "sun" ? [] : [{ start: "09:00", end: "17:00" }]]),
) as TBusinessHours;
const minutes = (n: number) => n * 60_000;

describe("what the contact hears", () => {
  it("[wait] the median of hand-offs made while open; a night's wait does not count; too few: no number", () => {
    // Monday 2026-12-07, UTC: 10:00 hand-offs answered after 10, 20 and 30 minutes; one at 02:00 after 7 hours.
    const at = (iso: string, after: number) => ({
      handoffAt: new Date(iso),
      repliedAt: new Date(Date.parse(iso) + after),
    });
    const history = [
      at("2026-12-07T10:00:00Z", minutes(10)),
      at("2026-12-07T11:00:00Z", minutes(20)),
      at("2026-12-07T12:00:00Z", minutes(30)),
      at("2026-12-07T02:00:00Z", minutes(420)),
    ];
    expect(estimateWait(history, NINE_TO_FIVE, "UTC")).toEqual({ unit: "minutes", count: 20 });
    expect(estimateWait(history.slice(0, 2), NINE_TO_FIVE, "UTC")).toBeNull();
  });

  it("[texts] defaults in the contact's language, the opening in the org's time zone; the team's own text filled in", () => {
    const now = new Date("2026-12-07T20:00:00Z"); // Monday 17:00 in São Paulo (UTC-3)
    const opening = new Date("2026-12-08T12:00:00Z"); // Tuesday 09:00 there
    const base = { ackMessage: null, closedMessage: null, wait: null, opening, timeZone: "America/Sao_Paulo", now };
    expect(receptionText({ ...base, locale: "es", open: false })).toBe(
      "¡Gracias por tu mensaje! Nuestro equipo no está disponible ahora y vuelve mañana a las 9:00 GMT-3. Te responderemos entonces.",
    );
    expect(receptionText({ ...base, locale: "pt-BR", open: false, closedMessage: "Voltamos {{ opens }}." })).toBe(
      "Voltamos amanhã às 09:00 BRT.",
    );
    expect(receptionText({ ...base, locale: "en", open: true, wait: { unit: "hours", count: 2 } })).toBe(
      "Thanks for your message! Someone from our team will reply in about 2 hours.",
    );
    expect(receptionText({ ...base, locale: "es", open: true, wait: { unit: "few" } })).toBe(
      "¡Gracias por tu mensaje! Alguien de nuestro equipo te responderá en unos minutos.",
    );
    // A week away: the day and date.
    expect(receptionText({ ...base, locale: "en", open: false, opening: new Date("2026-12-14T12:00:00Z") })).toBe(
      "Thanks for your message! Our team is away right now and back on Monday, December 14 at 9:00 AM GMT-3. We will reply then.",
    );
    expect(receptionText({ ...base, locale: "en", open: false, opening: null })).toBe(
      "Thanks for your message! Our team is away right now. We will reply as soon as we are back.",
    );
  });

  it("[once] one message id per hand-off", () => {
    const at = new Date("2026-12-07T10:00:00Z");
    const id = acknowledgementIdOf("7b0c6a3e-4d5f-4a8b-9c1d-2e3f4a5b6c7d", at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(acknowledgementIdOf("7b0c6a3e-4d5f-4a8b-9c1d-2e3f4a5b6c7d", at)).toBe(id);
    expect(acknowledgementIdOf("7b0c6a3e-4d5f-4a8b-9c1d-2e3f4a5b6c7d", new Date(at.getTime() + 1))).not.toBe(id);
  });
});
