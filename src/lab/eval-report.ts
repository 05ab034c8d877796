// `nnlab eval --report DIR`: the confusion matrix as a figure and a grid of the test images the net
// gets wrong most confidently, with their predictions; written atomically like a lab run.

import type { Dataset } from "../data/mnist.js";
import { writeFilesAtomic } from "../io/atomic.js";
import type { Evaluation } from "../train/metrics.js";
import { fmt, pct, table } from "./common.js";
import { heatmapSvg, imageGridPng } from "./figures.js";

/** One confidently wrong test image. */
export interface WrongAnswer {
  index: number;
  label: number;
  predicted: number;
  confidence: number;
}

/** The test images answered wrongly, most confident first. */
export function confidentlyWrong(ev: Evaluation, ds: Dataset, count: number): WrongAnswer[] {
  const wrong: WrongAnswer[] = [];
  for (let i = 0; i < ev.count; i++) {
    if (ev.predictions[i] !== ds.labels[i]) wrong.push({ index: i, label: ds.labels[i], predicted: ev.predictions[i], confidence: ev.confidence[i] });
  }
  wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  return wrong.slice(0, count);
}

/** Writes report.md, confusion.svg, wrong.png and result.json into `dir`. */
export async function writeEvalReport(dir: string, modelDir: string, ev: Evaluation, ds: Dataset, count = 30): Promise<WrongAnswer[]> {
  const wrong = confidentlyWrong(ev, ds, count);
  const images = wrong.map((w) => ds.images.subarray(w.index * 784, (w.index + 1) * 784));
  const report = [
    `# Evaluation of ${modelDir}`,
    "",
    `Test accuracy ${pct(ev.accuracy)} (${ev.correct} of ${ev.count}).`,
    "",
    "![confusion matrix](confusion.svg)",
    "",
    `The ${wrong.length} test images the net gets wrong most confidently (row by row, left to right):`,
    "",
    "![confidently wrong](wrong.png)",
    "",
    table(["#", "test image", "true digit", "net answers", "confidence"], wrong.map((w, i) => [i + 1, w.index, w.label, w.predicted, fmt(w.confidence, 3)])),
    "",
  ].join("\n");
  const result = { model_dir: modelDir, test_accuracy: ev.accuracy, correct: ev.correct, count: ev.count, confusion: ev.confusion, confidently_wrong: wrong };
  await writeFilesAtomic(dir, {
    "report.md": report,
    "confusion.svg": await heatmapSvg("Confusion matrix (rows: true digit, columns: answer)", ev.confusion, "true digit", "answer"),
    "wrong.png": imageGridPng(images, 28, 10, 3),
    "result.json": `${JSON.stringify(result, null, 2)}\n`,
  });
  return wrong;
}
