import { describe, expect, it } from "vitest";
import { readDraft, type TDraftStorage, writeDraft } from "./drafts";

function memoryStorage(): TDraftStorage & { size: () => number } {
  const items = new Map<string, string>();
  return {
    getItem: (name) => items.get(name) ?? null,
    setItem: (name, value) => void items.set(name, value),
    removeItem: (name) => void items.delete(name),
    size: () => items.size,
  };
}

describe("inbox drafts", () => {
  it("keeps a draft per person and conversation, and forgets it when emptied", () => {
    const storage = memoryStorage();
    writeDraft(storage, "ana", "t1", "Your order leaves");
    writeDraft(storage, "ana", "t2", "Hello");
    expect(readDraft(storage, "ana", "t1")).toBe("Your order leaves");
    expect(readDraft(storage, "ana", "t2")).toBe("Hello");
    // Someone else signing in in the same tab sees nothing of Ana's.
    expect(readDraft(storage, "bo", "t1")).toBe("");
    writeDraft(storage, "ana", "t1", "   ");
    expect(readDraft(storage, "ana", "t1")).toBe("");
    expect(storage.size()).toBe(1);
  });

  it("works without storage, and when the storage refuses", () => {
    expect(readDraft(null, "ana", "t1")).toBe("");
    writeDraft(null, "ana", "t1", "x");
    const refusing: TDraftStorage = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
      removeItem: () => undefined,
    };
    expect(() => writeDraft(refusing, "ana", "t1", "x")).not.toThrow();
    expect(readDraft(refusing, "ana", "t1")).toBe("");
  });
});
