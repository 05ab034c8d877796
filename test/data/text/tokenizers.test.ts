// Tokenizers on arbitrary Unicode (fast-check): characters, GPT-2's BPE and our own trained BPE all
// round-trip, lone surrogates become U+FFFD, nothing crashes; plus GPT-2's known ids, a BPE trainer
// example worked by hand, and the spec checks of tokenizerFromSpec.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { NnlabError } from "../../../src/core/errors.js";
import { BpeTokenizer, CharTokenizer, Gpt2Tokenizer, toWellFormed, tokenizerFromSpec, trainBpe } from "../../../src/data/text/index.js";

/** Single units of arbitrary text: any code point, lone surrogates, emoji sequences, combining marks. */
const unit = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("👋🏽", "👨‍👩‍👧", "🇫🇷", "e\u0301", "\u0915\u094d\u0937", "\r\n", "\u0000", " ", "  ", "'s", "<|endoftext|>", "1234", "日本語"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 3 }),
);
const text = fc.string({ unit, maxLength: 40 });

const SAMPLE = "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer. 👋🏽 Café ça va? 東京 e\u0301";
const bpe = trainBpe(SAMPLE.repeat(3) + " the theme then there these", { vocabSize: 300 });

describe("GPT-2 tokenizer", () => {
  const g = Gpt2Tokenizer.get();
  it('encodes "Hello world" as [15496, 995] and has 50,257 tokens', () => {
    assert.deepEqual(g.encode("Hello world"), [15496, 995]);
    assert.equal(g.vocabSize, 50257);
    assert.equal(g.piece(15496), "Hello");
    assert.equal(g.piece(995), " world");
    assert.equal(g.piece(50256), "<|endoftext|>");
    assert.deepEqual(g.encode("<|endoftext|>"), [50256]);
  });
  it("shows a token holding part of a character as byte escapes", () => {
    const ids = g.encode("👋");
    assert.ok(ids.length > 1, "the emoji takes several byte-level tokens");
    assert.match(ids.map((i) => g.piece(i)).join(""), /^(<0x[0-9A-F]{2}>)+$/);
    assert.equal(g.decode(ids), "👋");
  });
  it("round-trips arbitrary Unicode (lone surrogates as U+FFFD)", () => {
    fc.assert(fc.property(text, (s) => g.decode(g.encode(s)) === toWellFormed(s)), { numRuns: 300 });
  });
  it("refuses ids outside the vocabulary", () => {
    assert.throws(() => g.decode([50257]), NnlabError);
    assert.throws(() => g.piece(-1), NnlabError);
  });
});

describe("character tokenizer", () => {
  it("uses the sorted distinct characters as nanoGPT does", () => {
    const c = CharTokenizer.fromText("hello world");
    assert.deepEqual(c.chars, [" ", "d", "e", "h", "l", "o", "r", "w"]);
    assert.deepEqual(c.encode("hello"), [3, 2, 4, 4, 5]);
    assert.equal(c.decode([7, 5, 6, 4, 1]), "world");
  });
  it("round-trips any text over its own vocabulary, one token per code point", () => {
    fc.assert(
      fc.property(text, (s) => {
        const c = CharTokenizer.fromText(s);
        const ids = c.encode(s);
        return c.decode(ids) === toWellFormed(s) && ids.length === [...toWellFormed(s)].length;
      }),
      { numRuns: 300 },
    );
  });
  it("names a character outside its vocabulary", () => {
    const c = CharTokenizer.fromText("abc");
    assert.throws(() => c.encode("abz"), (e: unknown) => e instanceof NnlabError && e.message.includes('"z" (U+007A)') && e.message.includes("position 2"));
  });
});

describe("our byte-level BPE", () => {
  it("learns the merges of the textbook example aaabdaaabac", () => {
    const t = trainBpe("aaabdaaabac", { vocabSize: 259 });
    // aa → 256; then ab and (256, a) tie at 2 and the smaller pair wins: ab → 257; then (256, 257) → 258.
    assert.deepEqual(t.toJSON().merges, [[97, 97], [97, 98], [256, 257]]);
    assert.deepEqual(t.encode("aaabdaaabac"), [258, 100, 258, 97, 99]);
    assert.equal(t.piece(258), "aaab");
  });
  it("stops early when no pair repeats", () => {
    assert.equal(trainBpe("abc", { vocabSize: 1000 }).vocabSize, 256);
  });
  it("merges frequent words into single tokens and compresses its corpus", () => {
    assert.ok(bpe.vocabSize === 300);
    assert.ok(bpe.encode(SAMPLE).length < new TextEncoder().encode(SAMPLE).length * 0.7);
  });
  it("round-trips arbitrary Unicode, including bytes it never saw", () => {
    fc.assert(fc.property(text, (s) => bpe.decode(bpe.encode(s)) === toWellFormed(s)), { numRuns: 300 });
  });
  it("is deterministic and survives its JSON spec", () => {
    const again = trainBpe(SAMPLE.repeat(3) + " the theme then there these", { vocabSize: 300 });
    assert.deepEqual(again.toJSON(), bpe.toJSON());
    const back = tokenizerFromSpec(JSON.parse(JSON.stringify(bpe.toJSON())));
    assert.ok(back instanceof BpeTokenizer);
    assert.deepEqual(back.encode(SAMPLE), bpe.encode(SAMPLE));
  });
});

describe("tokenizerFromSpec", () => {
  it("rebuilds each kind", () => {
    assert.equal(tokenizerFromSpec({ kind: "gpt2" }).vocabSize, 50257);
    assert.deepEqual(tokenizerFromSpec({ kind: "char", chars: ["a", "b"] }).encode("ba"), [1, 0]);
  });
  const bad: [unknown, string][] = [
    [null, "tokenizer"],
    [{ kind: "wordpiece" }, "kind"],
    [{ kind: "char", chars: [] }, "chars"],
    [{ kind: "char", chars: ["ab"] }, "chars[0]"],
    [{ kind: "char", chars: ["a", "a"] }, "chars[1]"],
    [{ kind: "bpe", pattern: "gpt2", merges: [[1, 256]] }, "merges[0]"],
    [{ kind: "bpe", pattern: "gpt2", merges: [[1, 2], [256, 258]] }, "merges[1]"],
    [{ kind: "bpe", pattern: "x", merges: [] }, "pattern"],
  ];
  for (const [spec, field] of bad) {
    it(`names the field of ${JSON.stringify(spec)}`, () => {
      assert.throws(() => tokenizerFromSpec(spec, "t.json"), (e: unknown) => e instanceof NnlabError && e.message.startsWith(`t.json: ${field}:`) && !e.message.includes("\n"));
    });
  }
});
