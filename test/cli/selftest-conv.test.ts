// `nnlab selftest` on the convolution reference cases (test/fixtures/conv-torch.json) on both backends.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { nnlab, ROOT } from "../helpers.js";

for (const backend of ["wasm", "js"]) {
  test(`nnlab selftest passes the conv and pooling reference cases on ${backend}`, async () => {
    const r = await nnlab("selftest", "--reference", path.join(ROOT, "test/fixtures/conv-torch.json"), "--backend", backend, "--json");
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { cases: number; failed: unknown[]; backend: string; max_abs_error: number };
    assert.equal(report.backend, backend);
    assert.equal(report.cases, 16);
    assert.deepEqual(report.failed, []);
    assert.ok(report.max_abs_error < 1e-4);
  });
}
