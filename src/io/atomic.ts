// Atomic writes: a file, or a whole directory of files, appears complete or not at all (temp + fsync +
// rename), so a reader never sees a half-written checkpoint and a failed write keeps the previous version.

import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { NnlabError } from "../core/errors.js";
import { errnoCode, fsProblem } from "./fs-errors.js";

/** The contents of one file: bytes, or a string written as UTF-8. */
export type FileData = Uint8Array | string;

/**
 * Contents, or a function that produces them when the file is written (so a directory of large files can
 * be encoded one file at a time). An error thrown by the function aborts the write and is rethrown as is.
 */
export type FileSource = FileData | (() => FileData | Promise<FileData>);

/** A name no other writer (process or concurrent call) will pick: pid plus 48 random bits. */
function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString("hex")}`;
}

async function resolveData(source: FileSource): Promise<FileData> {
  return typeof source === "function" ? await source() : source;
}

/** Creates `file` (it must not exist), writes `data` and flushes it to disk before closing. */
async function writeAndSync(file: string, data: FileData): Promise<void> {
  const handle = await open(file, "wx");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Flushes a directory's entries so a rename inside it survives a power cut. Some platforms (Windows)
 * cannot open a directory; there durability is best effort and the rename is still atomic.
 */
async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // best effort, see above
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Creates `dir` and its parents if needed. Fails with an {@link NnlabError} naming `dir` when a file is in
 * the way or there is no permission.
 */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fsProblem(err, dir, "a directory it can create or use", true);
  }
}

/**
 * Writes a file atomically: the data goes to a uniquely named temp file in the same directory, is flushed
 * with fsync and then renamed over `file`. Readers see either the old file or the new one, never a part;
 * on failure the temp file is removed and the old file is left as it was. The directory must exist.
 *
 * @throws NnlabError naming `file` for file-system failures; errors thrown by a `data` function unchanged.
 */
export async function writeFileAtomic(file: string, data: FileSource): Promise<void> {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${uniqueSuffix()}.tmp`);
  try {
    const bytes = await resolveData(data);
    await writeAndSync(temp, bytes);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw fsProblem(err, file, "a writable file location", true);
  }
  await syncDir(dir);
}

/** Checks a file name for {@link writeFilesAtomic}: one plain name, no folders. A bad name is a bug. */
function checkPlainName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    throw new TypeError(`writeFilesAtomic: file name ${JSON.stringify(name)} must be a plain name without folders`);
  }
}

/**
 * Makes a directory of files appear all at once: everything is written and fsynced into a sibling temp
 * directory, then swapped into place (old directory renamed aside, new one renamed in, old one removed).
 * A reader never sees a half-written directory; if writing fails, the previous directory is left intact
 * and the temp directory removed. Missing parents of `dir` are created. `files` maps plain file names
 * (no folders) to contents; files of the old directory that are not in `files` are gone afterwards.
 *
 * Between the two renames (microseconds) `dir` does not exist; if the process dies exactly there, the
 * previous version survives as the sibling `.NAME.<pid>-<random>.old`.
 *
 * @throws NnlabError naming `dir` for file-system failures or when `dir` is a file; errors thrown by a
 * content function unchanged.
 */
export async function writeFilesAtomic(dir: string, files: Record<string, FileSource>): Promise<void> {
  const names = Object.keys(files);
  names.forEach(checkPlainName);
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const suffix = uniqueSuffix();
  const temp = path.join(parent, `.${path.basename(target)}.${suffix}.tmp`);
  const aside = path.join(parent, `.${path.basename(target)}.${suffix}.old`);
  await ensureDir(parent);

  // 1. Write every file into the temp directory.
  try {
    await mkdir(temp);
    for (const name of names) {
      await writeAndSync(path.join(temp, name), await resolveData(files[name]));
    }
    await syncDir(temp);
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw fsProblem(err, dir, "a writable directory location", true);
  }

  // 2. Swap it into place.
  let movedAside = false;
  try {
    const existing = await stat(target).catch((err: unknown) => {
      if (errnoCode(err) === "ENOENT") return undefined;
      throw err;
    });
    if (existing && !existing.isDirectory()) {
      throw NnlabError.problem({
        subject: dir,
        expected: "a directory (or nothing) to write into",
        found: "a file",
        fix: "Choose another path or move the file away.",
      });
    }
    if (existing) {
      await rename(target, aside);
      movedAside = true;
    }
    await rename(temp, target);
  } catch (err) {
    if (movedAside) await rename(aside, target).catch(() => undefined);
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw fsProblem(err, dir, "a writable directory location", true);
  }
  await syncDir(parent);

  // 3. The new version is in place; the old one can go.
  if (movedAside) await rm(aside, { recursive: true, force: true });
}
