import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/rng.js";
import { shuffleLabels } from "../../src/data/batches.js";
import { costs } from "../../src/lab/costs.js";
import { randomLabels } from "../../src/lab/random-labels.js";
import { quickContext } from "./helpers.js";

test("shuffleLabels keeps the label counts and changes about the asked share", () => {
  const labels = Uint8Array.from({ length: 1000 }, (_, i) => i % 10);
  const out = shuffleLabels(labels, 0.5, new Rng(3));
  assert.deepEqual([...out].sort(), [...labels].sort());
  const changed = out.filter((l, i) => l !== labels[i]).length;
  assert.ok(changed > 350 && changed <= 500, `changed ${changed}`);
  assert.deepEqual(shuffleLabels(labels, 0, new Rng(3)), labels);
});

test("lab random-labels: shuffled labels are memorised well above chance but test accuracy stays near 10%", async () => {
  const r = (await randomLabels.run(await quickContext())).result;
  const [clean, half, random] = r.runs;
  const last = (xs: number[]) => xs[xs.length - 1];
  assert.ok(last(random.train_accuracy) > 0.6, `random labels train acc ${last(random.train_accuracy)}`);
  assert.ok(last(random.test_accuracy) < 0.2, `random labels test acc ${last(random.test_accuracy)}`);
  assert.ok(last(clean.test_accuracy) > 0.6, `true labels test acc ${last(clean.test_accuracy)}`);
  assert.ok(last(half.test_accuracy) > last(random.test_accuracy));
  // true labels are fitted sooner than shuffled ones
  assert.ok(clean.epochs_to["50%"] !== null && random.epochs_to["50%"] !== null && clean.epochs_to["50%"] < random.epochs_to["50%"]);
});

test("lab costs: from a saturated start cross-entropy learns faster than the quadratic cost", async () => {
  const r = (await costs.run(await quickContext())).result;
  const [quadratic, crossEntropy] = r.runs;
  assert.ok(r.saturated_share > 0.5, `saturated ${r.saturated_share}`);
  assert.ok(crossEntropy.final_test_accuracy > quadratic.final_test_accuracy + 0.1);
  assert.equal(quadratic.cost_curve.length, quadratic.images_seen.length - 1);
  assert.ok(crossEntropy.images_to["50%"] !== null);
});
