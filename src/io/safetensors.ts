// Reads and writes safetensors files, the Hugging Face weight format that PyTorch loads: an 8-byte
// little-endian header length N, N bytes of JSON header, then the packed tensor bytes.
// Format: https://github.com/huggingface/safetensors#format

import { NnlabError } from "../core/errors.js";

/** The element types nnlab reads and writes. Others (F16, BF16, BOOL, …) are refused with a clear error. */
export type SafetensorsDtype = "F32" | "F64" | "I32" | "I64" | "U8";

/** The typed array that holds each dtype. I64 is read losslessly into a BigInt64Array. */
export interface DtypeArrays {
  F32: Float32Array;
  F64: Float64Array;
  I32: Int32Array;
  I64: BigInt64Array;
  U8: Uint8Array;
}

/** One tensor: dtype, shape (row-major) and its elements; `data.length` is the product of `shape`. */
export type SafeTensor = {
  [D in SafetensorsDtype]: { dtype: D; shape: number[]; data: DtypeArrays[D] };
}[SafetensorsDtype];

/** A decoded file: tensors by name and the string-to-string `__metadata__` (empty when absent). */
export interface SafetensorsFile {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
}

/** What the header says about one tensor, without its data. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data buffer (which starts right after the header). */
  dataOffsets: [number, number];
}

/** The parsed header of a file: tensor entries by name, metadata, and where the data buffer starts. */
export interface SafetensorsHeader {
  entries: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data buffer in the file: 8 + the header length. */
  dataStart: number;
}

/** Headers larger than this are refused before reading them (real ones are kilobytes). */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPES: { [D in SafetensorsDtype]: { bytes: number; make(n: number): DtypeArrays[D]; is(a: unknown): boolean } } = {
  F32: { bytes: 4, make: (n) => new Float32Array(n), is: (a) => a instanceof Float32Array },
  F64: { bytes: 8, make: (n) => new Float64Array(n), is: (a) => a instanceof Float64Array },
  I32: { bytes: 4, make: (n) => new Int32Array(n), is: (a) => a instanceof Int32Array },
  I64: { bytes: 8, make: (n) => new BigInt64Array(n), is: (a) => a instanceof BigInt64Array },
  U8: { bytes: 1, make: (n) => new Uint8Array(n), is: (a) => a instanceof Uint8Array },
};
const DTYPE_NAMES = Object.keys(DTYPES).join(", ");
const CORRUPT = "The file is truncated or corrupt; write it again.";
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

/** Reverses the bytes of each `size`-byte element in place (only needed on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** Sets an own property, so a tensor named "__proto__" is stored as data, not as the prototype. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------
// Writing

/**
 * Encodes tensors as a safetensors file. Header keys are sorted by name. The data buffer holds the
 * tensors tightly packed, little-endian, ordered by element size (largest first) and then by name, as
 * the reference implementation does, so that every tensor starts at a multiple of its element size and
 * zero-copy readers can map it. The header is padded with spaces to a multiple of 8 bytes.
 *
 * Pass `metadata` such as `{ format: "pt" }` for Hugging Face `transformers`, which checks that key.
 * @throws TypeError when a tensor's data does not match its dtype or shape (a bug in the caller).
 */
export function encodeSafetensors(tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  for (const name of names) checkTensorForWrite(name, tensors[name]);
  if (metadata) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") throw new TypeError(`safetensors metadata "${key}" must be a string, got ${typeof value}`);
    }
  }

  // Lay out the data buffer: by element size, largest first, then by name.
  const layout = [...names].sort((a, b) => DTYPES[tensors[b].dtype].bytes - DTYPES[tensors[a].dtype].bytes || (a < b ? -1 : a > b ? 1 : 0));
  const offsets = new Map<string, [number, number]>();
  let total = 0;
  for (const name of layout) {
    const t = tensors[name];
    const end = total + t.data.length * DTYPES[t.dtype].bytes;
    offsets.set(name, [total, end]);
    total = end;
  }

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  for (const name of names) {
    const t = tensors[name];
    setOwn(header, name, { dtype: t.dtype, shape: [...t.shape], data_offsets: offsets.get(name) });
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;

  const out = new Uint8Array(8 + headerLength + total);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces
  const dataStart = 8 + headerLength;
  for (const name of layout) {
    const t = tensors[name];
    const [begin, end] = offsets.get(name)!;
    const target = out.subarray(dataStart + begin, dataStart + end);
    target.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    if (!HOST_LITTLE_ENDIAN) swapBytes(target, DTYPES[t.dtype].bytes);
  }
  return out;
}

function checkTensorForWrite(name: string, t: SafeTensor): void {
  const where = `safetensors: tensor "${name}"`;
  if (name === "__metadata__") throw new TypeError(`${where}: the name is reserved for the metadata`);
  if (!isDtype(t.dtype)) throw new TypeError(`${where}: dtype ${String(t.dtype)} is not one of ${DTYPE_NAMES}`);
  if (!DTYPES[t.dtype].is(t.data)) {
    throw new TypeError(`${where}: dtype ${t.dtype} needs a ${DTYPES[t.dtype].make(0).constructor.name}, got ${t.data?.constructor?.name}`);
  }
  let n = 1;
  for (const d of t.shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new TypeError(`${where}: shape [${t.shape.join(", ")}] must hold whole numbers >= 0`);
    n *= d;
  }
  if (n !== t.data.length) {
    throw new TypeError(`${where}: shape [${t.shape.join(", ")}] holds ${n} elements but data has ${t.data.length}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading

/**
 * Reads the 8-byte header length and checks it against the file size and {@link MAX_HEADER_BYTES}
 * before anything is allocated for the header.
 */
export function checkHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8) {
    throw NnlabError.problem({
      subject: file,
      expected: "a safetensors file (8-byte header length, JSON header, tensor bytes)",
      found: `only ${fileSize} bytes`,
      fix: CORRUPT,
    });
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(fileSize - 8)) {
    throw NnlabError.problem({
      subject: file,
      expected: `a header length of at most ${fileSize - 8} bytes (the file size less 8)`,
      found: `${n}`,
      fix: "The file is truncated or not a safetensors file.",
    });
  }
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw NnlabError.problem({ subject: file, expected: `a JSON header of at most ${MAX_HEADER_BYTES} bytes`, found: `${n} bytes`, fix: CORRUPT });
  }
  return Number(n);
}

/**
 * Parses and checks a header: valid UTF-8 JSON object, string metadata, and for every tensor a known
 * dtype, a shape of whole numbers >= 0, and data offsets inside the buffer whose length matches the
 * shape; together the tensors must cover the data buffer exactly, without overlaps or gaps.
 */
export function parseHeader(headerBytes: Uint8Array, bufferLength: number, file: string): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
  } catch {
    throw NnlabError.problem({ subject: file, expected: "a UTF-8 JSON header", found: "bytes that are not UTF-8", fix: CORRUPT });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw NnlabError.problem({ subject: file, expected: "a JSON header", found: `invalid JSON (${why})`, fix: CORRUPT });
  }
  if (!isPlainObject(parsed)) {
    throw NnlabError.problem({ subject: file, expected: "a JSON object as header", found: Array.isArray(parsed) ? "an array" : JSON.stringify(parsed), fix: CORRUPT });
  }

  const metadata: Record<string, string> = {};
  const entries: Record<string, SafetensorsEntry> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (name === "__metadata__") {
      if (!isPlainObject(value)) {
        throw NnlabError.problem({ subject: `${file}: __metadata__`, expected: "an object of strings", found: JSON.stringify(value), fix: CORRUPT });
      }
      for (const [key, v] of Object.entries(value)) {
        if (typeof v !== "string") {
          throw NnlabError.problem({ subject: `${file}: __metadata__.${key}`, expected: "a string", found: JSON.stringify(v), fix: CORRUPT });
        }
        setOwn(metadata, key, v);
      }
      continue;
    }
    setOwn(entries, name, parseEntry(name, value, bufferLength, file));
  }
  checkCoverage(entries, bufferLength, file);
  return { entries, metadata, dataStart: 8 + headerBytes.length };
}

function parseEntry(name: string, value: unknown, bufferLength: number, file: string): SafetensorsEntry {
  const subject = `${file}: tensor "${name}"`;
  const bad = (expected: string, found: unknown, fix = CORRUPT): NnlabError =>
    NnlabError.problem({ subject, expected, found: typeof found === "string" ? found : JSON.stringify(found), fix });
  if (!isPlainObject(value)) throw bad("an object {dtype, shape, data_offsets}", value);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isDtype(dtype)) {
    throw bad(`dtype one of ${DTYPE_NAMES}`, dtype, "Convert the tensor before saving it, e.g. `tensor.float()` in PyTorch.");
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad("a shape of whole numbers >= 0", shape);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw bad("data_offsets [begin, end] of two whole numbers >= 0", offsets);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > bufferLength) {
    throw bad(`data_offsets within the ${bufferLength}-byte data buffer`, offsets);
  }
  // Element count, stopping early once it is too large for the buffer (so huge shapes cannot overflow).
  let count = shape.includes(0) ? 0 : 1;
  for (const d of shape as number[]) {
    if (count === 0 || count > bufferLength) break;
    count *= d;
  }
  const expectedBytes = count * DTYPES[dtype].bytes;
  if (expectedBytes !== end - begin) {
    const size = count > bufferLength ? "more bytes than the whole buffer" : `${expectedBytes} bytes`;
    throw bad(`${size} for ${dtype} shape [${shape.join(", ")}]`, `data_offsets [${begin}, ${end}] (${end - begin} bytes)`);
  }
  return { dtype, shape: [...(shape as number[])], dataOffsets: [begin, end] };
}

/** The tensors' byte ranges must tile the buffer: start at 0, no overlap, no gap, end at its length. */
function checkCoverage(entries: Record<string, SafetensorsEntry>, bufferLength: number, file: string): void {
  const sorted = Object.entries(entries).sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let position = 0;
  let previous = "";
  for (const [name, entry] of sorted) {
    const [begin, end] = entry.dataOffsets;
    if (begin < position) {
      throw NnlabError.problem({
        subject: `${file}: tensor "${name}"`,
        expected: `data starting at byte ${position} or later`,
        found: `data_offsets [${begin}, ${end}], which overlap tensor "${previous}"`,
        fix: CORRUPT,
      });
    }
    if (begin > position) {
      throw NnlabError.problem({
        subject: `${file}: tensor "${name}"`,
        expected: `data starting at byte ${position}, right after ${previous ? `tensor "${previous}"` : "the header"}`,
        found: `data_offsets [${begin}, ${end}], leaving bytes ${position}..${begin} unused`,
        fix: CORRUPT,
      });
    }
    position = end;
    previous = name;
  }
  if (position !== bufferLength) {
    throw NnlabError.problem({
      subject: file,
      expected: `tensors covering the whole ${bufferLength}-byte data buffer`,
      found: `${bufferLength - position} unused bytes at the end${previous ? ` after tensor "${previous}"` : ""}`,
      fix: CORRUPT,
    });
  }
}

/**
 * Decodes a safetensors file from bytes. The whole header is validated before any tensor is allocated;
 * each tensor is then copied into its own, properly aligned typed array (the input can be released).
 * I64 tensors come back as BigInt64Array (lossless); {@link int64ToInt32} converts with a range check.
 *
 * @param file the file name, used in error messages.
 * @throws NnlabError naming the file, and the tensor where one is at fault, for any malformed input.
 */
export function decodeSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const headerLength = checkHeaderLength(bytes, bytes.length, file);
  const bufferLength = bytes.length - 8 - headerLength;
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), bufferLength, file);
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, entry] of Object.entries(header.entries)) {
    const [begin, end] = entry.dataOffsets;
    const count = (end - begin) / DTYPES[entry.dtype].bytes;
    const data = DTYPES[entry.dtype].make(count);
    const target = new Uint8Array(data.buffer);
    target.set(bytes.subarray(header.dataStart + begin, header.dataStart + end));
    if (!HOST_LITTLE_ENDIAN) swapBytes(target, DTYPES[entry.dtype].bytes);
    setOwn(tensors, name, { dtype: entry.dtype, shape: entry.shape, data } as SafeTensor);
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Converts int64 values (e.g. token ids saved by PyTorch) to an Int32Array.
 * @param what names the tensor in the error, e.g. `model.safetensors: tensor "ids"`.
 * @throws NnlabError when a value does not fit in 32 bits.
 */
export function int64ToInt32(data: BigInt64Array, what: string): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < -2147483648n || v > 2147483647n) {
      throw NnlabError.problem({ subject: what, expected: "int64 values that fit in 32 bits", found: `${v} at index ${i}` });
    }
    out[i] = Number(v);
  }
  return out;
}

/**
 * The float tensors of a decoded file as float32 (F32 as they are, F64 converted); any other dtype is an
 * error naming `file` and the tensor.
 */
export function floatTensors(decoded: SafetensorsFile, file: string): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, t] of Object.entries(decoded.tensors)) {
    if (t.dtype !== "F32" && t.dtype !== "F64") {
      throw NnlabError.problem({ subject: `${file}: ${name}`, expected: "F32 or F64 values", found: t.dtype, fix: "Save the weights as float32 (e.g. `model.float()` in PyTorch before saving)." });
    }
    out[name] = { shape: t.shape, data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) };
  }
  return out;
}
