import { describe, expect, it } from "vitest";
import { createEchoFilter } from "./echo";

const CHAT = "14155550123@c.us";

function created(id: string, body: string, fields: { fromMe?: boolean; to?: string } = {}) {
  return { id: { _serialized: id }, to: fields.to ?? CHAT, body, fromMe: fields.fromMe ?? true };
}

describe("echo: our sends vs messages typed on the phone", () => {
  it("knows a send by its id once it resolved", () => {
    const echo = createEchoFilter();
    echo.beginSend(CHAT, "Your order shipped", "ref-1")("id-1");
    expect(echo.classify(created("id-1", "Your order shipped"))).toBe("ours");
    expect(echo.sentIdOf("ref-1")).toBe("id-1");
  });

  it("knows a send announced before sendMessage resolved, by chat and body, once", () => {
    const echo = createEchoFilter();
    const settle = echo.beginSend(CHAT, "On my way", "ref-1");
    expect(echo.classify(created("id-1", "On my way"))).toBe("ours");
    // The same words typed on the phone while the send is still in flight are the person's.
    expect(echo.classify(created("id-2", "On my way"))).toBe("phone");
    settle("id-1");
    expect(echo.classify(created("id-1", "On my way"))).toBe("ours");
  });

  it("counts two identical sends in flight as two, whichever settles first", () => {
    const echo = createEchoFilter();
    const first = echo.beginSend(CHAT, "ok", "ref-1");
    const second = echo.beginSend(CHAT, "ok", "ref-2");
    expect(echo.classify(created("id-1", "ok"))).toBe("ours");
    first("id-1");
    expect(echo.classify(created("id-2", "ok"))).toBe("ours");
    second("id-2");
    expect(echo.classify(created("id-3", "ok"))).toBe("phone");
  });

  it("takes a message from our number that matches no send as typed on the phone", () => {
    const echo = createEchoFilter();
    echo.beginSend("14155550999@c.us", "Hi", "ref-1");
    expect(echo.classify(created("id-9", "Hi"))).toBe("phone");
  });

  it("forgets a failed send: its words typed later are the person's", () => {
    const echo = createEchoFilter();
    echo.beginSend(CHAT, "Thanks!", "ref-1")(null);
    expect(echo.classify(created("id-1", "Thanks!"))).toBe("phone");
    expect(echo.sentIdOf("ref-1")).toBeUndefined();
  });

  it("leaves contacts' messages and groups alone", () => {
    const echo = createEchoFilter();
    expect(echo.classify(created("id-1", "hello", { fromMe: false }))).toBe("contact");
    expect(echo.classify(created("id-2", "hello all", { to: "120363000000000000@g.us" }))).toBe("ignored");
  });
});

describe("echo: our media sends", () => {
  it("knows a photo announced before sendMessage resolved by its type, not its caption", () => {
    const echo = createEchoFilter();
    const settle = echo.beginSend(CHAT, "Our menu", "ref-1", ["image"]);
    // Words typed on the phone meanwhile, even the caption's, are the person's.
    expect(echo.classify({ ...created("id-0", "Our menu"), type: "chat" })).toBe("phone");
    expect(echo.classify({ ...created("id-1", "Our menu"), type: "image" })).toBe("ours");
    settle("id-1");
    expect(echo.sentIdOf("ref-1")).toBe("id-1");
    // A second photo from the phone once ours was claimed is the person's.
    expect(echo.classify({ ...created("id-2", ""), type: "image" })).toBe("phone");
  });
});
