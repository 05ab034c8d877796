// The character tokenizer of nanoGPT's Shakespeare char model: one token per distinct character of the
// training text, ids in code-point order. Node-free.

import { NnlabError } from "../../core/errors.js";
import { checkTokenId, toWellFormed, type CharTokenizerSpec, type Tokenizer } from "./tokenizer.js";

/** One token per character (Unicode code point); ids follow the sorted order of the characters. */
export class CharTokenizer implements Tokenizer {
  readonly kind = "char";
  readonly vocabSize: number;
  /** id → character. */
  readonly chars: readonly string[];
  private readonly ids = new Map<string, number>();

  /** A tokenizer over exactly these characters, id i being `chars[i]`. Use {@link fromText} to build one from a corpus. */
  constructor(chars: readonly string[]) {
    this.chars = [...chars];
    this.vocabSize = chars.length;
    this.chars.forEach((c, i) => this.ids.set(c, i));
  }

  /**
   * The vocabulary of `text`: its distinct code points sorted by code point, as nanoGPT's
   * `sorted(list(set(data)))`. Lone surrogates count as U+FFFD.
   */
  static fromText(text: string): CharTokenizer {
    const set = new Set(toWellFormed(text));
    return new CharTokenizer([...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  /** The ids of `text`; throws an {@link NnlabError} naming the first character the vocabulary lacks. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const c of toWellFormed(text)) {
      const id = this.ids.get(c);
      if (id === undefined) {
        const code = "U+" + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
        throw NnlabError.problem({
          subject: `character ${JSON.stringify(c)} (${code})`,
          expected: `one of the ${this.vocabSize} characters of the char tokenizer's training text`,
          found: `it at position ${out.length} of the text`,
          fix: "Leave it out, or train on text that contains it.",
        });
      }
      out.push(id);
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    let out = "";
    for (const id of ids) {
      checkTokenId(this, id);
      out += this.chars[id];
    }
    return out;
  }

  piece(id: number): string {
    checkTokenId(this, id);
    return this.chars[id];
  }

  toJSON(): CharTokenizerSpec {
    return { kind: "char", chars: [...this.chars] };
  }
}
