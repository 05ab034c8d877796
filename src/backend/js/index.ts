// The js backend: plain TypeScript loops over typed arrays. Always available, supports float64 (for
// gradient checks), and is the readable oracle every faster backend is tested against.

import type { Backend, Kernels } from "../../core/backend.js";
import { allocArray, type TypedArray } from "../../core/dtype.js";
import { binaryKernel, binaryLoops, unaryKernel, unaryLoops, whereKernel } from "./elementwise.js";
import { col2imKernel, im2colKernel } from "./conv.js";
import { matmulKernel } from "./matmul.js";
import {
  broadcastToKernel, castKernel, concatKernel, gatherKernel, oneHotKernel, padKernel, permuteKernel, scatterAddKernel, sliceKernel,
} from "./movement.js";
import { argmaxKernel, maxKernel, sumKernel } from "./reduce.js";
import { JsStorage } from "./storage.js";

/** The js kernels, also run by the wasm backend on views of its memory for int32 and data movement. */
export const kernels: Kernels = {
  neg: unaryKernel(unaryLoops.neg),
  exp: unaryKernel(unaryLoops.exp),
  log: unaryKernel(unaryLoops.log),
  sqrt: unaryKernel(unaryLoops.sqrt),
  tanh: unaryKernel(unaryLoops.tanh),
  erf: unaryKernel(unaryLoops.erf),
  add: binaryKernel(binaryLoops.add),
  sub: binaryKernel(binaryLoops.sub),
  mul: binaryKernel(binaryLoops.mul),
  div: binaryKernel(binaryLoops.div),
  maximum: binaryKernel(binaryLoops.maximum),
  greater: binaryKernel(binaryLoops.greater),
  equal: binaryKernel(binaryLoops.equal),
  where: whereKernel,
  sum: sumKernel,
  max: maxKernel,
  argmax: argmaxKernel,
  matmul: matmulKernel,
  permute: permuteKernel,
  broadcastTo: broadcastToKernel,
  slice: sliceKernel,
  pad: padKernel,
  concat: concatKernel,
  gather: gatherKernel,
  scatterAdd: scatterAddKernel,
  oneHot: oneHotKernel,
  cast: castKernel,
  im2col: im2colKernel,
  col2im: col2imKernel,
};

/** Creates the js backend. */
export function createJsBackend(): Backend {
  return {
    name: "js",
    dtypes: ["float32", "float64", "int32"],
    alloc: (dtype, size) => new JsStorage(allocArray(dtype, size)),
    upload: (data: TypedArray) => new JsStorage(data.slice()),
    read: (storage) => {
      if (!(storage instanceof JsStorage)) throw new Error("js backend: asked to read a buffer of another backend");
      return storage.array.slice();
    },
    free: () => {},
    kernels,
  };
}
