// Shared helpers for the data-layer tests: temp folders, IDX byte builders, error assertions.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NnlabError } from "../../src/core/errors.js";

/** Makes a fresh temp folder; call the returned function to delete it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "nnlab-data-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The bytes of an IDX file: magic (0, 0, code, ndims), big-endian dims, then `payload` as given. */
export function idxBytes(code: number, dims: number[], payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload.length);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(payload, 4 + 4 * dims.length);
  return out;
}

/** Asserts `fn` throws (or rejects with) an NnlabError whose one-line message contains every `parts`. */
export async function assertNnlabError(fn: () => unknown, ...parts: (string | RegExp)[]): Promise<void> {
  await assert.rejects(async () => fn(), (err: unknown) => {
    assert.ok(err instanceof NnlabError, `expected NnlabError, got ${String(err)}`);
    assert.ok(!err.message.includes("\n"), `message should be one line: ${err.message}`);
    for (const p of parts) {
      if (typeof p === "string") assert.ok(err.message.includes(p), `message ${JSON.stringify(err.message)} should contain ${JSON.stringify(p)}`);
      else assert.match(err.message, p);
    }
    return true;
  });
}

/** Pearson correlation of two equal-length arrays. */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG computes it over a chunk's type and data. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data and its checksum. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
