// Atomic writes: a file, or a whole directory of files, appears complete or not at all (temp + fsync +
// rename), so a reader never sees a half-written checkpoint and a failed write keeps the previous version.

import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
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
export function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString("hex")}`;
}

async function resolveData(source: FileSource): Promise<FileData> {
  return typeof source === "function" ? await source() : source;
}

/** Creates `file` (it must not exist), writes `data` and flushes it to disk before closing. */
export async function writeAndSync(file: string, data: FileData): Promise<void> {
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
export async function syncDir(dir: string): Promise<void> {
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
    testStage("file-synced");
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

/** `.NAME.<pid>-<hex>.<kind>` beside a directory NAME: a swap's pieces (see {@link writeFilesAtomic}). */
const SWAP_PIECE = /^\.(.+)\.(\d+)-[0-9a-f]{12}\.(tmp|new|old)$/;

/** Whether process `pid` is still running (its leftovers may still be in use). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === "EPERM"; // exists, owned by someone else
  }
}

/**
 * Finishes or undoes a directory swap of {@link writeFilesAtomic} that a killed process left half done,
 * and removes the pieces dead writers left beside `dir`: when `dir` is missing, the newest complete new
 * version (`.NAME.*.new`) is renamed into place, else the newest previous version (`.NAME.*.old`).
 * Pieces of live processes are left alone. Called at the start of every {@link writeFilesAtomic}.
 */
export async function recoverInterruptedSwap(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return; // no parent yet: nothing to recover
  }
  const pieces = names
    .map((name) => ({ name, m: SWAP_PIECE.exec(name) }))
    .filter((p) => p.m && p.m[1] === base && !processAlive(Number(p.m[2])))
    .map((p) => ({ full: path.join(parent, p.name), kind: p.m![3], mtime: 0 }));
  if (pieces.length === 0) return;
  for (const p of pieces) p.mtime = (await stat(p.full).catch(() => undefined))?.mtimeMs ?? 0;
  pieces.sort((a, b) => b.mtime - a.mtime);
  const present = await stat(target).then(() => true, () => false);
  if (!present) {
    const restore = pieces.find((p) => p.kind === "new") ?? pieces.find((p) => p.kind === "old");
    if (restore) {
      await rename(restore.full, target);
      pieces.splice(pieces.indexOf(restore), 1);
      await syncDir(parent);
    }
  }
  for (const p of pieces) await rm(p.full, { recursive: true, force: true });
}

/**
 * Makes a directory of files appear all at once (for report folders a person opens; checkpoints use
 * run-dir.ts, whose run directory never moves). Everything is written and fsynced into a sibling temp
 * directory `.NAME.<pid>-<hex>.tmp`, which is then marked complete by renaming it to `.new`; then the
 * old directory is renamed aside (`.old`), the new one renamed in, and the old one removed. If writing
 * fails, the previous directory is left intact and the temp directory removed. Missing parents of `dir`
 * are created. `files` maps plain file names (no folders) to contents; files of the old directory that
 * are not in `files` are gone afterwards.
 *
 * Between the two renames (about a millisecond) `dir` does not exist. A process killed there leaves the
 * complete new version as `.new`; the next write to `dir` (or {@link recoverInterruptedSwap}) renames it
 * into place and removes the leftovers.
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
  const piece = (kind: string) => path.join(parent, `.${path.basename(target)}.${suffix}.${kind}`);
  const [temp, ready, aside] = [piece("tmp"), piece("new"), piece("old")];
  await ensureDir(parent);
  await recoverInterruptedSwap(target).catch((err: unknown) => {
    throw fsProblem(err, dir, "a writable directory location", true);
  });

  // 1. Write every file into the temp directory, then mark it complete.
  try {
    await mkdir(temp);
    for (const name of names) {
      await writeAndSync(path.join(temp, name), await resolveData(files[name]));
    }
    await syncDir(temp);
    await rename(temp, ready);
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw fsProblem(err, dir, "a writable directory location", true);
  }
  testStage("swap-ready");

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
    testStage("swap-aside");
    await rename(ready, target);
  } catch (err) {
    if (movedAside) await rename(aside, target).catch(() => undefined);
    await rm(ready, { recursive: true, force: true }).catch(() => undefined);
    throw fsProblem(err, dir, "a writable directory location", true);
  }
  await syncDir(parent);

  // 3. The new version is in place; the old one can go.
  if (movedAside) await rm(aside, { recursive: true, force: true });
}

let killAt: { stage: string; nth: number } | null | undefined;
const stageCounts = new Map<string, number>();

/**
 * A test hook, off unless the environment variable NNLAB_TEST_KILL_AT is set to `STAGE` or `STAGE@N`:
 * the process then kills itself with SIGKILL the Nth time (default 1st) a write reaches that stage, so
 * the kill tests can stop a checkpoint write between any two of its steps. Stages: see run-dir.ts and
 * {@link writeFilesAtomic}.
 */
export function testStage(stage: string): void {
  if (killAt === undefined) {
    const spec = typeof process !== "undefined" ? process.env.NNLAB_TEST_KILL_AT : undefined;
    const m = spec ? /^([a-z-]+)(?:@(\d+))?$/.exec(spec) : null;
    killAt = m ? { stage: m[1], nth: m[2] ? Number(m[2]) : 1 } : null;
  }
  if (!killAt || killAt.stage !== stage) return;
  const n = (stageCounts.get(stage) ?? 0) + 1;
  stageCounts.set(stage, n);
  if (n === killAt.nth) process.kill(process.pid, "SIGKILL");
}
