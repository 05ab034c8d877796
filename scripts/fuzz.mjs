// `npm run fuzz -- [--runs N] [--seconds S] [--seed N]`: the fuzz targets of `npm test`
// (test/fuzz/targets.ts) run long — default 20,000 inputs or 60 s per target, whichever ends first —
// with a limit of one second of CPU time per input. Prints each target's counts and slowest input; exits 1 on a
// failure (with fast-check's seed and shrunk input, to replay with --seed).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fuzzTarget } from "../dist/test/fuzz/runner.js";
import { TARGETS } from "../dist/test/fuzz/targets.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20000" }, seconds: { type: "string", default: "60" }, seed: { type: "string" } } });
const runs = Number(values.runs);
const seconds = Number(values.seconds);
if (!Number.isInteger(runs) || runs < 1 || !(seconds > 0)) {
  console.error(`npm run fuzz: --runs expects a whole number >= 1 and --seconds a number > 0, found ${values.runs} and ${values.seconds}`);
  process.exit(2);
}
const scratch = await mkdtemp(path.join(tmpdir(), "nnlab-fuzz-"));
let failed = 0;
try {
  for (const target of TARGETS) {
    try {
      const s = await fuzzTarget(target, { runs, timeLimitMs: seconds * 1000, maxMsPerInput: 1000, scratch, seed: values.seed === undefined ? undefined : Number(values.seed) });
      console.log(`ok   ${target.name}: ${s.runs} inputs (${s.accepted} parsed, ${s.refused} refused with a typed error), slowest ${s.slowestMs.toFixed(1)} ms of CPU, seed ${s.seed}`);
    } catch (err) {
      failed++;
      const note = target.knownDefect ? ` (known: ${target.knownDefect})` : "";
      console.log(`FAIL ${target.name}${note}\n${err instanceof Error ? err.message : String(err)}`);
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
