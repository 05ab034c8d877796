// The text part of the data layer in one Node-free import (tokenizers, corpus checks and splits), so
// the web lab bundles it; Node file reading is in corpus-file.ts and tokenizer-file.ts.

export { checkTokenId, singleToken, isWellFormed, toWellFormed, bytesPiece, tokenizerFromSpec } from "./tokenizer.js";
export type { Tokenizer, TokenizerKind, TokenizerSpec, CharTokenizerSpec, Gpt2TokenizerSpec, BpeTokenizerSpec } from "./tokenizer.js";
export { CharTokenizer } from "./char.js";
export { Gpt2Tokenizer, GPT2_EOT } from "./gpt2.js";
export { BpeTokenizer, trainBpe, GPT2_SPLIT_PATTERN, BPE_PATTERN_NAMES, type BpePatternName, type TrainBpeOptions } from "./bpe.js";
export { EMBEDDED_CORPUS, cleanGutenbergText, joinCorpus, splitTrainVal, checkBlockFits, corpusTextFromBytes, firstInvalidUtf8, type TrainValSplit } from "./corpus.js";
