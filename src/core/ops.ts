// Public functional ops: one thin wrapper per primitive (argument checking, scalars, defaults) plus
// tensor creation. Each wrapper goes through `apply`, so every op gets autograd and every backend.

import type { Backend } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { allocArray, isArrayOf } from "./dtype.js";
import { NnlabError, ShapeError } from "./errors.js";
import { apply, fromTypedArray, getBackend } from "./engine.js";
import type { Rng } from "./rng.js";
import { checkShape, formatShape, normAxes, normAxis, shapesEqual, sizeOf } from "./shape.js";
import { Tensor } from "./tensor.js";

type Operand = Tensor | number;

// ---- creation -----------------------------------------------------------------------------------

type Nested = number | readonly Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let x: Nested = data;
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = (x as readonly Nested[])[0] ?? 0;
  }
  return shape;
}

/**
 * A tensor from numbers, nested arrays or a typed array. `shape` defaults to the nesting (or `[n]` for a
 * flat array); `dtype` defaults to float32 (int32 for an Int32Array, float64 for a Float64Array).
 */
export function tensor(data: Nested | TypedArray | readonly number[], shape?: readonly number[], dtype?: DType): Tensor {
  let flat: TypedArray;
  let inferred: number[];
  if (ArrayBuffer.isView(data)) {
    const dt = dtype ?? (data instanceof Float64Array ? "float64" : data instanceof Int32Array ? "int32" : "float32");
    // the backend uploads a copy, so an array of the right type goes as it is (no garbage per training step)
    if (isArrayOf(data, dt)) flat = data;
    else {
      flat = allocArray(dt, data.length);
      flat.set(data);
    }
    inferred = [data.length];
  } else {
    inferred = inferShape(data as Nested);
    const values = Array.isArray(data) ? (data as unknown[]).flat(Infinity as 1) : [data];
    flat = allocArray(dtype ?? "float32", values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== "number") throw new ShapeError(`tensor: expected numbers, found ${typeof v} at position ${i}`);
      flat[i] = v;
    }
    if (values.length !== sizeOf(inferred)) throw new ShapeError(`tensor: ragged nested array (shape looks like ${formatShape(inferred)} but holds ${values.length} numbers)`);
  }
  const s = shape ? [...shape] : inferred;
  checkShape(s, "tensor");
  if (sizeOf(s) !== flat.length) throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${formatShape(s)}`);
  return fromTypedArray(flat, s);
}

/** A 0-d tensor. */
export function scalar(value: number, dtype: DType = "float32"): Tensor {
  return scalarOn(value, dtype, getBackend());
}

/**
 * One-element arrays that scalars pass through on their way to a backend: the upload copies them, and a
 * training step makes several scalars (learning rate, constants of the cost), so no new buffer each time.
 */
const SCALAR_STAGING: { [D in DType]: TypedArray } = { float32: new Float32Array(1), float64: new Float64Array(1), int32: new Int32Array(1) };

function scalarOn(value: number, dtype: DType, backend: Backend): Tensor {
  const a = SCALAR_STAGING[dtype];
  a[0] = value;
  return fromTypedArray(a, [], backend);
}

export function full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
  checkShape(shape, "full");
  const a = allocArray(dtype, sizeOf(shape));
  if (value !== 0) a.fill(value);
  return fromTypedArray(a, shape);
}

export function zeros(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: readonly number[], dtype: DType = "float32"): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(t: Tensor): Tensor {
  return fromTypedArray(allocArray(t.dtype, t.size), t.shape, t.backend);
}

/** Samples from N(mean, std²), drawn from `rng` in row-major order. */
export function randn(shape: readonly number[], rng: Rng, opts: { mean?: number; std?: number; dtype?: DType } = {}): Tensor {
  checkShape(shape, "randn");
  const a = allocArray(opts.dtype ?? "float32", sizeOf(shape));
  for (let i = 0; i < a.length; i++) a[i] = rng.normal(opts.mean ?? 0, opts.std ?? 1);
  return fromTypedArray(a, shape);
}

/** Samples from U[lo, hi), drawn from `rng` in row-major order. */
export function rand(shape: readonly number[], rng: Rng, opts: { lo?: number; hi?: number; dtype?: DType } = {}): Tensor {
  checkShape(shape, "rand");
  const a = allocArray(opts.dtype ?? "float32", sizeOf(shape));
  for (let i = 0; i < a.length; i++) a[i] = rng.uniform(opts.lo ?? 0, opts.hi ?? 1);
  return fromTypedArray(a, shape);
}

/** 0, 1, …, n-1. */
export function arange(n: number, dtype: DType = "int32"): Tensor {
  const a = allocArray(dtype, n);
  for (let i = 0; i < n; i++) a[i] = i;
  return fromTypedArray(a, [n]);
}

/** The lower-triangular n×n matrix of ones (1 where column <= row): the causal mask. */
export function tril(n: number, dtype: DType = "float32"): Tensor {
  const a = allocArray(dtype, n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = 1;
  return fromTypedArray(a, [n, n]);
}

function lift(x: Operand, like: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== "number") throw new NnlabError(`expected a tensor or a number, found ${typeof x}`);
  return scalarOn(x, like.dtype, like.backend);
}

function pair(a: Operand, b: Operand): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, lift(b, a)];
  if (b instanceof Tensor) return [lift(a, b), b];
  return [scalar(a), scalar(b)];
}

// ---- elementwise --------------------------------------------------------------------------------

export const neg = (x: Tensor): Tensor => apply("neg", [x], {});
export const exp = (x: Tensor): Tensor => apply("exp", [x], {});
export const log = (x: Tensor): Tensor => apply("log", [x], {});
export const sqrt = (x: Tensor): Tensor => apply("sqrt", [x], {});
export const tanh = (x: Tensor): Tensor => apply("tanh", [x], {});
export const erf = (x: Tensor): Tensor => apply("erf", [x], {});

export const add = (a: Operand, b: Operand): Tensor => apply("add", pair(a, b), {});
export const sub = (a: Operand, b: Operand): Tensor => apply("sub", pair(a, b), {});
export const mul = (a: Operand, b: Operand): Tensor => apply("mul", pair(a, b), {});
export const div = (a: Operand, b: Operand): Tensor => apply("div", pair(a, b), {});
export const maximum = (a: Operand, b: Operand): Tensor => apply("maximum", pair(a, b), {});
/** 1 where a > b, else 0 (not differentiable). */
export const greater = (a: Operand, b: Operand): Tensor => apply("greater", pair(a, b), {});
/** 1 where a == b, else 0 (not differentiable). */
export const equal = (a: Operand, b: Operand): Tensor => apply("equal", pair(a, b), {});

/** `a` where `cond` is non-zero, else `b` (all three broadcast). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const [x, y] = pair(a, b);
  const c = cond.dtype === x.dtype ? cond : cast(cond, x.dtype);
  return apply("where", [c, x, y], {});
}

// ---- reductions ---------------------------------------------------------------------------------

/** Sum over `axes` (default: all). */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return apply("sum", [x], { axes: normAxes(axes, x.rank, "sum"), keepDims });
}

/** Maximum over `axes` (default: all); the gradient flows to the arg-max. */
export function max(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return apply("max", [x], { axes: normAxes(axes, x.rank, "max"), keepDims });
}

/** Index of the largest element along `axis` (int32). */
export function argmax(x: Tensor, axis = -1): Tensor {
  return apply("argmax", [x], { axis: normAxis(axis, x.rank, "argmax") });
}

// ---- linear algebra -----------------------------------------------------------------------------

/** a @ b over the last two axes (batch axes broadcast); `transA`/`transB` transpose an operand. */
export function matmul(a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor {
  return apply("matmul", [a, b], { transA: opts.transA ?? false, transB: opts.transB ?? false });
}

// ---- movement -----------------------------------------------------------------------------------

/** Same data, new shape; one dimension may be -1 (inferred). Free: no copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = [...shape];
  const hole = s.indexOf(-1);
  if (hole >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== hole));
    if (rest === 0 || x.size % rest !== 0) throw new ShapeError(`reshape: cannot infer -1 in ${formatShape(shape)} for ${x.size} elements`);
    s[hole] = x.size / rest;
  }
  checkShape(s, "reshape");
  if (shapesEqual(s, x.shape)) return x;
  return apply("reshape", [x], { shape: s });
}

export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normAxis(a, x.rank, "permute"));
  if (p.every((a, i) => a === i)) return x;
  return apply("permute", [x], { perm: p });
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  return apply("broadcastTo", [x], { shape: [...shape] });
}

/** Elements begin[i] <= j < end[i] on every axis. */
export function slice(x: Tensor, begin: readonly number[], end: readonly number[]): Tensor {
  return apply("slice", [x], { begin: [...begin], end: [...end] });
}

/** Zero padding with before[i]/after[i] elements on axis i. */
export function pad(x: Tensor, before: readonly number[], after: readonly number[]): Tensor {
  return apply("pad", [x], { before: [...before], after: [...after] });
}

export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ShapeError("concat: expected at least one tensor");
  return apply("concat", xs, { axis: normAxis(axis, xs[0].rank, "concat") });
}

/** Splits `x` along `axis` into pieces of the given sizes. */
export function split(x: Tensor, sizes: readonly number[], axis = -1): Tensor[] {
  const ax = normAxis(axis, x.rank, "split");
  if (sizes.reduce((s, v) => s + v, 0) !== x.shape[ax]) throw new ShapeError(`split: sizes [${sizes.join(", ")}] do not add up to ${x.shape[ax]} (axis ${ax} of ${formatShape(x.shape)})`);
  let start = 0;
  return sizes.map((n) => {
    const begin = x.shape.map((_, i) => (i === ax ? start : 0));
    const end = x.shape.map((d, i) => (i === ax ? start + n : d));
    start += n;
    return slice(x, begin, end);
  });
}

// ---- indexing -----------------------------------------------------------------------------------

/** Rows of `table` picked by int32 `ids`: table [V, ...rest], ids [...I] -> [...I, ...rest]. */
export function gather(table: Tensor, ids: Tensor): Tensor {
  return apply("gather", [table, ids], {});
}

/** A zero table of `rows` rows with src rows added at `ids` (the gradient of gather). */
export function scatterAdd(ids: Tensor, src: Tensor, rows: number): Tensor {
  return apply("scatterAdd", [ids, src], { rows });
}

/** One-hot rows for int32 `ids`: [...I] -> [...I, classes]. */
export function oneHot(ids: Tensor, classes: number, dtype: DType = "float32"): Tensor {
  return apply("oneHot", [ids], { classes, dtype });
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return apply("cast", [x], { dtype });
}
