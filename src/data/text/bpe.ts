// A byte-level BPE tokenizer of our own and its trainer: start from the 256 bytes and repeatedly merge
// the most frequent adjacent pair into a new token, which is how GPT-2's tokens came about (lesson 5).
// Text is first split into chunks by GPT-2's pattern, so merges never cross a word boundary. Node-free.

import { NnlabError } from "../../core/errors.js";
import { bytesPiece, checkTokenId, toWellFormed, type BpeTokenizerSpec, type Tokenizer } from "./tokenizer.js";

/** GPT-2's chunking pattern: contractions, words with their leading space, numbers, punctuation, spaces. */
export const GPT2_SPLIT_PATTERN = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/** Names of the chunking patterns a BPE spec may use. */
export const BPE_PATTERN_NAMES = ["gpt2"] as const;
export type BpePatternName = (typeof BPE_PATTERN_NAMES)[number];

const PATTERNS: Record<BpePatternName, string> = { gpt2: GPT2_SPLIT_PATTERN };

/** Key of the pair (a, b) in maps; ids stay far below 2²¹. */
const pairKey = (a: number, b: number): number => a * 2097152 + b;

const encoder = new TextEncoder();

/** The chunks of `text` under `pattern` (text made well-formed first). */
function chunks(text: string, pattern: BpePatternName): string[] {
  return toWellFormed(text).match(new RegExp(PATTERNS[pattern], "gu")) ?? [];
}

/** Replaces every (a, b) in `ids` with `id`, left to right. */
function mergePair(ids: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(ids[i]);
  }
  return out;
}

/** A byte-level BPE: ids 0–255 are bytes, id 256 + i is `merges[i]` joined. */
export class BpeTokenizer implements Tokenizer {
  readonly kind = "bpe";
  readonly vocabSize: number;
  readonly merges: readonly (readonly [number, number])[];
  readonly pattern: BpePatternName;
  private readonly ranks = new Map<number, number>();
  private readonly bytes: Uint8Array[] = [];
  private readonly cache = new Map<string, number[]>();

  /** A tokenizer with these merges (check them with tokenizerFromSpec when they come from a file). */
  constructor(merges: readonly (readonly [number, number])[], pattern: BpePatternName = "gpt2") {
    this.merges = merges.map(([a, b]) => [a, b] as const);
    this.pattern = pattern;
    this.vocabSize = 256 + merges.length;
    for (let b = 0; b < 256; b++) this.bytes.push(Uint8Array.of(b));
    merges.forEach(([a, b], i) => {
      this.ranks.set(pairKey(a, b), i);
      const joined = new Uint8Array(this.bytes[a].length + this.bytes[b].length);
      joined.set(this.bytes[a]);
      joined.set(this.bytes[b], this.bytes[a].length);
      this.bytes.push(joined);
    });
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const chunk of chunks(text, this.pattern)) {
      let ids = this.cache.get(chunk);
      if (!ids) {
        ids = this.encodeChunk(chunk);
        if (this.cache.size > 100_000) this.cache.clear();
        this.cache.set(chunk, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  // Apply the earliest-learned merge present, again and again, as training did.
  private encodeChunk(chunk: string): number[] {
    let ids = Array.from(encoder.encode(chunk));
    while (ids.length >= 2) {
      let best = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const rank = this.ranks.get(pairKey(ids[i], ids[i + 1]));
        if (rank !== undefined && (best < 0 || rank < best)) best = rank;
      }
      if (best < 0) break;
      const [a, b] = this.merges[best];
      ids = mergePair(ids, a, b, 256 + best);
    }
    return ids;
  }

  decode(ids: readonly number[]): string {
    const parts: Uint8Array[] = [];
    let length = 0;
    for (const id of ids) {
      checkTokenId(this, id);
      parts.push(this.bytes[id]);
      length += this.bytes[id].length;
    }
    const all = new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return new TextDecoder().decode(all);
  }

  /** The bytes of token `id`. */
  pieceBytes(id: number): Uint8Array {
    checkTokenId(this, id);
    return this.bytes[id];
  }

  piece(id: number): string {
    return bytesPiece(this.pieceBytes(id));
  }

  toJSON(): BpeTokenizerSpec {
    return { kind: "bpe", pattern: this.pattern, merges: this.merges.map(([a, b]) => [a, b]) };
  }
}

/** Options of {@link trainBpe}. */
export interface TrainBpeOptions {
  /** Vocabulary size to reach: 256 bytes + (vocabSize − 256) merges. */
  vocabSize: number;
  pattern?: BpePatternName;
  /** Called after each merge with the number of merges done and to do. */
  onMerge?: (done: number, total: number) => void;
}

/**
 * Learns merges from `text`: count every adjacent pair of ids inside each chunk (weighted by how often
 * the chunk occurs), merge the most frequent pair (ties: the smallest ids) into a new id, repeat. Stops
 * early when no pair occurs twice, so the result may have fewer than `vocabSize` tokens.
 */
export function trainBpe(text: string, options: TrainBpeOptions): BpeTokenizer {
  const { vocabSize, pattern = "gpt2" } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 256 || vocabSize > 1_000_000) {
    throw NnlabError.problem({ subject: "BPE vocabulary size", expected: "a whole number from 256 (the bytes) to 1,000,000", found: String(vocabSize) });
  }
  // Distinct chunks with their counts: merging works on these, not on the whole text.
  const counts = new Map<string, number>();
  for (const c of chunks(text, pattern)) counts.set(c, (counts.get(c) ?? 0) + 1);
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [c, n] of counts) {
    words.push(Array.from(encoder.encode(c)));
    freq.push(n);
  }
  const pairs = new Map<number, number>();
  const addPairs = (ids: number[], n: number): void => {
    for (let i = 0; i + 1 < ids.length; i++) {
      const k = pairKey(ids[i], ids[i + 1]);
      pairs.set(k, (pairs.get(k) ?? 0) + n);
    }
  };
  words.forEach((w, i) => addPairs(w, freq[i]));

  const merges: [number, number][] = [];
  const total = vocabSize - 256;
  while (merges.length < total) {
    let bestKey = -1;
    let bestCount = 1;
    for (const [k, n] of pairs) if (n > bestCount || (n === bestCount && bestKey >= 0 && k < bestKey)) [bestKey, bestCount] = [k, n];
    if (bestKey < 0) break;
    const a = Math.floor(bestKey / 2097152);
    const b = bestKey - a * 2097152;
    const id = 256 + merges.length;
    merges.push([a, b]);
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      let has = false;
      for (let j = 0; j + 1 < w.length; j++) if (w[j] === a && w[j + 1] === b) has = true;
      if (!has) continue;
      addPairs(w, -freq[i]);
      words[i] = mergePair(w, a, b, id);
      addPairs(words[i], freq[i]);
    }
    for (const [k, n] of pairs) if (n === 0) pairs.delete(k);
    options.onMerge?.(merges.length, total);
  }
  return new BpeTokenizer(merges, pattern);
}
