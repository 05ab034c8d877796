// The shape of an nnlab CLI command and the context it runs in. Commands are plain objects listed in
// commands.ts; main.ts parses their arguments from `spec`, prints their `--help` and runs them.

import type { ArgSpec, ParsedArgs } from "./args.js";
import type { OutputStream, ProgressBar, ProgressOptions } from "./progress.js";

/** What a command gets besides its arguments: where to write, the global flags, progress bars. */
export interface CommandContext {
  /** Standard output: under `--json` only the one JSON result object goes here. */
  readonly stdout: OutputStream;
  /** Standard error: progress, warnings, and human-readable text under `--json`. */
  readonly stderr: OutputStream;
  /** `--json` was given: print the results with {@link result} and nothing else on stdout. */
  readonly json: boolean;
  /** `--debug` was given: print stack traces for internal errors. */
  readonly debug: boolean;
  /** Prints a line of human-readable text: on stdout normally, on stderr under `--json`. */
  print(line: string): void;
  /** Under `--json`, prints `value` as one JSON object on stdout; otherwise does nothing. */
  result(value: unknown): void;
  /** Starts a progress bar on stderr (see {@link ProgressBar}); the CLI stops any left running. */
  progress(options: Omit<ProgressOptions, "stream">): ProgressBar;
}

/** An nnlab command, e.g. `train mnist`. */
export interface Command<S extends ArgSpec = ArgSpec> {
  /** The words that select it, e.g. "train mnist", "gpt sample", "eval". */
  readonly name: string;
  /** One line for the command list of `nnlab --help`. */
  readonly summary: string;
  /** Its flags and positionals; `--help`, `--json` and `--debug` are added by the CLI. */
  readonly spec: S;
  /** Example invocations for `--help`, without the leading "nnlab ", e.g. "train mnist --epochs 5". */
  readonly examples?: readonly string[];
  /** Runs it; returns the exit code (default 0). Throw NnlabError for user errors. */
  run(args: ParsedArgs<S>, ctx: CommandContext): Promise<number | void>;
}

/**
 * Declares a command with typed arguments: option and positional names in `spec` become the keys of
 * `args.options` / `args.positionals`, so a misspelled name fails the type check.
 *
 * ```ts
 * export const evalCommand = defineCommand({
 *   name: "eval", summary: "Evaluate a checkpoint on the MNIST test set",
 *   spec: { options: [{ name: "batch", type: "string", default: "1000", description: "Batch size" }],
 *           positionals: [{ name: "checkpoint", description: "Run directory", required: true }] },
 *   async run(args, ctx) { const batch = intFlag("batch", args.options.batch, { min: 1 }); … },
 * });
 * ```
 */
export function defineCommand<const S extends ArgSpec>(command: Command<S>): Command<S> {
  return command;
}
