import { generate, generateSecret } from "otplib";
import { describe, expect, it } from "vitest";
import { checkTotp, generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from "./two-factor";

describe("checkTotp", () => {
  const secret = generateSecret();
  const at = Date.UTC(2026, 11, 6, 12, 0, 15); // 15 s into a 30-second step
  const step = Math.floor(at / 30_000);
  const codeAt = (ms: number) => generate({ secret, epoch: Math.floor(ms / 1000) });

  it("accepts the current step's code and its neighbours' (clock drift), nothing further", async () => {
    const code = await codeAt(at);
    expect(await checkTotp(secret, code, null, at)).toEqual({ ok: true, step });
    expect(await checkTotp(secret, code, null, at + 30_000)).toEqual({ ok: true, step });
    expect(await checkTotp(secret, code, null, at - 30_000)).toEqual({ ok: true, step });
    expect(await checkTotp(secret, code, null, at + 61_000)).toEqual({ ok: false, reason: "wrong" });
  });

  it("refuses a code whose step was already used, or an older one", async () => {
    expect(await checkTotp(secret, await codeAt(at), step, at)).toEqual({ ok: false, reason: "replayed" });
    expect(await checkTotp(secret, await codeAt(at - 30_000), step, at)).toEqual({ ok: false, reason: "replayed" });
    expect(await checkTotp(secret, await codeAt(at + 30_000), step, at)).toEqual({ ok: true, step: step + 1 });
  });

  it("reads spaces away and refuses anything but six digits", async () => {
    const code = await codeAt(at);
    expect(await checkTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, null, at)).toMatchObject({ ok: true });
    for (const bad of ["", "12345", "1234567", "abcdef", "12345\u0000"]) {
      expect(await checkTotp(secret, bad, null, at)).toEqual({ ok: false, reason: "wrong" });
    }
  });
});

describe("recovery codes", () => {
  it("are ten distinct codes of 60 random bits, written xxxx-xxxx-xxxx", () => {
    const codes = generateRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){2}$/);
  });

  it("are read the way people type them: any case, spaces or dashes, look-alike letters", () => {
    expect(normalizeRecoveryCode(" AB1O-il0x-7zz9 ")).toBe("ab10110x7zz9");
    const userId = "6f1c1e0e-4c4d-4f5e-8a9b-0c1d2e3f4a5b";
    expect(hashRecoveryCode(userId, "ab10-110x-7zz9")).toBe(hashRecoveryCode(userId, "AB1O IL0X 7ZZ9"));
    expect(hashRecoveryCode(userId, "ab10-110x-7zz9")).not.toBe(
      hashRecoveryCode("7f1c1e0e-4c4d-4f5e-8a9b-0c1d2e3f4a5b", "ab10-110x-7zz9"),
    );
  });
});
