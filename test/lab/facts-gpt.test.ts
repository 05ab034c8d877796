// The fact GPT experiments of lesson 7 (recall, causal tracing, the rank-one edit): the forward pass's
// patch hook, the edit's linear algebra against direct computation, and the quick experiments' numbers on
// one fact GPT trained once for the file (recall, trace and edit share it; every edit is undone).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { noGrad, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { Rng } from "../../src/core/rng.js";
import type { ExperimentContext } from "../../src/lab/experiment.js";
import { editReport } from "../../src/lab/facts/edit.js";
import { trainedFactModel, type TrainedFacts } from "../../src/lab/facts/fact-gpt.js";
import { recallReport } from "../../src/lab/facts/recall.js";
import { applyRankOne, editDirection, keyGains, keySecondMoments, solveSpd, undoRankOne } from "../../src/lab/facts/rome.js";
import { traceReport } from "../../src/lab/facts/trace.js";
import { GPT, GptCapture } from "../../src/models/gpt/model.js";
import { ROOT } from "../helpers.js";

await init();

/** A quick, silent context: the facts experiments need no MNIST. */
function quick(): ExperimentContext {
  return { seed: 1, quick: true, flags: {}, progress: () => ({ update() {}, stop() {} }), log() {} };
}

const tiny = { nLayer: 2, nHead: 2, nEmbd: 8, blockSize: 6, vocabSize: 11, bias: true, dropout: 0, tied: true, gelu: "tanh" as const, layerNormEps: 1e-5 };
const ids = () => ops.tensor(Int32Array.from([1, 4, 2, 7, 3, 9, 0, 5, 5, 2, 8, 1]), [2, 6], "int32");

test("the forward pass's patch hook: identity changes nothing, a patched MLP output flows on and is what capture sees", () => {
  const model = new GPT(tiny, new Rng(3));
  tidy(() =>
    noGrad(() => {
      const plain = model.forward(ids()).toArray();
      const sites: string[] = [];
      const same = model.forward(ids(), { patch: (site, layer, x) => (sites.push(`${site}${layer}`), x) }).toArray();
      assert.deepEqual(Array.from(same), Array.from(plain));
      assert.deepEqual(sites, ["embeddings-1", "attnOut0", "mlpOut0", "residual0", "attnOut1", "mlpOut1", "residual1"]);
      const capture = new GptCapture(["mlpOut", "residual"]);
      const zeroed = model.forward(ids(), { capture, patch: (site, layer, x) => (site === "mlpOut" && layer === 1 ? ops.zerosLike(x) : x) }).toArray();
      assert.ok(capture.mlpOut[1].toArray().every((v) => v === 0), "capture records the patched value");
      assert.ok(zeroed.some((v, i) => Math.abs(v - plain[i]) > 1e-4), "the patched value changes the logits");
    }),
  );
});

test("the rank-one edit moves W↓k* by exactly δ, and any key k by δ·uᵀk", () => {
  const model = new GPT(tiny, new Rng(4));
  const d = 4 * tiny.nEmbd;
  const rng = new Rng(5);
  const keys = Array.from({ length: 3 * d }, () => Float32Array.from({ length: d }, () => rng.normal(0, 1)));
  const covariance = Array.from({ length: d }, (_, i) => Float64Array.from({ length: d }, (_, j) => keys.reduce((s, k) => s + k[i] * k[j], 0) / keys.length + (i === j ? 0.1 : 0)));
  const key = Float64Array.from(keys[0]);
  const u = editDirection(key, covariance);
  const delta = Float32Array.from({ length: tiny.nEmbd }, (_, i) => i - 3);
  const w = model.h[1].mlp.c_proj.weight; // (C, 4C)
  const apply = (weights: ArrayLike<number>, k: ArrayLike<number>) => Array.from({ length: tiny.nEmbd }, (_, i) => Array.from(k).reduce((s, kj, j) => s + weights[i * d + j] * kj, 0));
  const before = applyRankOne(model, 1, delta, u);
  const after = w.toArray();
  const moved = apply(after, key).map((v, i) => v - apply(before, key)[i]);
  moved.forEach((m, i) => assert.ok(Math.abs(m - delta[i]) < 1e-3, `W k* moved by ${m}, δ ${delta[i]}`));
  const gain = keyGains(u, [keys[1]])[0];
  apply(after, keys[1]).forEach((v, i) => assert.ok(Math.abs(v - apply(before, keys[1])[i] - gain * delta[i]) < 1e-3));
  undoRankOne(model, 1, before);
  assert.deepEqual(Array.from(w.toArray()), Array.from(before));
  // the solver against its definition
  const x = solveSpd(covariance, key);
  covariance.forEach((row, i) => assert.ok(Math.abs(row.reduce((s, a, j) => s + a * x[j], 0) - key[i]) < 1e-8));
});

test("keySecondMoments is E[k kᵀ] of each block's keys over every position of the text, plus the ridge", () => {
  const model = new GPT(tiny, new Rng(6));
  const text = Int32Array.from({ length: 20 }, (_, i) => (i * 7) % 11); // three windows of 6, two tokens left over
  const { matrices, samples } = keySecondMoments(model, text, 0);
  assert.equal(matrices.length, tiny.nLayer);
  const matrix = matrices[1];
  assert.equal(samples, 18);
  const keys = tidy(() =>
    noGrad(() => {
      const capture = new GptCapture(["mlpHidden"]);
      model.forward(ops.tensor(text.subarray(0, 18), [3, 6], "int32"), { capture });
      return capture.mlpHidden[1].toArray(); // (3, 6, 4C)
    }),
  );
  const d = 4 * tiny.nEmbd;
  for (const [i, j] of [[0, 0], [3, 17], [31, 2]]) {
    let s = 0;
    for (let n = 0; n < samples; n++) s += keys[n * d + i] * keys[n * d + j];
    assert.ok(Math.abs(matrix[i][j] - s / samples) < 1e-6, `C[${i}][${j}]`);
  }
  const ridged = keySecondMoments(model, text, 0.5).matrices[1];
  const meanDiagonal = matrix.reduce((s, row, i) => s + row[i], 0) / d;
  assert.ok(Math.abs(ridged[2][2] - matrix[2][2] - 0.5 * meanDiagonal) < 1e-9);
  assert.equal(ridged[2][3], matrix[2][3]);
});

// ---- the quick experiments, on one fact GPT trained once ----------------------------------------

let trained: TrainedFacts | undefined;
const factGpt = (): TrainedFacts => (trained ??= trainedFactModel(quick()));

test("facts recall --quick: the GPT recalls the facts far above the shuffled-fact control, in held-out phrasings too", async () => {
  const { result: r, figures } = await recallReport(quick(), factGpt());
  assert.ok(r.recall.train >= 0.9, `training phrasings ${r.recall.train}`);
  assert.ok(r.recall.held_out >= 0.6, `held-out phrasing ${r.recall.held_out}`);
  assert.ok(r.recall.shuffled_control <= 0.3, `control ${r.recall.shuffled_control}`);
  assert.ok(r.recall.held_out > r.recall.shuffled_control + 0.4);
  assert.equal(r.by_relation.length, 3);
  assert.ok(r.loss[0].loss > 2 * r.loss[r.loss.length - 1].loss, "the loss fell");
  assert.deepEqual(figures.map((f) => f.file), ["recall.svg", "loss.svg"]);
});

test("facts trace --quick: corrupting the subject hurts, restoring the last token's final state undoes it all, positions before the subject do nothing", async () => {
  const { result: r, report } = await traceReport(quick(), factGpt());
  assert.ok(r.clean > 0.7 && r.corrupted < r.clean - 0.3, `clean ${r.clean}, corrupted ${r.corrupted}`);
  const L = r.effects.residual.length;
  const col = (kind: string) => r.position_kinds.indexOf(kind);
  // the last block's output at the last token is all the logits read: restoring it restores the clean run
  assert.ok(Math.abs(r.effects.residual[L - 1][col("last token")] - (r.clean - r.corrupted)) < 1e-4);
  // a causal model's states before the subject never see the noise
  for (const site of ["residual", "mlpOut", "attnOut"] as const) for (const row of r.effects[site]) assert.ok(Math.abs(row[col("before subject")]) < 1e-4);
  // somewhere along the subject, restoring the residual stream brings much of the answer back
  assert.ok(Math.max(...r.effects.residual.map((row) => Math.max(row[col("first subject token")], row[col("last subject token")]))) > 0.1);
  assert.ok(r.mlp_layer >= 0 && r.mlp_layer < L);
  assert.match(report, /!\[trace\]\(trace\.svg\)/);
});

test("facts edit --quick: the rank-one edit states the new fact and leaves other people's facts", async () => {
  const m = factGpt().trainer.model;
  const weights = m.h.map((b) => Array.from(b.mlp.c_proj.weight.toArray()));
  const { result: r } = await editReport(quick(), factGpt());
  assert.equal(r.before.efficacy, 0);
  assert.ok(r.before.specificity >= 0.9, `before: specificity ${r.before.specificity}`);
  assert.ok(r.after.efficacy >= 0.9, `after: efficacy ${r.after.efficacy}`);
  assert.ok(r.after.specificity >= 0.9, `after: specificity ${r.after.specificity}`);
  assert.ok(r.after.generalization > r.before.generalization);
  assert.ok(r.sweep.some((s) => s.site === r.site && s.layer === r.layer));
  assert.ok(Math.abs(r.overlap.edited - 1) < 0.05 || r.site === "last subject token", `uᵀk of the edited prompts ${r.overlap.edited}`);
  const chosen = r.key_shares.find((k) => k.layer === r.layer)!;
  assert.ok(r.key_shares.every((k) => k.others >= chosen.others), "the layer whose keys other people share least");
  assert.ok(r.sweep.some((s) => s.site === r.site && s.layer === r.traced_layer));
  m.h.forEach((b, l) => assert.deepEqual(Array.from(b.mlp.c_proj.weight.toArray()), weights[l], `block ${l}'s W↓ is put back`));
});

test("the math the web lab's lesson 7 page runs (fact GPT, tracing, the rank-one edit) imports no Node module", () => {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(/from\s+"([^"]+)"/g)) {
      assert.ok(m[1].startsWith("."), `${path.relative(ROOT, file)} imports the package ${m[1]}`);
      visit(path.resolve(path.dirname(file), m[1]).replace(/\.js$/, ".ts"));
    }
  };
  for (const f of ["fact-gpt.ts", "tracing.ts", "rome.ts"]) visit(path.join(ROOT, "src", "lab", "facts", f));
  assert.ok(seen.size > 10);
});
