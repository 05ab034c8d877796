// Corpora: the embedded Shakespeare, nanoGPT's 90/10 split, and one clear error for each kind of bad
// text file (missing, empty, binary, not UTF-8, shorter than a block). Also: src/data/text is Node-free.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkBlockFits, cleanGutenbergText, corpusTextFromBytes, firstInvalidUtf8, splitTrainVal } from "../../../src/data/text/corpus.js";
import { loadEmbeddedCorpus, readCorpusFile } from "../../../src/data/text/corpus-file.js";
import { assertNnlabError, tempDir } from "../helpers.js";

describe("embedded corpus", () => {
  it("joins Hamlet, Julius Caesar and Macbeth without their title lines", async () => {
    const text = await loadEmbeddedCorpus();
    assert.ok(text.length > 350_000, `${text.length} characters`);
    assert.ok(text.startsWith("Actus Primus. Scoena Prima.\n"), JSON.stringify(text.slice(0, 40)));
    assert.ok(!text.includes("[The Tragedie"));
    assert.ok(text.includes("Cæsar"), "Caesar's Latin-1 æ is read as æ");
    assert.ok(!text.includes("\uFFFD"));
    assert.ok(text.endsWith("FINIS. THE TRAGEDIE OF MACBETH.\n"));
  });
  it("drops a Project Gutenberg header and footer when present", () => {
    const raw = "The Project Gutenberg eBook\r\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\r\n\r\nText.\r\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\r\nlicense";
    assert.equal(cleanGutenbergText(raw), "Text.\n");
  });
});

describe("splitTrainVal", () => {
  it("keeps the last 10% for validation, as nanoGPT", () => {
    const ids = Array.from({ length: 105 }, (_, i) => i);
    const { train, val } = splitTrainVal(ids);
    assert.equal(train.length, 94); // int(105 * 0.9)
    assert.deepEqual(val, ids.slice(94));
    const typed = splitTrainVal(Uint16Array.from(ids), 0.5);
    assert.equal(typed.train.length, 52);
    assert.ok(typed.val instanceof Uint16Array);
  });
  it("checks that a split fills one block", async () => {
    checkBlockFits(65, 64, "x.txt");
    await assertNnlabError(() => checkBlockFits(64, 64, "x.txt", "validation split"), "x.txt", "65 tokens in its validation split", "found 64");
  });
});

describe("readCorpusFile", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  it("reads UTF-8 text and drops a byte order mark", async () => {
    await writeFile(join(dir, "ok.txt"), "\uFEFFFirst Citizen:\nBefore we proceed any further, hear me speak.\n");
    assert.equal(await readCorpusFile(join(dir, "ok.txt"), { blockSize: 8 }), "First Citizen:\nBefore we proceed any further, hear me speak.\n");
  });
  it("gives one clear line for missing, empty, binary, non-UTF-8 and too-short files", async () => {
    await assertNnlabError(() => readCorpusFile(join(dir, "nope.txt")), "nope.txt", "no such file", "--data");
    await writeFile(join(dir, "empty.txt"), "");
    await assertNnlabError(() => readCorpusFile(join(dir, "empty.txt")), "empty.txt", "an empty file");
    await writeFile(join(dir, "bin.dat"), Uint8Array.of(0x41, 0x42, 0, 7));
    await assertNnlabError(() => readCorpusFile(join(dir, "bin.dat")), "bin.dat", "NUL byte at offset 2");
    await writeFile(join(dir, "latin1.txt"), Uint8Array.of(0x43, 0xe6, 0x73, 0x61, 0x72));
    await assertNnlabError(() => readCorpusFile(join(dir, "latin1.txt")), "latin1.txt", "offset 1: 0xe6", "iconv");
    await writeFile(join(dir, "short.txt"), "To be");
    await assertNnlabError(() => readCorpusFile(join(dir, "short.txt"), { blockSize: 64 }), "short.txt", "at least 65 characters", "found 5", "--block-size");
  });
  it("finds the first invalid UTF-8 byte", () => {
    const enc = new TextEncoder();
    assert.equal(firstInvalidUtf8(enc.encode("héllo👋")), enc.encode("héllo👋").length);
    assert.equal(firstInvalidUtf8(Uint8Array.of(0x61, 0xed, 0xa0, 0x80)), 1); // an encoded surrogate
    assert.equal(firstInvalidUtf8(Uint8Array.of(0x61, 0x62, 0xf0, 0x9f)), 2); // cut short
    assert.equal(firstInvalidUtf8(Uint8Array.of(0xc0, 0x80)), 0); // overlong
    assert.throws(() => corpusTextFromBytes(Uint8Array.of(0x80), "b"));
  });
});

describe("src/data/text imports", () => {
  it("are Node-free outside the *-file.ts readers, so the web lab can bundle them", async () => {
    const src = fileURLToPath(new URL("../../../../src/data/text/", import.meta.url));
    const files = (await readdir(src)).filter((f) => f.endsWith(".ts"));
    assert.ok(files.includes("tokenizer.ts") && files.includes("corpus-file.ts"));
    for (const file of files) {
      if (file.endsWith("-file.ts")) continue;
      const text = await readFile(join(src, file), "utf8");
      for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
        assert.match(m[1], /^(\.\/[a-z0-9-]+\.js|\.\.\/\.\.\/core\/errors\.js|js-tiktoken\/lite|js-tiktoken\/ranks\/gpt2)$/, `${file} imports ${m[1]}`);
      }
    }
  });
});
