import { test } from "node:test";
import assert from "node:assert/strict";
import { init } from "../../src/backend/index.js";
import { tensor } from "../../src/core/ops.js";
import { erf } from "../../src/backend/js/erf.js";

test("smoke: matmul + backward", async () => {
  await init();
  const a = tensor([[1, 2], [3, 4]]).requireGrad();
  const b = tensor([[5, 6], [7, 8]]).requireGrad();
  const c = a.matmul(b).sigmoid().sum();
  c.backward();
  assert.equal(a.grad!.shape.length, 2);
  const y = a.matmul(b);
  assert.deepEqual(Array.from(y.toArray()), [19, 22, 43, 50]);
  for (const [x, v] of [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [-3, -0.9999779095030014], [0.1, 0.1124629160182849], [4.5, 0.9999999998033839]]) {
    assert.ok(Math.abs(erf(x) - v) < 1e-14, `erf(${x}) = ${erf(x)} vs ${v}`);
  }
});
