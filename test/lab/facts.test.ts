// The facts experiments of lesson 7 (orthogonal packing, superposition, the AND-gate neuron): their pure
// math against brute force and known values, their quick versions' numbers, and that the math the web
// lab's worker runs stays free of Node modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { Rng } from "../../src/core/rng.js";
import type { ExperimentContext } from "../../src/lab/experiment.js";
import { FACTS, type AndGateResult, type OrthogonalResult, type SuperpositionResult } from "../../src/lab/facts/index.js";
import { makeCorpus, RELATION_NAMES, TEMPLATES } from "../../src/lab/facts/corpus.js";
import { handBuiltNeuron, residualSpace, truthTable } from "../../src/lab/facts/and-gate-circuit.js";
import { angleStats, degreesOf, randomFitCount, randomUnitVectors, welchBound } from "../../src/lab/facts/packing.js";
import { featureStats, sparseFeatures } from "../../src/lab/facts/superposition-model.js";
import { ROOT } from "../helpers.js";

/** A quick, silent context: the facts experiments need no MNIST. */
function quick(): ExperimentContext {
  return { seed: 1, quick: true, flags: {}, progress: () => ({ update() {}, stop() {} }), log() {} };
}

function experiment(name: string) {
  const e = FACTS.find((x) => x.name === name);
  assert.ok(e, `facts experiment ${name}`);
  return e;
}

test("the Welch bound for the lesson's 10,000 vectors in 100 dimensions is |cos| 0.0995, 84.3°–95.7°", () => {
  assert.ok(Math.abs(welchBound(10_000, 100) - 0.0995) < 5e-5);
  assert.ok(Math.abs(degreesOf(welchBound(10_000, 100)) - 84.29) < 0.01);
  assert.equal(welchBound(50, 100), 0, "k ≤ n: an orthonormal set has every angle at 90°");
});

test("angleStats matches a pair-by-pair computation in float64", async () => {
  await init();
  const [k, n] = [300, 7];
  const v = randomUnitVectors(k, n, new Rng(3));
  const s = angleStats(v, k, n);
  let lo = 180;
  let hi = 0;
  let near = 0;
  let sq = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      let c = 0;
      for (let d = 0; d < n; d++) c += v[i * n + d] * v[j * n + d];
      const a = (Math.acos(c) * 180) / Math.PI;
      lo = Math.min(lo, a);
      hi = Math.max(hi, a);
      if (a > 89 && a < 91) near++;
      sq += c * c;
    }
  }
  const pairs = (k * (k - 1)) / 2;
  assert.equal(s.pairs, pairs);
  assert.ok(Math.abs(s.minAngle - lo) < 0.01 && Math.abs(s.maxAngle - hi) < 0.01, `${s.minAngle}–${s.maxAngle} vs ${lo}–${hi}`);
  assert.ok(Math.abs(s.shareWithin1deg - near / pairs) < 2 / pairs);
  assert.ok(Math.abs(s.rmsCos - Math.sqrt(sq / pairs)) < 1e-5);
  assert.equal(s.histogram.counts.reduce((a, b) => a + b, 0), pairs);
  assert.ok(Math.abs(s.rmsCos - 1 / Math.sqrt(n)) < 0.05, "random unit vectors: rms cos ≈ 1/√n");
});

test("randomFitCount stops at the first pair outside the band", () => {
  assert.equal(randomFitCount(3, 1, new Rng(1), 50), 50, "every pair fits |cos| ≤ 1");
  const rng = new Rng(2);
  const counts = Array.from({ length: 15 }, () => randomFitCount(64, 0.5, rng));
  assert.ok(counts.every((c) => c >= 1));
  assert.ok(counts.some((c) => c > 5), "in 64 dimensions several random vectors fit within 60°–120°");
});

test("facts orthogonal --quick: packing narrows the angles, stays outside the Welch bound, and the histogram holds every pair", async () => {
  await init();
  const out = await experiment("orthogonal").run(quick());
  const r = out.result as OrthogonalResult;
  assert.deepEqual(r.runs.map((x) => x.penalty), ["none", "margin", "exp"]);
  const [random, , exp] = r.runs;
  for (const run of r.runs) {
    assert.ok(run.max_abs_cos >= run.welch_max_abs_cos - 1e-6, `${run.penalty}: no packing beats the Welch bound`);
    assert.ok(run.min_angle <= run.welch_min_angle + 1e-4 || run.max_angle >= 180 - run.welch_min_angle - 1e-4);
    assert.ok(run.min_angle <= 90 && run.max_angle >= 90);
    const { start, bin_width: w, shares } = run.histogram;
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9, "shares sum to 1");
    // the histogram's first and last bins hold the reported smallest and largest angle: every angle is in the band
    assert.ok(shares[0] > 0 && shares[shares.length - 1] > 0);
    assert.ok(start <= run.min_angle && run.min_angle < start + w, `${run.penalty}: min angle ${run.min_angle} in the first bin from ${start}`);
    assert.ok(start + (shares.length - 1) * w <= run.max_angle && run.max_angle <= start + shares.length * w + 1e-9);
    assert.ok(run.share_within_1deg > 0 && run.share_within_1deg < 1);
  }
  assert.ok(exp.min_angle > random.min_angle + 10, `exponential loss widens the smallest angle: ${random.min_angle} → ${exp.min_angle}`);
  assert.ok(exp.max_angle < random.max_angle - 10, `and narrows the largest: ${random.max_angle} → ${exp.max_angle}`);
  const growth = r.growth.points;
  assert.deepEqual(growth.map((p) => p.n), [4, 8, 12]);
  for (let i = 1; i < growth.length; i++) assert.ok(growth[i].packed_k > growth[i - 1].packed_k, "more dimensions hold more vectors in the band");
  for (const p of growth) {
    assert.ok(p.packed_k >= p.n, "an orthonormal set always fits");
    assert.ok(p.packed_k > p.random_k, "gradient descent packs more than random draws");
    const t = p.trials.find((x) => x.k === p.packed_k);
    assert.ok(t?.fits && t.max_abs_cos <= r.growth.max_abs_cos);
  }
  assert.ok(out.figures.some((f) => f.file === "angles.svg" && String(f.data).startsWith("<svg")));
});

test("sparseFeatures draws features at the asked density, uniform in [0, 1]", () => {
  const x = sparseFeatures([1, 0.1], 2000, 10, new Rng(4));
  const dense = x.subarray(0, 20_000);
  const sparse = x.subarray(20_000);
  assert.ok(dense.every((v) => v >= 0 && v < 1));
  const share = sparse.filter((v) => v > 0).length / sparse.length;
  assert.ok(Math.abs(share - 0.1) < 0.01, `density ${share}`);
});

test("featureStats: norms, interference and dimensions per feature of a hand-made W", () => {
  // 3 features in 2 dimensions: x0 and x1 orthogonal, x2 dropped
  const s = featureStats(Float32Array.from([1, 0, 0, 0, 1, 0]), 2, 3);
  assert.deepEqual(s.norms, [1, 1, 0]);
  assert.deepEqual(s.interference.slice(0, 2), [0, 0]);
  assert.equal(s.represented, 2);
  assert.equal(s.dimsPerFeature, 1);
  // antipodal pair: x0 = -x1 share a line
  const a = featureStats(Float32Array.from([1, -1]), 1, 2);
  assert.deepEqual(a.interference, [1, 1]);
});

test("facts superposition --quick: dense keeps the m most important features, sparse packs more, 5 in 2 dimensions make a pentagon", async () => {
  await init();
  const r = (await experiment("superposition").run(quick())).result as SuperpositionResult;
  const [big, small] = r.sweeps;
  assert.equal(big.n, 20);
  assert.equal(big.m, 5);
  const dense = big.models[0];
  assert.equal(dense.density, 1);
  assert.equal(dense.represented, big.m, "dense: exactly m features");
  assert.ok(dense.norms.slice(0, big.m).every((v) => v > 0.9), `the ${big.m} most important: ${dense.norms}`);
  assert.ok(dense.interference.slice(0, big.m).every((v) => v < 0.1), "each in a direction of its own");
  const sparsest = big.models[big.models.length - 1];
  assert.ok(sparsest.represented >= 2 * big.m, `sparse: ${sparsest.represented} features in ${big.m} dimensions`);
  assert.ok(sparsest.dims_per_feature < 0.6);
  const pentagon = small.models[small.models.length - 1];
  assert.equal(pentagon.represented, 5);
  const angles = [...small.angles![small.models.length - 1]].sort((a, b) => a - b);
  const gaps = angles.map((a, i) => (i + 1 < angles.length ? angles[i + 1] : angles[0] + 360) - a);
  assert.ok(gaps.every((g) => Math.abs(g - 72) < 8), `pentagon gaps ${gaps.map((g) => g.toFixed(1))}`);
});

test("the hand-built neuron's truth table is exact on every combination of the named directions", async () => {
  const space = residualSpace(16, new Rng(5));
  const rows = truthTable(handBuiltNeuron(space), space);
  assert.equal(rows.length, 32);
  for (const row of rows) {
    const both = row.inputs.includes("Michael") && row.inputs.includes("Jordan");
    assert.equal(row.expected, both);
    assert.ok(Math.abs(row.basketball_score - (both ? 1 : 0)) < 1e-5, `${row.inputs.join("+")}: ${row.basketball_score}`);
    assert.ok(row.correct);
  }
});

test("facts and-gate --quick: truth tables exact, and the learned neuron's row and column are the hand-built ones", async () => {
  await init();
  const r = (await experiment("and-gate").run(quick())).result as AndGateResult;
  assert.equal(r.truth_table.length, 32);
  assert.ok(r.truth_table.every((t) => t.correct));
  assert.deepEqual(r.truth_table.filter((t) => t.expected).length, 8);
  assert.ok(r.learned.truth_table.every((t) => t.correct), "the learned neuron gets every row right");
  assert.ok(r.learned.row_cosine > 0.95 && r.learned.column_cosine > 0.95, `cosines ${r.learned.row_cosine}, ${r.learned.column_cosine}`);
  const { row, bias, column } = r.learned.readout;
  assert.ok(Math.abs(row.Michael - row.Jordan) < 0.2, "equal weight on both names");
  assert.ok(bias < -0.5 && -bias >= row.Michael * 0.9, "a bias that cancels one name");
  assert.ok(Math.abs(column.Michael) < 0.05 && Math.abs(column.Jordan) < 0.05);
});

test("the math the web lab runs (packing, the toy model, the AND neuron) imports no Node module", () => {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/from\s+"([^"]+)"/g)) {
      assert.ok(m[1].startsWith("."), `${path.relative(ROOT, file)} imports the package ${m[1]}`);
      visit(path.resolve(path.dirname(file), m[1]).replace(/\.js$/, ".ts"));
    }
  };
  for (const f of ["packing.ts", "superposition-model.ts", "and-gate-circuit.ts"]) visit(path.join(ROOT, "src", "lab", "facts", f));
  assert.ok(seen.size > 5);
});

test("the fact corpus holds out one phrasing per person and relation, and the training text never states it", () => {
  const corpus = makeCorpus({ people: 12, firstNames: 4, lastNames: 4, repeats: 2, rng: new Rng(6) });
  assert.equal(corpus.people.length, 12);
  assert.equal(new Set(corpus.people.map((p) => `${p.first} ${p.last}`)).size, 12, "distinct people");
  assert.ok(new Set(corpus.people.map((p) => p.first)).size < 12, "first names are shared, so a fact needs both names");
  assert.equal(corpus.heldOutPrompts.length, 12 * RELATION_NAMES.length);
  assert.equal(corpus.trainPrompts.length, 12 * RELATION_NAMES.length * (TEMPLATES.sport.length - 1));
  const text = ` ${Array.from(corpus.train, (i) => corpus.vocab[i]).join(" ")} `;
  for (const p of corpus.heldOutPrompts) assert.ok(!text.includes(` ${[...p.tokens, p.answer].join(" ")} `), `held out: ${p.tokens.join(" ")}`);
  for (const p of corpus.trainPrompts) assert.ok(text.includes(` ${[...p.tokens, p.answer].join(" ")} `));
  assert.deepEqual(corpus.trainPrompts[0].subject.map((i) => corpus.trainPrompts[0].tokens[i]), [corpus.people[0].first, corpus.people[0].last]);
});
