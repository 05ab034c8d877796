// The closed list of primitive ops. For each: its parameters, its shape rule and, right beside it, its
// vector-Jacobian product written with the public tensor ops. Everything else (sigmoid, softmax,
// cross-entropy, layer norm, attention, …) is composed from these and gets gradients for free.

import { col2im, im2col, inferCol2im, inferIm2col, type Col2imParams, type Im2colParams } from "./conv.js";
import type { DType } from "./dtype.js";
import { isFloat } from "./dtype.js";
import { ShapeError } from "./errors.js";
import * as ops from "./ops.js";
import { broadcastShapes, formatShape, normAxis, reducedShape, shapesEqual, sizeOf, type Shape } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** Parameters of each primitive (an empty object when it has none). */
export interface PrimParams {
  // elementwise unary
  neg: {};
  exp: {};
  log: {};
  sqrt: {};
  tanh: {};
  erf: {};
  // elementwise binary, NumPy broadcasting
  add: {};
  sub: {};
  mul: {};
  div: {};
  maximum: {};
  /** 1 where a > b else 0, in the inputs' dtype. */
  greater: {};
  /** 1 where a == b else 0, in the inputs' dtype. */
  equal: {};
  /** where(cond, a, b): a where cond != 0 else b, broadcasting all three. */
  where: {};
  // reductions over sorted, unique axes
  sum: { axes: number[]; keepDims: boolean };
  max: { axes: number[]; keepDims: boolean };
  /** Index of the largest element along `axis` (int32, axis removed). */
  argmax: { axis: number };
  /** a [..., m, k] @ b [..., k, n] with optional transposes of the last two axes; batch axes broadcast. */
  matmul: { transA: boolean; transB: boolean };
  // movement
  /** Same data, new shape (no copy). */
  reshape: { shape: number[] };
  permute: { perm: number[] };
  broadcastTo: { shape: number[] };
  slice: { begin: number[]; end: number[] };
  /** Zero padding: `before[i]` and `after[i]` elements on each axis. */
  pad: { before: number[]; after: number[] };
  concat: { axis: number };
  // indexing
  /** Rows of a table: table [V, ...rest], ids int32 [...I] -> [...I, ...rest]. */
  gather: {};
  /** Adds rows into a zero table: ids int32 [...I], src [...I, ...rest] -> [rows, ...rest]. */
  scatterAdd: { rows: number };
  /** ids int32 [...I] -> [...I, classes] of 0/1 in `dtype`. */
  oneHot: { classes: number; dtype: DType };
  cast: { dtype: DType };
  // windows of images (conv.ts): conv2d and pooling are composed from these
  /** x [N, C, H, W] → every kernel window as a column, [G, Cg·kh·kw, N·OH·OW]. */
  im2col: Im2colParams;
  /** Columns added back into the image [N, C, H, W] (im2col's gradient). */
  col2im: Col2imParams;
}

export type Prim = keyof PrimParams;
/** Primitives a backend runs a kernel for; `reshape` only relabels a shared buffer. */
export type KernelPrim = Exclude<Prim, "reshape">;

export interface ArgInfo {
  readonly shape: Shape;
  readonly dtype: DType;
}

/**
 * The vector-Jacobian product: gradients of the inputs given the gradient `g` of the output. A rule may
 * return null for an input that does not require gradients (skipping, e.g., the gradient of the data).
 */
export type Vjp<P extends Prim> = (g: Tensor, inputs: readonly Tensor[], out: Tensor, params: PrimParams[P]) => (Tensor | null)[];

export interface PrimDef<P extends Prim> {
  /** Output shape and dtype; throws ShapeError on bad input. */
  infer(inputs: readonly ArgInfo[], params: PrimParams[P]): ArgInfo;
  /** Gradient rule; absent for ops that are not differentiable (comparisons, indices). */
  vjp?: Vjp<P>;
}

function sameDType(op: string, inputs: readonly ArgInfo[]): DType {
  const dtype = inputs[0].dtype;
  for (const x of inputs) {
    if (x.dtype !== dtype) throw new ShapeError(`${op}: inputs must share a dtype, found ${inputs.map((i) => i.dtype).join(" and ")}`);
  }
  return dtype;
}

function unary(op: string): (inputs: readonly ArgInfo[]) => ArgInfo {
  return ([x]) => {
    if (!isFloat(x.dtype)) throw new ShapeError(`${op}: expected a float tensor, found ${x.dtype}`);
    return { shape: x.shape, dtype: x.dtype };
  };
}

function binary(op: string): (inputs: readonly ArgInfo[]) => ArgInfo {
  return (inputs) => ({ shape: broadcastShapes(inputs[0].shape, inputs[1].shape, op), dtype: sameDType(op, inputs) });
}

function reduction(op: string) {
  return ([x]: readonly ArgInfo[], p: { axes: number[]; keepDims: boolean }): ArgInfo => {
    for (const a of p.axes) normAxis(a, x.shape.length, op);
    if (op === "max") for (const a of p.axes) if (x.shape[a] === 0) throw new ShapeError(`max: cannot reduce over empty axis ${a} of ${formatShape(x.shape)}`);
    return { shape: reducedShape(x.shape, p.axes, p.keepDims), dtype: x.dtype };
  };
}

/** Gradient of a broadcast input: sums `g` back down to `shape` (the one helper that undoes broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? ops.sum(g, axes, true) : g;
  return ops.reshape(summed, [...shape]);
}

function matmulShape(a: ArgInfo, b: ArgInfo, p: PrimParams["matmul"]): number[] {
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new ShapeError(`matmul: expected tensors of rank >= 2, found ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = p.transA ? [ac, ar] : [ar, ac];
  const [k2, n] = p.transB ? [bc, br] : [br, bc];
  if (k !== k2) {
    throw new ShapeError(
      `matmul: inner dimensions differ: ${formatShape(a.shape)}${p.transA ? "ᵀ" : ""} @ ${formatShape(b.shape)}${p.transB ? "ᵀ" : ""} (${k} vs ${k2})`,
    );
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), "matmul (batch axes)");
  return [...batch, m, n];
}

function checkIds(op: string, ids: ArgInfo): void {
  if (ids.dtype !== "int32") throw new ShapeError(`${op}: expected int32 ids, found ${ids.dtype}`);
}

/** Shape rule and gradient of every primitive. A missing entry fails the type check. */
export const primitives: { readonly [P in Prim]: PrimDef<P> } = {
  neg: { infer: unary("neg"), vjp: (g) => [ops.neg(g)] },
  exp: { infer: unary("exp"), vjp: (g, _x, out) => [ops.mul(g, out)] },
  log: { infer: unary("log"), vjp: (g, [x]) => [ops.div(g, x)] },
  sqrt: { infer: unary("sqrt"), vjp: (g, _x, out) => [ops.div(ops.mul(g, 0.5), out)] },
  tanh: { infer: unary("tanh"), vjp: (g, _x, out) => [ops.mul(g, ops.sub(1, ops.mul(out, out)))] },
  erf: {
    infer: unary("erf"),
    // d/dx erf(x) = 2/√π · exp(−x²)
    vjp: (g, [x]) => [ops.mul(g, ops.mul(ops.exp(ops.neg(ops.mul(x, x))), 2 / Math.sqrt(Math.PI)))],
  },

  add: { infer: binary("add"), vjp: (g, [a, b]) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? sumTo(g, b.shape) : null] },
  sub: {
    infer: binary("sub"),
    vjp: (g, [a, b]) => [a.requiresGrad ? sumTo(g, a.shape) : null, b.requiresGrad ? sumTo(ops.neg(g), b.shape) : null],
  },
  mul: {
    infer: binary("mul"),
    vjp: (g, [a, b]) => [a.requiresGrad ? sumTo(ops.mul(g, b), a.shape) : null, b.requiresGrad ? sumTo(ops.mul(g, a), b.shape) : null],
  },
  div: {
    infer: binary("div"),
    vjp: (g, [a, b], out) => [
      a.requiresGrad ? sumTo(ops.div(g, b), a.shape) : null,
      b.requiresGrad ? sumTo(ops.neg(ops.div(ops.mul(g, out), b)), b.shape) : null,
    ],
  },
  maximum: {
    infer: binary("maximum"),
    // the larger input takes the gradient; on a tie it goes to b (so relu(x) = maximum(x, 0) has 0 at 0, like PyTorch)
    vjp: (g, [a, b]) => {
      const aWins = ops.greater(a, b);
      return [
        a.requiresGrad ? sumTo(ops.mul(g, aWins), a.shape) : null,
        b.requiresGrad ? sumTo(ops.mul(g, ops.sub(1, aWins)), b.shape) : null, // relu's constant 0 needs none
      ];
    },
  },
  greater: { infer: binary("greater") },
  equal: { infer: binary("equal") },
  where: {
    infer: ([c, a, b]) => ({
      shape: broadcastShapes(c.shape, broadcastShapes(a.shape, b.shape, "where"), "where"),
      dtype: sameDType("where", [a, b]),
    }),
    vjp: (g, [c, a, b]) => {
      const zero = ops.zerosLike(g);
      return [null, sumTo(ops.where(c, g, zero), a.shape), sumTo(ops.where(c, zero, g), b.shape)];
    },
  },

  sum: {
    infer: reduction("sum"),
    vjp: (g, [x], _out, p) => [ops.broadcastTo(ops.reshape(g, reducedShape(x.shape, p.axes, true)), [...x.shape])],
  },
  max: {
    infer: reduction("max"),
    // the gradient flows to the arg-max (to every tied maximum)
    vjp: (g, [x], out, p) => {
      const keep = reducedShape(x.shape, p.axes, true);
      const mask = ops.equal(x, ops.reshape(out, keep));
      return [ops.mul(mask, ops.reshape(g, keep))];
    },
  },
  argmax: {
    infer: ([x], p) => {
      const axis = normAxis(p.axis, x.shape.length, "argmax");
      if (x.shape[axis] === 0) throw new ShapeError(`argmax: axis ${axis} of ${formatShape(x.shape)} is empty`);
      return { shape: x.shape.filter((_, i) => i !== axis), dtype: "int32" };
    },
  },
  matmul: {
    infer: ([a, b], p) => ({ shape: matmulShape(a, b, p), dtype: sameDType("matmul", [a, b]) }),
    // C = op(A)·op(B). Without transposes dA = G·Bᵀ and dB = Aᵀ·G; a transposed operand gets the
    // transpose of that, which is again one matmul with flags (no copy).
    vjp: (g, [a, b], _out, { transA, transB }) => {
      const da = !a.requiresGrad ? null : transA ? ops.matmul(b, g, { transA: transB, transB: true }) : ops.matmul(g, b, { transA: false, transB: !transB });
      const db = !b.requiresGrad ? null : transB ? ops.matmul(g, a, { transA: true, transB: transA }) : ops.matmul(a, g, { transA: !transA, transB: false });
      return [da && sumTo(da, a.shape), db && sumTo(db, b.shape)];
    },
  },

  reshape: {
    infer: ([x], p) => {
      if (sizeOf(p.shape) !== sizeOf(x.shape)) {
        throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (${sizeOf(x.shape)} elements) to ${formatShape(p.shape)} (${sizeOf(p.shape)} elements)`);
      }
      return { shape: p.shape, dtype: x.dtype };
    },
    vjp: (g, [x]) => [ops.reshape(g, [...x.shape])],
  },
  permute: {
    infer: ([x], p) => {
      const r = x.shape.length;
      if (p.perm.length !== r || [...p.perm].sort((a, b) => a - b).some((v, i) => v !== i)) {
        throw new ShapeError(`permute: expected a permutation of 0..${r - 1}, found [${p.perm.join(", ")}]`);
      }
      return { shape: p.perm.map((a) => x.shape[a]), dtype: x.dtype };
    },
    vjp: (g, _x, _out, p) => {
      const inverse = new Array<number>(p.perm.length);
      p.perm.forEach((a, i) => (inverse[a] = i));
      return [ops.permute(g, inverse)];
    },
  },
  broadcastTo: {
    infer: ([x], p) => {
      const b = broadcastShapes(x.shape, p.shape, "broadcastTo");
      if (!shapesEqual(b, p.shape)) throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(p.shape)}`);
      return { shape: p.shape, dtype: x.dtype };
    },
    vjp: (g, [x]) => [sumTo(g, x.shape)],
  },
  slice: {
    infer: ([x], p) => {
      const r = x.shape.length;
      if (p.begin.length !== r || p.end.length !== r) throw new ShapeError(`slice: expected ${r} begin/end values for ${formatShape(x.shape)}`);
      for (let i = 0; i < r; i++) {
        if (!(0 <= p.begin[i] && p.begin[i] <= p.end[i] && p.end[i] <= x.shape[i])) {
          throw new ShapeError(`slice: axis ${i}: range ${p.begin[i]}..${p.end[i]} is outside 0..${x.shape[i]}`);
        }
      }
      return { shape: p.begin.map((b, i) => p.end[i] - b), dtype: x.dtype };
    },
    vjp: (g, [x], _out, p) => [ops.pad(g, p.begin, p.end.map((e, i) => x.shape[i] - e))],
  },
  pad: {
    infer: ([x], p) => {
      const r = x.shape.length;
      if (p.before.length !== r || p.after.length !== r || [...p.before, ...p.after].some((v) => !Number.isInteger(v) || v < 0)) {
        throw new ShapeError(`pad: expected ${r} non-negative before/after values for ${formatShape(x.shape)}`);
      }
      return { shape: x.shape.map((d, i) => d + p.before[i] + p.after[i]), dtype: x.dtype };
    },
    vjp: (g, [x], _out, p) => [ops.slice(g, p.before, p.before.map((b, i) => b + x.shape[i]))],
  },
  concat: {
    infer: (inputs, p) => {
      if (inputs.length === 0) throw new ShapeError("concat: expected at least one tensor");
      const first = inputs[0].shape;
      const axis = normAxis(p.axis, first.length, "concat");
      let total = 0;
      for (const x of inputs) {
        if (x.shape.length !== first.length || x.shape.some((d, i) => i !== axis && d !== first[i])) {
          throw new ShapeError(`concat: shapes ${inputs.map((i) => formatShape(i.shape)).join(", ")} differ outside axis ${axis}`);
        }
        total += x.shape[axis];
      }
      return { shape: first.map((d, i) => (i === axis ? total : d)), dtype: sameDType("concat", inputs) };
    },
    vjp: (g, inputs, _out, p) => {
      let start = 0;
      return inputs.map((x) => {
        const begin = x.shape.map((_, i) => (i === p.axis ? start : 0));
        const end = x.shape.map((d, i) => (i === p.axis ? start + d : d));
        start += x.shape[p.axis];
        return ops.slice(g, begin, end);
      });
    },
  },

  gather: {
    infer: ([table, ids]) => {
      checkIds("gather", ids);
      if (table.shape.length < 1) throw new ShapeError("gather: the table must have at least one axis");
      return { shape: [...ids.shape, ...table.shape.slice(1)], dtype: table.dtype };
    },
    vjp: (g, [table, ids]) => [ops.scatterAdd(ids, g, table.shape[0]), null],
  },
  scatterAdd: {
    infer: ([ids, src], p) => {
      checkIds("scatterAdd", ids);
      if (!shapesEqual(src.shape.slice(0, ids.shape.length), ids.shape)) {
        throw new ShapeError(`scatterAdd: src ${formatShape(src.shape)} must start with the ids' shape ${formatShape(ids.shape)}`);
      }
      return { shape: [p.rows, ...src.shape.slice(ids.shape.length)], dtype: src.dtype };
    },
    vjp: (g, [ids]) => [null, ops.gather(g, ids)],
  },
  oneHot: {
    infer: ([ids], p) => {
      checkIds("oneHot", ids);
      return { shape: [...ids.shape, p.classes], dtype: p.dtype };
    },
  },
  cast: {
    infer: ([x], p) => ({ shape: x.shape, dtype: p.dtype }),
    vjp: (g, [x]) => [isFloat(x.dtype) && isFloat(g.dtype) ? ops.cast(g, x.dtype) : null],
  },
  // im2col copies (a linear map); its transpose adds the copies back, and the other way round
  im2col: { infer: inferIm2col, vjp: (g, [x], _out, p) => [col2im(g, { ...p, padValue: 0, image: [...x.shape] })] },
  col2im: { infer: inferCol2im, vjp: (g, _cols, _out, { image: _image, ...p }) => [im2col(g, { ...p, padValue: 0 })] },
};
