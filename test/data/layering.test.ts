// The data layer imports only core/errors, core/rng, Node built-ins and pngjs, so it stays independent of
// the tensor engine (DESIGN.md: "data · io beside core").

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

// Compiled to dist/test/data/, the sources are three folders up in src/data/.
const SRC = fileURLToPath(new URL("../../../src/data/", import.meta.url));
// opentype.js reads the fonts letters.ts draws letters from
const ALLOWED = /^(node:.+|pngjs|opentype\.js|\.\.\/core\/errors\.js|\.\.\/core\/rng\.js|\.\/[a-z0-9-]+\.js)$/;

describe("src/data imports", () => {
  it("reach only core/errors, core/rng, node built-ins, pngjs, opentype.js and each other", async () => {
    const files = (await readdir(SRC)).filter((f) => f.endsWith(".ts"));
    assert.ok(files.includes("idx.ts") && files.includes("png.ts"));
    for (const file of files) {
      const text = await readFile(SRC + file, "utf8");
      for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
        assert.match(m[1], ALLOWED, `${file} imports ${m[1]}`);
      }
    }
  });
});
