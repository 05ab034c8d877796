// `nnlab gpt attention`, `nnlab gpt lens` and `nnlab gpt embed`: look inside a GPT (lessons 5–6). The
// numbers come from the model's own forward pass (src/lab/gpt-inspect.ts) and its own W_E.

import { join } from "node:path";
import { NnlabError } from "../../core/errors.js";
import { singleToken, type Tokenizer } from "../../data/text/tokenizer.js";
import { ensureDir, writeFilesAtomic } from "../../io/atomic.js";
import { heatmapSvg } from "../../lab/figures.js";
import { analogy, differenceDirection, embeddingRow, nearestTokens, projectionExtremes, type EmbeddingTable, type ScoredToken } from "../../lab/gpt-embed.js";
import { attentionPatterns, logitLens } from "../../lab/gpt-inspect.js";
import { tokenizerForGpt } from "../../train/gpt-bytes.js";
import type { LoadedGpt } from "../../train/gpt-checkpoint.js";
import { intFlag } from "../args.js";
import { defineCommand } from "../command.js";
import { gptModelOption, loadGptModelFlag } from "./gpt-shared.js";
import { backendOption, required, startBackend } from "./shared.js";

/** The tokenizer a model was trained with (config.json's nnlab.tokenizer), else GPT-2's for a GPT-2 vocabulary. */
export function modelTokenizer(loaded: LoadedGpt): Tokenizer {
  return tokenizerForGpt(loaded.config, loaded.nnlab, join(loaded.dir, "config.json"));
}

/** The ids of --text, checked against the model's context. */
function textIds(text: string | undefined, tokenizer: Tokenizer, loaded: LoadedGpt): number[] {
  const ids = tokenizer.encode(required("text", text, "the text to run the model on"));
  if (ids.length === 0) throw NnlabError.problem({ subject: "--text", expected: "at least one token", found: "none" });
  if (ids.length > loaded.config.blockSize) {
    throw NnlabError.problem({ subject: "--text", expected: `at most ${loaded.config.blockSize} tokens (the model's context)`, found: `${ids.length}`, fix: "Pass a shorter text." });
  }
  return ids;
}

function indexFlag(name: string, value: string | undefined, count: number): number | undefined {
  return value === undefined ? undefined : intFlag(name, value, { min: 0, max: count - 1 });
}

const show = (s: string): string => JSON.stringify(s);
/** A token as an axis label: spaces and line ends made visible. */
const label = (s: string): string => s.replace(/ /g, "␣").replace(/\n/g, "↵");

export const gptAttentionCommand = defineCommand({
  name: "gpt attention",
  summary: "Attention patterns of every head for a text: heat maps (SVG) and JSON",
  spec: {
    description:
      "Runs the model on --text and writes, per head, a heat map with the tokens on both axes (row: the attending token, its query; column: the attended token, its key) and attention.json with every pattern. --no-mask and --no-scale show what the causal mask and 1/√d_k change.",
    options: [
      gptModelOption,
      { name: "text", type: "string", valueName: "TEXT", required: true, description: "The text whose tokens attend to each other" },
      { name: "layer", type: "string", valueName: "L", description: "Only block L (0-based)", defaultText: "all" },
      { name: "head", type: "string", valueName: "H", description: "Only head H (0-based)", defaultText: "all" },
      { name: "out", type: "string", valueName: "DIR", required: true, description: "Directory for the heat maps and attention.json" },
      { name: "no-mask", type: "boolean", description: "Let every token see the future too (no causal mask)" },
      { name: "no-scale", type: "boolean", description: "Leave out the 1/√d_k scaling of the scores" },
      backendOption,
    ],
  },
  examples: ['gpt attention --model runs/gpt-tiny --text "ROMEO: what" --out runs/attn', 'gpt attention --model gpt2 --text "The cat sat on the mat" --layer 5 --head 1 --out runs/attn-gpt2'],
  async run(args, ctx) {
    const out = required("out", args.options.out, "a directory for the heat maps");
    await startBackend(args.options.backend);
    const loaded = await loadGptModelFlag(args.options.model, ctx);
    const tokenizer = modelTokenizer(loaded);
    const ids = textIds(args.options.text, tokenizer, loaded);
    const only = { layer: indexFlag("layer", args.options.layer, loaded.config.nLayer), head: indexFlag("head", args.options.head, loaded.config.nHead) };
    const result = attentionPatterns(loaded.model, ids, { causal: !args.options["no-mask"], scale: !args.options["no-scale"] });
    const pieces = ids.map((id) => tokenizer.piece(id));
    const T = ids.length;
    const files: Record<string, string> = {};
    const layers: { layer: number; heads: { head: number; pattern: number[][] }[] }[] = [];
    const variant = `${result.causal ? "" : ", no mask"}${result.scale ? "" : ", no 1/√d_k"}`;
    for (let l = 0; l < result.patterns.length; l++) {
      if (only.layer !== undefined && l !== only.layer) continue;
      const heads: { head: number; pattern: number[][] }[] = [];
      for (let h = 0; h < result.patterns[l].length; h++) {
        if (only.head !== undefined && h !== only.head) continue;
        const p = result.patterns[l][h];
        const matrix = Array.from({ length: T }, (_, t) => Array.from(p.subarray(t * T, (t + 1) * T)));
        heads.push({ head: h, pattern: matrix });
        files[`attention-L${l}-H${h}.svg`] = await heatmapSvg(`block ${l}, head ${h}${variant}`, matrix, "query (attending token)", "key (attended token)", T <= 16, {
          rows: pieces.map(label),
          cols: pieces.map(label),
          domain: [0, 1],
          format: ".2f",
        });
        // the strongest link of the last token: what the head moves into the final position
        const last = matrix[T - 1];
        const k = last.indexOf(Math.max(...last));
        ctx.print(`block ${l} head ${h}: last token ${show(pieces[T - 1])} attends most to ${show(pieces[k])} (position ${k}, ${last[k].toFixed(2)})`);
      }
      layers.push({ layer: l, heads });
    }
    const json = { tokens: ids, pieces, causal: result.causal, scale: result.scale, layers };
    files["attention.json"] = JSON.stringify(json) + "\n";
    await ensureDir(out);
    await writeFilesAtomic(out, files);
    ctx.print(`${Object.keys(files).length - 1} heat maps and attention.json → ${out}`);
    ctx.result({ out, tokens: ids, pieces, causal: result.causal, scale: result.scale, files: Object.keys(files).sort() });
  },
});

export const gptLensCommand = defineCommand({
  name: "gpt lens",
  summary: "The logit lens: the residual stream after every block unembedded into its top tokens",
  spec: {
    description:
      "Runs the model on --text, takes the residual stream after the embeddings and after each block, and unembeds it with the model's own final LayerNorm and W_U, as if the model stopped there. Prints the top token per layer and position; --json has the top --top tokens with probabilities.",
    options: [
      gptModelOption,
      { name: "text", type: "string", valueName: "TEXT", required: true, description: "The text to run the model on" },
      { name: "top", type: "string", default: "5", valueName: "K", description: "Tokens per position and layer in --json (the table shows the first)" },
      backendOption,
    ],
  },
  examples: ['gpt lens --model runs/gpt-tiny --text "ROMEO:"', 'gpt lens --model gpt2 --text "The Eiffel Tower is in the city of" --json'],
  async run(args, ctx) {
    const k = intFlag("top", args.options.top, { min: 1, max: 100 });
    await startBackend(args.options.backend);
    const loaded = await loadGptModelFlag(args.options.model, ctx);
    const tokenizer = modelTokenizer(loaded);
    const ids = textIds(args.options.text, tokenizer, loaded);
    const { layers } = logitLens(loaded.model, ids, k);
    const pieces = ids.map((id) => tokenizer.piece(id));
    const width = Math.max(14, ...pieces.map((p) => show(p).length + 2));
    ctx.print(`${"".padEnd(12)}${pieces.map((p) => show(p).padEnd(width)).join("")}`);
    for (const layer of layers) {
      ctx.print(`${layer.name.padEnd(12)}${layer.top.map((top) => `${show(tokenizer.piece(top[0].id))} ${top[0].prob.toFixed(2)}`.padEnd(width)).join("")}`);
    }
    ctx.result({
      tokens: ids,
      pieces,
      layers: layers.map((l) => ({ name: l.name, top: l.top.map((row) => row.map((t) => ({ id: t.id, piece: tokenizer.piece(t.id), logit: t.logit, prob: t.prob }))) })),
    });
  },
});

/** One token named on the command line: text that is exactly one token, or `#ID`. */
const oneToken = (flag: string, value: string, tokenizer: Tokenizer): number => singleToken(tokenizer, value, flag);

export const gptEmbedCommand = defineCommand({
  name: "gpt embed",
  summary: "Token embeddings: nearest tokens by cosine, analogies a − b + c, projections onto a direction",
  spec: {
    description:
      "Works on the model's W_E. --nearest TOKEN lists the tokens whose embeddings point most nearly the same way; --analogy A,B,C the nearest to W_E[A] − W_E[B] + W_E[C]; --project A,B ranks all tokens by their projection onto W_E[A] − W_E[B]. A token is text that encodes to exactly one token, or #ID.",
    options: [
      gptModelOption,
      { name: "nearest", type: "string", valueName: "TOKEN", description: "Nearest tokens to this one", defaultText: "none (give --nearest, --analogy or --project)" },
      { name: "analogy", type: "string", valueName: "A,B,C", description: "Nearest tokens to A − B + C (king,man,woman)", defaultText: "none (give --nearest, --analogy or --project)" },
      { name: "project", type: "string", valueName: "A,B", description: "Tokens furthest along and against A − B", defaultText: "none (give --nearest, --analogy or --project)" },
      { name: "top", type: "string", default: "10", valueName: "K", description: "How many tokens to list" },
      backendOption,
    ],
  },
  examples: ['gpt embed --model gpt2 --nearest " king"', 'gpt embed --model gpt2 --analogy " king, man, woman"', "gpt embed --model runs/gpt-tiny --project a,e"],
  async run(args, ctx) {
    const k = intFlag("top", args.options.top, { min: 1, max: 1000 });
    const { nearest, analogy: analogyArg, project } = args.options;
    if (nearest === undefined && analogyArg === undefined && project === undefined) {
      throw NnlabError.problem({ subject: "gpt embed", expected: "--nearest TOKEN, --analogy A,B,C or --project A,B", found: "none of them" });
    }
    await startBackend(args.options.backend);
    const loaded = await loadGptModelFlag(args.options.model, ctx);
    const tokenizer = modelTokenizer(loaded);
    const table: EmbeddingTable = { data: Float32Array.from(loaded.model.wte.weight.toArray() as Float32Array), vocabSize: loaded.config.vocabSize, width: loaded.config.nEmbd };
    const list = (flag: string, value: string, n: number): number[] => {
      const parts = value.split(",");
      if (parts.length !== n) throw NnlabError.problem({ subject: flag, expected: `${n} tokens separated by commas`, found: show(value) });
      return parts.map((p) => oneToken(flag, p, tokenizer));
    };
    const named = (tokens: ScoredToken[]) => tokens.map((t) => ({ id: t.id, piece: tokenizer.piece(t.id), score: t.score }));
    const printList = (title: string, tokens: ScoredToken[]) => {
      ctx.print(title);
      for (const t of tokens) ctx.print(`  ${t.score.toFixed(4).padStart(9)}  ${show(tokenizer.piece(t.id))}  (#${t.id})`);
    };
    const result: Record<string, unknown> = {};
    if (nearest !== undefined) {
      const id = oneToken("--nearest", nearest, tokenizer);
      const top = nearestTokens(table, embeddingRow(table, id), k, [id]);
      printList(`nearest to ${show(tokenizer.piece(id))} by cosine similarity:`, top);
      result.nearest = { token: id, piece: tokenizer.piece(id), top: named(top) };
    }
    if (analogyArg !== undefined) {
      const [a, b, c] = list("--analogy", analogyArg, 3);
      const top = analogy(table, a, b, c, k);
      printList(`${show(tokenizer.piece(a))} − ${show(tokenizer.piece(b))} + ${show(tokenizer.piece(c))} ≈ (cosine):`, top);
      result.analogy = { tokens: [a, b, c], pieces: [a, b, c].map((i) => tokenizer.piece(i)), top: named(top) };
    }
    if (project !== undefined) {
      const [a, b] = list("--project", project, 2);
      const { most, least } = projectionExtremes(table, differenceDirection(table, a, b), k);
      printList(`furthest along ${show(tokenizer.piece(a))} − ${show(tokenizer.piece(b))}:`, most);
      printList(`furthest against it:`, least);
      result.project = { tokens: [a, b], pieces: [a, b].map((i) => tokenizer.piece(i)), most: named(most), least: named(least) };
    }
    ctx.result(result);
  },
});

export const gptInspectCommands = [gptAttentionCommand, gptLensCommand, gptEmbedCommand];
