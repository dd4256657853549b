import { describe, expect, it } from "vitest";
import { createGroupCommit } from "./group-commit";

describe("createGroupCommit", () => {
  it("writes a lone item at once, and items arriving during a write together in the next", async () => {
    const batches: number[][] = [];
    const group = createGroupCommit(async (items: number[]) => {
      batches.push(items);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return items.map((item) => item * 10);
    });
    const first = group.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rest = [2, 3, 4].map((item) => group.submit(item));
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("caps a batch at maxBatch", async () => {
    const sizes: number[] = [];
    const group = createGroupCommit(
      async (items: number[]) => {
        sizes.push(items.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return items;
      },
      { maxBatch: 3 },
    );
    await Promise.all(Array.from({ length: 8 }, (_, index) => group.submit(index)));
    expect(sizes).toEqual([3, 3, 2]);
  });

  it("writes items submitted by the continuations of one awaited write together (the first does not go alone)", async () => {
    const batches: string[][] = [];
    const group = createGroupCommit(async (items: string[]) => {
      batches.push(items);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items;
    });
    // Sixteen senders resolved by the same earlier write each record in their own microtask.
    const earlier = Promise.resolve();
    await Promise.all(
      Array.from({ length: 16 }, async (_, index) => {
        await earlier;
        for (let hop = 0; hop < index % 3; hop += 1) await Promise.resolve();
        return group.submit(`sent ${index}`);
      }),
    );
    expect(batches.map((batch) => batch.length)).toEqual([16]);
  });

  it("fails only the bad item when a batch throws, by retrying each alone", async () => {
    const group = createGroupCommit(async (items: string[]) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (items.includes("bad")) throw new Error("cannot store bad");
      return items.map((item) => item.toUpperCase());
    });
    const first = group.submit("a");
    await new Promise((resolve) => setTimeout(resolve, 1));
    const results = await Promise.allSettled(["b", "bad", "c"].map((item) => group.submit(item)));
    expect(await first).toBe("A");
    expect(results.map((result) => (result.status === "fulfilled" ? result.value : String(result.reason)))).toEqual([
      "B",
      "Error: cannot store bad",
      "C",
    ]);
  });
});
