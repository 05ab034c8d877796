// JSON text with errors that name the source, line and column, and small validators that check a parsed
// value and say where it was, what was expected and found. Node-free (the web lab's worker parses a
// config.json picked from disk with it); reading files is in json.ts.

import { NnlabError } from "../core/errors.js";

/**
 * Parses JSON from a file's bytes (UTF-8), failing with an {@link NnlabError} that names `source` when
 * they are not UTF-8 or not valid JSON.
 * @param what what the file should be, for error messages, e.g. "a model config".
 */
export function parseJsonBytes(bytes: Uint8Array, source: string, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw NnlabError.problem({ subject: source, expected: `${what} (UTF-8 JSON)`, found: "bytes that are not UTF-8 text" });
  }
  return parseJsonText(text, source, what);
}

/**
 * Parses JSON text, failing with an {@link NnlabError} that names `source` and the line and column.
 * @param source the file name (or other origin) for error messages.
 */
export function parseJsonText(text: string, source: string, what: string): unknown {
  if (text.trim() === "") {
    throw NnlabError.problem({ subject: source, expected: `${what} (JSON)`, found: "an empty file" });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // V8 reports "… at position N" (newer versions add "(line L column C)"); we compute both ourselves.
    // Two of its messages carry no position: an unexpected token quoted with the text around it, and
    // the end of the input.
    const match = /position (\d+)/.exec(message);
    const token = /^Unexpected token '(.+?)', ".*" is not valid JSON$/s.exec(message);
    const position = match ? Number(match[1]) : token ? firstOutsideStrings(text, token[1]) : /end of JSON input/.test(message) ? text.length : -1;
    const where = position >= 0 ? ` at ${lineAndColumn(text, position)}` : "";
    const reason = message
      .replace(/\s*in JSON at position \d+.*$/s, "")
      .replace(/, ".*" is not valid JSON$/s, "")
      .replace(/^JSON\.parse: /, "")
      .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`); // one line
    throw NnlabError.problem({
      subject: source,
      expected: `${what} (valid JSON)`,
      found: `a syntax error${where}: ${reason}`,
      fix: "Fix the file or write it again.",
    });
  }
}

/** Offset of the first `token` in `text` outside string literals, or -1. */
function firstOutsideStrings(text: string, token: string): number {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (text.startsWith(token, i)) {
      return i;
    } else if (c === '"') {
      inString = true;
    }
  }
  return -1;
}

/** "line L, column C" (both from 1) of a character offset in `text`. */
function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

/**
 * Describes a value for the "found" part of an error: `"abc"`, `-3`, `null`, `an array of 4 items`,
 * `an object`, `nothing` (undefined, i.e. a missing key).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

/** Optional extras for the validators: the fix to suggest in the error. */
export interface ExpectOptions {
  fix?: string;
}

/** Numeric bounds (inclusive) for {@link expectNumber} and {@link expectInteger}. */
export interface RangeOptions extends ExpectOptions {
  min?: number;
  max?: number;
}

function fail(where: string, expected: string, value: unknown, options?: ExpectOptions): NnlabError {
  return NnlabError.problem({ subject: where, expected, found: describeValue(value), fix: options?.fix });
}

/**
 * Checks that `value` is a JSON object (not null, not an array).
 * @param where where the value sits, e.g. `config.json: layers[2]`.
 */
export function expectObject(value: unknown, where: string, options?: ExpectOptions): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw fail(where, "an object", value, options);
  return value as Record<string, unknown>;
}

/** Checks that `value` is an array. */
export function expectArray(value: unknown, where: string, options?: ExpectOptions): unknown[] {
  if (!Array.isArray(value)) throw fail(where, "an array", value, options);
  return value;
}

/** Checks that `value` is a string. */
export function expectString(value: unknown, where: string, options?: ExpectOptions): string {
  if (typeof value !== "string") throw fail(where, "a string", value, options);
  return value;
}

/** Checks that `value` is true or false. */
export function expectBoolean(value: unknown, where: string, options?: ExpectOptions): boolean {
  if (typeof value !== "boolean") throw fail(where, "true or false", value, options);
  return value;
}

/** Words for a range, e.g. " >= 1", " between 0 and 1". */
function rangeText(options?: RangeOptions): string {
  const { min, max } = options ?? {};
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return "";
}

function inRange(n: number, options?: RangeOptions): boolean {
  return (options?.min === undefined || n >= options.min) && (options?.max === undefined || n <= options.max);
}

/** Checks that `value` is a finite number, within `min`..`max` when given. */
export function expectNumber(value: unknown, where: string, options?: RangeOptions): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !inRange(value, options)) {
    throw fail(where, `a number${rangeText(options)}`, value, options);
  }
  return value;
}

/** Checks that `value` is a whole number (a safe integer), within `min`..`max` when given. */
export function expectInteger(value: unknown, where: string, options?: RangeOptions): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || !inRange(value, options)) {
    throw fail(where, `a whole number${rangeText(options)}`, value, options);
  }
  return value;
}

/** Checks that `value` is one of `choices` (compared with ===), e.g. an activation name. */
export function expectOneOf<T extends string | number>(value: unknown, where: string, choices: readonly T[], options?: ExpectOptions): T {
  const found = choices.find((c) => c === value);
  if (found === undefined) {
    throw fail(where, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`, value, options);
  }
  return found;
}
