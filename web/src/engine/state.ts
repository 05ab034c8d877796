// What the engine worker holds between requests: the engine, MNIST, and the current network.

import { init } from "../../../src/backend/index.js";
import type { Backend } from "../../../src/core/backend.js";
import { datasetFromIdx, type Dataset } from "../../../src/data/dataset.js";
import { parseIdx } from "../../../src/data/idx.js";
import type { MLP } from "../../../src/models/mlp.js";
import type { MnistTrainConfig } from "../../../src/train/config.js";

export interface WorkerState {
  backend?: Backend;
  mnist?: { train: Dataset; test: Dataset };
  /** The network the page looks at, and where it came from. */
  model?: MLP;
  config?: MnistTrainConfig;
  origin?: string;
  testAccuracy?: number;
}

export const state: WorkerState = {};

let starting: Promise<Backend> | null = null;

/** Starts the engine once (wasm where WebAssembly SIMD works, else js). */
export function engineReady(): Promise<Backend> {
  starting ??= init().then((b) => (state.backend = b));
  return starting;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching ${url} failed: HTTP ${res.status} (is the page served by \`nnlab serve\`?)`);
  return new Uint8Array(await res.arrayBuffer());
}

let loading: Promise<{ train: Dataset; test: Dataset }> | null = null;

/** MNIST's 60,000 training and 10,000 test images, fetched once from the server's /data/mnist/. */
export function mnist(): Promise<{ train: Dataset; test: Dataset }> {
  loading ??= (async () => {
    const names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
    const [ti, tl, si, sl] = await Promise.all(names.map(async (n) => parseIdx(await fetchBytes(`/data/mnist/${n}`), n)));
    const opts = { rows: 28, cols: 28 };
    state.mnist = {
      train: datasetFromIdx(ti, tl, { images: names[0], labels: names[1] }, opts),
      test: datasetFromIdx(si, sl, { images: names[2], labels: names[3] }, opts),
    };
    return state.mnist;
  })();
  loading.catch(() => (loading = null));
  return loading;
}

export { fetchBytes };
