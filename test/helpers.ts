// Shared paths and small helpers for the test suite.
import { spawn } from "node:child_process";
import type { TestContext } from "node:test";
import { init } from "../src/backend/index.js";
import { nativeUnavailableReason } from "../src/backend/native/index.js";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The repository root (tests run from dist/test/…). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** PyTorch reference cases, committed (written by scripts/reference/gen_reference.py; see test/fixtures/README.md). */
export const REFERENCE_FILE = path.resolve(ROOT, "test/fixtures/ops-torch.json");

/** What a run of the nnlab binary printed and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real binary (`bin/nnlab.js …args`) in a child process and collects its output. */
export function nnlab(...args: string[]): Promise<CliResult> {
  return nnlabWithEnv({}, ...args);
}

/** `nnlab`, with these variables added to its environment. */
export function nnlabWithEnv(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/nnlab.js"), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Selects the backend a test is about and returns true, or skips the test (saying why) and returns false
 * where that backend cannot run here: native needs a C compiler at build time and OpenBLAS.
 */
export async function useBackendOrSkip(t: TestContext, name: string): Promise<boolean> {
  if (name === "native") {
    const why = await nativeUnavailableReason();
    if (why !== null) {
      t.skip(`the native backend is not available here: ${why}`);
      return false;
    }
  }
  await init({ backend: name });
  return true;
}

/** How a child process of the nnlab binary ended, and what it wrote to stderr. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs `nnlab …args` (stdout ignored); kills it with SIGKILL after `killAfterMs` when given (the kill tests). */
export function runKillable(args: string[], env: Record<string, string> = {}, killAfterMs?: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/nnlab.js"), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}
