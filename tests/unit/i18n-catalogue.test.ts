import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { flattenMessages as flatten } from "~/server/i18n/flatten";
import { LOCALES } from "~/server/i18n/locales";
import { MESSAGES, NAMESPACES } from "~/server/i18n/messages";

/** The arguments a message uses ({name}, {count, plural, …}, <tag>…</tag>), sorted. */
function argumentsOf(message: string): string[] {
  const names = new Set<string>();
  const walk = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
      names.add(element.type === TYPE.tag ? `<${element.value}>` : element.value);
      if (element.type === TYPE.tag) walk(element.children);
      if (element.type === TYPE.plural || element.type === TYPE.select)
        for (const option of Object.values(element.options)) walk(option.value);
    }
  };
  walk(parse(message));
  return [...names].sort();
}

const english = flatten(MESSAGES.en);

describe("the interface's catalogues", () => {
  it("has English strings to translate", () => {
    expect(NAMESPACES.length).toBeGreaterThan(5);
    expect(english.size).toBeGreaterThan(0);
  });

  for (const locale of LOCALES) {
    const catalogue = flatten(MESSAGES[locale]);

    it(`${locale}: has exactly the English keys (none missing, none left over)`, () => {
      expect([...english.keys()].filter((key) => !catalogue.has(key))).toEqual([]);
      expect([...catalogue.keys()].filter((key) => !english.has(key))).toEqual([]);
    });

    it(`${locale}: every message is valid ICU, not empty, and uses the English one's arguments`, () => {
      const wrong: string[] = [];
      for (const [key, message] of catalogue) {
        if (!message.trim()) wrong.push(`${key}: empty`);
        let used: string[];
        try {
          used = argumentsOf(message);
        } catch (error) {
          wrong.push(`${key}: not valid ICU (${String(error)})`);
          continue;
        }
        const source = english.get(key);
        if (source !== undefined && used.join() !== argumentsOf(source).join())
          wrong.push(`${key}: uses {${used.join(", ")}}, English uses {${argumentsOf(source).join(", ")}}`);
      }
      expect(wrong).toEqual([]);
    });
  }
});
