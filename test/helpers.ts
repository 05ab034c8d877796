// Shared paths and small helpers for the test suite.
import { spawn } from "node:child_process";
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/nnlab.js"), ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
