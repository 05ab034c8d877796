// The bounded fuzz of every parser that `npm test` runs (a few hundred hostile inputs each, a few
// seconds in all); `npm run fuzz` runs the same targets for longer (scripts/fuzz.mjs).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fuzzTarget } from "./runner.js";
import { TARGETS } from "./targets.js";

/** Inputs per target in `npm test`; NNLAB_FUZZ_RUNS raises it for a deeper local run. */
const RUNS = Number(process.env.NNLAB_FUZZ_RUNS ?? 300);

let scratch = "";
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), "nnlab-fuzz-"));
});
after(() => rm(scratch, { recursive: true, force: true }));

describe("fuzz: hostile inputs give typed one-line errors and no unjustified allocation", () => {
  for (const target of TARGETS) {
    // The test's own timeout catches a parser that hangs (no per-input timing is asserted here).
    test(target.name, { timeout: 120_000, todo: target.knownDefect }, async () => {
      const stats = await fuzzTarget(target, { runs: RUNS, scratch });
      assert.equal(stats.runs, RUNS);
      assert.ok(stats.refused > 0, "the hostile inputs reach the parser's checks");
    });
  }
});
