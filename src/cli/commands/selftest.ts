// `nnlab selftest`: runs a file of PyTorch reference cases against a backend and reports the errors.

import { BACKENDS } from "../../backend/index.js";
import { loadReferenceFile, runReference, TOLERANCE } from "../../selftest/reference.js";
import { defineCommand } from "../command.js";
import { required, startBackend } from "./shared.js";

export const selftestCommand = defineCommand({
  name: "selftest",
  summary: "Check every op and gradient against PyTorch reference values",
  spec: {
    description:
      `Runs every case of a reference file (format: test/fixtures/README.md in the nnlab repository): outputs and input gradients must match within ` +
      `${TOLERANCE.rel} relative or ${TOLERANCE.abs} absolute error. max_rel_error is taken over elements whose reference magnitude is at least 1e-3. Exits with 1 when a case fails.`,
    options: [
      { name: "reference", type: "string", valueName: "FILE", required: true, description: "Reference cases, e.g. test/fixtures/ops-torch.json" },
      { name: "backend", type: "string", valueName: "NAME", description: `Backend to check: ${BACKENDS.join(" | ")}`, defaultText: "the fastest available" },
    ],
  },
  examples: ["selftest --reference test/fixtures/ops-torch.json", "selftest --reference test/fixtures/conv-torch.json", "selftest --reference test/fixtures/lstm-torch.json", "selftest --reference test/fixtures/ops-torch.json --backend js --json"],
  async run(args, ctx) {
    const file = required("reference", args.options.reference, "a reference JSON file");
    const backend = await startBackend(args.options.backend);
    const { report } = runReference(await loadReferenceFile(file));
    ctx.print(`backend ${backend}: ${report.cases - report.failed.length}/${report.cases} cases pass; max abs error ${report.max_abs_error.toExponential(2)}, max rel error ${report.max_rel_error.toExponential(2)}`);
    for (const f of report.failed) ctx.print(`  FAILED case ${f.index} (${f.op}): ${f.problem}`);
    ctx.result({ ...report, backend });
    return report.failed.length ? 1 : 0;
  },
});
