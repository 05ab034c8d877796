// Lesson 5 in real Chromium: the page is cross-origin isolated and fetches nothing from elsewhere; the
// next-token bars are softmax(logit / T) of the logits the page shows, at two temperatures and under a
// top-k cut; the tiny GPT trains in the page until its loss is 30% below its first step's (with the main
// thread's long tasks measured over 10 s of training); a token is sampled and a run streams; the
// embedding explorer lists neighbours; the GPT-3 tally reaches 175,181,291,520; a tiny random GPT-2 written by the project's own saver opens through
// the file picker, shows its config and samples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { init } from "../../src/backend/index.js";
import { Rng } from "../../src/core/rng.js";
import { GPT } from "../../src/models/gpt/model.js";
import { GPT_FILES, saveGptDir } from "../../src/train/gpt-checkpoint.js";
import { needChromium, withLab } from "./browser.js";
import { openIsolated, setSlider, until } from "./wait.js";

/** The bars as shown: each candidate's logit and probability. */
async function bars(page: Page): Promise<{ id: number; logit: number; p: number }[]> {
  return page
    .getByTestId("next")
    .locator(".candidate")
    .evaluateAll((rows) => rows.map((r) => ({ id: Number(r.getAttribute("data-id")), logit: Number(r.getAttribute("data-logit")), p: Number(r.getAttribute("data-p")) })));
}

/** Checks p_i / p_0 = exp((logit_i − logit_0) / T) for every bar (softmax with temperature T, up to its constant). */
function assertSoftmax(shown: { logit: number; p: number }[], T: number): void {
  assert.ok(shown.length >= 2, `${shown.length} bars`);
  const [top] = shown;
  for (const c of shown.slice(1)) {
    if (c.p < 1e-30) continue;
    const want = Math.exp((c.logit - top.logit) / T);
    const got = c.p / top.p;
    assert.ok(Math.abs(got - want) <= 1e-4 * Math.max(want, 1e-6) + 1e-9, `T=${T}: p ratio ${got} vs exp(Δlogit/T) ${want}`);
  }
}

test("lesson 5: tokens, softmax with temperature, training in the page, sampling, the tally and a GPT-2 from disk", { timeout: 300_000 }, async (t) => {
  if (!needChromium(t)) return;
  await init();
  const dir = await mkdtemp(path.join(tmpdir(), "nnlab-web-gpt2-"));
  try {
    // a tiny random GPT-2 in Hugging Face's layout (GPT-2's vocabulary, so the page uses GPT-2's tokenizer)
    const tiny = new GPT({ nLayer: 2, nHead: 2, nEmbd: 8, blockSize: 32, vocabSize: 50257, bias: true, tied: true, dropout: 0, gelu: "tanh", layerNormEps: 1e-5 }, new Rng(5));
    const run = path.join(dir, "tiny-gpt2"); // a GPT run as `nnlab serve --runs DIR` lists it
    await saveGptDir(run, tiny);

    await withLab(
      async (lab) => {
        const { page, foreign } = await openIsolated(lab, "lesson5.html");
        await until(page, "gpt-model", "ready", (v) => v === "true");
        assert.equal(await page.getByTestId("gpt-model").getAttribute("data-source"), "trained-here");

        // the prompt's tokens: characters for the tiny model, fewer (longer) ones with GPT-2's tokenizer
        await until(page, "token-chips", "count", (v) => Number(v) > 0);
        const chars = Number(await page.getByTestId("token-chips").getAttribute("data-count"));
        const text = await page.getByTestId("prompt").inputValue();
        assert.equal(chars, [...text].length, "one character, one token");
        await page.getByTestId("tokenizer-gpt2").click();
        await until(page, "tokens", "kind", (v) => v === "gpt2");
        const gpt2Count = Number(await page.getByTestId("token-chips").getAttribute("data-count"));
        assert.ok(gpt2Count > 0 && gpt2Count < chars / 2, `GPT-2 tokens ${gpt2Count} vs ${chars} characters`);
        assert.equal(await page.getByTestId("embeddings").getAttribute("data-width"), "64");

        // the bars are softmax(logits / T) of the logits shown, at T = 1 and T = 0.5; top-k cuts to k
        await until(page, "next", "temperature", (v) => v === "1");
        assertSoftmax(await bars(page), 1);
        const warm = await bars(page);
        await setSlider(page, "temperature", 0.5);
        await until(page, "next", "temperature", (v) => v === "0.5");
        const cool = await bars(page);
        assertSoftmax(cool, 0.5);
        assert.deepEqual(cool.map((c) => c.logit), warm.map((c) => c.logit), "the same logits at both temperatures");
        assert.ok(cool[0].p > warm[0].p, `a lower temperature sharpens: top p ${warm[0].p} → ${cool[0].p}`);
        await setSlider(page, "top-k", 3);
        await until(page, "next", "top-k", (v) => v === "3");
        const cut = await bars(page);
        assert.equal(await page.getByTestId("next").getAttribute("data-kept"), "3");
        assert.ok(cut.slice(3).every((c) => c.p === 0), "tokens beyond the top 3 get nothing");
        assertSoftmax(cut.slice(0, 3), 0.5);
        assert.ok(Math.abs(cut.slice(0, 3).reduce((s, c) => s + c.p, 0) - 1) < 1e-6, "the top 3 share all the probability");
        await setSlider(page, "top-k", 0);
        await setSlider(page, "temperature", 1);

        // train in the page: the loss falls 30% below the first step's; long tasks on the main thread
        // measured over the first 10 s of training
        await page.evaluate(() => {
          const w = window as unknown as { longTasks: number[] };
          w.longTasks = [];
          new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: "longtask" });
        });
        const started = Date.now();
        await page.getByTestId("gpt-train-run").click();
        await until(page, "gpt-train-stats", "state", (v) => v === "running");
        await page.waitForTimeout(10_000);
        const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
        t.diagnostic(`long tasks on the main thread in 10 s of training: ${longTasks.length}${longTasks.length ? `, longest ${Math.max(...longTasks).toFixed(0)} ms` : ""}`);
        const first = Number(await until(page, "gpt-train-stats", "first-loss", (v) => Number(v) > 0));
        const loss = Number(await until(page, "gpt-train-stats", "loss", (v) => Number(v) <= 0.7 * first, 90_000));
        t.diagnostic(`in-page training: loss ${first.toFixed(3)} → ${loss.toFixed(3)} after step ${await page.getByTestId("gpt-train-stats").getAttribute("data-iter")} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        await page.getByTestId("gpt-train-pause").click();
        await until(page, "gpt-train-stats", "state", (v) => v === "paused");

        // sample one token: it is appended to the prompt; a run streams many
        const before = await page.getByTestId("prompt").inputValue();
        await page.getByTestId("sample-one").click();
        await until(page, "sampled", "count", (v) => v === "1");
        await page.waitForFunction(() => !(document.querySelector("[data-testid=sample-one]") as HTMLButtonElement).disabled);
        const after = await page.getByTestId("prompt").inputValue();
        assert.equal(after.slice(0, before.length), before);
        assert.equal(after.length, before.length + 1, "one character appended");
        // a run streams up to 500 tokens…
        const runEnded = () => page.waitForFunction(() => !(document.querySelector("[data-testid=sample-run]") as HTMLButtonElement).disabled);
        const count = async () => Number(await page.getByTestId("sampled").getAttribute("data-count")); // tokens sampled so far
        const single = await count();
        await page.getByTestId("sample-run").click();
        await until(page, "sampled", "count", (v) => Number(v) >= single + 20);
        await runEnded();
        assert.equal((await count()) - single, 500, "the run streamed its 500 tokens");
        // …and Stop ends one between two tokens (clicked at once: a run can finish in the time a test
        // takes to see its first tokens)
        const before2 = await count();
        await page.getByTestId("sample-run").click();
        await page.getByTestId("sample-stop").click();
        await runEnded();
        const streamed = (await count()) - before2;
        assert.ok(streamed >= 1 && streamed < 500, `the run stopped early: ${streamed} of 500 tokens`);

        // the embedding explorer: a − b + c and nearest neighbours on the trained W_E
        await until(page, "embed", "mode", (v) => v === "analogy");
        assert.equal(await page.locator("[data-testid=embed] li").count(), 8);
        await page.getByTestId("embed-nearest").click();
        await until(page, "embed", "mode", (v) => v === "nearest");
        const near = await page.locator("[data-testid=embed] li").evaluateAll((lis) => lis.map((li) => Number(li.querySelector(".num")?.textContent)));
        assert.equal(near.length, 8);
        assert.ok(near.every((c, i) => c <= 1 && c >= -1 && (i === 0 || c <= near[i - 1])), `cosines, best first: ${near}`);
        await page.getByTestId("embed-a").fill("ab");
        await page.locator("[data-testid=embed][data-error]").waitFor();
        assert.match((await page.getByTestId("embed").getAttribute("data-error")) ?? "", /exactly one token/);
        await page.getByTestId("embed-a").fill("A");
        await page.locator("[data-testid=embed]:not([data-error])").waitFor();

        // the tally: GPT-3's lesson total, filled in matrix by matrix
        assert.equal(await page.getByTestId("tally-gpt3").getAttribute("data-lesson-total"), "175181291520");
        await until(page, "tally-gpt3", "shown", (v) => v === "175181291520", 30_000);
        await until(page, "lens", "layers", (v) => v === "3");
        await lab.screenshot(page, "lesson5");

        // the file picker: one file alone, or a config that is no GPT-2's, is refused with a clear line
        await page.getByTestId("gpt-file").setInputFiles([path.join(run, GPT_FILES.config)]);
        await until(page, "gpt-file-status", "state", (v) => v === "error");
        assert.match((await page.getByTestId("gpt-file-status").textContent()) ?? "", /pick both files at once/);
        const bad = path.join(dir, "bad");
        await mkdir(bad);
        await writeFile(path.join(bad, GPT_FILES.config), JSON.stringify({ model_type: "llama", n_layer: 2 }));
        await copyFile(path.join(run, GPT_FILES.model), path.join(bad, GPT_FILES.model));
        await page.getByTestId("gpt-file").setInputFiles([path.join(bad, GPT_FILES.config), path.join(bad, GPT_FILES.model)]);
        await page.waitForFunction(() => /model_type/.test(document.querySelector("[data-testid=gpt-file-status]")?.textContent ?? ""));
        assert.equal(await page.getByTestId("gpt-file-status").getAttribute("data-state"), "error");
        assert.match((await page.getByTestId("gpt-file-status").textContent()) ?? "", /config\.json: model_type.*"gpt2"/);
        assert.equal(await page.getByTestId("gpt-model").getAttribute("data-source"), "trained-here", "the model in use stays");

        // a GPT-2 checkpoint through the file picker: its config is shown and it samples
        await page.getByTestId("gpt-file").setInputFiles([path.join(run, GPT_FILES.config), path.join(run, GPT_FILES.model)]);
        await until(page, "gpt-model", "source", (v) => v === "file");
        const model = page.getByTestId("gpt-model");
        assert.equal(await model.getAttribute("data-layers"), "2");
        assert.equal(await model.getAttribute("data-vocab"), "50257");
        assert.equal(Number(await model.getAttribute("data-parameters")), tiny.parameterCount());
        assert.match((await page.locator(".model-shape").textContent()) ?? "", /2 blocks × 2 heads, width 8/);
        await until(page, "tokens", "kind", (v) => v === "gpt2");
        await page.getByTestId("prompt").fill("Hello world");
        await until(page, "next", "text", (v) => v === "Hello world");
        assertSoftmax(await bars(page), 1);
        const sampledBefore = Number(await page.getByTestId("sampled").getAttribute("data-count"));
        await page.getByTestId("sample-one").click();
        await until(page, "sampled", "count", (v) => Number(v) === sampledBefore + 1);
        assert.ok((await page.getByTestId("prompt").inputValue()).startsWith("Hello world"));
        assert.equal(Number(await until(page, "tally-model", "full-total", () => true)), tiny.parameterCount(), "the tally's full count is the model's");

        // the same model as a run the server lists
        await page.getByTestId("gpt-runs").selectOption("tiny-gpt2");
        await until(page, "gpt-model", "source", (v) => v === "run");
        assert.equal(Number(await model.getAttribute("data-parameters")), tiny.parameterCount());
        assert.deepEqual(await foreign(), [], "nothing fetched from another origin");
      },
      { runsDir: dir },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
