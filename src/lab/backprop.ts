// `nnlab lab backprop` — lessons 3 and 4 on one real training image: the nudges the cost wants on the
// outputs, each weight's share of the change, the wish passed back to the previous layer, the
// chain-rule factors of one chosen weight checked against a finite difference, and lesson 4's toy chain
// of one neuron per layer. The numbers come from backward-pass.ts; this file makes the report.

import { NnlabError } from "../core/errors.js";
import { MLP } from "../models/mlp.js";
import type { MnistTrainConfig } from "../train/config.js";
import { backpropExample, chainRule, steepestWeight, toyChainAt, toyConfig, type BackpropLayer, type ChainRule, type ExampleBackprop, type ToyChain } from "./backward-pass.js";
import { fmt, intFlagOf, intListFlagOf, labRng, table } from "./common.js";
import type { Experiment, LabContext, LabFigure, LabOutput } from "./experiment.js";
import { imageGridPng, weightTilesPng } from "./figures.js";
import { describeNet, labNet } from "./lab-net.js";

/** result.json of `lab backprop` — the web lab draws lessons 3–4 from it. */
export interface BackpropResult {
  experiment: "backprop";
  network: string;
  sizes: number[];
  cost_function: MnistTrainConfig["cost"];
  image: { index: number; label: number; predicted: number };
  example: ExampleBackprop;
  /** The chosen weight (default: the last layer's weight with the largest |∂C/∂w|). */
  chain: ChainRule;
  toy: ToyChain;
}

/** Lesson 4's toy for the report: three layers with weight and bias drawn from the seed, input 0.8. */
function seededToy(seed: number): ToyChain {
  const model = new MLP(toyConfig(3).model, labRng(seed, 41));
  return toyChainAt({ input: 0.8, w: model.layers.map((l) => l.weight.item()), b: model.layers.map((l) => l.bias!.item()) });
}

async function runBackprop(ctx: LabContext): Promise<LabOutput<BackpropResult>> {
  const { train } = ctx.data;
  const index = intFlagOf(ctx, "index", 0, 0, train.count - 1);
  const chosen = ctx.flags.weight === undefined ? undefined : intListFlagOf(ctx, "weight", [], 3, 0, 1_000_000);
  const net = await labNet(ctx, "3b1b", ctx.quick ? { epochs: 1, trainLimit: 2000, testLimit: 1000 } : { epochs: 2 });
  const { model, config } = net;
  const f = train.rows * train.cols;
  const x = train.images.slice(index * f, (index + 1) * f);
  const label = train.labels[index];
  const ex = backpropExample(model, config, x, label);
  const L = model.layers.length;
  const w = chosen ? { layer: chosen[0], j: chosen[1], k: chosen[2] } : { layer: L, ...steepestWeight(ex, L) };
  const lin = model.layers[w.layer - 1];
  if (!lin || w.j < 0 || w.j >= lin.outFeatures || w.k < 0 || w.k >= lin.inFeatures) {
    throw NnlabError.problem({ subject: "--weight", expected: `LAYER,J,K with layer 1..${L}, j < its width, k < the previous width (sizes ${model.sizes.join("-")})`, found: `${w.layer},${w.j},${w.k}` });
  }
  const chain = chainRule(model, config, x, label, ex, w.layer, w.j, w.k);
  const toy = seededToy(ctx.seed);
  const last = ex.layers[L - 1];
  const predicted = last.a.indexOf(Math.max(...last.a));
  const result: BackpropResult = {
    experiment: "backprop", network: describeNet(net), sizes: model.sizes, cost_function: config.cost,
    image: { index: index, label, predicted }, example: ex, chain, toy,
  };
  const first = ex.layers[0];
  const figures: LabFigure[] = [
    { file: "image.png", caption: `Training image ${index}`, data: imageGridPng([x], 28, 1, 6) },
    // what the cost wishes the pixels were (−∂C/∂a⁽⁰⁾) and the first layer's weight nudges per neuron
    { file: "pixel-wish.png", caption: "The wish passed back to the pixels", data: weightTilesPng([first.wish], 28, 1, 6) },
    { file: "layer1-weight-nudges.png", caption: "First-layer weight nudges per neuron", data: weightTilesPng(first.weight_nudges, 28, 8, 3) },
  ];
  const chainRow = (c: ChainRule) => [c.layer, `w[${c.j}][${c.k}]`, c.dz_dw, c.da_dz, c.dC_da, c.product, c.autograd, c.finite_difference, c.relative_error];
  const chainHeader = ["layer", "weight", "∂z/∂w", "∂a/∂z", "∂C/∂a", "product", "autograd", "finite difference", "rel. error"];
  const report = [
    `Network: ${result.network}. Image ${index} is a ${label}; the network answers ${predicted}. Cost C = ${fmt(ex.cost)} (${config.cost}).`,
    "",
    "![the image](image.png)",
    "",
    "## The nudges the cost wants on the outputs (−∂C/∂a⁽ᴸ⁾)",
    "",
    table(["digit", "a", "desired y", "nudge −∂C/∂a", "∂a/∂z", "nudge on z"], last.a.map((a, d) => [d, a, ex.target[d], last.nudge_a[d], last.da_dz[d], last.nudge_z[d]])),
    "",
    "## Each weight's share of the change (last layer)",
    "",
    "The change each weight wants is the previous activation times the desired nudge on z: −∂C/∂wⱼₖ = aₖ⁽ᴸ⁻¹⁾ · (−∂C/∂zⱼ). " +
      "Neurons that fire brightly get the biggest say (\"neurons that fire together wire together\"). The ten largest:",
    "",
    table(["j (digit)", "k (prev neuron)", "a_k", "nudge z_j", "share"], topShares(last, ex.layers[L - 2]?.a ?? ex.input)),
    "",
    "## The wish passed back to the previous layer (−∂C/∂a⁽ᴸ⁻¹⁾ = Σⱼ wⱼₖ · nudge zⱼ)",
    "",
    table(["k", "a_k", "wish"], (ex.layers[L - 2]?.a ?? []).map((a, k) => [k, a, last.wish[k]])),
    "",
    "Passed all the way back, the wish on the 784 pixels (green: more ink wanted, red: less), and every first-layer neuron's weight nudges:",
    "",
    "![pixel wish](pixel-wish.png) ![first-layer weight nudges](layer1-weight-nudges.png)",
    "",
    "## The chain rule for one weight (lesson 4)",
    "",
    table(chainHeader, [chainRow(chain)]),
    "",
    `The product of the three factors equals autograd's ∂C/∂w and the central finite difference (ε = ${chain.epsilon}, float32) to a relative error of ${fmt(chain.relative_error, 2)}.`,
    "",
    "## Lesson 4's toy: one neuron per layer",
    "",
    `Input a⁽⁰⁾ = ${fmt(toy.input)}, desired output y = ${toy.target}, cost C = ½(a⁽³⁾ − y)² = ${fmt(toy.cost)} (nnlab's quadratic cost carries the ½).`,
    "",
    table(["layer", "w", "b", "z", "a", "∂z/∂w = a⁽ˡ⁻¹⁾", "∂a/∂z", "∂C/∂a", "∂C/∂w", "finite diff.", "∂C/∂b", "∂C/∂a⁽ˡ⁻¹⁾"],
      toy.layers.map((t) => [t.layer, t.w, t.b, t.z, t.a, t.chain.dz_dw, t.chain.da_dz, t.chain.dC_da, t.chain.product, t.chain.finite_difference, t.dC_db, t.dC_da_prev])),
    "",
    "result.json carries every number above and, per layer, z, a, ∂a/∂z, the nudges, all weight nudges and the wishes (type `BackpropResult` in src/lab/backprop.ts).",
    "",
  ].join("\n");
  const summary = [
    `image ${index} (a ${label}, answered ${predicted}), cost ${fmt(ex.cost)}`,
    `chain rule for layer ${chain.layer} w[${chain.j}][${chain.k}]: ${fmt(chain.dz_dw)} · ${fmt(chain.da_dz)} · ${fmt(chain.dC_da)} = ${fmt(chain.product)}; finite difference ${fmt(chain.finite_difference)} (relative error ${fmt(chain.relative_error, 2)})`,
  ];
  return { result, summary, report, figures };
}

/** The ten largest |a_k · nudge z_j| of a layer, as table rows. */
function topShares(layer: BackpropLayer, prevA: number[]): (number | string)[][] {
  const all = layer.weight_nudges.flatMap((row, j) => row.map((s, k) => ({ j, k, s })));
  all.sort((p, q) => Math.abs(q.s) - Math.abs(p.s));
  return all.slice(0, 10).map(({ j, k, s }) => [j, k, prevA[k], layer.nudge_z[j], s]);
}

export const backprop: Experiment<BackpropResult> = {
  name: "backprop",
  summary: "Lessons 3–4: the nudges, each weight's share, the wish passed back and the chain rule on one training image",
  takesModel: true,
  flags: [
    { name: "index", valueName: "N", description: "The training image to take apart (default 0)" },
    { name: "weight", valueName: "L,J,K", description: "The weight w[j][k] of layer L (1 = first hidden) for the chain rule (default: the last layer's steepest)" },
  ],
  run: runBackprop,
};
