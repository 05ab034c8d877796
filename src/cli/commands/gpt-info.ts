// `nnlab gpt info`: a GPT's parameters matrix by matrix, as lesson 5 tallies GPT-3's 175 billion, for
// a published shape (--config gpt3) or a model directory's config.json (--model DIR).

import { join } from "node:path";
import { NnlabError } from "../../core/errors.js";
import { expectObject, readJsonFile } from "../../io/json.js";
import { GPT_SHAPES, gptParameterTally, type GptShape, type GptShapeName } from "../../models/gpt-parameter-count.js";
import { choiceFlag } from "../args.js";
import { defineCommand } from "../command.js";
import { gptModelOption, resolveModelFlag } from "./hub-model.js";

const n = (x: number): string => x.toLocaleString("en-US");

/** The shape in a Hugging Face GPT-2 config.json (and nnlab's "nnlab" section for bias). */
export async function readGptShape(dir: string): Promise<GptShape> {
  const file = join(dir, "config.json");
  const raw = expectObject(await readJsonFile(file, "a GPT-2 config.json"), file);
  const num = (key: string, fallback?: string): number => {
    const v = raw[key] ?? (fallback !== undefined ? raw[fallback] : undefined);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw NnlabError.problem({ subject: `${file}: ${key}`, expected: "a positive whole number (a GPT-2 config.json)", found: JSON.stringify(v) ?? "nothing" });
    }
    return v;
  };
  const nnlab = typeof raw.nnlab === "object" && raw.nnlab !== null ? (raw.nnlab as Record<string, unknown>) : {};
  const shape: GptShape = {
    nLayer: num("n_layer"),
    nHead: num("n_head"),
    nEmbd: num("n_embd"),
    blockSize: num("n_positions", "n_ctx"),
    vocabSize: num("vocab_size"),
    bias: nnlab.bias !== false,
    tied: raw.tie_word_embeddings !== false,
  };
  if (shape.nEmbd % shape.nHead !== 0) {
    throw NnlabError.problem({ subject: `${file}: n_embd`, expected: `a multiple of n_head (${shape.nHead})`, found: String(shape.nEmbd) });
  }
  return shape;
}

export const gptInfoCommand = defineCommand({
  name: "gpt info",
  summary: "A GPT's parameters matrix by matrix, counted as lesson 5 counts GPT-3's 175 billion",
  spec: {
    description:
      "Tallies embedding, per-block Q/K/V/O, MLP up/down and unembedding (lesson 5's count), then position embeddings, biases and LayerNorms (the full count). --config names a published shape; --model reads a model directory's config.json.",
    options: [
      { name: "config", type: "string", valueName: "NAME", description: `A published shape: ${Object.keys(GPT_SHAPES).join(" | ")}`, defaultText: "none: give --config or --model" },
      { ...gptModelOption, defaultText: "none: give --config or --model" },
    ],
  },
  examples: ["gpt info --config gpt3", "gpt info --model runs/gpt-tiny --json", "gpt info --model gpt2"],
  async run(args, ctx) {
    const { config: name, model } = args.options;
    if ((name === undefined) === (model === undefined)) {
      throw NnlabError.problem({ subject: "gpt info", expected: "one of --config NAME or --model DIR", found: name === undefined ? "neither" : "both", fix: "e.g. `nnlab gpt info --config gpt3`." });
    }
    const shape = name !== undefined ? GPT_SHAPES[choiceFlag("config", name, Object.keys(GPT_SHAPES) as GptShapeName[])] : await readGptShape(await resolveModelFlag(model!, ctx));
    const tally = gptParameterTally(shape);
    const hs = shape.nEmbd / shape.nHead;
    ctx.print(`${name ?? model}: ${shape.nLayer} layers, width ${n(shape.nEmbd)}, ${shape.nHead} heads of ${hs}, vocabulary ${n(shape.vocabSize)}, context ${n(shape.blockSize)}${shape.tied ? ", W_U tied to W_E" : ""}${shape.bias ? "" : ", no biases"}`);
    const rowText = (label: string, shapeText: string, count: string, params: string): string => `  ${label.padEnd(24)}${shapeText.padStart(17)}${count.padStart(9)}${params.padStart(19)}`;
    ctx.print(rowText("matrix", "shape", "count", "parameters"));
    const line = (r: (typeof tally.rows)[number]): void =>
      ctx.print(rowText(r.name, r.shape.map(n).join(" × "), n(r.count), n(r.parameters)) + (r.full ? "" : "  (shared with W_E)"));
    for (const r of tally.rows.filter((r) => r.lesson)) line(r);
    ctx.print(rowText("lesson 5's total", "", "", n(tally.lessonTotal)));
    for (const r of tally.rows.filter((r) => !r.lesson)) line(r);
    ctx.print(rowText("full count", "", "", n(tally.fullTotal)));
    ctx.result({
      config: name ?? null,
      model_dir: model ?? null,
      shape: { n_layer: shape.nLayer, n_head: shape.nHead, n_embd: shape.nEmbd, head_size: hs, block_size: shape.blockSize, vocab_size: shape.vocabSize, bias: shape.bias, tied: shape.tied },
      rows: tally.rows,
      lesson_total: tally.lessonTotal,
      full_total: tally.fullTotal,
    });
  },
});
