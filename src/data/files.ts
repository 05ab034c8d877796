// Reading whole files for the data layer, with errors that name the file and say what to do
// (missing file, a directory, no permission) instead of a bare Node error code.

import { readFile } from "node:fs/promises";
import { describeFsError, errnoCode, NnlabError } from "../core/errors.js";

/** What the caller was looking for, used to word the error when the file cannot be read. */
export interface ReadBytesContext {
  /** What the file should be, e.g. "an IDX file" or "a PNG image". */
  what: string;
  /** What the user can do when the file is missing, e.g. "Check the path or run `npm ci`." */
  fix: string;
}

/**
 * Reads a whole file as bytes. Fails with an {@link NnlabError} naming `path` when the file is missing,
 * is a directory or cannot be read.
 */
export async function readFileBytes(path: string, context: ReadBytesContext): Promise<Uint8Array> {
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const code = errnoCode(err);
    const found = code === undefined ? `an unreadable file (${err instanceof Error ? err.message : String(err)})` : describeFsError(err, false);
    const fix = code === "ENOENT" ? context.fix : "Check the path and its permissions.";
    const e = NnlabError.problem({ subject: path, expected: context.what, found, fix });
    e.cause = err;
    throw e;
  }
}
