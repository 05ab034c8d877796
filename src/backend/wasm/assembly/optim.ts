// Optimizer updates in one pass over a parameter (the optimizer's composite in src/optim/adam.ts is
// the oracle): Adam and AdamW, updating the parameter and both moments in place.

/**
 * One Adam step over n values, in place: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * p ← p' − lr·m̂/(√v̂ + ε) with m̂ = m/bc1, v̂ = v/bc2. Weight decay `wd`: added to g (Adam) or, with
 * `decoupled`, p' = p·shrink with shrink = 1 − lr·wd (AdamW); p' = p without it. The host rounds the
 * constants (1 − β, shrink, bias corrections) from float64 as the composite does; same operation order.
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, eps: f32, wd: f32, decoupled: bool, shrink: f32, bc1: f32, bc2: f32): void {
  const coupled = !decoupled && wd != 0;
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), c2 = f32x4.splat(oneMinusBeta2);
  const vb1 = f32x4.splat(bc1), vb2 = f32x4.splat(bc2);
  const veps = f32x4.splat(eps), vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vshrink = f32x4.splat(shrink);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const pv = v128.load(p + off);
    let gv = v128.load(g + off);
    if (coupled) gv = f32x4.add(gv, f32x4.mul(pv, vwd));
    const mv = f32x4.add(f32x4.mul(v128.load(m + off), b1), f32x4.mul(gv, c1));
    const vv = f32x4.add(f32x4.mul(v128.load(v + off), b2), f32x4.mul(f32x4.mul(gv, gv), c2));
    v128.store(m + off, mv);
    v128.store(v + off, vv);
    const mHat = f32x4.div(mv, vb1);
    const vHat = f32x4.div(vv, vb2);
    const param = decoupled ? f32x4.mul(pv, vshrink) : pv;
    v128.store(p + off, f32x4.sub(param, f32x4.mul(f32x4.div(mHat, f32x4.add(f32x4.sqrt(vHat), veps)), vlr)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const pv = load<f32>(p + off);
    let gv = load<f32>(g + off);
    if (coupled) gv = gv + pv * wd;
    const mv = load<f32>(m + off) * beta1 + gv * oneMinusBeta1;
    const vv = load<f32>(v + off) * beta2 + gv * gv * oneMinusBeta2;
    store<f32>(m + off, mv);
    store<f32>(v + off, vv);
    const param = decoupled ? pv * shrink : pv;
    store<f32>(p + off, param - (mv / bc1 / (Mathf.sqrt(vv / bc2) + eps)) * lr);
  }
}
