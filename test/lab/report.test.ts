// The lab's run directory: report.md with title, settings, body and every figure; result.json; all
// written at once, replacing an earlier run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatReport, writeLabRun, type Experiment, type LabOutput } from "../../src/lab/index.js";

const experiment: Experiment<{ answer: number }> = {
  name: "example",
  summary: "An example claim",
  takesModel: false,
  run: () => Promise.reject(new Error("not run in this test")),
};
const output: LabOutput<{ answer: number }> = {
  summary: ["answer 42"],
  result: { answer: 42 },
  figures: [
    { file: "shown.svg", caption: "A figure the body shows", data: "<svg xmlns='http://www.w3.org/2000/svg'/>" },
    { file: "extra.png", caption: "A figure appended at the end", data: Uint8Array.from([137, 80, 78, 71]) },
  ],
  report: "Body text.\n\n![A figure the body shows](shown.svg)\n",
};

test("formatReport puts title, settings and body first and appends figures the body does not show", () => {
  const md = formatReport(experiment, output, { seed: 1, quick: true });
  assert.match(md, /^# nnlab lab example\n/);
  assert.ok(md.includes("Settings: seed 1, quick true."));
  assert.equal(md.split("(shown.svg)").length, 2, "a shown figure is not repeated");
  assert.ok(md.indexOf("Body text.") < md.indexOf("(extra.png)"));
});

test("writeLabRun writes report, result and figures, and replaces an earlier run", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-lab-"));
  try {
    const out = path.join(dir, "run");
    await writeLabRun(out, experiment, { ...output, figures: [...output.figures, { file: "old.svg", caption: "old", data: "<svg/>" }] }, { seed: 1 });
    await writeLabRun(out, experiment, output, { seed: 2 });
    assert.deepEqual((await readdir(out)).sort(), ["extra.png", "report.md", "result.json", "shown.svg"]);
    const result = JSON.parse(await readFile(path.join(out, "result.json"), "utf8")) as unknown;
    assert.deepEqual(result, { experiment: "example", settings: { seed: 2 }, result: { answer: 42 } });
    assert.deepEqual(new Uint8Array(await readFile(path.join(out, "extra.png"))), Uint8Array.from([137, 80, 78, 71]));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
