// `--help` text, generated from the same specs that parse the arguments, so help and parser never drift:
// the top-level command list, a command group's list, and each command's usage, options and examples.

import { positionalLabel, type OptionSpec } from "./args.js";
import type { Command } from "./command.js";

/** Text width the help is wrapped to. */
const WIDTH = 80;
/** Widest left column before descriptions move to their own line. */
const MAX_LEFT = 26;

/** Flags every command accepts; main.ts handles them. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: "json", type: "boolean", description: "Print the results as one JSON object on stdout (progress and messages go to stderr)" },
  { name: "debug", type: "boolean", description: "Print the stack trace of internal errors" },
  { name: "help", type: "boolean", short: "h", description: "Show this help" },
];

/** Wraps `text` to `width` columns, breaking at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

/** A two-column table: left cells padded, right cells wrapped and indented under each other. */
function table(rows: readonly (readonly [string, string])[]): string[] {
  const left = Math.min(MAX_LEFT, Math.max(0, ...rows.map(([l]) => l.length)));
  const indent = 2 + left + 2;
  const out: string[] = [];
  for (const [l, r] of rows) {
    const body = wrap(r, Math.max(20, WIDTH - indent));
    if (l.length > left) {
      out.push(`  ${l}`);
      for (const b of body) out.push(" ".repeat(indent) + b);
    } else {
      out.push(`  ${l.padEnd(left)}  ${body[0]}`);
      for (const b of body.slice(1)) out.push(" ".repeat(indent) + b);
    }
  }
  return out;
}

/** `--name VALUE` as typed. */
function flagWithValue(o: OptionSpec): string {
  return `--${o.name}` + (o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : "");
}

/** What `--help` says about a flag's absence: "(required)", "(default: 8080)", or "" for switches. */
export function defaultNote(o: OptionSpec): string {
  if (o.required) return "(required)";
  if (o.default !== undefined) return `(default: ${o.default})`;
  if (o.defaultText !== undefined) return `(default: ${o.defaultText})`;
  return "";
}

function optionRow(o: OptionSpec): [string, string] {
  const flag = (o.short ? `-${o.short}, ` : "") + flagWithValue(o);
  const note = defaultNote(o);
  return [flag, note ? `${o.description} ${note}` : o.description];
}

/** The usage line of a command, required flags first, e.g. `nnlab predict --model DIR [options] FILE`. */
export function usageLine(command: Command): string {
  const parts = [`nnlab ${command.name}`, ...command.spec.options.filter((o) => o.required).map(flagWithValue), "[options]"];
  for (const p of command.spec.positionals ?? []) {
    parts.push(p.required ? positionalLabel(p) : `[${positionalLabel(p)}]`);
  }
  return `Usage: ${parts.join(" ")}`;
}

/** The full `--help` text of one command. */
export function formatCommandHelp(command: Command): string {
  const lines = [usageLine(command), "", ...wrap(command.spec.description ?? command.summary, WIDTH)];
  const positionals = command.spec.positionals ?? [];
  if (positionals.length) {
    lines.push("", "Arguments:", ...table(positionals.map((p) => [positionalLabel(p), p.description] as const)));
  }
  if (command.spec.options.length) {
    lines.push("", "Options:", ...table(command.spec.options.map(optionRow)));
  }
  lines.push("", "Global options:", ...table(GLOBAL_OPTIONS.map(optionRow)));
  if (command.examples?.length) {
    lines.push("", "Examples:", ...command.examples.map((e) => `  nnlab ${e}`));
  }
  return lines.join("\n") + "\n";
}

function commandRows(commands: readonly Command[]): [string, string][] {
  return [...commands].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((c) => [c.name, c.summary]);
}

/** The top-level `nnlab --help`: what nnlab is, its commands and the global options. */
export function formatMainHelp(commands: readonly Command[], version: string): string {
  const lines = [
    `nnlab ${version}: neural networks from 3Blue1Brown's series, as working software`,
    "",
    "Usage: nnlab <command> [options]",
    "",
    "Commands:",
    ...(commands.length ? table(commandRows(commands)) : ["  (none yet)"]),
    "",
    "Global options:",
    ...table([...GLOBAL_OPTIONS.map(optionRow), ["--version", "Print the version"]]),
    "",
    "Run `nnlab <command> --help` for a command's options and examples.",
  ];
  return lines.join("\n") + "\n";
}

/** Help for a group of commands sharing a first word, e.g. `nnlab gpt --help`. */
export function formatGroupHelp(group: string, commands: readonly Command[]): string {
  const lines = [
    `Usage: nnlab ${group} <command> [options]`,
    "",
    "Commands:",
    ...table(commandRows(commands)),
    "",
    `Run \`nnlab ${group} <command> --help\` for a command's options and examples.`,
  ];
  return lines.join("\n") + "\n";
}
