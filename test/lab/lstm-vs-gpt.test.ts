// `nnlab lab lstm-vs-gpt --quick`: an LSTM and a GPT of about the same size race for the same training
// time on the embedded Shakespeare; the report, figure and numbers hang together. A bad --seconds is a
// one-line user error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LstmVsGptResult } from "../../src/lab/index.js";
import { matchingLstm } from "../../src/lab/lstm-vs-gpt.js";
import { charLstmParameterCount } from "../../src/models/char-lstm.js";
import { nnlab } from "../helpers.js";

test("matchingLstm picks the hidden size whose parameter count is closest to the target", () => {
  const c = matchingLstm(65, 64, 107_000);
  const count = charLstmParameterCount(c);
  assert.ok(Math.abs(count - 107_000) < Math.abs(charLstmParameterCount({ ...c, hidden: c.hidden + 1 }) - 107_000));
  assert.ok(Math.abs(count - 107_000) <= Math.abs(charLstmParameterCount({ ...c, hidden: c.hidden - 1 }) - 107_000));
});

test("lab lstm-vs-gpt --quick races a GPT and an LSTM of about the same size for the same time and reports both", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-lstm-vs-gpt-"));
  try {
    const r = await nnlab("lab", "lstm-vs-gpt", "--quick", "--out", dir, "--json");
    assert.equal(r.code, 0, r.stderr);
    const { result, settings } = JSON.parse(r.stdout) as { result: LstmVsGptResult; settings: { quick: boolean } };
    assert.equal(settings.quick, true);
    assert.deepEqual((await readdir(dir)).sort(), ["loss-vs-time.svg", "report.md", "result.json"]);
    const [gpt, lstm] = result.contenders;
    assert.deepEqual([gpt.name, lstm.name], ["GPT", "LSTM"]);
    assert.ok(Math.abs(gpt.parameters - lstm.parameters) / gpt.parameters < 0.01, `parameters ${gpt.parameters} vs ${lstm.parameters}`);
    assert.equal(result.budget_seconds, 4);
    assert.equal(result.corpus.vocabulary, 69);
    assert.ok(Math.abs(result.uniform_loss - Math.log(69)) < 1e-12);
    for (const c of result.contenders) {
      assert.ok(c.steps >= 1, `${c.name} took a step`);
      // untrained, both guess about uniformly; evaluations follow the clock to the end of the budget
      assert.ok(Math.abs(c.curve[0].val_loss - result.uniform_loss) < 0.25, `${c.name} starts at ${c.curve[0].val_loss}`);
      assert.equal(c.curve[0].seconds, 0);
      c.curve.slice(1).forEach((p, i) => assert.ok(p.seconds > c.curve[i].seconds && p.iter >= c.curve[i].iter));
      assert.ok(c.curve[c.curve.length - 1].seconds >= 4, `${c.name} trained for the whole budget`);
      assert.equal(c.final_val_loss, c.curve[c.curve.length - 1].val_loss);
      assert.equal([...c.sample].length, 60);
    }
    const better = gpt.final_val_loss <= lstm.final_val_loss ? "GPT" : "LSTM";
    assert.equal(result.winner, better);
    assert.ok(Math.abs(result.margin - Math.abs(gpt.final_val_loss - lstm.final_val_loss)) < 1e-12);
    const report = await readFile(path.join(dir, "report.md"), "utf8");
    assert.match(report, new RegExp(`\\*\\*Result:\\*\\* after 4 s each, the ${better} reaches`));
    assert.match(report, /!\[Validation loss against training time\]\(loss-vs-time\.svg\)/);
    assert.ok((await readFile(path.join(dir, "loss-vs-time.svg"), "utf8")).startsWith("<svg"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("lab lstm-vs-gpt refuses a bad --seconds in one line naming the flag", async () => {
  const r = await nnlab("lab", "lstm-vs-gpt", "--seconds", "-3", "--out", path.join(tmpdir(), "nnlab-never-written"));
  assert.equal(r.code, 2);
  assert.match(r.stderr.trim(), /^nnlab: --seconds: expected a number of seconds in \(0, 3600\], found "-3"/);
  assert.equal(r.stderr.trim().split("\n").length, 1);
});
