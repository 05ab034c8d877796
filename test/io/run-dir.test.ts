// Run directories (src/io/run-dir.ts): numbered checkpoint folders behind an atomically replaced pointer,
// the leftovers an interrupted save leaves (never read, removed by the next save), older layouts, and
// the recovery of an interrupted directory swap (src/io/atomic.ts).

import assert from "node:assert/strict";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { recoverInterruptedSwap, writeFilesAtomic } from "../../src/io/atomic.js";
import { cleanRunDir, currentRunFiles, isRunDir, RUN_POINTER, writeRunFiles } from "../../src/io/run-dir.js";
import { assertNnlabError, tempDir } from "./helpers.js";

/** A process id above Linux's largest pid_max (2^22), so never a running process. */
const DEAD_PID = 4_194_999;

describe("writeRunFiles", () => {
  it("saves each set of files into a new numbered folder, points at it and keeps the one before", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const run = join(dir, "runs", "a");
      assert.equal(currentRunFiles(run), null);
      for (let i = 1; i <= 3; i++) await writeRunFiles(run, { "x.txt": `v${i}`, "y.bin": () => new Uint8Array([i]) });
      assert.deepEqual((await readdir(run)).sort(), ["checkpoint-000002", "checkpoint-000003", RUN_POINTER]);
      const current = currentRunFiles(run);
      assert.equal(current, join(run, "checkpoint-000003"));
      assert.equal(await readFile(join(current!, "x.txt"), "utf8"), "v3");
      await writeRunFiles(run, { "x.txt": "v4" }, { keepPrevious: false });
      assert.deepEqual((await readdir(run)).sort(), ["checkpoint-000004", RUN_POINTER]);
    } finally {
      await cleanup();
    }
  });

  it("never reads the leftovers of an interrupted save, and the next save removes them", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const run = join(dir, "a");
      await writeRunFiles(run, { "x.txt": "good" });
      // killed in stage 1 (a half-written temp folder), in stage 2 (complete, never made current) and in the pointer's temp file
      await mkdir(join(run, `.checkpoint-000002.${DEAD_PID}-0123456789ab.tmp`));
      await mkdir(join(run, "checkpoint-000003"));
      await writeFile(join(run, "checkpoint-000003", "x.txt"), "never current");
      await writeFile(join(run, `.current.json.${DEAD_PID}-0123456789ab.tmp`), "{");
      assert.equal(await readFile(join(currentRunFiles(run)!, "x.txt"), "utf8"), "good");
      assert.ok(isRunDir(run));
      await writeRunFiles(run, { "x.txt": "next" });
      assert.deepEqual((await readdir(run)).sort(), ["checkpoint-000001", "checkpoint-000004", RUN_POINTER]);
      assert.equal(await readFile(join(currentRunFiles(run)!, "x.txt"), "utf8"), "next");
    } finally {
      await cleanup();
    }
  });

  it("a run whose first save never took effect holds no run, and cleaning leaves it empty", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const run = join(dir, "a");
      await mkdir(join(run, "checkpoint-000001"), { recursive: true });
      assert.equal(currentRunFiles(run), null);
      assert.ok(isRunDir(run));
      await cleanRunDir(run);
      assert.deepEqual(await readdir(run), []);
    } finally {
      await cleanup();
    }
  });

  it("reads a run of the older flat layout and moves it to checkpoint folders on the next save", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const run = join(dir, "old");
      await mkdir(run);
      await writeFile(join(run, "x.txt"), "flat");
      assert.equal(currentRunFiles(run, ["x.txt"]), run);
      await writeRunFiles(run, { "x.txt": "new" }, { legacyFiles: ["x.txt"] });
      assert.deepEqual((await readdir(run)).sort(), ["checkpoint-000001", RUN_POINTER]);
    } finally {
      await cleanup();
    }
  });

  it("refuses a damaged pointer with an NnlabError naming it", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeRunFiles(dir, { "x.txt": "a" });
      await writeFile(join(dir, RUN_POINTER), '{"format": "nnlab-run", "checkpoint": "../../etc"}');
      await assertNnlabError(() => currentRunFiles(dir), RUN_POINTER, "checkpoint-NNNNNN");
      await writeFile(join(dir, RUN_POINTER), '{"format": "nnlab-run", "checkpoint": "checkpoint-000009"}');
      await assertNnlabError(() => currentRunFiles(dir), RUN_POINTER, "missing");
    } finally {
      await cleanup();
    }
  });
});

describe("recoverInterruptedSwap", () => {
  it("renames a complete new version into place when the swap was killed between its renames", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const target = join(dir, "report");
      await writeFilesAtomic(target, { "a.txt": "old" });
      // the state a kill between the two renames leaves: the old version aside, the new one complete
      await mkdir(join(dir, `.report.${DEAD_PID}-aaaaaaaaaaaa.new`));
      await writeFile(join(dir, `.report.${DEAD_PID}-aaaaaaaaaaaa.new`, "a.txt"), "new");
      const { rename } = await import("node:fs/promises");
      await rename(target, join(dir, `.report.${DEAD_PID}-aaaaaaaaaaaa.old`));
      await mkdir(join(dir, `.report.${DEAD_PID}-bbbbbbbbbbbb.tmp`));
      await recoverInterruptedSwap(target);
      assert.deepEqual(await readdir(dir), ["report"]);
      assert.equal(await readFile(join(target, "a.txt"), "utf8"), "new");
    } finally {
      await cleanup();
    }
  });

  it("puts the old version back when no complete new one exists, and leaves live writers' pieces alone", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await mkdir(join(dir, `.report.${DEAD_PID}-aaaaaaaaaaaa.old`));
      await writeFile(join(dir, `.report.${DEAD_PID}-aaaaaaaaaaaa.old`, "a.txt"), "old");
      const live = `.report.${process.pid}-cccccccccccc.tmp`;
      await mkdir(join(dir, live));
      await recoverInterruptedSwap(join(dir, "report"));
      assert.deepEqual((await readdir(dir)).sort(), [live, "report"]);
      assert.equal(await readFile(join(dir, "report", "a.txt"), "utf8"), "old");
    } finally {
      await cleanup();
    }
  });
});
