// Command-line parsing for nnlab commands: a typed spec of options and positionals over node:util
// parseArgs, strict about unknown flags, plus value parsers (whole numbers, numbers, choices, lists)
// whose errors name the flag, what was expected and what was found.

import { parseArgs } from "node:util";
import { NnlabError } from "../core/errors.js";

/** One `--flag` of a command. */
export interface OptionSpec {
  /** Long name without dashes, e.g. "epochs" for `--epochs`. */
  readonly name: string;
  /** "string" takes a value (`--epochs 5`, `--epochs=5`); "boolean" is a switch (`--plot`). */
  readonly type: "string" | "boolean";
  /** One-letter alias without the dash, e.g. "o" for `-o`. */
  readonly short?: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Value used when the flag is absent (string options only; switches default to false). */
  readonly default?: string;
  /**
   * What happens when the flag is absent, for `--help`, where it is not one fixed value (e.g. "the
   * preset's: 3b1b 10, modern 64"); the parsed value stays undefined.
   */
  readonly defaultText?: string;
  /** Must be given (string options only): shown in the usage line, and its absence is an error. */
  readonly required?: boolean;
  /** Placeholder in `--help`, e.g. "N" for `--epochs N`; default "VALUE". */
  readonly valueName?: string;
}

/** One positional argument of a command, e.g. the checkpoint of `nnlab eval CHECKPOINT`. */
export interface PositionalSpec {
  /** Key in the parsed result; shown upper-case in help, e.g. "checkpoint" → CHECKPOINT. */
  readonly name: string;
  readonly description: string;
  /** Must be given (required positionals come before optional ones). */
  readonly required?: boolean;
  /** Takes all remaining arguments (last positional only); the value is a string array. */
  readonly variadic?: boolean;
}

/** What a command accepts. Declare it inline in `defineCommand` (or `as const`) to get typed values. */
export interface ArgSpec {
  /** Longer description for `--help` (the command's summary is used when absent). */
  readonly description?: string;
  readonly options: readonly OptionSpec[];
  readonly positionals?: readonly PositionalSpec[];
}

type OptionValue<O extends OptionSpec> = O["type"] extends "boolean"
  ? boolean
  : O extends { readonly default: string } | { readonly required: true }
    ? string
    : string | undefined;

type PositionalValue<P extends PositionalSpec> = P extends { readonly variadic: true }
  ? string[]
  : P extends { readonly required: true }
    ? string
    : string | undefined;

/** Parsed option values keyed by long name: switches are booleans, valued flags strings. */
export type OptionValues<S extends ArgSpec> = { [O in S["options"][number] as O["name"]]: OptionValue<O> };

/** Parsed positionals keyed by name. */
export type PositionalValues<S extends ArgSpec> = S["positionals"] extends readonly PositionalSpec[]
  ? { [P in S["positionals"][number] as P["name"]]: PositionalValue<P> }
  : Record<string, never>;

/** The result of {@link parseCommandArgs}. */
export interface ParsedArgs<S extends ArgSpec = ArgSpec> {
  options: OptionValues<S>;
  positionals: PositionalValues<S>;
}

/** The flag as the user types it: `--epochs` (accepts "epochs" or "--epochs"). */
export function flagName(name: string): string {
  return name.startsWith("-") ? name : `--${name}`;
}

/** Upper-case display name of a positional, e.g. "checkpoint" → "CHECKPOINT". */
export function positionalLabel(p: PositionalSpec): string {
  return p.name.toUpperCase().replace(/-/g, "_") + (p.variadic ? "..." : "");
}

/** Edit distance, for "did you mean" suggestions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The candidate closest to `word` when it is a likely typo (at most 2 edits, or a third of its length). */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** A value that starts with "-" but is a negative number is a value, not a flag. */
function looksLikeFlag(value: string): boolean {
  return value.startsWith("-") && value !== "-" && !/^-(\d|\.\d)/.test(value);
}

/**
 * Parses a command's arguments (everything after the command name) against its spec. Unknown flags,
 * missing values, values given to switches, missing required positionals and extra positionals are
 * {@link NnlabError}s that say what to run for help. Repeated flags: the last one wins. Everything after
 * `--` is positional.
 *
 * @param command the command's name for error messages, e.g. "train mnist".
 */
export function parseCommandArgs<S extends ArgSpec>(argv: readonly string[], spec: S, command: string): ParsedArgs<S> {
  const help = `Run \`nnlab ${command} --help\` for the list.`;
  const config: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const o of spec.options) config[o.name] = o.short ? { type: o.type, short: o.short } : { type: o.type };

  // Non-strict parsing gives us tokens; we do the strict checks ourselves to word the errors.
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean | undefined> = {};
  for (const o of spec.options) values[o.name] = o.type === "boolean" ? false : o.default;
  const positionals: string[] = [];

  for (const token of tokens) {
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== "option") continue; // the `--` terminator
    const option = spec.options.find((o) => o.name === token.name);
    if (!option || (!token.rawName.startsWith("--") && option.short !== token.rawName.slice(1))) {
      const known = spec.options.map((o) => `--${o.name}`);
      const guess = token.rawName.startsWith("--") ? suggest(token.rawName, known) : undefined;
      const hint = guess ? `; did you mean ${guess}?` : ".";
      throw new NnlabError(`${token.rawName}: unknown flag for \`nnlab ${command}\`${hint} ${help}`);
    }
    const shown = `--${option.name}`;
    if (option.type === "boolean") {
      if (token.value !== undefined) {
        throw NnlabError.problem({ subject: shown, expected: "no value (it is a switch)", found: JSON.stringify(token.value), fix: `Write just ${shown}.` });
      }
      values[option.name] = true;
      continue;
    }
    const placeholder = option.valueName ?? "VALUE";
    if (token.value === undefined) {
      throw NnlabError.problem({ subject: shown, expected: `a value (${shown} ${placeholder})`, found: "nothing", fix: help });
    }
    if (!token.inlineValue && looksLikeFlag(token.value)) {
      throw NnlabError.problem({
        subject: shown,
        expected: `a value (${shown} ${placeholder})`,
        found: `the flag ${token.value}`,
        fix: `Write ${shown}=${placeholder} for a value that starts with "-".`,
      });
    }
    values[option.name] = token.value;
  }

  for (const o of spec.options) {
    if (o.required && (values[o.name] === undefined || values[o.name] === "")) {
      const shown = `--${o.name} ${o.valueName ?? "VALUE"}`;
      throw NnlabError.problem({ subject: `--${o.name}`, expected: `a value (${shown}, required: ${o.description})`, found: "nothing", fix: `Pass ${shown}. ${help}` });
    }
  }

  const named: Record<string, string | string[] | undefined> = {};
  const specs = spec.positionals ?? [];
  let next = 0;
  for (const p of specs) {
    if (p.variadic) {
      named[p.name] = positionals.slice(next);
      if (p.required && next >= positionals.length) throw missingPositional(p, command);
      next = positionals.length;
    } else {
      if (p.required && next >= positionals.length) throw missingPositional(p, command);
      named[p.name] = positionals[next];
      next++;
    }
  }
  if (next < positionals.length) {
    const expected = specs.length === 0 ? "no arguments" : `at most ${specs.length} argument${specs.length === 1 ? "" : "s"} (${specs.map(positionalLabel).join(" ")})`;
    throw NnlabError.problem({ subject: `nnlab ${command}`, expected, found: `an extra ${JSON.stringify(positionals[next])}`, fix: help });
  }
  // The spec drives both the runtime values and the mapped types, so this cast only restates them.
  return { options: values, positionals: named } as ParsedArgs<S>;
}

function missingPositional(p: PositionalSpec, command: string): NnlabError {
  return NnlabError.problem({
    subject: `nnlab ${command}`,
    expected: `the argument ${positionalLabel(p)} (${p.description})`,
    found: "nothing",
    fix: `Run \`nnlab ${command} --help\` for usage.`,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Value parsers for flags. `value` is what parseCommandArgs produced; undefined reads as "found nothing".

/** Bounds (inclusive) for {@link intFlag}, {@link floatFlag} and {@link intListFlag}. */
export interface FlagRange {
  min?: number;
  max?: number;
  /** Exclusive lower bound, e.g. 0 for a learning rate that must be > 0. */
  above?: number;
}

function rangeWords(range: FlagRange | undefined): string {
  const parts: string[] = [];
  if (range?.above !== undefined) parts.push(`> ${range.above}`);
  if (range?.min !== undefined) parts.push(`>= ${range.min}`);
  if (range?.max !== undefined) parts.push(`<= ${range.max}`);
  return parts.length ? ` ${parts.join(" and ")}` : "";
}

function inRange(n: number, range: FlagRange | undefined): boolean {
  return (range?.min === undefined || n >= range.min) && (range?.max === undefined || n <= range.max) && (range?.above === undefined || n > range.above);
}

function found(value: string | boolean | undefined): string {
  return value === undefined || value === true || value === false ? "nothing" : JSON.stringify(value);
}

function parseWhole(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text.trim())) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Parses a whole-number flag: `intFlag("epochs", v, { min: 1 })`.
 * @throws NnlabError like `--epochs: expected a whole number >= 1, found "abc".`
 */
export function intFlag(name: string, value: string | boolean | undefined, range?: FlagRange): number {
  const n = typeof value === "string" ? parseWhole(value) : undefined;
  if (n === undefined || !inRange(n, range)) {
    throw NnlabError.problem({ subject: flagName(name), expected: `a whole number${rangeWords(range)}`, found: found(value) });
  }
  return n;
}

/**
 * Parses a number flag (decimal or exponent notation, e.g. `3e-4`): `floatFlag("lr", v, { above: 0 })`.
 * @throws NnlabError like `--lr: expected a number > 0, found "fast".`
 */
export function floatFlag(name: string, value: string | boolean | undefined, range?: FlagRange): number {
  const ok = typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(value);
  const n = ok ? Number(value) : NaN;
  if (!Number.isFinite(n) || !inRange(n, range)) {
    throw NnlabError.problem({ subject: flagName(name), expected: `a number${rangeWords(range)}`, found: found(value) });
  }
  return n;
}

/**
 * Checks a flag against a fixed list: `choiceFlag("activation", v, ["sigmoid", "relu"] as const)`.
 * @throws NnlabError like `--activation: expected one of sigmoid, relu, found "tanh".`
 */
export function choiceFlag<T extends string>(name: string, value: string | boolean | undefined, choices: readonly T[]): T {
  const match = choices.find((c) => c === value);
  if (match === undefined) {
    const guess = typeof value === "string" ? suggest(value, choices) : undefined;
    throw NnlabError.problem({
      subject: flagName(name),
      expected: `one of ${choices.join(", ")}`,
      found: found(value),
      fix: guess ? `Did you mean ${guess}?` : undefined,
    });
  }
  return match;
}

/**
 * Parses a comma-separated list of whole numbers, e.g. `--hidden 16,16` → [16, 16]. An empty string gives
 * [] only when `allowEmpty` is set (e.g. a network with no hidden layers).
 * @throws NnlabError like `--hidden: expected a comma-separated list of whole numbers >= 1 like 16,16, found "16,x".`
 */
export function intListFlag(name: string, value: string | boolean | undefined, range?: FlagRange & { allowEmpty?: boolean }): number[] {
  if (typeof value === "string" && value.trim() === "" && range?.allowEmpty) return [];
  const items = typeof value === "string" ? value.split(",").map(parseWhole) : [undefined];
  if (items.some((n) => n === undefined || !inRange(n, range))) {
    throw NnlabError.problem({
      subject: flagName(name),
      expected: `a comma-separated list of whole numbers${rangeWords(range)} like 16,16`,
      found: found(value),
    });
  }
  return items as number[];
}
