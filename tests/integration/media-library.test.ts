import { Readable } from "node:stream";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { events } from "~/db/schema";
import { createCaller } from "~/server/api/root";
import { intakeMedia } from "~/server/media/intake";
import { MEDIA_PRUNE_EVENT } from "~/server/media/library";
import { createFsMediaStore } from "~/server/media/store-fs";
import { insertUser } from "../support/database";
import { pngBytes } from "../support/media-fixtures";
import { usePreparedDatabase } from "../support/pipeline";
import { testContext } from "../support/trpc-context";

async function setup() {
  const database = await usePreparedDatabase();
  const store = createFsMediaStore(await mkdtemp(path.join(tmpdir(), "switchboard-media-library-")));
  const photo = await pngBytes(32, 32);
  const { sha256, size } = await intakeMedia(database.db, store, Readable.from([photo]), { kind: "image" });
  const admin = await insertUser(database.db, "admin", { name: "Ada Admin" });
  const builder = await insertUser(database.db, "builder");
  return {
    ...database,
    sha256,
    size,
    admin: createCaller(testContext({ db: database.db, user: admin })),
    builder: createCaller(testContext({ db: database.db, user: builder })),
  };
}

describe("the media library (Settings → Media)", () => {
  it("[admin] adds a stored file under a name, lists it with who added it, renames it", async () => {
    const { admin, builder, sha256, size } = await setup();
    const created = await admin.media.createAsset({ sha256, name: "Opening hours", kind: "image" });
    expect(created).toMatchObject({ name: "Opening hours", kind: "image", mimeType: "image/png", size });

    const [listed] = await admin.media.assets();
    expect(listed).toMatchObject({
      id: created.id,
      name: "Opening hours",
      kind: "image",
      createdBy: { name: "Ada Admin" },
      usedBy: { published: [], draft: [] },
    });
    // Rule builders read the library (the reply's file picker) but do not change it.
    expect(await builder.media.assets()).toHaveLength(1);
    await expect(builder.media.renameAsset({ id: created.id, name: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });

    await admin.media.renameAsset({ id: created.id, name: "Hours (winter)" });
    expect((await admin.media.assets())[0]?.name).toBe("Hours (winter)");
    // Names are unique whatever their case.
    await expect(admin.media.createAsset({ sha256, name: "HOURS (WINTER)", kind: "document" })).rejects.toThrow(
      "Another file of the library already has this name.",
    );
  });

  it("refuses a file that is not stored, or whose real type does not fit the kind", async () => {
    const { admin, sha256 } = await setup();
    await expect(admin.media.createAsset({ sha256: "f".repeat(64), name: "Ghost", kind: "image" })).rejects.toThrow(
      "This file is not in the media store; upload it again.",
    );
    await expect(admin.media.createAsset({ sha256, name: "Song", kind: "voice" })).rejects.toThrow(
      "This file (image/png) cannot be sent as a voice message.",
    );
  });

  it("refuses to delete a file a published rule sends, naming the rule; deletes it once no published rule does", async () => {
    const { admin, builder, sha256 } = await setup();
    const asset = await admin.media.createAsset({ sha256, name: "Menu", kind: "image" });
    const rule = await builder.rules.create({
      name: "Menu please",
      conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "menu" }] },
      actions: [{ type: "reply", text: "Our menu", mediaAssetId: asset.id }],
    });
    await builder.rules.publish({ note: "menu" });
    expect((await admin.media.assets())[0]?.usedBy).toEqual({ published: ["Menu please"], draft: ["Menu please"] });

    await expect(admin.media.deleteAsset({ id: asset.id })).rejects.toThrow(
      "The published rule “Menu please” sends this file: change the rule and publish before deleting the file.",
    );
    await builder.rules.update({
      id: rule.id,
      rule: {
        name: "Menu please",
        conditions: { all: [{ fact: "message.text", operator: "containsWord", value: "menu" }] },
        actions: [{ type: "reply", text: "Our menu is on the website" }],
      },
    });
    await builder.rules.publish({ note: "no file" });
    await admin.media.deleteAsset({ id: asset.id });
    expect(await admin.media.assets()).toEqual([]);
  });

  it("shows the storage used and the last prune", async () => {
    const { admin, db, size } = await setup();
    expect(await admin.media.storage()).toMatchObject({ files: 1, bytes: size, lastPrune: null });
    await db.insert(events).values({ type: MEDIA_PRUNE_EVENT, payload: { files: 3, bytes: 4_096 } });
    expect((await admin.media.storage()).lastPrune).toMatchObject({ files: 3, bytes: 4_096 });
  });
});
