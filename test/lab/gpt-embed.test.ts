// Embedding geometry on a small hand-made W_E whose answers are known: nearest by cosine, the
// king − man + woman analogy, projections onto a difference direction.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analogy, cosineToAll, differenceDirection, embeddingRow, nearestTokens, projectionExtremes, projections, type EmbeddingTable } from "../../src/lab/gpt-embed.js";

// Axes: royalty, femaleness, fruitiness. ids: 0 king, 1 queen, 2 man, 3 woman, 4 apple, 5 zero vector.
const rows = [
  [1, 0, 0],
  [1, 1, 0],
  [0, 0, 0.1],
  [0, 1, 0.1],
  [0, 0, 1],
  [0, 0, 0],
];
const table: EmbeddingTable = { data: Float32Array.from(rows.flat()), vocabSize: rows.length, width: 3 };

describe("embedding geometry", () => {
  it("cosine similarity, nearest tokens without the token itself", () => {
    const cos = cosineToAll(table, embeddingRow(table, 0));
    assert.ok(Math.abs(cos[0] - 1) < 1e-12);
    assert.ok(Math.abs(cos[1] - Math.SQRT1_2) < 1e-7);
    assert.equal(cos[5], 0, "a zero row has cosine 0");
    assert.deepEqual(nearestTokens(table, embeddingRow(table, 0), 2, [0]).map((t) => t.id), [1, 2]); // ties (cosine 0) by id
  });
  it("king − man + woman ≈ queen (a, b, c left out)", () => {
    const top = analogy(table, 0, 2, 3, 1);
    assert.equal(top[0].id, 1);
    assert.ok(top[0].score > 0.99, String(top[0].score));
  });
  it("projects every token onto woman − man", () => {
    const d = differenceDirection(table, 3, 2);
    assert.deepEqual(Array.from(d), [0, 1, 0]);
    assert.deepEqual(Array.from(projections(table, d)), [0, 1, 0, 1, 0, 0]);
    const { most, least } = projectionExtremes(table, d, 2);
    assert.deepEqual(most.map((t) => t.id), [1, 3]);
    assert.deepEqual(least.map((t) => [t.id, t.score]), [[0, 0], [2, 0]]);
  });
});

describe("heatmapSvg with token axes", () => {
  it("names rows and columns by their labels, repeated labels included", async () => {
    const { heatmapSvg } = await import("../../src/lab/figures.js");
    const svg = await heatmapSvg("pattern", [[1, 0], [0.25, 0.75]], "query", "key", true, { rows: ["the", "the"], cols: ["the", "cat"], domain: [0, 1], format: ".2f" });
    assert.ok(svg.includes(">cat<"), "column label");
    assert.equal(svg.match(/>the</g)?.length, 3, "two row labels and one column label");
    assert.ok(svg.includes(">0.75<"));
  });
});
