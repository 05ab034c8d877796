// Optimizers and learning-rate schedules.
export { Optimizer, type OptimizerState } from "./optimizer.js";
export { SGD, type SgdOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { clipGradNorm } from "./clip.js";
export { constant, stepDecay, warmupCosine, type Schedule } from "./schedule.js";
