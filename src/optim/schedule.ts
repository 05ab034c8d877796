// Learning-rate schedules as plain functions of the step (Optax / MLX style).

/** The learning rate for optimizer step `step` (0-based). */
export type Schedule = (step: number) => number;

export const constant = (lr: number): Schedule => () => lr;

/** lr · gamma^⌊step / every⌋. */
export const stepDecay = (lr: number, every: number, gamma: number): Schedule => (step) => lr * gamma ** Math.floor(step / every);

/** Linear warm-up over `warmup` steps, then cosine decay to `minLr` at `total` steps (nanoGPT's schedule). */
export function warmupCosine(lr: number, total: number, opts: { warmup?: number; minLr?: number } = {}): Schedule {
  const warmup = opts.warmup ?? 0;
  const minLr = opts.minLr ?? 0;
  return (step) => {
    if (step < warmup) return (lr * (step + 1)) / warmup;
    if (step >= total) return minLr;
    const t = (step - warmup) / Math.max(1, total - warmup);
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t));
  };
}
