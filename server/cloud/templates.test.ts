import { describe, expect, it } from "vitest";
import { EXAMPLE_TEMPLATES } from "~/tests/support/fake-graph-server";
import type { TStoredTemplateComponent } from "~/db/schema";
import { fillVariables, templateShape } from "./templates";

const components = (name: string) =>
  EXAMPLE_TEMPLATES.find((template) => template.name === name)!.components as TStoredTemplateComponent[];

describe("template shapes, as the Templates page previews them", () => {
  it("order_update: a text header with a variable, a body with three, a footer, a URL button with one", () => {
    const shape = templateShape(components("order_update"));
    expect(shape.header).toEqual({ format: "TEXT", text: "Order {{1}}", variables: 1 });
    expect(shape.body.variables).toBe(3);
    expect(shape.footer).toBe("Reply STOP to opt out");
    expect(shape.buttons.map((button) => [button.type, button.variables])).toEqual([
      ["URL", 1],
      ["QUICK_REPLY", 0],
    ]);
  });

  it("a header file has no variables; a template with none needs no fields", () => {
    expect(templateShape(components("menu_photo")).header).toEqual({ format: "IMAGE", variables: 0 });
    const hello = templateShape(components("hello_world"));
    expect(hello.body.variables + (hello.header?.variables ?? 0) + hello.buttons.length).toBe(0);
  });

  it("filling leaves a variable without a value as it is, so the preview shows what is left", () => {
    const body = templateShape(components("order_update")).body.text;
    expect(fillVariables(body, ["Ana", "#1042"])).toBe("Hi Ana, your order #1042 is on its way and arrives {{3}}.");
    expect(fillVariables(body, ["Ana", undefined as unknown as string, "today"])).toBe(
      "Hi Ana, your order {{2}} is on its way and arrives today.",
    );
  });
});
