// Host side of the fused kernels (src/core/fused.ts lists the ops and their composites;
// assembly/fused.ts and assembly/rows.ts have the loops). Row-wise ops see x as [rows, d], d the last axis.

import type { FusedKernels, KernelArg } from "../../core/backend.js";
import { NnlabError } from "../../core/errors.js";
import { externalAttention, externalAttentionBackward } from "./attention-external.js";
import { matmulOne, splitRows, useExternal } from "./matmul.js";
import { TASK } from "./pool.js";
import { ptrOf, type WasmContext } from "./storage.js";

/** [heads, t, hs] of q [..., t, hs] (every leading axis counts as a head), and the score scale 1/√hs. */
function headsOf(q: KernelArg): [number, number, number, number] {
  const t = q.shape[q.shape.length - 2];
  const hs = q.shape[q.shape.length - 1];
  return [q.storage.size / (t * hs), t, hs, Math.fround(1 / Math.sqrt(hs))];
}

/**
 * Flops of a product that takes as long as layer norm on one element (forward, and the gradient's dx),
 * measured here: 1.3 and 1.9 ns an element on one thread, against products at about 45 GFLOP/s.
 */
const LAYER_NORM_COST = 60;
const LAYER_NORM_GRAD_COST = 85;
/** The same for cross-entropy's gradient (a scalar e^x an element): 6.3–6.5 ns an element on one thread. */
const CROSS_ENTROPY_GRAD_COST = 250;
/** Rows per block of layer norm's weight gradient (layerNormGradW). */
const GRAD_W_BLOCK = 64;

/** [units (batch·heads), t, hs, scale] of qkv [..., t, 3·heads·hs]. */
function packedUnits(qkv: KernelArg, heads: number): [number, number, number, number] {
  const t = qkv.shape[qkv.shape.length - 2];
  const hs = qkv.shape[qkv.shape.length - 1] / (3 * heads);
  return [t === 0 ? 0 : (qkv.storage.size / (t * 3 * heads * hs)) * heads, t, hs, Math.fround(1 / Math.sqrt(hs))];
}

/** [rows, d] of a tensor viewed along its last axis. */
function rowsOf(x: KernelArg): [number, number] {
  const d = x.shape[x.shape.length - 1];
  return [d === 0 ? 0 : x.storage.size / d, d];
}

export function fusedKernels(ctx: WasmContext): FusedKernels {
  const wasm = ctx.exports;
  /**
   * Splits `heads` heads into runs, one per thread when the work is large (each run gets its own work
   * buffer of `buffers`·t·t floats, times its number of heads with `perHead`), calls `run(h0, h1, work,
   * worker)` for each (worker −1 = this thread, which runs last), waits for the workers and frees the
   * buffers.
   */
  const overHeads = (heads: number, t: number, hs: number, buffers: number, run: (h0: number, h1: number, work: number, worker: number) => void, perHead = false) =>
    overUnits(heads, 4 * heads * t * t * hs, (per) => buffers * t * t * 4 * (perHead ? per : 1), run);
  /**
   * overHeads for `units` independent units of about `flops` in all: each run gets a work block of
   * `bytesFor(units per run)` bytes (none, and work 0, for 0 bytes).
   */
  const overUnits = (units: number, flops: number, bytesFor: (per: number) => number, run: (u0: number, u1: number, work: number, worker: number) => void) => {
    const pool = ctx.pool && units > 1 && flops >= 1 << 22 ? ctx.pool : null;
    const parts = pool ? Math.min(units, pool.size + 1) : 1;
    const per = Math.ceil(units / parts);
    const bytes = bytesFor(per);
    const works = Array.from({ length: parts }, () => (bytes > 0 ? ctx.heap.alloc(bytes) : 0));
    const posted: number[] = [];
    for (let w = 1; w < parts; w++) {
      const [u0, u1] = [w * per, Math.min(units, (w + 1) * per)];
      if (u0 < u1) {
        run(u0, u1, works[w], w - 1);
        posted.push(w - 1);
      }
    }
    run(0, Math.min(per, units), works[0], -1);
    for (const w of posted) pool!.join(w);
    if (bytes > 0) for (const p of works) ctx.heap.free(p, bytes);
  };
  /**
   * Runs an elementwise kernel over n elements as `run(i0, i1, worker)` (worker −1 = this thread): split
   * in runs of whole vectors between the threads when n·cost (about the flops of a product that takes as
   * long) makes the split pay, else in one call here.
   */
  const overElements = (n: number, cost: number, run: (i0: number, i1: number, worker: number) => void) => {
    const vectors = Math.ceil(n / 4);
    const at = (v: number) => Math.min(n, 4 * v);
    const split = splitRows(ctx, vectors, n * cost, (w, v0, v1) => run(at(v0), at(v1), w), (v0, v1) => run(at(v0), at(v1), -1));
    if (!split) run(0, n, -1);
  };
  /**
   * Runs a row-wise kernel over `rows` rows of d floats as `run(r0, r1, worker)` (worker −1 = this thread),
   * split between the threads when rows·d·cost (flops of a product that takes as long) makes it pay.
   */
  const overRows = (rows: number, d: number, cost: number, run: (r0: number, r1: number, worker: number) => void) => {
    const split = splitRows(ctx, rows, rows * d * cost, (w, r0, r1) => run(r0, r1, w), (r0, r1) => run(r0, r1, -1));
    if (!split) run(0, rows, -1);
  };
  /** Layer norm (w, b = 0: none) of x's rows into out, rows shared between threads when many. */
  const normRows = (o: number, xp: number, wp: number, bp: number, x: KernelArg, eps: number) => {
    const [rows, d] = rowsOf(x);
    overRows(rows, d, LAYER_NORM_COST, (r0, r1, worker) => {
      const at = 4 * r0 * d;
      const args = [o + at, xp + at, wp, bp, r1 - r0, d] as const;
      if (worker < 0) wasm.layerNorm(...args, eps, ctx.meta);
      else ctx.pool!.post(worker, TASK.layerNorm, args, eps);
    });
  };
  /** Runs `run` with freshly allocated blocks of these many floats, released after. */
  const checkTargets = (targets: KernelArg, rows: number, d: number) => {
    const bad = wasm.badTarget(ptrOf(targets), rows, d);
    if (bad >= 0) throw new NnlabError(`crossEntropy: target ${ctx.heap.i32()[(ptrOf(targets) >> 2) + bad]} (row ${bad}) is out of range; expected 0 <= target < ${d}`);
  };
  return {
    sigmoid: (out, [x]) => wasm.sigmoid(ptrOf(out), ptrOf(x), out.storage.size),
    sigmoidGrad: (out, [g, s]) => wasm.sigmoidGrad(ptrOf(out), ptrOf(g), ptrOf(s), out.storage.size),
    linear: (out, [x, w, b]) => {
      const [rows, cols] = out.shape;
      const k = x.shape[1];
      if (useExternal(ctx, rows)) {
        const g = ctx.gemm!;
        const args = [ptrOf(out), ptrOf(x), ptrOf(w), ptrOf(b), rows, cols, k] as const;
        const split = splitRows(ctx, rows, 2 * rows * cols * k, (t, i0, i1) => ctx.pool!.post(t, TASK.externalLinear, [...args, i0, i1]), (i0, i1) => g.linear(...args, i0, i1));
        if (!split) g.linear(...args, 0, rows);
        return;
      }
      if (k > 0) matmulOne(ctx, ptrOf(out), ptrOf(x), ptrOf(w), rows, cols, k, 0, 1);
      else wasm.zero(ptrOf(out), out.storage.size * 4);
      wasm.addBias(ptrOf(out), ptrOf(b), rows, cols);
    },
    softmax: (out, [x], p) => wasm.softmax(ptrOf(out), ptrOf(x), ...rowsOf(x), p.temperature),
    softmaxGrad: (out, [g, y], p) => wasm.softmaxGrad(ptrOf(out), ptrOf(g), ptrOf(y), ...rowsOf(y), p.temperature),
    logSoftmax: (out, [x]) => wasm.logSoftmax(ptrOf(out), ptrOf(x), ...rowsOf(x)),
    logSoftmaxGrad: (out, [g, y]) => wasm.logSoftmaxGrad(ptrOf(out), ptrOf(g), ptrOf(y), ...rowsOf(y)),
    crossEntropy: (out, [logits, targets]) => {
      const [rows, d] = logits.shape;
      checkTargets(targets, rows, d);
      wasm.crossEntropy(ptrOf(out), ptrOf(logits), ptrOf(targets), rows, d);
    },
    crossEntropyGrad: (out, [logits, targets, g]) => {
      const [rows, d] = logits.shape;
      checkTargets(targets, rows, d);
      // g / rows in float32 (a float64 quotient rounded once more is the float32 one)
      const scale = Math.fround(ctx.heap.f32()[ptrOf(g) >> 2] / rows);
      const [o, xp, tp] = [ptrOf(out), ptrOf(logits), ptrOf(targets)];
      overRows(rows, d, CROSS_ENTROPY_GRAD_COST, (r0, r1, worker) => {
        const args = [o + 4 * r0 * d, xp + 4 * r0 * d, tp + 4 * r0, r1 - r0, d] as const;
        if (worker < 0) wasm.crossEntropyGrad(args[0], args[1], args[2], scale, args[3], args[4]);
        else ctx.pool!.post(worker, TASK.crossEntropyGrad, args, scale);
      });
    },
    layerNorm: (out, [x, w, b], p) => normRows(ptrOf(out), ptrOf(x), ptrOf(w), ptrOf(b), x, p.eps),
    normalize: (out, [x], p) => normRows(ptrOf(out), ptrOf(x), 0, 0, x, p.eps),
    layerNormGradX: (out, [g, x, w], p) => {
      const [o, gp, xp, wp] = [ptrOf(out), ptrOf(g), ptrOf(x), ptrOf(w)];
      const [rows, d] = rowsOf(x);
      overRows(rows, d, LAYER_NORM_GRAD_COST, (r0, r1, worker) => {
        const at = 4 * r0 * d;
        const args = [o + at, gp + at, xp + at, wp, r1 - r0, d] as const;
        if (worker < 0) wasm.layerNormGradX(...args, p.eps, ctx.meta);
        else ctx.pool!.post(worker, TASK.layerNormGradX, args, p.eps);
      });
    },
    attentionPattern: (out, [q, k]) => {
      if (q.shape[q.shape.length - 1] === 0) wasm.zero(ptrOf(out), out.storage.size * 4); // scores of width-0 heads are 0
      wasm.attentionPattern(ptrOf(out), ptrOf(q), ptrOf(k), ...headsOf(q), ctx.scratch);
    },
    causalAttention: (out, [q, k, v]) => {
      const [heads, t, hs, scale] = headsOf(q);
      if (hs === 0) return; // the output arrives zero-filled
      const [o, qp, kp, vp] = [ptrOf(out), ptrOf(q), ptrOf(k), ptrOf(v)];
      if (ctx.gemm) {
        // each thread's heads: their scores in one batched product, their softmax, one product with v
        const e = ctx.gemm;
        overHeads(heads, t, hs, 1, (h0, h1, work, w) => {
          if (w < 0) externalAttention(e, wasm, o, qp, kp, vp, work, h0, h1, t, hs, scale);
          else ctx.pool!.post(w, TASK.externalAttention, [o, qp, kp, vp, work, h0, h1, t, hs], scale);
        }, true);
        return;
      }
      overHeads(heads, t, hs, 1, (h0, h1, work, w) => {
        const at = h0 * t * hs * 4;
        if (w < 0) wasm.attention(o + at, qp + at, kp + at, vp + at, h1 - h0, t, hs, scale, work, ctx.scratch);
        else ctx.pool!.post(w, TASK.attention, [o + at, qp + at, kp + at, vp + at, h1 - h0, t, hs, work], scale);
      });
    },
    causalAttentionGrad: (out, [g, q, k, v]) => {
      const [heads, t, hs, scale] = headsOf(q);
      if (hs === 0) return;
      const size = heads * t * hs * 4; // bytes of each of dq, dk, dv in out (3, ..., T, hs)
      const [dq, gp, qp, kp, vp] = [ptrOf(out), ptrOf(g), ptrOf(q), ptrOf(k), ptrOf(v)];
      if (ctx.gemm) {
        // each thread's heads batched through the external products (attention-external.ts)
        const e = ctx.gemm;
        const [dk, dv] = [dq + size, dq + 2 * size];
        overHeads(heads, t, hs, 2, (h0, h1, work, w) => {
          const args = [dq, dk, dv, gp, qp, kp, vp, work, h0, h1, t, hs] as const;
          if (w < 0) externalAttentionBackward(e, wasm, ...args, scale);
          else ctx.pool!.post(w, TASK.externalAttentionBackward, args, scale);
        }, true);
        return;
      }
      overHeads(heads, t, hs, 2, (h0, h1, work, w) => {
        const at = h0 * t * hs * 4;
        const args = [dq + at, dq + size + at, dq + 2 * size + at, gp + at, qp + at, kp + at, vp + at, h1 - h0, t, hs] as const;
        if (w < 0) wasm.attentionBackward(...args, scale, work, ctx.scratch);
        else ctx.pool!.post(w, TASK.attentionBackward, [...args, work], scale);
      });
    },
    packedAttention: (out, [qkv], { heads }) => {
      const [units, t, hs, scale] = packedUnits(qkv, heads);
      const [o, x] = [ptrOf(out), ptrOf(qkv)];
      const bytes = 4 * wasm.packedAttentionWork(t, hs, 0);
      overUnits(units, 4 * units * t * t * hs, () => bytes, (u0, u1, work, w) => {
        if (w < 0) wasm.packedAttention(o, x, u0, u1, heads, t, hs, scale, work);
        else ctx.pool!.post(w, TASK.packedAttention, [o, x, u0, u1, heads, t, hs, work], scale);
      });
    },
    packedAttentionGrad: (out, [g, qkv], { heads }) => {
      const [units, t, hs, scale] = packedUnits(qkv, heads);
      const [d, gp, x] = [ptrOf(out), ptrOf(g), ptrOf(qkv)];
      const bytes = 4 * wasm.packedAttentionWork(t, hs, 1);
      overUnits(units, 10 * units * t * t * hs, () => bytes, (u0, u1, work, w) => {
        if (w < 0) wasm.packedAttentionBackward(d, gp, x, u0, u1, heads, t, hs, scale, work);
        else ctx.pool!.post(w, TASK.packedAttentionBackward, [d, gp, x, u0, u1, heads, t, hs, work], scale);
      });
    },
    layerNormGradW: (out, [g, x], p) => {
      // blocks of rows, each summed by one thread, then added in order: the same bits on any thread count
      const [rows, d] = rowsOf(x);
      const blocks = Math.ceil(rows / GRAD_W_BLOCK);
      const bytes = 4 * blocks * d;
      const partials = ctx.heap.alloc(bytes, false);
      const [gp, xp] = [ptrOf(g), ptrOf(x)];
      overUnits(blocks, rows * d * LAYER_NORM_GRAD_COST, () => 0, (b0, b1, _work, worker) => {
        if (worker < 0) wasm.layerNormGradW(partials, gp, xp, rows, d, p.eps, GRAD_W_BLOCK, b0, b1, ctx.meta);
        else ctx.pool!.post(worker, TASK.layerNormGradW, [partials, gp, xp, rows, d, GRAD_W_BLOCK, b0, b1], p.eps);
      });
      wasm.sumBlocks(ptrOf(out), partials, blocks, d);
      ctx.heap.free(partials, bytes);
    },
    gelu: (out, [x], p) => {
      const [o, a, tanh] = [ptrOf(out), ptrOf(x), p.approximate === "tanh" ? 1 : 0];
      overElements(out.storage.size, 60, (i0, i1, w) => {
        const args = [o + 4 * i0, a + 4 * i0, i1 - i0, tanh] as const;
        if (w < 0) wasm.gelu(...args);
        else ctx.pool!.post(w, TASK.gelu, args);
      });
    },
    geluGrad: (out, [g, x], p) => {
      const [o, gp, a, tanh] = [ptrOf(out), ptrOf(g), ptrOf(x), p.approximate === "tanh" ? 1 : 0];
      overElements(out.storage.size, 140, (i0, i1, w) => {
        const args = [o + 4 * i0, gp + 4 * i0, a + 4 * i0, i1 - i0, tanh] as const;
        if (w < 0) wasm.geluGrad(...args);
        else ctx.pool!.post(w, TASK.geluGrad, args);
      });
    },
    lstmCell: (out, [gates, c]) => wasm.lstmCell(ptrOf(out), ptrOf(gates), ptrOf(c), ...rowsOf(c)),
    lstmCellGrad: (out, [g, gates, c, step]) => wasm.lstmCellGrad(ptrOf(out), ptrOf(g), ptrOf(gates), ptrOf(c), ptrOf(step), ...rowsOf(c)),
  };
}
