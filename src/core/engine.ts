// The engine: which backend runs ops, whether gradients are recorded, and who owns tensor memory
// (scopes). `apply` is the single door every primitive goes through: shape rule, kernel, autograd node.

import type { Backend, Kernel, KernelArg, Storage } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { bytesPerElement } from "./dtype.js";
import { NnlabError } from "./errors.js";
import { primitives, type ArgInfo, type KernelPrim, type Prim, type PrimParams } from "./prims.js";
import { sizeOf, type Shape } from "./shape.js";
import { Tensor, type TensorData } from "./tensor.js";

const registry = new Map<string, Backend>();
let current: Backend | null = null;
let gradEnabled = true;
const scopes: Tensor[][] = [];
const stats = { storages: 0, bytes: 0 };

// ---- backends ----------------------------------------------------------------------------------

/** Makes a backend available by name (called by `init()`; never as a side effect of importing). */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

/** Names of the registered backends. */
export function backendNames(): string[] {
  return [...registry.keys()];
}

/** Selects the backend new tensors are created on. */
export function setBackend(name: string): Backend {
  const b = registry.get(name);
  if (!b) {
    throw NnlabError.problem({
      subject: "backend",
      expected: `one of ${backendNames().join(", ") || "(none registered)"}`,
      found: JSON.stringify(name),
      fix: registry.size ? "" : "Call `await init()` first.",
    });
  }
  current = b;
  return b;
}

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  if (!current) throw new NnlabError("no backend selected: call `await init()` (from \"nnlab\") before creating tensors");
  return current;
}

// ---- gradient mode ------------------------------------------------------------------------------

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording operations for autograd (evaluation, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

// ---- memory -------------------------------------------------------------------------------------

/** Allocates engine-owned data with one reference. */
export function newData(backend: Backend, storage: Storage): TensorData {
  stats.storages++;
  stats.bytes += storage.size * bytesPerElement(storage.dtype);
  return { backend, storage, refs: 1 };
}

/** Drops one reference; frees the buffer when none is left. */
export function releaseData(data: TensorData): void {
  if (--data.refs === 0) {
    stats.storages--;
    stats.bytes -= data.storage.size * bytesPerElement(data.storage.dtype);
    data.backend.free(data.storage);
  }
}

/** Registers a new tensor with the innermost scope, if any. */
export function track(t: Tensor): void {
  const scope = scopes[scopes.length - 1];
  if (scope) scope.push(t);
}

function collectTensors(value: unknown, into: Set<Tensor>, depth = 0): void {
  if (value instanceof Tensor) into.add(value);
  else if (depth < 4 && Array.isArray(value)) for (const v of value) collectTensors(v, into, depth + 1);
  else if (depth < 4 && value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectTensors(v, into, depth + 1);
  }
}

/**
 * Runs `fn` in a memory scope: every tensor created inside is released at the end, except the tensors
 * returned (in a value, array or plain object), tensors marked with `keep()`, and gradients stored on
 * leaves by `backward()`. A training step runs inside one.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const survivors = new Set<Tensor>();
  collectTensors(result, survivors);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (survivors.has(t)) parent?.push(t);
    else if (!t.kept) t.dispose();
  }
  return result;
}

/** Exempts `t` from scope clean-up (it lives until disposed by hand). */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

/** Live engine-owned buffers and their bytes (tests assert this does not grow across steps). */
export function memory(): { storages: number; bytes: number } {
  return { ...stats };
}

// ---- running primitives -------------------------------------------------------------------------

function argOf(t: Tensor): KernelArg {
  return { storage: t.data.storage, shape: t.shape, dtype: t.dtype };
}

/** Uploads a typed array as a new tensor on `backend` (default: the current one). */
export function fromTypedArray(data: TypedArray, shape: Shape, backend: Backend = getBackend()): Tensor {
  const dtype: DType = data instanceof Float64Array ? "float64" : data instanceof Int32Array ? "int32" : "float32";
  if (!backend.dtypes.includes(dtype)) throw new NnlabError(`backend ${backend.name} does not support ${dtype} tensors`);
  return new Tensor(newData(backend, backend.upload(data)), [...shape], dtype);
}

/** Runs primitive `prim` on `inputs`: checks shapes, runs the backend's kernel, records the autograd node. */
export function apply<P extends Prim>(prim: P, inputs: readonly Tensor[], params: PrimParams[P]): Tensor {
  const backend = inputs[0].data.backend;
  for (const t of inputs) {
    if (t.disposed) throw new NnlabError(`${prim}: an input tensor was already released (it was created in a finished tidy() scope)`);
    if (t.data.backend !== backend) throw new NnlabError(`${prim}: inputs live on different backends (${backend.name} and ${t.data.backend.name})`);
  }
  const def = primitives[prim];
  const info: ArgInfo = def.infer(inputs, params);
  if (!backend.dtypes.includes(info.dtype)) throw new NnlabError(`${prim}: backend ${backend.name} does not support ${info.dtype}`);
  let out: Tensor;
  if (prim === "reshape") {
    inputs[0].data.refs++;
    out = new Tensor(inputs[0].data, [...info.shape], info.dtype);
  } else {
    const size = sizeOf(info.shape);
    out = new Tensor(newData(backend, backend.alloc(info.dtype, size)), [...info.shape], info.dtype);
    if (size > 0) {
      const kernel = backend.kernels[prim as KernelPrim] as Kernel<KernelPrim>;
      kernel(argOf(out), inputs.map(argOf), params as PrimParams[KernelPrim]);
    }
  }
  if (gradEnabled && def.vjp && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    const vjp = def.vjp;
    out.node = { prim, inputs, vjp: (g: Tensor) => vjp(g, inputs, out, params) };
  }
  return out;
}
