import { describe, expect, it } from "vitest";
import { describeConditions, type TSummaryWords } from "./condition-summary";

const FACT_LABELS: Record<string, string> = {
  "message.text": "text",
  "contact.tags": "contact tag",
  "contact.relationship": "relationship",
  "time.isBusinessHours": "within business hours",
  "time.hour": "hour",
};
const CHOICES: Record<string, string> = { true: "yes", false: "no", client: "client", family: "family" };

const english: TSummaryWords = {
  fact: (name) => FACT_LABELS[name] ?? name,
  operator: (name) =>
    ({ containsWord: "contains the word", contains: "is", equal: "is", in: "is one of", between: "is between" })[
      name
    ] ?? name,
  choice: (_fact, value) => CHOICES[value] ?? value,
  number: (value) => new Intl.NumberFormat("en").format(value),
  quote: (text) => `“${text}”`,
  leaf: (fact, operator, value) => `${fact} ${operator} ${value}`,
  not: (condition) => `not (${condition})`,
  group: (condition) => `(${condition})`,
  list: (items, type) =>
    new Intl.ListFormat("en", { type: type === "and" ? "conjunction" : "disjunction" }).format(items),
  range: (min, max) => `${min} and ${max}`,
};

describe("describeConditions", () => {
  it("reads a rule's conditions as one line, text values quoted", () => {
    expect(
      describeConditions(
        {
          all: [
            { fact: "message.text", operator: "containsWord", value: "refund" },
            { fact: "contact.tags", operator: "contains", value: "VIP" },
          ],
        },
        english,
      ),
    ).toBe("text contains the word “refund” and contact tag is “VIP”");
  });

  it("names choices and yes/no by their labels, not their stored values", () => {
    expect(
      describeConditions(
        {
          any: [
            { fact: "time.isBusinessHours", operator: "equal", value: false },
            { fact: "contact.relationship", operator: "in", value: ["client", "family"] },
          ],
        },
        english,
      ),
    ).toBe("within business hours is no or relationship is one of client or family");
  });

  it("puts nested groups in parentheses, and a one-condition group without them", () => {
    expect(
      describeConditions(
        {
          all: [
            { any: [{ fact: "message.text", operator: "containsWord", value: "price" }] },
            {
              any: [
                { fact: "time.hour", operator: "between", value: [8, 17] },
                { not: { fact: "time.isBusinessHours", operator: "equal", value: true } },
              ],
            },
          ],
        },
        english,
      ),
    ).toBe("text contains the word “price” and (hour is between 8 and 17 or not (within business hours is yes))");
  });

  it("formats numbers through the caller's number format", () => {
    expect(describeConditions({ all: [{ fact: "time.hour", operator: "equal", value: 1200 }] }, english)).toBe(
      "hour is 1,200",
    );
  });
});
