// Rejecting junk: how well a digit net accepts digits (and reads them right) while rejecting images that
// are not digits, by a threshold on its top digit probability or by an 11th "none" output. The measures of
// `nnlab lab none-class`, which the web lab's worker also runs.

import type { Dataset } from "../data/dataset.js";
import type { MLP } from "../models/mlp.js";
import { answersOf } from "./answers.js";

/** One net's numbers. */
export interface RejectionStats {
  net: "10-class + threshold" | "11-class with none";
  /** Test digits classified correctly with no rejection (for the 11-class net, "none" counts as wrong). */
  digit_accuracy: number;
  /** The default operating point: threshold 0.9 for (a), the argmax being "none" for (b). */
  default_rule: string;
  default_digit_accuracy: number;
  default_junk_rejection: number;
  /** The trade-off over thresholds t on the top digit probability: accept when it is > t (t from the held-out junk's scores). */
  curve: { threshold: number[]; digit_accuracy: number[]; junk_rejection: number[] };
  /** Area under digit accuracy (accepted and correct) against held-out junk rejection, 0..1. */
  area: number;
  /** Best digit accuracy while rejecting at least 90% of the held-out junk. */
  accuracy_at_90_rejection: number;
  /** Rejection rate per junk kind at the default rule (fresh images of every kind). */
  rejection_by_kind: Record<string, number>;
}

/** Per image: the top digit probability and the answer (10 = none), from the net's softmax. */
function scores(model: MLP, ds: Dataset): { top: Float32Array; answer: Uint8Array } {
  const classes = model.sizes[model.sizes.length - 1];
  const p = answersOf(model, ds.images.subarray(0, ds.count * 784));
  const top = new Float32Array(ds.count);
  const answer = new Uint8Array(ds.count);
  for (let i = 0; i < ds.count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + best]) best = c;
    let digit = 0;
    for (let c = 1; c < 10; c++) if (p[i * classes + c] > p[i * classes + digit]) digit = c;
    top[i] = p[i * classes + digit];
    answer[i] = best;
  }
  return { top, answer };
}

/**
 * Thresholds for the trade-off curve: -1 (accept everything), then the held-out junk scores at every
 * `1/steps` quantile up to the largest. A fixed grid such as 0, 0.01, …, 1 would miss the curve where
 * it matters, because a trained softmax gives most digits *and* much junk a top probability above 0.99.
 */
export function junkQuantileThresholds(junkTop: Float32Array, steps = 100): number[] {
  const sorted = Float32Array.from(junkTop).sort();
  const out = [-1];
  for (let k = 1; k <= steps; k++) out.push(sorted[Math.max(0, Math.ceil((k * sorted.length) / steps) - 1)]);
  return out;
}

/** Trapezoid area under y(x) after sorting by x, from x = 0 to 1. */
export function areaUnder(xs: number[], ys: number[]): number {
  const pts = xs.map((x, i) => [x, ys[i]] as const).sort((p, q) => p[0] - q[0] || q[1] - p[1]);
  let area = 0;
  for (let i = 1; i < pts.length; i++) area += ((pts[i][0] - pts[i - 1][0]) * (pts[i][1] + pts[i - 1][1])) / 2;
  return area;
}

/**
 * One net's digit accuracy against junk rejection: at its default rule, over thresholds on its top digit
 * probability (the trade-off curve and its area), and per junk kind in `byKind`.
 */
export function rejectionStats(net: RejectionStats["net"], model: MLP, digits: Dataset, junk: Dataset, byKind: Record<string, Dataset>): RejectionStats {
  const d = scores(model, digits);
  const j = scores(model, junk);
  const elevenClass = net === "11-class with none";
  const correct = (i: number, accept: (i: number) => boolean) => accept(i) && d.answer[i] === digits.labels[i];
  const share = (n: number, f: (i: number) => boolean) => {
    let c = 0;
    for (let i = 0; i < n; i++) if (f(i)) c++;
    return c / n;
  };
  const threshold = junkQuantileThresholds(j.top);
  const curve = { threshold, digit_accuracy: [] as number[], junk_rejection: [] as number[] };
  for (const t of threshold) {
    curve.digit_accuracy.push(share(digits.count, (i) => correct(i, (k) => d.top[k] > t)));
    curve.junk_rejection.push(share(junk.count, (i) => j.top[i] <= t));
  }
  const rejects = (s: { top: Float32Array; answer: Uint8Array }, i: number) => (elevenClass ? s.answer[i] === 10 : s.top[i] < 0.9);
  const rejection_by_kind: Record<string, number> = {};
  for (const [kind, ds] of Object.entries(byKind)) {
    const s = scores(model, ds);
    rejection_by_kind[kind] = share(ds.count, (i) => rejects(s, i));
  }
  const at90 = curve.junk_rejection.map((r, i) => (r >= 0.9 ? curve.digit_accuracy[i] : 0));
  return {
    net,
    digit_accuracy: share(digits.count, (i) => d.answer[i] === digits.labels[i]),
    default_rule: elevenClass ? "reject when the answer is none" : "reject when the top probability < 0.9",
    default_digit_accuracy: share(digits.count, (i) => !rejects(d, i) && d.answer[i] === digits.labels[i]),
    default_junk_rejection: share(junk.count, (i) => rejects(j, i)),
    curve,
    area: areaUnder(curve.junk_rejection, curve.digit_accuracy),
    accuracy_at_90_rejection: Math.max(...at90),
    rejection_by_kind,
  };
}
