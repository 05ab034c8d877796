// The report of `nnlab eval --report DIR`: where a trained net goes wrong on the 10,000 test images —
// the confusion matrix as a figure, per-digit accuracy, the most frequent confusions, and a grid of the
// test images it gets wrong with the most confidence, each with its label and the net's answer.

import type { Dataset } from "../data/dataset.js";
import type { DigitModel } from "../models/digits.js";
import { outputActivations, type Evaluation } from "../train/metrics.js";
import { pct, table } from "./common.js";
import { captionedImagesSvg, heatmapSvg } from "./figures.js";

/** A test image the net got wrong. */
export interface Mistake {
  /** Index in the test set. */
  index: number;
  label: number;
  predicted: number;
  /** The net's output for its (wrong) answer: activation, or softmax probability for a cross-entropy net. */
  confidence: number;
  /** The net's output for the right digit. */
  label_output: number;
}

/** result.json of an eval report. */
export interface EvalReportResult {
  model: string;
  accuracy: number;
  correct: number;
  count: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  per_digit: { digit: number; count: number; accuracy: number }[];
  /** Off-diagonal cells of the confusion matrix, most frequent first. */
  top_confusions: { label: number; predicted: number; count: number }[];
  /** The most confidently wrong test images, most confident first. */
  mistakes: Mistake[];
}

/** The `count` wrong answers with the largest confidence, most confident first. */
export function confidentMistakes(model: DigitModel, test: Dataset, e: Evaluation, count: number): Mistake[] {
  const wrong: number[] = [];
  for (let i = 0; i < e.count; i++) if (e.predictions[i] !== test.labels[i]) wrong.push(i);
  wrong.sort((a, b) => e.confidence[b] - e.confidence[a] || a - b);
  const chosen = wrong.slice(0, count);
  const features = test.rows * test.cols;
  const x = new Float32Array(chosen.length * features);
  chosen.forEach((i, r) => x.set(test.images.subarray(i * features, (i + 1) * features), r * features));
  const classes = e.confusion.length;
  const outputs = chosen.length ? outputActivations(model, x, chosen.length) : new Float32Array(0);
  return chosen.map((index, r) => ({
    index,
    label: test.labels[index],
    predicted: e.predictions[index],
    confidence: e.confidence[index],
    label_output: outputs[r * classes + test.labels[index]],
  }));
}

/** The numbers of the report. */
export function evalReportResult(modelDir: string, model: DigitModel, test: Dataset, e: Evaluation, mistakes = 30): EvalReportResult {
  const per_digit = e.confusion.map((row, digit) => {
    const n = row.reduce((s, v) => s + v, 0);
    return { digit, count: n, accuracy: n ? row[digit] / n : 0 };
  });
  const top_confusions = e.confusion
    .flatMap((row, label) => row.map((count, predicted) => ({ label, predicted, count })))
    .filter((c) => c.label !== c.predicted && c.count > 0)
    .sort((a, b) => b.count - a.count || a.label - b.label || a.predicted - b.predicted)
    .slice(0, 10);
  return {
    model: modelDir,
    accuracy: e.accuracy,
    correct: e.correct,
    count: e.count,
    confusion: e.confusion,
    per_digit,
    top_confusions,
    mistakes: confidentMistakes(model, test, e, mistakes),
  };
}

/** The report directory's files: report.md, result.json, confusion.svg and mistakes.svg. */
export async function evalReportFiles(r: EvalReportResult, test: Dataset): Promise<Record<string, string>> {
  const features = test.rows * test.cols;
  const images = r.mistakes.map((m) => ({
    pixels: test.images.subarray(m.index * features, (m.index + 1) * features),
    caption: `#${m.index}: ${m.label} → ${m.predicted} (${m.confidence.toFixed(3)})`,
    color: "#b00",
  }));
  const report = [
    `# nnlab eval report`,
    "",
    `Model: ${r.model}. Test accuracy ${pct(r.accuracy)} (${r.correct} of ${r.count} test images).`,
    "",
    "![confusion matrix](confusion.svg)",
    "",
    "*Confusion matrix: rows are the true digit, columns the net's answer (the largest output).*",
    "",
    table(["digit", "test images", "accuracy"], r.per_digit.map((d) => [d.digit, d.count, pct(d.accuracy)])),
    "",
    "Most frequent confusions:",
    "",
    table(["true digit", "answered", "images"], r.top_confusions.map((c) => [c.label, c.predicted, c.count])),
    "",
    `## The ${r.mistakes.length} most confidently wrong test images`,
    "",
    "![most confidently wrong](mistakes.svg)",
    "",
    "*Each caption: test index, true digit → the net's answer (its output for that answer).*",
    "",
    table(["test index", "true digit", "answer", "output for the answer", "output for the true digit"], r.mistakes.map((m) => [m.index, m.label, m.predicted, m.confidence, m.label_output])),
    "",
  ].join("\n");
  return {
    "report.md": report,
    "result.json": `${JSON.stringify(r, null, 2)}\n`,
    "confusion.svg": await heatmapSvg(`Confusion matrix (accuracy ${pct(r.accuracy)})`, r.confusion, "true digit", "predicted digit"),
    "mistakes.svg": captionedImagesSvg("Most confidently wrong test images: true → answer (output)", images, 28, 10, 3),
  };
}
