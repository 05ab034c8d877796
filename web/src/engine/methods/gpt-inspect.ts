// Lessons 5–6, the engine side of looking at the current GPT: a prompt's tokens under each tokenizer,
// their embedding vectors, the next-token distribution under temperature / top-k / top-p, sampling token
// by token (streamed, stoppable), the attention pattern of every head, one token's query against every
// key, the logit lens and the geometry of W_E. All of it is the library's math (models/gpt, lab/gpt-*)
// on the current GPT.

import { noGrad, tidy } from "../../../../src/core/engine.js";
import * as ops from "../../../../src/core/ops.js";
import { Rng } from "../../../../src/core/rng.js";
import { trainBpe, type BpeTokenizer } from "../../../../src/data/text/bpe.js";
import { CharTokenizer } from "../../../../src/data/text/char.js";
import { Gpt2Tokenizer } from "../../../../src/data/text/gpt2.js";
import { singleToken, type Tokenizer, type TokenizerKind } from "../../../../src/data/text/tokenizer.js";
import { analogy, differenceDirection, embeddingRow, nearestTokens, projectionExtremes, type EmbeddingTable } from "../../../../src/lab/gpt-embed.js";
import { attentionPatterns, logitLens, queryKeyScores, type QueryKeyScores } from "../../../../src/lab/gpt-inspect.js";
import { generateSteps } from "../../../../src/models/gpt/generate.js";
import { nextTokenProbabilities, topIndices, validateSampling, type SamplingOptions } from "../../../../src/models/gpt/sampling.js";
import type { MethodTable } from "../protocol.js";
import { yieldToMessages } from "./lesson2.js";
import { currentGpt, shakespeare, type CurrentGpt } from "./gpt.js";

/** The tokenizers the tokens view can show: the model's own, or one of the three kinds. */
export type TokenizerChoice = "model" | TokenizerKind;

/** A text as the model reads it: the ids of its last (at most blockSize) tokens. */
export interface Prompt {
  ids: number[];
  pieces: string[];
  /** Tokens dropped from the front to fit the model's context. */
  dropped: number;
}

/** One bar of the next-token chart. */
export interface Candidate {
  id: number;
  piece: string;
  /** The raw logit (before temperature). */
  logit: number;
  /** Probability after temperature, top-k and top-p (what a sample is drawn from). */
  p: number;
}

/** The next-token distribution of a prompt. */
export interface NextToken {
  prompt: Prompt;
  /** The most likely tokens, most likely first. */
  top: Candidate[];
  /** Tokens left with a probability above zero after top-k and top-p. */
  kept: number;
  vocabSize: number;
  version: number;
}

/** A token with its score (a cosine similarity or a projection). */
export interface ScoredPiece {
  id: number;
  piece: string;
  score: number;
}

/** What "gpt.embedSearch" found. */
export interface EmbedSearch {
  /** The tokens asked about, as the tokenizer reads them. */
  query: ScoredPiece[];
  /** Nearest (cosine) or furthest along the direction, best first. */
  top: ScoredPiece[];
  /** For "project": the tokens furthest against the direction. */
  bottom: ScoredPiece[];
}

declare module "../protocol.js" {
  interface EngineMethods {
    /** `text` in tokens: the model's tokenizer, or characters / a BPE trained on the Shakespeare / GPT-2's. */
    "gpt.tokenize": { params: { text: string; tokenizer: TokenizerChoice }; result: { kind: TokenizerKind; vocabSize: number; ids: number[]; pieces: string[]; note: string } };
    /** Each prompt token's row of W_E and of the position embedding: (T, C) each, row-major. */
    "gpt.embeddings": { params: { text: string }; result: { prompt: Prompt; width: number; tokens: Float32Array; positions: Float32Array } };
    /** The next-token distribution after `text`: the `top` most likely tokens with logits and probabilities. */
    "gpt.next": { params: { text: string; top: number } & SamplingOptions; result: NextToken };
    /**
     * Continues `text` by up to `tokens` tokens, one "gpt.token" event each as soon as it is chosen; stops
     * early on a "gpt.stop" for its `run` (the caller's number for this run, counting up). Returns the
     * tokens generated.
     */
    "gpt.sample": { params: { text: string; tokens: number; seed?: number; run: number } & SamplingOptions; result: { ids: number[]; pieces: string[]; text: string; stopped: boolean } };
    /**
     * Stops "gpt.sample" runs numbered up to `run` (answered at once): the one running, or one still
     * waiting in the queue behind other work, which then stops after its first token.
     */
    "gpt.stop": { params: { run: number }; result: { stopped: boolean } };
    /** The attention pattern of every head: patterns[((l·nh + h)·T + t)·T + j] = weight of token j for token t. */
    "gpt.attention": { params: { text: string; causal: boolean; scale: boolean }; result: { prompt: Prompt; nLayer: number; nHead: number; patterns: Float32Array; version: number } };
    /** One token's query in one head against every key: dot products, scores and weights. */
    "gpt.qkv": { params: { text: string; layer: number; head: number; token: number; causal: boolean; scale: boolean }; result: { prompt: Prompt; scores: QueryKeyScores } };
    /** The logit lens: the top `k` tokens of the residual stream after the embeddings and each block, per position. */
    "gpt.lens": { params: { text: string; k: number }; result: { prompt: Prompt; layers: { name: string; top: { piece: string; prob: number }[][] }[] } };
    /**
     * The geometry of W_E: the tokens nearest to `a` (cosine), nearest to a − b + c, or furthest along and
     * against the direction a − b. Each of a, b, c is text that is one token, or #ID.
     */
    "gpt.embedSearch": { params: { mode: "nearest" | "analogy" | "project"; a: string; b?: string; c?: string; k: number }; result: EmbedSearch };
  }
  interface EngineEvents {
    /** A token "gpt.sample" just chose, with its probability under the distribution it was drawn from. */
    "gpt.token": { id: number; piece: string; p: number; index: number };
  }
}

/** How much text the tokens view tokenizes (the prompt box can hold more; the rest is left out). */
const MAX_TOKENIZE_CHARS = 2000;

let bpe: BpeTokenizer | null = null;
/** A byte-level BPE of 512 tokens trained on the embedded Shakespeare (about a second, once). */
async function shakespeareBpe(): Promise<BpeTokenizer> {
  bpe ??= trainBpe(await shakespeare(), { vocabSize: 512 });
  return bpe;
}

let chars: CharTokenizer | null = null;

async function tokenizerFor(choice: TokenizerChoice): Promise<{ tokenizer: Tokenizer; note: string }> {
  switch (choice) {
    case "model": {
      const g = currentGpt();
      return { tokenizer: g.tokenizer, note: `the model's own tokenizer (${g.tokenizer.kind}, ${g.tokenizer.vocabSize.toLocaleString("en-US")} tokens)` };
    }
    case "char":
      chars ??= CharTokenizer.fromText(await shakespeare());
      return { tokenizer: chars, note: `one token per character: the ${chars.vocabSize} characters of the Shakespeare text` };
    case "bpe":
      return { tokenizer: await shakespeareBpe(), note: "a byte-level BPE with 256 merges learned here from the Shakespeare text (512 tokens)" };
    case "gpt2":
      return { tokenizer: Gpt2Tokenizer.get(), note: "GPT-2's own BPE: 50,000 merges learned from web text (50,257 tokens)" };
  }
}

/** `text` in the model's tokens, the last blockSize of them. */
function prompt(g: CurrentGpt, text: string): Prompt {
  const all = g.tokenizer.encode(text);
  if (all.length === 0) throw new Error("the prompt is empty: type some text");
  const dropped = Math.max(0, all.length - g.model.config.blockSize);
  const ids = all.slice(dropped);
  return { ids, pieces: ids.map((id) => g.tokenizer.piece(id)), dropped };
}

/** Logits of the last position, cached for the latest (model version, text): slider drags reuse them. */
let cached: { key: string; logits: Float32Array; prompt: Prompt } | null = null;
function lastLogits(g: CurrentGpt, text: string): { logits: Float32Array; prompt: Prompt } {
  const key = `${g.info.version}\u0000${text}`;
  if (cached?.key === key) return cached;
  const p = prompt(g, text);
  const { model } = g;
  const logits = tidy(() =>
    noGrad(() => {
      const out = model.forward(ops.tensor(Int32Array.from(p.ids), [1, p.ids.length], "int32")); // (1, T, V)
      const [, T, V] = out.shape;
      return ops.reshape(ops.slice(out, [0, T - 1, 0], [1, T, V]), [V]).toArray() as Float32Array;
    }),
  );
  // a vocabulary padded beyond the tokenizer's (nanoGPT's 50,304) has rows no text maps to
  cached = { key, logits: Float32Array.from(logits.subarray(0, g.tokenizer.vocabSize)), prompt: p };
  return cached;
}

/** W_E as a plain table, copied once per model version. */
let table: { version: number; table: EmbeddingTable } | null = null;
function embeddingTable(g: CurrentGpt): EmbeddingTable {
  if (table?.version !== g.info.version) {
    const data = Float32Array.from(g.model.wte.weight.toArray() as Float32Array);
    // only the rows a text can map to (a padded vocabulary's extra rows are never tokens)
    const vocabSize = g.tokenizer.vocabSize;
    table = { version: g.info.version, table: { data: data.subarray(0, vocabSize * g.model.config.nEmbd), vocabSize, width: g.model.config.nEmbd } };
  }
  return table.table;
}

/** The highest run number a "gpt.stop" has asked to stop (runs wait in a queue; a stop does not). */
let stoppedRun = -Infinity;
let sampleRng = new Rng(20240601);

export const gptInspectMethods: MethodTable = {
  async "gpt.tokenize"({ text, tokenizer: choice }) {
    const { tokenizer, note } = await tokenizerFor(choice);
    const ids = tokenizer.encode(text.slice(0, MAX_TOKENIZE_CHARS));
    return { kind: tokenizer.kind, vocabSize: tokenizer.vocabSize, ids, pieces: ids.map((id) => tokenizer.piece(id)), note };
  },

  "gpt.embeddings"({ text }, ctx) {
    const g = currentGpt();
    const p = prompt(g, text);
    const T = p.ids.length;
    const { tokens, positions } = tidy(() =>
      noGrad(() => ({
        tokens: g.model.wte.forward(ops.tensor(Int32Array.from(p.ids), [T], "int32")).toArray() as Float32Array, // (T, C)
        positions: g.model.wpe.forward(ops.tensor(Int32Array.from({ length: T }, (_, t) => t), [T], "int32")).toArray() as Float32Array, // (T, C)
      })),
    );
    const out = { prompt: p, width: g.model.config.nEmbd, tokens: Float32Array.from(tokens), positions: Float32Array.from(positions) };
    ctx.transfer.push(out.tokens.buffer, out.positions.buffer);
    return out;
  },

  "gpt.next"({ text, top, temperature, topK, topP }) {
    const g = currentGpt();
    validateSampling({ temperature, topK, topP });
    const { logits, prompt: p } = lastLogits(g, text);
    const probs = nextTokenProbabilities(logits, { temperature, topK, topP });
    // most likely first by logit (temperature never changes the order); ties: lower id first
    const candidates = topIndices(logits, Math.max(1, top)).map((id) => ({ id, piece: g.tokenizer.piece(id), logit: logits[id], p: probs[id] }));
    let kept = 0;
    for (const v of probs) if (v > 0) kept++;
    return { prompt: p, top: candidates, kept, vocabSize: logits.length, version: g.info.version };
  },

  async "gpt.sample"({ text, tokens, seed, run, temperature, topK, topP }, ctx) {
    const g = currentGpt();
    const p = prompt(g, text);
    if (seed !== undefined) sampleRng = new Rng(seed);
    const stopRequested = () => stoppedRun >= run;
    const ids: number[] = [];
    const steps = generateSteps(g.model, p.ids, { temperature, topK, topP, rng: sampleRng, vocabLimit: g.tokenizer.vocabSize });
    for (const t of steps) {
      ids.push(t.id);
      ctx.emit("gpt.token", { id: t.id, piece: g.tokenizer.piece(t.id), p: t.probs[t.id], index: ids.length - 1 });
      if (ids.length >= tokens || stopRequested()) break;
      await yieldToMessages(); // "gpt.stop" (answered at once) gets in between two tokens
      if (stopRequested() || currentGpt() !== g) break;
    }
    const stopped = ids.length < tokens;
    return { ids, pieces: ids.map((id) => g.tokenizer.piece(id)), text: g.tokenizer.decode(ids), stopped };
  },

  "gpt.stop"({ run }) {
    stoppedRun = Math.max(stoppedRun, run);
    return { stopped: true };
  },

  "gpt.attention"({ text, causal, scale }, ctx) {
    const g = currentGpt();
    const p = prompt(g, text);
    const { patterns } = attentionPatterns(g.model, p.ids, { causal, scale });
    const T = p.ids.length;
    const { nLayer, nHead } = g.model.config;
    const flat = new Float32Array(nLayer * nHead * T * T);
    patterns.forEach((heads, l) => heads.forEach((pattern, h) => flat.set(pattern, (l * nHead + h) * T * T)));
    ctx.transfer.push(flat.buffer);
    return { prompt: p, nLayer, nHead, patterns: flat, version: g.info.version };
  },

  "gpt.qkv"({ text, layer, head, token, causal, scale }) {
    const g = currentGpt();
    const p = prompt(g, text);
    return { prompt: p, scores: queryKeyScores(g.model, p.ids, { layer, head, token: Math.min(token, p.ids.length - 1) }, { causal, scale }) };
  },

  "gpt.lens"({ text, k }) {
    const g = currentGpt();
    const p = prompt(g, text);
    const { layers } = logitLens(g.model, p.ids, k);
    return { prompt: p, layers: layers.map((l) => ({ name: l.name, top: l.top.map((row) => row.map((t) => ({ piece: g.tokenizer.piece(t.id), prob: t.prob }))) })) };
  },

  "gpt.embedSearch"({ mode, a, b, c, k }) {
    const g = currentGpt();
    const t = embeddingTable(g);
    const id = (text: string | undefined, field: string) => singleToken(g.tokenizer, text ?? "", field);
    const named = (list: { id: number; score: number }[]) => list.map((x) => ({ id: x.id, piece: g.tokenizer.piece(x.id), score: x.score }));
    const ia = id(a, "a");
    if (mode === "nearest") return { query: named([{ id: ia, score: 1 }]), top: named(nearestTokens(t, embeddingRow(t, ia), k, [ia])), bottom: [] };
    const ib = id(b, "b");
    if (mode === "project") {
      const { most, least } = projectionExtremes(t, differenceDirection(t, ia, ib), k);
      return { query: named([ia, ib].map((i) => ({ id: i, score: 0 }))), top: named(most), bottom: named(least) };
    }
    const ic = id(c, "c");
    return { query: named([ia, ib, ic].map((i) => ({ id: i, score: 0 }))), top: named(analogy(t, ia, ib, ic, k)), bottom: [] };
  },
};
