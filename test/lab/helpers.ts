// Shared set-up of the lab tests: the engine, real MNIST (loaded once per test file), and a quiet
// context for running an experiment's quick version.
import { init } from "../../src/backend/index.js";
import { loadMnist } from "../../src/data/mnist.js";
import type { LabContext } from "../../src/lab/index.js";

let data: LabContext["data"] | undefined;

/** A quick, silent lab context on the real MNIST data, seed 1; `flags` are the experiment's own flags. */
export async function quickContext(flags: Record<string, string> = {}): Promise<LabContext> {
  await init();
  data ??= await loadMnist();
  return { data, seed: 1, quick: true, flags, progress: () => ({ update() {}, stop() {} }), log() {} };
}
