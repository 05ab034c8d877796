// `nnlab gpt attention | lens | embed` on a tiny random GPT-2 checkpoint the test writes itself (HF
// layout, a char tokenizer in config.json), checked against GPT-2's math computed independently here in
// float64: layer 0's attention patterns (with and without mask and scale), the logit lens's first and
// last layer, and cosine neighbours in W_E.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { nnlab } from "../helpers.js";
import { referenceLogits, tinyGpt2, writeGpt2Dir, type TinyGpt2 } from "../models/gpt-reference.js";

const CHARS = [" ", "E", "M", "O", "R", ":", "a", "e", "h", "t", "w"];
const TEXT = "ROMEO: what";
const ids = [...TEXT].map((c) => CHARS.indexOf(c));
const g: TinyGpt2 = tinyGpt2({ nLayer: 2, nHead: 2, nEmbd: 8, nPositions: 16, vocab: CHARS.length, seed: 3 });
let dir = "";
let model = "";

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "nnlab-gpt-inspect-"));
  model = path.join(dir, "model");
  await writeGpt2Dir(model, g, { config: { nnlab: { tokenizer: { kind: "char", chars: CHARS } } } });
});
after(() => rm(dir, { recursive: true, force: true }));

async function json<T>(...args: string[]): Promise<T> {
  const r = await nnlab(...args, "--json");
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

function layerNorm(row: Float64Array, w: Float64Array, b: Float64Array): Float64Array {
  const mean = row.reduce((s, v) => s + v, 0) / row.length;
  const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / row.length;
  return row.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * w[i] + b[i]);
}

/** The embeddings x₀ = W_E[id] + W_P[t], rows of C. */
function embeddings(): Float64Array[] {
  const C = g.nEmbd;
  return ids.map((id, t) => Float64Array.from({ length: C }, (_, c) => g.w["wte.weight"].data[id * C + c] + g.w["wpe.weight"].data[t * C + c]));
}

/** Block 0's attention pattern of head h in float64: softmax(q·k (/√d_k) (+ causal mask)). */
function referencePattern(h: number, causal: boolean, scale: boolean): number[][] {
  const C = g.nEmbd;
  const hs = C / g.nHead;
  const W = g.w;
  const x = embeddings().map((r) => layerNorm(r, W["h.0.ln_1.weight"].data, W["h.0.ln_1.bias"].data));
  const proj = (row: Float64Array, o: number) => row.reduce((s, v, i) => s + v * W["h.0.attn.c_attn.weight"].data[i * 3 * C + o], W["h.0.attn.c_attn.bias"].data[o]);
  const q = x.map((r) => Array.from({ length: hs }, (_, d) => proj(r, h * hs + d)));
  const k = x.map((r) => Array.from({ length: hs }, (_, d) => proj(r, C + h * hs + d)));
  return q.map((qi, i) => {
    const s = k.map((kj, j) => (causal && j > i ? -Infinity : qi.reduce((a, v, d) => a + v * kj[d], 0) / (scale ? Math.sqrt(hs) : 1)));
    const m = Math.max(...s);
    const e = s.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  });
}

function assertClose(actual: number[][], expected: number[][], what: string): void {
  actual.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) < 1e-5, `${what} [${i}][${j}]: ${v} vs ${expected[i][j]}`)));
}

interface AttentionJson {
  tokens: number[];
  pieces: string[];
  causal: boolean;
  scale: boolean;
  layers: { layer: number; heads: { head: number; pattern: number[][] }[] }[];
}

describe("nnlab gpt attention", () => {
  it("writes a heat map per head and the patterns that GPT-2's math gives", async () => {
    const out = path.join(dir, "attn");
    const res = await json<{ files: string[] }>("gpt", "attention", "--model", model, "--text", TEXT, "--out", out);
    assert.deepEqual(res.files, ["attention-L0-H0.svg", "attention-L0-H1.svg", "attention-L1-H0.svg", "attention-L1-H1.svg", "attention.json"]);
    const svg = await readFile(path.join(out, "attention-L0-H1.svg"), "utf8");
    assert.ok(svg.startsWith("<svg") && svg.includes(">R<") && svg.includes(">␣<"), "tokens label the axes");
    const a = JSON.parse(await readFile(path.join(out, "attention.json"), "utf8")) as AttentionJson;
    assert.deepEqual(a.tokens, ids);
    assert.deepEqual(a.pieces, [...TEXT]);
    for (const h of [0, 1]) assertClose(a.layers[0].heads[h].pattern, referencePattern(h, true, true), `head ${h}`);
    for (const { heads } of a.layers) {
      for (const { pattern } of heads) {
        pattern.forEach((row, i) => {
          assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5, "rows sum to 1");
          assert.ok(row.slice(i + 1).every((v) => v === 0), "no token sees the future");
        });
      }
    }
  });
  it("--no-mask and --no-scale change the pattern as the math says; --layer/--head pick one", async () => {
    const out = path.join(dir, "attn-free");
    const res = await json<{ files: string[] }>("gpt", "attention", "--model", model, "--text", TEXT, "--out", out, "--no-mask", "--no-scale", "--layer", "0", "--head", "1");
    assert.deepEqual(res.files, ["attention-L0-H1.svg", "attention.json"]);
    const a = JSON.parse(await readFile(path.join(out, "attention.json"), "utf8")) as AttentionJson;
    assert.equal(a.causal, false);
    assert.equal(a.scale, false);
    assertClose(a.layers[0].heads[0].pattern, referencePattern(1, false, false), "unmasked, unscaled head 1");
    assert.ok(a.layers[0].heads[0].pattern[0][5] > 0, "position 0 now sees position 5");
  });
  it("names a bad layer, a text longer than the context and a character outside the vocabulary", async () => {
    for (const [args, part] of [
      [["--layer", "2"], "--layer"],
      [["--text", "ROMEO ".repeat(3)], "at most 16 tokens"],
      [["--text", "Juliet"], '"J"'],
    ] as [string[], string][]) {
      const r = await nnlab("gpt", "attention", "--model", model, "--text", TEXT, "--out", path.join(dir, "x"), ...args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(r.stderr.includes(part), `${r.stderr} should mention ${part}`);
    }
    assert.ok(!(await readdir(dir)).includes("x"), "nothing written");
  });
});

describe("nnlab gpt lens", () => {
  it("unembeds the embeddings and every block; the last layer is the model's own output", async () => {
    const lens = await json<{ layers: { name: string; top: { id: number; prob: number }[][] }[] }>("gpt", "lens", "--model", model, "--text", "ROMEO:", "--top", "3");
    assert.deepEqual(lens.layers.map((l) => l.name), ["embeddings", "block 0", "block 1"]);
    const T = 6;
    const softmaxTop = (logits: Float64Array) => {
      const m = Math.max(...logits);
      const e = Array.from(logits, (v) => Math.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      const best = e.indexOf(Math.max(...e));
      return { id: best, prob: e[best] / z };
    };
    const final = referenceLogits(g, ids.slice(0, T));
    const x0 = embeddings().slice(0, T).map((r) => layerNorm(r, g.w["ln_f.weight"].data, g.w["ln_f.bias"].data));
    const C = g.nEmbd;
    const first = x0.map((r) => Float64Array.from({ length: g.vocab }, (_, v) => r.reduce((s, xc, c) => s + xc * g.w["wte.weight"].data[v * C + c], 0)));
    for (let t = 0; t < T; t++) {
      for (const [layer, ref] of [[2, final[t]], [0, first[t]]] as [number, Float64Array][]) {
        const want = softmaxTop(ref);
        const got = lens.layers[layer].top[t][0];
        assert.equal(got.id, want.id, `layer ${layer} position ${t}`);
        assert.ok(Math.abs(got.prob - want.prob) < 1e-5, `layer ${layer} position ${t}: ${got.prob} vs ${want.prob}`);
      }
      assert.equal(lens.layers[1].top[t].length, 3);
    }
  });
});

describe("nnlab gpt embed", () => {
  it("lists the nearest tokens by cosine in W_E, an analogy and a projection", async () => {
    const C = g.nEmbd;
    const E = (id: number) => g.w["wte.weight"].data.subarray(id * C, (id + 1) * C);
    const cos = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0) / Math.hypot(...a) / Math.hypot(...b);
    const R = CHARS.indexOf("R");
    const expected = CHARS.map((_, id) => id).filter((id) => id !== R).sort((a, b) => cos(E(b), E(R)) - cos(E(a), E(R))).slice(0, 3);
    const out = await json<{ nearest: { top: { id: number; score: number }[] }; analogy: { top: { id: number }[] }; project: { most: { id: number }[]; least: { id: number }[] } }>(
      "gpt", "embed", "--model", model, "--nearest", "R", "--analogy", "R,O,M", "--project", "a,e", "--top", "3",
    );
    assert.deepEqual(out.nearest.top.map((t) => t.id), expected);
    assert.ok(Math.abs(out.nearest.top[0].score - cos(E(expected[0]), E(R))) < 1e-5);
    assert.ok(!out.analogy.top.some((t) => [R, CHARS.indexOf("O"), CHARS.indexOf("M")].includes(t.id)), "a, b, c left out");
    assert.equal(out.project.most.length, 3);
    assert.equal(out.project.least.length, 3);
  });
  it("names text that is not one token", async () => {
    const r = await nnlab("gpt", "embed", "--model", model, "--nearest", "RO");
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--nearest "RO": expected text that is exactly one token \(or #ID\), found 2 tokens/);
  });
});
