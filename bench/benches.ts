// The list of benches and the command line of `npm run bench -- [NAME…] [--quick]`.

import { NnlabError } from "../src/core/errors.js";
import { cnn } from "./cnn.js";
import { gemm } from "./gemm.js";
import { sample } from "./sample.js";
import { serveBench } from "./serve.js";
import type { Bench } from "./harness.js";
import { transformer } from "./transformer.js";
import { w1 } from "./w1.js";
import { w1b } from "./w1b.js";
import { w2 } from "./w2.js";

/** Every bench, in the order they run. */
export const BENCHES: readonly Bench[] = [w1, w1b, gemm, transformer, w2, sample, serveBench, cnn];

export interface BenchArgs {
  benches: Bench[];
  /** Fewer images and runs: a smoke run of the harness in about a minute. */
  quick: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [${BENCHES.map((b) => b.name).join("|")} …] [--quick]

Times nnlab on every registered backend against TF.js (wasm, cpu), PyTorch and numpy (through
/usr/bin/python3 when installed), prints a table per bench and writes bench/results/<bench>.json.
  NAME…     benches to run (default: all)
  --quick   10,000 images per epoch and fewer runs (a smoke run, not for reporting)
  --help    this text`;

/** Parses the bench command line; unknown names and flags are NnlabErrors naming the argument. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const names = BENCHES.map((b) => b.name);
  const picked: Bench[] = [];
  let quick = false;
  let help = false;
  for (const arg of argv) {
    if (arg === "--quick") quick = true;
    else if (arg === "--help" || arg === "-h") help = true;
    else if (arg.startsWith("-")) throw NnlabError.problem({ subject: arg, expected: "--quick or --help", found: "an unknown flag", fix: "Run `npm run bench -- --help`." });
    else {
      const bench = BENCHES.find((b) => b.name === arg.toLowerCase());
      if (!bench) throw NnlabError.problem({ subject: "bench name", expected: names.join(" | "), found: JSON.stringify(arg), fix: "Run `npm run bench -- --help`." });
      if (!picked.includes(bench)) picked.push(bench);
    }
  }
  return { benches: picked.length ? picked : [...BENCHES], quick, help };
}
