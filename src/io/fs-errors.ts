// Turns Node file-system errors (ENOENT, EACCES, …) into one-line NnlabErrors that name the file, and
// reads whole files with such errors. Shared by the io readers and writers.

import { readFile } from "node:fs/promises";
import { describeFsError, errnoCode, NnlabError } from "../core/errors.js";

export { describeFsError, errnoCode };

/**
 * Wraps a file-system error into an {@link NnlabError} naming `path`; anything that is not an errno error
 * (a bug, or an error thrown by a caller's callback) is returned unchanged so it keeps its identity.
 */
export function fsProblem(err: unknown, path: string, expected: string, writing: boolean): unknown {
  if (errnoCode(err) === undefined) return err;
  const code = errnoCode(err);
  const fix =
    code === "ENOENT" && !writing
      ? "Check the path."
      : code === "ENOSPC"
        ? "Free some disk space and try again."
        : "Check the path and its permissions.";
  const e = NnlabError.problem({ subject: path, expected, found: describeFsError(err, writing), fix });
  e.cause = err;
  return e;
}

/**
 * Reads a whole file as bytes. Fails with an {@link NnlabError} naming `path` when it is missing, is a
 * directory or cannot be read; `what` says what the file should be, e.g. "a safetensors file".
 */
export async function readFileBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    throw fsProblem(err, path, what, false);
  }
}
