// Lesson 5's geometry of token embeddings on a GPT's own W_E: nearest tokens by cosine similarity,
// analogies (a − b + c, the "king − man + woman" picture) and projections onto a direction such as the
// difference of two tokens. Plain Float32Array math, no imports, so the web lab can use it too.

/** A token embedding matrix W_E: row `id` of a (vocabSize × width) row-major array. */
export interface EmbeddingTable {
  /** (vocabSize, width), row-major. */
  data: Float32Array;
  vocabSize: number;
  width: number;
}

/** A token and its score (a cosine similarity or a projection). */
export interface ScoredToken {
  id: number;
  score: number;
}

/** Row `id` of the table (a view, not a copy). */
export function embeddingRow(table: EmbeddingTable, id: number): Float32Array {
  return table.data.subarray(id * table.width, (id + 1) * table.width);
}

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

/** The `k` highest of `scores` (ties: lower id first), skipping ids in `exclude`. */
function topScores(scores: Float64Array, k: number, exclude: ReadonlySet<number> = new Set()): ScoredToken[] {
  const ids: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!exclude.has(i) && Number.isFinite(scores[i])) ids.push(i);
  ids.sort((a, b) => scores[b] - scores[a] || a - b);
  return ids.slice(0, k).map((id) => ({ id, score: scores[id] }));
}

/** cos(W_E[i], v) for every token i (0 for a zero row or a zero v). */
export function cosineToAll(table: EmbeddingTable, v: ArrayLike<number>): Float64Array {
  const { vocabSize, width, data } = table;
  const nv = norm(v);
  const out = new Float64Array(vocabSize);
  for (let i = 0; i < vocabSize; i++) {
    let dot = 0;
    let nn = 0;
    const base = i * width;
    for (let j = 0; j < width; j++) {
      dot += data[base + j] * v[j];
      nn += data[base + j] * data[base + j];
    }
    out[i] = nv > 0 && nn > 0 ? dot / (Math.sqrt(nn) * nv) : 0;
  }
  return out;
}

/** The `k` tokens whose embeddings point most nearly the way `v` does (cosine similarity). */
export function nearestTokens(table: EmbeddingTable, v: ArrayLike<number>, k: number, exclude: readonly number[] = []): ScoredToken[] {
  return topScores(cosineToAll(table, v), k, new Set(exclude));
}

/** W_E[a] − W_E[b] + W_E[c]: "a is to b as ? is to c" (king − man + woman ≈ queen). */
export function analogyVector(table: EmbeddingTable, a: number, b: number, c: number): Float32Array {
  const out = new Float32Array(table.width);
  const [ea, eb, ec] = [embeddingRow(table, a), embeddingRow(table, b), embeddingRow(table, c)];
  for (let j = 0; j < table.width; j++) out[j] = ea[j] - eb[j] + ec[j];
  return out;
}

/** The nearest tokens to a − b + c, leaving out a, b and c themselves (as word2vec's evaluation does). */
export function analogy(table: EmbeddingTable, a: number, b: number, c: number, k: number): ScoredToken[] {
  return nearestTokens(table, analogyVector(table, a, b, c), k, [a, b, c]);
}

/** W_E[a] − W_E[b]: a direction in embedding space (e.g. from "man" to "woman"). */
export function differenceDirection(table: EmbeddingTable, a: number, b: number): Float32Array {
  const out = new Float32Array(table.width);
  const [ea, eb] = [embeddingRow(table, a), embeddingRow(table, b)];
  for (let j = 0; j < table.width; j++) out[j] = ea[j] - eb[j];
  return out;
}

/** Every token's embedding projected onto the unit vector along `direction`: W_E[i] · d / |d|. */
export function projections(table: EmbeddingTable, direction: ArrayLike<number>): Float64Array {
  const { vocabSize, width, data } = table;
  const nd = norm(direction);
  const out = new Float64Array(vocabSize);
  if (nd === 0) return out;
  for (let i = 0; i < vocabSize; i++) {
    let dot = 0;
    for (let j = 0; j < width; j++) dot += data[i * width + j] * direction[j];
    out[i] = dot / nd;
  }
  return out;
}

/** The `k` tokens furthest along `direction` and the `k` furthest against it. */
export function projectionExtremes(table: EmbeddingTable, direction: ArrayLike<number>, k: number): { most: ScoredToken[]; least: ScoredToken[] } {
  const p = projections(table, direction);
  const neg = p.map((x) => -x);
  return { most: topScores(p, k), least: topScores(neg, k).map(({ id }) => ({ id, score: p[id] })) };
}
