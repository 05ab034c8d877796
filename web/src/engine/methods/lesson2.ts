// Lesson 2's engine side: the network the page trains step by step (start, pause, step, learning rate and
// batch size while it runs), the cost of one example against its one-hot target, and cost landscapes —
// toy functions with gradient descent on the engine's autograd, and the real network's cost along random
// filter-normalised directions.

import { noGrad, tidy } from "../../../../src/core/engine.js";
import * as ops from "../../../../src/core/ops.js";
import { Rng } from "../../../../src/core/rng.js";
import type { Tensor } from "../../../../src/core/tensor.js";
import { allocBatch, epochOrder, gatherBatch, subset, type BatchBuffer } from "../../../../src/data/batches.js";
import { combine, costOn, filterNormalisedDirection, grid } from "../../../../src/lab/directions.js";
import { MLP } from "../../../../src/models/mlp.js";
import * as F from "../../../../src/nn/functional.js";
import { makeConfig } from "../../../../src/train/config.js";
import { evaluate } from "../../../../src/train/metrics.js";
import { MnistTrainer } from "../../../../src/train/trainer.js";
import type { MethodContext, MethodTable } from "../protocol.js";
import { engineReady, mnist } from "../state.js";

/** What the training panel shows: where training stands and how fast it goes. */
export interface TrainLive {
  state: "running" | "paused";
  /** Training images seen since the network was made (epochs = images / 60,000). */
  images: number;
  steps: number;
  /** Mean cost of the steps since the last report (NaN when there were none). */
  cost: number;
  /** Share of those steps' images the network got right (before each step's update). */
  accuracy: number;
  /** Images per second over the steps since the last report (training time, test evaluations excluded). */
  imagesPerSecond: number;
  /** The same since the last start. */
  averageImagesPerSecond: number;
  /** Images per second since the last start by the clock: test evaluations and other requests included. */
  wallImagesPerSecond: number;
  lr: number;
  batch: number;
  pace: Pace;
  /** Set when the test images were just evaluated (every {@link TEST_EVERY} training images). */
  test?: { images: number; accuracy: number };
  /** Why training stopped, when it stopped on an error. */
  error?: string;
}

/** One test image through the current network against its one-hot target. */
export interface ExampleCost {
  pixels: Float32Array;
  label: number;
  /** The ten outputs a, the target y (one-hot) and (aⱼ − yⱼ)². */
  outputs: Float32Array;
  target: Float32Array;
  squares: Float32Array;
  /** The engine's quadratic cost ½ Σⱼ (aⱼ − yⱼ)². */
  cost: number;
}

export type ToySurfaceName = "quartic" | "bowl";

/** A toy cost function sampled for drawing: 1-D as (x, f(x)), 2-D as a grid of f over xs × ys. */
export interface ToySurface {
  dims: 1 | 2;
  xs: Float32Array;
  ys: Float32Array;
  /** f at every point: xs.length values (1-D), or values[j·xs.length + i] = f(xs[i], ys[j]) (2-D). */
  values: Float32Array;
}

/** Gradient descent on a toy function: the points visited and how it ended. */
export interface ToyDescent {
  /** Coordinates of every point, `dims` numbers each (start first). */
  path: Float32Array;
  costs: Float32Array;
  /** "converged": the gradient is ~0; "crawling": still on its way; "diverged": ran off to infinity. */
  status: "converged" | "crawling" | "diverged";
  finalGradient: number;
}

/** The real network's cost around its current weights w along random filter-normalised directions. */
export interface NetLandscape {
  alpha: Float32Array;
  /** Cost along w + α·d₁ and w + α·d₂. */
  line1: Float32Array;
  line2: Float32Array;
  /** Cost over w + α·d₁ + β·d₂: plane[j·n + i] at α = alpha[i], β = alpha[j]. */
  plane: Float32Array;
  images: number;
}

declare module "../protocol.js" {
  interface EngineMethods {
    /**
     * The training job. "reset" makes a new untrained 3b1b network (784-16-16-10 sigmoid, quadratic
     * cost, SGD); "run" trains until "pause"; "step" takes one step while paused; lr and batch apply to
     * the next step whatever the action. Runs at once, even while another request is being answered.
     */
    "train.control": { params: { action: "reset" | "run" | "pause" | "step" | "set"; lr?: number; batch?: number; seed?: number; pace?: Pace }; result: TrainLive };
    /** Test image `index` through the network being trained, against its one-hot target. */
    "example.cost": { params: { index: number }; result: ExampleCost };
    "toy.surface": { params: { surface: ToySurfaceName }; result: ToySurface };
    /** `steps` steps of gradient descent with learning rate `lr` from the surface's starting point. */
    "toy.descend": { params: { surface: ToySurfaceName; lr: number; steps: number }; result: ToyDescent };
    /** Cost on the first `images` training images along two random directions (`points` per axis). */
    "net.landscape": { params: { images: number; points: number; seed: number }; result: NetLandscape };
  }
  interface EngineEvents {
    /** The training job's progress, about every {@link REPORT_MS} ms while it runs. */
    "train.live": TrainLive;
  }
}

/** Training images between two evaluations on all 10,000 test images, once past the first ones. */
export const TEST_EVERY = 10_000;
/** The early evaluations (images seen), log-spaced so that early learning has points on the curve. */
const EARLY_TESTS = [100, 200, 500, 1000, 2000, 5000];

/**
 * How fast training goes. "full": as fast as the engine can. "step": one step a second (watch single
 * steps). "lesson": the lesson's pace — it starts at two steps a second (batch 10) and speeds up as it
 * goes, doubling about every 2 s, so the first epoch unfolds over about 20 s before full speed.
 */
export type Pace = "step" | "lesson" | "full";

/**
 * Images per second a pace allows after `images` images (Infinity: no limit). The lesson pace grows in
 * proportion to the images seen plus an offset: I(t) = A·(2^(t/2) − 1) with A = 20·2/ln 2, i.e.
 * dI/dt = (ln 2 / 2)·(I + A): 20 images/s at the start, about 60,000 images after 20 s.
 */
export function paceRate(pace: Pace, images: number, batch: number): number {
  if (pace === "step") return batch;
  if (pace === "lesson") {
    const a = (20 * 2) / Math.LN2;
    return (Math.LN2 / 2) * (images + a);
  }
  return Infinity;
}
/** Longest stretch of steps between two yields to the message loop (so pause and lr changes act at once). */
const CHUNK_MS = 40;
/** Time between two progress reports. */
const REPORT_MS = 250;
const MAX_BATCH = 1000;

interface Job {
  trainer: MnistTrainer;
  lr: number;
  batch: number;
  pace: Pace;
  buffer: BatchBuffer;
  order: Int32Array;
  position: number;
  images: number;
  steps: number;
  running: boolean;
  /** Steps since the last report. */
  window: { costSum: number; correct: number; images: number; seconds: number };
  /** Since the last "run": images, training seconds, and when it started (performance.now()). */
  run: { images: number; seconds: number; started: number };
  nextTest: number;
  lastTest?: { images: number; accuracy: number };
}

let job: Job | null = null;
let loop: Promise<void> | null = null;

/** The network the page trains; lesson 2's other panels look at it. */
export function pageNetwork(): MnistTrainer {
  if (!job) throw new Error("no network yet: the training panel makes one first");
  return job.trainer;
}

// A yield that lets the worker's queued messages run without setTimeout's ≥ 4 ms clamp on nested timers.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
/** Lets the requests waiting in the worker run, then continues. */
export function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}

function checkSettings(lr: number | undefined, batch: number | undefined): void {
  if (lr !== undefined && !(lr > 0 && lr < 1000)) throw new Error(`learning rate must be a positive number below 1000, got ${lr}`);
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= MAX_BATCH)) throw new Error(`batch size must be a whole number from 1 to ${MAX_BATCH}, got ${batch}`);
}

async function newJob(seed: number, lr: number, batch: number, pace: Pace): Promise<Job> {
  await engineReady();
  const data = await mnist();
  const config = makeConfig("3b1b", { seed, lr, batch });
  const trainer = new MnistTrainer(config, data);
  const j: Job = {
    trainer,
    lr,
    batch,
    pace,
    buffer: allocBatch(data.train, MAX_BATCH),
    order: epochOrder(data.train.count, trainer.rng),
    position: 0,
    images: 0,
    steps: 0,
    running: false,
    window: { costSum: 0, correct: 0, images: 0, seconds: 0 },
    run: { images: 0, seconds: 0, started: performance.now() },
    nextTest: 0,
  };
  testIfDue(j);
  return j;
}

/** One gradient-descent step on the next mini-batch of the current epoch's order. */
function step(j: Job): void {
  const train = j.trainer.data.train;
  if (j.position >= train.count) {
    j.order = epochOrder(train.count, j.trainer.rng);
    j.position = 0;
  }
  const b = gatherBatch(train, j.order, j.position, j.batch, j.buffer);
  const r = j.trainer.step(b.x, b.y, b.size);
  j.position += b.size;
  j.images += b.size;
  j.steps++;
  j.window.costSum += r.cost * b.size;
  j.window.correct += r.correct;
  j.window.images += b.size;
}

function testIfDue(j: Job): void {
  if (j.images < j.nextTest) return;
  j.lastTest = { images: j.images, accuracy: evaluate(j.trainer.model, j.trainer.data.test).accuracy };
  j.nextTest = EARLY_TESTS.find((n) => n > j.images) ?? j.images + TEST_EVERY;
}

/** The report on the steps since the last one (which it starts afresh). */
function report(j: Job, withTest: boolean, error?: string): TrainLive {
  const w = j.window;
  const live: TrainLive = {
    state: j.running ? "running" : "paused",
    images: j.images,
    steps: j.steps,
    cost: w.images ? w.costSum / w.images : NaN,
    accuracy: w.images ? w.correct / w.images : NaN,
    imagesPerSecond: w.seconds > 0 ? w.images / w.seconds : NaN,
    averageImagesPerSecond: j.run.seconds > 0 ? j.run.images / j.run.seconds : NaN,
    wallImagesPerSecond: j.run.images > 0 ? j.run.images / ((performance.now() - j.run.started) / 1000) : NaN,
    lr: j.lr,
    batch: j.batch,
    pace: j.pace,
    ...(withTest && j.lastTest ? { test: j.lastTest } : {}),
    ...(error ? { error } : {}),
  };
  j.window = { costSum: 0, correct: 0, images: 0, seconds: 0 };
  return live;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Trains until paused: steps for CHUNK_MS, then yields so control messages and other requests get
 * through. Training time is the time inside the chunks (test evaluations, yields and other requests are
 * outside); only a few numbers cross to the page, about every REPORT_MS. A paced job trains only as many
 * images as its pace allows (and reports more often, so single steps show).
 */
async function trainLoop(j: Job, ctx: MethodContext): Promise<void> {
  let lastReport = performance.now();
  // paced training: a bucket of images it may train on, filled at the pace's rate (never more than a
  // quarter second's worth, so a pause in the worker brings no burst)
  let tokens = j.batch;
  let tick = performance.now();
  try {
    while (j.running && job === j) {
      const start = performance.now();
      const rate = paceRate(j.pace, j.images, j.batch);
      const paced = rate < Infinity;
      if (paced) {
        tokens = Math.min(tokens + (rate * (start - tick)) / 1000, Math.max(j.batch, rate / 4));
        tick = start;
        if (tokens < j.batch) {
          // wait for the next step, in slices of at least a frame (timers are coarse on a busy machine)
          await sleep(Math.max(16, Math.min(250, (1000 * (j.batch - tokens)) / rate)));
          continue;
        }
      }
      const imagesBefore = j.images;
      do {
        step(j);
        if (paced) tokens -= j.batch;
      } while (performance.now() - start < CHUNK_MS && (!paced || tokens >= j.batch));
      const seconds = (performance.now() - start) / 1000;
      j.window.seconds += seconds;
      j.run.seconds += seconds;
      j.run.images += j.images - imagesBefore;
      const tested = j.images >= j.nextTest;
      testIfDue(j);
      if (tested || performance.now() - lastReport >= (paced ? REPORT_MS / 2.5 : REPORT_MS)) {
        lastReport = performance.now();
        ctx.emit("train.live", report(j, tested));
      }
      await yieldToMessages();
    }
  } catch (err) {
    j.running = false;
    ctx.emit("train.live", report(j, false, err instanceof Error ? err.message : String(err)));
  }
}

async function pause(): Promise<void> {
  if (job) job.running = false;
  await loop;
  loop = null;
}

function currentJob(): Job {
  if (!job) throw new Error("no network yet: reset the training first");
  return job;
}

// ——— toy cost functions: f on a batch of points (N, dims) → (N) values, composed of engine ops ———

interface ToyFunction {
  dims: 1 | 2;
  f: (p: Tensor) => Tensor;
  start: number[];
  /** The drawn window: x range, and y range (2-D). */
  window: [number, number][];
}

const column = (p: Tensor, i: number) => ops.slice(p, [0, i], [p.shape[0], i + 1]).reshape([p.shape[0]]);

const TOYS: Record<ToySurfaceName, ToyFunction> = {
  // f(x) = x⁴/4 − x² + 0.3x: a deep valley at x ≈ −1.49 and a shallower one at x ≈ 1.34, where descent from
  // x = 2.2 ends up (a local minimum); f″ ≈ 3.4 there, so steps larger than 2/3.4 ≈ 0.6 overshoot
  quartic: {
    dims: 1,
    f: (p) => {
      const x = column(p, 0);
      return x.pow(4).mul(0.25).sub(x.mul(x)).add(x.mul(0.3));
    },
    start: [2.2],
    window: [[-2.5, 2.5]],
  },
  // an elongated bowl f(x, y) = (x² + 10·y²)/2: ten times steeper across than along, so a learning rate
  // that suits the steep direction (< 2/10) crawls along the flat one
  bowl: {
    dims: 2,
    f: (p) => {
      const x = column(p, 0);
      const y = column(p, 1);
      return x.mul(x).add(y.mul(y).mul(10)).mul(0.5);
    },
    start: [-4, 1.5],
    window: [
      [-5, 5],
      [-2.5, 2.5],
    ],
  },
};

/** Points further out than this count as diverged. */
const TOY_BOUND = 1e3;

function toyValues(toy: ToyFunction, points: Float32Array): Float32Array {
  return tidy(() => noGrad(() => toy.f(ops.tensor(points, [points.length / toy.dims, toy.dims])).toArray() as Float32Array));
}

const linspace = (lo: number, hi: number, n: number) => Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

export const lesson2Methods: MethodTable = {
  async "train.control"({ action, lr, batch, seed, pace }, ctx) {
    checkSettings(lr, batch);
    if (pace !== undefined && !["step", "lesson", "full"].includes(pace)) throw new Error(`pace must be "step", "lesson" or "full", got ${JSON.stringify(pace)}`);
    if (action === "reset") {
      await pause();
      job = await newJob(seed ?? 1, lr ?? job?.lr ?? 3, batch ?? job?.batch ?? 10, pace ?? job?.pace ?? "lesson");
      return report(job, true);
    }
    const j = currentJob();
    if (lr !== undefined) {
      j.lr = lr;
      j.trainer.optimizer.lr = lr; // SGD reads its rate at every step
    }
    if (batch !== undefined) j.batch = batch;
    if (pace !== undefined) j.pace = pace;
    if (action === "run" && !j.running) {
      j.running = true;
      j.run = { images: 0, seconds: 0, started: performance.now() };
      loop = trainLoop(j, ctx);
    } else if (action === "pause") {
      await pause();
    } else if (action === "step" && !j.running) {
      const started = performance.now();
      step(j);
      j.window.seconds += (performance.now() - started) / 1000;
    }
    return report(j, false);
  },

  "example.cost"({ index }) {
    const model = pageNetwork().model;
    const { test } = pageNetwork().data;
    if (!Number.isInteger(index) || index < 0 || index >= test.count) throw new Error(`test image index must be 0..${test.count - 1}, got ${index}`);
    const pixels = test.images.slice(index * 784, (index + 1) * 784);
    const label = test.labels[index];
    return tidy(() =>
      noGrad(() => {
        const a = model.forward(ops.tensor(pixels, [1, 784]));
        const y = ops.oneHot(ops.tensor(Int32Array.of(label), [1], "int32"), 10);
        const d = a.sub(y);
        return {
          pixels,
          label,
          outputs: a.toArray() as Float32Array,
          target: y.toArray() as Float32Array,
          squares: d.mul(d).toArray() as Float32Array,
          cost: F.quadraticCost(a, y).item(),
        };
      }),
    );
  },

  async "toy.surface"({ surface }) {
    await engineReady();
    const toy = TOYS[surface];
    if (toy.dims === 1) {
      const xs = linspace(toy.window[0][0], toy.window[0][1], 201);
      return { dims: 1, xs, ys: new Float32Array(0), values: toyValues(toy, xs) };
    }
    const xs = linspace(toy.window[0][0], toy.window[0][1], 81);
    const ys = linspace(toy.window[1][0], toy.window[1][1], 41);
    const points = new Float32Array(xs.length * ys.length * 2);
    ys.forEach((y, j) => xs.forEach((x, i) => points.set([x, y], 2 * (j * xs.length + i))));
    return { dims: 2, xs, ys, values: toyValues(toy, points) };
  },

  async "toy.descend"({ surface, lr, steps }) {
    await engineReady();
    const toy = TOYS[surface];
    if (!(lr > 0) || !Number.isInteger(steps) || steps < 1 || steps > 10_000) throw new Error(`need lr > 0 and 1..10000 steps, got lr ${lr}, ${steps} steps`);
    const path: number[] = [...toy.start];
    const costs: number[] = [];
    let p = Float32Array.from(toy.start);
    let gradient = Infinity;
    let diverged = false;
    for (let s = 0; s <= steps; s++) {
      // the gradient comes from the engine's backward pass, as for the network
      const { cost, grad } = tidy(() => {
        const x = ops.tensor(p, [1, toy.dims]).requireGrad();
        const f = toy.f(x).sum();
        f.backward();
        return { cost: f.item(), grad: x.grad!.toArray() as Float32Array };
      });
      costs.push(cost);
      gradient = Math.hypot(...grad);
      if (s === steps) break;
      p = p.map((v, i) => v - lr * grad[i]);
      if (!p.every((v) => Number.isFinite(v) && Math.abs(v) < TOY_BOUND)) {
        diverged = true;
        break;
      }
      path.push(...p);
    }
    const status = diverged ? "diverged" : gradient < 1e-3 ? "converged" : "crawling";
    return { path: Float32Array.from(path), costs: Float32Array.from(costs), status, finalGradient: gradient };
  },

  "net.landscape"({ images, points, seed }) {
    const trainer = pageNetwork();
    if (!Number.isInteger(images) || images < 10 || images > 10_000) throw new Error(`images must be 10..10000, got ${images}`);
    if (!Number.isInteger(points) || points < 3 || points > 41) throw new Error(`points must be 3..41, got ${points}`);
    // a copy of the weights now, so training on the page goes on with its own
    const w = trainer.model.stateDict();
    const model = new MLP(trainer.config.model, new Rng(0));
    model.loadStateDict(w);
    const rng = new Rng(seed);
    const d1 = filterNormalisedDirection(model, rng);
    const d2 = filterNormalisedDirection(model, rng);
    const data = subset(trainer.data.train, images);
    const costAt = (a: number, b: number) => {
      model.loadStateDict(combine(w, d1, d2, a, b));
      return costOn(model, trainer.config, data);
    };
    const axis = grid(points);
    const plane = new Float32Array(points * points);
    axis.forEach((b, j) => axis.forEach((a, i) => (plane[j * points + i] = costAt(a, b))));
    const result = { alpha: Float32Array.from(axis), line1: Float32Array.from(axis, (a) => costAt(a, 0)), line2: Float32Array.from(axis, (a) => costAt(0, a)), plane, images };
    for (const [, p] of model.namedParameters()) p.dispose();
    return result;
  },
};
