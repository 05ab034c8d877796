// MNIST run directories: model.safetensors (weights, PyTorch-readable), optimizer.safetensors (moments),
// config.json (model + training config) and state.json (epoch, history, optimizer step, RNG state,
// backend). Saved after every epoch as one checkpoint of io/run-dir.ts (runs/NAME/checkpoint-N/ and the
// pointer current.json), so a kill at any moment leaves the previous epoch's checkpoint current.
// Everything read back is checked field by field before it is used.

import { createHash, randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { accessSync, constants, existsSync, readdirSync, statSync } from "node:fs";
import { totalmem } from "node:os";
import path from "node:path";
import { NnlabError } from "../core/errors.js";
import type { TypedArray } from "../core/dtype.js";
import { getBackend } from "../core/engine.js";
import type { RngState } from "../core/rng.js";
import { fsProblem } from "../io/fs-errors.js";
import { readJsonFile, expectArray, expectInteger, expectNumber, expectObject, expectString } from "../io/json.js";
import { currentRunFiles, isRunDir, writeRunFiles } from "../io/run-dir.js";
import { encodeSafetensors, type SafeTensor } from "../io/safetensors.js";
import { readSafetensors } from "../io/safetensors-file.js";
import { buildDigitModel, type DigitModel } from "../models/digits.js";
import { Rng } from "../core/rng.js";
import type { OptimizerState } from "../optim/optimizer.js";
import { checkFitsInMemory, inWasmMemory, validateTrainConfig, type MnistTrainConfig } from "./config.js";
import type { EpochRecord, MnistTrainer } from "./trainer.js";

export const FORMAT = "nnlab-mnist-mlp";
export const FORMAT_VERSION = 1;

export const FILES = { model: "model.safetensors", optimizer: "optimizer.safetensors", config: "config.json", state: "state.json" } as const;
/** The files of a run, which runs saved before checkpoint folders existed hold at their top level. */
const RUN_FILES: readonly string[] = Object.values(FILES);

interface ConfigFile {
  format: string;
  version: number;
  config: MnistTrainConfig;
}

export interface RunState {
  epoch: number;
  history: EpochRecord[];
  /** The optimizer's step count, and (since checkpoint folders) its name. */
  optimizer: { step: number; name?: string };
  rng: RngState;
  best_test_accuracy: number;
  /** The backend the run trained on (resuming elsewhere would not be bit-identical); absent in older runs. */
  backend?: string;
  /** SHA-256 of the training config without `epochs`, to notice an edited config.json; absent in older runs. */
  config_sha256?: string;
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

/** The most memory a backend's tensors can use: wasm's linear memory (2 GiB), or 80% of this machine's RAM on js. */
export function memoryLimit(backend: string): number {
  return inWasmMemory(backend) ? 2 ** 31 : totalmem() * 0.8;
}

/** The nearest folder at or above `dir` that exists (where a new run directory would be created). */
function existingAncestor(dir: string): string {
  let at = path.resolve(dir);
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

/**
 * Checks that `dir` can hold a run before anything trains: absent (and creatable), empty, or an earlier
 * nnlab run (which it continues or replaces), and writable.
 */
export function checkRunDir(dir: string, flag = "--out"): void {
  const subject = `${flag} ${dir}`;
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw NnlabError.problem({ subject, expected: "a directory for the run", found: "a file", fix: `Choose another ${flag}.` });
    const entries = readdirSync(dir);
    if (entries.length > 0 && !isRunDir(dir) && !entries.includes(FILES.config)) {
      throw NnlabError.problem({
        subject,
        expected: "an empty directory or an earlier nnlab run",
        found: `a directory with other files (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""})`,
        fix: `Choose another ${flag} so nothing there is overwritten.`,
      });
    }
  }
  const at = existingAncestor(dir);
  if (!statSync(at).isDirectory()) throw NnlabError.problem({ subject, expected: "a path through folders", found: `a file at ${at}`, fix: `Choose another ${flag}.` });
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
  } catch {
    throw NnlabError.problem({ subject, expected: "a folder nnlab may write to", found: `no permission to write in ${at}`, fix: `Choose another ${flag} or change the folder's permissions.` });
  }
}

/**
 * Checks `dir` as {@link checkRunDir} does, then creates it and writes and removes a probe file, so an
 * unwritable --out (a read-only disk, a folder of another user) is found before anything trains.
 */
export async function prepareRunDir(dir: string, flag = "--out"): Promise<void> {
  checkRunDir(dir, flag);
  // named like the pointer's temp file, so a probe left by a kill is removed with the run's leftovers
  const probe = path.join(dir, `.current.json.${process.pid}-${randomBytes(6).toString("hex")}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, "");
    await rm(probe);
  } catch (err) {
    throw fsProblem(err, `${flag} ${dir}`, "a folder nnlab can write the run to", true);
  }
}

/** SHA-256 of a training config without `epochs` (the one setting a resume may change). */
export function configSha256(config: MnistTrainConfig): string {
  const { epochs: _epochs, ...rest } = config;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

/** Writes the trainer's full state as the run's new checkpoint, atomically (io/run-dir.ts). */
export async function saveCheckpoint(dir: string, trainer: MnistTrainer): Promise<void> {
  const opt: OptimizerState = trainer.optimizer.getState();
  const moments: Named = {};
  for (const [p, entries] of Object.entries(opt.tensors)) for (const [k, v] of Object.entries(entries)) moments[`${p}.${k}`] = v;
  const configFile: ConfigFile = { format: FORMAT, version: FORMAT_VERSION, config: trainer.config };
  const state: RunState = {
    epoch: trainer.epoch,
    history: trainer.history,
    optimizer: { step: opt.step, name: trainer.config.optimizer },
    rng: trainer.rngState(),
    best_test_accuracy: Math.max(0, ...trainer.history.map((h) => h.test_accuracy)),
    backend: trainer.model.parameters()[0].backend.name,
    config_sha256: configSha256(trainer.config),
  };
  await writeRunFiles(
    dir,
    {
      [FILES.model]: () => encodeSafetensors(toSafetensorsEntries(trainer.model.stateDict()), { format: FORMAT, preset: trainer.config.preset }),
      [FILES.optimizer]: () => encodeSafetensors(toSafetensorsEntries(moments)),
      [FILES.config]: JSON.stringify(configFile, null, 2) + "\n",
      [FILES.state]: JSON.stringify(state, null, 2) + "\n",
    },
    { legacyFiles: RUN_FILES },
  );
}

/** The folder holding a run's current files (see io/run-dir.ts), or a clear error naming the flag. */
function runFolder(dir: string, flag: string): string {
  const folder = existsSync(dir) ? currentRunFiles(dir, RUN_FILES) : null;
  if (folder) return folder;
  throw NnlabError.problem({
    subject: `${flag} ${dir}`,
    expected: "a run directory with a saved checkpoint",
    found: !existsSync(dir) ? "no such directory" : !statSync(dir).isDirectory() ? "a file" : isRunDir(dir) ? "a run whose first checkpoint was never completed" : `a directory without ${FILES.config} and ${FILES.model}`,
    fix: "Train one first with `nnlab train mnist --out DIR`.",
  });
}

function missingFile(folder: string, dir: string, flag: string, file: string): NnlabError {
  return NnlabError.problem({ subject: `${flag} ${dir}`, expected: `a complete checkpoint (${folder})`, found: `a checkpoint without ${file}`, fix: "Restore the file or train the run again." });
}

/** The current location of `file` in run `dir` (for the server), or null when the run has none. */
export function currentRunFile(dir: string, file: string): string | null {
  try {
    const folder = currentRunFiles(dir, RUN_FILES);
    return folder ? path.join(folder, file) : null;
  } catch {
    return null; // a damaged pointer: not a run to serve
  }
}

async function readConfigFile(file: string): Promise<MnistTrainConfig> {
  const raw = expectObject(await readJsonFile(file, "model config"), file);
  if (raw.format !== FORMAT) throw NnlabError.problem({ subject: `${file}: format`, expected: `"${FORMAT}"`, found: JSON.stringify(raw.format ?? null) });
  expectInteger(raw.version, `${file}: version`, { min: 1, max: FORMAT_VERSION });
  return validateTrainConfig(expectObject(raw.config, `${file}: config`) as unknown as MnistTrainConfig, file);
}

/** Reads and checks config.json of a run directory. */
export async function loadRunConfig(dir: string, flag = "--model"): Promise<MnistTrainConfig> {
  const folder = runFolder(dir, flag);
  const file = path.join(folder, FILES.config);
  if (!existsSync(file)) throw missingFile(folder, dir, flag, FILES.config);
  return readConfigFile(file);
}

/** Loads a trained model (weights + config) from a run directory. */
export async function loadModel(dir: string, flag = "--model"): Promise<{ model: DigitModel; config: MnistTrainConfig }> {
  const folder = runFolder(dir, flag);
  for (const f of [FILES.config, FILES.model]) if (!existsSync(path.join(folder, f))) throw missingFile(folder, dir, flag, f);
  const config = await readConfigFile(path.join(folder, FILES.config));
  checkFitsInMemory(config, getBackend().name, memoryLimit(getBackend().name), path.join(folder, FILES.config), false);
  const file = path.join(folder, FILES.model);
  const model = buildDigitModel(config.model, config.conv, new Rng(0));
  model.loadStateDict(await readFloatTensors(file), file);
  return { model, config };
}

/** The backend a saved run trained on, when its state.json records one (so --resume can start it). */
export async function recordedBackend(dir: string): Promise<string | undefined> {
  const folder = runFolder(dir, "--resume");
  const file = path.join(folder, FILES.state);
  if (!existsSync(file)) return undefined;
  const raw = await readJsonFile(file, "run state");
  const backend = (raw as { backend?: unknown } | null)?.backend;
  return typeof backend === "string" ? backend : undefined;
}

const UINT32 = { min: 0, max: 2 ** 32 - 1 };
const SHARE = { min: 0, max: 1 };

/** Checks every field of state.json against the run's config; `batchesPerEpoch` fixes the optimizer's step count. */
function checkState(raw: unknown, file: string, config: MnistTrainConfig, batchesPerEpoch: number): RunState {
  const s = expectObject(raw, file);
  const fix = "The file is damaged or was edited; restore it or train the run again.";
  const epoch = expectInteger(s.epoch, `${file}: epoch`, { min: 1, max: 10000, fix });
  const history = expectArray(s.history, `${file}: history`, { fix }).map((h, i) => {
    const at = `${file}: history[${i}]`;
    const r = expectObject(h, at, { fix });
    return {
      epoch: expectInteger(r.epoch, `${at}.epoch`, { min: i + 1, max: i + 1, fix }),
      train_cost: expectNumber(r.train_cost, `${at}.train_cost`, { min: 0, fix }),
      train_accuracy: expectNumber(r.train_accuracy, `${at}.train_accuracy`, { ...SHARE, fix }),
      test_accuracy: expectNumber(r.test_accuracy, `${at}.test_accuracy`, { ...SHARE, fix }),
      seconds: expectNumber(r.seconds, `${at}.seconds`, { min: 0, fix }),
    };
  });
  if (history.length !== epoch) throw NnlabError.problem({ subject: `${file}: history`, expected: `one record per completed epoch (${epoch})`, found: `${history.length}`, fix });
  const opt = expectObject(s.optimizer, `${file}: optimizer`, { fix });
  const step = expectInteger(opt.step, `${file}: optimizer.step`, { min: epoch * batchesPerEpoch, max: epoch * batchesPerEpoch, fix });
  if (opt.name !== undefined && opt.name !== config.optimizer) {
    throw NnlabError.problem({ subject: `${file}: optimizer.name`, expected: `the optimizer of config.json ("${config.optimizer}")`, found: JSON.stringify(opt.name), fix: "config.json was edited; a run cannot change its optimizer. Start a new run instead." });
  }
  const rng = expectObject(s.rng, `${file}: rng`, { fix });
  const words = expectArray(rng.s, `${file}: rng.s`, { fix });
  if (words.length !== 4) throw NnlabError.problem({ subject: `${file}: rng.s`, expected: "four unsigned 32-bit integers", found: `${words.length} items`, fix });
  const rngState: RngState = {
    s: words.map((w, i) => expectInteger(w, `${file}: rng.s[${i}]`, { ...UINT32, fix })) as RngState["s"],
    spare: rng.spare === null || rng.spare === undefined ? null : expectNumber(rng.spare, `${file}: rng.spare`, { fix }),
  };
  if (rngState.s.every((w) => w === 0)) throw NnlabError.problem({ subject: `${file}: rng.s`, expected: "a generator state that is not all zeros", found: "[0, 0, 0, 0]", fix });
  const best = expectNumber(s.best_test_accuracy, `${file}: best_test_accuracy`, { ...SHARE, fix });
  const backend = s.backend === undefined ? undefined : expectString(s.backend, `${file}: backend`, { fix });
  const sha = s.config_sha256 === undefined ? undefined : expectString(s.config_sha256, `${file}: config_sha256`, { fix });
  if (sha !== undefined && sha !== configSha256(config)) {
    throw NnlabError.problem({ subject: `${file}: config_sha256`, expected: "the config this run was trained with", found: "a config.json changed since (only --epochs may change on --resume)", fix: "Undo the edit, or start a new run with the new settings." });
  }
  return { epoch, history, optimizer: { step, name: config.optimizer }, rng: rngState, best_test_accuracy: best, backend, config_sha256: sha };
}

/** The moments each parameter has after one step: Adam's m and v, SGD momentum's velocity, plain SGD none. */
function expectedMoments(config: MnistTrainConfig): string[] {
  if (config.optimizer === "adam") return ["m", "v"];
  return config.momentum > 0 ? ["velocity"] : [];
}

/** Optimizer moments from optimizer.safetensors, checked to be exactly those this run's optimizer keeps. */
function checkMoments(moments: Named, file: string, trainer: MnistTrainer): OptimizerState["tensors"] {
  const keys = expectedMoments(trainer.config);
  const want = new Set(Object.keys(trainer.model.stateDict()).flatMap((p) => keys.map((k) => `${p}.${k}`)));
  const have = Object.keys(moments);
  const extra = have.filter((k) => !want.has(k));
  const lacking = [...want].filter((k) => !(k in moments));
  if (extra.length || lacking.length) {
    throw NnlabError.problem({
      subject: file,
      expected: keys.length ? `the ${trainer.config.optimizer} moments (${keys.join(", ")}) of every parameter, ${want.size} tensors` : `no tensors (${trainer.config.optimizer} without momentum keeps none)`,
      found: lacking.length ? `${have.length} tensors, without ${lacking[0]}` : `${have.length} tensors, among them ${extra[0]}`,
      fix: "The file is damaged or the run's optimizer settings were changed; restore it or train the run again.",
    });
  }
  const tensors: OptimizerState["tensors"] = {};
  for (const [key, v] of Object.entries(moments)) {
    const cut = key.lastIndexOf(".");
    (tensors[key.slice(0, cut)] ??= {})[key.slice(cut + 1)] = { shape: [...v.shape], data: v.data };
  }
  return tensors;
}

/**
 * Restores a trainer's model, optimizer, RNG, epoch and history from a run directory (for --resume),
 * after checking every field and that it runs on the backend the run trained on.
 */
export async function restoreCheckpoint(dir: string, trainer: MnistTrainer, flag = "--resume"): Promise<void> {
  const folder = runFolder(dir, flag);
  for (const f of [FILES.model, FILES.state, FILES.optimizer]) if (!existsSync(path.join(folder, f))) throw missingFile(folder, dir, flag, f);
  const [modelFile, stateFile, optFile] = [FILES.model, FILES.state, FILES.optimizer].map((f) => path.join(folder, f));
  const state = checkState(await readJsonFile(stateFile, "run state"), stateFile, trainer.config, trainer.batchesPerEpoch);
  const backend = trainer.model.parameters()[0].backend.name;
  if (state.backend !== undefined && state.backend !== backend) {
    throw NnlabError.problem({
      subject: `--backend ${backend}`,
      expected: `the backend ${dir} trained on (${state.backend}), so the resumed run is bit-identical`,
      found: backend,
      fix: `Pass --backend ${state.backend} (or leave --backend out), or start a new run.`,
    });
  }
  trainer.model.loadStateDict(await readFloatTensors(modelFile), modelFile);
  const tensors = checkMoments(await readFloatTensors(optFile), optFile, trainer);
  trainer.optimizer.setState({ step: state.optimizer.step, tensors }, optFile);
  trainer.rng.setState(state.rng);
  trainer.epoch = state.epoch;
  trainer.history.splice(0, trainer.history.length, ...state.history);
}
