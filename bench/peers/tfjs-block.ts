// The transformer block of the transformer bench written in TF.js: pre-LN, causal multi-head attention,
// GELU(tanh) MLP 4×; gradients of the mean output with respect to every weight by tf.variableGrads.

import { tf } from "./tfjs.js";

/** The block's sizes, shared with the nnlab and PyTorch versions. */
export const BLOCK = { batch: 12, tokens: 64, width: 128, heads: 4 } as const;

function layerNorm(x: tf.Tensor, g: tf.Variable, b: tf.Variable): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
}

/** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** One forward + backward step of the block on fixed random input; `dispose` frees its weights. */
export function tfjsBlockStep(): { run: () => void; dispose: () => void } {
  const { batch: B, tokens: T, width: C, heads: nh } = BLOCK;
  const hs = C / nh;
  const weight = (i: number, o: number, seed: number) => tf.variable(tf.randomUniform([i, o], -1 / Math.sqrt(i), 1 / Math.sqrt(i), "float32", seed));
  const w = {
    ln1g: tf.variable(tf.ones([C])),
    ln1b: tf.variable(tf.zeros([C])),
    attn: weight(C, 3 * C, 1),
    attnB: tf.variable(tf.zeros([3 * C])),
    proj: weight(C, C, 2),
    projB: tf.variable(tf.zeros([C])),
    ln2g: tf.variable(tf.ones([C])),
    ln2b: tf.variable(tf.zeros([C])),
    fc: weight(C, 4 * C, 3),
    fcB: tf.variable(tf.zeros([4 * C])),
    mlpProj: weight(4 * C, C, 4),
    mlpProjB: tf.variable(tf.zeros([C])),
  };
  const x = tf.randomNormal([B * T, C], 0, 1, "float32", 5); // (B·T, C)
  // 0 on and below the diagonal, −1e9 above it: the causal mask, added to the scores
  const mask = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9));

  const heads = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, nh, hs]), [0, 2, 1, 3]), [B * nh, T, hs]); // (B·nh, T, hs)
  const attention = (h: tf.Tensor) => {
    const [q, k, v] = tf.split(tf.add(tf.matMul(h, w.attn), w.attnB), 3, 1).map(heads);
    const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), mask); // (B·nh, T, T)
    const y = tf.matMul(tf.softmax(scores), v); // (B·nh, T, hs)
    const merged = tf.reshape(tf.transpose(tf.reshape(y, [B, nh, T, hs]), [0, 2, 1, 3]), [B * T, C]);
    return tf.add(tf.matMul(merged, w.proj), w.projB);
  };
  const loss = () => {
    const h = tf.add(x, attention(layerNorm(x, w.ln1g, w.ln1b)));
    const m = tf.add(tf.matMul(gelu(tf.add(tf.matMul(layerNorm(h, w.ln2g, w.ln2b), w.fc), w.fcB)), w.mlpProj), w.mlpProjB);
    return tf.mean(tf.add(h, m)) as tf.Scalar;
  };
  return {
    run: () => {
      const { value, grads } = tf.variableGrads(loss);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    dispose: () => tf.dispose([x, mask, ...Object.values(w)]),
  };
}
