// `nnlab predict`: reads a PNG of a digit (any size, colour or grey, dark-on-light or light-on-dark),
// turns it into an MNIST-style 28×28 input and prints the network's answer and all ten outputs.

import { readPngDigit } from "../../data/png.js";
import { loadModel } from "../../train/checkpoint.js";
import { outputActivations } from "../../train/metrics.js";
import { defineCommand } from "../command.js";
import { backendOption, modelOption, required, startBackend } from "./shared.js";

export const predictCommand = defineCommand({
  name: "predict",
  summary: "Read a digit from a PNG file with a trained model",
  spec: {
    options: [modelOption, backendOption],
    positionals: [{ name: "file", description: "PNG image of one handwritten digit", required: true }],
  },
  examples: ["predict --model runs/mnist-3b1b digit.png", "predict --model runs/mnist-3b1b digit.png --json"],
  async run(args, ctx) {
    const dir = required("model", args.options.model, "a model directory");
    await startBackend(args.options.backend);
    const { model, config } = await loadModel(dir);
    const digit = await readPngDigit(args.positionals.file);
    const activations = Array.from(outputActivations(model, digit.input, 1));
    const best = activations.indexOf(Math.max(...activations));
    const kind = config.model.output === "linear" ? "softmax probability" : "output activation";
    ctx.print(`digit ${best} (${kind} ${activations[best].toFixed(3)})${digit.inverted ? "; the image was inverted (dark ink on light paper)" : ""}`);
    activations.forEach((a, d) => ctx.print(`  ${d}  ${"█".repeat(Math.round(a * 30)).padEnd(30)} ${a.toFixed(4)}`));
    ctx.result({ file: args.positionals.file, digit: best, activations, output: kind, inverted: digit.inverted });
  },
});
