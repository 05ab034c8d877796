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

export interface Backend {
  /** Short name used by `--backend`, e.g. "js" or "wasm". */
  readonly name: string;
  /** Element types this backend stores. */
  readonly dtypes: readonly DType[];
  /** A zero-filled buffer. */
  alloc(dtype: DType, size: number): Storage;
  /** A buffer holding a copy of `data`. */
  upload(data: TypedArray): Storage;
  /** A copy of the buffer's contents. */
  read(storage: Storage): TypedArray;
  /** Releases the buffer (a no-op where the garbage collector owns memory). */
  free(storage: Storage): void;
  readonly kernels: Kernels;
  /** Optional fused kernels overriding composites (each tested against its composite). */
  readonly fused?: FusedKernels;
}
