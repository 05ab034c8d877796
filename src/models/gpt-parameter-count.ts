// How many parameters a GPT has, matrix by matrix, as lesson 5 tallies GPT-3's 175 billion: counted the
// lesson's way (W_E, W_U and each block's Q, K, V, O and MLP up/down matrices) and in full (plus position
// embeddings, biases and LayerNorms). Plain arithmetic with no imports, so the web lab can use it.

/** The shape of a GPT that decides its parameter count (a GptConfig fits it). */
export interface GptShape {
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads per block. */
  nHead: number;
  /** Width of the residual stream (d_model). */
  nEmbd: number;
  /** Context length (rows of the position embedding). */
  blockSize: number;
  /** Number of tokens. */
  vocabSize: number;
  /** Linear layers and LayerNorms have biases. */
  bias: boolean;
  /** W_U is W_E (GPT-2), so the unembedding adds no parameters of its own. */
  tied: boolean;
}

/** Published shapes: GPT-2's four sizes (Hugging Face's configs) and GPT-3 175B (Brown et al. 2020, table 2.1). */
export const GPT_SHAPES = {
  gpt2: { nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: 50257, bias: true, tied: true },
  "gpt2-medium": { nLayer: 24, nHead: 16, nEmbd: 1024, blockSize: 1024, vocabSize: 50257, bias: true, tied: true },
  "gpt2-large": { nLayer: 36, nHead: 20, nEmbd: 1280, blockSize: 1024, vocabSize: 50257, bias: true, tied: true },
  "gpt2-xl": { nLayer: 48, nHead: 25, nEmbd: 1600, blockSize: 1024, vocabSize: 50257, bias: true, tied: true },
  // GPT-3: 96 layers, width 12,288, 96 heads of 128, GPT-2's 50,257 tokens, context 2,048. The lesson
  // counts the unembedding as a matrix of its own, so this shape is untied.
  gpt3: { nLayer: 96, nHead: 96, nEmbd: 12288, blockSize: 2048, vocabSize: 50257, bias: true, tied: false },
} as const satisfies Record<string, GptShape>;

export type GptShapeName = keyof typeof GPT_SHAPES;

/** One line of the tally: a kind of matrix (or vector), its shape, how many there are and their total. */
export interface TallyRow {
  /** What it is, in the lesson's words, e.g. "Query W_Q". */
  name: string;
  /** Hugging Face GPT-2 parameter names it covers, e.g. "h.N.attn.c_attn.weight (Q third)". */
  hf: string;
  /** Rows × columns of one matrix (one number for a vector). */
  shape: number[];
  /** How many there are: per head and per layer multiplied out. */
  count: number;
  /** shape product × count. */
  parameters: number;
  /** Counted in lesson 5's tally (the matrices). */
  lesson: boolean;
  /** Counted in the full count: false only for a W_U tied to W_E (the same numbers as the embedding). */
  full: boolean;
}

/** The whole tally. */
export interface GptTally {
  rows: TallyRow[];
  /** Lesson 5's total: embedding, unembedding, and per layer Q, K, V, O, MLP up and down (175,181,291,520 for GPT-3). */
  lessonTotal: number;
  /** Every parameter of the model, what `model.parameterCount()` returns. */
  fullTotal: number;
}

/**
 * The tally of a GPT's parameters. Attention is counted per head as in lesson 5 (W_Q, W_K: d_head × d_model
 * each; the value map as V (down to d_head) and O (up to d_model)), which equals the fused
 * `c_attn` (C × 3C) and `c_proj` (C × C) matrices of GPT-2 in total.
 */
export function gptParameterTally(s: GptShape): GptTally {
  const C = s.nEmbd;
  const hs = C / s.nHead;
  const L = s.nLayer;
  const perHead = L * s.nHead;
  const rows: TallyRow[] = [
    { name: "Embedding W_E", hf: "wte.weight", shape: [s.vocabSize, C], count: 1, parameters: 0, lesson: true, full: true },
    { name: "Query W_Q", hf: "h.N.attn.c_attn.weight (first third)", shape: [hs, C], count: perHead, parameters: 0, lesson: true, full: true },
    { name: "Key W_K", hf: "h.N.attn.c_attn.weight (second third)", shape: [hs, C], count: perHead, parameters: 0, lesson: true, full: true },
    { name: "Value down W_V↓", hf: "h.N.attn.c_attn.weight (last third)", shape: [hs, C], count: perHead, parameters: 0, lesson: true, full: true },
    { name: "Output (value up) W_O", hf: "h.N.attn.c_proj.weight", shape: [C, hs], count: perHead, parameters: 0, lesson: true, full: true },
    { name: "MLP up", hf: "h.N.mlp.c_fc.weight", shape: [4 * C, C], count: L, parameters: 0, lesson: true, full: true },
    { name: "MLP down", hf: "h.N.mlp.c_proj.weight", shape: [C, 4 * C], count: L, parameters: 0, lesson: true, full: true },
    // Lesson 5 counts W_U as a matrix of its own even where a model shares it with W_E (GPT-2).
    { name: "Unembedding W_U", hf: s.tied ? "tied to wte.weight" : "lm_head.weight", shape: [s.vocabSize, C], count: 1, parameters: 0, lesson: true, full: !s.tied },
    { name: "Position embedding", hf: "wpe.weight", shape: [s.blockSize, C], count: 1, parameters: 0, lesson: false, full: true },
    { name: "LayerNorm scales", hf: "h.N.ln_1/ln_2.weight, ln_f.weight", shape: [C], count: 2 * L + 1, parameters: 0, lesson: false, full: true },
  ];
  if (s.bias) {
    rows.push(
      { name: "LayerNorm shifts", hf: "h.N.ln_1/ln_2.bias, ln_f.bias", shape: [C], count: 2 * L + 1, parameters: 0, lesson: false, full: true },
      { name: "Q, K, V biases", hf: "h.N.attn.c_attn.bias", shape: [3 * C], count: L, parameters: 0, lesson: false, full: true },
      { name: "Output bias", hf: "h.N.attn.c_proj.bias", shape: [C], count: L, parameters: 0, lesson: false, full: true },
      { name: "MLP up bias", hf: "h.N.mlp.c_fc.bias", shape: [4 * C], count: L, parameters: 0, lesson: false, full: true },
      { name: "MLP down bias", hf: "h.N.mlp.c_proj.bias", shape: [C], count: L, parameters: 0, lesson: false, full: true },
    );
  }
  let lessonTotal = 0;
  let fullTotal = 0;
  for (const r of rows) {
    r.parameters = r.shape.reduce((a, b) => a * b, 1) * r.count;
    if (r.full) fullTotal += r.parameters;
    if (r.lesson) lessonTotal += r.parameters;
  }
  return { rows, lessonTotal, fullTotal };
}
