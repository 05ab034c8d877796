// Development aid: a GPT run's validation loss over many random windows (nanoGPT's estimate with more
// batches), to compare a run with nanoGPT's reported figure without the noise of 20 batches.
// Usage: node scripts/gpt-eval-val.mjs RUN_DIR TEXT_FILE [BATCHES=200] [SEED=7]
import { readFileSync } from "node:fs";
import { init } from "../dist/src/backend/index.js";
import { Rng } from "../dist/src/core/rng.js";
import { noGrad, tidy } from "../dist/src/core/engine.js";
import { splitTrainVal } from "../dist/src/data/text/corpus.js";
import { tokenizerFromSpec } from "../dist/src/data/text/tokenizer.js";
import { loadGptDir } from "../dist/src/train/gpt-checkpoint.js";
import { batchLoss, randomBatch } from "../dist/src/train/gpt-trainer.js";

const [dir, textFile, batchesArg = "200", seedArg = "7"] = process.argv.slice(2);
await init();
const { model, nnlab, config } = await loadGptDir(dir);
const tokenizer = tokenizerFromSpec(nnlab.tokenizer);
const ids = Int32Array.from(tokenizer.encode(readFileSync(textFile, "utf8")));
const { val } = splitTrainVal(ids, 0.9);
const rng = new Rng(Number(seedArg));
const batch = nnlab.train?.batch ?? 12;
let sum = 0;
const n = Number(batchesArg);
for (let i = 0; i < n; i++) {
  const b = randomBatch(val, batch, config.blockSize, rng);
  sum += tidy(() => noGrad(() => batchLoss(model, b, batch).item()));
}
console.log(JSON.stringify({ dir, batches: n, batch, val_loss: sum / n }));
