// Element types of tensors. float32 is the working type; float64 exists on the js backend for gradient
// checks; int32 holds labels and token ids.

export type DType = "float32" | "float64" | "int32";
export type FloatDType = "float32" | "float64";
export type TypedArray = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32"];

/** A zero-filled array of `size` elements of `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
  }
}

/** The dtype a typed array holds. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  return "int32";
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype !== "int32";
}

export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : 4;
}

/** Whether `a` is the typed array that holds `dtype` (Float32Array for float32, …). */
export function isArrayOf(a: ArrayBufferView, dtype: DType): boolean {
  return dtype === "float32" ? a instanceof Float32Array : dtype === "float64" ? a instanceof Float64Array : a instanceof Int32Array;
}
