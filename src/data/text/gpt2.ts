// GPT-2's byte-level BPE tokenizer with GPT-2's own merge ranks, from the npm package js-tiktoken (its
// "lite" entry plus the gpt2 ranks only, so a web bundle carries one 0.5 MB table). Node-free.

import { Tiktoken } from "js-tiktoken/lite";
import gpt2Ranks from "js-tiktoken/ranks/gpt2";
import { bytesPiece, checkTokenId, toWellFormed, type Gpt2TokenizerSpec, type Tokenizer } from "./tokenizer.js";

/** GPT-2's end-of-text token, the one special token (id 50256). */
export const GPT2_EOT = "<|endoftext|>";

/**
 * GPT-2's tokenizer: 50,257 tokens ("Hello world" → [15496, 995]). `<|endoftext|>` in the text is
 * encoded as its special token 50256, as Hugging Face's GPT-2 tokenizer does.
 */
export class Gpt2Tokenizer implements Tokenizer {
  readonly kind = "gpt2";
  readonly vocabSize = 50257;
  private static instance: Gpt2Tokenizer | undefined;
  private readonly tiktoken = new Tiktoken(gpt2Ranks);
  private bytesById: Uint8Array[] | undefined;

  private constructor() {}

  /** The shared instance (building the rank table takes a moment, so it is built once). */
  static get(): Gpt2Tokenizer {
    Gpt2Tokenizer.instance ??= new Gpt2Tokenizer();
    return Gpt2Tokenizer.instance;
  }

  encode(text: string): number[] {
    return this.tiktoken.encode(toWellFormed(text), "all");
  }

  decode(ids: readonly number[]): string {
    for (const id of ids) checkTokenId(this, id);
    return this.tiktoken.decode([...ids]);
  }

  /** The bytes of token `id` (UTF-8 of `<|endoftext|>` for 50256). */
  pieceBytes(id: number): Uint8Array {
    checkTokenId(this, id);
    return this.table()[id];
  }

  piece(id: number): string {
    return bytesPiece(this.pieceBytes(id));
  }

  toJSON(): Gpt2TokenizerSpec {
    return { kind: "gpt2" };
  }

  // js-tiktoken keeps the bytes of each token private, so read them from the same ranks file: lines of
  // "<prefix> <first id> <base64 token> <base64 token> …".
  private table(): Uint8Array[] {
    if (this.bytesById) return this.bytesById;
    const table: Uint8Array[] = new Array(this.vocabSize);
    for (const line of gpt2Ranks.bpe_ranks.split("\n")) {
      if (!line) continue;
      const [, offset, ...tokens] = line.split(" ");
      tokens.forEach((b64, i) => (table[Number(offset) + i] = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))));
    }
    for (const [text, id] of Object.entries(gpt2Ranks.special_tokens)) table[id] = new TextEncoder().encode(text);
    this.bytesById = table;
    return table;
  }
}
