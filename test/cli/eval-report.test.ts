// `nnlab eval --report DIR` end to end: a real (briefly trained) model, the real binary, real files.
// The report's numbers must agree with the test set: confusion counts, per-digit totals, and mistakes
// that really are wrong, ordered by the net's confidence.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { init } from "../../src/backend/index.js";
import { loadMnist } from "../../src/data/mnist.js";
import type { EvalReportResult } from "../../src/lab/eval-report.js";
import { makeConfig } from "../../src/train/config.js";
import { prepareRun, runTraining } from "../../src/train/run.js";
import { nnlab } from "../helpers.js";

let dir = "";
let model = "";

before(async () => {
  await init();
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-eval-report-"));
  model = path.join(dir, "model");
  const trainer = await prepareRun(makeConfig("3b1b", { epochs: 1, trainLimit: 3000, testLimit: 500, seed: 2 }), await loadMnist(), { outDir: model });
  await runTraining(trainer, { outDir: model });
});

after(() => rm(dir, { recursive: true, force: true }));

test("eval --report writes the confusion matrix and the most confidently wrong images", async () => {
  const out = path.join(dir, "report");
  const r = await nnlab("eval", "--model", model, "--report", out, "--json");
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { test_accuracy: number; report: string };
  assert.equal(printed.report, path.resolve(out));
  assert.deepEqual((await readdir(out)).sort(), ["confusion.svg", "mistakes.svg", "report.md", "result.json"]);
  const rep = JSON.parse(await readFile(path.join(out, "result.json"), "utf8")) as EvalReportResult;
  const { test: testSet } = await loadMnist();
  assert.equal(rep.count, 10000);
  assert.equal(rep.accuracy, printed.test_accuracy);
  assert.equal(rep.confusion.flat().reduce((s, v) => s + v, 0), 10000);
  rep.per_digit.forEach((d) => assert.equal(d.count, testSet.labels.filter((l) => l === d.digit).length));
  assert.equal(rep.mistakes.length, 30);
  for (const [i, m] of rep.mistakes.entries()) {
    assert.equal(m.label, testSet.labels[m.index]);
    assert.notEqual(m.predicted, m.label);
    assert.ok(m.confidence >= m.label_output, `mistake ${m.index}: the answer's output is the largest`);
    if (i > 0) assert.ok(m.confidence <= rep.mistakes[i - 1].confidence, "most confident first");
  }
  const c = rep.top_confusions[0];
  assert.equal(c.count, Math.max(...rep.confusion.flatMap((row, t) => row.filter((_, p) => p !== t))));
  const svg = await readFile(path.join(out, "mistakes.svg"), "utf8");
  assert.equal(svg.split("<image ").length - 1, 30);
  assert.ok(svg.includes(`#${rep.mistakes[0].index}: ${rep.mistakes[0].label} → ${rep.mistakes[0].predicted}`));
  assert.match(await readFile(path.join(out, "confusion.svg"), "utf8"), /^<svg/);
  assert.ok((await readFile(path.join(out, "report.md"), "utf8")).includes("![confusion matrix](confusion.svg)"));
});

test("eval --report refuses a directory that holds other files, the model's own included", async () => {
  const before = (await readdir(model)).sort();
  const own = await nnlab("eval", "--model", model, "--report", model);
  assert.equal(own.code, 2);
  assert.deepEqual((await readdir(model)).sort(), before, "the model directory is untouched");
  const other = path.join(dir, "other");
  await rm(other, { recursive: true, force: true });
  await mkdir(other);
  await writeFile(path.join(other, "notes.txt"), "keep me");
  const r = await nnlab("eval", "--model", model, "--report", other);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--report/);
  assert.equal(await readFile(path.join(other, "notes.txt"), "utf8"), "keep me");
});
