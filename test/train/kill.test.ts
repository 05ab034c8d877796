// Kill tests: the real `nnlab train mnist` is SIGKILLed between every two steps of a checkpoint write
// (the NNLAB_TEST_KILL_AT hook of src/io/atomic.ts) and at seeded random moments; each time the runs
// folder must list no leftover as a run, and resuming must end bit-identical to an uninterrupted run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Rng } from "../../src/core/rng.js";
import { currentRunFiles } from "../../src/io/run-dir.js";
import { listRuns } from "../../src/server/routes.js";
import { FILES } from "../../src/train/checkpoint.js";
import { runKillable, type Exit } from "../helpers.js";

const QUICK = ["--train-limit", "300", "--test-limit", "50", "--epochs", "3", "--seed", "7"];

/** Runs `nnlab train mnist …args`; kills it with SIGKILL after `killAfterMs` when given. */
function train(args: string[], env: Record<string, string> = {}, killAfterMs?: number): Promise<Exit> {
  return runKillable(["train", "mnist", ...args], env, killAfterMs);
}

/** The bytes of each file of a run's current checkpoint; state.json without its timings. */
async function snapshot(run: string): Promise<Record<string, string>> {
  const folder = currentRunFiles(run);
  assert.ok(folder, `${run} has no current checkpoint`);
  const out: Record<string, string> = {};
  for (const f of Object.values(FILES)) out[f] = (await readFile(path.join(folder, f))).toString("base64");
  const state = JSON.parse(await readFile(path.join(folder, FILES.state), "utf8")) as { history: { seconds: number }[] };
  for (const h of state.history) h.seconds = 0;
  out[FILES.state] = JSON.stringify(state);
  return out;
}

/** What a reader of the runs folder sees: the served listing holds `name` once the first checkpoint is complete, else nothing, never a leftover. */
async function assertListing(runs: string, name: string): Promise<boolean> {
  const listed = (await listRuns(runs)).map((r) => r.name);
  const complete = currentRunFiles(path.join(runs, name)) !== null;
  assert.deepEqual(listed, complete ? [name] : [], `listing after a kill: ${JSON.stringify(listed)}`);
  return complete;
}

/** Epochs completed by a run's current checkpoint (0 without one). */
async function epochsDone(run: string): Promise<number> {
  const folder = currentRunFiles(run);
  return folder ? (JSON.parse(await readFile(path.join(folder, FILES.state), "utf8")) as { epoch: number }).epoch : 0;
}

/** The arguments that continue a killed run: resume it, or start it again when no checkpoint was ever completed; null when it is done. */
async function continuation(runs: string, name: string): Promise<string[] | null> {
  const run = path.join(runs, name);
  const complete = await assertListing(runs, name);
  if (!complete) return [...QUICK, "--out", run];
  return (await epochsDone(run)) < 3 ? ["--resume", run] : null;
}

/** Resumes (or restarts) a killed run until it finishes on its own. */
async function finish(runs: string, name: string): Promise<void> {
  const args = await continuation(runs, name);
  if (!args) return;
  const r = await train(args);
  assert.equal(r.code, 0, r.stderr);
}

// Each write of three epochs' checkpoints passes these stages (io/run-dir.ts): the temp folder made, each
// of the four files written, the folder renamed into place, the pointer's temp file synced, the pointer
// replaced. `@N` counts across the run, so `@2` is the second epoch's write (and `checkpoint-file@6` its
// second file); `@1` stops the very first write, before any checkpoint exists.
let reference: Promise<{ expected: Record<string, string>; ms: number }> | undefined;

/** The uninterrupted run both tests compare with (trained once), and its wall time. */
function uninterrupted(): Promise<{ expected: Record<string, string>; ms: number }> {
  reference ??= (async () => {
    const runs = await mkdtemp(path.join(tmpdir(), "nnlab-kill-ref-"));
    try {
      const started = performance.now();
      const whole = await train([...QUICK, "--out", path.join(runs, "whole")]);
      assert.equal(whole.code, 0, whole.stderr);
      return { expected: await snapshot(path.join(runs, "whole")), ms: performance.now() - started };
    } finally {
      await rm(runs, { recursive: true, force: true });
    }
  })();
  return reference;
}

const STAGES = [
  "checkpoint-started@1",
  "checkpoint-renamed@1",
  "checkpoint-started@2",
  "checkpoint-file@6",
  "checkpoint-renamed@2",
  "file-synced@2",
  "checkpoint-current@2",
  "checkpoint-current@3",
];

test("a run SIGKILLed at every stage of a checkpoint write resumes to the bit-identical result, and no leftover is listed", async () => {
  const runs = await mkdtemp(path.join(tmpdir(), "nnlab-kill-"));
  try {
    const { expected } = await uninterrupted();
    for (const stage of STAGES) {
      const name = `at-${stage.replace("@", "-")}`;
      const killed = await train([...QUICK, "--out", path.join(runs, name)], { NNLAB_TEST_KILL_AT: stage });
      assert.equal(killed.signal, "SIGKILL", `${stage}: the hook did not fire (exit ${killed.code}: ${killed.stderr})`);
      await finish(runs, name);
      assert.deepEqual(await snapshot(path.join(runs, name)), expected, `${stage}: resumed run differs`);
      await rm(path.join(runs, name), { recursive: true });
    }
  } finally {
    await rm(runs, { recursive: true, force: true });
  }
});

test("a run SIGKILLed at seeded random moments resumes to the bit-identical result, and no leftover is listed", async () => {
  const runs = await mkdtemp(path.join(tmpdir(), "nnlab-kill-"));
  try {
    const { expected, ms: span } = await uninterrupted(); // span: one whole run's wall time on this machine
    const rng = new Rng(2026);
    const RANDOM = () => rng.nextUint32() / 2 ** 32;
    const run = path.join(runs, "random");
    let kills = 0;
    for (let attempt = 0; attempt < 12; attempt++) {
      const args = await continuation(runs, "random");
      if (!args) break; // killed after its last checkpoint took effect
      const r = await train(args, {}, attempt < 8 ? RANDOM() * span : undefined);
      if (r.signal === "SIGKILL") {
        kills++;
        continue;
      }
      assert.equal(r.code, 0, r.stderr);
      break;
    }
    assert.ok(kills >= 1, "at least one kill landed before the run finished");
    assert.deepEqual(await snapshot(run), expected);
  } finally {
    await rm(runs, { recursive: true, force: true });
  }
});

test("the served listing skips the pieces an older nnlab's interrupted swap left beside a run", async () => {
  const runs = await mkdtemp(path.join(tmpdir(), "nnlab-kill-"));
  try {
    for (const piece of [".mnist.123-0123456789ab.old", ".mnist.123-0123456789ab.tmp"]) {
      await mkdir(path.join(runs, piece));
      for (const f of Object.values(FILES)) await writeFile(path.join(runs, piece, f), "{}");
    }
    assert.deepEqual(await listRuns(runs), []);
  } finally {
    await rm(runs, { recursive: true, force: true });
  }
});
