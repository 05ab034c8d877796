// A GPT run killed while it checkpoints loses nothing: the real `nnlab gpt train` is SIGKILLed between
// the two renames of its run-directory swap (the NNLAB_TEST_KILL_AT hook of src/io/atomic.ts), when the
// run directory does not exist for a moment; `--resume` must find the complete new version, continue,
// and end bit for bit where an uninterrupted run ends; so must runs killed at the swap's other stage
// and at random moments. Also: files that claim a model bigger than they
// hold, or a GPT too big to train, are refused before anything is allocated.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Rng } from "../../src/core/rng.js";
import { hfConfigFromGpt } from "../../src/models/gpt/config.js";
import { GPT_RUN_FILES } from "../../src/train/gpt-checkpoint.js";
import { nnlab, runKillable, type Exit } from "../helpers.js";

const RUN = ["--iters", "30", "--eval-interval", "10", "--eval-iters", "2", "--n-layer", "1", "--n-embd", "32", "--batch", "4", "--seed", "5"];

/** Runs `nnlab gpt train …args`; kills it with SIGKILL after `killAfterMs` when given. */
function gptTrain(args: string[], env: Record<string, string> = {}, killAfterMs?: number): Promise<Exit> {
  return runKillable(["gpt", "train", ...args], env, killAfterMs);
}

/** The run's files that must match bit for bit (state.json without its per-step timings). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of [GPT_RUN_FILES.model, GPT_RUN_FILES.optimizer]) out[f] = (await readFile(path.join(dir, f))).toString("base64");
  const state = JSON.parse(await readFile(path.join(dir, GPT_RUN_FILES.state), "utf8")) as Record<string, unknown>;
  out.state = JSON.stringify({ iter: state.iter, history: state.history, rng: state.rng, optimizer: state.optimizer });
  return out;
}

let work = "";
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-kill-"));
});
after(() => rm(work, { recursive: true, force: true }));

/** Continues a killed run until it is done: resume it, or start it again when no checkpoint was ever made. */
async function finish(run: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const parent = path.dirname(run);
    const hasRun = existsSync(run) || (await readdir(parent)).some((n) => n.startsWith(`.${path.basename(run)}.`) && n.endsWith(".new"));
    if (hasRun) {
      const state = existsSync(path.join(run, GPT_RUN_FILES.state)) ? (JSON.parse(await readFile(path.join(run, GPT_RUN_FILES.state), "utf8")) as { iter: number }) : null;
      if (state?.iter === 30) return;
    }
    const exit = await gptTrain(hasRun ? ["--resume", run] : [...RUN, "--out", run]);
    assert.equal(exit.code, 0, exit.stderr);
  }
}

let whole = "";
/** The uninterrupted run every killed one must end equal to (made once). */
async function wholeRun(): Promise<string> {
  if (whole) return whole;
  const dir = path.join(work, "whole");
  const done = await gptTrain([...RUN, "--out", dir]);
  assert.equal(done.code, 0, done.stderr);
  return (whole = dir);
}

test("a GPT run killed between the swap's two renames resumes from the new checkpoint and ends bit for bit like an uninterrupted run", { timeout: 300_000 }, async () => {
  const killed = path.join(work, "killed");
  // the 2nd checkpoint write (after step 20), killed with the old version aside and the new one not yet in place
  const exit = await gptTrain([...RUN, "--out", killed], { NNLAB_TEST_KILL_AT: "swap-aside@2" });
  assert.equal(exit.signal, "SIGKILL", `the hook killed it (stderr: ${exit.stderr})`);
  assert.equal(existsSync(killed), false, "killed inside the window: the run directory is missing");
  const pieces = (await readdir(work)).filter((n) => n.startsWith(".killed."));
  assert.ok(pieces.some((n) => n.endsWith(".new")), `the complete new version waits beside it: ${pieces.join(", ")}`);

  const resumed = await gptTrain(["--resume", killed]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual((await readdir(work)).filter((n) => n.startsWith(".killed.")), [], "no leftovers after the resume");
  const state = JSON.parse(await readFile(path.join(killed, GPT_RUN_FILES.state), "utf8")) as { history: { iter: number }[] };
  assert.deepEqual(
    state.history.map((h) => h.iter),
    [0, 10, 20, 30],
    "the resumed run continued from step 20, the checkpoint the kill interrupted",
  );
  assert.deepEqual(await snapshot(killed), await snapshot(await wholeRun()));
});

test("killed at every other stage of a checkpoint write and at seeded random moments, a GPT run still ends bit for bit", { timeout: 600_000 }, async () => {
  const kills: { name: string; env?: Record<string, string>; afterMs?: number }[] = [
    { name: "ready1", env: { NNLAB_TEST_KILL_AT: "swap-ready@1" } },
    { name: "aside1", env: { NNLAB_TEST_KILL_AT: "swap-aside@1" } },
    { name: "ready3", env: { NNLAB_TEST_KILL_AT: "swap-ready@3" } },
  ];
  const rng = new Rng(11);
  for (let i = 0; i < 2; i++) kills.push({ name: `random${i}`, afterMs: 1500 + rng.int(4000) });
  for (const k of kills) {
    const run = path.join(work, k.name);
    const exit = await gptTrain([...RUN, "--out", run], k.env ?? {}, k.afterMs);
    if (k.env) assert.equal(exit.signal, "SIGKILL", `${k.name}: the hook killed it (stderr: ${exit.stderr})`);
    await finish(run);
    assert.deepEqual((await readdir(work)).filter((n) => n.startsWith(`.${k.name}.`)), [], `${k.name}: no leftovers`);
    assert.deepEqual(await snapshot(run), await snapshot(await wholeRun()), `${k.name}: ends bit for bit`);
  }
});

test("a config.json claiming a bigger model than model.safetensors holds is refused before allocating", async () => {
  const dir = path.join(work, "liar");
  await mkdir(dir, { recursive: true });
  const huge = { nLayer: 48, nHead: 25, nEmbd: 1600, blockSize: 1024, vocabSize: 50257, bias: true, dropout: 0, tied: true, gelu: "tanh" as const, layerNormEps: 1e-5 };
  await writeFile(path.join(dir, "config.json"), JSON.stringify(hfConfigFromGpt(huge)));
  await writeFile(path.join(dir, "model.safetensors"), Buffer.from("\x08\x00\x00\x00\x00\x00\x00\x00{}      "));
  const r = await nnlab("gpt", "logits", "--model", dir, "--tokens", "1,2");
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /model\.safetensors: expected at least 6,230,444,800 bytes \(1,557,611,200 float32 parameters, as config\.json describes\), found 16 bytes/);
});

test("a GPT too big to train in the backend's memory is refused before anything is allocated", async () => {
  const r = await nnlab("gpt", "train", "--n-layer", "200", "--n-embd", "4096", "--n-head", "32", "--out", path.join(work, "big"));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /expected a GPT and batch that fit in the \w+ backend's memory .* found 200 layers of width 4096, 40,267,505,664 parameters/);
  assert.equal(existsSync(path.join(work, "big")), false, "nothing written");
});
