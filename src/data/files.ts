// Reading whole files for the data layer, with errors that name the file and say what to do
// (missing file, a directory, no permission) instead of a bare Node error code.

import { readFile } from "node:fs/promises";
import { NnlabError } from "../core/errors.js";

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
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    let found: string;
    if (code === "ENOENT") found = "no such file";
    else if (code === "EISDIR") found = "a directory";
    else if (code === "EACCES" || code === "EPERM") found = "a file it has no permission to read";
    else found = `an unreadable file (${err instanceof Error ? err.message : String(err)})`;
    const fix = code === "ENOENT" ? context.fix : "Check the path and its permissions.";
    const e = NnlabError.problem({ subject: path, expected: context.what, found, fix });
    e.cause = err;
    throw e;
  }
}
