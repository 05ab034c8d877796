// Atomic file and directory writes: contents, no temp leftovers, and failures that keep the old version.

import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ensureDir, writeFileAtomic, writeFilesAtomic } from "../../src/io/atomic.js";
import { assertNnlabError, tempDir } from "./helpers.js";

describe("writeFileAtomic", () => {
  it("writes bytes and strings, replaces the old file and leaves no temp file", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const file = join(dir, "a.bin");
      await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
      assert.deepEqual([...(await readFile(file))], [1, 2, 3]);
      await writeFileAtomic(file, "héllo");
      assert.equal(await readFile(file, "utf8"), "héllo");
      await writeFileAtomic(file, () => new Uint8Array([9]));
      await writeFileAtomic(file, async () => new Uint8Array([7, 7]));
      assert.deepEqual([...(await readFile(file))], [7, 7]);
      assert.deepEqual(await readdir(dir), ["a.bin"]);
    } finally {
      await cleanup();
    }
  });

  it("keeps the old file when the data function throws, and rethrows its error unchanged", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const file = join(dir, "model.json");
      await writeFileAtomic(file, "old");
      const boom = new Error("encoder failed");
      await assert.rejects(writeFileAtomic(file, () => { throw boom; }), (err) => err === boom);
      assert.equal(await readFile(file, "utf8"), "old");
      assert.deepEqual(await readdir(dir), ["model.json"]);
    } finally {
      await cleanup();
    }
  });

  it("fails with an NnlabError naming the path when the directory is missing or a file is in the way", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await assertNnlabError(() => writeFileAtomic(join(dir, "nope", "x.bin"), "x"), join(dir, "nope", "x.bin"), "no such directory");
      await writeFile(join(dir, "plain"), "file");
      await assertNnlabError(() => writeFileAtomic(join(dir, "plain", "x.bin"), "x"), "plain/x.bin", "not a directory");
      await mkdir(join(dir, "sub"));
      await assertNnlabError(() => writeFileAtomic(join(dir, "sub"), "x"), "a directory");
      assert.deepEqual((await readdir(dir)).sort(), ["plain", "sub"]);
      assert.deepEqual(await readdir(join(dir, "sub")), []);
    } finally {
      await cleanup();
    }
  });
});

describe("writeFilesAtomic", () => {
  it("creates a directory of files (and missing parents), then replaces it as a whole", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ckpt = join(dir, "runs", "mnist", "checkpoint");
      await writeFilesAtomic(ckpt, { "config.json": "{}", "model.safetensors": new Uint8Array([1, 2]), "state.json": () => "{\"step\":1}" });
      assert.deepEqual((await readdir(ckpt)).sort(), ["config.json", "model.safetensors", "state.json"]);
      assert.equal(await readFile(join(ckpt, "state.json"), "utf8"), "{\"step\":1}");

      await writeFilesAtomic(ckpt, { "config.json": "{\"v\":2}", "model.safetensors": new Uint8Array([3]) });
      assert.deepEqual((await readdir(ckpt)).sort(), ["config.json", "model.safetensors"], "old files are gone");
      assert.equal(await readFile(join(ckpt, "config.json"), "utf8"), "{\"v\":2}");
      assert.deepEqual(await readdir(join(dir, "runs", "mnist")), ["checkpoint"], "no temp or old dirs left");
    } finally {
      await cleanup();
    }
  });

  it("leaves the previous version intact when a file fails midway", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ckpt = join(dir, "checkpoint");
      await writeFilesAtomic(ckpt, { "a.txt": "old a", "b.txt": "old b" });
      const boom = new Error("out of memory while encoding");
      await assert.rejects(
        writeFilesAtomic(ckpt, { "a.txt": "new a", "b.txt": () => { throw boom; }, "c.txt": "new c" }),
        (err) => err === boom,
      );
      assert.deepEqual((await readdir(ckpt)).sort(), ["a.txt", "b.txt"]);
      assert.equal(await readFile(join(ckpt, "a.txt"), "utf8"), "old a");
      assert.equal(await readFile(join(ckpt, "b.txt"), "utf8"), "old b");
      assert.deepEqual(await readdir(dir), ["checkpoint"], "the temp dir is removed");
    } finally {
      await cleanup();
    }
  });

  it("refuses a target that is a file and parents that cannot be created, with NnlabErrors", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, "taken"), "a file");
      await assertNnlabError(() => writeFilesAtomic(join(dir, "taken"), { "a.txt": "a" }), "taken", "found a file");
      assert.equal(await readFile(join(dir, "taken"), "utf8"), "a file");
      await assertNnlabError(() => writeFilesAtomic(join(dir, "taken", "sub", "ckpt"), { "a.txt": "a" }), "taken/sub");
      assert.deepEqual(await readdir(dir), ["taken"]);
    } finally {
      await cleanup();
    }
  });

  it("rejects file names with folders (a bug in the caller)", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await assert.rejects(writeFilesAtomic(join(dir, "c"), { "../evil": "x" }), TypeError);
      await assert.rejects(writeFilesAtomic(join(dir, "c"), { "": "x" }), TypeError);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await cleanup();
    }
  });

  it("handles concurrent writers to the same directory: one complete version wins", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ckpt = join(dir, "ckpt");
      const writes = [1, 2, 3, 4].map((v) => writeFilesAtomic(ckpt, { "v.txt": String(v), "w.txt": String(v) }).catch(() => undefined));
      await Promise.all(writes);
      const v = await readFile(join(ckpt, "v.txt"), "utf8");
      assert.equal(await readFile(join(ckpt, "w.txt"), "utf8"), v, "both files come from the same write");
    } finally {
      await cleanup();
    }
  });
});

describe("ensureDir", () => {
  it("creates nested directories, accepts existing ones, and names a file in the way", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await ensureDir(join(dir, "a", "b"));
      await ensureDir(join(dir, "a", "b"));
      assert.deepEqual(await readdir(join(dir, "a")), ["b"]);
      await writeFile(join(dir, "f"), "x");
      await assertNnlabError(() => ensureDir(join(dir, "f")), join(dir, "f"));
    } finally {
      await cleanup();
    }
  });
});
