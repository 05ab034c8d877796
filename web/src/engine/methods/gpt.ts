// Lessons 5–6, the engine side of "which GPT": the worker holds one current GPT and its tokenizer — a
// tiny GPT trained here on the embedded Shakespeare (in short slices, so pause and every other request
// are answered while it learns), a GPT-2-layout checkpoint opened from disk (its bytes are read here and
// never leave the machine), or a run that `nnlab gpt train` saved under the server's runs folder.

import type { Tokenizer, TokenizerKind } from "../../../../src/data/text/tokenizer.js";
import { CharTokenizer } from "../../../../src/data/text/char.js";
import { corpusTextFromBytes, EMBEDDED_CORPUS, splitTrainVal } from "../../../../src/data/text/corpus.js";
import { type GptConfig } from "../../../../src/models/gpt/config.js";
import type { GPT } from "../../../../src/models/gpt/model.js";
import { gptFromHfBytes, tokenizerForGpt, GPT_FILES } from "../../../../src/train/gpt-bytes.js";
import { makeGptConfig } from "../../../../src/train/gpt-config.js";
import { GptTrainer } from "../../../../src/train/gpt-trainer.js";
import type { MethodContext, MethodTable } from "../protocol.js";
import { engineReady, fetchBytes } from "../state.js";
import { yieldToMessages } from "./lesson2.js";

/** The current GPT as pages show it. */
export interface GptModelInfo {
  /** Where it came from, in words. */
  origin: string;
  source: "trained-here" | "file" | "run";
  config: GptConfig;
  tokenizer: TokenizerKind;
  /** Tokens the tokenizer has (at most config.vocabSize). */
  tokenizerVocab: number;
  /** Every parameter of the model. */
  parameters: number;
  /** Changes whenever the weights change (a training step, a load): views recompute when it moves. */
  version: number;
}

/** Where the in-page training stands, sent as "gpt.train.live" about four times a second. */
export interface GptTrainLive {
  state: "running" | "paused" | "done";
  iter: number;
  iters: number;
  /** Mean training loss of the steps since the last report (NaN when none). */
  loss: number;
  /** The first step's loss (the untrained model's, about ln of the vocabulary). */
  firstLoss: number;
  /** Median milliseconds per step so far. */
  stepMs: number;
  tokensPerSecond: number;
  version: number;
  error?: string;
}

declare module "../protocol.js" {
  interface EngineMethods {
    /** The current GPT (null before one is made or loaded). */
    "gpt.model": { params: Record<string, never>; result: GptModelInfo | null };
    /**
     * The in-page training. "new" makes a fresh tiny GPT (char tokenizer on the embedded Shakespeare,
     * the `tiny` preset) and makes it current; "run" trains until "pause" or the preset's last step;
     * "step" takes one step ("run" and "step" make the trained-here model current again after a load).
     * Answered at once, even while other requests run.
     */
    "gpt.train": { params: { action: "new" | "run" | "pause" | "step"; seed?: number }; result: GptTrainLive };
    /** Makes a GPT from the bytes of config.json and model.safetensors (a file picker's files) current. */
    "gpt.load": { params: { config: ArrayBuffer; model: ArrayBuffer; names?: { config: string; model: string } }; result: GptModelInfo };
    /** The runs under the server's runs folder that hold a GPT (config.json with model_type gpt2). */
    "gpt.runs": { params: Record<string, never>; result: { runs: string[] } };
    /** Makes the GPT of run `name` current (fetched from /runs/NAME/). */
    "gpt.loadRun": { params: { name: string }; result: GptModelInfo };
  }
  interface EngineEvents {
    "gpt.train.live": GptTrainLive;
    /** The current model changed (made, trained a step, loaded). */
    "gpt.model": GptModelInfo;
  }
}

/** The worker's current GPT. */
export interface CurrentGpt {
  model: GPT;
  tokenizer: Tokenizer;
  info: GptModelInfo;
}

let current: CurrentGpt | null = null;
let version = 0;

/** The current GPT, or an error saying how to get one. */
export function currentGpt(): CurrentGpt {
  if (!current) throw new Error("no GPT yet: train the tiny GPT here or open a GPT-2 checkpoint first");
  return current;
}

/** Makes `model` current, freeing the weights of the one it replaces (unless the trainer still holds them). */
function install(model: GPT, tokenizer: Tokenizer, origin: string, source: GptModelInfo["source"]): GptModelInfo {
  if (current && current.model !== model && current.model !== job?.trainer.model) for (const p of current.model.parameters()) p.dispose();
  version++;
  const info: GptModelInfo = { origin, source, config: { ...model.config }, tokenizer: tokenizer.kind, tokenizerVocab: tokenizer.vocabSize, parameters: model.parameterCount(), version };
  current = { model, tokenizer, info };
  return info;
}

// ——— the embedded corpus and the in-page training ———

let corpus: Promise<string> | null = null;
/** The embedded Shakespeare, fetched once from the server. */
export function shakespeare(): Promise<string> {
  corpus ??= fetchBytes(EMBEDDED_CORPUS.route).then((b) => corpusTextFromBytes(b, EMBEDDED_CORPUS.route));
  corpus.catch(() => (corpus = null));
  return corpus;
}

interface TrainJob {
  trainer: GptTrainer;
  tokenizer: CharTokenizer;
  running: boolean;
  firstLoss: number;
  window: { sum: number; steps: number; ms: number };
  error?: string;
}

let job: TrainJob | null = null;
let loop: Promise<void> | null = null;
/** Longest stretch of steps between two yields (a tiny-preset step takes tens of ms). */
const CHUNK_MS = 30;
const REPORT_MS = 250;

function live(j: TrainJob): GptTrainLive {
  const w = j.window;
  const t = j.trainer;
  const median = t.medianStepMs();
  const out: GptTrainLive = {
    state: j.running ? "running" : t.iter >= t.config.iters ? "done" : "paused",
    iter: t.iter,
    iters: t.config.iters,
    loss: w.steps ? w.sum / w.steps : NaN,
    firstLoss: j.firstLoss,
    stepMs: median,
    tokensPerSecond: w.ms > 0 ? (w.steps * t.tokensPerStep) / (w.ms / 1000) : NaN,
    version,
    ...(j.error ? { error: j.error } : {}),
  };
  j.window = { sum: 0, steps: 0, ms: 0 };
  return out;
}

function step(j: TrainJob): void {
  const started = performance.now();
  const loss = j.trainer.step();
  if (!Number.isFinite(j.firstLoss)) j.firstLoss = loss;
  j.window.sum += loss;
  j.window.steps++;
  j.window.ms += performance.now() - started;
  version++;
  if (current?.model === j.trainer.model) current.info.version = version;
}

async function trainLoop(j: TrainJob, ctx: MethodContext): Promise<void> {
  let lastReport = performance.now();
  try {
    while (j.running && j.trainer.iter < j.trainer.config.iters) {
      const started = performance.now();
      do step(j);
      while (j.running && j.trainer.iter < j.trainer.config.iters && performance.now() - started < CHUNK_MS);
      if (performance.now() - lastReport >= REPORT_MS) {
        lastReport = performance.now();
        ctx.emit("gpt.train.live", live(j));
      }
      await yieldToMessages();
    }
  } catch (e) {
    j.error = e instanceof Error ? e.message : String(e);
  }
  j.running = false;
  loop = null;
  ctx.emit("gpt.train.live", live(j));
}

async function newJob(seed: number): Promise<TrainJob> {
  await engineReady();
  const text = await shakespeare();
  const tokenizer = CharTokenizer.fromText(text);
  const { train, val } = splitTrainVal(Int32Array.from(tokenizer.encode(text)));
  const trainer = new GptTrainer(makeGptConfig("tiny", tokenizer.vocabSize, { seed }), { train, val });
  return { trainer, tokenizer, running: false, firstLoss: NaN, window: { sum: 0, steps: 0, ms: 0 } };
}

function trainedHereOrigin(j: TrainJob): string {
  const c = j.trainer.config;
  return `tiny GPT trained here (${c.model.nLayer} blocks, ${c.model.nHead} heads, width ${c.model.nEmbd}, characters of Shakespeare; seed ${c.seed})`;
}

// ——— loading ———

/** Loads a GPT from the bytes of its two files; the tokenizer from its config (or GPT-2's). */
function loadBytes(config: Uint8Array, model: Uint8Array, names: { config: string; model: string }, origin: string, source: GptModelInfo["source"]): GptModelInfo {
  const loaded = gptFromHfBytes(config, model, names);
  const tokenizer = tokenizerForGpt(loaded.config, loaded.nnlab, names.config);
  stopTraining();
  return install(loaded.model, tokenizer, origin, source);
}

function stopTraining(): void {
  if (job) job.running = false;
}

export const gptMethods: MethodTable = {
  "gpt.model"() {
    return current?.info ?? null;
  },

  async "gpt.train"({ action, seed }, ctx) {
    if (action === "new") {
      stopTraining();
      await loop;
      job = await newJob(seed ?? 1);
      install(job.trainer.model, job.tokenizer, trainedHereOrigin(job), "trained-here");
      ctx.emit("gpt.model", current!.info);
      return live(job);
    }
    if (!job) throw new Error("no GPT to train yet: make one first (action \"new\")");
    const j = job;
    if (action !== "pause" && current?.model !== j.trainer.model) {
      // another model was loaded meanwhile: training makes the trained-here one current again
      install(j.trainer.model, j.tokenizer, trainedHereOrigin(j), "trained-here");
      ctx.emit("gpt.model", current!.info);
    }
    if (action === "run" && !j.running && j.trainer.iter < j.trainer.config.iters) {
      j.running = true;
      loop = trainLoop(j, ctx);
    } else if (action === "pause") j.running = false;
    else if (action === "step" && !j.running && j.trainer.iter < j.trainer.config.iters) step(j);
    return live(j);
  },

  async "gpt.load"({ config, model, names }) {
    await engineReady();
    const files = names ?? GPT_FILES;
    return loadBytes(new Uint8Array(config), new Uint8Array(model), files, `checkpoint opened from disk (${files.config} + ${files.model}, read in this tab)`, "file");
  },

  async "gpt.runs"() {
    const res = await fetch("/api/runs");
    if (!res.ok) return { runs: [] };
    const { runs } = (await res.json()) as { runs: { name: string; files: string[] }[] };
    const gpts: string[] = [];
    for (const r of runs) {
      if (!r.files.includes(GPT_FILES.config) || !r.files.includes(GPT_FILES.model)) continue;
      const c = await fetch(`/runs/${encodeURIComponent(r.name)}/${GPT_FILES.config}`).then((x) => (x.ok ? x.json() : null)).catch(() => null);
      if (c && (c as { model_type?: string }).model_type === "gpt2") gpts.push(r.name);
    }
    return { runs: gpts };
  },

  async "gpt.loadRun"({ name }) {
    await engineReady();
    const base = `/runs/${encodeURIComponent(name)}/`;
    const [config, model] = await Promise.all([fetchBytes(base + GPT_FILES.config), fetchBytes(base + GPT_FILES.model)]);
    return loadBytes(config, model, { config: `${name}/${GPT_FILES.config}`, model: `${name}/${GPT_FILES.model}` }, `run "${name}" from the server's runs folder`, "run");
  },
};
