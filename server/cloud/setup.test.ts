import { describe, expect, it } from "vitest";
import { AppError } from "~/server/errors";
import { describeCheckFailure, generateVerifyToken, ZCloudSetupInput, ZCloudUpdateInput } from "./setup";
import { ZCloudSecrets } from "./config";
import { GraphApiError, GraphUnreachableError } from "./graph";

const graphError = (code: number | null, subcode: number | null = null, title = "Meta's title") =>
  new GraphApiError(400, code, subcode, title, null, null);

describe("Cloud API setup, without a database", () => {
  it("a generated verify token is 32 URL-safe characters, different each time, and valid as a verify token", () => {
    const tokens = new Set(Array.from({ length: 50 }, generateVerifyToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(ZCloudSecrets.shape.verifyToken.safeParse(token).success).toBe(true);
    }
  });

  it.each([
    [graphError(190), "cloudSetup.tokenInvalid", "accessToken"],
    [graphError(10), "cloudSetup.noPermission", null],
    [graphError(200), "cloudSetup.noPermission", null],
    [graphError(100, 33), "cloudSetup.unknownNumber", "phoneNumberId"],
    [graphError(2635), "cloudSetup.versionRefused", "graphVersion"],
    [graphError(2500), "cloudSetup.versionRefused", "graphVersion"],
    [graphError(131000), "cloudSetup.metaRefused", null],
    [new GraphUnreachableError("Meta's Graph API could not be reached (ECONNREFUSED)"), "cloudSetup.unreachable", null],
  ] as const)("a failed check names what is wrong (%#)", (error, key, field) => {
    const described = describeCheckFailure(error, "106540352242922", "v26.0");
    expect(described).toBeInstanceOf(AppError);
    const english = described.message;
    // The key's English, never the raw key: the catalogue has it.
    expect(english).not.toContain(key);
    expect(Object.keys(described.fieldErrors ?? {})).toEqual(field ? [field] : []);
  });

  it("an unreachable Meta gives the reason alone, in the sentence of the reader's language", () => {
    const described = describeCheckFailure(
      new GraphUnreachableError("Meta's Graph API could not be reached (timed out)"),
      "1",
      "v26.0",
    );
    expect(described.message).toBe(
      "Meta could not be reached (timed out). Check this server's internet connection and try again.",
    );
    expect(described.localized("es").message).toMatch(/^No se pudo contactar con Meta \(timed out\)/);
  });

  it("something that is not a Graph failure is not hidden", () => {
    expect(() => describeCheckFailure(new TypeError("bug"), "1", "v26.0")).toThrow("bug");
  });

  it("hostile input is refused by the schemas, not stored: NUL, lone surrogates, a megabyte", () => {
    const base = {
      name: "Bakery",
      engine: "cloud",
      phoneNumberId: "106540352242922",
      businessAccountId: "102290129340398",
      accessToken: "EAAFakeGraphToken0123456789abcdef",
      appSecret: "0123456789abcdef0123456789abcdef",
      verifyToken: "verify-token-1234",
    };
    expect(ZCloudSetupInput.safeParse(base).success).toBe(true);
    for (const [field, value] of [
      ["phoneNumberId", "1065403522\u000042922"],
      ["businessAccountId", "x".repeat(1_000_000)],
      ["accessToken", "a".repeat(1_000_000)],
      ["appSecret", "\ud800".repeat(32)],
      ["verifyToken", "verify\u0000token"],
      ["verifyToken", "verify token with spaces"],
      ["graphVersion", "v26.0/../../me"],
    ] as const)
      expect(ZCloudSetupInput.safeParse({ ...base, [field]: value }).success, field).toBe(false);
  });

  it("in the edit form a blank field means: keep what is stored", () => {
    const parsed = ZCloudUpdateInput.parse({
      id: "00000000-0000-4000-8000-000000000000",
      accessToken: "",
      appSecret: "   ",
      verifyToken: "new-verify-token",
      graphVersion: "",
    });
    expect(parsed).toEqual({ id: "00000000-0000-4000-8000-000000000000", verifyToken: "new-verify-token" });
  });
});
