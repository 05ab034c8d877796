// Tokenizer directories on disk (Node): DIR/tokenizer.json holds a TokenizerSpec, as `nnlab gpt
// bpe-train --out DIR` writes it. Also resolves the `--tokenizer char|gpt2|DIR` flag.

import { join } from "node:path";
import { NnlabError } from "../../core/errors.js";
import { readFileBytes } from "../files.js";
import { CharTokenizer } from "./char.js";
import { Gpt2Tokenizer } from "./gpt2.js";
import { tokenizerFromSpec, type Tokenizer } from "./tokenizer.js";

/** The file inside a tokenizer directory. */
export const TOKENIZER_FILE = "tokenizer.json";

/** The text of DIR/tokenizer.json for `tokenizer` (write it atomically, e.g. with io's writeFileAtomic). */
export function tokenizerFileText(tokenizer: Tokenizer): string {
  return JSON.stringify(tokenizer.toJSON()) + "\n";
}

/** Reads DIR/tokenizer.json and rebuilds the tokenizer; every field is checked, errors name the file. */
export async function readTokenizerDir(dir: string): Promise<Tokenizer> {
  const file = join(dir, TOKENIZER_FILE);
  const bytes = await readFileBytes(file, { what: `a tokenizer directory with ${TOKENIZER_FILE}`, fix: "Train one with `nnlab gpt bpe-train --out DIR`, or use --tokenizer char|gpt2." });
  let spec: unknown;
  try {
    spec = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw NnlabError.problem({ subject: file, expected: "JSON", found: `text that does not parse (${err instanceof Error ? err.message : String(err)})` });
  }
  return tokenizerFromSpec(spec, file);
}

/**
 * The tokenizer a `--tokenizer` flag names: "gpt2", "char" (over `charText`, e.g. the training corpus)
 * or a directory with tokenizer.json.
 */
export async function resolveTokenizer(value: string, charText: () => Promise<string>): Promise<Tokenizer> {
  if (value === "gpt2") return Gpt2Tokenizer.get();
  if (value === "char") return CharTokenizer.fromText(await charText());
  return readTokenizerDir(value);
}
