// GPT training: a seeded run lowers the loss, runs repeat bit for bit, a run interrupted after an
// evaluation and resumed ends bit for bit where the uninterrupted one ends, checkpoints are Hugging Face
// GPT-2 directories, and batches are nanoGPT's next-token windows.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { Rng } from "../../src/core/rng.js";
import { loadGptDir } from "../../src/train/gpt-checkpoint.js";
import { makeGptConfig } from "../../src/train/gpt-config.js";
import { randomBatch, type GptData, type GptTrainEvent } from "../../src/train/gpt-trainer.js";
import { prepareGptRun, runGptTraining } from "../../src/train/gpt-run.js";
import { assertNnlabError } from "../io/helpers.js";

/** A small text with structure to learn, and a character tokenizer for it (a stand-in kept in the test). */
function corpus(): { data: GptData; vocab: number; spec: { kind: string; chars: string } } {
  const words = ["to be", "or not", "that is", "the question", "whether", "tis nobler", "in the mind", "to suffer"];
  const rng = new Rng(42);
  let text = "";
  while (text.length < 6000) text += words[rng.int(words.length)] + (rng.int(5) === 0 ? ".\n" : " ");
  const chars = [...new Set(text)].sort().join("");
  const ids = Int32Array.from(text, (c) => chars.indexOf(c));
  const n = Math.floor(ids.length * 0.9);
  return { data: { train: ids.subarray(0, n), val: ids.subarray(n) }, vocab: chars.length, spec: { kind: "char", chars } };
}

let dir = "";
before(async () => {
  await init();
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-train-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const quick = { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 16, batch: 8, iters: 40, evalInterval: 20, evalIters: 4, seed: 3 };

test("random batches are next-token windows of the text", () => {
  const tokens = Int32Array.from({ length: 100 }, (_, i) => i);
  const { x, y } = randomBatch(tokens, 3, 8, new Rng(1));
  for (let b = 0; b < 3; b++) {
    const row = x.subarray(b * 8, b * 8 + 8);
    assert.ok(row[0] >= 0 && row[0] <= 92);
    row.forEach((v, t) => {
      assert.equal(v, row[0] + t);
      assert.equal(y[b * 8 + t], v + 1);
    });
  }
});

test("a seeded run lowers the loss and repeats bit for bit", async () => {
  const { data, vocab } = corpus();
  const config = makeGptConfig("tiny", vocab, quick);
  const events: GptTrainEvent[] = [];
  const a = await prepareGptRun(config, data);
  await runGptTraining(a, { onEvent: (e) => events.push(e) });
  assert.deepEqual(a.history.map((h) => h.iter), [0, 20, 40]);
  const [first, , last] = a.history;
  assert.ok(Math.abs(first.val_loss - Math.log(vocab)) < 0.3, `untrained loss ${first.val_loss} ≈ ln ${vocab}`);
  assert.ok(last.train_loss < first.train_loss - 0.8, `train loss ${first.train_loss} → ${last.train_loss}`);
  assert.ok(last.val_loss < first.val_loss - 0.8, `val loss ${first.val_loss} → ${last.val_loss}`);
  const iters = events.filter((e) => e.type === "iter");
  assert.equal(iters.length, 40);
  assert.ok(iters.every((e) => e.type === "iter" && e.tokensPerSecond > 0 && Number.isFinite(e.loss)));
  // warm-up: the first step's learning rate is lr/warmup
  assert.ok(iters[0].type === "iter" && Math.abs(iters[0].lr - config.lr / config.warmup) < 1e-12);
  const b = await prepareGptRun(config, data);
  await runGptTraining(b);
  assert.deepEqual(b.history, a.history);
});

test("resume after an interruption ends bit for bit where the uninterrupted run ends", async () => {
  const { data, vocab, spec } = corpus();
  const config = makeGptConfig("tiny", vocab, { ...quick, dropout: 0.1 });
  const whole = await prepareGptRun(config, data);
  await runGptTraining(whole);

  const runDir = path.join(dir, "run");
  const first = await prepareGptRun(config, data, { outDir: runDir });
  await runGptTraining(first, { outDir: runDir, untilIter: 20, tokenizer: spec });
  assert.deepEqual((await readdir(runDir)).sort(), ["config.json", "model.safetensors", "optimizer.safetensors", "state.json"]);
  const resumed = await prepareGptRun(config, data, { resumeFrom: runDir, outDir: runDir });
  assert.equal(resumed.iter, 20);
  await runGptTraining(resumed, { outDir: runDir, tokenizer: spec });

  const a = whole.model.stateDict();
  const b = resumed.model.stateDict();
  for (const name of Object.keys(a)) assert.deepEqual(b[name].data, a[name].data, `${name} differs after resume`);
  assert.deepEqual(resumed.history, whole.history);

  // the run directory is a GPT-2 directory with the tokenizer and the training config
  const loaded = await loadGptDir(runDir);
  assert.deepEqual(loaded.model.stateDict()["h.0.attn.c_attn.weight"].data, a["h.0.attn.c_attn.weight"].data);
  assert.deepEqual(loaded.nnlab.tokenizer, spec);
  assert.equal((loaded.nnlab.train as { iters: number }).iters, 40);
  const state = JSON.parse(await readFile(path.join(runDir, "state.json"), "utf8"));
  assert.equal(state.iter, 40);
});

test("a text shorter than one context is a clear error", async () => {
  const config = makeGptConfig("tiny", 5, quick);
  await assertNnlabError(() => prepareGptRun(config, { train: new Int32Array(100), val: new Int32Array(10) }), "validation split", "16", "10 tokens");
  assert.throws(() => makeGptConfig("tiny", 5, { ...quick, nEmbd: 30, nHead: 4 }), /--n-embd/);
  assert.throws(() => makeGptConfig("tiny", 5, { ...quick, warmup: 100 }), /--warmup/);
});
