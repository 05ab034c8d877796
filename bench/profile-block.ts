// Where the transformer block's forward + backward spends its time, kernel by kernel (profile.ts).
// Run: node dist/bench/profile-block.js [threads] [backend]

import { init } from "../src/backend/index.js";
import { tidy } from "../src/core/engine.js";
import * as ops from "../src/core/ops.js";
import { Rng } from "../src/core/rng.js";
import { BLOCK } from "./peers/tfjs-block.js";
import { profileSteps } from "./profile.js";
import { Block } from "./transformer.js";

await init({ backend: process.argv[3] ?? "wasm" });
const rng = new Rng(1);
const block = new Block(BLOCK.width, BLOCK.heads, rng);
const x = ops.randn([BLOCK.batch, BLOCK.tokens, BLOCK.width], rng);
profileSteps(
  () => {
    tidy(() => {
      const loss = block.forward(x).mean();
      loss.backward();
      loss.item();
    });
    block.zeroGrad();
  },
  { threads: Number(process.argv[2] ?? 1) },
);
process.exit(0);
