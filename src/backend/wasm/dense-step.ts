// Host side of the fused training steps of a dense MLP, SGD or Adam (assembly/dense-step.ts has the loops).
// - denseStep: copies one batch (values, or bytes that stand for byte / 255) and its labels into a
//   work block kept between steps, writes the layer layout, makes one call, reads back cost and count.
// - denseSteps: many steps in one call over a data set kept in linear memory as its sparse index (the
//   nonzero bytes of each example and where they are: built once per array, freed when the array is
//   collected), so a step costs the host nothing and lists its rows by copying their entries.
// Neither touches the worker pool: a mini-batch step is far below the size where handing work to
// another thread pays.

import type { Backend, DenseAdam, DenseLayer, DenseStep, DenseSteps } from "../../core/backend.js";
import { NnlabError } from "../../core/errors.js";
import { ptrOf, type WasmContext } from "./storage.js";

/** Codes the kernel expects for `hidden` and `head`. */
const HIDDEN = { sigmoid: 0, relu: 1 } as const;
const HEAD = { "sigmoid-quadratic": 0, "linear-cross-entropy": 1 } as const;

/** A block of linear memory kept between calls, reallocated only when a call needs more. */
class Reusable {
  private ptr = 0;
  private bytes = 0;
  constructor(private readonly ctx: WasmContext) {}
  /** The block, at least `bytes` long (contents undefined). */
  at(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.bytes) this.ctx.heap.free(this.ptr, this.bytes);
      this.ptr = this.ctx.heap.alloc(bytes);
      this.bytes = bytes;
    }
    return this.ptr;
  }
}

function badBatch(expected: string, found: string): NnlabError {
  return NnlabError.problem({ subject: "denseStep batch", expected, found });
}

/** Labels copied into linear memory, and their largest value (checked against the output classes). */
interface ResidentLabels {
  readonly ptr: number;
  readonly bytes: number;
  readonly max: number;
}

/**
 * Label arrays kept in linear memory between calls, one copy per array object; a copy is freed when its
 * array is garbage collected. The arrays must not change while they are in use (a data set's labels do
 * not).
 */
class LabelCopies {
  private readonly copies = new WeakMap<Uint8Array, ResidentLabels>();
  private readonly release = new FinalizationRegistry<ResidentLabels>((r) => this.ctx.heap.free(r.ptr, r.bytes));

  constructor(private readonly ctx: WasmContext) {}

  of(labels: Uint8Array): ResidentLabels {
    let r = this.copies.get(labels);
    if (!r) {
      const bytes = Math.max(16, labels.length);
      const ptr = this.ctx.heap.alloc(bytes, false);
      this.ctx.heap.u8().set(labels, ptr);
      let max = 0;
      for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
      r = { ptr, bytes, max };
      this.copies.set(labels, r);
      this.release.register(labels, r);
    }
    return r;
  }
}

/** A data set's pixels in linear memory: its sparse index, or its bytes where rows are too wide for one. */
interface ResidentSet {
  readonly ptr: number;
  readonly bytes: number;
  readonly indexed: boolean;
}

/** Widest rows the sparse index takes (it keeps each entry's input as 16 bits). */
const INDEXED_INPUTS = 1 << 16;
/** Examples a call of buildSparseIndex fills (V8 optimizes a wasm function for its next call, not its current one). */
const INDEX_RUN = 4096;

/**
 * Data sets' pixels kept in linear memory between calls, one copy per array object and row width, as
 * their sparse index (assembly/dense-pixels.ts: about 3 bytes an inked pixel, 27 MB for MNIST's 47 MB of
 * bytes); a copy is freed when its array is garbage collected. The arrays must not change while they
 * are in use (a data set's pixels do not).
 */
class ResidentPixels {
  private readonly copies = new WeakMap<Uint8Array, Map<number, ResidentSet>>();
  private readonly release = new FinalizationRegistry<ResidentSet>((r) => this.ctx.heap.free(r.ptr, r.bytes));

  constructor(private readonly ctx: WasmContext) {}

  of(pixels: Uint8Array, inputs: number): ResidentSet {
    let byWidth = this.copies.get(pixels);
    if (!byWidth) this.copies.set(pixels, (byWidth = new Map()));
    let r = byWidth.get(inputs);
    if (!r) {
      r = this.upload(pixels, inputs);
      byWidth.set(inputs, r);
      this.release.register(pixels, r);
    }
    return r;
  }

  private upload(pixels: Uint8Array, inputs: number): ResidentSet {
    const { heap, exports } = this.ctx;
    const size = Math.max(16, pixels.length);
    const raw = heap.alloc(size, false);
    heap.u8().set(pixels, raw);
    if (inputs > INDEXED_INPUTS || inputs === 0) return { ptr: raw, bytes: size, indexed: false };
    const count = pixels.length / inputs;
    const bytes = exports.sparseIndexBytes(raw, count, inputs);
    const ptr = heap.alloc(bytes, false);
    // in runs of examples; the first call (made even for none) also writes the table and the starts
    for (let e = 0; e === 0 || e < count; e += INDEX_RUN) exports.buildSparseIndex(raw, count, inputs, ptr, e, Math.min(count, e + INDEX_RUN));
    heap.free(raw, size);
    return { ptr, bytes, indexed: true };
  }
}

/**
 * Writes the constants of steps with learning rates `lrs`, the first being step `adam.t`, as the kernel
 * reads them (f32 [steps, 4]: lr, then Adam's shrink 1 − lr·λ and bias corrections 1 − β₁ᵗ, 1 − β₂ᵗ),
 * rounded from float64 as the optimizer's adamStep rounds them.
 */
function writeHyper(f32: Float32Array, at: number, lrs: ArrayLike<number>, steps: number, adam: DenseAdam | undefined): void {
  for (let s = 0; s < steps; s++) {
    const lr = lrs[s];
    const i = (at >> 2) + 4 * s;
    f32[i] = lr;
    if (!adam) continue;
    const t = adam.t + s;
    f32[i + 1] = adam.decoupled ? 1 - lr * adam.weightDecay : 1;
    f32[i + 2] = 1 - adam.beta1 ** t;
    f32[i + 3] = 1 - adam.beta2 ** t;
  }
}

/** The two fused entry points of the wasm backend, sharing the layout and work blocks. */
export function denseStepKernels(ctx: WasmContext): Pick<Required<Backend>, "denseStep" | "denseSteps"> {
  const header = new Reusable(ctx); // result (2 values, padded to 16 bytes), then the layout
  const work = new Reusable(ctx);
  const perStep = new Reusable(ctx); // order, each step's constants, results
  const adamBlock = new Reusable(ctx);
  const residentPixels = new ResidentPixels(ctx);
  const residentLabels = new LabelCopies(ctx);
  let layout: number[] = [];
  let layoutAt = 0;

  /** Writes the layer layout (L, widths s0 … sL, weight and bias pointers) where it changed; its address. */
  const layoutOf = (layers: readonly DenseLayer[]): number => {
    const next = [layers.length, layers[0].weight.shape[1]];
    for (const l of layers) next.push(l.weight.shape[0]);
    for (const l of layers) next.push(ptrOf(l.weight), ptrOf(l.bias));
    const head = header.at(16 + next.length * 4);
    if (head !== layoutAt || next.length !== layout.length || next.some((v, i) => v !== layout[i])) {
      ctx.heap.i32().set(next, (head + 16) >> 2);
      [layout, layoutAt] = [next, head];
    }
    return head;
  };

  /** Writes Adam's constants and moment pointers (see the kernel's header); its address, or 0 for SGD. */
  const adamOf = (layers: readonly DenseLayer[], adam: DenseAdam | undefined): number => {
    if (!adam) return 0;
    if (adam.moments.length !== layers.length) throw badBatch(`Adam's moments for each of the ${layers.length} layers`, `${adam.moments.length}`);
    const at = adamBlock.at(32 + 16 * layers.length);
    const f32 = ctx.heap.f32();
    const i32 = ctx.heap.i32();
    f32.set([adam.beta1, 1 - adam.beta1, adam.beta2, 1 - adam.beta2, adam.eps, adam.weightDecay], at >> 2);
    i32[(at >> 2) + 6] = adam.decoupled ? 1 : 0;
    adam.moments.forEach(({ weight, bias }, l) => i32.set([ptrOf(weight.m), ptrOf(weight.v), ptrOf(bias.m), ptrOf(bias.v)], (at >> 2) + 8 + 4 * l));
    return at;
  };

  const denseStep = (step: DenseStep) => {
    const { layers, x, labels, n } = step;
    const inputs = layers[0].weight.shape[1];
    const classes = layers[layers.length - 1].weight.shape[0];
    const head = layoutOf(layers);
    const withAdam = step.adam ? 1 : 0;
    const block = work.at(ctx.exports.denseStepWorkBytes(head + 16, n, withAdam));
    const base = block + ctx.exports.denseStepBatchAt(head + 16, withAdam);
    const i32 = ctx.heap.i32();
    if (n * inputs > x.length || n > labels.length) throw badBatch(`${n} examples of ${inputs} values and their labels`, `${x.length} values and ${labels.length} labels`);
    // the batch's part of the work block starts with labels int32 [n] (padded to 4), then a⁽⁰⁾ [n, inputs]
    for (let r = 0; r < n; r++) {
      const label = labels[r];
      if (!(label >= 0 && label < classes && Number.isInteger(label))) throw badBatch(`labels from 0 to ${classes - 1}`, `${label} (example ${r})`);
      i32[(base >> 2) + r] = label;
    }
    // one contiguous copy (writing rows one by one into shared memory costs more than gathering them
    // first): bytes go to the kernel's byte area and become byte / 255 there, floats straight to a⁽⁰⁾
    const pixels = x instanceof Uint8Array;
    if (pixels) ctx.heap.u8().set(x.subarray(0, n * inputs), block + ctx.exports.denseStepPixelsAt(head + 16, n, withAdam));
    else ctx.heap.f32().set(x.subarray(0, n * inputs), (base >> 2) + ((n + 3) & ~3));
    const adam = adamOf(layers, step.adam);
    const hyper = perStep.at(16);
    writeHyper(ctx.heap.f32(), hyper, [step.lr], 1, step.adam);
    ctx.exports.denseStep(head + 16, block, n, HIDDEN[step.hidden], HEAD[step.head], hyper, adam, ctx.scratch, head, pixels ? 1 : 0);
    // fresh views: the blocks above may have grown the memory, which detaches unshared views
    return { cost: ctx.heap.f32()[head >> 2], correct: ctx.heap.i32()[(head >> 2) + 1] };
  };

  const denseSteps = (s: DenseSteps) => {
    const { layers, pixels, labels, order, batch, lrs } = s;
    const inputs = layers[0].weight.shape[1];
    const classes = layers[layers.length - 1].weight.shape[0];
    const count = labels.length;
    const steps = Math.ceil(order.length / batch);
    if (!(Number.isInteger(batch) && batch >= 1)) throw badBatch("a batch size of at least 1", String(batch));
    if (pixels.length !== count * inputs) throw badBatch(`${count} examples of ${inputs} bytes for ${count} labels`, `${pixels.length} bytes`);
    if (lrs.length < steps) throw badBatch(`a learning rate for each of the ${steps} steps`, `${lrs.length}`);
    for (let i = 0; i < order.length; i++) {
      if (!(order[i] >= 0 && order[i] < count)) throw badBatch(`example indices from 0 to ${count - 1}`, `${order[i]} (position ${i})`);
    }
    const data = residentPixels.of(pixels, inputs);
    const classOf = residentLabels.of(labels);
    if (count > 0 && classOf.max >= classes) throw badBatch(`labels from 0 to ${classes - 1}`, `${classOf.max}`);
    const head = layoutOf(layers);
    const base = work.at(ctx.exports.denseStepWorkBytes(head + 16, Math.min(batch, Math.max(1, order.length)), s.adam ? 1 : 0));
    const adam = adamOf(layers, s.adam);
    // per-step block: order int32 [examples], constants f32 [steps, 4], results (f32, i32) [steps]
    const block = perStep.at(4 * (order.length + 6 * steps) + 16);
    const hyper = block + 4 * order.length;
    const resultsAt = hyper + 16 * steps;
    ctx.heap.i32().set(order, block >> 2);
    writeHyper(ctx.heap.f32(), hyper, lrs, steps, s.adam);
    const [bytes, index] = data.indexed ? [0, data.ptr] : [data.ptr, 0];
    const done = ctx.exports.denseSteps(head + 16, base, bytes, classOf.ptr, block, order.length, batch, HIDDEN[s.hidden], HEAD[s.head], hyper, adam, ctx.scratch, resultsAt, index, count);
    const costs = new Float32Array(done);
    const correct = new Int32Array(done);
    const f32 = ctx.heap.f32();
    const i32 = ctx.heap.i32();
    for (let k = 0; k < done; k++) {
      costs[k] = f32[(resultsAt >> 2) + 2 * k];
      correct[k] = i32[(resultsAt >> 2) + 2 * k + 1];
    }
    return { costs, correct, done };
  };

  return { denseStep, denseSteps };
}
