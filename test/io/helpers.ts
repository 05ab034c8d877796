// Shared helpers for the io tests: temp folders and assertions on user-facing errors.

import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NnlabError } from "../../src/core/errors.js";

/** Makes a fresh temp folder; call `cleanup` to delete it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "nnlab-io-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Asserts `fn` throws (or rejects with) a one-line NnlabError whose message contains every part. */
export async function assertNnlabError(fn: () => unknown, ...parts: (string | RegExp)[]): Promise<NnlabError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof NnlabError, `expected an NnlabError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.ok(!caught.message.includes("\n"), `message should be one line: ${caught.message}`);
  for (const part of parts) {
    if (typeof part === "string") assert.ok(caught.message.includes(part), `"${caught.message}" should contain "${part}"`);
    else assert.match(caught.message, part);
  }
  return caught;
}
