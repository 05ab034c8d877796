// The nnlab command end to end: the real binary (bin/nnlab.js) in a child process, real MNIST, real
// files in a temp folder. Checks the JSON contracts of train/eval/predict/info/selftest and that bad
// input gives one clear line and exit code 2, without a stack trace and without touching saved runs.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, mkdir, readFile, readdir, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadMnist } from "../../src/data/mnist.js";
import { encodePng } from "../../src/data/png.js";
import { currentRunFiles } from "../../src/io/run-dir.js";
import { nnlab, REFERENCE_FILE } from "../helpers.js";

/** Runs `nnlab …args --json`, expects exit code 0 and exactly one JSON object on stdout. */
async function nnlabJson(...args: string[]): Promise<Record<string, unknown>> {
  const r = await nnlab(...args, "--json");
  assert.equal(r.code, 0, `nnlab ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Expects a user error: exit code 2, one line on stderr containing every part, no stack trace. */
async function expectUserError(args: string[], ...parts: string[]): Promise<string> {
  const r = await nnlab(...args);
  assert.equal(r.code, 2, `nnlab ${args.join(" ")} should exit 2; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], /^nnlab: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace without --debug");
  for (const p of parts) assert.ok(lines[0].includes(p), `"${lines[0]}" should mention "${p}"`);
  return lines[0];
}

let dir = "";
let model = "";

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-cli-"));
  model = path.join(dir, "modern");
});
after(() => rm(dir, { recursive: true, force: true }));

describe("train, info, eval, predict on one trained model", () => {
  test("train mnist --json reports the run and saves a checkpoint", async () => {
    const lesson = await nnlabJson("train", "mnist", "--epochs", "2", "--train-limit", "3000", "--test-limit", "1000", "--out", path.join(dir, "lesson"));
    assert.equal(lesson.preset, "3b1b");
    assert.equal(lesson.parameters, 13002);
    assert.equal(lesson.epochs, 2);
    const history = lesson.history as { epoch: number; train_cost: number; test_accuracy: number; seconds: number }[];
    assert.deepEqual(history.map((h) => h.epoch), [1, 2]);
    assert.ok(history[1].train_cost < history[0].train_cost, "cost falls from epoch 1 to 2");
    assert.ok(history.every((h) => h.seconds > 0));
    assert.equal(lesson.test_accuracy, history[1].test_accuracy);
    assert.equal(lesson.best_test_accuracy, Math.max(...history.map((h) => h.test_accuracy)));
    assert.ok((lesson.test_accuracy as number) > 0.5, `3,000 images, 2 epochs: ${lesson.test_accuracy}`);
    assert.equal(lesson.model_dir, path.join(dir, "lesson"));

    const modern = await nnlabJson("train", "mnist", "--preset", "modern", "--hidden", "64", "--epochs", "1", "--train-limit", "10000", "--out", model);
    assert.equal(modern.parameters, 784 * 64 + 64 + 64 * 10 + 10);
    assert.ok((modern.test_accuracy as number) > 0.85, `modern, 10,000 images: ${modern.test_accuracy}`);
    assert.deepEqual((await readdir(currentRunFiles(model)!)).sort(), ["config.json", "model.safetensors", "optimizer.safetensors", "state.json"]);
  });

  test("info lists the layers and counts 13,002 parameters for the lesson's network", async () => {
    const info = await nnlabJson("info", "--model", path.join(dir, "lesson"));
    assert.equal(info.parameters, 13002);
    assert.deepEqual(info.sizes, [784, 16, 16, 10]);
    const layers = info.layers as { name: string; shape: number[] }[];
    assert.deepEqual(layers.map((l) => l.name), ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"]);
    assert.deepEqual(layers[0].shape, [16, 784]);
    const text = await nnlab("info", "--model", path.join(dir, "lesson"));
    assert.match(text.stdout, /parameters: 13,002/);
  });

  test("eval gives the test accuracy and a confusion matrix that adds up", async () => {
    const e = await nnlabJson("eval", "--model", model);
    const confusion = e.confusion as number[][];
    assert.equal(confusion.length, 10);
    assert.ok(confusion.every((row) => row.length === 10));
    assert.equal(confusion.flat().reduce((s, n) => s + n, 0), 10000);
    const diagonal = confusion.reduce((s, row, i) => s + row[i], 0);
    assert.equal(e.correct, diagonal);
    assert.equal(e.test_accuracy, diagonal / 10000);
  });

  test("predict reads digits from PNG photos of paper (dark ink, any size)", async () => {
    const { test: testSet } = await loadMnist();
    let right = 0;
    const picks = [0, 1, 2, 3, 4, 5, 6, 7];
    for (const k of picks) {
      // the MNIST digit, enlarged 4× with nearest neighbour, dark ink on a white 150×120 page
      const page = new Float32Array(150 * 120).fill(1);
      for (let y = 0; y < 112; y++) for (let x = 0; x < 112; x++) page[(y + 4) * 150 + x + 20] = 1 - testSet.images[k * 784 + (y >> 2) * 28 + (x >> 2)];
      const file = path.join(dir, `digit-${k}.png`);
      await writeFile(file, encodePng(page, 150, 120));
      const p = await nnlabJson("predict", "--model", model, file);
      const activations = p.activations as number[];
      assert.equal(activations.length, 10);
      assert.equal(p.digit, activations.indexOf(Math.max(...activations)));
      assert.ok(Math.abs(activations.reduce((s, a) => s + a, 0) - 1) < 1e-4, "softmax outputs sum to 1");
      assert.equal(p.inverted, true);
      if (p.digit === testSet.labels[k]) right++;
    }
    assert.ok(right >= picks.length - 1, `${right} of ${picks.length} digits read correctly`);
  });

  test("--resume continues a run to more epochs", async () => {
    const r = await nnlabJson("train", "mnist", "--resume", path.join(dir, "lesson"), "--epochs", "3");
    assert.deepEqual((r.history as { epoch: number }[]).map((h) => h.epoch), [1, 2, 3]);
    const state = JSON.parse(await readFile(path.join(currentRunFiles(path.join(dir, "lesson"))!, "state.json"), "utf8")) as { epoch: number };
    assert.equal(state.epoch, 3);
  });
});

describe("selftest", () => {
  test("passes every PyTorch reference case and reports the errors as JSON", async () => {
    const r = await nnlabJson("selftest", "--reference", REFERENCE_FILE);
    assert.equal(r.cases, 81);
    assert.deepEqual(r.failed, []);
    assert.ok((r.max_abs_error as number) < 1e-4 && (r.max_rel_error as number) < 1e-3);
  });

  test("exits 1 and names the op when a case fails", async () => {
    const ref = JSON.parse(await readFile(REFERENCE_FILE, "utf8")) as { cases: { op: string; output: { data: number[] } }[] };
    const exp = ref.cases.find((c) => c.op === "exp");
    assert.ok(exp);
    // the reference output shifted by 1: any correct exp must now fail
    const bad = { ...ref, cases: [{ ...exp, output: { ...exp.output, data: exp.output.data.map((v) => v + 1) } }] };
    const file = path.join(dir, "bad-ref.json");
    await writeFile(file, JSON.stringify(bad));
    const r = await nnlab("selftest", "--reference", file, "--json");
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as { cases: number; failed: { op: string }[] };
    assert.equal(report.cases, 1);
    assert.deepEqual(report.failed.map((f) => f.op), ["exp"]);
  });
});

describe("bad input: one line, exit code 2, nothing lost", () => {
  test("unknown commands and flags, impossible values", async () => {
    await expectUserError(["trian", "mnist"], "unknown command", "train mnist");
    await expectUserError(["train", "mnist", "--epoch", "3"], "--epoch", "--epochs");
    await expectUserError(["train", "mnist", "--lr", "-1"], "--lr", "-1");
    await expectUserError(["train", "mnist", "--hidden", "16,x"], "--hidden", "16,x");
    await expectUserError(["train", "mnist", "--preset", "huge"], "--preset", "3b1b");
    await expectUserError(["train", "mnist", "--batch", "0"], "--batch");
    await expectUserError(["train", "mnist", "--cost", "hinge"], "--cost", "quadratic");
    await expectUserError(["eval"], "--model");
    await expectUserError(["selftest", "--reference", REFERENCE_FILE, "--backend", "gpu"], "--backend", "gpu");
  });

  test("missing and damaged files are named", async () => {
    await expectUserError(["info", "--model", path.join(dir, "nowhere")], path.join(dir, "nowhere"));
    await expectUserError(["selftest", "--reference", path.join(dir, "nothing.json")], "nothing.json");

    const notPng = path.join(dir, "digit.png");
    await writeFile(notPng, "this is text, not a picture");
    await expectUserError(["predict", "--model", model, notPng], notPng, "PNG");

    const broken = path.join(dir, "broken");
    await cp(model, broken, { recursive: true });
    const weights = path.join(currentRunFiles(broken)!, "model.safetensors");
    await truncate(weights, (await stat(weights)).size - 100);
    await expectUserError(["eval", "--model", broken], "model.safetensors");
    await writeFile(path.join(currentRunFiles(broken)!, "config.json"), "{ not json");
    await expectUserError(["info", "--model", broken], "config.json");

    const data = path.join(dir, "no-mnist");
    await mkdir(data);
    await expectUserError(["train", "mnist", "--epochs", "1", "--data", data, "--out", path.join(dir, "never")], data);
  });

  test("a run directory is never overwritten by something else, and --resume keeps its settings", async () => {
    const notes = path.join(dir, "notes");
    await mkdir(notes);
    await writeFile(path.join(notes, "todo.txt"), "keep me");
    await expectUserError(["train", "mnist", "--epochs", "1", "--train-limit", "100", "--out", notes], notes);
    assert.equal(await readFile(path.join(notes, "todo.txt"), "utf8"), "keep me");
    await expectUserError(["train", "mnist", "--resume", model, "--lr", "0.1"], "--lr", "--resume");
  });

  test("--debug adds the stack trace", async () => {
    const r = await nnlab("info", "--model", path.join(dir, "nowhere"), "--debug");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\n\s+at /);
  });
});

test("--help works on every command", async () => {
  for (const cmd of [["train", "mnist"], ["eval"], ["predict"], ["info"], ["selftest"], []]) {
    const r = await nnlab(...cmd, "--help");
    assert.equal(r.code, 0, `${cmd.join(" ")} --help: ${r.stderr}`);
    assert.match(r.stdout, /Usage|usage/);
    if (cmd.length) assert.ok(r.stdout.includes(`nnlab ${cmd.join(" ")}`));
  }
});
