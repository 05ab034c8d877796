// Run directories whose files change all at once, with no moment where the run is missing: each save
// goes into a new numbered folder inside the run, which becomes current when a pointer file is replaced.
//
//   runs/NAME/                        the run directory: created once, never renamed or removed
//     current.json                    {"format": "nnlab-run", "checkpoint": "checkpoint-000007"}
//     checkpoint-000007/              the current files (any set: model.safetensors, config.json, …)
//     checkpoint-000006/              the one before, kept so a reader that resolved it can finish
//
// A save (writeRunFiles) runs these stages; a kill at any point leaves the previous save current:
//   1. write and fsync every file into `.checkpoint-N.<pid>-<hex>.tmp`   (leftover: a dot-folder)
//   2. rename it to `checkpoint-N` and fsync the run directory            (leftover: a folder no pointer names)
//   3. replace current.json atomically (temp file + fsync + rename)      ← the save takes effect here
//   4. remove every other checkpoint folder but the previous current one, and the leftovers of dead writers.
// Readers resolve current.json once (currentRunFiles) and read every file from that folder. Leftovers
// sit inside the run directory, so a listing of runs never shows them; the next save removes them.
// Runs written before this scheme (the files directly in runs/NAME) are still read, and the first save
// into one moves it to the new layout.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { NnlabError } from "../core/errors.js";
import {
  ensureDir,
  processAlive,
  recoverInterruptedSwap,
  syncDir,
  testStage,
  uniqueSuffix,
  writeAndSync,
  writeFileAtomic,
  type FileSource,
} from "./atomic.js";
import { fsProblem } from "./fs-errors.js";

/** The pointer file of a run directory. */
export const RUN_POINTER = "current.json";
const POINTER_FORMAT = "nnlab-run";
const CHECKPOINT = /^checkpoint-(\d{6,})$/;
/** `.checkpoint-N.<pid>-<hex>.tmp` (an unfinished stage 1) and the pointer's own temp file. */
const LEFTOVER = /^\.(?:checkpoint-\d+|current\.json)\.(\d+)-[0-9a-f]{12}\.tmp$/;

/** Options of {@link writeRunFiles}. */
export interface RunWriteOptions {
  /** Keep the checkpoint that was current before this save (default true), for readers that resolved it a moment ago. */
  keepPrevious?: boolean;
  /** Plain file names a run written before this scheme may hold at its top level; removed once the save is current. */
  legacyFiles?: readonly string[];
}

function checkpointName(n: number): string {
  return `checkpoint-${String(n).padStart(6, "0")}`;
}

function pointerProblem(file: string, found: string): NnlabError {
  return NnlabError.problem({
    subject: file,
    expected: `{"format": "${POINTER_FORMAT}", "checkpoint": "checkpoint-NNNNNN"} naming a folder beside it`,
    found,
    fix: "Restore the run from a backup or train it again; nnlab never writes such a pointer.",
  });
}

/** The checkpoint folder named by `dir`'s pointer file, or null without one (synchronous: the server and CLI checks use it). */
function readPointer(dir: string): string | null {
  const file = path.join(dir, RUN_POINTER);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw fsProblem(err, file, "a readable run pointer", false);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw pointerProblem(file, "text that is not JSON");
  }
  const { format, checkpoint } = (value ?? {}) as { format?: unknown; checkpoint?: unknown };
  if (format !== POINTER_FORMAT || typeof checkpoint !== "string" || !CHECKPOINT.test(checkpoint)) {
    throw pointerProblem(file, JSON.stringify(value).slice(0, 120));
  }
  const folder = path.join(dir, checkpoint);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw pointerProblem(file, `a pointer to ${checkpoint}, which is missing`);
  return folder;
}

/**
 * The folder that holds a run's current files: its current checkpoint folder, or `dir` itself for a run
 * written before checkpoint folders existed (one of `legacyFiles` directly inside), or null when `dir`
 * holds no saved run (missing, empty, or only the leftovers of a save that never completed).
 *
 * @throws NnlabError when the pointer file is damaged or names a missing folder.
 */
export function currentRunFiles(dir: string, legacyFiles: readonly string[] = []): string | null {
  const folder = readPointer(dir);
  if (folder) return folder;
  return legacyFiles.some((f) => existsSync(path.join(dir, f))) ? dir : null;
}

/** Whether `dir` looks like a run directory of this scheme: a pointer, or checkpoint folders or their leftovers. */
export function isRunDir(dir: string): boolean {
  return existsSync(path.join(dir, RUN_POINTER)) || readdirNames(dir).some((n) => CHECKPOINT.test(n) || LEFTOVER.test(n));
}

function readdirNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Removes what interrupted or superseded saves left in a run directory: unfinished temp folders and
 * pointer temp files of processes that are no longer running, and every checkpoint folder except the
 * current one and those named in `keep` (folder names). Safe to call at any time; {@link writeRunFiles}
 * calls it after every save.
 */
export async function cleanRunDir(dir: string, keep: readonly string[] = []): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const current = readPointer(dir);
  const kept = new Set(current ? [path.basename(current), ...keep] : []); // without a pointer, nothing here is a run yet
  for (const name of names) {
    const m = LEFTOVER.exec(name);
    if ((CHECKPOINT.test(name) && !kept.has(name)) || (m && !processAlive(Number(m[1])))) {
      await rm(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Saves a set of files as a run's new current checkpoint, all at once (see the stages at the top of
 * this file): a reader sees the previous set or the new one, never a mix, and `dir` itself never
 * disappears. `files` maps plain file names to contents (or functions producing them, called one at a
 * time). Returns the checkpoint folder the files went to.
 *
 * @throws NnlabError naming `dir` for file-system failures (the previous save stays current); errors
 * thrown by a content function unchanged.
 */
export async function writeRunFiles(dir: string, files: Record<string, FileSource>, opts: RunWriteOptions = {}): Promise<string> {
  const names = Object.keys(files);
  for (const name of names) {
    if (name === "" || name === "." || name === ".." || name === RUN_POINTER || /[/\\\0]/.test(name)) {
      throw new TypeError(`writeRunFiles: file name ${JSON.stringify(name)} must be a plain name other than ${RUN_POINTER}`);
    }
  }
  const target = path.resolve(dir);
  await ensureDir(path.dirname(target));
  await recoverInterruptedSwap(target).catch(() => undefined); // a run folder an older nnlab was swapping when killed
  await ensureDir(target);
  const fail = (err: unknown) => fsProblem(err, dir, "a writable run directory", true);

  // the next number: above every checkpoint folder there, so a stage-2 leftover is never reused
  let existing: string[];
  try {
    existing = await readdir(target);
  } catch (err) {
    throw fail(err);
  }
  const numbers = existing.map((n) => CHECKPOINT.exec(n) ?? /^\.checkpoint-(\d+)\./.exec(n)).filter((m) => m !== null).map((m) => Number(m![1]));
  const name = checkpointName(Math.max(0, ...numbers) + 1);
  const folder = path.join(target, name);
  const previous = readPointer(target);
  const temp = path.join(target, `.${name}.${uniqueSuffix()}.tmp`);

  // 1. every file into the temp folder
  try {
    await mkdir(temp);
    testStage("checkpoint-started");
    for (const file of names) {
      const source = files[file];
      await writeAndSync(path.join(temp, file), typeof source === "function" ? await source() : source);
      testStage("checkpoint-file");
    }
    await syncDir(temp);
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw fail(err);
  }
  // 2. complete, not yet current
  try {
    await rename(temp, folder);
    await syncDir(target);
  } catch (err) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw fail(err);
  }
  testStage("checkpoint-renamed");
  // 3. the switch (writeFileAtomic's own stage "file-synced" falls between its temp file and its rename)
  await writeFileAtomic(path.join(target, RUN_POINTER), JSON.stringify({ format: POINTER_FORMAT, checkpoint: name }) + "\n");
  testStage("checkpoint-current");
  // 4. tidy up
  for (const legacy of opts.legacyFiles ?? []) {
    if (legacy !== RUN_POINTER) await rm(path.join(target, legacy), { force: true }).catch(() => undefined);
  }
  await cleanRunDir(target, previous && opts.keepPrevious !== false ? [path.basename(previous)] : []).catch((err: unknown) => {
    throw fail(err);
  });
  return folder;
}

/** Where `file` of a run is now: inside its current checkpoint folder (null when the run has no save). */
export function runFilePath(dir: string, file: string, legacyFiles: readonly string[] = []): string | null {
  const folder = currentRunFiles(dir, legacyFiles);
  return folder ? path.join(folder, file) : null;
}
