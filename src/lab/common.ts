// Helpers the lab experiments share: training a digit network through src/train with progress, seeded
// random streams, correlation, and number formatting for the reports. Node-free: the web lab's worker
// imports it (loading --model from disk is in lab-net.ts).

import { NnlabError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import type { MnistTrainConfig } from "../train/config.js";
import { limitData, MnistTrainer, type TrainData } from "../train/trainer.js";
import type { LabContext } from "./experiment.js";

/** Trains a network from `config` on `data`, reporting batches as progress. */
export function trainNet(config: MnistTrainConfig, data: TrainData, label: string, ctx: LabContext): MnistTrainer {
  const trainer = new MnistTrainer(config, limitData(config, data));
  for (let e = 0; e < config.epochs; e++) {
    const bar = ctx.progress(`${label}: epoch ${e + 1}/${config.epochs}`, trainer.batchesPerEpoch);
    trainer.trainEpoch((ev) => {
      if (ev.type === "batch" && (ev.batch % 50 === 0 || ev.batch === ev.batches)) bar.update(ev.batch, { cost: ev.runningCost, acc: ev.runningAccuracy });
    });
    bar.stop();
  }
  return trainer;
}

/** A seeded generator for one purpose of an experiment, so streams do not depend on each other. */
export function labRng(seed: number, stream: number): Rng {
  return new Rng((seed * 1_000_003 + stream * 7919) >>> 0);
}

/** 0.8955 → "89.55%". */
export function pct(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A number with `digits` significant digits for tables. */
export function fmt(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** A markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => (typeof c === "number" ? fmt(c) : c)).join(" | ")} |`;
  return [line(header), `| ${header.map(() => "---").join(" | ")} |`, ...rows.map(line)].join("\n");
}

/** A whole-number flag of an experiment (`--index 7`), checked against [min, max]; `fallback` when absent. */
export function intFlagOf(ctx: LabContext, name: string, fallback: number, min: number, max: number): number {
  return intListFlagOf(ctx, name, [fallback], 1, min, max)[0];
}

/** A comma-separated list of `count` whole numbers (`--weight 3,5,1`), each in [min, max]. */
export function intListFlagOf(ctx: LabContext, name: string, fallback: number[], count: number, min: number, max: number): number[] {
  const raw = ctx.flags[name];
  if (raw === undefined) return fallback;
  const values = raw.split(",").map((v) => Number(v.trim()));
  if (values.length !== count || values.some((v) => !Number.isInteger(v) || v < min || v > max)) {
    throw NnlabError.problem({ subject: `--${name}`, expected: `${count === 1 ? "a whole number" : `${count} whole numbers separated by commas`} from ${min} to ${max}`, found: JSON.stringify(raw) });
  }
  return values;
}

/** Pearson correlation of two equally long series (0 when either is constant). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb || 1e-30);
}
