import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { backprop, type BackpropResult } from "../../src/lab/backprop.js";
import { writeLabRun } from "../../src/lab/index.js";
import { quickContext } from "./helpers.js";

test("lab backprop: chain-rule product matches autograd and the finite difference; nudges add up", async () => {
  const out = await backprop.run(await quickContext({ index: "7" }));
  const r = out.result;
  assert.equal(r.image.index, 7);
  assert.ok(r.chain.relative_error < 1e-3, `relative error ${r.chain.relative_error}`);
  assert.ok(Math.abs(r.chain.product - r.chain.autograd) <= 1e-6 + 1e-4 * Math.abs(r.chain.autograd));
  assert.ok(Math.abs(r.chain.product) > 1e-6, "the steepest weight has a gradient");
  for (const t of r.toy.layers) assert.ok(t.chain.relative_error < 1e-2, `toy layer ${t.layer}: ${t.chain.relative_error}`);
  assert.equal(r.toy.layers.length, 3);
  const L = r.example.layers.length;
  const last = r.example.layers[L - 1];
  const prev = r.example.layers[L - 2];
  // desired output nudges of the quadratic cost: y − a
  last.a.forEach((a, d) => assert.ok(Math.abs(last.nudge_a[d] - (r.example.target[d] - a)) < 1e-5));
  // the wish passed back is the column sum of what every output neuron wants
  prev.a.forEach((_, k) => {
    const sum = last.wish_by_neuron.reduce((s, row) => s + row[k], 0);
    assert.ok(Math.abs(sum - last.wish[k]) < 1e-5, `wish[${k}]`);
    assert.ok(Math.abs(last.weight_nudges[3][k] - prev.a[k] * last.nudge_z[3]) < 1e-6);
  });
  assert.equal(r.example.layers[0].wish.length, 784);
});

test("lab backprop: output directory holds report, figures and JSON; bad --index is a user error", async () => {
  await assert.rejects(backprop.run(await quickContext({ index: "60000" })), /--index/);
  await assert.rejects(backprop.run(await quickContext({ weight: "9,0,0" })), /--weight/);
  await assert.rejects(backprop.run(await quickContext({ weight: "1,2" })), /--weight/);
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-lab-"));
  try {
    const out = await backprop.run(await quickContext({ weight: "1,2,300" }));
    await writeLabRun(path.join(dir, "bp"), backprop, out, { seed: 1 });
    const files = await readdir(path.join(dir, "bp"));
    for (const f of ["report.md", "result.json", "image.png", "pixel-wish.png"]) assert.ok(files.includes(f), f);
    const saved = (JSON.parse(await readFile(path.join(dir, "bp", "result.json"), "utf8")) as { result: BackpropResult }).result;
    assert.deepEqual([saved.chain.layer, saved.chain.j, saved.chain.k], [1, 2, 300]);
    assert.equal(saved.example.layers[0].weights.length, 16);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
