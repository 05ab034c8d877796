import { test } from "node:test";
import assert from "node:assert/strict";
import { hiddenFeatures, type HiddenFeaturesResult } from "../../src/lab/hidden-features.js";
import { noise } from "../../src/lab/noise.js";
import { tileSmoothness } from "../../src/lab/tiles.js";
import { quickContext } from "./helpers.js";

test("lab hidden-features: trained tiles are smoother than their random start, which scores near 0", async () => {
  const r = (await hiddenFeatures.run(await quickContext())).result as HiddenFeaturesResult; // --arch mlp, the default
  const [init, trained] = r.tiles;
  assert.ok(Math.abs(init.smoothness) < 0.05, `init smoothness ${init.smoothness}`);
  assert.ok(trained.smoothness > init.smoothness, `trained ${trained.smoothness}`);
  assert.ok(trained.correlation_with_init! > 0 && trained.correlation_with_init! <= 1);
  assert.ok(r.inked_pixels > 300 && r.inked_pixels < 784);
  // a smooth gradient tile scores near 1, a checkerboard -1
  const mask = new Uint8Array(784).fill(1);
  assert.ok(tileSmoothness(Float32Array.from({ length: 784 }, (_, p) => p % 28), mask) > 0.9);
  assert.ok(tileSmoothness(Float32Array.from({ length: 784 }, (_, p) => ((p % 28) + Math.floor(p / 28)) % 2), mask) < -0.9);
});

test("lab noise: noise images get answers above 0.5 far more often than a 'none of these' net would give", async () => {
  const r = (await noise.run(await quickContext())).result;
  const [digits, uniform, gaussian] = r.sets;
  assert.equal(uniform.count, 1000);
  assert.ok(digits.confident_share > 0.2, `test set confident ${digits.confident_share}`);
  for (const s of [uniform, gaussian]) {
    assert.ok(Math.abs(s.histogram.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert.ok(s.any_above_half > 0.1, `${s.name}: ${s.any_above_half}`);
  }
});
