// Runs a file of PyTorch reference cases (format: test/fixtures/README.md) against a backend:
// each case's output and input gradients (vector-Jacobian products with the case's upstream tensor)
// must match within 1e-4 relative or 1e-5 absolute, whichever is looser.

import { NnlabError } from "../core/errors.js";
import { noGrad, tidy } from "../core/engine.js";
import * as ops from "../core/ops.js";
import type { Tensor } from "../core/tensor.js";
import type { DType } from "../core/dtype.js";
import * as F from "../nn/functional.js";
import { readJsonFile } from "../io/json.js";
import { avgPool2d, conv2d, maxPool2d, type Pair } from "../nn/conv.js";
import { lstm } from "../nn/lstm.js";

export interface RefTensor {
  shape: number[];
  data: number[];
}

export interface RefCase {
  op: string;
  params: Record<string, unknown>;
  inputs: RefTensor[];
  int_inputs?: RefTensor[];
  output: RefTensor;
  upstream: RefTensor;
  grads: (RefTensor | null)[];
}

export interface ReferenceFile {
  cases: RefCase[];
  /** Where the cases came from (the file name), for errors about a case. */
  source?: string;
}

export interface CaseResult {
  op: string;
  index: number;
  ok: boolean;
  maxAbsError: number;
  maxRelError: number;
  /** What went wrong, for a failed case. */
  problem?: string;
}

export interface ReferenceReport {
  cases: number;
  failed: { index: number; op: string; problem: string }[];
  max_abs_error: number;
  max_rel_error: number;
}

export const TOLERANCE = { rel: 1e-4, abs: 1e-5 };
/** Relative errors are reported over elements whose reference magnitude is at least this. */
const REL_FLOOR = 1e-3;

type OpFn = (x: Tensor[], ids: Tensor[], params: Record<string, unknown>) => Tensor;

/** How each reference op name is computed with nnlab's public ops. */
export const REFERENCE_OPS: Record<string, OpFn> = {
  matmul: ([a, b]) => a.matmul(b),
  batched_matmul: ([a, b]) => a.matmul(b),
  linear: ([x, w, b]) => F.linear(x, w.transpose(), b), // the file stores w as [in, out]
  add_broadcast: ([a, b]) => a.add(b),
  sub_broadcast: ([a, b]) => a.sub(b),
  mul_broadcast: ([a, b]) => a.mul(b),
  div: ([a, b]) => a.div(b),
  exp: ([x]) => x.exp(),
  log: ([x]) => x.log(),
  sigmoid: ([x]) => x.sigmoid(),
  tanh: ([x]) => x.tanh(),
  relu: ([x]) => x.relu(),
  gelu_tanh: ([x]) => x.gelu("tanh"),
  gelu_erf: ([x]) => x.gelu("none"),
  sum_all: ([x]) => x.sum(),
  sum_dim0: ([x]) => x.sum(0),
  mean_lastdim_keepdim: ([x]) => x.mean(-1, true),
  max_lastdim: ([x]) => x.max(-1),
  transpose: ([x]) => x.transpose(),
  softmax_lastdim: ([x]) => x.softmax(-1),
  log_softmax_lastdim: ([x]) => x.logSoftmax(-1),
  cross_entropy_mean: ([logits], [targets]) => F.crossEntropy(logits, targets),
  mse_mean: ([a, b]) => F.mseLoss(a, b),
  quadratic_cost_nielsen: ([a, y]) => F.quadraticCost(a, y),
  layer_norm: ([x, w, b], _ids, p) => F.layerNorm(x, w, b, typeof p.eps === "number" ? p.eps : 1e-5),
  embedding: ([w], [ids]) => F.embedding(w, ids),
  causal_self_attention: ([x, wQkv, bQkv, wProj, bProj], _ids, p) =>
    F.causalSelfAttention(x, { cAttn: wQkv.transpose(), cAttnBias: bQkv, cProj: wProj.transpose(), cProjBias: bProj }, Number(p.n_head)),
  conv2d: ([x, w, b], _ids, p) => conv2d(x, w, b ?? null, { stride: p.stride as Pair, padding: p.padding as Pair, dilation: p.dilation as Pair, groups: Number(p.groups) }),
  max_pool2d: ([x], _ids, p) => maxPool2d(x, p.kernel as Pair, { stride: p.stride as Pair, padding: p.padding as Pair, dilation: p.dilation as Pair }),
  avg_pool2d: ([x], _ids, p) => avgPool2d(x, p.kernel as Pair, { stride: p.stride as Pair, padding: p.padding as Pair }),
  // inputs x, h0, c0, then w_ih, w_hh, b_ih, b_hh per layer; output cat(out, h_n, c_n) flattened
  lstm: ([x, h, c, ...weights]) => {
    const layers = Array.from({ length: weights.length / 4 }, (_, l) => ({ weightIh: weights[4 * l], weightHh: weights[4 * l + 1], biasIh: weights[4 * l + 2], biasHh: weights[4 * l + 3] }));
    const r = lstm(x, layers, { h, c });
    return ops.concat([r.output, r.state.h, r.state.c].map((t) => ops.reshape(t, [-1])), 0);
  },
};

function compare(got: ArrayLike<number>, want: readonly number[]): { abs: number; rel: number; ok: boolean } {
  let abs = 0;
  let rel = 0;
  let ok = got.length === want.length;
  for (let i = 0; i < Math.min(got.length, want.length); i++) {
    const err = Math.abs(got[i] - want[i]);
    const mag = Math.abs(want[i]);
    if (!(err <= Math.max(TOLERANCE.abs, TOLERANCE.rel * mag))) ok = false; // NaN fails too
    if (!(err <= abs)) abs = Number.isNaN(err) ? Infinity : Math.max(abs, err);
    if (mag >= REL_FLOOR) rel = Math.max(rel, err / mag);
  }
  return { abs, rel, ok };
}

/** Runs one case on the current backend. */
export function runCase(c: RefCase, index: number, dtype: DType = "float32"): CaseResult {
  const fn = REFERENCE_OPS[c.op];
  if (!fn) return { op: c.op, index, ok: false, maxAbsError: NaN, maxRelError: NaN, problem: `unknown op "${c.op}"` };
  return tidy(() => {
    const inputs = c.inputs.map((t) => ops.tensor(t.data, t.shape, dtype).requireGrad());
    const ids = (c.int_inputs ?? []).map((t) => ops.tensor(t.data, t.shape, "int32"));
    const out = fn(inputs, ids, c.params ?? {});
    const checks = [{ what: "output", got: out.toArray(), want: c.output }];
    out.backward(ops.tensor(c.upstream.data, c.upstream.shape, dtype));
    c.grads.forEach((g, i) => {
      if (!g) return;
      const got = inputs[i].grad ? inputs[i].grad!.toArray() : new Float32Array(g.data.length);
      checks.push({ what: `grad[${i}]`, got, want: g });
    });
    let maxAbs = 0;
    let maxRel = 0;
    const bad: string[] = [];
    if (out.shape.length !== c.output.shape.length || out.shape.some((d, i) => d !== c.output.shape[i])) {
      bad.push(`output shape [${out.shape}] vs [${c.output.shape}]`);
    }
    for (const ch of checks) {
      const r = compare(ch.got, ch.want.data);
      maxAbs = Math.max(maxAbs, r.abs);
      maxRel = Math.max(maxRel, r.rel);
      if (!r.ok) bad.push(`${ch.what} off by ${r.abs.toExponential(2)}`);
    }
    noGrad(() => inputs.forEach((t) => t.grad?.dispose()));
    return { op: c.op, index, ok: bad.length === 0, maxAbsError: maxAbs, maxRelError: maxRel, ...(bad.length ? { problem: bad.join("; ") } : {}) };
  });
}

/** Validates the parsed JSON of a reference file. */
export function parseReferenceFile(value: unknown, file: string): ReferenceFile {
  const cases = (value as { cases?: unknown })?.cases;
  if (!Array.isArray(cases)) throw NnlabError.problem({ subject: file, expected: 'a JSON object with a "cases" array', found: typeof value === "object" ? "no cases array" : typeof value });
  cases.forEach((c, i) => {
    const ok = c && typeof c.op === "string" && Array.isArray(c.inputs) && c.output && c.upstream && Array.isArray(c.grads);
    if (!ok) throw NnlabError.problem({ subject: `${file}: cases[${i}]`, expected: "op, inputs, output, upstream and grads", found: JSON.stringify(c).slice(0, 80) });
    const where = `${file}: cases[${i}] (${c.op})`;
    for (const t of [...c.inputs, ...(c.int_inputs ?? []), c.output, c.upstream, ...c.grads.filter((g: unknown) => g !== null)]) {
      if (!Array.isArray(t?.shape) || !Array.isArray(t?.data)) {
        throw NnlabError.problem({ subject: where, expected: "tensors as {shape, data}", found: String(JSON.stringify(t)).slice(0, 80) });
      }
    }
    // A case must check gradients: one entry per input (null only where PyTorch has none).
    if (c.grads.length !== c.inputs.length || c.grads.every((g: unknown) => g === null)) {
      throw NnlabError.problem({
        subject: where,
        expected: `"grads" with one gradient (or null) for each of its ${c.inputs.length} inputs, at least one of them a tensor`,
        found: c.grads.length === 0 ? "an empty list" : `${c.grads.length} entr${c.grads.length === 1 ? "y" : "ies"}, ${c.grads.filter((g: unknown) => g !== null).length} of them tensors`,
        fix: "Write the case again with the reference generator.",
      });
    }
  });
  return { cases: cases as RefCase[], source: file };
}

/** Reads and checks a reference file; errors name the file (and the line and column of a JSON syntax error). */
export async function loadReferenceFile(file: string): Promise<ReferenceFile> {
  return parseReferenceFile(await readJsonFile(file, "a reference file of PyTorch cases"), file);
}

/** Runs every case and summarises (the object `nnlab selftest --json` prints). */
export function runReference(file: ReferenceFile, dtype: DType = "float32"): { report: ReferenceReport; results: CaseResult[] } {
  const results = file.cases.map((c, i) => {
    try {
      return runCase(c, i, dtype);
    } catch (err) {
      // A malformed case (say, data that does not fit its shape): name the file and the case.
      if (!(err instanceof NnlabError)) throw err;
      throw new NnlabError(`${file.source ?? "reference file"}: cases[${i}] (${c.op}): ${err.message}`, { cause: err });
    }
  });
  const finite = (x: number) => (Number.isFinite(x) ? x : 0);
  const report: ReferenceReport = {
    cases: results.length,
    failed: results.filter((r) => !r.ok).map((r) => ({ index: r.index, op: r.op, problem: r.problem ?? "failed" })),
    max_abs_error: Math.max(0, ...results.map((r) => (Number.isNaN(r.maxAbsError) ? 0 : r.maxAbsError))),
    max_rel_error: Math.max(0, ...results.map((r) => finite(r.maxRelError))),
  };
  return { report, results };
}
