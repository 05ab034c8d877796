// The js backend: plain TypeScript loops over typed arrays. Always available, supports float64 (for
// gradient checks), and is the readable oracle every faster backend is tested against.

import type { Backend, Kernels } from "../../core/backend.js";
import { allocArray, type TypedArray } from "../../core/dtype.js";
import { binaryFns, binaryKernel, unaryFns, unaryKernel, whereKernel } from "./elementwise.js";
import { matmulKernel } from "./matmul.js";
import {
  broadcastToKernel, castKernel, concatKernel, gatherKernel, oneHotKernel, padKernel, permuteKernel, scatterAddKernel, sliceKernel,
} from "./movement.js";
import { argmaxKernel, maxKernel, sumKernel } from "./reduce.js";
import { JsStorage } from "./storage.js";

const kernels: Kernels = {
  neg: unaryKernel(unaryFns.neg),
  exp: unaryKernel(unaryFns.exp),
  log: unaryKernel(unaryFns.log),
  sqrt: unaryKernel(unaryFns.sqrt),
  tanh: unaryKernel(unaryFns.tanh),
  erf: unaryKernel(unaryFns.erf),
  add: binaryKernel(binaryFns.add),
  sub: binaryKernel(binaryFns.sub),
  mul: binaryKernel(binaryFns.mul),
  div: binaryKernel(binaryFns.div),
  maximum: binaryKernel(binaryFns.maximum),
  greater: binaryKernel(binaryFns.greater),
  equal: binaryKernel(binaryFns.equal),
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
