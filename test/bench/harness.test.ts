// Smoke tests of the bench harness (never timings): the command line, run counting, statistics and the
// printed ratios.

import assert from "node:assert/strict";
import { test } from "node:test";
import { variantLabel } from "../../bench/backends.js";
import { BENCHES, parseBenchArgs } from "../../bench/benches.js";
import { statsOf, timeKernel, timeRuns, type BenchResult } from "../../bench/harness.js";
import { blasWarning } from "../../bench/peers/python.js";
import { formatResult, ratioText } from "../../bench/report.js";
import { NnlabError } from "../../src/core/errors.js";

test("bench arguments: names select benches, --quick, and bad input names the argument", () => {
  assert.deepEqual(parseBenchArgs([]).benches.map((b) => b.name), BENCHES.map((b) => b.name));
  const args = parseBenchArgs(["gemm", "--quick", "W1"]);
  assert.deepEqual(args.benches.map((b) => b.name), ["gemm", "w1"]);
  assert.equal(args.quick, true);
  assert.throws(() => parseBenchArgs(["gemmm"]), (e: unknown) => e instanceof NnlabError && /bench name/.test(e.message) && /"gemmm"/.test(e.message));
  assert.throws(() => parseBenchArgs(["--fast"]), (e: unknown) => e instanceof NnlabError && /--fast/.test(e.message));
});

test("statsOf: median of odd and even counts, min and max", () => {
  assert.deepEqual(statsOf([3, 1, 2]), { median: 2, min: 1, max: 3, runs: [3, 1, 2] });
  assert.equal(statsOf([4, 1, 2, 3]).median, 2.5);
});

test("timeRuns: warm-up calls are not timed, runs stop at the count or after the budget, reported seconds win", () => {
  let calls = 0;
  const s = timeRuns(() => {
    calls++;
    return calls; // seconds reported by the function itself
  }, { warmup: 2, runs: 3, budgetS: 100 });
  assert.equal(calls, 5);
  assert.deepEqual(s.runs, [3, 4, 5]);
  const once = timeRuns(() => 10, { warmup: 0, runs: 5, budgetS: 1 });
  assert.equal(once.runs.length, 1);
  const k = timeKernel(() => undefined, 4, 0.001);
  assert.equal(k.runs.length, 4);
  assert.ok(k.runs.every((x) => x >= 0));
});

test("ratios read as nnlab against the peer, for times and for rates", () => {
  assert.equal(ratioText(1, 3.2, false), "3.20× faster");
  assert.equal(ratioText(2, 1, false), "2.00× slower");
  assert.equal(ratioText(40, 20, true), "2.00× faster");
  assert.equal(ratioText(1, 1, true), "same");
});

test("formatResult: one row per measurement and one ratio row per nnlab backend against every measured peer", () => {
  const r: BenchResult = {
    bench: "w1",
    title: "test",
    unit: "s",
    higherIsBetter: false,
    notes: ["a note"],
    entries: [
      { case: "epoch", impl: "nnlab/js", nnlab: true, threads: null, stats: statsOf([2, 2.2, 2.1]), extra: { "test acc": 0.9 } },
      { case: "epoch", impl: "PyTorch", nnlab: false, threads: 2, stats: statsOf([3.15]) },
      { case: "epoch", impl: "numpy", nnlab: false, threads: null, stats: null, note: "failed: no numpy" },
    ],
  };
  const text = formatResult(r);
  assert.match(text, /nnlab\/js\s+2\.10\s+2\.00–2\.20\s+3\s+0\.900/);
  assert.match(text, /vs PyTorch/);
  assert.match(text, /1\.50× faster/);
  assert.doesNotMatch(text, /vs numpy/);
  assert.match(text, /failed: no numpy/);
  assert.match(text, /note: a note/);
});

test("blasWarning: only when the peers load the reference BLAS and no optimized one", () => {
  const info = { python: "3.11", torch: "1.13", numpy: "1.24", torchDefaultThreads: 1, skipped: null };
  assert.match(blasWarning({ ...info, blas: ["/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"] }) ?? "", /reference BLAS/);
  assert.equal(blasWarning({ ...info, blas: ["/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"] }), null);
  assert.equal(blasWarning({ ...info, blas: [] }), null);
});

test("variantLabel: thread counts appear only for a backend measured at several", () => {
  const all = [
    { backend: "wasm", label: "nnlab/wasm", threads: 2 },
    { backend: "wasm", label: "nnlab/wasm", threads: 1 },
    { backend: "js", label: "nnlab/js", threads: 1 },
  ];
  assert.deepEqual(all.map((v) => variantLabel(v, all)), ["nnlab/wasm (2 threads)", "nnlab/wasm (1 thread)", "nnlab/js"]);
});
