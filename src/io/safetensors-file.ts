// safetensors files on disk (Node): atomic writes, whole reads and header-only reads. The format itself
// (encoding, decoding, validation) is safetensors.ts, which the web lab shares.

import { open } from "node:fs/promises";
import { writeFileAtomic } from "./atomic.js";
import { fsProblem, readFileBytes } from "./fs-errors.js";
import { checkHeaderLength, decodeSafetensors, encodeSafetensors, parseHeader, type SafeTensor, type SafetensorsFile, type SafetensorsHeader } from "./safetensors.js";

/**
 * Writes tensors to a safetensors file atomically (temp file + rename), see {@link encodeSafetensors}.
 * @throws NnlabError naming `path` when it cannot be written.
 */
export async function writeSafetensors(path: string, tensors: Record<string, SafeTensor>, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, () => encodeSafetensors(tensors, metadata));
}

/**
 * Reads and decodes a safetensors file, see {@link decodeSafetensors}.
 * @throws NnlabError naming `path` when it is missing, unreadable or malformed.
 */
export async function readSafetensors(path: string): Promise<SafetensorsFile> {
  return decodeSafetensors(await readFileBytes(path, "a safetensors file"), path);
}

/**
 * Reads and validates only the header of a safetensors file (names, dtypes, shapes, metadata), without
 * reading the tensor data; for listing a checkpoint's contents cheaply.
 * @throws NnlabError naming `path` when it is missing, unreadable or malformed.
 */
export async function readSafetensorsHeader(path: string): Promise<SafetensorsHeader> {
  let handle;
  try {
    handle = await open(path, "r");
    const size = (await handle.stat()).size;
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, Math.min(8, size), 0);
    const headerLength = checkHeaderLength(prefix, size, path);
    const headerBytes = new Uint8Array(headerLength);
    await handle.read(headerBytes, 0, headerLength, 8);
    return parseHeader(headerBytes, size - 8 - headerLength, path);
  } catch (err) {
    throw fsProblem(err, path, "a safetensors file", false);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

