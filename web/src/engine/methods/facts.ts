// Lesson 7's engine side (how MLPs might store facts): the hand-built AND-gate neuron read on the four
// Michael/Jordan inputs, the near-orthogonal packing stepped live (start, stop, histogram of angles as it
// runs), and the superposition toy trained at once for a grid of sparsities. The math is the library's
// (src/lab/facts/); this file runs it and sends the page what it draws.

import { Rng } from "../../../../src/core/rng.js";
import { alongNamed, andGateNeuron, fire, NAMED, residualOf, residualSpace, shouldWriteBasketball, WRITTEN_ABOVE, type GateActivation, type Named, type ResidualSpace } from "../../../../src/lab/facts/and-gate-circuit.js";
import { angleStats, degreesOf, Packer, randomUnitVectors, welchBound, type PackingPenalty } from "../../../../src/lab/facts/packing.js";
import { anglesOf, featureStats, geometricImportances, trainToyModels } from "../../../../src/lab/facts/superposition-model.js";
import type { MethodContext, MethodTable } from "../protocol.js";
import { engineReady } from "../state.js";
import { yieldToMessages } from "./lesson2.js";

/** One of the four inputs of the AND gate through the neuron. */
export interface GateRow {
  /** The names in the residual vector (Michael and/or Jordan, with a distractor). */
  inputs: Named[];
  michael: boolean;
  jordan: boolean;
  /** Pre-activation z = row·x + bias, the activation, and the output's component along basketball. */
  z: number;
  neuron: number;
  basketball: number;
  /** Basketball counts as written above the library's threshold (half the hand-built neuron's 1). */
  written: boolean;
  /** What an AND of Michael and Jordan should do. */
  expected: boolean;
}

/** The residual-stream story for one input: every vector along the named directions. */
export interface GateStory {
  names: Named[];
  /** The residual vector x, the row of W↑, the column of W↓, and x + activation × column. */
  x: number[];
  row: number[];
  column: number[];
  after: number[];
  z: number;
  neuron: number;
}

/** Where the packing stands: sent after each change and about every {@link PACK_REPORT_MS} while it runs. */
export interface PackLive {
  state: "running" | "paused" | "done";
  n: number;
  k: number;
  penalty: PackingPenalty;
  step: number;
  steps: number;
  /** Loss of the last step (NaN before the first). */
  loss: number;
  /** The angles now: smallest and largest pair, largest |cos|, share of pairs within 89°–91°. */
  minAngle: number;
  maxAngle: number;
  maxAbsCos: number;
  shareWithin1deg: number;
  /** Share of pairs per 1° bin (0–180°), now and for the random unit vectors it started from. */
  histogram: number[];
  randomHistogram: number[];
  randomMinAngle: number;
  randomShareWithin1deg: number;
  /** Welch bound: some pair always lies at or below this angle, whatever the optimiser does. */
  welchAngle: number;
  /** Milliseconds per optimiser step over the last report. */
  msPerStep: number;
  error?: string;
}

/** The toy model of superposition at one sparsity. */
export interface ToyView {
  density: number;
  /** W, 2 × n row-major: column i is feature i's direction in the hidden plane. */
  w: number[];
  norms: number[];
  interference: number[];
  represented: number;
  dimsPerFeature: number;
  /** Angles (degrees) of the represented features, and the loss. */
  angles: number[];
  loss: number;
}

declare module "../protocol.js" {
  interface EngineMethods {
    /** The AND-gate neuron with the row's weights on Michael and Jordan and the bias, on all four inputs; `story`: which row to picture. */
    "facts.gate": { params: { michael: number; jordan: number; bias: number; activation: GateActivation; story: number }; result: { rows: GateRow[]; story: GateStory; writtenAbove: number } };
    /** The packing job: "reset" draws k random unit vectors in n dimensions; "run" steps them until "pause" or the schedule's end. Answers at once. */
    "facts.pack.control": { params: { action: "reset" | "run" | "pause"; n?: number; k?: number; penalty?: PackingPenalty; steps?: number; seed?: number }; result: PackLive };
    /** Trains the n = 5, m = 2 toy model at every density of the grid at once (emits "facts.toy.progress"). */
    "facts.toy": { params: { seed: number }; result: { n: number; m: number; importances: number[]; steps: number; batch: number; models: ToyView[] } };
  }
  interface EngineEvents {
    "facts.pack.live": PackLive;
    "facts.toy.progress": { step: number; steps: number; loss: number };
  }
}

// ——— the AND gate ———

/** The four inputs: neither name, each alone (with a distractor, as in "Michael Phelps"), both. */
const GATE_INPUTS: Named[][] = [["Barack"], ["Michael", "Phelps"], ["Jordan"], ["Michael", "Jordan"]];
/** Residual dimensions of the gate's space: the five named directions are orthonormal in it. */
const GATE_DIMS = 12;
let gateSpace: ResidualSpace | null = null;

function finite(v: unknown, what: string, lo: number, hi: number): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi) throw new Error(`${what} must be a number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
}

// ——— the packing ———

/** Sizes the page may ask for: a step and the angle statistics stay well under a second. */
export const PACK_LIMITS = { n: [2, 200], k: [3, 3000], steps: [10, 5000] } as const;
const PACK_CHUNK_MS = 40;
const PACK_REPORT_MS = 300;
const BIN = 1;

interface PackJob {
  packer: Packer;
  n: number;
  k: number;
  penalty: PackingPenalty;
  running: boolean;
  random: ReturnType<typeof angleStats>;
  loss: number;
  stepMs: { ms: number; steps: number };
}

let pack: PackJob | null = null;
let packLoop: Promise<void> | null = null;

const shares = (counts: number[], pairs: number) => counts.map((c) => c / pairs);

function packReport(j: PackJob, error?: string): PackLive {
  const stats = angleStats(j.packer.vectors(), j.k, j.n, BIN);
  const done = j.packer.stopped || j.packer.steps >= j.packer.opts.steps;
  const live: PackLive = {
    state: j.running ? "running" : done ? "done" : "paused",
    n: j.n,
    k: j.k,
    penalty: j.penalty,
    step: j.packer.steps,
    steps: j.packer.opts.steps,
    loss: j.loss,
    minAngle: stats.minAngle,
    maxAngle: stats.maxAngle,
    maxAbsCos: stats.maxAbsCos,
    shareWithin1deg: stats.shareWithin1deg,
    histogram: shares(stats.histogram.counts, stats.pairs),
    randomHistogram: shares(j.random.histogram.counts, j.random.pairs),
    randomMinAngle: j.random.minAngle,
    randomShareWithin1deg: j.random.shareWithin1deg,
    welchAngle: degreesOf(welchBound(j.k, j.n)),
    msPerStep: j.stepMs.steps ? j.stepMs.ms / j.stepMs.steps : NaN,
    ...(error ? { error } : {}),
  };
  j.stepMs = { ms: 0, steps: 0 };
  return live;
}

/** Steps for up to PACK_CHUNK_MS at a time, yielding between chunks so control and other requests get through. */
async function runPacking(j: PackJob, ctx: MethodContext): Promise<void> {
  let last = performance.now();
  try {
    while (j.running && pack === j) {
      const start = performance.now();
      let steps = 0;
      do {
        const loss = j.packer.step();
        if (loss === null) {
          j.running = false;
          break;
        }
        j.loss = loss;
        steps++;
      } while (performance.now() - start < PACK_CHUNK_MS);
      j.stepMs.ms += performance.now() - start;
      j.stepMs.steps += steps;
      if (!j.running || performance.now() - last >= PACK_REPORT_MS) {
        ctx.emit("facts.pack.live", packReport(j));
        last = performance.now();
      }
      await yieldToMessages();
    }
  } catch (err) {
    j.running = false;
    ctx.emit("facts.pack.live", packReport(j, err instanceof Error ? err.message : String(err)));
  }
}

async function pausePacking(): Promise<void> {
  if (pack) pack.running = false;
  await packLoop;
  packLoop = null;
}

// ——— the superposition toy ———

/** Feature densities 1 − S of the grid: dense to 99% sparse. */
const TOY_DENSITIES = [1, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.01];
/** n = 5 features in m = 2 dimensions, importance 0.9^i (so the dense model keeps the two most important). */
const TOY = { n: 5, m: 2, decay: 0.9, steps: 2000, batch: 256, lr: 1e-2 };

export const factsMethods: MethodTable = {
  "facts.gate"({ michael, jordan, bias, activation, story }) {
    finite(michael, "the row's weight on Michael", -5, 5);
    finite(jordan, "the row's weight on Jordan", -5, 5);
    finite(bias, "the bias", -5, 5);
    if (activation !== "relu" && activation !== "gelu") throw new Error(`activation must be "relu" or "gelu", got ${JSON.stringify(activation)}`);
    if (!Number.isInteger(story) || story < 0 || story >= GATE_INPUTS.length) throw new Error(`story must be a row 0..${GATE_INPUTS.length - 1}, got ${story}`);
    gateSpace ??= residualSpace(GATE_DIMS, new Rng(7));
    const space = gateSpace;
    const neuron = andGateNeuron(space, { michael, jordan, bias });
    const rows = GATE_INPUTS.map((inputs): GateRow => {
      const f = fire(neuron, space, residualOf(space, inputs), activation);
      return { inputs, michael: inputs.includes("Michael"), jordan: inputs.includes("Jordan"), z: f.z, neuron: f.neuron, basketball: f.basketballScore, written: f.basketballScore > WRITTEN_ABOVE, expected: shouldWriteBasketball(inputs) };
    });
    const x = residualOf(space, GATE_INPUTS[story]);
    const f = fire(neuron, space, x, activation);
    const after = Float32Array.from(x, (v, i) => v + f.neuron * neuron.down[i]); // x + a · column
    const names = [...NAMED];
    const along = (v: Float32Array) => names.map((name) => alongNamed(space, v)[name]);
    return { rows, story: { names, x: along(x), row: along(neuron.up), column: along(neuron.down), after: along(after), z: f.z, neuron: f.neuron }, writtenAbove: WRITTEN_ABOVE };
  },

  async "facts.pack.control"({ action, n, k, penalty, steps, seed = 1 }, ctx) {
    await engineReady();
    if (action === "reset") {
      await pausePacking();
      const dims = n ?? pack?.n ?? 50;
      const count = k ?? pack?.k ?? 500;
      const budget = steps ?? pack?.packer.opts.steps ?? 300;
      finite(dims, "n (dimensions)", PACK_LIMITS.n[0], PACK_LIMITS.n[1]);
      finite(count, "k (vectors)", PACK_LIMITS.k[0], PACK_LIMITS.k[1]);
      finite(budget, "steps", PACK_LIMITS.steps[0], PACK_LIMITS.steps[1]);
      const chosen = penalty ?? pack?.penalty ?? "exp";
      if (chosen !== "margin" && chosen !== "exp") throw new Error(`penalty must be "margin" or "exp", got ${JSON.stringify(chosen)}`);
      const rng = new Rng(seed);
      const start = randomUnitVectors(count, dims, rng);
      pack?.packer.dispose();
      // the full Gram matrix per step up to 500 vectors; beyond, 500 rows against all k (a stochastic step of the same loss)
      const packer = new Packer(start, count, dims, { penalty: chosen, steps: budget, rowsPerStep: Math.min(count, 500), rng });
      pack = { packer, n: dims, k: count, penalty: chosen, running: false, random: angleStats(start, count, dims, BIN), loss: NaN, stepMs: { ms: 0, steps: 0 } };
      return packReport(pack);
    }
    const j = pack;
    if (!j) throw new Error("no vectors yet: reset the packing first");
    if (action === "pause") {
      await pausePacking();
      return packReport(j);
    }
    if (action === "run" && !j.running) {
      j.running = true;
      packLoop = runPacking(j, ctx);
    }
    return packReport(j);
  },

  async "facts.toy"({ seed }, ctx) {
    await engineReady();
    const importances = geometricImportances(TOY.n, TOY.decay);
    let last = 0;
    const trained = trainToyModels({
      n: TOY.n,
      m: TOY.m,
      importances,
      densities: TOY_DENSITIES,
      steps: TOY.steps,
      batch: TOY.batch,
      lr: TOY.lr,
      rng: new Rng(seed),
      onStep: (step, loss) => {
        const now = performance.now();
        if (now - last > 100 || step === TOY.steps - 1) {
          last = now;
          ctx.emit("facts.toy.progress", { step: step + 1, steps: TOY.steps, loss });
        }
      },
    });
    const models = trained.map((t): ToyView => {
      const s = featureStats(t.w, TOY.m, TOY.n);
      return { density: t.density, w: Array.from(t.w), norms: s.norms, interference: s.interference, represented: s.represented, dimsPerFeature: s.dimsPerFeature, angles: anglesOf(t.w, TOY.n, s.norms), loss: t.loss };
    });
    return { n: TOY.n, m: TOY.m, importances, steps: TOY.steps, batch: TOY.batch, models };
  },
};
