// Property tests of the engine on random shapes (fast-check): broadcasting against a naive index
// formula, reshape/permute round trips, gradients of random op chains against float64 finite
// differences, and the wasm backend against the js oracle. A failure prints fast-check's seed and the
// shrunk case; replay it with NNLAB_PROPERTY_SEED.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { init } from "../../src/backend/index.js";
import { ShapeError } from "../../src/core/errors.js";
import { setBackend, tidy } from "../../src/core/engine.js";
import * as ops from "../../src/core/ops.js";
import { sizeOf, stridesOf } from "../../src/core/shape.js";
import type { Tensor } from "../../src/core/tensor.js";
import { gradCheck } from "../../src/selftest/gradcheck.js";
import { agree } from "../backend/oracle.js";

const SEED = process.env.NNLAB_PROPERTY_SEED === undefined ? undefined : Number(process.env.NNLAB_PROPERTY_SEED);
const settings = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(SEED === undefined ? {} : { seed: SEED }) });

const dim = fc.integer({ min: 1, max: 5 });
const shape = (maxRank = 4) => fc.array(dim, { minLength: 0, maxLength: maxRank });
const values = (n: number) => fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n });
const withValues = (s: number[]) => values(sizeOf(s)).map((data) => ({ shape: s, data }));

/** Two shapes that broadcast to `out`: each drops some leading dims and sets some dims to 1. */
const broadcastPair = shape(4).chain((out) =>
  fc.tuple(
    fc.constant(out),
    ...[0, 1].map(() =>
      fc.tuple(fc.nat({ max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(([drop, ones]) =>
        out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
      ),
    ),
  ),
);

/** Element `index` (flat, of `out`) of an input of shape `s` broadcast to `out`. */
function broadcastIndex(index: number, out: number[], s: number[]): number {
  const outStrides = stridesOf(out);
  const inStrides = stridesOf(s);
  let flat = 0;
  for (let k = 0; k < out.length; k++) {
    const coord = Math.floor(index / outStrides[k]) % out[k];
    const j = k - (out.length - s.length);
    if (j >= 0 && s[j] !== 1) flat += coord * inStrides[j];
  }
  return flat;
}

before(async () => {
  await init({ backend: "wasm" }); // registers wasm and js; each test picks one with setBackend
});

describe("broadcasting", () => {
  test("a ⊙ b matches the index formula for shapes that broadcast", () => {
    setBackend("js");
    fc.assert(
      fc.property(broadcastPair.chain(([, sa, sb]) => fc.tuple(withValues(sa), withValues(sb))), ([a, b]) =>
        tidy(() => {
          const x = ops.tensor(Float64Array.from(a.data), a.shape, "float64");
          const y = ops.tensor(Float64Array.from(b.data), b.shape, "float64");
          const got = x.mul(y).add(y).toArray();
          // The output has the larger rank; each dim is the larger of the two (a missing or 1 dim stretches).
          const rank = Math.max(a.shape.length, b.shape.length);
          const outShape = Array.from({ length: rank }, (_, k) => Math.max(a.shape[k - (rank - a.shape.length)] ?? 1, b.shape[k - (rank - b.shape.length)] ?? 1));
          assert.equal(got.length, sizeOf(outShape));
          for (let i = 0; i < got.length; i++) {
            const va = a.data[broadcastIndex(i, outShape, a.shape)];
            const vb = b.data[broadcastIndex(i, outShape, b.shape)];
            assert.equal(got[i], va * vb + vb);
          }
        }),
      ),
      settings(200),
    );
  });

  test("shapes that do not broadcast are a ShapeError naming both", () => {
    setBackend("js");
    fc.assert(
      fc.property(shape(3), fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), (s, m, n) => {
        fc.pre(m !== n);
        tidy(() => {
          const x = ops.zeros([...s, m]);
          const y = ops.zeros([n]);
          assert.throws(() => x.add(y), (err: unknown) => err instanceof ShapeError && err.message.includes(String(m)) && err.message.includes(String(n)));
        });
      }),
      settings(100),
    );
  });
});

describe("reshape and permute", () => {
  const permutation = (rank: number) => fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank });

  test("permute then its inverse, and reshape then back, give the tensor back exactly", () => {
    setBackend("js");
    fc.assert(
      fc.property(shape(4).filter((s) => s.length > 0).chain((s) => fc.tuple(withValues(s), permutation(s.length))), ([x, p]) =>
        tidy(() => {
          const t = ops.tensor(Float32Array.from(x.data), x.shape);
          const inverse = p.map((_, i) => p.indexOf(i));
          const permuted = t.permute(p);
          assert.deepEqual(permuted.shape, p.map((k) => x.shape[k]));
          assert.deepEqual(Array.from(permuted.permute(inverse).toArray()), Array.from(t.toArray()));
          const flat = t.reshape([-1]).reshape([...x.shape].reverse()).reshape(x.shape);
          assert.deepEqual(Array.from(flat.toArray()), Array.from(t.toArray()));
          // Element check: permuted[i…] = t[i permuted back].
          const data = permuted.toArray();
          const outStrides = stridesOf(permuted.shape);
          const inStrides = stridesOf(x.shape);
          for (let i = 0; i < data.length; i++) {
            let src = 0;
            for (let k = 0; k < p.length; k++) src += (Math.floor(i / outStrides[k]) % permuted.shape[k]) * inStrides[p[k]];
            assert.equal(data[i], Math.fround(x.data[src]));
          }
        }),
      ),
      settings(200),
    );
  });
});

/** Ops a random chain draws from: each maps (B, N) to (B, N) (reductions keep dims). */
const CHAIN_OPS: Record<string, (x: Tensor, w: Tensor, b: Tensor) => Tensor> = {
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  square: (x) => x.mul(x),
  "scale by w (broadcast row)": (x, w) => x.mul(w.sum(0, true)),
  "add b (broadcast column)": (x, _w, b) => x.add(b),
  "matmul w": (x, w) => x.matmul(w).mul(0.5),
  softmax: (x) => x.softmax(-1),
  "minus row mean": (x) => x.sub(x.mean(-1, true)),
  "exp of tanh": (x) => x.tanh().exp(),
  logSoftmax: (x) => x.logSoftmax(-1),
};

/** Values a step apart at least, so no two inputs tie (softmax's max shift then has one subgradient). */
const distinct = (s: number[]) => withValues(s).map(({ shape: sh, data }) => ({ shape: sh, data: data.map((v, i) => Math.round(v * 20) / 20 + 0.01 * i) }));

describe("gradients of random op chains", () => {
  test("autograd agrees with float64 finite differences", () => {
    setBackend("js");
    const chain = fc.record({
      batch: fc.integer({ min: 1, max: 3 }),
      n: fc.integer({ min: 1, max: 4 }),
      steps: fc.array(fc.constantFrom(...Object.keys(CHAIN_OPS)), { minLength: 1, maxLength: 5 }),
    }).chain(({ batch, n, steps }) => fc.tuple(fc.constant(steps), distinct([batch, n]), withValues([n, n]), withValues([batch, 1])));
    fc.assert(
      fc.property(chain, ([steps, x, w, b]) => {
        const f = ([xt, wt, bt]: Tensor[]) => steps.reduce((t, s) => CHAIN_OPS[s](t, wt, bt), xt);
        const { maxError } = gradCheck(f, [x, w, b], { eps: 1e-6 });
        assert.ok(maxError < 1e-6, `${steps.join(" → ")}: max error ${maxError}`);
      }),
      settings(60),
    );
  });
});

describe("wasm against js on random shapes", () => {
  const f32 = (s: number[]) => values(sizeOf(s)).map((d) => ({ shape: s, data: Float32Array.from(d) }));

  test("elementwise with broadcasting, reductions and softmax", () => {
    fc.assert(
      fc.property(broadcastPair.chain(([, sa, sb]) => fc.tuple(f32(sa), f32(sb))), ([a, b]) => {
        agree(`mul/add ${JSON.stringify([a.shape, b.shape])}`, ([x, y]) => x.mul(y).add(y.tanh()), [a, b]);
        if (a.shape.length > 0) {
          agree(`sum ${JSON.stringify(a.shape)}`, ([x]) => x.sum(-1), [a], 1e-5);
          agree(`softmax ${JSON.stringify(a.shape)}`, ([x]) => x.softmax(-1), [a], 1e-5);
        }
      }),
      settings(60),
    );
  });

  test("matmul, with and without transposes, for sizes that are not multiples of the SIMD width", () => {
    const sizes = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 19 }), fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 19 }), fc.boolean(), fc.boolean());
    fc.assert(
      fc.property(sizes.chain(([batch, m, k, n, ta, tb]) => fc.tuple(fc.constant([ta, tb] as const), f32(ta ? [batch, k, m] : [batch, m, k]), f32(tb ? [n, k] : [k, n]))), ([[ta, tb], a, b]) => {
        agree(`matmul ${JSON.stringify([a.shape, b.shape, ta, tb])}`, ([x, y]) => x.matmul(y, { transA: ta, transB: tb }), [a, b], 1e-5);
      }),
      settings(60),
    );
  });
});
