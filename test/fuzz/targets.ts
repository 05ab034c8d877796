// Every parser of files a user hands nnlab, as a fuzz target: a name, its valid seed inputs, hostile
// inputs built from them, and how many bytes of result an input may justify. Shared by the bounded
// fuzz in `npm test` (test/fuzz/fuzz.test.ts) and the long one in `npm run fuzz` (scripts/fuzz.mjs).

import fc from "fast-check";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { parseIdx } from "../../src/data/idx.js";
import { decodePng, encodePng } from "../../src/data/png.js";
import { parseJsonText } from "../../src/io/json.js";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { parseReferenceFile } from "../../src/selftest/reference.js";
import { loadRunConfig } from "../../src/train/checkpoint.js";
import { makeConfig, validateTrainConfig, type MnistTrainConfig } from "../../src/train/config.js";
import { trainBpe } from "../../src/data/text/bpe.js";
import { CharTokenizer } from "../../src/data/text/char.js";
import { tokenizerFromSpec } from "../../src/data/text/tokenizer.js";
import { gptConfigFromHf, hfConfigFromGpt, type GptConfig } from "../../src/models/gpt/config.js";
import { GPT_RUN_FILES, loadGptRunConfig } from "../../src/train/gpt-checkpoint.js";
import { makeGptConfig } from "../../src/train/gpt-config.js";
import { idxBytes, pngChunk } from "../data/helpers.js";
import { editedJson, fixPngCrcs, hostileBytes } from "./inputs.js";

/** One parser under fuzz. */
export interface FuzzTarget<T = unknown> {
  name: string;
  /** Hostile inputs. */
  inputs: fc.Arbitrary<T>;
  /** Parses one input; may throw only an NnlabError. `scratch` is a folder of its own for file-based targets. */
  parse(input: T, scratch: string): unknown;
  /** Size of an input in bytes, for the allocation bound. */
  size(input: T): number;
  /** Bytes of typed-array data in a result (0 for plain objects). */
  resultBytes(result: unknown): number;
  /** Most result bytes an input of `n` bytes may justify. */
  justified(n: number): number;
  /** A defect this target finds that another change is fixing: the test runs as a `todo` until then. */
  knownDefect?: string;
}

const noData = () => 0;

// ---- IDX (MNIST) ----------------------------------------------------------------------------------------

const idx = (code: number, dims: number[], payload: ArrayLike<number>) => idxBytes(code, dims, Uint8Array.from(payload));

const IDX_SEEDS = [
  idx(0x08, [3, 2, 2], Array.from({ length: 12 }, (_, i) => i * 20)), // images
  idx(0x08, [5], [0, 1, 2, 3, 4]), // labels
  idx(0x0b, [2, 2], new Uint8Array(8).fill(1)), // int16
  idx(0x0d, [2], new Uint8Array(new Float32Array([0.5, -2]).buffer).reverse()), // float32
  idx(0x0e, [1], new Uint8Array(8)), // float64
];

const idxTarget: FuzzTarget<Uint8Array> = {
  name: "IDX (src/data/idx.ts parseIdx)",
  inputs: hostileBytes(IDX_SEEDS),
  parse: (bytes) => parseIdx(bytes, "fuzz.idx"),
  size: (b) => b.length,
  resultBytes: (r) => (r as { data: ArrayBufferView }).data.byteLength,
  justified: (n) => n, // elements are the file's bytes (widened types copy no more than they read)
};

// ---- PNG ------------------------------------------------------------------------------------------------

function pngjs(width: number, height: number, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16 = 8): Uint8Array {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 37) & 255;
  return PNG.sync.write(png, { colorType, bitDepth, inputHasAlpha: true });
}

const chunk = pngChunk;

/** A 2-bit palette image, interlaced (Adam7) when asked: the formats pngjs cannot write. */
function palettePng(interlace: 0 | 1): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 9);
  new DataView(ihdr.buffer).setUint32(4, 9);
  ihdr.set([2, 3, 0, 0, interlace], 8);
  // Adam7 of 9×9 has more, shorter rows than plain; 120 bytes covers both (extra data is ignored).
  const raw = new Uint8Array(120).map((_, i) => (i % 4 === 0 ? 0 : (i * 29) & 255));
  return Buffer.concat([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("PLTE", Uint8Array.of(0, 0, 0, 255, 255, 255, 128, 128, 128, 10, 200, 30)),
    chunk("tRNS", Uint8Array.of(255, 0)),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

const PNG_SEEDS = [
  encodePng(Float32Array.from({ length: 48 }, (_, i) => i / 47), 8, 6),
  pngjs(5, 4, 2),
  pngjs(3, 3, 6),
  pngjs(4, 2, 4),
  pngjs(3, 2, 0, 16),
  palettePng(0),
  palettePng(1),
];

const pngTarget: FuzzTarget<Uint8Array> = {
  name: "PNG (src/data/png.ts decodePng)",
  inputs: hostileBytes(PNG_SEEDS, fixPngCrcs),
  parse: (bytes) => decodePng(bytes, "fuzz.png"),
  size: (b) => b.length,
  resultBytes: (r) => (r as { pixels: Float32Array }).pixels.byteLength,
  // deflate packs at most 1032 bytes into one; a byte is at most 8 one-bit pixels; a pixel is 4 float bytes.
  justified: (n) => n * 1032 * 8 * 4,
};

// ---- safetensors -----------------------------------------------------------------------------------------

const SAFETENSORS_SEEDS = [
  encodeSafetensors({ "layers.0.weight": { dtype: "F32", shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) }, "layers.0.bias": { dtype: "F32", shape: [2], data: Float32Array.of(0.5, -0.5) } }, { format: "nnlab-mnist-mlp" }),
  encodeSafetensors({ ids: { dtype: "I64", shape: [3], data: BigInt64Array.of(1n, 2n, 3n) }, mask: { dtype: "U8", shape: [2, 2], data: Uint8Array.of(1, 0, 0, 1) } }),
  encodeSafetensors({ x: { dtype: "F64", shape: [], data: Float64Array.of(3.5) }, y: { dtype: "I32", shape: [0], data: new Int32Array(0) } }),
];

const safetensorsTarget: FuzzTarget<Uint8Array> = {
  name: "safetensors (src/io/safetensors.ts decodeSafetensors)",
  inputs: hostileBytes(SAFETENSORS_SEEDS),
  parse: (bytes) => decodeSafetensors(bytes, "fuzz.safetensors"),
  size: (b) => b.length,
  resultBytes: (r) => Object.values((r as { tensors: Record<string, { data: ArrayBufferView }> }).tensors).reduce((s, t) => s + t.data.byteLength, 0),
  justified: (n) => n, // tensors are copies of byte ranges of the file, which may not overlap
};

// ---- JSON text, training configs, checkpoint config.json, selftest reference files ----------------------

const text = (v: unknown) => JSON.stringify(v, null, 2);
const CONFIGS: MnistTrainConfig[] = [makeConfig("3b1b"), makeConfig("modern", { hidden: [32, 16], momentum: 0.9, trainLimit: 100 })];

/** JSON text: valid documents with characters flipped, cut or inserted, and any string at all. */
const jsonText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200, unit: "binary" }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  hostileBytes(CONFIGS.map((c) => new TextEncoder().encode(text({ format: "nnlab-mnist-mlp", version: 1, config: c }))), undefined).map((b) => new TextDecoder().decode(b)),
);

const jsonTarget: FuzzTarget<string> = {
  name: "JSON text (src/io/json.ts parseJsonText)",
  inputs: jsonText,
  parse: (t) => parseJsonText(t, "fuzz.json", "a config"),
  size: (t) => t.length,
  resultBytes: noData,
  justified: () => 0,
};

const configTarget: FuzzTarget<unknown> = {
  name: "training config (src/train/config.ts validateTrainConfig)",
  inputs: editedJson(CONFIGS),
  parse: (v) => validateTrainConfig(v as MnistTrainConfig, "fuzz/config.json"),
  size: (v) => JSON.stringify(v ?? null).length,
  resultBytes: noData,
  justified: () => 0,
};

/** config.json of a run folder, as `--model DIR` reads it (file written, then loaded). */
const runConfigTarget: FuzzTarget<string> = {
  name: "run folder config.json (src/train/checkpoint.ts loadRunConfig)",
  inputs: fc.oneof(
    editedJson(CONFIGS.map((c) => ({ format: "nnlab-mnist-mlp", version: 1, config: c }))).map((v) => (v === undefined ? "" : text(v))),
    jsonText,
  ),
  async parse(t, scratch) {
    await mkdir(scratch, { recursive: true });
    await writeFile(path.join(scratch, "config.json"), t);
    return loadRunConfig(scratch, "--model");
  },
  size: (t) => t.length,
  resultBytes: noData,
  justified: () => 0,
};

const tensor = (data: number[]) => ({ shape: [data.length], data });
const REFERENCE_SEEDS = [
  { cases: [{ op: "relu", params: {}, inputs: [tensor([1, -1])], output: tensor([1, 0]), upstream: tensor([1, 1]), grads: [tensor([1, 0])] }] },
  { cases: [{ op: "matmul", params: {}, inputs: [{ shape: [1, 2], data: [1, 2] }, { shape: [2, 1], data: [3, 4] }], output: { shape: [1, 1], data: [11] }, upstream: { shape: [1, 1], data: [1] }, grads: [{ shape: [1, 2], data: [3, 4] }, { shape: [2, 1], data: [1, 2] }] }] },
];

const referenceTarget: FuzzTarget<unknown> = {
  name: "selftest reference file (src/selftest/reference.ts parseReferenceFile)",
  inputs: editedJson(REFERENCE_SEEDS),
  parse: (v) => parseReferenceFile(v, "fuzz-reference.json"),
  size: (v) => JSON.stringify(v ?? null).length,
  resultBytes: noData,
  justified: () => 0,
};

// ---- GPT files ------------------------------------------------------------------------------------------

const TOKENIZER_SEEDS = [
  CharTokenizer.fromText("To be, or not to be: that is the question.\n").toJSON(),
  trainBpe("low lower lowest newer newest wider widest ".repeat(4), { vocabSize: 270 }).toJSON(),
  { kind: "gpt2" },
];

/** A tokenizer spec, as a GPT run's config.json or a `gpt bpe-train` directory holds it. */
const tokenizerTarget: FuzzTarget<unknown> = {
  name: "tokenizer spec (src/data/text/tokenizer.ts tokenizerFromSpec)",
  inputs: editedJson(TOKENIZER_SEEDS),
  parse: (v) => tokenizerFromSpec(v, "fuzz/tokenizer.json"),
  size: (v) => JSON.stringify(v ?? null).length,
  resultBytes: noData,
  justified: () => 0,
};

const GPT_SHAPES: GptConfig[] = [
  { nLayer: 2, nHead: 2, nEmbd: 8, blockSize: 16, vocabSize: 65, bias: false, dropout: 0, tied: true, gelu: "tanh", layerNormEps: 1e-5 },
  { nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: 50257, bias: true, dropout: 0.1, tied: false, gelu: "none", layerNormEps: 1e-5 },
];

/** config.json of a Hugging Face GPT-2 directory, as `--model DIR` reads it. */
const hfConfigTarget: FuzzTarget<unknown> = {
  name: "GPT-2 config.json (src/models/gpt/config.ts gptConfigFromHf)",
  inputs: editedJson(GPT_SHAPES.map((c) => hfConfigFromGpt(c, { bias: c.bias, dropout: c.dropout }))),
  parse: (v) => gptConfigFromHf(v, "fuzz/config.json"),
  size: (v) => JSON.stringify(v ?? null).length,
  resultBytes: noData,
  justified: () => 0,
};

/** config.json of a GPT training run, as `gpt train --resume DIR` reads it (files written, then loaded). */
const gptRunConfigTarget: FuzzTarget<string> = {
  name: "GPT run config.json (src/train/gpt-checkpoint.ts loadGptRunConfig)",
  inputs: fc.oneof(
    editedJson(
      (["tiny", "nanogpt-cpu"] as const).map((preset) => {
        const train = makeGptConfig(preset, 65);
        return hfConfigFromGpt(train.model, { bias: train.model.bias, dropout: train.model.dropout, train, tokenizer: TOKENIZER_SEEDS[0] });
      }),
    ).map((v) => (v === undefined ? "" : text(v))),
    jsonText,
  ),
  async parse(t, scratch) {
    await mkdir(scratch, { recursive: true });
    for (const f of Object.values(GPT_RUN_FILES)) await writeFile(path.join(scratch, f), f === GPT_RUN_FILES.config ? t : "");
    return loadGptRunConfig(scratch, "--resume");
  },
  size: (t) => t.length,
  resultBytes: noData,
  justified: () => 0,
};

/** Every target, in the order the fuzz runs them. */
export const TARGETS: FuzzTarget[] = [
  idxTarget,
  pngTarget,
  safetensorsTarget,
  jsonTarget,
  configTarget,
  runConfigTarget,
  referenceTarget,
  tokenizerTarget,
  hfConfigTarget,
  gptRunConfigTarget,
] as FuzzTarget[];
