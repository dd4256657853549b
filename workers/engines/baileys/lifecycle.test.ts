import { Boom } from "@hapi/boom";
import { DisconnectReason } from "@whiskeysockets/baileys";
import { describe, expect, it } from "vitest";
import { baileysMessageIdOf, createBaileysEcho } from "./echo";
import { createLidPhoneLinks } from "./identities";
import { classifyClose, DISCONNECT, phoneOfUserJid } from "./lifecycle";

const boom = (code: number, message = "Stream Errored") => new Boom(message, { statusCode: code });

describe("what a closed Baileys socket means", () => {
  it("knows the library's own disconnect codes (the engine keeps a copy, as it loads the library lazily)", () => {
    for (const [name, code] of Object.entries(DISCONNECT)) {
      expect(DisconnectReason[name as keyof typeof DisconnectReason], name).toBe(code);
    }
  });

  it("logs out on 401 and 411, restarts at once on 515, stops on 440 and 403, backs off otherwise", () => {
    expect(classifyClose(boom(DISCONNECT.loggedOut), true).action).toBe("logged_out");
    expect(classifyClose(boom(DISCONNECT.multideviceMismatch), true).action).toBe("logged_out");
    expect(classifyClose(boom(DISCONNECT.restartRequired), false)).toEqual({ action: "restart" });
    expect(classifyClose(boom(DISCONNECT.connectionReplaced), true)).toMatchObject({
      action: "stop",
      error: expect.stringMatching(/opened by another .*Restart/),
    });
    expect(classifyClose(boom(DISCONNECT.forbidden), true)).toMatchObject({ action: "stop", error: /refused/ });
    expect(classifyClose(boom(DISCONNECT.badSession), true)).toMatchObject({
      action: "backoff",
      error: /link is kept/,
    });
    for (const code of [408, 428, 503]) expect(classifyClose(boom(code), true).action).toBe("backoff");
  });

  it("says WhatsApp is unreachable for a network failure, in the library's own words", () => {
    const offline = boom(408, "WebSocket Error (getaddrinfo ENOTFOUND web.whatsapp.com)");
    expect(classifyClose(offline, false)).toEqual({
      action: "backoff",
      error: "WhatsApp is unreachable from this machine (getaddrinfo ENOTFOUND web.whatsapp.com)",
    });
    expect(classifyClose(undefined, false)).toMatchObject({
      error: expect.stringMatching(/Could not connect to WhatsApp/),
    });
  });

  it("reads the linked number from the socket's user id", () => {
    expect(phoneOfUserJid("5511999990000:12@s.whatsapp.net")).toBe("+5511999990000");
    expect(phoneOfUserJid("98765@lid")).toBeUndefined();
    expect(phoneOfUserJid(undefined)).toBeUndefined();
  });
});

describe("our own sends and LID links", () => {
  it("derives one Baileys-shaped id per session and client ref, and remembers it before the send", () => {
    const id = baileysMessageIdOf("session-a", "ref-1");
    expect(id).toMatch(/^3EB0[0-9A-F]{18}$/);
    expect(baileysMessageIdOf("session-a", "ref-1")).toBe(id);
    expect(baileysMessageIdOf("session-b", "ref-1")).not.toBe(id);
    const echo = createBaileysEcho();
    expect(echo.isOurs(id)).toBe(false);
    echo.expect(id);
    expect(echo.isOurs(id)).toBe(true);
    expect(echo.sentIdOf("ref-1")).toBeUndefined();
    echo.sent("ref-1", id);
    expect(echo.sentIdOf("ref-1")).toBe(id);
  });

  it("links a LID and a number both ways, bounded, ignoring anything else", () => {
    const links = createLidPhoneLinks(4);
    links.link("111@lid", "14155550100@s.whatsapp.net");
    expect(links.identityOf("111@lid")).toEqual({ lid: "111@lid", phone: "14155550100@s.whatsapp.net" });
    expect(links.identityOf("14155550100@s.whatsapp.net")).toEqual({
      lid: "111@lid",
      phone: "14155550100@s.whatsapp.net",
    });
    links.link("14155550100@s.whatsapp.net", "111@lid");
    links.link("222@g.us", "14155550101@s.whatsapp.net");
    links.link("333@lid", "14155550103@s.whatsapp.net");
    links.link("444@lid", "14155550104@s.whatsapp.net");
    expect(links.identityOf("111@lid")).toBeUndefined();
    expect(links.identityOf("444@lid")).toMatchObject({ phone: "14155550104@s.whatsapp.net" });
  });
});
