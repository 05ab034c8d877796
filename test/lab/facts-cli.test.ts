// `nnlab facts NAME` through the real binary: the shared experiment runner writes the report and
// result.json without loading MNIST, prints the result with --json, and refuses the lab's --data flag.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { nnlab } from "../helpers.js";

test("facts and-gate --quick --json writes report.md, result.json and figures; a lab-only flag is a user error", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-facts-cli-"));
  try {
    const out = path.join(dir, "and");
    const r = await nnlab("facts", "and-gate", "--quick", "--json", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { experiment: string; settings: { quick: boolean }; result: { truth_table: { correct: boolean }[] }; out: string };
    assert.equal(printed.experiment, "and-gate");
    assert.equal(printed.settings.quick, true);
    assert.equal(printed.result.truth_table.length, 32);
    assert.deepEqual((await readdir(out)).sort(), ["loss.svg", "report.md", "result.json", "row-column.svg", "truth-table.svg"]);
    assert.match(await readFile(path.join(out, "report.md"), "utf8"), /^# nnlab facts and-gate\n/);
    const saved = JSON.parse(await readFile(path.join(out, "result.json"), "utf8")) as { result: unknown };
    assert.deepEqual(saved.result, printed.result);
    const bad = await nnlab("facts", "and-gate", "--data", "x", "--out", path.join(dir, "bad"));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr.trim(), /^nnlab: --data/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
