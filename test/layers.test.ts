// The layer rule of DESIGN.md: imports point down only. A lower layer never imports a higher one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./helpers.js";

// layer -> the layers it may import (itself included)
const ALLOWED: Record<string, string[]> = {
  core: ["core"],
  io: ["core", "io"],
  data: ["core", "data"],
  backend: ["core", "backend"],
  nn: ["core", "nn"],
  optim: ["core", "nn", "optim"],
  models: ["core", "nn", "models"],
  selftest: ["core", "io", "backend", "nn", "selftest"],
  train: ["core", "io", "data", "nn", "optim", "models", "train"],
  lab: ["core", "io", "data", "nn", "optim", "models", "train", "lab"],
  cli: ["core", "io", "data", "backend", "nn", "optim", "models", "selftest", "train", "lab", "server", "cli"],
  server: ["core", "io", "data", "backend", "train", "lab", "server"],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("src/ layers import only the layers below them", () => {
  const src = path.join(ROOT, "src");
  const violations: string[] = [];
  for (const file of files(src)) {
    const rel = path.relative(src, file);
    const layer = rel.includes(path.sep) ? rel.split(path.sep)[0] : null;
    if (!layer) continue; // src/index.ts is the library entry: it may import everything
    const allowed = ALLOWED[layer];
    assert.ok(allowed, `unknown layer folder src/${layer}: add it to the layer table`);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
      const target = path.relative(src, path.resolve(path.dirname(file), m[1]));
      const targetLayer = target.split(path.sep)[0];
      if (!allowed.includes(targetLayer)) violations.push(`${rel} imports ${target}`);
    }
  }
  assert.deepEqual(violations, []);
});
