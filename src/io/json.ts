// Reading JSON files (configs, checkpoint state, tokenizer files) with errors that name the file and the
// line; the parsing and the validators (Node-free) are in json-text.ts and re-exported here.

import { readFileBytes } from "./fs-errors.js";
import { parseJsonBytes } from "./json-text.js";

export * from "./json-text.js";

/**
 * Reads and parses a JSON file.
 * @param what what the file should be, for error messages, e.g. "a model config".
 * @throws NnlabError naming `path` when it is missing, unreadable, not UTF-8 or not valid JSON (with the
 * line and column of the syntax error).
 */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  return parseJsonBytes(await readFileBytes(path, `${what} (JSON)`), path, what);
}
