import { test } from "node:test";
import assert from "node:assert/strict";
import { landscape } from "../../src/lab/landscape.js";
import { quickContext } from "./helpers.js";

test("lab landscape: the trained weights sit in a valley of the slice, and every SGD path goes downhill", async () => {
  const r = (await landscape.run(await quickContext())).result;
  const mid = (r.line.alpha.length - 1) / 2;
  assert.equal(r.line.alpha[mid], 0);
  assert.ok(Math.abs(r.line.cost_d1[mid] - r.cost_at_minimum) < 1e-5);
  for (const c of [r.line.cost_d1, r.line.cost_d2]) assert.ok(c[0] > r.cost_at_minimum && c[c.length - 1] > r.cost_at_minimum);
  assert.ok(Math.abs(r.direction_cosine) < 0.1, `cosine ${r.direction_cosine}`);
  const n = r.plane.alpha.length;
  assert.equal(r.plane.surface.length, n);
  assert.equal(r.plane.surface[(n - 1) / 2][(n - 1) / 2], r.cost_at_minimum);
  assert.deepEqual(r.paths.runs.map((p) => p.batch), [1, 10, 100, r.images, 1, 10, 100, r.images]);
  for (const p of r.paths.runs.filter((q) => q.in_plane)) assert.ok(p.off_plane < 1e-3, "held in the plane");
  for (const p of r.paths.runs) {
    assert.equal(p.alpha.length, r.paths.steps + 1);
    assert.ok(Math.abs(p.alpha[0] - r.paths.start[0]) < 1e-3, `projection of the start ${p.alpha[0]}`);
    assert.ok(p.cost[p.cost.length - 1] < p.cost[0], `batch ${p.batch} went downhill`);
    assert.ok(p.off_plane >= 0 && p.off_plane <= 1);
  }
});
