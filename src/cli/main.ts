// The nnlab CLI entry: global flags (--help, --version, --json, --debug), dispatch to the command whose
// name matches the most leading words, and errors turned into one-line messages and exit codes.
// It imports no command, so it can be tested with a fake command list; bin/nnlab.js passes the real one.

import { readFileSync } from "node:fs";
import { NnlabError } from "../core/errors.js";
import { parseCommandArgs, suggest } from "./args.js";
import type { Command, CommandContext } from "./command.js";
import { GLOBAL_OPTIONS, formatCommandHelp, formatGroupHelp, formatMainHelp } from "./help.js";
import { ProgressBar, type OutputStream, type ProgressOptions } from "./progress.js";

/** Where main writes and other things tests replace; everything defaults to the real process. */
export interface MainOptions {
  stdout?: OutputStream;
  stderr?: OutputStream;
  /** Shown by `--version`; default: the version in package.json. */
  version?: string;
  /** Settings for every progress bar commands start (tests pass a clock). */
  progress?: Pick<ProgressOptions, "now" | "plainIntervalMs" | "quiet">;
}

/** The package version from package.json (three folders up from dist/src/cli/), or "unknown". */
export function readVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8"));
    if (typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string") return pkg.version;
  } catch {
    // fall through
  }
  return "unknown";
}

/** Removes `--json` and `--debug` (anywhere before `--`), which every command accepts; `--json=VALUE` is an error. */
function takeGlobalFlags(argv: readonly string[]): { args: string[]; json: boolean; debug: boolean } {
  const args: string[] = [];
  let json = false;
  let debug = false;
  let terminated = false;
  for (const a of argv) {
    const valued = !terminated ? /^--(json|debug|help)=(.*)$/s.exec(a) : null;
    if (valued) {
      throw NnlabError.problem({ subject: `--${valued[1]}`, expected: "no value (it is a switch)", found: JSON.stringify(valued[2]), fix: `Write just --${valued[1]}.` });
    }
    if (!terminated && a === "--json") json = true;
    else if (!terminated && a === "--debug") debug = true;
    else {
      if (a === "--") terminated = true;
      args.push(a);
    }
  }
  return { args, json, debug };
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** Command lists are code: duplicate names or options that clash with the global ones are bugs. */
function checkCommands(commands: readonly Command[]): void {
  const seen = new Set<string>();
  const reserved = new Set(GLOBAL_OPTIONS.map((o) => o.name).concat("version"));
  for (const c of commands) {
    if (seen.has(c.name)) throw new Error(`two commands are named "${c.name}"`);
    seen.add(c.name);
    for (const o of c.spec.options) {
      if (reserved.has(o.name) || o.short === "h") throw new Error(`command "${c.name}" declares --${o.name}, which the CLI reserves`);
    }
  }
}

/** The command whose name matches the most leading words of `args`. */
function findCommand(args: readonly string[], commands: readonly Command[]): { command: Command; words: number } | undefined {
  let best: { command: Command; words: number } | undefined;
  for (const command of commands) {
    const words = command.name.split(" ");
    if (words.every((w, i) => args[i] === w) && (!best || words.length > best.words)) best = { command, words: words.length };
  }
  return best;
}

function commandList(commands: readonly Command[]): string {
  return commands.map((c) => c.name).sort().join(", ") || "(none)";
}

/** Help for `nnlab gpt --help`, or the error for `nnlab gpt`/`nnlab trian` (no command matched). */
function noCommand(args: readonly string[], commands: readonly Command[], stdout: OutputStream): number {
  const first = args[0];
  if (first.startsWith("-")) {
    throw NnlabError.problem({ subject: first, expected: `a command first (${commandList(commands)})`, found: "a flag", fix: "Run `nnlab --help` for what each does." });
  }
  const group = commands.filter((c) => c.name.startsWith(`${first} `));
  const next = args[1];
  if (group.length && (next === undefined || next.startsWith("-"))) {
    if (wantsHelp(args)) {
      stdout.write(formatGroupHelp(first, group));
      return 0;
    }
    throw NnlabError.problem({
      subject: `nnlab ${first}`,
      expected: `a command (${commandList(group)})`,
      found: "nothing",
      fix: `Run \`nnlab ${first} --help\` for what each does.`,
    });
  }
  const names = commands.map((c) => c.name);
  const attempt = group.length ? `${first} ${next}` : first;
  const guess = suggest(args.slice(0, 2).join(" "), names) ?? suggest(first, names);
  const hint = guess ? ` Did you mean \`nnlab ${guess}\`?` : "";
  throw new NnlabError(`${attempt}: unknown command.${hint} Commands: ${commandList(commands)}. Run \`nnlab --help\` for what each does.`);
}

/** Prints an error the way users should see it and returns the exit code. */
function report(err: unknown, stderr: OutputStream, debug: boolean): number {
  if (err instanceof NnlabError) {
    stderr.write(`nnlab: ${err.message}\n`);
    if (debug && err.stack) stderr.write(`${err.stack}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (debug) {
    stderr.write(`nnlab: internal error: ${message}\n${err instanceof Error && err.stack ? err.stack : ""}\n`);
  } else {
    stderr.write(`nnlab: internal error: ${message} (run with --debug for the stack trace)\n`);
  }
  return 1;
}

/**
 * Runs the CLI: `argv` are the arguments after `nnlab` (e.g. `process.argv.slice(2)`). Returns the exit
 * code: 0 success (or the command's own code), 2 for user errors (NnlabError, unknown command or flag),
 * 1 for internal errors. Never calls `process.exit`, so output already written is not cut off.
 */
export async function main(argv: readonly string[], commands: readonly Command[], options: MainOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let parsedGlobals: ReturnType<typeof takeGlobalFlags>;
  try {
    parsedGlobals = takeGlobalFlags(argv);
  } catch (err) {
    return report(err, stderr, argv.includes("--debug"));
  }
  const { args, json, debug } = parsedGlobals;
  const bars: ProgressBar[] = [];
  let runStartedAt: number | undefined;
  try {
    checkCommands(commands);
    const version = options.version ?? readVersion();
    if (args.length === 0) {
      stderr.write(formatMainHelp(commands, version));
      return 2;
    }
    if (args[0] === "--version") {
      stdout.write(json ? `${JSON.stringify({ version })}\n` : `${version}\n`);
      return 0;
    }
    if (args[0] === "--help" || args[0] === "-h" || (args[0] === "help" && args.length === 1)) {
      stdout.write(formatMainHelp(commands, version));
      return 0;
    }
    if (args[0] === "help") return await main([...args.slice(1), "--help"], commands, options);

    const match = findCommand(args, commands);
    if (!match) return noCommand(args, commands, stdout);
    const { command } = match;
    const rest = args.slice(match.words);
    if (wantsHelp(rest)) {
      stdout.write(formatCommandHelp(command));
      return 0;
    }
    const parsed = parseCommandArgs(rest, command.spec, command.name);
    const ctx: CommandContext = {
      stdout,
      stderr,
      json,
      debug,
      print: (line) => {
        (json ? stderr : stdout).write(`${line}\n`);
      },
      result: (value) => {
        if (json) stdout.write(`${JSON.stringify(value)}\n`);
      },
      progress: (progressOptions) => {
        // The first bar of a run of passes starts the run's clock, for its whole-run ETA.
        if (progressOptions.pass) runStartedAt ??= (options.progress?.now ?? Date.now)();
        const bar = new ProgressBar({ ...options.progress, ...progressOptions, runStartedAt, stream: stderr });
        bars.push(bar);
        return bar;
      },
    };
    const code = await command.run(parsed, ctx);
    return code ?? 0;
  } catch (err) {
    for (const bar of bars) bar.stop();
    return report(err, stderr, debug);
  } finally {
    for (const bar of bars) bar.stop();
  }
}
