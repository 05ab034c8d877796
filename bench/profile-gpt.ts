// Where a W2 training step (the nanogpt-cpu preset: 4 layers, 4 heads, width 128, 12 × 64 tokens, AdamW,
// clipping) spends its time, kernel by kernel (profile.ts), on the embedded Shakespeare.
// Run: node dist/bench/profile-gpt.js [threads] [backend]

import { init } from "../src/backend/index.js";
import { CharTokenizer } from "../src/data/text/char.js";
import { splitTrainVal } from "../src/data/text/corpus.js";
import { loadEmbeddedCorpus } from "../src/data/text/corpus-file.js";
import { makeGptConfig } from "../src/train/gpt-config.js";
import { GptTrainer } from "../src/train/gpt-trainer.js";
import { profileSteps } from "./profile.js";

await init({ backend: process.argv[3] ?? "wasm" });
const text = await loadEmbeddedCorpus();
const tokenizer = CharTokenizer.fromText(text);
const trainer = new GptTrainer(makeGptConfig("nanogpt-cpu", tokenizer.vocabSize, { evalIters: 1 }), splitTrainVal(Int32Array.from(tokenizer.encode(text)), 0.9));
profileSteps(() => trainer.step(), { threads: Number(process.argv[2] ?? 1), steps: 20 });
process.exit(0);
