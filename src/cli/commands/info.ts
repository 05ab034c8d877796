// `nnlab info`: a trained model's layer sizes and parameter count (13,002 for the lesson's network).

import { loadModel } from "../../train/checkpoint.js";
import { defineCommand } from "../command.js";
import { modelOption, required, startBackend } from "./shared.js";

export const infoCommand = defineCommand({
  name: "info",
  summary: "Layer sizes and parameter count of a trained model",
  spec: { options: [modelOption] },
  examples: ["info --model runs/mnist-3b1b"],
  async run(args, ctx) {
    const dir = required("model", args.options.model, "a model directory");
    await startBackend(undefined);
    const { model, config } = await loadModel(dir);
    const layers = model.namedParameters().map(([name, p]) => ({ name, shape: [...p.shape], parameters: p.size }));
    const parameters = model.parameterCount();
    ctx.print(`${config.model.sizes.join("-")} ${config.model.activation} network (output ${config.model.output}), preset ${config.preset}`);
    for (const l of layers) ctx.print(`  ${l.name.padEnd(16)} [${l.shape.join(", ")}]`.padEnd(40) + `${l.parameters.toLocaleString("en-US")}`);
    ctx.print(`parameters: ${parameters.toLocaleString("en-US")}`);
    ctx.result({ model_dir: dir, sizes: config.model.sizes, activation: config.model.activation, output: config.model.output, layers, parameters });
  },
});
