// The Tensor: an n-dimensional array on a backend, with PyTorch-like methods and an autograd node.
// Methods are thin: the math lives in ops.ts (primitives) and composite.ts (everything built on them).

import { backward } from "./autograd.js";
import type { Backend, Storage } from "./backend.js";
import * as composite from "./composite.js";
import type { DType, TypedArray } from "./dtype.js";
import { isFloat } from "./dtype.js";
import { NnlabError, ShapeError } from "./errors.js";
import { releaseData, track } from "./engine.js";
import * as ops from "./ops.js";
import type { FusedOp } from "./fused.js";
import type { Prim } from "./prims.js";
import { formatShape, normAxis, shapesEqual, sizeOf } from "./shape.js";

/** Engine-owned buffer shared by tensors that view the same data (e.g. after `reshape`). */
export interface TensorData {
  readonly backend: Backend;
  storage: Storage;
  refs: number;
}

/** How a tensor was made: the primitive, its inputs and its vector-Jacobian product. */
export interface GradNode {
  readonly prim: Prim | FusedOp;
  readonly inputs: readonly Tensor[];
  readonly vjp: (g: Tensor) => (Tensor | null)[];
}

type Operand = Tensor | number;

export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** @internal the engine-owned buffer */
  data: TensorData;
  /** Whether gradients flow to this tensor. Set on parameters; propagated by ops. */
  requiresGrad = false;
  /** Gradient of the last `backward()` with respect to this tensor (leaves, or after `retainGrad()`). */
  grad: Tensor | null = null;
  /** @internal autograd record; null for leaves */
  node: GradNode | null = null;
  /** @internal keep the gradient of this non-leaf in `backward()` */
  retainsGrad = false;
  /** @internal exempt from scope clean-up */
  kept = false;
  /** @internal */
  disposed = false;

  /** @internal use `tensor()`, `zeros()`, … to make tensors */
  constructor(data: TensorData, shape: number[], dtype: DType) {
    this.data = data;
    this.shape = shape;
    this.dtype = dtype;
    track(this);
  }

  get size(): number {
    return sizeOf(this.shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  get backend(): Backend {
    return this.data.backend;
  }
  /** @internal the buffer: a Tensor is the KernelArg its kernels receive (no wrapper per op) */
  get storage(): Storage {
    return this.data.storage;
  }

  // ---- reading --------------------------------------------------------------------------------

  /** A copy of the elements, row-major. */
  toArray(): TypedArray {
    this.checkAlive("toArray");
    return this.data.backend.read(this.data.storage);
  }

  /** The single element of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: expected a tensor with one element, found shape ${formatShape(this.shape)}`);
    return this.toArray()[0];
  }

  /** The elements as nested arrays (a number for a scalar). */
  tolist(): unknown {
    const flat = Array.from(this.toArray());
    const build = (axis: number, offset: number): unknown => {
      if (axis === this.shape.length) return flat[offset];
      const inner = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: this.shape[axis] }, (_, i) => build(axis + 1, offset + i * inner));
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}${this.requiresGrad ? ", requiresGrad" : ""})`;
  }

  // ---- autograd and memory --------------------------------------------------------------------

  /** Marks this tensor as a leaf that receives gradients (returns this). */
  requireGrad(flag = true): this {
    if (flag && !isFloat(this.dtype)) throw new NnlabError(`requireGrad: only float tensors can have gradients, this one is ${this.dtype}`);
    this.requiresGrad = flag;
    return this;
  }

  /** Keep this intermediate tensor's gradient in `backward()` (for introspection). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** Back-propagates from this tensor: fills `.grad` of every leaf that requires it. */
  backward(grad?: Tensor): void {
    backward(this, grad);
  }

  /** The same data cut off from the graph. */
  detach(): Tensor {
    this.data.refs++;
    return new Tensor(this.data, [...this.shape], this.dtype);
  }

  /** Replaces this tensor's data with `src`'s (same shape and dtype). Used by optimizers; not recorded. */
  assign(src: Tensor): this {
    this.checkAlive("assign");
    if (!shapesEqual(src.shape, this.shape) || src.dtype !== this.dtype) {
      throw new ShapeError(`assign: expected ${formatShape(this.shape)} ${this.dtype}, found ${formatShape(src.shape)} ${src.dtype}`);
    }
    if (src.data === this.data) return this;
    src.data.refs++;
    releaseData(this.data);
    this.data = src.data;
    return this;
  }

  /** Releases the data now (scopes do this automatically). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    releaseData(this.data);
    this.node = null;
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** @internal */
  checkAlive(op: string): void {
    if (this.disposed) throw new NnlabError(`${op}: this tensor was already released (created in a finished tidy() scope?)`);
  }

  // ---- arithmetic (broadcasting) --------------------------------------------------------------

  add(b: Operand): Tensor { return ops.add(this, b); }
  sub(b: Operand): Tensor { return ops.sub(this, b); }
  mul(b: Operand): Tensor { return ops.mul(this, b); }
  div(b: Operand): Tensor { return ops.div(this, b); }
  maximum(b: Operand): Tensor { return ops.maximum(this, b); }
  greater(b: Operand): Tensor { return ops.greater(this, b); }
  equal(b: Operand): Tensor { return ops.equal(this, b); }
  neg(): Tensor { return ops.neg(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  tanh(): Tensor { return ops.tanh(this); }
  erf(): Tensor { return ops.erf(this); }
  square(): Tensor { return ops.mul(this, this); }
  pow(p: number): Tensor { return composite.pow(this, p); }
  abs(): Tensor { return composite.abs(this); }

  // ---- activations ----------------------------------------------------------------------------

  sigmoid(): Tensor { return composite.sigmoid(this); }
  relu(): Tensor { return composite.relu(this); }
  gelu(approximate: "tanh" | "none" = "none"): Tensor { return composite.gelu(this, approximate); }
  softmax(axis = -1, temperature = 1): Tensor { return composite.softmax(this, axis, temperature); }
  logSoftmax(axis = -1): Tensor { return composite.logSoftmax(this, axis); }

  // ---- reductions -----------------------------------------------------------------------------

  sum(axes?: number | number[], keepDims = false): Tensor { return ops.sum(this, axes, keepDims); }
  mean(axes?: number | number[], keepDims = false): Tensor { return composite.mean(this, axes, keepDims); }
  max(axes?: number | number[], keepDims = false): Tensor { return ops.max(this, axes, keepDims); }
  argmax(axis = -1): Tensor { return ops.argmax(this, axis); }

  // ---- linear algebra and movement ------------------------------------------------------------

  /** this @ b, with optional transposes of the last two axes of either side. */
  matmul(b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor { return ops.matmul(this, b, opts); }
  reshape(shape: number[]): Tensor { return ops.reshape(this, shape); }
  permute(perm: number[]): Tensor { return ops.permute(this, perm); }
  /** Swaps two axes (default: the last two). */
  transpose(a = -2, b = -1): Tensor {
    const perm = this.shape.map((_, i) => i);
    const [x, y] = [normAxis(a, this.rank, "transpose"), normAxis(b, this.rank, "transpose")];
    [perm[x], perm[y]] = [perm[y], perm[x]];
    return ops.permute(this, perm);
  }
  broadcastTo(shape: number[]): Tensor { return ops.broadcastTo(this, shape); }
  slice(begin: number[], end: number[]): Tensor { return ops.slice(this, begin, end); }
  /** Rows `ids` of this table (an embedding lookup). */
  gather(ids: Tensor): Tensor { return ops.gather(this, ids); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
}

/** Is `x` a Tensor? */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
