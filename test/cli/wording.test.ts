// The wording of user errors, end to end through the real binary: one line that names the file or flag
// at fault and says what was expected and found — never a raw errno code (ENOENT, EISDIR, ENOTFOUND),
// never a second line, and never a malformed input passed as fine.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { currentRunFiles } from "../../src/io/run-dir.js";
import { nnlab } from "../helpers.js";

/** Expects exit code 2 and one line on stderr that holds every part and no raw errno code. */
async function expectOneLine(args: string[], ...parts: (string | RegExp)[]): Promise<string> {
  const r = await nnlab(...args);
  assert.equal(r.code, 2, `nnlab ${args.join(" ")} should exit 2; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.doesNotMatch(lines[0], /\bE[A-Z]{3,}\b/, "no raw errno code");
  for (const p of parts) {
    if (typeof p === "string") assert.ok(lines[0].includes(p), `"${lines[0]}" should mention "${p}"`);
    else assert.match(lines[0], p);
  }
  return lines[0];
}

/** A reference file with one relu case; `patch` changes the case. */
function referenceCase(patch: Record<string, unknown>): string {
  const t = (data: number[]) => ({ shape: [data.length], data });
  return JSON.stringify({ cases: [{ op: "relu", params: {}, inputs: [t([1, -1])], output: t([1, 0]), upstream: t([1, 1]), grads: [t([1, 0])], ...patch }] });
}

let dir = "";
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-wording-"));
});
after(() => rm(dir, { recursive: true, force: true }));

describe("selftest reference files", () => {
  test("a JSON syntax error is one line with its line and column", async () => {
    const file = path.join(dir, "syntax.json");
    await writeFile(file, '{"cases": [\n  {"op": "relu",}\n]}');
    await expectOneLine(["selftest", "--reference", file], file, "line 2, column 17");
  });

  test("a missing file or a folder is named in words", async () => {
    await expectOneLine(["selftest", "--reference", path.join(dir, "nope.json")], "nope.json", "no such file");
    await expectOneLine(["selftest", "--reference", dir], dir, "a directory");
  });

  test('a case with "grads": [] is refused, naming the file and the case', async () => {
    const file = path.join(dir, "no-grads.json");
    await writeFile(file, referenceCase({ grads: [] }));
    await expectOneLine(["selftest", "--reference", file], `${file}: cases[0] (relu)`, "grads", "an empty list");
  });

  test("a case whose data does not fit its shape names the file and the case", async () => {
    const file = path.join(dir, "bad-shape.json");
    await writeFile(file, referenceCase({ inputs: [{ shape: [3], data: [1, 2] }] }));
    await expectOneLine(["selftest", "--reference", file], `${file}: cases[0] (relu)`);
  });

  test("a well-formed case still passes (the checks above refuse only malformed files)", async () => {
    const file = path.join(dir, "good.json");
    await writeFile(file, referenceCase({}));
    const r = await nnlab("selftest", "--reference", file, "--backend", "js");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1\/1 cases pass/);
  });
});

describe("flags and folders", () => {
  test("--json=yes says --json is a switch", async () => {
    await expectOneLine(["train", "mnist", "--json=yes"], "--json", "no value (it is a switch)", '"yes"');
  });

  test("serve --host 256.1.1.1 blames --host, not --port", async () => {
    const line = await expectOneLine(["serve", "--host", "256.1.1.1", "--port", "0"], "--host 256.1.1.1");
    assert.doesNotMatch(line, /--port/);
  });

  test("a --data path through a file is described in words", async () => {
    const file = path.join(dir, "plain.txt");
    await writeFile(file, "not a folder");
    await expectOneLine(["train", "mnist", "--data", file, "--epochs", "1"], file, "not a directory");
  });

  test("a run folder missing only model.safetensors says so", async () => {
    const run = path.join(dir, "run");
    const r = await nnlab("train", "mnist", "--epochs", "1", "--train-limit", "200", "--test-limit", "100", "--out", run, "--json");
    assert.equal(r.code, 0, r.stderr);
    await unlink(path.join(currentRunFiles(run)!, "model.safetensors"));
    await mkdir(path.join(dir, "empty"));
    await expectOneLine(["info", "--model", run], "without model.safetensors");
    await expectOneLine(["info", "--model", path.join(dir, "empty")], "without config.json and model.safetensors");
  });
});
