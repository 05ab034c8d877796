// A GPT-2 transformer block (pre-LN, 4 heads, width 128, causal attention, GELU(tanh) MLP 4×) on a batch
// of 12 × 64 tokens: the time of one forward + backward pass (loss = mean of the block's output), the
// unit of work of the GPT training that follows.

import { tidy } from "../src/core/engine.js";
import * as ops from "../src/core/ops.js";
import { Rng } from "../src/core/rng.js";
import type { Tensor } from "../src/core/tensor.js";
import * as F from "../src/nn/functional.js";
import { LayerNorm, Linear } from "../src/nn/layers.js";
import { Module } from "../src/nn/module.js";
import { useVariant, variantLabel } from "./backends.js";
import { mapStats, timeRuns, type Bench, type BenchContext, type Entry, type TimingPlan } from "./harness.js";
import { runPythonPeer, torchLabel } from "./peers/python.js";
import { TFJS_BACKENDS, tfjsLabel, useTfjs } from "./peers/tfjs.js";
import { tfjsBlockStep, BLOCK } from "./peers/tfjs-block.js";

/** nanoGPT's Block: x + attn(ln_1(x)), then x + mlp(ln_2(x)), from nnlab's modules and functional ops. */
export class Block extends Module {
  readonly ln1: LayerNorm;
  readonly attn: Linear; // c_attn: C -> 3C (queries, keys, values)
  readonly proj: Linear; // c_proj: C -> C
  readonly ln2: LayerNorm;
  readonly fc: Linear; // mlp.c_fc: C -> 4C
  readonly mlpProj: Linear; // mlp.c_proj: 4C -> C
  constructor(readonly width: number, readonly heads: number, rng: Rng) {
    super();
    this.ln1 = this.addModule("ln_1", new LayerNorm(width));
    this.attn = this.addModule("attn.c_attn", new Linear(width, 3 * width, { rng }));
    this.proj = this.addModule("attn.c_proj", new Linear(width, width, { rng }));
    this.ln2 = this.addModule("ln_2", new LayerNorm(width));
    this.fc = this.addModule("mlp.c_fc", new Linear(width, 4 * width, { rng }));
    this.mlpProj = this.addModule("mlp.c_proj", new Linear(4 * width, width, { rng }));
  }

  forward(x: Tensor): Tensor {
    const w = { cAttn: this.attn.weight, cAttnBias: this.attn.bias, cProj: this.proj.weight, cProjBias: this.proj.bias };
    const h = ops.add(x, F.causalSelfAttention(this.ln1.forward(x), w, this.heads)); // (B, T, C)
    return ops.add(h, this.mlpProj.forward(this.fc.forward(this.ln2.forward(h)).gelu("tanh")));
  }

  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }
}

function plan(quick: boolean): TimingPlan {
  return quick ? { warmup: 1, runs: 5, budgetS: 2 } : { warmup: 3, runs: 20, budgetS: 8 };
}

function nnlabEntries(ctx: BenchContext): Entry[] {
  const { batch, tokens, width, heads } = BLOCK;
  return ctx.nnlab.map((v) => {
    useVariant(v);
    const rng = new Rng(1);
    const block = new Block(width, heads, rng);
    const x = ops.randn([batch, tokens, width], rng);
    const stats = timeRuns(() => {
      tidy(() => {
        const loss = block.forward(x).mean();
        loss.backward();
        loss.item();
      });
      block.zeroGrad();
    }, plan(ctx.quick));
    x.dispose();
    return { case: "fwd+bwd", impl: variantLabel(v, ctx.nnlab), nnlab: true, threads: v.threads, stats: mapStats(stats, (s) => s * 1000) };
  });
}

async function tfjsEntries(ctx: BenchContext): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const name of TFJS_BACKENDS) {
    const failed = await useTfjs(name);
    if (failed) {
      entries.push({ case: "fwd+bwd", impl: tfjsLabel(name), nnlab: false, threads: 1, stats: null, note: failed });
      continue;
    }
    const step = tfjsBlockStep();
    const stats = timeRuns(step.run, plan(ctx.quick));
    step.dispose();
    entries.push({ case: "fwd+bwd", impl: tfjsLabel(name), nnlab: false, threads: 1, stats: mapStats(stats, (s) => s * 1000), note: "1 thread" });
  }
  return entries;
}

async function pythonEntries(ctx: BenchContext): Promise<Entry[]> {
  if (!ctx.python.torch) return [];
  const p = plan(ctx.quick);
  const entries: Entry[] = [];
  // one process per thread count: an OpenBLAS under PyTorch reads its thread count from the environment
  for (const t of ctx.torchThreads) {
    const env = { OPENBLAS_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t) };
    entries.push(...(await runPythonPeer("transformer.py", ["torch"], { runs: p.runs, budget: p.budgetS, "thread-counts": t }, env)));
  }
  return entries.map((e) => ({ ...e, impl: torchLabel(e.threads), stats: e.stats ? mapStats(e.stats, (s) => s * 1000) : null }));
}

export const transformer: Bench = {
  name: "transformer",
  title: `GPT-2 block forward + backward (pre-LN, ${BLOCK.heads} heads, width ${BLOCK.width}, batch ${BLOCK.batch} × ${BLOCK.tokens} tokens, GELU MLP 4×)`,
  unit: "ms",
  higherIsBetter: false,
  async run(ctx) {
    const entries = [...nnlabEntries(ctx), ...(await tfjsEntries(ctx)), ...(await pythonEntries(ctx))];
    const notes = ["loss = mean of the block's output; one step = forward, backward and reading the loss; gradients freed between steps"];
    if (ctx.python.skipped) notes.push(`skipped PyTorch: ${ctx.python.skipped}`);
    else if (!ctx.python.torch) notes.push("skipped PyTorch: torch does not import in /usr/bin/python3");
    notes.push("numpy is not measured here: it has no autograd, and a hand-written attention backward would be a different program");
    return { entries, notes };
  },
};
