import { describe, expect, it } from "vitest";
import { classifyGraphError, describeCheckFailure } from "~/server/cloud/errors";
import { GraphApiError, GraphUnreachableError } from "~/server/cloud/graph";

const meta = (code: number | null, title: string, httpStatus = 400, subcode: number | null = null) =>
  new GraphApiError(httpStatus, code, subcode, title, null, "Atrace");

describe("Meta's errors on a send: retry, fail for good, or a refused token", () => {
  it.each([
    [4, "Application request limit reached"],
    [80007, "Rate limit issues"],
    [130429, "Rate limit hit"],
    [131000, "Something went wrong"],
    [131016, "Service unavailable"],
    [131048, "Spam rate limit hit"],
    [131056, "(Business Account, Consumer Account) pair rate limit hit"],
  ])("retries code %i (%s), naming it", (code, title) => {
    const verdict = classifyGraphError(meta(code, title));
    expect(verdict.action).toBe("retry");
    expect(verdict.reason).toContain(`Meta code ${code}: ${title}`);
  });

  it.each([
    [
      131047,
      "Re-engagement message",
      /more than 24 hours since the contact's last message: only a template can reach them/i,
    ],
    [131026, "Message undeliverable", /could not be delivered/],
    [131051, "Unsupported message type", /does not support/],
    [132000, "Number of parameters does not match the expected number of params", /variables do not match/],
    [132001, "Template name does not exist in the translation", /does not exist/],
    [132005, "Translated text too long", /too long/],
    [132007, "Template Format Character Policy Violated", /formatting policy/],
    [132012, "Parameter format does not match format in the created template", /wrong format/],
    [132015, "Template is Paused", /paused/],
    [132016, "Template is Disabled", /disabled/],
    [100, "Invalid parameter", /parameter/],
    [131009, "Parameter value is not valid", /value/],
    [131052, "Media download error", /download/],
    [131053, "Media upload error", /uploaded media/],
    [368, "Temporarily blocked for policies violations", /restricted/],
    [131031, "Account has been locked", /locked/],
  ])("fails code %i (%s) for good, with a reason naming it", (code, title, words) => {
    const verdict = classifyGraphError(meta(code, title));
    expect(verdict.action).toBe("fail");
    expect(verdict.reason).toMatch(words);
    expect(verdict.reason).toContain(`Meta code ${code}: ${title}`);
  });

  it("retries Meta being down or unreachable, and unknown codes only when Meta's side failed", () => {
    expect(
      classifyGraphError(new GraphUnreachableError("Meta's Graph API could not be reached (ECONNREFUSED)")).action,
    ).toBe("retry");
    expect(classifyGraphError(meta(999_999, "New problem", 503)).action).toBe("retry");
    expect(classifyGraphError(meta(999_999, "New problem", 400)).action).toBe("fail");
    expect(classifyGraphError(meta(null, "HTTP 502", 502)).action).toBe("retry");
  });

  it("tells a refused token apart: retried, with the reason for the number's status", () => {
    const verdict = classifyGraphError(meta(190, "Invalid OAuth access token - Cannot parse access token", 401));
    expect(verdict.action).toBe("auth");
    expect(verdict.reason).toMatch(/access token is invalid or expired/);
  });

  it("says exactly what is wrong when the token check fails", () => {
    expect(describeCheckFailure(meta(190, "Error validating access token: Session has expired", 400), "1065")).toMatch(
      /^Meta refused the access token: the access token is invalid or expired/,
    );
    expect(
      describeCheckFailure(meta(100, "Unsupported get request. Object with ID '1065' does not exist", 400, 33), "1065"),
    ).toMatch(/^Meta does not know the phone number ID 1065/);
    expect(
      describeCheckFailure(new GraphUnreachableError("Meta's Graph API could not be reached (ECONNREFUSED)"), "1065"),
    ).toBe("Meta's Graph API is unreachable from this worker (ECONNREFUSED); trying again.");
  });
});
