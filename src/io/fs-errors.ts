// Turns Node file-system errors (ENOENT, EACCES, …) into one-line NnlabErrors that name the file, and
// reads whole files with such errors. Shared by the io readers and writers.

import { readFile } from "node:fs/promises";
import { NnlabError } from "../core/errors.js";

/** The errno code of a Node file-system error, or undefined for any other thrown value. */
export function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === "string") {
    return (err as NodeJS.ErrnoException).code;
  }
  return undefined;
}

/** Words for what the file system found, e.g. "no such file" for ENOENT. */
export function describeFsError(err: unknown, writing: boolean): string {
  switch (errnoCode(err)) {
    case "ENOENT":
      return writing ? "no such directory" : "no such file";
    case "EISDIR":
      return "a directory";
    case "ENOTDIR":
      return "a path that goes through a file, not a directory";
    case "EEXIST":
      return "a file already in the way";
    case "EACCES":
    case "EPERM":
      return writing ? "no permission to write there" : "a file it has no permission to read";
    case "EROFS":
      return "a read-only file system";
    case "ENOSPC":
      return "a full disk";
    case "ENAMETOOLONG":
      return "a file name that is too long";
    default:
      return `an error (${err instanceof Error ? err.message : String(err)})`;
  }
}

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
