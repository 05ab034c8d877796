// What `nnlab train mnist` refuses before it trains or allocates, with one line and exit code 2: sizes that
// cannot fit in memory, every damaged field of a saved run's config.json, state.json and optimizer file,
// a resume on another backend or with nothing left to train, an unwritable --out; and a run whose cost
// turns NaN stops naming the step and keeps its last good checkpoint.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encodeSafetensors } from "../../src/io/safetensors.js";
import { currentRunFiles } from "../../src/io/run-dir.js";
import { init } from "../../src/backend/index.js";
import { loadMnist } from "../../src/data/mnist.js";
import { FILES, loadRunConfig } from "../../src/train/checkpoint.js";
import { prepareRun } from "../../src/train/run.js";
import { assertNnlabError } from "../io/helpers.js";
import { nnlab } from "../helpers.js";

const QUICK = ["--train-limit", "200", "--test-limit", "50"];
let dir = "";
/** A finished one-epoch Adam run (modern preset, small) and a two-epoch plain-SGD run on the js backend. */
let adamRun = "";
let jsRun = "";

/** Expects exit code 2 with one line on stderr that contains every part. */
async function refused(args: string[], ...parts: string[]): Promise<string> {
  const r = await nnlab(...args);
  assert.equal(r.code, 2, `nnlab ${args.join(" ")} should exit 2; stderr: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  const lines = r.stderr.trim().split("\n").filter((l) => l.startsWith("nnlab: ")); // (a progress bar may precede it)
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  for (const p of parts) assert.ok(lines[0].includes(p), `"${lines[0]}" should mention "${p}"`);
  return lines[0];
}

/** A copy of `run` whose current checkpoint's `file` is changed by `edit`. */
async function tampered(run: string, name: string, file: string, edit: (text: string) => string | Uint8Array): Promise<string> {
  const copy = path.join(dir, name);
  await cp(run, copy, { recursive: true });
  const target = path.join(currentRunFiles(copy)!, file);
  await writeFile(target, edit(await readFile(target, "utf8")));
  return copy;
}

function editJson(change: (v: Record<string, any>) => void): (text: string) => string {
  return (text) => {
    const v = JSON.parse(text) as Record<string, any>;
    change(v);
    return JSON.stringify(v);
  };
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-validate-"));
  adamRun = path.join(dir, "adam");
  jsRun = path.join(dir, "js");
  const a = await nnlab("train", "mnist", "--preset", "modern", "--hidden", "8", "--epochs", "1", ...QUICK, "--out", adamRun);
  assert.equal(a.code, 0, a.stderr);
  const b = await nnlab("train", "mnist", "--epochs", "1", ...QUICK, "--backend", "js", "--out", jsRun);
  assert.equal(b.code, 0, b.stderr);
});
after(() => rm(dir, { recursive: true, force: true }));

test("sizes that cannot fit in memory are refused before anything is allocated", async () => {
  await refused(["train", "mnist", "--hidden", "100000,100000"], "--hidden 100000,100000", "GiB", "smaller hidden layers");
  await refused(["train", "mnist", "--hidden", "100000,100000", "--backend", "js"], "--hidden", "js backend");
  const huge = await tampered(adamRun, "huge", FILES.config, editJson((v) => (v.config.model.sizes = [784, 200000, 200000, 10])));
  await refused(["info", "--model", huge], "config.json", "GiB");
});

test("every field of a saved run's config.json is checked", async () => {
  const nullModel = await tampered(adamRun, "null-model", FILES.config, editJson((v) => (v.config.model = null)));
  await refused(["train", "mnist", "--resume", nullModel, "--epochs", "2"], "config.json: model", "null");
  await refused(["eval", "--model", nullModel], "config.json: model");
  const lr = await tampered(adamRun, "string-lr", FILES.config, editJson((v) => (v.config.lr = "0.1")));
  await refused(["info", "--model", lr], "config.json: lr", '"0.1"');
  const notObject = await tampered(adamRun, "array-config", FILES.config, editJson((v) => (v.config = [1])));
  await refused(["info", "--model", notObject], "config.json: config", "an object");
});

test("every field of state.json is checked before a resume", async () => {
  await init();
  const data = await loadMnist();
  const cases: [string, (v: Record<string, any>) => void, string][] = [
    ["rng-strings", (v) => (v.rng.s = ["1", "2", "3", "4"]), "rng.s[0]"],
    ["epoch-negative", (v) => (v.epoch = -3), "epoch"],
    ["history-malformed", (v) => (v.history = [{ epoch: 1, train_cost: "x" }]), "history[0].train_cost"],
    ["history-short", (v) => (v.history = []), "history"],
    ["step-wrong", (v) => (v.optimizer.step += 1), "optimizer.step"],
  ];
  for (const [name, change, part] of cases) {
    const run = await tampered(adamRun, name, FILES.state, editJson(change));
    const config = { ...(await loadRunConfig(run)), epochs: 2 };
    await assertNnlabError(() => prepareRun(config, data, { resumeFrom: run, outDir: run }), `state.json: ${part}`);
  }
});

test("an Adam run with an empty optimizer file, or a config.json whose optimizer was changed, is refused", async () => {
  const empty = await tampered(adamRun, "empty-moments", FILES.optimizer, () => encodeSafetensors({}));
  await refused(["train", "mnist", "--resume", empty, "--epochs", "2"], "optimizer.safetensors", "adam moments", "0 tensors");
  const changed = await tampered(adamRun, "changed-optimizer", FILES.config, editJson((v) => (v.config.optimizer = "sgd")));
  await refused(["train", "mnist", "--resume", changed, "--epochs", "2"], "optimizer", "sgd");
  // a run saved before state.json recorded its optimizer is still checked through its moments
  const legacy = await tampered(changed, "changed-optimizer-legacy", FILES.state, editJson((v) => {
    delete v.optimizer.name;
    delete v.config_sha256;
  }));
  await refused(["train", "mnist", "--resume", legacy, "--epochs", "2"], "optimizer.safetensors", "no tensors");
});

test("a resume runs on the backend the run trained on, and refuses another", async () => {
  const state = JSON.parse(await readFile(path.join(currentRunFiles(jsRun)!, FILES.state), "utf8")) as { backend: string };
  assert.equal(state.backend, "js");
  await refused(["train", "mnist", "--resume", jsRun, "--epochs", "2", "--backend", "wasm"], "--backend wasm", "(js)");
  const r = await nnlab("train", "mnist", "--resume", jsRun, "--epochs", "2", "--json");
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { backend: string }).backend, "js");
});

test("a resume with nothing left to train, and an unwritable --out, are refused before training", async () => {
  const y = path.join(dir, "never");
  await refused(["train", "mnist", "--resume", adamRun, "--epochs", "1", "--out", y], "--epochs 1", "already saved");
  assert.equal(existsSync(y), false);
  const file = path.join(dir, "a-file");
  await writeFile(file, "x");
  const line = await refused(["train", "mnist", ...QUICK, "--epochs", "1", "--out", path.join(file, "run")], "--out", "a-file");
  assert.doesNotMatch(line, /epoch 1/);
});

test("a cost that turns NaN stops the run naming the step and the learning rate, keeping the last good checkpoint", async () => {
  const run = path.join(dir, "diverged");
  const args = ["train", "mnist", "--activation", "relu", "--cost", "cross-entropy", "--lr", "1000", "--batch", "1", "--train-limit", "5", "--test-limit", "20", "--epochs", "6", "--out", run];
  const line = await refused(args, "diverged", "NaN", "step 6", "epoch 2", "--lr 1000", "after epoch 1");
  assert.match(line, /learning rate/);
  const state = JSON.parse(await readFile(path.join(currentRunFiles(run)!, FILES.state), "utf8")) as { epoch: number };
  assert.equal(state.epoch, 1);
  const info = await nnlab("info", "--model", run);
  assert.equal(info.code, 0, info.stderr);
});
