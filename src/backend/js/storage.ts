// The js backend's buffer: a plain typed array owned by the garbage collector.

import type { Storage } from "../../core/backend.js";
import type { DType, TypedArray } from "../../core/dtype.js";
import { dtypeOfArray } from "../../core/dtype.js";
import type { KernelArg } from "../../core/backend.js";

export class JsStorage implements Storage {
  readonly dtype: DType;
  constructor(readonly array: TypedArray) {
    this.dtype = dtypeOfArray(array);
  }
  get size(): number {
    return this.array.length;
  }
}

/** The typed array behind a kernel argument (which must be a js-backend buffer). */
export function arr(x: KernelArg): TypedArray {
  if (!(x.storage instanceof JsStorage)) throw new Error("js backend: received a buffer from another backend");
  return x.storage.array;
}
