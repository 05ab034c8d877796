// Run directories on disk: model.safetensors (weights, PyTorch-readable), optimizer.safetensors
// (moments), config.json (model + training config) and state.json (epoch, history, optimizer step,
// RNG state). Written all-or-nothing after every epoch, so a run never holds a half-written checkpoint.

import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { NnlabError } from "../core/errors.js";
import type { TypedArray } from "../core/dtype.js";
import type { RngState } from "../core/rng.js";
import { writeFilesAtomic } from "../io/atomic.js";
import { readJsonFile } from "../io/json.js";
import { encodeSafetensors, type SafeTensor } from "../io/safetensors.js";
import { readSafetensors } from "../io/safetensors-file.js";
import { MLP } from "../models/mlp.js";
import { Rng } from "../core/rng.js";
import type { OptimizerState } from "../optim/optimizer.js";
import { validateTrainConfig, type MnistTrainConfig } from "./config.js";
import type { EpochRecord, MnistTrainer } from "./trainer.js";

export const FORMAT = "nnlab-mnist-mlp";
export const FORMAT_VERSION = 1;

export const FILES = { model: "model.safetensors", optimizer: "optimizer.safetensors", config: "config.json", state: "state.json" } as const;

interface ConfigFile {
  format: string;
  version: number;
  config: MnistTrainConfig;
}

export interface RunState {
  epoch: number;
  history: EpochRecord[];
  optimizer: { step: number };
  rng: RngState;
  best_test_accuracy: number;
}

type Named = Record<string, { shape: readonly number[]; data: TypedArray }>;

function toSafetensorsEntries(named: Named) {
  const out: Record<string, { dtype: "F32"; shape: number[]; data: Float32Array }> = {};
  for (const [k, v] of Object.entries(named)) out[k] = { dtype: "F32", shape: [...v.shape], data: Float32Array.from(v.data) };
  return out;
}

/** Float tensors of a safetensors file as float32 (weights are stored F32; F64 is accepted too). */
async function readFloatTensors(file: string): Promise<Named> {
  const { tensors } = await readSafetensors(file);
  const out: Named = {};
  for (const [name, t] of Object.entries(tensors) as [string, SafeTensor][]) {
    if (t.dtype !== "F32" && t.dtype !== "F64") throw NnlabError.problem({ subject: `${file}: ${name}`, expected: "F32 or F64 values", found: t.dtype });
    out[name] = { shape: t.shape, data: Float32Array.from(t.data) };
  }
  return out;
}

/** Checks that `dir` can hold a run: absent, empty, or an earlier nnlab run (which it replaces). */
export function checkRunDir(dir: string, flag = "--out"): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw NnlabError.problem({ subject: `${flag} ${dir}`, expected: "a directory for the run", found: "a file", fix: "Choose another --out." });
  const entries = readdirSync(dir);
  if (entries.length > 0 && !entries.includes(FILES.config)) {
    throw NnlabError.problem({
      subject: `${flag} ${dir}`,
      expected: "an empty directory or an earlier nnlab run",
      found: `a directory with other files (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""})`,
      fix: "Choose another --out so nothing there is overwritten.",
    });
  }
}

/** Writes the trainer's full state into `dir` atomically. */
export async function saveCheckpoint(dir: string, trainer: MnistTrainer): Promise<void> {
  const opt: OptimizerState = trainer.optimizer.getState();
  const moments: Named = {};
  for (const [p, entries] of Object.entries(opt.tensors)) for (const [k, v] of Object.entries(entries)) moments[`${p}.${k}`] = v;
  const configFile: ConfigFile = { format: FORMAT, version: FORMAT_VERSION, config: trainer.config };
  const state: RunState = {
    epoch: trainer.epoch,
    history: trainer.history,
    optimizer: { step: opt.step },
    rng: trainer.rngState(),
    best_test_accuracy: Math.max(0, ...trainer.history.map((h) => h.test_accuracy)),
  };
  await writeFilesAtomic(dir, {
    [FILES.model]: encodeSafetensors(toSafetensorsEntries(trainer.model.stateDict()), { format: FORMAT, preset: trainer.config.preset }),
    [FILES.optimizer]: encodeSafetensors(toSafetensorsEntries(moments)),
    [FILES.config]: JSON.stringify(configFile, null, 2) + "\n",
    [FILES.state]: JSON.stringify(state, null, 2) + "\n",
  });
}

function missing(dir: string, flag: string, needed: readonly string[] = [FILES.config, FILES.model]): NnlabError {
  const absent = needed.filter((f) => !existsSync(path.join(dir, f)));
  const list = (names: readonly string[]) => (names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0]);
  return NnlabError.problem({
    subject: `${flag} ${dir}`,
    expected: `a model directory with ${list(needed)}`,
    found: !existsSync(dir) ? "no such directory" : absent.length ? `a directory without ${list(absent)}` : "a directory without them",
    fix: "Train one first with `nnlab train mnist --out DIR`.",
  });
}

/** Reads and checks config.json of a run directory. */
export async function loadRunConfig(dir: string, flag = "--model"): Promise<MnistTrainConfig> {
  const file = path.join(dir, FILES.config);
  if (!existsSync(file)) throw missing(dir, flag);
  const raw = (await readJsonFile(file, "model config")) as Partial<ConfigFile>;
  if (!raw || typeof raw !== "object" || raw.format !== FORMAT) {
    throw NnlabError.problem({ subject: file, expected: `"format": "${FORMAT}"`, found: JSON.stringify(raw?.format ?? null) });
  }
  if (!raw.config || typeof raw.config !== "object") throw NnlabError.problem({ subject: file, expected: 'a "config" object', found: typeof raw.config });
  return validateTrainConfig(raw.config, file);
}

/** Loads a trained model (weights + config) from a run directory. */
export async function loadModel(dir: string, flag = "--model"): Promise<{ model: MLP; config: MnistTrainConfig }> {
  const config = await loadRunConfig(dir, flag);
  const file = path.join(dir, FILES.model);
  if (!existsSync(file)) throw missing(dir, flag);
  const model = new MLP(config.model, new Rng(0));
  model.loadStateDict(await readFloatTensors(file), file);
  return { model, config };
}

function checkState(raw: unknown, file: string): RunState {
  const s = raw as Partial<RunState>;
  const ok =
    s && typeof s === "object" && Number.isInteger(s.epoch) && Array.isArray(s.history) && s.optimizer && Number.isInteger(s.optimizer.step) &&
    s.rng && Array.isArray(s.rng.s) && s.rng.s.length === 4;
  if (!ok) throw NnlabError.problem({ subject: file, expected: "epoch, history, optimizer.step and rng", found: JSON.stringify(raw).slice(0, 120) });
  return s as RunState;
}

/** Restores a trainer's model, optimizer, RNG, epoch and history from a run directory (for --resume). */
export async function restoreCheckpoint(dir: string, trainer: MnistTrainer, flag = "--resume"): Promise<void> {
  const modelFile = path.join(dir, FILES.model);
  const stateFile = path.join(dir, FILES.state);
  const optFile = path.join(dir, FILES.optimizer);
  for (const f of [modelFile, stateFile, optFile]) if (!existsSync(f)) throw missing(dir, flag, [FILES.model, FILES.state, FILES.optimizer]);
  const state = checkState(await readJsonFile(stateFile, "run state"), stateFile);
  trainer.model.loadStateDict(await readFloatTensors(modelFile), modelFile);
  const moments = await readFloatTensors(optFile);
  const tensors: OptimizerState["tensors"] = {};
  for (const [key, v] of Object.entries(moments)) {
    const cut = key.lastIndexOf(".");
    const p = key.slice(0, cut);
    (tensors[p] ??= {})[key.slice(cut + 1)] = { shape: [...v.shape], data: v.data };
  }
  trainer.optimizer.setState({ step: state.optimizer.step, tensors }, optFile);
  trainer.rng.setState(state.rng);
  trainer.epoch = state.epoch;
  trainer.history.splice(0, trainer.history.length, ...state.history);
}

