// `--help` says what each flag does when left out (a default, or "required" in the usage line too), the
// parser refuses a missing required flag, and progress shows an ETA for the whole run, not only the pass.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { parseCommandArgs } from "../../src/cli/args.js";
import { commands as COMMANDS } from "../../src/cli/commands.js";
import { defaultNote, formatCommandHelp, usageLine } from "../../src/cli/help.js";
import { formatDuration, ProgressBar } from "../../src/cli/progress.js";
import { NnlabError } from "../../src/core/errors.js";

describe("--help", () => {
  test("every flag that takes a value says its default or that it is required", () => {
    const silent: string[] = [];
    for (const c of COMMANDS) {
      for (const o of c.spec.options) {
        if (o.type === "string" && defaultNote(o) === "" && !/\bdefault\b/i.test(o.description)) silent.push(`${c.name} --${o.name}`);
      }
    }
    assert.deepEqual(silent, [], "give these a `default`, a `defaultText` or `required: true` in their OptionSpec");
  });

  test("required flags are in the usage line, unbracketed, and marked in the table", () => {
    const predict = COMMANDS.find((c) => c.name === "predict")!;
    assert.match(usageLine(predict), /^Usage: nnlab predict --model DIR \[options\] FILE$/);
    assert.match(formatCommandHelp(predict), /--model DIR\s+Run directory.*\(required\)/s);
    const selftest = COMMANDS.find((c) => c.name === "selftest")!;
    assert.match(usageLine(selftest), /nnlab selftest --reference FILE \[options\]/);
  });

  test("train mnist shows the presets' --batch and --lr and the fixed defaults", () => {
    const help = formatCommandHelp(COMMANDS.find((c) => c.name === "train mnist")!).replace(/\s+/g, " ");
    assert.match(help, /--batch N Mini-batch size \(default: the preset's: 3b1b 10, nielsen 10, modern 64, cnn 64\)/);
    assert.match(help, /--lr X Learning rate η \(default: the preset's: 3b1b 3, nielsen 3, modern 0\.001, cnn 0\.002\)/);
    assert.match(help, /--seed N Random seed: same seed, same run \(default: 1\)/);
  });

  test("a missing required flag is a one-line error naming it", () => {
    const info = COMMANDS.find((c) => c.name === "info")!;
    assert.throws(() => parseCommandArgs([], info.spec, "info"), (err: unknown) => {
      assert.ok(err instanceof NnlabError);
      assert.match(err.message, /^--model: expected a value \(--model DIR, required: .*\), found nothing\. Pass --model DIR\./);
      return true;
    });
    assert.equal(parseCommandArgs(["--model", "runs/x"], info.spec, "info").options.model, "runs/x");
  });
});

/** A fake stderr that is not a terminal, so bars print plain lines. */
function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

describe("progress ETA", () => {
  test("a pass of a run shows the whole run's ETA beside the pass's own", () => {
    let clock = 0;
    const { stream, lines } = capture();
    // Epoch 2 of 4 (index 1), started 10 s into the run; halfway through it after 5 more seconds.
    const bar = new ProgressBar({ label: "epoch 2/4", total: 100, stream, now: () => clock, plainIntervalMs: 1000, pass: { index: 1, count: 4 }, runStartedAt: -10_000 });
    clock = 5000;
    bar.update(50);
    // Run: 1.5 of 4 passes in 15 s → 25 s to go; pass: half in 5 s → 5 s to go.
    assert.equal(lines.at(-1), "epoch 2/4 50% 5.0s eta 5.0s run eta 25.0s");
    assert.equal(bar.runEta(), 25_000);
    bar.stop();
  });

  test("a lone pass shows no run ETA", () => {
    let clock = 0;
    const { stream, lines } = capture();
    const bar = new ProgressBar({ label: "sampling", total: 10, stream, now: () => clock, plainIntervalMs: 1000 });
    clock = 2000;
    bar.update(5);
    assert.equal(lines.at(-1), "sampling 50% 2.0s eta 2.0s");
    assert.equal(bar.runEta(), undefined);
    bar.stop();
  });

  test("durations read as seconds, minutes or hours", () => {
    assert.deepEqual([formatDuration(1234), formatDuration(65_000), formatDuration(2 * 3600_000 + 7 * 60_000)], ["1.2s", "1m05s", "2h07m"]);
  });
});
