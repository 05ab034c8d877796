// `npm run bench`: starts every registered nnlab backend, probes the peers, runs the chosen benches and
// prints each table with ratios, writing bench/results/<bench>.json.

import os from "node:os";
import { NnlabError } from "../src/core/errors.js";
import { startNnlab, variantLabel } from "./backends.js";
import { parseBenchArgs, USAGE } from "./benches.js";
import { machineInfo, writeResult, type BenchContext } from "./harness.js";
import { blasWarning, probePython } from "./peers/python.js";
import { tfjsVersion } from "./peers/tfjs.js";
import { formatResult } from "./report.js";

async function main(argv: string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const nnlab = await startNnlab((line) => console.log(line));
  const python = await probePython();
  const ctx: BenchContext = { quick: args.quick, nnlab, python, torchThreads: [...new Set([1, os.cpus().length])] };
  const machine = machineInfo(ctx, tfjsVersion());
  console.log(`# nnlab benchmarks${args.quick ? " (--quick: smoke run, not for reporting)" : ""}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.platform}`);
  if (machine.cpusAllowed !== null) {
    const pinned = !/[-,]/.test(machine.cpusAllowed);
    console.log(
      `CPUs allowed: ${machine.cpusAllowed}` +
        (pinned
          ? " (every process of this run, peers included, shares that one CPU: 2-thread rows are not meaningful)"
          : " (not pinned: a single-thread ratio compares processes that may land on different CPUs, which on a VM can differ in speed; `taskset -c N npm run bench -- …` runs all on one)"),
    );
  }
  console.log(`nnlab backends: ${nnlab.map((v) => variantLabel(v, nnlab)).join(", ")}; TF.js ${machine.peers["tfjs-core"]} (wasm, cpu)`);
  if (python.skipped) console.log(`skipped: PyTorch and numpy (${python.skipped})`);
  else {
    console.log(`python ${python.python}: torch ${python.torch ?? "missing (skipped)"}, numpy ${python.numpy ?? "missing (skipped)"}; BLAS: ${python.blas.join(", ") || "unknown"}`);
    const warning = blasWarning(python);
    if (warning) console.log(`warning: ${warning}`);
    if (python.torch) {
      console.log(`PyTorch threads: its default (torch.get_num_threads() = ${python.torchDefaultThreads}) for W1/W1b; ${ctx.torchThreads.join(" and ")} (torch.set_num_threads) for GEMM and the transformer block`);
    }
  }
  for (const bench of args.benches) {
    console.log("");
    const started = performance.now();
    const part = await bench.run(ctx);
    const result = { bench: bench.name, title: bench.title, unit: bench.unit, higherIsBetter: bench.higherIsBetter, ...part };
    console.log(formatResult(result));
    const file = await writeResult(result, machine, args.quick);
    console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s; wrote ${file})`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof NnlabError) {
      console.error(`nnlab bench: ${err.message}`);
      process.exit(err.exitCode);
    }
    console.error(err);
    process.exit(1);
  },
);
