// TF.js as a peer: tfjs-core with its wasm backend (binary loaded from node_modules, no network) and its
// plain-JavaScript cpu backend. Both run on one thread in Node (TF.js enables wasm threads only in
// cross-origin-isolated browsers).

import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core's Node bundle carries no gradient functions; the union package registers them (and the
// cpu/webgl backends) on the same tfjs-core instance
import "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

export { tf };

/** TF.js backends measured, in the order they are printed. */
export const TFJS_BACKENDS = ["wasm", "cpu"] as const;
export type TfjsBackend = (typeof TFJS_BACKENDS)[number];

const require = createRequire(import.meta.url);
let wasmPathsSet = false;

/** Selects a TF.js backend; returns null when it started, or why it did not. */
export async function useTfjs(name: TfjsBackend): Promise<string | null> {
  if (!wasmPathsSet) {
    tf.enableProdMode(); // no debug checks, and no "install tfjs-node" banner
    setWasmPaths(path.join(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + path.sep);
    wasmPathsSet = true;
  }
  try {
    if (!(await tf.setBackend(name))) return `TF.js backend ${name} did not start`;
    await tf.ready();
    return null;
  } catch (err) {
    return `TF.js backend ${name} failed: ${(err as Error).message}`;
  }
}

/** The label of a TF.js row, e.g. "TF.js/wasm". */
export function tfjsLabel(name: TfjsBackend): string {
  return `TF.js/${name}`;
}

/** The installed tfjs-core version. */
export function tfjsVersion(): string {
  return tf.version_core;
}
