// `lab hidden-features --arch cnn` (quick): the CNN's first-layer filters against the MLP's tiles, the
// measures on known inputs, and the flag's errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import type { CnnFeaturesResult } from "../../src/lab/cnn-features.js";
import { filterSmoothness, orientationSelectivity, orientationTuning, strokeImages, strokeIndex } from "../../src/lab/filter-measures.js";
import { hiddenFeatures } from "../../src/lab/hidden-features.js";
import { quickContext } from "./helpers.js";

test("the measures: a vertical edge filter is smooth, tuned to one orientation and prefers strokes; noise is none of these", () => {
  const edge = { side: 5, weights: Array.from({ length: 25 }, (_, p) => (p % 5 < 2 ? -1 : p % 5 > 2 ? 1 : 0)) };
  const rng = new Rng(4);
  const noise = { side: 5, weights: Array.from({ length: 25 }, () => rng.normal(0, 1)) };
  assert.ok(filterSmoothness(edge) > 0.5);
  assert.ok(Math.abs(filterSmoothness(noise)) < 0.5);
  const tuning = orientationTuning(edge);
  assert.equal(tuning.indexOf(Math.max(...tuning)), 0, "bars varying along x answer best");
  assert.ok(orientationSelectivity(tuning) > 0.3, "a 5×5 edge is broadly tuned, but tuned");
  assert.ok(orientationSelectivity(orientationTuning(noise)) < orientationSelectivity(tuning));
  assert.ok(orientationSelectivity(new Array(12).fill(1)) < 1e-12, "equal answers: untuned");
  const images = strokeImages(new Rng(5), 2);
  assert.equal(images.strokes.length, 16);
  assert.ok(strokeIndex(edge, images) > 1, `edge filter d′ ${strokeIndex(edge, images)}`);
  assert.ok(strokeIndex(noise, images) < strokeIndex(edge, images));
});

test("lab hidden-features --arch cnn --quick: what training adds to the CNN's filters is smooth and answers strokes more than their start", async () => {
  const ctx = await quickContext();
  const out = await hiddenFeatures.run({ ...ctx, flags: { arch: "cnn" } });
  const r = out.result as CnnFeaturesResult;
  assert.equal(r.arch, "cnn");
  const [cnn, cnnInit, mlp] = r.units;
  assert.equal(cnn.units, 16);
  assert.equal(mlp.units, 16);
  // what even a quick run adds to the filters is smooth, though the random start still dominates them
  assert.ok(cnn.change_smoothness! > 0.2, `CNN W − W₀ smoothness ${cnn.change_smoothness}`);
  assert.ok(Math.abs(cnnInit.smoothness) < 0.2 && cnnInit.change_smoothness === null, `untrained ${cnnInit.smoothness}`);
  assert.ok(cnn.stroke_index > cnnInit.stroke_index, `stroke index ${cnn.stroke_index} vs ${cnnInit.stroke_index}`);
  assert.ok(mlp.change_smoothness! > 0, `MLP W − W₀ smoothness ${mlp.change_smoothness}`);
  assert.deepEqual(out.figures.map((f) => f.file), ["cnn-vs-mlp.svg", "cnn-feature-maps.png"]);
  assert.match(String(out.figures[0].data), /CNN: 16 first-layer 5×5 filters/);
  assert.match(out.report, /orientation selectivity/);
  await assert.rejects(hiddenFeatures.run({ ...ctx, flags: { arch: "rnn" } }), /--arch: expected mlp \| cnn, found "rnn"/);
});
