// Host side of the fused SGD step of a dense MLP (assembly/dense-step.ts has the loops): copies the
// batch and its labels into a work block kept between steps, writes the layer layout, makes one call,
// reads back cost and correct count. Never touches the worker pool: a mini-batch step is far
// below the size where handing work to another thread pays.

import type { Backend, DenseSgdStep } from "../../core/backend.js";
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
  return NnlabError.problem({ subject: "denseSgdStep batch", expected, found });
}

/** The backend's `denseSgdStep` (see DenseSgdStep in core/backend.ts). */
export function denseSgdStep(ctx: WasmContext): NonNullable<Backend["denseSgdStep"]> {
  const header = new Reusable(ctx); // result (2 values, padded to 16 bytes), then the layout
  const work = new Reusable(ctx);
  let layout: number[] = [];
  let layoutAt = 0;
  return (step: DenseSgdStep) => {
    const { layers, x, labels, n } = step;
    const inputs = layers[0].weight.shape[1];
    const classes = layers[layers.length - 1].weight.shape[0];
    // layout: L, widths s0 … sL, (weight, bias) pointers per layer; rewritten only when it changes
    const next = [layers.length, inputs];
    for (const l of layers) next.push(l.weight.shape[0]);
    for (const l of layers) next.push(ptrOf(l.weight), ptrOf(l.bias));
    const head = header.at(16 + next.length * 4);
    if (head !== layoutAt || next.length !== layout.length || next.some((v, i) => v !== layout[i])) {
      ctx.heap.i32().set(next, (head + 16) >> 2);
      [layout, layoutAt] = [next, head];
    }
    const base = work.at(ctx.exports.denseStepWorkBytes(head + 16, n));
    // the kernel's work block starts with labels int32 [n] (padded to 4), then a⁽⁰⁾ [n, inputs]
    const i32 = ctx.heap.i32();
    const f32 = ctx.heap.f32();
    const xAt = (base >> 2) + ((n + 3) & ~3);
    if (n * inputs > x.length || n > labels.length) throw badBatch(`${n} examples of ${inputs} values and their labels`, `${x.length} values and ${labels.length} labels`);
    for (let r = 0; r < n; r++) {
      const label = labels[r];
      if (!(label >= 0 && label < classes && Number.isInteger(label))) throw badBatch(`labels from 0 to ${classes - 1}`, `${label} (example ${r})`);
      i32[(base >> 2) + r] = label;
    }
    // one contiguous copy: writing rows one by one into shared memory costs more than gathering them first
    f32.set(x.subarray(0, n * inputs), xAt);
    ctx.exports.denseSgdStep(head + 16, base, n, HIDDEN[step.hidden], HEAD[step.head], step.lr, ctx.scratch, head);
    return { cost: f32[head >> 2], correct: i32[(head >> 2) + 1] };
  };
}
