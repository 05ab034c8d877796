// Every case of test/fixtures/ops-torch.json (PyTorch 1.13, scripts/reference/gen_reference.py) on every backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BACKENDS } from "../../src/backend/index.js";
import { loadReferenceFile, REFERENCE_OPS, runReference } from "../../src/selftest/reference.js";
import path from "node:path";
import { REFERENCE_FILE, ROOT, useBackendOrSkip } from "../helpers.js";

for (const name of BACKENDS) {
  test(`PyTorch reference cases pass on the ${name} backend`, async (t) => {
    if (!(await useBackendOrSkip(t, name))) return;
    const file = await loadReferenceFile(REFERENCE_FILE);
    const { report } = runReference(file);
    assert.equal(report.cases, 81);
    assert.deepEqual(report.failed, []);
    assert.ok(report.max_abs_error < 1e-3);
  });
}

test("the committed reference files cover every op the selftest knows", async () => {
  // ops-torch.json, conv-torch.json for convolution and pooling (test/core/conv.test.ts runs its cases)
  // and lstm-torch.json for the LSTM (test/core/lstm.test.ts)
  const extra = ["conv-torch.json", "lstm-torch.json"].map((f) => path.join(ROOT, "test/fixtures", f));
  const files = await Promise.all([REFERENCE_FILE, ...extra].map(loadReferenceFile));
  const ops = new Set(files.flatMap((f) => f.cases.map((c) => c.op)));
  assert.deepEqual(Object.keys(REFERENCE_OPS).filter((op) => !ops.has(op)), []);
});
