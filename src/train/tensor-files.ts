// Small helpers any checkpoint uses: float tensors from a safetensors file, named tensors as F32
// safetensors entries, and optimizer state flattened to `path.moment` tensors and back.

import type { TypedArray } from "../core/dtype.js";
import { floatTensors, type SafeTensor } from "../io/safetensors.js";
import { readSafetensors } from "../io/safetensors-file.js";
import type { OptimizerState } from "../optim/optimizer.js";

/** Tensors by name. */
export type Named = Record<string, { shape: readonly number[]; data: TypedArray }>;

/** Named tensors as F32 safetensors entries (copies into float32). */
export function f32Entries(named: Named): Record<string, SafeTensor> {
  const out: Record<string, SafeTensor> = {};
  for (const [k, v] of Object.entries(named)) out[k] = { dtype: "F32", shape: [...v.shape], data: v.data instanceof Float32Array ? v.data : Float32Array.from(v.data) };
  return out;
}

/** Float tensors of a safetensors file as float32 (F32, or F64 converted); other dtypes are an error naming the file. */
export async function readFloatTensors(file: string): Promise<Named> {
  return floatTensors(await readSafetensors(file), file);
}

/** Optimizer state as tensors named `param.path.moment` (e.g. `h.0.attn.c_attn.weight.m`). */
export function optimizerTensors(state: OptimizerState): Named {
  const out: Named = {};
  for (const [p, entries] of Object.entries(state.tensors)) for (const [k, v] of Object.entries(entries)) out[`${p}.${k}`] = v;
  return out;
}

/** The inverse of {@link optimizerTensors}: the part after the last dot names the moment. */
export function optimizerStateFrom(step: number, tensors: Named): OptimizerState {
  const out: OptimizerState["tensors"] = {};
  for (const [key, v] of Object.entries(tensors)) {
    const cut = key.lastIndexOf(".");
    (out[key.slice(0, cut)] ??= {})[key.slice(cut + 1)] = { shape: [...v.shape], data: v.data };
  }
  return { step, tensors: out };
}
