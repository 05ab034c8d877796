// The LSTM cell step, forward and backward, in one pass each (src/core/fused.ts has the ops and their
// composites, which are the oracles): gates [N, 4H] in PyTorch's order i, f, g, o; four hidden units at
// a time, and a tail one at a time through the same four-lane code.

import { exp4, tanh4 } from "./simd";

@inline
function sigmoid4(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(x))));
}

/** Four lanes, or one (the rest zero) when `wide` is false: the row tail. */
@inline
function load4(p: usize, wide: bool): v128 {
  return wide ? v128.load(p) : f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(p));
}

@inline
function store4(p: usize, v: v128, wide: bool): void {
  if (wide) v128.store(p, v);
  else store<f32>(p, f32x4.extract_lane(v, 0));
}

// the activated gates of the lanes being worked on (set by activateGates; a function returns one value)
let gateI = f32x4.splat(0);
let gateF = f32x4.splat(0);
let gateG = f32x4.splat(0);
let gateO = f32x4.splat(0);

/** σ(i), σ(f), tanh(g), σ(o) at byte `at` of a row of gates whose blocks lie `gap` bytes apart. */
@inline
function activateGates(gRow: usize, gap: usize, at: usize, wide: bool): void {
  gateI = sigmoid4(load4(gRow + at, wide));
  gateF = sigmoid4(load4(gRow + gap + at, wide));
  gateG = tanh4(load4(gRow + 2 * gap + at, wide));
  gateO = sigmoid4(load4(gRow + 3 * gap + at, wide));
}

/**
 * One step: out [2, n, h] gets h' = σ(o)·tanh(c') and c' = σ(f)·c + σ(i)·tanh(g) from gates [n, 4h]
 * and the cell state c [n, h].
 */
export function lstmCell(out: usize, gates: usize, c: usize, n: i32, h: i32): void {
  const plane = <usize>(n * h) << 2; // bytes of one [n, h] half of out
  const gap = <usize>h << 2; // bytes between one gate's block and the next in a row of gates
  for (let r = 0; r < n; r++) {
    const gRow = gates + (<usize>(r * 4 * h) << 2);
    const row = <usize>(r * h) << 2;
    for (let j = 0; j < h; ) {
      const wide = j + 4 <= h;
      const at = <usize>j << 2;
      activateGates(gRow, gap, at, wide);
      const cNext = f32x4.add(f32x4.mul(gateF, load4(c + row + at, wide)), f32x4.mul(gateI, gateG));
      store4(out + row + at, f32x4.mul(gateO, tanh4(cNext)), wide);
      store4(out + plane + row + at, cNext, wide);
      j += wide ? 4 : 1;
    }
  }
}

/**
 * The step's backward: from grad [2, n, h] (of h' and c'), gates [n, 4h], c [n, h] and the step's
 * output [2, n, h], writes d gates [n, 4h] and then d c [n, h] into `o` (n·5h floats).
 */
export function lstmCellGrad(o: usize, grad: usize, gates: usize, c: usize, out: usize, n: i32, h: i32): void {
  const plane = <usize>(n * h) << 2;
  const gap = <usize>h << 2;
  const dcBase = o + (<usize>(n * 4 * h) << 2);
  const one = f32x4.splat(1);
  for (let r = 0; r < n; r++) {
    const gRow = gates + (<usize>(r * 4 * h) << 2);
    const dRow = o + (<usize>(r * 4 * h) << 2);
    const row = <usize>(r * h) << 2;
    for (let j = 0; j < h; ) {
      const wide = j + 4 <= h;
      const at = <usize>j << 2;
      activateGates(gRow, gap, at, wide);
      const i = gateI;
      const f = gateF;
      const g = gateG;
      const og = gateO;
      const gh = load4(grad + row + at, wide);
      const tc = tanh4(load4(out + plane + row + at, wide));
      // dc' = gc' + gh'·o·(1 − tanh²c')
      const dc = f32x4.add(load4(grad + plane + row + at, wide), f32x4.mul(f32x4.mul(gh, og), f32x4.sub(one, f32x4.mul(tc, tc))));
      store4(dRow + at, f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, f32x4.sub(one, i))), wide);
      store4(dRow + gap + at, f32x4.mul(f32x4.mul(dc, load4(c + row + at, wide)), f32x4.mul(f, f32x4.sub(one, f))), wide);
      store4(dRow + 2 * gap + at, f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g))), wide);
      store4(dRow + 3 * gap + at, f32x4.mul(f32x4.mul(gh, tc), f32x4.mul(og, f32x4.sub(one, og))), wide);
      store4(dcBase + row + at, f32x4.mul(dc, f), wide);
      j += wide ? 4 : 1;
    }
  }
}
