// The narrow interface every backend implements: storage plus "run this primitive". Shape rules,
// broadcasting and autograd live in core; a backend only fills an output buffer it is handed.

import type { DType, TypedArray } from "./dtype.js";
import type { FusedOp, FusedParams } from "./fused.js";
import type { KernelPrim, PrimParams } from "./prims.js";
import type { Shape } from "./shape.js";

/** A backend's buffer. Opaque to core; each backend defines its own class. */
export interface Storage {
  readonly dtype: DType;
  readonly size: number;
}

/** What a kernel sees of a tensor: its buffer, shape and dtype (always contiguous, row-major). */
export interface KernelArg {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A kernel writes the primitive's result into `out` (already allocated with the right shape). */
export type Kernel<P extends KernelPrim> = (out: KernelArg, inputs: readonly KernelArg[], params: PrimParams[P]) => void;

/** One kernel per primitive: a backend that misses one fails the type check. */
export type Kernels = { readonly [P in KernelPrim]: Kernel<P> };

/** A fused kernel: one pass for what a composite does in several primitives (see fused.ts). */
export type FusedKernel<F extends FusedOp> = (out: KernelArg, inputs: readonly KernelArg[], params: FusedParams[F]) => void;

/** Fused kernels a backend may provide; the composite runs wherever one is missing. */
export type FusedKernels = { readonly [F in FusedOp]?: FusedKernel<F> };

/** A layer of a dense MLP as a fused training step sees it: weight [out, in] (PyTorch's layout), bias [out]. */
export interface DenseLayer {
  readonly weight: KernelArg;
  readonly bias: KernelArg;
}

/** Adam's moments of one parameter (same shape, zeros before the first step), updated in place. */
export interface AdamMoments {
  readonly m: KernelArg;
  readonly v: KernelArg;
}

/**
 * The Adam/AdamW update of a fused step (see {@link AdamStep} for the symbols): the moments of each
 * layer's weight and bias, and `t`, the step number of the first step (1 on the very first).
 */
export interface DenseAdam extends Pick<AdamStep, "beta1" | "beta2" | "eps" | "weightDecay" | "decoupled" | "t"> {
  readonly moments: readonly { readonly weight: AdamMoments; readonly bias: AdamMoments }[];
}

/**
 * One training step of a dense MLP on one mini-batch, for {@link Backend.denseStep}: the batch is the
 * first `n` examples of `x`, each `in` values long, row after row, with their labels. The update is
 * SGD (p −= lr·g), or Adam where `adam` is given.
 */
export interface DenseStep {
  readonly layers: readonly DenseLayer[];
  /** Adam's constants and moments; absent: plain SGD. */
  readonly adam?: DenseAdam;
  /** Activation of the hidden layers. */
  readonly hidden: "sigmoid" | "relu";
  /** Sigmoid outputs with the quadratic cost (mean of ½‖a − y‖²), or logits with cross-entropy. */
  readonly head: "sigmoid-quadratic" | "linear-cross-entropy";
  /** Learning rate of this step. */
  readonly lr: number;
  /** The batch [n, inputs], row after row: values, or bytes that stand for byte / 255 (MNIST's pixels). */
  readonly x: Float32Array | Uint8Array;
  /** Class of each example of `x`. */
  readonly labels: ArrayLike<number>;
  readonly n: number;
}

/**
 * Many training steps of a dense MLP over a data set of bytes, for {@link Backend.denseSteps}: step s
 * takes the examples `order[s·batch …]` (the last step what is left), learning rate `lrs[s]` and, with
 * Adam, step number `adam.t + s`.
 */
export interface DenseSteps extends Pick<DenseStep, "layers" | "adam" | "hidden" | "head"> {
  /** The whole data set [count, inputs] as bytes (value = byte / 255); the backend may keep a copy between calls. */
  readonly pixels: Uint8Array;
  /** Its labels [count]. */
  readonly labels: Uint8Array;
  /** The examples of these steps, batch after batch. */
  readonly order: Int32Array;
  readonly batch: number;
  /** Learning rate of each step (one per batch of `order`). */
  readonly lrs: Float64Array;
}

/** What {@link Backend.denseSteps} did: the cost and correct count of each step that ran. */
export interface DenseStepsResult {
  readonly costs: Float32Array;
  readonly correct: Int32Array;
  /** Steps that ran: all of them, or up to and including the first whose cost is not finite. */
  readonly done: number;
}

/**
 * One Adam/AdamW step of one float32 parameter, for {@link Backend.adamStep}: updates `param` and the
 * moments `m`, `v` (same shape, zero before the first step) in place from `grad`.
 */
export interface AdamStep {
  readonly param: KernelArg;
  readonly grad: KernelArg;
  readonly m: KernelArg;
  readonly v: KernelArg;
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Weight decay λ: added to the gradient (Adam) or, when `decoupled`, p ← p·(1 − lr·λ) first (AdamW). */
  readonly weightDecay: number;
  readonly decoupled: boolean;
  /** The step number t of the bias corrections 1 − βᵗ (1 on the first step). */
  readonly t: number;
}

export interface Backend {
  /** Short name used by `--backend`, e.g. "js" or "wasm". */
  readonly name: string;
  /** Element types this backend stores. */
  readonly dtypes: readonly DType[];
  /** A zero-filled buffer. */
  alloc(dtype: DType, size: number): Storage;
  /**
   * Optional: a buffer whose contents are unspecified, for the output of an op whose kernel writes every
   * element (WRITES_EVERY_ELEMENT in engine.ts); saves zeroing memory that is overwritten at once.
   */
  allocUninit?(dtype: DType, size: number): Storage;
  /** A buffer holding a copy of `data`. */
  upload(data: TypedArray): Storage;
  /** A copy of the buffer's contents. */
  read(storage: Storage): TypedArray;
  /** Releases the buffer (a no-op where the garbage collector owns memory). */
  free(storage: Storage): void;
  readonly kernels: Kernels;
  /** Optional fused kernels overriding composites (each tested against its composite). */
  readonly fused?: FusedKernels;
  /**
   * Optional: a whole training step of a dense MLP in one kernel (forward, cost, backward, and the SGD
   * or Adam update in place); returns the batch's mean cost and how many examples it got right. The
   * trainer's composite step is its oracle (src/train/fused-step.ts decides when it runs).
   */
  denseStep?(step: DenseStep): { cost: number; correct: number };
  /**
   * Optional: many {@link denseStep}s in one call over a data set the backend keeps (uploaded once
   * per `pixels` array), so a step costs no host work: the trainer's epoch loop on MNIST's bytes.
   */
  denseSteps?(steps: DenseSteps): DenseStepsResult;
  /**
   * Optional: one Adam/AdamW update of a parameter in a single pass, in place (the optimizer's
   * composite update in src/optim/adam.ts is its oracle and runs wherever this is missing).
   */
  adamStep?(step: AdamStep): void;
}
