// Elementwise kernels over float32 buffers in linear memory: unary maps, broadcasting binary ops and
// `where`. Broadcasting arrives pre-digested from the host: a collapsed shape and, per operand, element
// strides (0 on broadcast axes), so the innermost axis has stride 1 or 0 and runs as a SIMD row.

import { erf4, ones, tanh4 } from "./simd";

export const NEG = 0;
export const EXP = 1;
export const LOG = 2;
export const SQRT = 3;
export const TANH = 4;
export const ERF = 5;

export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;
export const MAXIMUM = 4;
export const GREATER = 5;
export const EQUAL = 6;

/** o[i] = f(a[i]) for i < n. */
export function unary(op: i32, o: usize, a: usize, n: i32): void {
  let i = 0;
  if (op == NEG) {
    for (; i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), f32x4.neg(v128.load(a + (<usize>i << 2))));
    for (; i < n; i++) store<f32>(o + (<usize>i << 2), -load<f32>(a + (<usize>i << 2)));
  } else if (op == SQRT) {
    for (; i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), f32x4.sqrt(v128.load(a + (<usize>i << 2))));
    for (; i < n; i++) store<f32>(o + (<usize>i << 2), Mathf.sqrt(load<f32>(a + (<usize>i << 2))));
  } else if (op == EXP) {
    for (; i < n; i++) store<f32>(o + (<usize>i << 2), Mathf.exp(load<f32>(a + (<usize>i << 2))));
  } else if (op == LOG) {
    for (; i < n; i++) store<f32>(o + (<usize>i << 2), Mathf.log(load<f32>(a + (<usize>i << 2))));
  } else if (op == TANH) {
    for (; i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), tanh4(v128.load(a + (<usize>i << 2))));
    for (; i < n; i++) store<f32>(o + (<usize>i << 2), Mathf.tanh(load<f32>(a + (<usize>i << 2))));
  } else {
    for (; i + 4 <= n; i += 4) v128.store(o + (<usize>i << 2), erf4(v128.load(a + (<usize>i << 2))));
    for (; i < n; i++) store<f32>(o + (<usize>i << 2), f32x4.extract_lane(erf4(f32x4.splat(load<f32>(a + (<usize>i << 2)))), 0));
  }
}

@inline
function vec(op: i32, x: v128, y: v128): v128 {
  if (op == ADD) return f32x4.add(x, y);
  if (op == SUB) return f32x4.sub(x, y);
  if (op == MUL) return f32x4.mul(x, y);
  if (op == DIV) return f32x4.div(x, y);
  if (op == MAXIMUM) return f32x4.max(x, y); // NaN wins, as in PyTorch
  if (op == GREATER) return ones(f32x4.gt(x, y));
  return ones(f32x4.eq(x, y));
}

@inline
function one(op: i32, x: f32, y: f32): f32 {
  if (op == ADD) return x + y;
  if (op == SUB) return x - y;
  if (op == MUL) return x * y;
  if (op == DIV) return x / y;
  if (op == MAXIMUM) return Mathf.max(x, y);
  if (op == GREATER) return x > y ? 1 : 0;
  return x == y ? 1 : 0;
}

/** One output row of n elements; `sa`/`sb` are the operands' inner strides (1, or 0 when broadcast). */
@inline
function row(op: i32, o: usize, a: usize, b: usize, n: i32, sa: i32, sb: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, vec(op, v128.load(a + off), v128.load(b + off)));
    }
  } else if (sa == 1 && sb == 0) {
    const y = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, vec(op, v128.load(a + off), y));
    }
  } else if (sa == 0 && sb == 1) {
    const x = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      v128.store(o + off, vec(op, x, v128.load(b + off)));
    }
  }
  for (; i < n; i++) {
    store<f32>(o + (<usize>i << 2), one(op, load<f32>(a + (<usize>(i * sa) << 2)), load<f32>(b + (<usize>(i * sb) << 2))));
  }
}

/**
 * Walks the outer axes of a collapsed shape with an odometer, one innermost row at a time.
 * meta (int32): shape[rank], strideA[rank], strideB[rank], then rank zeroed counters.
 */
@inline
function broadcastRows(op: i32, o: usize, a: usize, b: usize, rank: i32, meta: usize): void {
  const inner = rank - 1;
  const n = load<i32>(meta + (<usize>inner << 2));
  const sa = load<i32>(meta + (<usize>(rank + inner) << 2));
  const sb = load<i32>(meta + (<usize>(2 * rank + inner) << 2));
  const idx = meta + (<usize>(3 * rank) << 2);
  let rows = 1;
  for (let ax = 0; ax < inner; ax++) {
    rows *= load<i32>(meta + (<usize>ax << 2));
    store<i32>(idx + (<usize>ax << 2), 0);
  }
  let offA = 0;
  let offB = 0;
  for (let r = 0; r < rows; r++) {
    row(op, o + (<usize>(r * n) << 2), a + (<usize>offA << 2), b + (<usize>offB << 2), n, sa, sb);
    for (let ax = inner - 1; ax >= 0; ax--) {
      const p = idx + (<usize>ax << 2);
      const count = load<i32>(p) + 1;
      const da = load<i32>(meta + (<usize>(rank + ax) << 2));
      const db = load<i32>(meta + (<usize>(2 * rank + ax) << 2));
      offA += da;
      offB += db;
      if (count < load<i32>(meta + (<usize>ax << 2))) {
        store<i32>(p, count);
        break;
      }
      offA -= da * count;
      offB -= db * count;
      store<i32>(p, 0);
    }
  }
}

/** o = a ⊙ b with broadcasting (see `broadcastRows` for meta). */
export function binary(op: i32, o: usize, a: usize, b: usize, rank: i32, meta: usize): void {
  // one specialised copy of the loops per op (the op is a constant inside each)
  switch (op) {
    case ADD: broadcastRows(ADD, o, a, b, rank, meta); break;
    case SUB: broadcastRows(SUB, o, a, b, rank, meta); break;
    case MUL: broadcastRows(MUL, o, a, b, rank, meta); break;
    case DIV: broadcastRows(DIV, o, a, b, rank, meta); break;
    case MAXIMUM: broadcastRows(MAXIMUM, o, a, b, rank, meta); break;
    case GREATER: broadcastRows(GREATER, o, a, b, rank, meta); break;
    default: broadcastRows(EQUAL, o, a, b, rank, meta);
  }
}

/**
 * where(cond, a, b), copying 32-bit values (so a/b may be float32 or int32). meta (int32): shape[rank],
 * strideC[rank], strideA[rank], strideB[rank], rank zeroed counters. `condInt`: cond holds int32.
 */
export function where(o: usize, c: usize, a: usize, b: usize, condInt: bool, rank: i32, meta: usize, size: i32): void {
  const idx = meta + (<usize>(4 * rank) << 2);
  for (let ax = 0; ax < rank; ax++) store<i32>(idx + (<usize>ax << 2), 0);
  let oc = 0;
  let oa = 0;
  let ob = 0;
  for (let i = 0; i < size; i++) {
    const taken = condInt ? load<i32>(c + (<usize>oc << 2)) != 0 : load<f32>(c + (<usize>oc << 2)) != 0;
    store<u32>(o + (<usize>i << 2), taken ? load<u32>(a + (<usize>oa << 2)) : load<u32>(b + (<usize>ob << 2)));
    for (let ax = rank - 1; ax >= 0; ax--) {
      const p = idx + (<usize>ax << 2);
      const count = load<i32>(p) + 1;
      const dc = load<i32>(meta + (<usize>(rank + ax) << 2));
      const da = load<i32>(meta + (<usize>(2 * rank + ax) << 2));
      const db = load<i32>(meta + (<usize>(3 * rank + ax) << 2));
      oc += dc;
      oa += da;
      ob += db;
      if (count < load<i32>(meta + (<usize>ax << 2))) {
        store<i32>(p, count);
        break;
      }
      oc -= dc * count;
      oa -= da * count;
      ob -= db * count;
      store<i32>(p, 0);
    }
  }
}
