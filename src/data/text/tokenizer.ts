// The tokenizer interface every GPT part shares (lesson 5: text becomes tokens, tokens become ids), the
// JSON spec a checkpoint stores, and tokenizerFromSpec to rebuild a tokenizer from it. Node-free.

import { NnlabError } from "../../core/errors.js";
import { CharTokenizer } from "./char.js";
import { Gpt2Tokenizer } from "./gpt2.js";
import { BpeTokenizer, BPE_PATTERN_NAMES, type BpePatternName } from "./bpe.js";

/** The tokenizer kinds: characters, GPT-2's byte-level BPE with its own ranks, or a BPE we trained. */
export type TokenizerKind = "char" | "gpt2" | "bpe";

/** A character tokenizer: the vocabulary is the sorted list of distinct code points (nanoGPT's char model). */
export interface CharTokenizerSpec {
  kind: "char";
  /** The characters in id order: id i is `chars[i]` (one code point each). */
  chars: string[];
}

/** GPT-2's byte-level BPE (50,257 tokens: 256 bytes, 50,000 merges and `<|endoftext|>`). */
export interface Gpt2TokenizerSpec {
  kind: "gpt2";
}

/** A byte-level BPE learned by {@link trainBpe}: ids 0–255 are the bytes, id 256 + i is merge i. */
export interface BpeTokenizerSpec {
  kind: "bpe";
  /** How text is split into chunks before merging; merges never cross a chunk boundary. */
  pattern: BpePatternName;
  /** The merges in the order they were learned: merge i joins ids `[a, b]` into id 256 + i. */
  merges: [number, number][];
}

/** What a checkpoint's config stores to rebuild its tokenizer (plain JSON). */
export type TokenizerSpec = CharTokenizerSpec | Gpt2TokenizerSpec | BpeTokenizerSpec;

/** Turns text into token ids and back. */
export interface Tokenizer {
  readonly kind: TokenizerKind;
  /** Number of distinct token ids: ids are 0 … vocabSize − 1. */
  readonly vocabSize: number;
  /**
   * The ids of `text`. Lone surrogates (invalid UTF-16) become U+FFFD first, as TextEncoder does. A
   * char tokenizer throws an {@link NnlabError} naming the first character outside its vocabulary.
   */
  encode(text: string): number[];
  /** The text of `ids`; bytes that do not form valid UTF-8 become U+FFFD. Throws on an id out of range. */
  decode(ids: readonly number[]): string;
  /**
   * The text of one token for display. A byte-level token whose bytes are not whole UTF-8 characters
   * (part of an emoji, say) shows them as `<0xE2>`-style escapes, one per byte.
   */
  piece(id: number): string;
  /** The spec that rebuilds this tokenizer with {@link tokenizerFromSpec}. */
  toJSON(): TokenizerSpec;
}

/** Checks that `id` is a whole number in [0, vocabSize); throws an {@link NnlabError} otherwise. */
export function checkTokenId(tokenizer: { kind: string; vocabSize: number }, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) {
    throw NnlabError.problem({
      subject: `token id ${id}`,
      expected: `a whole number from 0 to ${tokenizer.vocabSize - 1} (the ${tokenizer.kind} tokenizer has ${tokenizer.vocabSize} tokens)`,
      found: String(id),
    });
  }
}

/**
 * The id of one token named by a person: text that encodes to exactly one token, or `#ID`. Otherwise an
 * {@link NnlabError} naming `subject` (a flag or a field) with the tokens the text did encode to.
 */
export function singleToken(tokenizer: Tokenizer, text: string, subject: string): number {
  const m = /^#(\d+)$/.exec(text);
  if (m) {
    const id = Number(m[1]);
    if (id >= tokenizer.vocabSize) throw NnlabError.problem({ subject, expected: `a token id below ${tokenizer.vocabSize}`, found: text });
    return id;
  }
  const ids = tokenizer.encode(text);
  if (ids.length !== 1) {
    throw NnlabError.problem({
      subject: `${subject} ${JSON.stringify(text)}`,
      expected: "text that is exactly one token (or #ID)",
      found: `${ids.length} tokens${ids.length ? ": " : ""}${ids.map((id) => JSON.stringify(tokenizer.piece(id))).join(" ")}`,
      fix: tokenizer.kind === "char" ? "Type one character." : 'GPT-2 words usually carry their leading space, e.g. " king".',
    });
  }
  return ids[0];
}

/**
 * Rebuilds a tokenizer from the spec stored in a checkpoint or a tokenizer file. Every field is checked;
 * a bad one gives an {@link NnlabError} naming `source` (e.g. the file) and the field.
 */
export function tokenizerFromSpec(spec: unknown, source = "tokenizer spec"): Tokenizer {
  const bad = (field: string, expected: string, found: unknown): NnlabError =>
    NnlabError.problem({ subject: `${source}: ${field}`, expected, found: describe(found), fix: "Rewrite it with `nnlab gpt bpe-train` or re-save the model." });
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw bad("tokenizer", "an object with a \"kind\"", spec);
  const s = spec as Record<string, unknown>;
  switch (s.kind) {
    case "char": {
      const chars = s.chars;
      if (!Array.isArray(chars) || chars.length === 0) throw bad("chars", "a non-empty array of single characters", chars);
      const seen = new Set<string>();
      chars.forEach((c, i) => {
        if (typeof c !== "string" || [...c].length !== 1 || !isWellFormed(c)) throw bad(`chars[${i}]`, "one character (code point)", c);
        if (seen.has(c)) throw bad(`chars[${i}]`, "characters that each appear once", JSON.stringify(c) + " twice");
        seen.add(c);
      });
      return new CharTokenizer(chars as string[]);
    }
    case "gpt2":
      return Gpt2Tokenizer.get();
    case "bpe": {
      if (typeof s.pattern !== "string" || !(BPE_PATTERN_NAMES as readonly string[]).includes(s.pattern)) {
        throw bad("pattern", BPE_PATTERN_NAMES.map((n) => JSON.stringify(n)).join(" | "), s.pattern);
      }
      if (!Array.isArray(s.merges)) throw bad("merges", "an array of [a, b] id pairs", s.merges);
      const merges: [number, number][] = [];
      s.merges.forEach((m, i) => {
        const next = 256 + i;
        const ok = Array.isArray(m) && m.length === 2 && m.every((x) => Number.isInteger(x) && x >= 0 && x < next);
        if (!ok) throw bad(`merges[${i}]`, `a pair [a, b] of ids below ${next} (bytes 0–255 or earlier merges)`, m);
        merges.push([m[0] as number, m[1] as number]);
      });
      return new BpeTokenizer(merges, s.pattern as BpePatternName);
    }
    default:
      throw bad("kind", '"char" | "gpt2" | "bpe"', s.kind);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + "..." : text;
}

/** Whether `text` is valid UTF-16 (no lone surrogates). */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** `text` with every lone surrogate replaced by U+FFFD, as TextEncoder and String.prototype.toWellFormed do. */
export function toWellFormed(text: string): string {
  if (isWellFormed(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
      } else out += "\uFFFD";
    } else if (c >= 0xdc00 && c <= 0xdfff) out += "\uFFFD";
    else out += text[i];
  }
  return out;
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true });

/**
 * The display text of a byte-level token: its UTF-8 text, with each byte that is not part of a whole
 * UTF-8 character (half an emoji, say) shown as `<0xAB>`.
 */
export function bytesPiece(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len > 0 && i + len <= bytes.length) {
      try {
        out += utf8Strict.decode(bytes.subarray(i, i + len));
        i += len;
        continue;
      } catch {
        /* not a valid sequence: escape its first byte and go on */
      }
    }
    out += `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
    i++;
  }
  return out;
}
