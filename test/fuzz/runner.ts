// Runs the fuzz targets: every hostile input must parse or fail with an NnlabError (a one-line
// message), and a result may hold no more data than the input justifies. Records each target's
// slowest input in CPU time (the machine's load does not inflate it, as it does wall time), so
// `npm run fuzz` can hold parsers to a second per input.

import fc from "fast-check";
import path from "node:path";
import { NnlabError } from "../../src/core/errors.js";
import type { FuzzTarget } from "./targets.js";

/** How long to fuzz. */
export interface FuzzOptions {
  /** Inputs per target. */
  runs: number;
  /** fast-check seed (default: a fresh one, printed on failure so a run can be replayed). */
  seed?: number;
  /** Stop a target after this many milliseconds even if `runs` are not done. */
  timeLimitMs?: number;
  /** Fail an input that takes more CPU time than this (the long fuzz sets 1000; `npm test` leaves it out). */
  maxMsPerInput?: number;
  /** Folder for file-based targets. */
  scratch: string;
}

/** What one target's run saw. */
export interface FuzzStats {
  target: string;
  runs: number;
  accepted: number;
  refused: number;
  /** CPU time of the slowest input. */
  slowestMs: number;
  seed: number;
}

/** Fuzzes one target; throws fast-check's report (with the seed and the shrunk input) on a failure. */
export async function fuzzTarget(target: FuzzTarget, options: FuzzOptions): Promise<FuzzStats> {
  const seed = options.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) >>> 0;
  const stats: FuzzStats = { target: target.name, runs: 0, accepted: 0, refused: 0, slowestMs: 0, seed };
  const scratch = path.join(options.scratch, target.name.replace(/[^a-z0-9]+/gi, "-"));
  const property = fc.asyncProperty(target.inputs, async (input) => {
    const started = process.cpuUsage();
    let result: unknown;
    let refused = false;
    try {
      result = await target.parse(input, scratch);
    } catch (err) {
      if (!(err instanceof NnlabError)) throw new Error(`${target.name}: not an NnlabError: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      if (err.message.includes("\n")) throw new Error(`${target.name}: a message of more than one line: ${err.message}`);
      refused = true;
    }
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    if (options.maxMsPerInput !== undefined && ms > options.maxMsPerInput) {
      throw new Error(`${target.name}: ${ms.toFixed(0)} ms of CPU time for one input of ${target.size(input)} bytes (limit ${options.maxMsPerInput} ms)`);
    }
    if (!refused) {
      const bytes = target.resultBytes(result);
      const allowed = target.justified(target.size(input));
      if (bytes > allowed) throw new Error(`${target.name}: ${bytes} bytes of result from ${target.size(input)} bytes of input (at most ${allowed} justified)`);
    }
    stats.runs++;
    stats.slowestMs = Math.max(stats.slowestMs, ms);
    if (refused) stats.refused++;
    else stats.accepted++;
  });
  try {
    await fc.assert(property, { numRuns: options.runs, seed, interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false });
  } catch (err) {
    // fast-check keeps what the parser threw as the cause; put it in the message, where reports show it.
    const cause = err instanceof Error && err.cause instanceof Error ? `\nCause: ${err.cause.message}` : "";
    throw new Error(`${err instanceof Error ? err.message : String(err)}${cause}`, { cause: err });
  }
  return stats;
}
